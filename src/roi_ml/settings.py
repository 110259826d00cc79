"""Kedro project settings. kedro-mlflow registers its hooks through its plugin entry point."""

from kedro.config import OmegaConfigLoader

from roi_ml.hooks import RoiMlHooks
from roi_ml.profiling import NodeTimingHook

HOOKS = (RoiMlHooks(), NodeTimingHook())  # NodeTimingHook is idle unless ROI_ML_NODE_TIMINGS is set

CONFIG_LOADER_CLASS = OmegaConfigLoader
CONFIG_LOADER_ARGS = {
    "base_env": "base",
    "default_run_env": "local",
    "config_patterns": {
        "mlflow": ["mlflow*", "mlflow*/**", "**/mlflow*"],
    },
}
