"""The `ingestion` conf is validated once; a malformed entry names its conf key."""

import pytest

from roi_ml.ingest.config import SOURCE_SPECS, IngestionConfig
from roi_ml.ingest.errors import IngestionConfigError, RawInputError


def problems(params) -> str:
    with pytest.raises(IngestionConfigError) as exc:
        IngestionConfig.from_params(params)
    assert isinstance(exc.value, RawInputError)
    return str(exc.value)


def test_project_conf_is_valid_and_covers_every_source(cfg):
    assert set(cfg.sources) == set(SOURCE_SPECS)
    assert cfg.fx_to_usd == {"USD": 1.0, "EUR": 1.08, "GBP": 1.27, "CAD": 0.73}
    assert [t for t, _ in cfg.creator_tiers] == ["nano", "micro", "mid", "macro", "mega"]
    assert cfg.source("tiktok_posts").cumulative
    assert cfg.source("shopify_orders").required[:2] == ("order_id", "email")


def test_required_adds_the_columns_the_code_needs(params):
    params["sources"]["campaigns"]["required"] = []
    cfg = IngestionConfig.from_params(params)
    assert cfg.source("campaigns").required == ("campaign_id", "start_date", "end_date")


def test_unknown_canonical_column_cannot_be_mapped(params):
    params["sources"]["shopify_orders"]["columns"]["creatd_at"] = "Created at"
    msg = problems(params)
    assert "ingestion.sources.shopify_orders.columns.creatd_at cannot be mapped" in msg
    assert "conf/base/parameters_ingestion.yml" in msg


def test_missing_map_of_a_needed_column(params):
    del params["sources"]["shopify_orders"]["columns"]["created_at"]
    assert "ingestion.sources.shopify_orders.columns.created_at is missing" in problems(params)


@pytest.mark.parametrize("mutate, key", [
    (lambda p: p["sources"]["contracts"].__setitem__("timezone", "America/New_Yrok"),
     "ingestion.sources.contracts.timezone"),
    (lambda p: p["sources"]["contracts"]["formats"].__setitem__("signed_date", "YYYY-MM-DD"),
     "ingestion.sources.contracts.formats.signed_date"),
    (lambda p: p["sources"]["campaigns"]["formats"].pop("start_date"),
     "ingestion.sources.campaigns.formats.start_date"),
    (lambda p: p["sources"].__setitem__("comments", ["Network"]), "ingestion.sources.comments"),
    (lambda p: p["sources"]["comments"].__setitem__("columns", "Network"),
     "ingestion.sources.comments.columns"),
    (lambda p: p["sources"].pop("mentions_daily"), "ingestion.sources.mentions_daily"),
    (lambda p: p["sources"]["tiktok_posts"].__setitem__("cumulative", "yes"),
     "ingestion.sources.tiktok_posts.cumulative"),
    (lambda p: p["sources"]["x_posts"].__setitem__("platform", "twitter"),
     "ingestion.sources.x_posts.platform"),
    (lambda p: p["sources"]["x_posts"]["post_types"].__setitem__("video", "reel"),
     "ingestion.sources.x_posts.post_types.video"),
    (lambda p: p["fx_to_usd"].__setitem__("EUR", "1.08"), "ingestion.fx_to_usd.EUR"),
    (lambda p: p["creator_tiers"].__setitem__("mid", 5000), "ingestion.creator_tiers"),
    (lambda p: p.__setitem__("publish_grace_days", -1), "ingestion.publish_grace_days"),
    (lambda p: p["ga4"]["channel_grouping"].__setitem__("paid_search", "cpc"),
     "ingestion.ga4.channel_grouping.paid_search"),
    (lambda p: p["ga4"]["conversion_events"].__setitem__("purchase", "sale"),
     "ingestion.ga4.conversion_events.purchase"),
    (lambda p: p["sources"]["campaigns"].__setitem__("colums", {}),
     "ingestion.sources.campaigns.colums"),
    (lambda p: p.__setitem__("publish_grace_day", 1), "ingestion.publish_grace_day"),
    (lambda p: p["ga4"].__setitem__("max_rejected_rows", 5), "ingestion.ga4.max_rejected_rows"),
    (lambda p: p.__setitem__("campaign_dates_timezone", "EST5"),
     "ingestion.campaign_dates_timezone"),
])
def test_malformed_entry_names_its_conf_key(params, mutate, key):
    mutate(params)
    assert key in problems(params)


def test_all_problems_are_listed_at_once(params):
    params["sources"]["contracts"]["timezone"] = "Mars/Olympus"
    params["fx_to_usd"]["JPY"] = 0
    err = pytest.raises(IngestionConfigError, IngestionConfig.from_params, params).value
    assert len(err.problems) == 2
