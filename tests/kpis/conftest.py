"""Shared fixtures of the kpis tests: the project's `kpis` parameters and a small world."""

import copy
from pathlib import Path

import pytest
import yaml
from kpi_world import run_kpis

PROJECT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def base_kpi_params() -> dict:
    return yaml.safe_load((PROJECT / "conf/base/parameters_kpis.yml").read_text())["kpis"]


@pytest.fixture
def kpi_params(base_kpi_params) -> dict:
    """The project's `kpis` parameters (a copy each test may change)."""
    return copy.deepcopy(base_kpi_params)


@pytest.fixture(scope="session")
def kpi_run(base_kpi_params):
    """Every output of the pipeline on the hand-made world (world.py), as of 31 March 2026:
    CMP1 has ended, CMP2 is running."""
    from kpi_world import make_world, validate_world

    params = copy.deepcopy(base_kpi_params)
    params["as_of_date"] = "2026-03-31"
    world = make_world()
    validate_world(world)
    return run_kpis(world, params)
