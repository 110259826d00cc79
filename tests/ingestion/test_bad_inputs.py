"""Structural problems stop the run before anything is written, with one clear message.

These runs use the project's real catalog entries (files under a temp dir), so they also cover
the raw datasets and the check_raw_structure node that every other node depends on.
"""

import pytest
from ingestion_world import file_catalog, write_world, written_files
from kedro.io import DatasetError
from kedro.runner import SequentialRunner

from roi_ml.ingest.errors import RawInputError
from roi_ml.pipelines.ingestion import create_pipeline


def run_files(tmp_path, params):
    catalog = file_catalog(tmp_path / "raw", tmp_path / "out", params)
    SequentialRunner().run(create_pipeline(), catalog)


def raw_input_error(exc: BaseException) -> RawInputError:
    """The RawInputError raised, directly or as the cause of the catalog's DatasetError."""
    while exc is not None and not isinstance(exc, RawInputError):
        exc = exc.__cause__
    assert exc is not None, "expected a RawInputError"
    return exc


def test_good_files_run_and_write_every_output(world, params, tmp_path):
    write_world(world, tmp_path / "raw")
    run_files(tmp_path, params)
    names = {p.relative_to(tmp_path / "out").as_posix() for p in written_files(tmp_path / "out")}
    assert {"02_intermediate/orders.parquet", "02_intermediate/sessions.parquet",
            "02_intermediate/rejected_rows.parquet",
            "08_reporting/ingestion_report.json"} <= names


def test_missing_file(world, params, tmp_path):
    write_world(world, tmp_path / "raw")
    (tmp_path / "raw" / "crm_leads.csv").unlink()
    with pytest.raises(DatasetError) as exc:
        run_files(tmp_path, params)
    msg = str(exc.value)
    assert msg.startswith("raw_crm_leads_header: ")
    assert f"{tmp_path}/raw/crm_leads.csv: file not found" in msg
    assert "change the `filepath` of this raw_* entry in conf/base/catalog.yml" in msg
    assert isinstance(raw_input_error(exc.value), RawInputError)
    assert written_files(tmp_path / "out") == []


def test_missing_ga4_files(world, params, tmp_path):
    write_world(world, tmp_path / "raw")
    for f in (tmp_path / "raw" / "ga4_events").iterdir():
        f.unlink()
    with pytest.raises(DatasetError) as exc:
        run_files(tmp_path, params)
    assert str(exc.value).startswith("raw_ga4_events: ")
    assert "ga4_events/*.parquet: no file matches this path" in str(exc.value)
    assert written_files(tmp_path / "out") == []


def test_unreadable_csv(world, params, tmp_path):
    write_world(world, tmp_path / "raw")
    (tmp_path / "raw" / "comments.csv").write_bytes(b"PK\x03\x04\x14\x00\x08\x00\xff\xfe binary")
    with pytest.raises(DatasetError) as exc:
        run_files(tmp_path, params)
    assert "comments.csv: cannot be read as a utf-8 CSV" in str(exc.value)
    assert written_files(tmp_path / "out") == []


def test_empty_csv(world, params, tmp_path):
    write_world(world, tmp_path / "raw")
    (tmp_path / "raw" / "mentions_daily.csv").write_text("")
    with pytest.raises(DatasetError, match="mentions_daily.csv: cannot be read .* no header row"):
        run_files(tmp_path, params)
    assert written_files(tmp_path / "out") == []


def test_unreadable_parquet(world, params, tmp_path):
    write_world(world, tmp_path / "raw")
    (tmp_path / "raw" / "ga4_events" / "events_202404.parquet").write_bytes(b"not parquet")
    with pytest.raises(RawInputError) as exc:
        run_files(tmp_path, params)
    assert "cannot be read" in str(exc.value)
    assert written_files(tmp_path / "out") == []


def test_missing_required_column(world, params, tmp_path):
    world["shopify_orders"] = world["shopify_orders"].drop(columns=["Created at"])
    write_world(world, tmp_path / "raw")
    with pytest.raises(RawInputError) as exc:
        run_files(tmp_path, params)
    assert str(exc.value) == (
        "shopify_orders.csv: required column 'Created at' not found (columns present: Name, "
        "Email, Financial Status, Currency, Subtotal, Total, Discount Code, Discount Amount, "
        "Lineitem name, Billing Name, Billing Address1, Phone, Landing Site, Id). Fix the export "
        "or set ingestion.sources.shopify_orders.columns.created_at in "
        "conf/base/parameters_ingestion.yml")
    assert written_files(tmp_path / "out") == []


def test_column_that_cannot_be_mapped(world, params, tmp_path):
    write_world(world, tmp_path / "raw")
    params["sources"]["comments"]["columns"]["autor"] = "Author"
    with pytest.raises(RawInputError) as exc:
        run_files(tmp_path, params)
    assert ("ingestion.sources.comments.columns.autor cannot be mapped: 'autor' is not a "
            "canonical column of comments") in str(exc.value)
    assert written_files(tmp_path / "out") == []


def test_malformed_conf_entry(world, params, tmp_path):
    write_world(world, tmp_path / "raw")
    params["sources"]["youtube_posts"]["timezone"] = "Pacific Time"
    with pytest.raises(RawInputError) as exc:
        run_files(tmp_path, params)
    assert str(exc.value) == (
        "ingestion.sources.youtube_posts.timezone is not an IANA time zone name (e.g. "
        "America/New_York): 'Pacific Time' (in conf/base/parameters_ingestion.yml)")
    assert written_files(tmp_path / "out") == []
