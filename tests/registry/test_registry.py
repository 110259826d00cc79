"""RegisteredModelDataset: pickles locally always, logs and registers only inside an MLflow run."""

import mlflow
import pandas as pd
import pytest
from kedro.io import DatasetError
from sklearn.linear_model import LinearRegression

from roi_ml.registry import ModelBundle, RegisteredModelDataset


@pytest.fixture(autouse=True)
def _no_active_run():
    """Each test starts and ends outside any MLflow run, whatever ran before it in the process."""
    while mlflow.active_run() is not None:
        mlflow.end_run()
    yield
    while mlflow.active_run() is not None:
        mlflow.end_run()


def _bundle():
    x = pd.DataFrame({"a": [0.0, 1.0, 2.0, 3.0]})
    model = LinearRegression().fit(x, [1.0, 3.0, 5.0, 7.0])
    return ModelBundle(model=model, input_example=x.head(2), output_example=model.predict(x.head(2)),
                       metadata={"features": ["a"]})


def test_round_trip_without_run_keeps_a_local_copy_only(tmp_path):
    ds = RegisteredModelDataset(str(tmp_path / "m.pkl"), "mlflow.sklearn", "roi_ml_test_model")
    ds.save(_bundle())
    back = ds.load()
    assert back.metadata == {"features": ["a"]}
    assert back.model.predict(pd.DataFrame({"a": [4.0]}))[0] == pytest.approx(9.0)
    assert ds.log_to_mlflow(back) is False


def test_inside_a_run_the_model_is_registered_with_a_signature(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    mlflow.set_tracking_uri(f"sqlite:///{tmp_path / 'mlflow.db'}")
    # an earlier in-process kedro run may have left its experiment selected: use our own
    mlflow.set_experiment("roi_ml_registry_test")
    try:
        ds = RegisteredModelDataset(str(tmp_path / "m.pkl"), "mlflow.sklearn", "roi_ml_test_model")
        with mlflow.start_run():
            ds.save(_bundle())
        client = mlflow.MlflowClient()
        versions = client.search_model_versions("name='roi_ml_test_model'")
        assert len(versions) == 1
        loaded = mlflow.pyfunc.load_model(f"models:/roi_ml_test_model/{versions[0].version}")
        assert loaded.metadata.get_input_schema().input_names() == ["a"]
    finally:
        mlflow.set_tracking_uri(None)


def test_wrong_flavor_and_wrong_payload_say_what_is_wrong(tmp_path):
    with pytest.raises(DatasetError, match="not an importable MLflow flavor"):
        RegisteredModelDataset(str(tmp_path / "m.pkl"), "mlflow.nope", "x")
    ds = RegisteredModelDataset(str(tmp_path / "m.pkl"), "mlflow.sklearn", "x")
    with pytest.raises(DatasetError, match="expects a roi_ml.registry.ModelBundle"):
        ds.save({"model": 1})
