"""One way to hand a trained model to MLflow: `RegisteredModelDataset`.

A node returns a `ModelBundle` (the model plus a small input example); the catalog entry saves
it twice:

* locally, as a pickle at `filepath` (data/06_models/...), so later nodes and notebooks load
  the exact object back with `catalog.load(...)`;
* to the active MLflow run (the one kedro-mlflow opens for `kedro run`), with the flavor's
  `log_model`, a signature inferred from the input example and the model's own prediction on
  it, and registration under `registered_model_name` — a new version per run, reviewable in the
  MLflow UI's "Models" page.

Without an active run (unit tests, `SequentialRunner` on an in-memory catalog) only the pickle
is written, so nodes stay pure and testable. Catalog example::

    creator_roi_model:
      type: roi_ml.registry.RegisteredModelDataset
      filepath: data/06_models/creator_roi_model.pkl
      flavor: mlflow.xgboost
      registered_model_name: roi_ml_creator_roi
"""

from __future__ import annotations

import importlib
import logging
import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import fsspec
from kedro.io import AbstractDataset, DatasetError

log = logging.getLogger(__name__)


@dataclass
class ModelBundle:
    """A trained model and what MLflow needs to describe it.

    `input_example` is a few rows of the model's input (a DataFrame); `output_example`, when
    given, is the model's output on those rows (otherwise the signature has inputs only).
    `metadata` travels with the pickle (feature names, training window, ...).
    """

    model: Any
    input_example: Any = None
    output_example: Any = None
    metadata: dict[str, Any] = field(default_factory=dict)


class RegisteredModelDataset(AbstractDataset[ModelBundle, ModelBundle]):
    """Pickle a `ModelBundle` locally and log + register its model in the active MLflow run."""

    def __init__(self, filepath: str, flavor: str, registered_model_name: str,
                 artifact_name: str = "model", log_args: dict[str, Any] | None = None,
                 metadata: dict[str, Any] | None = None) -> None:
        self._filepath = filepath
        self._flavor = flavor
        self._registered_model_name = registered_model_name
        self._artifact_name = artifact_name
        self._log_args = dict(log_args or {})
        self.metadata = metadata
        try:
            importlib.import_module(flavor)
        except ImportError as exc:  # a typo in the catalog, not a runtime surprise later
            raise DatasetError(f"RegisteredModelDataset: flavor {flavor!r} is not an importable "
                               f"MLflow flavor module (e.g. mlflow.xgboost, mlflow.sklearn, "
                               f"mlflow.prophet): {exc}") from exc

    def _describe(self) -> dict[str, Any]:
        return {"filepath": self._filepath, "flavor": self._flavor,
                "registered_model_name": self._registered_model_name}

    def _exists(self) -> bool:
        return Path(self._filepath).exists()

    def _load(self) -> ModelBundle:
        with fsspec.open(self._filepath, "rb") as fh:
            bundle = pickle.load(fh)  # noqa: S301 - our own artefact, written by _save
        if not isinstance(bundle, ModelBundle):
            raise DatasetError(f"{self._filepath} does not hold a ModelBundle")
        return bundle

    def _save(self, data: ModelBundle) -> None:
        if not isinstance(data, ModelBundle):
            raise DatasetError(f"RegisteredModelDataset expects a roi_ml.registry.ModelBundle, "
                               f"got {type(data).__name__}")
        Path(self._filepath).parent.mkdir(parents=True, exist_ok=True)
        with fsspec.open(self._filepath, "wb") as fh:
            pickle.dump(data, fh)
        self.log_to_mlflow(data)

    def log_to_mlflow(self, data: ModelBundle) -> bool:
        """Log and register `data.model` in the active run; False (and a debug line) without one."""
        import mlflow
        from mlflow.models import infer_signature

        if mlflow.active_run() is None:
            log.debug("No active MLflow run: %s kept locally only", self._registered_model_name)
            return False
        signature = None
        if data.input_example is not None:
            signature = infer_signature(data.input_example, data.output_example)
        module = importlib.import_module(self._flavor)
        module.log_model(data.model, name=self._artifact_name,
                         registered_model_name=self._registered_model_name,
                         signature=signature, input_example=data.input_example,
                         **self._log_args)
        log.info("Logged %s to MLflow and registered it as %s", self._artifact_name,
                 self._registered_model_name)
        return True
