"""GA4 events -> sessions and conversion_events with Ibis on DuckDB (hand-made 10 events)."""

import ibis
import pandas as pd
import pytest
from ingestion_world import GA4_T0, ga4_events, ga4_table

from roi_ml.ingest import ga4
from roi_ml.ingest.config import IngestionConfig


def run(cfg, events, tmp_path):
    raw = ga4_table(events, tmp_path / "ga4_events")
    kept, rejected = ga4.stage_ga4_events(raw, cfg)
    sessions = ga4.sessionise(kept, cfg.ga4).to_pandas().set_index("session_id").sort_index()
    conversions = ga4.conversion_events(kept, cfg.ga4).to_pandas()
    audit = ga4.audit_ga4(raw, kept, rejected, cfg)
    return sessions, conversions, rejected.to_pandas().sort_values("row_number"), audit


def test_sessionisation_of_ten_events(cfg, tmp_path):
    sessions, _, rejected, audit = run(cfg, ga4_events(), tmp_path)
    assert sessions.index.tolist() == ["u1-100", "u1-300", "u2-200", "u3-400"]
    a = sessions.loc["u1-100"]
    # first source of the session; medium "Influencer" is in the creator list (case-insensitive)
    assert (a["source"], a["medium"], a["campaign"], a["content"]) == (
        "instagram", "Influencer", "cmp1", "P1")
    assert a["channel"] == "creator" and a["creator_post_id"] == "P1"
    # 100 EUR at the fixed 1.08 planning rate
    assert a["purchase_revenue_usd"] == pytest.approx(108.0)
    assert (a["n_events"], a["n_page_views"], a["purchases"], a["transaction_id"]) == (
        3, 1, 1, "#1001")
    assert a["session_start"] == pd.Timestamp(GA4_T0, unit="us", tz="UTC")
    assert a["session_date"] == pd.Timestamp("2024-03-09")
    assert sessions.loc["u2-200", "channel"] == "organic_search"
    assert sessions.loc["u2-200", "sign_ups"] == 1
    c = sessions.loc["u1-300"]  # no source at all -> direct
    assert c["channel"] == "direct" and pd.isna(c["creator_post_id"]) and pd.isna(c["source"])
    assert (c["leads"], c["lead_id"], c["purchases"]) == (1, "700001", 1)
    assert c["purchase_revenue_usd"] == pytest.approx(50.0)
    assert sessions.loc["u3-400", "channel"] == "paid_search"
    assert sessions.loc["u3-400", "installs"] == 1
    assert sessions.loc["u2-200", "purchase_revenue_usd"] == 0.0
    assert rejected.empty
    assert (audit.rows_read, audit.rows_kept, audit.rows_rejected) == (10, 10, 0)


def test_conversion_events(cfg, tmp_path):
    _, conversions, _, _ = run(cfg, ga4_events(), tmp_path)
    assert conversions[["session_id", "event_name", "conversion_type"]].values.tolist() == [
        ["u1-100", "purchase", "purchase"], ["u2-200", "sign_up", "sign_up"],
        ["u1-300", "generate_lead", "lead"], ["u1-300", "purchase", "purchase"],
        ["u3-400", "first_open", "install"]]
    assert conversions["revenue_usd"].iloc[[0, 3]].tolist() == pytest.approx([108.0, 50.0])
    assert conversions["lead_id"].iloc[2] == "700001"
    assert str(conversions["event_timestamp"].dtype) == "datetime64[us, UTC]"


def test_bad_events_are_rejected_with_provenance(cfg, tmp_path):
    ev = ga4_events()
    bad = ev.iloc[[1, 1, 1, 2, 1]].copy()
    bad.iloc[0, bad.columns.get_loc("event_date")] = "2024x"
    bad.iloc[1, bad.columns.get_loc("user_pseudo_id")] = None
    bad.iloc[2, bad.columns.get_loc("event_timestamp")] = -5
    bad.iloc[3, bad.columns.get_loc("event_params__currency")] = "JPY"
    bad.iloc[4, bad.columns.get_loc("event_date")] = "20240230"
    events = pd.concat([ev, bad], ignore_index=True)
    sessions, conversions, rejected, audit = run(cfg, events, tmp_path)
    listed = rejected[["file", "row_number", "column", "value", "reason"]].astype(object)
    assert listed.where(listed.notna(), None).values.tolist() == [
        ["events_202403.parquet", 11, "event_date", "2024x", "unparseable date"],
        ["events_202403.parquet", 12, "user_pseudo_id", None, "missing value"],
        ["events_202403.parquet", 13, "event_timestamp", "-5", "invalid timestamp"],
        ["events_202403.parquet", 14, "event_params__currency", "JPY", "unsupported currency"],
        ["events_202403.parquet", 15, "event_date", "20240230", "unparseable date"]]
    assert (audit.rows_read, audit.rows_kept, audit.rows_rejected) == (15, 10, 5)
    assert audit.rejected_by_reason == {"invalid timestamp": 1, "missing value": 1,
                                        "unparseable date": 2, "unsupported currency": 1}
    assert sessions["n_events"].sum() == 10 and len(conversions) == 5


def test_rejected_listing_is_capped_but_all_are_counted(params, tmp_path):
    params["ga4"]["max_rejected_rows_listed"] = 2
    cfg = IngestionConfig.from_params(params)
    ev = ga4_events()
    ev["user_pseudo_id"] = None
    raw = ga4_table(ev, tmp_path / "ga4_events")
    kept, rejected = ga4.stage_ga4_events(raw, cfg)
    audit = ga4.audit_ga4(raw, kept, rejected, cfg)
    assert audit.rows_rejected == 10 and audit.extra == {"rejected_rows_listed": 2}
    listed = ga4.limit_rejects(rejected, 2).to_pandas()
    assert listed["row_number"].tolist() == [1, 2]


def test_calendar_of_valid_event_dates():
    import datetime as dt
    days = ga4.calendar("%Y%m%d", dt.date(2024, 2, 27), dt.date(2024, 3, 1))
    assert days == ["20240227", "20240228", "20240229", "20240301"]
    assert ga4.calendar("%Y-%m-%d", dt.date(2023, 2, 28), dt.date(2023, 3, 1)) == [
        "2023-02-28", "2023-03-01"]


def test_channel_grouping(cfg):
    t = ibis.memtable({"m": ["influencer", "Creator", "organic", "CPC", "ppc", "(none)", "email",
                             "paid_social", "referral", "display", None, ""]})
    out = t.select(c=ga4.channel_of(t.m, cfg.ga4)).to_pandas()["c"].tolist()
    assert out == ["creator", "creator", "organic_search", "paid_search", "paid_search",
                   "direct", "email", "paid_social", "referral", "other", "direct", "direct"]


def test_cart_and_checkout_events_are_counted_per_session(cfg, tmp_path):
    ev = ga4_events()
    extra = ev.iloc[[1, 1, 1]].copy()  # three more events in session A (u1, 100)
    extra["event_name"] = ["add_to_cart", "add_to_cart", "begin_checkout"]
    extra["event_timestamp"] = GA4_T0 + pd.Series([10, 20, 30]).to_numpy() * 1_000_000
    sessions, _, _, _ = run(cfg, pd.concat([ev, extra], ignore_index=True), tmp_path)
    assert (sessions.loc["u1-100", "add_to_carts"], sessions.loc["u1-100", "checkouts"]) == (2, 1)
    assert (sessions.loc["u2-200", "add_to_carts"], sessions.loc["u2-200", "checkouts"]) == (0, 0)
