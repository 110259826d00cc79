"""Header and schema checks: one message naming file, column and conf key."""

import ibis
import pytest

from roi_ml.ingest.errors import RawInputError
from roi_ml.ingest.structure import RawHeader, check_structure
from roi_ml.pipelines.ingestion.nodes import CSV_SOURCES


def headers(world):
    return {s: RawHeader.of(world[s], f"data/01_raw/{s}.csv") for s in CSV_SOURCES}


GA4 = {"ga4_events": {
    "event_date": ibis.dtype("string"), "event_timestamp": ibis.dtype("int64"),
    "event_name": ibis.dtype("string"), "user_pseudo_id": ibis.dtype("string"),
    "ga_session_id": ibis.dtype("int64")}}


def test_good_structure_returns_config_naming_the_files(params, world):
    cfg = check_structure(params, headers(world), GA4)
    assert cfg.source("shopify_orders").file == "shopify_orders.csv"


def test_missing_required_column_message(params, world):
    world["shopify_orders"] = world["shopify_orders"].drop(columns=["Created at"])
    with pytest.raises(RawInputError) as exc:
        check_structure(params, headers(world), GA4)
    msg = str(exc.value)
    assert msg.startswith("shopify_orders.csv: required column 'Created at' not found "
                          "(columns present: Name, Email, ")
    assert msg.endswith("Fix the export or set ingestion.sources.shopify_orders.columns."
                        "created_at in conf/base/parameters_ingestion.yml")
    assert len(exc.value.problems) == 1


def test_renamed_column_gets_a_hint(params, world):
    world["campaigns"] = world["campaigns"].rename(columns={"start_date": "Start Date"})
    with pytest.raises(RawInputError, match=r"Did you mean 'Start Date'\?"):
        check_structure(params, headers(world), GA4)


def test_duplicate_header_cannot_be_mapped(params, world):
    h = headers(world)
    h["mentions_daily"] = RawHeader("mentions_daily.csv", ("Date", "Date", "Brand",
                                                           "Total Mentions"))
    with pytest.raises(RawInputError) as exc:
        check_structure(params, h, GA4)
    assert ("mentions_daily.csv: column 'Date' appears 2 times, so "
            "ingestion.sources.mentions_daily.columns.date cannot be mapped") in str(exc.value)


def test_optional_column_may_be_absent(params, world, caplog):
    world["creator_roster"] = world["creator_roster"].drop(columns=["known_audience_overlap"])
    with caplog.at_level("WARNING"):
        cfg = check_structure(params, headers(world), GA4)
    assert cfg is not None  # no error: the run goes on
    assert "creator_roster.csv: optional column(s) 'known_audience_overlap'" in caplog.text


def test_ga4_missing_column_and_wrong_type(params, world):
    schema = dict(GA4["ga4_events"])
    del schema["user_pseudo_id"]
    schema["event_timestamp"] = ibis.dtype("string")
    with pytest.raises(RawInputError) as exc:
        check_structure(params, headers(world), {"ga4_events": schema})
    msg = str(exc.value)
    assert ("ga4_events/*.parquet: required column 'user_pseudo_id' not found" in msg
            and "ingestion.sources.ga4_events.columns.user_pseudo_id" in msg)
    assert ("ga4_events/*.parquet: column 'event_timestamp' has type string, expected integer"
            in msg)
