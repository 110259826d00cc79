"""Authentic-adjusted engagement KPIs on the hand-made world with one flagged creator.

The authenticity outputs are given by hand (the scorer itself is tested in
test_authenticity.py): CR1 is flagged, its Instagram engagement kept at 0.5 and its TikTok
engagement at 0.8; CR2 and CR3 are not flagged (factor 1). Audiences are left whole
(audience_authentic_factor 1) so reach is unchanged.

By hand (kpi_world.py): P1 (CR1, Instagram) 94 engagements, 5,000 followers at publication,
reach 1,500; P2 (CR1, TikTok) 65 engagements, 2,000 followers, reach 800; P3 (CR2, X) 62
engagements, 20,000 followers; P4 (CR3, Instagram) 0 engagements, 3,100 followers.
"""

import copy

import pandas as pd
import pytest
from kpi_world import make_world, run_kpis

FACTORS = {("CR1", "instagram"): 0.5, ("CR1", "tiktok"): 0.8, ("CR2", "x"): 1.0,
           ("CR3", "instagram"): 1.0}
ADJUSTED = {"engagements": "engagements_authentic",
            "engagement_rate_by_reach": "engagement_rate_by_reach_authentic",
            "engagement_rate_by_followers": "engagement_rate_by_followers_authentic",
            "avg_engagements_per_post": "avg_engagements_per_post_authentic",
            "cpe_usd": "cpe_authentic_usd"}


@pytest.fixture(scope="module")
def flagged_run(base_kpi_params):
    params = copy.deepcopy(base_kpi_params)
    params["as_of_date"] = "2026-03-31"
    accounts = pd.DataFrame({
        "creator_id": pd.array([c for c, _ in FACTORS], dtype="string"),
        "platform": pd.array([p for _, p in FACTORS], dtype="string"),
        "engagement_authentic_factor": list(FACTORS.values()),
        "audience_authentic_factor": [1.0] * len(FACTORS),
    })
    creators = pd.DataFrame({
        "creator_id": pd.array(["CR1", "CR2", "CR3"], dtype="string"),
        "authenticity_score": [30.0, 90.0, 95.0], "is_flagged": [True, False, False],
        "reasons": pd.array(["hand-made flag", "no signal", "no signal"], dtype="string"),
        "is_scored": [True, True, True],
    })
    return run_kpis(make_world(), params, given={"account_authenticity": accounts,
                                                  "creator_authenticity": creators})


def test_post_level_adjusted_by_the_account_factor(flagged_run):
    p = flagged_run["kpi_post"].set_index("post_id")
    assert p.loc["P1", "engagements_authentic"] == pytest.approx(47.0)        # 94 × 0.5
    assert p.loc["P1", "engagement_rate_by_followers"] == pytest.approx(94 / 5000)
    assert p.loc["P1", "engagement_rate_by_followers_authentic"] == pytest.approx(47 / 5000)
    assert p.loc["P1", "engagement_rate_by_reach_authentic"] == pytest.approx(47 / 1500)
    assert p.loc["P2", "engagement_rate_by_followers_authentic"] == pytest.approx(
        0.8 * p.loc["P2", "engagement_rate_by_followers"])
    assert p.loc["P2", "engagement_rate_by_followers_authentic"] == pytest.approx(52 / 2000)
    # P1's fee share: 600 / 2 committed + product 50 + overhead 50 on launch day = 400
    assert p.loc["P1", "cpe_usd"] == pytest.approx(400 / 94)
    assert p.loc["P1", "cpe_authentic_usd"] == pytest.approx(400 / 47)
    # unflagged: adjusted equals raw
    for raw, adjusted in ADJUSTED.items():
        assert p.loc["P3", adjusted] == pytest.approx(p.loc["P3", raw]), raw
    assert p.loc["P3", "engagement_rate_by_followers_authentic"] == pytest.approx(62 / 20000)


def test_creator_and_campaign_levels(flagged_run):
    c = flagged_run["kpi_creator"].set_index("creator_id")
    # CR1: 47 + 52 = 99 authentic of 159 engagements over 7,000 followers; cost 700 (CT1)
    assert c.loc["CR1", "engagements_authentic"] == pytest.approx(99.0)
    assert c.loc["CR1", "engagement_rate_by_followers"] == pytest.approx(159 / 7000)
    assert c.loc["CR1", "engagement_rate_by_followers_authentic"] == pytest.approx(99 / 7000)
    assert c.loc["CR1", "cpe_usd"] == pytest.approx(700 / 159)
    assert c.loc["CR1", "cpe_authentic_usd"] == pytest.approx(700 / 99)
    assert bool(c.loc["CR1", "is_flagged_inauthentic"])
    # CR2 unflagged: equal (cost 300, 62 engagements over 20,000 followers)
    assert c.loc["CR2", "engagement_rate_by_followers_authentic"] == pytest.approx(62 / 20000)
    assert c.loc["CR2", "engagement_rate_by_followers_authentic"] == pytest.approx(
        c.loc["CR2", "engagement_rate_by_followers"])
    assert c.loc["CR2", "cpe_authentic_usd"] == pytest.approx(300 / 62)
    assert c.loc["CR2", "cpe_authentic_usd"] == pytest.approx(c.loc["CR2", "cpe_usd"])

    cc = flagged_run["kpi_creator_campaign"].set_index(["creator_id", "campaign_id"])
    assert cc.loc[("CR1", "CMP1"), "engagement_rate_by_followers_authentic"] == pytest.approx(99 / 7000)
    assert cc.loc[("CR1", "CMP1"), "cpe_authentic_usd"] == pytest.approx(700 / 99)

    k = flagged_run["kpi_campaign"].set_index("campaign_id").loc["CMP1"]
    # 99 + 62 + 0 = 161 authentic of 221; followers 5,000 + 2,000 + 20,000 + 3,100 = 30,100
    assert k["engagements_authentic"] == pytest.approx(161.0)
    assert k["engagement_rate_by_followers"] == pytest.approx(221 / 30100)
    assert k["engagement_rate_by_followers_authentic"] == pytest.approx(161 / 30100)
    assert k["cpe_usd"] == pytest.approx(1250 / 221)
    assert k["cpe_authentic_usd"] == pytest.approx(1250 / 161)

    pl = flagged_run["kpi_platform"].set_index("platform")
    # Instagram: P1 (47 of 94) and P4 (0) over 5,000 + 3,100 followers
    assert pl.loc["instagram", "engagement_rate_by_followers_authentic"] == pytest.approx(47 / 8100)
    assert pl.loc["instagram", "engagement_rate_by_followers"] == pytest.approx(94 / 8100)
    assert pl.loc["x", "engagement_rate_by_followers_authentic"] == pytest.approx(62 / 20000)

    d = flagged_run["kpi_daily"].set_index("date")
    # 2 March: P1's first day, 60 + 4 + 3 + 3 = 70 engagements, 35 authentic
    assert d.loc["2026-03-02", "engagements_authentic"] == pytest.approx(35.0)
    assert d.loc["2026-03-02", "cpe_authentic_usd"] == pytest.approx(
        2 * d.loc["2026-03-02", "cpe_usd"])
    cd = flagged_run["kpi_campaign_daily"].set_index(["campaign_id", "date"])
    assert "engagement_rate_by_followers_authentic" in cd.columns


def test_every_level_reports_raw_and_adjusted(flagged_run):
    for level in ("kpi_post", "kpi_creator_campaign", "kpi_creator", "kpi_campaign",
                  "kpi_platform", "kpi_daily", "kpi_campaign_daily"):
        cols = set(flagged_run[level].columns)
        for raw, adjusted in ADJUSTED.items():
            assert {raw, adjusted} <= cols, (level, adjusted)
