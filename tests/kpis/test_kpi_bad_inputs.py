"""Each bad input issue 4 names, handled explicitly: zero reach, counters that go down, a
creator missing on a platform, a campaign with no posts (the last also in test_pipeline)."""

import copy

import numpy as np
import pandas as pd
import pytest
from kpi_world import make_world, run_kpis

from roi_ml.kpis.posts import build_post_totals, clean_daily_metrics
from roi_ml.pipelines.kpis import nodes


def test_counters_that_go_down_never_flow_negative(kpi_params):
    w = make_world()
    m = w["post_daily_metrics"].astype({"likes": "Int64"})
    # a day whose likes went down by 3 and slipped through as a negative increment
    m.loc[(m["post_id"] == "P1") & (m["date"] == "2026-03-03"), ["likes", "counter_corrected"]] = [-3, True]
    daily = clean_daily_metrics(m)
    assert (daily[["impressions", "likes", "comments"]].fillna(0) >= 0).all().all()
    pt = build_post_totals(w["posts"], daily, w["creators"], w["creator_platforms"],
                           kpi_params["reach"]).set_index("post_id")
    assert pt.loc["P1", "likes"] == 60                  # 60 + max(−3, 0)
    assert pt.loc["P1", "counter_corrected_days"] == 1
    assert pt.loc["P2", "counter_corrected_days"] == 1  # the TikTok day ingestion corrected


def test_zero_reach_gives_a_reason_not_inf(kpi_run):
    out = kpi_run
    p = out["kpi_post"].set_index("post_id")
    assert pd.isna(p.loc["P4", "engagement_rate_by_reach"])
    assert pd.isna(p.loc["P4", "click_through_rate"]) and pd.isna(p.loc["P4", "cpm_usd"])
    assert p.loc["P4", "engagement_rate_null_reason"] == "zero_reach"
    assert p["engagement_rate_null_reason"].drop(index="P4").isna().all()
    for name in ("kpi_post", "kpi_creator", "kpi_platform", "account_authenticity"):
        num = out[name].select_dtypes("number").to_numpy(dtype=float)
        assert not np.isinf(num).any(), name


def test_a_post_without_any_metric_rows(kpi_params):
    w = make_world()
    w["post_daily_metrics"] = w["post_daily_metrics"][w["post_daily_metrics"]["post_id"] != "P2"]
    kpi_params["as_of_date"] = "2026-03-31"
    p = run_kpis(w, kpi_params)["kpi_post"].set_index("post_id")
    assert p.loc["P2", "engagement_rate_null_reason"] == "no_metrics"
    assert p.loc["P2", "n_metric_days"] == 0 and pd.isna(p.loc["P2", "engagement_rate_by_reach"])


def test_a_creator_missing_on_a_platform(kpi_params):
    """CR3 posts on Instagram but the roster lists only YouTube; with the export's follower
    count missing as well, engagement rate by followers is missing — the run goes on."""
    w = make_world()
    m = w["post_daily_metrics"]
    m.loc[m["post_id"] == "P4", "followers"] = pd.NA
    kpi_params["as_of_date"] = "2026-03-31"
    out = run_kpis(w, kpi_params)
    p = out["kpi_post"].set_index("post_id")
    assert pd.isna(p.loc["P4", "followers_at_publish"]) or p.loc["P4", "followers_at_publish"] == 0
    assert pd.isna(p.loc["P4", "engagement_rate_by_followers"])
    cr3 = out["kpi_creator"].set_index("creator_id").loc["CR3"]
    assert cr3["n_posts"] == 1 and cr3["reach_deduplicated"] == 0
    # the campaign reach is unchanged: a zero-reach post adds nobody
    c = out["kpi_campaign"].set_index("campaign_id").loc["CMP1"]
    assert c["reach_deduplicated"] == pytest.approx(1e6 * (1 - (1 - 0.002204) * (1 - 4000 / 1.4 / 1e6)))


def test_a_campaign_with_no_posts_and_no_survey(kpi_run):
    c = kpi_run["kpi_campaign"].set_index("campaign_id").loc["CMP2"]
    assert c["n_posts"] == 0 and c["impressions"] == 0 and c["reach_deduplicated"] == 0
    for k in ("engagement_rate_by_reach", "click_through_rate", "roas", "cpm_usd"):
        assert pd.isna(c[k]), k
    assert c["roas_status"] == "not_applicable"   # ROAS target is for conversion campaigns
    assert c["engagement_rate_by_reach_status"] == "no_data"
    assert pd.isna(c["brand_recall_lift"]) and c["brand_recall_lift_status"] == "no_data"


def test_as_of_defaults_to_the_last_metrics_day(kpi_params):
    w = make_world()
    assert nodes.resolve_as_of(kpi_params, w["post_daily_metrics"], w["campaigns"]) == pd.Timestamp("2026-03-06")
    empty = w["post_daily_metrics"].iloc[:0]
    assert nodes.resolve_as_of(kpi_params, empty, w["campaigns"]) == pd.Timestamp("2026-04-10")
    p = copy.deepcopy(kpi_params)
    p["as_of_date"] = "2026-03-15"
    assert nodes.resolve_as_of(p, w["post_daily_metrics"], w["campaigns"]) == pd.Timestamp("2026-03-15")
