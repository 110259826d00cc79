"""The kpis pipeline with DataCatalog + SequentialRunner on the hand-made world (world.py).

Expected figures are worked out by hand in the comments; the run itself is the session
fixture `kpi_run` (conftest.py).
"""

import numpy as np
import pandas as pd
import pytest

OUTPUTS = ["kpi_post", "kpi_creator_campaign", "kpi_creator", "kpi_campaign", "kpi_platform",
           "kpi_daily", "kpi_campaign_daily", "creator_authenticity", "account_authenticity",
           "comment_sentiment", "non_compliant_posts", "creator_attributed_orders",
           "creator_attributed_leads", "kpi_metrics"]


@pytest.fixture(scope="module")
def out(kpi_run):
    return kpi_run


def test_every_output_is_produced(out):
    assert set(OUTPUTS) <= set(out)
    for name in OUTPUTS[:-1]:
        frame = out[name]
        num = frame.select_dtypes("number")
        assert not np.isinf(num.to_numpy(dtype=float)).any(), name


def test_campaign_kpis_by_hand(out):
    c = out["kpi_campaign"].set_index("campaign_id").loc["CMP1"]
    assert c["n_posts"] == 4 and c["impressions"] == 7300  # 2,100 + 1,200 + 4,000 + 0
    assert c["engagements"] == 221                           # 94 + 65 + 62 + 0
    # reach: 1,500 + 800 + X estimated 4,000 / 1.4 (default frequency: < 20 posts report reach)
    reach = 1500 + 800 + 4000 / 1.4
    assert c["reach"] == pytest.approx(reach)
    assert c["engagement_rate_by_reach"] == pytest.approx(221 / reach)   # P4 has no reach
    assert c["engagement_rate_by_reach_status"] == "below_target"         # 4.3 % < 5 %
    assert c["click_through_rate"] == pytest.approx(80 / reach)
    assert c["conversion_rate"] == pytest.approx(4 / 10)   # 1 purchase + 2 leads + 1 sign-up / 10
    # cost: CT1 600 + 50 + 50, CT2 300, CT3 200 + 20 + 30 = 1,250
    assert c["cost_usd"] == pytest.approx(1250.0)
    # orders: #1 (Ana, code) 120, #2 (P3 link) 80, #4 (Ben's code beats P1's link) 60;
    # #5 refunded; #3 not a creator order
    assert c["orders"] == 3 and c["attributed_revenue_usd"] == pytest.approx(260.0)
    assert c["attribution_basis"] == "click_or_code"
    assert c["new_customers"] == 2                                         # #4 is returning
    assert c["roas"] == pytest.approx(260 / 1250) and c["roi"] == pytest.approx(-990 / 1250)
    assert c["cost_per_acquisition_usd"] == pytest.approx(625.0)
    assert c["aov_usd"] == pytest.approx(260 / 3)
    assert c["aov_index"] == pytest.approx((260 / 3) / 90.0)  # site: (120+80+100+60) / 4 = 90
    # CLV: no customer has bought twice → first-order mean (120 + 80) / 2 = 100
    assert c["clv_usd"] == pytest.approx(100.0) and c["clv_to_cpa"] == pytest.approx(100 / 625)
    assert c["cpm_usd"] == pytest.approx(1250 / 7300 * 1000)
    assert c["cpe_usd"] == pytest.approx(1250 / 221)
    # leads: L1 (SQL) and L2 (raw lead) came from P3's link → 1 qualified, 1 SQL of 2
    assert c["leads"] == 2 and c["cost_per_lead_usd"] == pytest.approx(1250.0)
    assert c["sales_qualified_rate"] == pytest.approx(0.5)
    # comments: C1 and C4 positive, C2 neutral, C3 negative; C1 and C4 answered within 24 h
    assert c["positive_comment_share"] == 0.5 and c["response_rate_24h"] == 0.5
    assert c["ftc_compliance_rate"] == 0.75                                 # P3 undisclosed
    assert c["ftc_compliance_rate_status"] == "below_target"
    # partnership: on time 2 + 0 + 1 of 4 committed; CT1 and CT3 meet every term
    assert c["campaign_delivery_rate"] == 0.75
    assert c["contract_compliance_rate"] == pytest.approx(2 / 3)
    assert c["on_time_launch_rate"] == pytest.approx(2 / 3)                 # CT2 launched late
    assert c["asset_approval_hours"] == pytest.approx(20.0)                 # (10 + 30 + 20) / 3
    assert c["content_quality_score"] == pytest.approx(4.0)
    # pacing: spent 1,250 of 20 days × $100 planned
    assert c["budget_pacing"] == pytest.approx(0.625) and c["budget_pacing_status"] == "below_target"
    # brand: mentions on 5 March (Aurora 30 of 100; 6 of 20 from creator content)
    assert c["share_of_voice"] == pytest.approx(0.3) and c["share_of_conversation"] == pytest.approx(0.3)
    # survey: aware 100/500 = 20 % → 100/400 = 25 %: +25 %; favorable 40 % → 45 %: +12.5 %
    assert c["brand_recall_lift"] == pytest.approx(0.25) and c["brand_recall_lift_status"] == "on_target"
    assert c["brand_sentiment_shift"] == pytest.approx(0.125)
    assert c["brand_sentiment_shift_status"] == "below_target"
    # audience: 30,100 followers at the first observation, 30,124 at the last
    assert c["audience_growth_rate"] == pytest.approx(24 / 30100)
    # deduplicated reach: Ana 1,500 + 800 − 800 shared × 0.3 × 0.4 = 2,204; Ben 2,857.14;
    # across creators in 1,000,000: 1e6 × (1 − (1 − 0.002204)(1 − 0.00285714))
    expected = 1e6 * (1 - (1 - 0.002204) * (1 - 4000 / 1.4 / 1e6))
    assert c["reach_deduplicated"] == pytest.approx(expected, rel=1e-6)
    assert c["reach_deduplicated_low"] <= c["reach_deduplicated"] <= c["reach_deduplicated_high"]
    assert c["frequency"] == pytest.approx(7300 / expected)
    assert c["emv_usd"] > 0 and isinstance(c["emv_rate_card_version"], str)
    # EMV, default rate card (no YouTube post): likes 190 × 0.30 + comments 14 × 0.50 +
    # shares 12 × 0.50 + saves 5 × 0.40 + clicks 80 × 1.00 + 7,300 impressions × 0.05 / 1,000
    assert c["emv_usd"] == pytest.approx(57 + 7 + 6 + 2 + 80 + 0.365)


def test_campaign_with_no_posts(out):
    c = out["kpi_campaign"].set_index("campaign_id").loc["CMP2"]
    assert c["n_posts"] == 0 and c["cost_usd"] == 0 and c["reach_deduplicated"] == 0
    assert pd.isna(c["engagement_rate_by_reach"]) and c["engagement_rate_by_reach_status"] == "no_data"
    # planned: $500 over 32 days × 22 days elapsed (10–31 March); nothing spent
    assert c["planned_spend_to_date_usd"] == pytest.approx(500 / 32 * 22)
    assert c["budget_pacing"] == 0.0 and c["campaign_state"] == "running"
    assert c["campaign_delivery_rate_status"] == "in_progress"
    assert c["on_time_launch_rate"] == 0.0                   # CT4 was due 15 March, not launched
    assert c["share_of_voice"] == pytest.approx(0.2)         # 25 March: 2 of 10
    # no survey rows at all: lifts missing with a reason, status no_data
    assert pd.isna(c["brand_recall_lift"]) and pd.isna(c["brand_sentiment_shift"])
    assert c["brand_lift_missing_reason"] == "no survey for this campaign"
    assert c["brand_recall_lift_status"] == "no_data"
    cmp1 = out["kpi_campaign"].set_index("campaign_id").loc["CMP1"]
    assert pd.isna(cmp1["brand_lift_missing_reason"])           # both waves present


def test_post_level_bad_inputs(out):
    p = out["kpi_post"].set_index("post_id")
    # zero reach: engagement rate missing with a reason, never inf
    assert pd.isna(p.loc["P4", "engagement_rate_by_reach"])
    assert p.loc["P4", "engagement_rate_null_reason"] == "zero_reach"
    # X: reach estimated from impressions, flagged, reported reach stays missing
    assert p.loc["P3", "engagement_rate_basis"] == "estimated_reach"
    assert pd.isna(p.loc["P3", "reach_reported"])
    assert p.loc["P3", "engagement_rate_by_reach"] == pytest.approx(62 / (4000 / 1.4))
    assert p.loc["P3", "engagement_rate_platform_status"] == "below_target"  # 2.2 % < X's 3 %
    # P2's second TikTok day was corrected by ingestion: counted, nothing negative
    assert p.loc["P2", "counter_corrected_days"] == 1
    # a creator missing on a platform (CR3 on Instagram): followers come from the export
    assert p.loc["P4", "followers_at_publish"] == 3100
    assert p.loc["P1", "engagement_rate_by_reach"] == pytest.approx(94 / 1500)


def test_levels_add_up(out):
    for m in ("cost_usd", "engagements", "impressions", "emv_usd"):
        total = out["kpi_post"][m].sum()
        for level in ("kpi_creator_campaign", "kpi_campaign", "kpi_platform", "kpi_daily",
                      "kpi_creator"):
            assert out[level][m].sum() == pytest.approx(total), (m, level)
    cc = out["kpi_creator_campaign"].set_index(["creator_id", "campaign_id"])
    assert cc.loc[("CR2", "CMP1"), "attributed_revenue_usd"] == pytest.approx(140.0)  # 80 + 60
    assert cc.loc[("CR1", "CMP2"), "n_posts"] == 0
    assert cc.loc[("CR1", "CMP2"), "reach_deduplicated"] == 0  # no posts, nobody reached


def test_compliance_sentiment_and_attribution_outputs(out):
    assert out["non_compliant_posts"]["post_id"].tolist() == ["P3"]
    s = out["comment_sentiment"].set_index("comment_id")
    assert s["sentiment_label"].tolist() == ["positive", "neutral", "negative", "positive"]
    assert s["replied_within_24h"].tolist() == [True, False, False, True]
    o = out["creator_attributed_orders"].set_index("order_id")
    assert o.loc["#4", "creator_id"] == "CR2" and o.loc["#4", "touch"] == "code"
    a = out["creator_authenticity"]
    assert set(a["creator_id"]) == {"CR1", "CR2", "CR3"}
    assert {"authenticity_score", "is_flagged", "reasons"} <= set(a.columns)


def test_daily_series(out):
    d = out["kpi_daily"].set_index("date")
    assert d.index.min() == pd.Timestamp("2026-03-02")  # P1 and CT1 launch: the first day with data
    assert d.loc["2026-03-05", "share_of_voice"] == pytest.approx(0.3)
    assert (d["impressions"] >= 0).all()
    cd = out["kpi_campaign_daily"]
    assert set(cd["campaign_id"]) == {"CMP1"}
    day = cd.set_index(["campaign_id", "date"]).loc[("CMP1", pd.Timestamp("2026-03-02"))]
    # P1's first day: 70 engagements and 20 clicks of 1,000 reached; C1 positive, C2 neutral
    assert day["engagement_rate_by_reach"] == pytest.approx(0.07)
    assert day["engagement_rate_by_reach_status"] == "on_target"
    assert day["click_through_rate_status"] == "on_target"            # 2 %: bound inclusive
    assert day["positive_comment_share"] == 0.5
    assert day["positive_comment_share_status"] == "below_target"


def test_authenticity_signals_do_not_reuse_kpi_names(out):
    """Signal columns are log-scale, format-adjusted: named signal_*, never like a KPI."""
    acc = out["account_authenticity"]
    assert {"signal_log_er_by_reach", "signal_log_er_by_followers",
            "signal_log_reach_by_followers"} <= set(acc.columns)
    kpi_names = {"engagement_rate_by_reach", "engagement_rate_by_followers", "reach_by_followers"}
    for frame in ("account_authenticity", "creator_authenticity"):
        cols = set(out[frame].columns)
        assert not {c for c in cols if c in kpi_names or c.removeprefix("z_") in kpi_names
                    or c.removeprefix("norm_") in kpi_names}, frame


def test_campaign_not_started_is_not_judged(kpi_params):
    """A campaign on the calendar that starts after the export (the simulator's programme goes
    on past export day) has nothing to judge: its volume targets and pacing are
    not_applicable, not below_target, while an ended campaign is still judged."""
    from kpi_world import make_world, run_kpis, validate_world

    w = make_world()
    extra = w["campaigns"].iloc[[0]].assign(
        campaign_id="CMP3", campaign_name="May", start_date=pd.Timestamp("2026-05-01"),
        end_date=pd.Timestamp("2026-05-30"), planned_budget_usd=9_000_000.0)
    w["campaigns"] = pd.concat([w["campaigns"], extra], ignore_index=True).astype(
        w["campaigns"].dtypes.to_dict())
    validate_world(w)
    kpi_params["major_campaign_min_budget_usd"] = 1_000
    k = run_kpis(w, kpi_params)["kpi_campaign"].set_index("campaign_id")
    c = k.loc["CMP3"]
    assert c["campaign_state"] == "planned" and c["n_posts"] == 0 and c["reach_deduplicated"] == 0
    for col in ("impressions_status", "reach_deduplicated_status", "budget_pacing_status"):
        assert c[col] == "not_applicable", col
    # CMP1 (ended, $2,000 ≥ the $1,000 major bar): 7,300 impressions against 5,000,000
    assert k.loc["CMP1", "impressions_status"] == "below_target"
