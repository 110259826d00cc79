"""The ingestion pipeline run with SequentialRunner on in-memory raw frames."""

import pandas as pd
import pytest
from ingestion_world import SALT, ga4_events, run_ingestion

from roi_ml import schemas
from roi_ml.ingest import commerce
from roi_ml.ingest.errors import RowAccountingError

TABLES = ["creators", "creator_platforms", "campaigns", "contracts", "posts",
          "post_daily_metrics", "sessions", "conversion_events", "orders", "leads", "comments",
          "mentions", "surveys", "rejected_rows"]


def add_row(df, values):
    return pd.concat([df, pd.DataFrame([values], columns=df.columns, dtype="string")],
                     ignore_index=True)


def test_clean_world_gives_every_canonical_table(world, params, tmp_path):
    out = run_ingestion(world, params, tmp_path)
    for name in TABLES:
        schemas.validate(name, out[name])
    assert [len(out[t]) for t in TABLES] == [3, 5, 2, 3, 5, 11, 4, 5, 3, 2, 2, 2, 2, 0]
    report = out["ingestion_report"]
    assert len(report) == 15
    assert report["shopify_orders"]["rows_folded"] == 1
    assert report["tiktok_posts"]["counters_corrected"] == 1
    assert all(r["rows_read"] == r["rows_kept"] + r["rows_rejected"] for r in report.values())
    assert out["ingestion_metrics"]["ga4_events.rows_read"] == {"value": 10.0,
                                                                          "step": 0}


def test_exports_with_a_header_and_no_rows(world, params, tmp_path):
    empty = {name: frame.iloc[0:0] for name, frame in world.items()}
    out = run_ingestion(empty, params, tmp_path, events=ga4_events().iloc[0:0])
    for name in TABLES:
        assert len(out[name]) == 0, name
        schemas.validate(name, out[name])
    assert all(r["rows_read"] == 0 for r in out["ingestion_report"].values())


def dirty_world(world):
    """One bad row per row-level reason the issue names (raw row numbers in comments)."""
    w = world
    # creator_roster row 4: duplicate id
    w["creator_roster"] = add_row(w["creator_roster"], ["CR1"] + [""] * 17)
    # contracts row 4: unknown creator; row 5: unknown campaign
    w["contracts"] = add_row(w["contracts"], ["CT7", "CR404", "CMP1"] + [""] * 12)
    w["contracts"] = add_row(w["contracts"], ["CT8", "CR1", "CMP404"] + [""] * 12)
    # content_tracker row 6: published outside its campaign (X2 posted after CMP2 ended)
    w["content_tracker"] = add_row(w["content_tracker"],
                                   ["P6", "CT3", "CR3", "CMP2", "x", "X2", "", "", ""])
    w["x_posts"] = add_row(w["x_posts"], ["X2", "cydee", "2024-05-03 10:00 +0000", "late", "photo",
                                          "2024-05-03", "5", "0", "0", "0", "0", "0", "0", "1"])
    # instagram_posts row 3: unparseable date, row 4: negative count
    ig = w["instagram_posts"]
    w["instagram_posts"] = add_row(add_row(ig, [*ig.iloc[1, :5], "n/a", *ig.iloc[1, 6:]]),
                                   [*ig.iloc[1, :6], "-1", *ig.iloc[1, 7:]])
    # shopify_orders row 5: unsupported currency
    w["shopify_orders"] = add_row(w["shopify_orders"], [
        "#1009", "eve@example.com", "paid", "JPY", "900", "1000", "", "0",
        "2024-03-22 12:00:00 -0400", "Kit", "Eve Q", "9 Elm St", "555-7777", "", "5009"])
    return w


def test_row_level_problems_go_to_rejected_rows_and_the_run_goes_on(world, params, tmp_path):
    events = ga4_events()
    bad = events.iloc[[1]].copy()
    bad["event_date"] = "2024-03-09"  # not YYYYMMDD
    events = pd.concat([events, bad], ignore_index=True)
    out = run_ingestion(dirty_world(world), params, tmp_path, events=events)
    rejected = out["rejected_rows"].sort_values(["source", "row_number"])
    got = rejected[["source", "row_number", "column", "reason"]].values.tolist()
    assert got == [
        ["content_tracker", 6, "published_at", "published outside campaign dates"],
        ["contracts", 4, "creator_id", "unknown creator"],
        ["contracts", 5, "campaign_id", "unknown campaign"],
        ["creator_roster", 4, "creator_id", "duplicate id"],
        ["ga4_events", 11, "event_date", "unparseable date"],
        ["instagram_posts", 3, "Date", "unparseable date"],
        ["instagram_posts", 4, "Views", "negative count"],
        ["shopify_orders", 5, "Currency", "unsupported currency"],
        ["x_posts", 3, "Tweet id", "unknown post"],
    ]
    assert list(out["rejected_rows"].columns) == ["source", "file", "row_number", "column",
                                                  "value", "reason"]
    report = out["ingestion_report"]
    for source, entry in report.items():
        assert entry["rows_read"] == entry["rows_kept"] + entry["rows_rejected"], source
        n_listed = (rejected["source"] == source).sum()
        assert n_listed == entry["rows_rejected"], source
    assert report["contracts"] == {"file": "contracts.csv", "rows_read": 5, "rows_kept": 3,
                                   "rows_rejected": 2,
                                   "rejected_by_reason": {"unknown campaign": 1,
                                                          "unknown creator": 1}}
    assert len(out["orders"]) == 3 and len(out["sessions"]) == 4


def test_no_pii_in_any_output(world, params, tmp_path):
    w = dirty_world(world)
    out = run_ingestion(w, params, tmp_path)
    pii = ["ann@example.com", "bob@example.com", "carl@example.com", "eve@example.com",
           "ann buyer", "bob roe", "eve q", "1 main st", "9 elm st", "555-1234", "555-7777",
           "carl", "moe", "fan_one", "fan_two", SALT]
    for name in TABLES:
        text = out[name].astype(str).to_string().lower()
        for value in pii:
            assert value not in text, (name, value)


def test_the_run_fails_if_a_node_loses_a_row(world, params, tmp_path, monkeypatch):
    real = commerce.build_orders

    def lossy(raw, salt, cfg):
        orders, audit = real(raw, salt, cfg)
        audit.rows_kept -= 1  # as if an order had been dropped without a rejection
        return orders.iloc[1:], audit

    monkeypatch.setattr(commerce, "build_orders", lossy)
    with pytest.raises(RowAccountingError, match="shopify_orders.csv"):
        run_ingestion(world, params, tmp_path)
