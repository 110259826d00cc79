"""`RegisteredModelDataset` that accepts a bundle without a model (the data_driven slot fell back
to linear, or could not fit): the pickle is written (its metadata says why), nothing is logged
or registered in MLflow, so the registry only holds fitted conversion models."""

from __future__ import annotations

import logging

from roi_ml.registry import ModelBundle, RegisteredModelDataset

log = logging.getLogger(__name__)


class OptionalRegisteredModelDataset(RegisteredModelDataset):
    def log_to_mlflow(self, data: ModelBundle) -> bool:
        if data.model is None:
            log.info("No fitted model to register as %s (%s)", self._registered_model_name,
                     data.metadata.get("reason", "skipped"))
            return False
        return super().log_to_mlflow(data)
