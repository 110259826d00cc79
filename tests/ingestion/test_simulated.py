"""Ingestion of the tiny simulated world (the files `roi-ml simulate` writes), via the catalog."""

import json
import re

import pandas as pd
import pytest
from ingestion_world import file_catalog
from kedro.runner import SequentialRunner

from roi_ml import schemas
from roi_ml.pipelines.ingestion import create_pipeline

simulator = pytest.importorskip("roi_ml.simulator")
pytestmark = pytest.mark.e2e

TABLES = ["creators", "creator_platforms", "campaigns", "contracts", "posts",
          "post_daily_metrics", "sessions", "conversion_events", "orders", "leads", "comments",
          "mentions", "surveys", "rejected_rows"]
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")


@pytest.fixture(scope="module")
def simulated(tmp_path_factory, base_params):
    root = tmp_path_factory.mktemp("simulated")
    summary = simulator.simulate(size="tiny", seed=1, raw_dir=root / "raw",
                                 truth_dir=root / "truth")
    SequentialRunner().run(create_pipeline(), file_catalog(root / "raw", root / "out",
                                                           base_params))
    return root, summary.counts


def test_every_row_is_accounted_for(simulated):
    root, counts = simulated
    report = json.loads((root / "out/08_reporting/ingestion_report.json").read_text())
    assert len(report) == 15
    for source, entry in report.items():
        assert entry["rows_read"] == entry["rows_kept"] + entry["rows_rejected"], source
    for source in ("instagram_posts", "facebook_posts", "tiktok_posts", "youtube_posts",
                   "x_posts", "ga4_events", "crm_leads", "comments"):
        assert report[source]["rows_read"] == counts[source], source
    assert report["shopify_orders"]["rows_read"] == counts["shopify_rows"]
    assert report["mentions_daily"]["rows_read"] == counts["mentions_rows"]
    rejected = pd.read_parquet(root / "out/02_intermediate/rejected_rows.parquet")
    for source, entry in report.items():
        listed = int((rejected["source"] == source).sum())
        assert listed == entry.get("rejected_rows_listed", entry["rows_rejected"]), source


def test_tables_validate_and_hold_no_pii(simulated):
    root, counts = simulated
    for name in TABLES:
        table = pd.read_parquet(root / f"out/02_intermediate/{name}.parquet")
        schemas.validate(name, table)
        for col in table.columns:
            if pd.api.types.is_string_dtype(table[col]):
                assert not table[col].dropna().str.contains(EMAIL).any(), (name, col)
    sessions = pd.read_parquet(root / "out/02_intermediate/sessions.parquet")
    assert 0.98 * counts["ga4_sessions"] <= len(sessions) <= counts["ga4_sessions"]
    assert {"creator", "organic_search", "direct"} <= set(sessions["channel"])
