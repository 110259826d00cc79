"""The catalog entries of the ingestion pipeline (conf/base/catalog.yml)."""

from ingestion_world import catalog_conf

from roi_ml.pipelines.ingestion import create_pipeline
from roi_ml.pipelines.ingestion.nodes import CSV_SOURCES

CANONICAL = ["creators", "creator_platforms", "campaigns", "contracts", "posts",
             "post_daily_metrics", "sessions", "conversion_events", "orders", "leads",
             "comments", "mentions", "surveys", "rejected_rows"]
IN_MEMORY = {"ingestion_config", "platform_export_rows", "ga4_rejected_rows", "pii_salt",
             "params:ingestion"}


def test_every_persisted_dataset_is_in_the_catalog():
    conf = catalog_conf()
    datasets = create_pipeline().datasets()
    assert {d for d in datasets if not d.startswith("audit_")} - IN_MEMORY == set(conf)


def test_raw_entries_and_their_header_twins_read_the_same_file():
    conf = catalog_conf()
    for source in CSV_SOURCES:
        raw, header = conf[f"raw_{source}"], conf[f"raw_{source}_header"]
        assert raw["filepath"] == header["filepath"] == f"data/01_raw/{source}.csv"
        assert raw["type"] == header["type"] == "roi_ml.datasets.RawCsvDataset"
        assert header["header_only"] is True and "header_only" not in raw
        assert raw["metadata"]["kedro-viz"]["layer"] == "raw"


def test_canonical_tables_and_one_shared_ibis_connection():
    conf = catalog_conf()
    for name in CANONICAL:
        assert conf[name]["filepath"] == f"data/02_intermediate/{name}.parquet"
        assert conf[name]["metadata"]["kedro-viz"]["layer"] == "intermediate"
    ibis_entries = ["raw_ga4_events", "sessions", "conversion_events", "rejected_rows"]
    connections = [conf[n]["connection"] for n in ibis_entries]
    assert all(c == connections[0] for c in connections)
    assert connections[0]["backend"] == "duckdb"
    assert {"memory_limit", "threads"} <= set(connections[0])
    assert conf["ingestion_report"]["filepath"] == "data/08_reporting/ingestion_report.json"
    assert conf["ingestion_metrics"]["type"] == (
        "kedro_mlflow.io.metrics.MlflowMetricsHistoryDataset")
