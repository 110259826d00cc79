"""Shared fixtures of the kpis tests: the project's `kpis` parameters and a small world."""

import copy
from pathlib import Path

import pytest
import yaml

PROJECT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def base_kpi_params() -> dict:
    return yaml.safe_load((PROJECT / "conf/base/parameters_kpis.yml").read_text())["kpis"]


@pytest.fixture
def kpi_params(base_kpi_params) -> dict:
    """The project's `kpis` parameters (a copy each test may change)."""
    return copy.deepcopy(base_kpi_params)
