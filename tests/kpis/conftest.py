"""Shared fixtures of the kpis tests: the project's `kpis` parameters and a small world."""

import copy
from pathlib import Path

import pytest
import yaml
from kedro.io import DataCatalog, MemoryDataset
from kedro.runner import SequentialRunner

from roi_ml.pipelines.kpis import create_pipeline

PROJECT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def base_kpi_params() -> dict:
    return yaml.safe_load((PROJECT / "conf/base/parameters_kpis.yml").read_text())["kpis"]


@pytest.fixture
def kpi_params(base_kpi_params) -> dict:
    """The project's `kpis` parameters (a copy each test may change)."""
    return copy.deepcopy(base_kpi_params)


class KeepDataset(MemoryDataset):
    """A MemoryDataset the runner cannot release, so tests can read intermediate outputs."""

    def _release(self) -> None:
        pass


def run_kpis(world: dict, params: dict) -> dict:
    """Run the kpis pipeline with SequentialRunner on in-memory canonical tables."""
    catalog = DataCatalog()
    for name, frame in world.items():
        catalog[name] = frame
    catalog["params:kpis"] = params
    pipeline = create_pipeline()
    for name in pipeline.all_outputs():
        catalog[name] = KeepDataset()
    SequentialRunner().run(pipeline, catalog)
    return {name: catalog.load(name) for name in pipeline.all_outputs()}


@pytest.fixture(scope="session")
def kpi_run(base_kpi_params):
    """Every output of the pipeline on the hand-made world (world.py), as of 31 March 2026:
    CMP1 has ended, CMP2 is running."""
    from world import make_world, validate_world

    params = copy.deepcopy(base_kpi_params)
    params["as_of_date"] = "2026-03-31"
    world = make_world()
    validate_world(world)
    return run_kpis(world, params)
