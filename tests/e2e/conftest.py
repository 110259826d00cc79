"""One end-to-end run of the default pipeline on the tiny simulated world, shared by e2e tests.

The run happens in a temporary copy of the project (conf + pyproject) with its own data/ and
its own MLflow SQLite store, so tests never touch the user's data/ or mlflow.db.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from roi_ml.simulator import simulate

REPO = Path(__file__).resolve().parents[2]


def make_project(root: Path) -> Path:
    shutil.copytree(REPO / "conf" / "base", root / "conf" / "base")
    (root / "conf" / "local").mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
    if not (root / "src").exists():  # Kedro checks the source dir exists; the code is installed
        (root / "src").mkdir()
    for layer in ("01_raw", "02_intermediate", "03_primary", "04_feature", "05_model_input",
                  "06_models", "07_model_output", "08_reporting"):
        (root / "data" / layer).mkdir(parents=True, exist_ok=True)
    return root


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


@pytest.fixture(scope="session")
def e2e_run(tmp_path_factory):
    os.environ.setdefault("KEDRO_DISABLE_TELEMETRY", "true")
    root = make_project(tmp_path_factory.mktemp("roi_ml_project"))
    simulate("tiny", seed=5, raw_dir=root / "data" / "01_raw", truth_dir=root / "data" / "ground_truth")
    run_kedro(root)
    return root
