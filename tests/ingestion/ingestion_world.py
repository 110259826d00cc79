"""A small hand-made world of raw exports, and helpers to run ingestion on it (tests only).

The world (all values hand-picked so expected outputs can be checked by hand):
- creators CR1 (instagram 12,000 / tiktok 500 / facebook 800 followers -> micro),
  CR2 (youtube 2,000,000 -> mega), CR3 (x 9,999 -> nano);
- campaigns CMP1 (2024-03-01..2024-03-31) and CMP2 (2024-04-01..2024-04-30);
- contracts CT1 (CR1, CMP1), CT2 (CR2, CMP1), CT3 (CR3, CMP2);
- posts P1 instagram IG1, P2 tiktok TT1, P3 facebook FB1 (CT1), P4 youtube YT1 (CT2),
  P5 x X1 (CT3), each with daily export rows;
- 10 GA4 events in 4 sessions, 4 Shopify rows (3 orders), 2 leads, 2 comments,
  2 mention rows, 2 survey rows.
"""

from __future__ import annotations

from pathlib import Path

import ibis
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import yaml
from kedro.io import DataCatalog, MemoryDataset
from kedro.runner import SequentialRunner

from roi_ml.ingest.structure import RawHeader
from roi_ml.pipelines.ingestion import create_pipeline
from roi_ml.pipelines.ingestion.nodes import CSV_SOURCES

PROJECT = Path(__file__).resolve().parents[2]
SALT = "test-salt"


def frame(columns: list[str], rows: list[list]) -> pd.DataFrame:
    """A raw CSV as RawCsvDataset loads it: every cell text, blanks as ''."""
    return pd.DataFrame([[str(v) for v in r] for r in rows], columns=columns, dtype="string")


def url(platform: str, campaign: str, content: str) -> str:
    return (f"https://shop.example/p?utm_source={platform}&utm_medium=influencer"
            f"&utm_campaign={campaign}&utm_content={content}")


METRIC_HEADERS = {
    "instagram_posts": ["Post ID", "Account username", "Publish time", "Post type", "Description",
                        "Date", "Views", "Reach", "Plays", "Likes", "Comments", "Shares", "Saves",
                        "Link clicks", "Followers"],
    "facebook_posts": ["Post ID", "Page name", "Publish time", "Post type", "Description", "Date",
                       "Views", "Reach", "3-second video views", "Reactions", "Comments",
                       "Shares", "Link clicks", "Followers"],
    "tiktok_posts": ["Video ID", "Username", "Post time", "Video description", "Content type",
                     "Date", "Video views", "Reached audience", "Likes", "Comments", "Shares",
                     "Add to Favorites", "Link clicks", "Followers"],
    "youtube_posts": ["Content", "Channel", "Video publish time", "Video title", "Content type",
                      "Date", "Impressions", "Unique viewers", "Views", "Likes", "Comments added",
                      "Shares", "Link clicks", "Subscribers"],
    "x_posts": ["Tweet id", "Username", "time", "Tweet text", "Media type", "Date", "impressions",
                "media views", "likes", "replies", "retweets", "bookmarks", "url clicks",
                "followers"],
}

GA4_T0 = 1_710_000_000_000_000  # 2024-03-09 16:00:00 UTC, in microseconds


def ga4_events() -> pd.DataFrame:
    """10 events, 4 sessions:
    A (u1, 100): instagram / Influencer, cmp1, P1; purchase 100 EUR (#1001) -> 108 USD
    B (u2, 200): google / organic; sign_up
    C (u1, 300): no source; generate_lead 700001, purchase 50 USD (#1002)
    D (u3, 400): google / cpc; first_open
    """
    s = 1_000_000
    rows = [
        # event_date, ts, name, user, sid, source, medium, campaign, content, tx, rev, cur, lead
        ("20240309", GA4_T0, "session_start", "u1", 100, "instagram", "Influencer", "cmp1", "P1",
         None, None, None, None),
        ("20240309", GA4_T0 + 1 * s, "page_view", "u1", 100, "instagram", "Influencer", "cmp1",
         "P1", None, None, None, None),
        ("20240309", GA4_T0 + 60 * s, "purchase", "u1", 100, None, None, None, None,
         "#1001", 100.0, "EUR", None),
        ("20240309", GA4_T0 + 3600 * s, "session_start", "u2", 200, "google", "organic", None,
         None, None, None, None, None),
        ("20240309", GA4_T0 + 3605 * s, "page_view", "u2", 200, "google", "organic", None, None,
         None, None, None, None),
        ("20240309", GA4_T0 + 3610 * s, "sign_up", "u2", 200, None, None, None, None,
         None, None, None, None),
        ("20240310", GA4_T0 + 86400 * s, "session_start", "u1", 300, None, None, None, None,
         None, None, None, None),
        ("20240310", GA4_T0 + 86403 * s, "generate_lead", "u1", 300, None, None, None, None,
         None, None, None, "700001"),
        ("20240310", GA4_T0 + 86409 * s, "purchase", "u1", 300, None, None, None, None,
         "#1002", 50.0, "USD", None),
        ("20240310", GA4_T0 + 90000 * s, "first_open", "u3", 400, "google", "cpc", None, None,
         None, None, None, None),
    ]
    cols = ["event_date", "event_timestamp", "event_name", "user_pseudo_id", "ga_session_id",
            "collected_traffic_source__manual_source", "collected_traffic_source__manual_medium",
            "collected_traffic_source__manual_campaign_name",
            "collected_traffic_source__manual_content", "ecommerce__transaction_id",
            "ecommerce__purchase_revenue", "event_params__currency", "event_params__lead_id"]
    df = pd.DataFrame(rows, columns=cols)
    df["ga_session_number"] = 1
    df["page_location"] = "https://shop.example/"
    df["device__category"] = "mobile"
    df["geo__country"] = "United States"
    return df


GA4_SCHEMA = pa.schema([
    ("event_date", pa.string()), ("event_timestamp", pa.int64()), ("event_name", pa.string()),
    ("user_pseudo_id", pa.string()), ("ga_session_id", pa.int64()),
    ("ga_session_number", pa.int64()),
    ("collected_traffic_source__manual_source", pa.string()),
    ("collected_traffic_source__manual_medium", pa.string()),
    ("collected_traffic_source__manual_campaign_name", pa.string()),
    ("collected_traffic_source__manual_content", pa.string()),
    ("page_location", pa.string()), ("device__category", pa.string()),
    ("geo__country", pa.string()), ("ecommerce__transaction_id", pa.string()),
    ("ecommerce__purchase_revenue", pa.float64()), ("event_params__currency", pa.string()),
    ("event_params__lead_id", pa.string()),
])


def write_ga4(events: pd.DataFrame, directory: Path, name: str = "events_202403.parquet") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    table = pa.Table.from_pandas(events[[f.name for f in GA4_SCHEMA]], schema=GA4_SCHEMA,
                                 preserve_index=False)
    pq.write_table(table, directory / name)
    return directory / name


CONNECTIONS: list = []  # closed at the end of the test session (see conftest.py)


def ga4_table(events: pd.DataFrame, directory: Path) -> ibis.Table:
    """The events as raw_ga4_events loads them: a lazy DuckDB table with file provenance."""
    write_ga4(events, directory)
    con = ibis.duckdb.connect()
    CONNECTIONS.append(con)
    return con.read_parquet(str(directory / "*.parquet"), filename=True, file_row_number=True)


def make_world() -> dict[str, pd.DataFrame]:
    w = {}
    w["creator_roster"] = frame(
        ["creator_id", "display_name", "niche", "country", "primary_platform",
         "instagram_handle", "tiktok_handle", "youtube_channel", "x_handle", "facebook_page",
         "instagram_followers", "tiktok_followers", "youtube_followers", "x_followers",
         "facebook_followers", "known_audience_overlap", "discount_code", "onboarded_date"],
        [["CR1", "Ann Lee", "Beauty", "us", "instagram", "annlee", "annlee_tt", "", "",
          "Ann Lee Page", "12000", "500", "", "", "800", "0.3", " ann10 ", "2023-05-01"],
         ["CR2", "Bo Chan", "tech", "GB", "youtube", "", "", "BoTech", "", "", "", "", "2000000",
          "", "", "", "BO15", "2023-06-01"],
         ["CR3", "Cy Dee", "food", "DE", "x", "", "", "", "cydee", "", "", "", "", "9999", "",
          "", "", ""]])
    w["campaigns"] = frame(
        ["campaign_id", "campaign_name", "objective", "start_date", "end_date",
         "planned_budget_usd", "planned_daily_spend_usd", "target_audience_size"],
        [["CMP1", "Spring", "Conversion", "2024-03-01", "2024-03-31", "3100", "100", "1000000"],
         ["CMP2", "April", "awareness", "2024-04-01", "2024-04-30", "3000", "100", "2000000"]])
    w["contracts"] = frame(
        ["contract_id", "creator_id", "campaign_id", "fee_usd", "product_cost_usd",
         "management_overhead_usd", "deliverables_committed", "deliverables_delivered",
         "deliverables_on_time", "content_quality_rating", "asset_submitted_at",
         "asset_approved_at", "planned_launch_date", "actual_launch_date", "signed_date"],
        [["CT1", "CR1", "CMP1", "1000", "50", "100", "3", "3", "2", "4", "2024-02-20 09:30",
          "2024-02-21 10:00", "2024-03-02", "2024-03-05", "2024-02-01"],
         ["CT2", "CR2", "CMP1", "5000", "", "250", "1", "1", "1", "5", "", "", "2024-03-10",
          "2024-03-10", "2024-02-02"],
         ["CT3", "CR3", "CMP2", "300", "20", "", "1", "1", "1", "3", "", "", "2024-04-02",
          "2024-04-02", "2024-03-15"]])
    w["content_tracker"] = frame(
        ["content_id", "contract_id", "creator_id", "campaign_id", "platform",
         "platform_post_id", "format", "tracked_url", "due_date"],
        [["P1", "CT1", "CR1", "CMP1", "instagram", "IG1", "short", url("instagram", "cmp1", "P1"),
          "2024-03-05"],
         ["P2", "CT1", "CR1", "CMP1", "tiktok", "TT1", "short", url("tiktok", "cmp1", "P2"),
          "2024-03-06"],
         ["P3", "CT1", "CR1", "CMP1", "facebook", "FB1", "video", url("facebook", "cmp1", "P3"),
          "2024-03-07"],
         ["P4", "CT2", "CR2", "CMP1", "youtube", "YT1", "long_form",
          url("youtube", "cmp1", "P4"), "2024-03-10"],
         ["P5", "CT3", "CR3", "CMP2", "x", "X1", "post", url("x", "cmp2", "P5"), "2024-04-02"]])
    w["instagram_posts"] = frame(METRIC_HEADERS["instagram_posts"], [
        ["IG1", "annlee", "03/05/2024 10:00", "IG reel", "Glow #ad", "03/05/2024",
         "1000", "800", "600", "50", "5", "2", "3", "7", "12000"],
        ["IG1", "annlee", "03/05/2024 10:00", "IG reel", "Glow #ad", "03/06/2024",
         "400", "300", "200", "20", "2", "1", "1", "3", "12010"]])
    w["facebook_posts"] = frame(METRIC_HEADERS["facebook_posts"], [
        ["FB1", "Ann Lee Page", "03/07/2024 09:00", "Video", "Watch", "03/07/2024",
         "300", "250", "100", "10", "1", "1", "2", "800"],
        ["FB1", "Ann Lee Page", "03/07/2024 09:00", "Video", "Watch", "03/08/2024",
         "100", "90", "40", "4", "0", "0", "1", "801"]])
    w["tiktok_posts"] = frame(METRIC_HEADERS["tiktok_posts"], [
        ["TT1", "annlee_tt", "2024-03-06 12:00:00", "Try it", "Video", "2024-03-06",
         "100", "80", "10", "1", "0", "2", "1", "500"],
        ["TT1", "annlee_tt", "2024-03-06 12:00:00", "Try it", "Video", "2024-03-07",
         "250", "150", "25", "3", "1", "4", "2", "505"],
        ["TT1", "annlee_tt", "2024-03-06 12:00:00", "Try it", "Video", "2024-03-08",
         "240", "160", "30", "3", "1", "5", "4", "510"]])
    w["youtube_posts"] = frame(METRIC_HEADERS["youtube_posts"], [
        ["YT1", "BoTech", "2024-03-10 08:00", "Review", "Video", "2024-03-10",
         "5000", "3000", "2500", "200", "20", "10", "40", "2000000"],
        ["YT1", "BoTech", "2024-03-10 08:00", "Review", "Video", "2024-03-11",
         "2000", "1000", "900", "80", "8", "4", "15", "2000100"]])
    w["x_posts"] = frame(METRIC_HEADERS["x_posts"], [
        ["X1", "cydee", "2024-04-02 15:00 +0000", "New drop", "photo", "2024-04-02",
         "700", "0", "30", "3", "5", "2", "9", "9999"],
        ["X1", "cydee", "2024-04-02 15:00 +0000", "New drop", "photo", "2024-04-03",
         "200", "0", "10", "1", "1", "1", "2", "10001"]])
    w["shopify_orders"] = frame(
        ["Name", "Email", "Financial Status", "Currency", "Subtotal", "Total", "Discount Code",
         "Discount Amount", "Created at", "Lineitem name", "Billing Name", "Billing Address1",
         "Phone", "Landing Site", "Id"],
        [["#1001", "Ann@Example.com", "Paid", "EUR", "90", "100", "ann10", "10",
          "2024-03-09 11:01:00 -0500", "Serum", "Ann Buyer", "1 Main St", "555-1234",
          "/p?utm_source=instagram&utm_medium=influencer&utm_campaign=cmp1&utm_content=P1",
          "5001"],
         ["#1001", "", "", "", "", "", "", "", "", "Cleanser", "", "", "", "", ""],
         ["#1002", " ann@example.com ", "paid", "USD", "50", "50", "", "0",
          "2024-03-10 12:00:09 -0400", "Kit", "Ann Buyer", "1 Main St", "555-1234", "/", "5002"],
         ["#1003", "bob@example.com", "paid", "gbp", "20", "25", "", "",
          "2024-03-21 12:00:00 -0400", "Mist", "Bob Roe", "2 High St", "555-9999", "", "5003"]])
    w["crm_leads"] = frame(
        ["Record ID", "Create Date", "Lifecycle Stage", "Email", "First Name", "Last Name",
         "Phone Number", "GA Client ID"],
        [["700001", "2024-03-10 16:00", "salesqualifiedlead", "ANN@example.com", "Ann", "Lee",
          "555-1234", "u1"],
         ["700002", "2024-03-21 13:00", "lead", "carl@example.com", "Carl", "Moe", "555-0000",
          "u9"]])
    w["comments"] = frame(
        ["Network", "Post ID", "Comment ID", "Author", "Message", "Created Time", "Replied",
         "Reply Time"],
        [["Instagram", "IG1", "C1", "Fan_One", "Love it", "2024-03-05T19:00:00Z", "Yes",
          "2024-03-05T20:00:00Z"],
         ["TikTok", "TT1", "C2", "fan_two", "Price?", "2024-03-06T13:00:00+00:00", "No", ""]])
    w["mentions_daily"] = frame(
        ["Date", "Brand", "Own Brand", "Total Mentions", "Creator Content Mentions", "Positive",
         "Neutral", "Negative"],
        [["2024-03-05", "Aurora", "true", "10", "3", "5", "3", "2"],
         ["2024-03-05", "Rival", "false", "8", "1", "4", "2", "2"]])
    w["brand_lift_survey"] = frame(
        ["campaign_id", "wave", "fielded_date", "respondents", "aware", "favorable",
         "considering"],
        [["CMP1", "pre", "2024-02-25", "500", "100", "200", "50"],
         ["CMP1", "post", "2024-04-02", "500", "150", "230", "70"]])
    return w


def load_params() -> dict:
    conf = yaml.safe_load((PROJECT / "conf/base/parameters_ingestion.yml").read_text())
    return conf["ingestion"]


class KeepDataset(MemoryDataset):
    """A MemoryDataset the runner cannot release, so tests can read intermediate outputs."""

    def _release(self) -> None:
        pass


def write_world(world: dict[str, pd.DataFrame], raw_dir: Path,
                events: pd.DataFrame | None = None) -> Path:
    """Write the raw exports as files, laid out like data/01_raw."""
    raw_dir.mkdir(parents=True, exist_ok=True)
    for source in CSV_SOURCES:
        world[source].to_csv(raw_dir / f"{source}.csv", index=False)
    write_ga4(ga4_events() if events is None else events, raw_dir / "ga4_events")
    return raw_dir


def catalog_conf() -> dict:
    """The project's catalog entries of the ingestion pipeline, as Kedro loads them."""
    from kedro.config import OmegaConfigLoader

    conf = OmegaConfigLoader(str(PROJECT / "conf"), base_env="base", default_run_env="local")
    used = create_pipeline().datasets()
    return {k: v for k, v in conf["catalog"].items() if k in used}


def file_catalog(raw_dir: Path, out_dir: Path, params: dict) -> DataCatalog:
    """The project's catalog with data/01_raw -> raw_dir and outputs under out_dir."""

    def move(value):
        if isinstance(value, dict):
            return {k: move(v) for k, v in value.items()}
        if isinstance(value, str) and value.startswith("data/"):
            return value.replace("data/01_raw", str(raw_dir)).replace("data", str(out_dir), 1)
        return value

    entries = {k: move(v) for k, v in catalog_conf().items() if k != "ingestion_metrics"}
    catalog = DataCatalog.from_config(entries)
    catalog["ingestion_metrics"] = MemoryDataset()
    catalog["params:ingestion"] = params
    catalog["pii_salt"] = SALT
    return catalog


def written_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*") if p.is_file()) if directory.exists() else []


def run_ingestion(world: dict[str, pd.DataFrame], params: dict, tmp_path: Path,
                  events: pd.DataFrame | None = None) -> dict:
    """Run the ingestion pipeline on in-memory raw frames; return every output by name."""
    pipeline = create_pipeline()
    catalog = DataCatalog()
    for source in CSV_SOURCES:
        catalog[f"raw_{source}"] = world[source]
        catalog[f"raw_{source}_header"] = RawHeader.of(world[source], f"{source}.csv")
    catalog["raw_ga4_events"] = ga4_table(ga4_events() if events is None else events,
                                          tmp_path / "ga4_events")
    catalog["params:ingestion"] = params
    catalog["pii_salt"] = SALT
    for name in pipeline.all_outputs():
        catalog[name] = KeepDataset()
    SequentialRunner().run(pipeline, catalog)
    out = {name: catalog.load(name) for name in pipeline.all_outputs()}
    for name in ("sessions", "conversion_events", "rejected_rows", "ga4_rejected_rows"):
        out[name] = out[name].to_pandas()
    return out
