"""Fixtures of the ingestion tests; the hand-made world itself is in ingestion_world.py."""

from __future__ import annotations

import copy
from pathlib import Path

import pandas as pd
import pytest
from ingestion_world import CONNECTIONS, load_params, make_world

from roi_ml.ingest.config import IngestionConfig

# Third-party deprecation noise (ibis 12 on pandas 3 / DuckDB 2), silenced for these tests only.
THIRD_PARTY_WARNINGS = (
    "ignore:fetch_arrow_table\\(\\) is deprecated:DeprecationWarning",
    "ignore:The 'future.infer_string' option is deprecated",
    "ignore:register_new_resolver\\(\\) is deprecated:UserWarning",
)


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            for spec in THIRD_PARTY_WARNINGS:
                item.add_marker(pytest.mark.filterwarnings(spec))


@pytest.fixture(scope="session", autouse=True)
def _close_duckdb_connections():
    """Close the DuckDB connections of the tests and of kedro-datasets' cache at the end."""
    yield
    from kedro_datasets._utils import ConnectionMixin

    for con in [*CONNECTIONS, *ConnectionMixin._connections.values()]:
        con.disconnect()
    CONNECTIONS.clear()
    ConnectionMixin._connections.clear()


@pytest.fixture(scope="session")
def base_params() -> dict:
    return load_params()


@pytest.fixture
def params(base_params) -> dict:
    """The project's `ingestion` parameters (a copy each test may change)."""
    return copy.deepcopy(base_params)


@pytest.fixture
def cfg(params) -> IngestionConfig:
    return IngestionConfig.from_params(params)


@pytest.fixture
def world() -> dict[str, pd.DataFrame]:
    """The hand-made raw exports (fresh copies)."""
    return make_world()
