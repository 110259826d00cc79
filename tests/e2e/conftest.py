"""One end-to-end run of the default pipeline on the tiny simulated world, shared by e2e tests.

The run happens in a temporary copy of the project (conf + pyproject) with its own data/ and
its own MLflow SQLite store, so tests never touch the user's data/ or mlflow.db.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from roi_ml.bench import make_project
from roi_ml.simulator import simulate


def run_kedro(root: Path, pipeline_names: list[str] | None = None) -> None:
    from kedro.framework.session import KedroSession
    from kedro.framework.startup import bootstrap_project

    cwd = os.getcwd()
    os.chdir(root)  # sqlite:///mlflow.db is relative to the working directory
    try:
        bootstrap_project(root)
        with KedroSession.create(project_path=root, env="local") as session:
            session.run(pipeline_names=pipeline_names)
    finally:
        os.chdir(cwd)
        end_mlflow_runs()


def end_mlflow_runs() -> None:
    """kedro-mlflow leaves the in-process run registered as active after an in-process session
    (the server has it FINISHED): end it so later tests start without a run and with the default
    tracking URI, as a fresh `kedro run` process would."""
    import mlflow

    while mlflow.active_run() is not None:
        mlflow.end_run()
    mlflow.set_tracking_uri(None)


def pytest_collection_modifyitems(items):
    """Under pytest-xdist (`--dist loadgroup`), every e2e test goes to one worker, so the
    default pipeline runs once, not once per worker."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.xdist_group("e2e"))


@pytest.fixture(scope="session")
def e2e_run(tmp_path_factory):
    os.environ.setdefault("KEDRO_DISABLE_TELEMETRY", "true")
    root = make_project(tmp_path_factory.mktemp("roi_ml_project"))
    simulate("tiny", seed=8, raw_dir=root / "data" / "01_raw", truth_dir=root / "data" / "ground_truth")
    run_kedro(root)
    return root
