"""Kedro project settings. kedro-mlflow registers its hooks through its plugin entry point."""

from kedro.config import OmegaConfigLoader

from roi_ml.hooks import RoiMlHooks

HOOKS = (RoiMlHooks(),)

CONFIG_LOADER_CLASS = OmegaConfigLoader
CONFIG_LOADER_ARGS = {
    "base_env": "base",
    "default_run_env": "local",
    "config_patterns": {
        "mlflow": ["mlflow*", "mlflow*/**", "**/mlflow*"],
    },
}
