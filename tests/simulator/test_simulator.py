"""The simulator is the yardstick: these tests check that what the truth says is real in the data."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from roi_ml.simulator import simulate
from roi_ml.simulator.config import WorldParams
from roi_ml.simulator.curves import hill


def _digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_seed_same_bytes(tmp_path):
    a = simulate("tiny", seed=11, raw_dir=tmp_path / "a/raw", truth_dir=tmp_path / "a/truth")
    b = simulate("tiny", seed=11, raw_dir=tmp_path / "b/raw", truth_dir=tmp_path / "b/truth")
    da, db = _digest(tmp_path / "a"), _digest(tmp_path / "b")
    assert da == db
    assert a.counts == b.counts
    c = simulate("tiny", seed=12, raw_dir=tmp_path / "c/raw", truth_dir=tmp_path / "c/truth")
    assert _digest(tmp_path / "c")["raw/shopify_orders.csv"] != da["raw/shopify_orders.csv"]
    assert c.counts["ga4_events"] > 0


def test_hill_by_hand():
    # s = ec50 gives half of vmax; s = 3·ec50 with slope 2 gives 9/10 of vmax
    assert hill(100.0, 10.0, 100.0, 1.5) == pytest.approx(5.0)
    assert hill(300.0, 10.0, 100.0, 2.0) == pytest.approx(9.0)
    assert hill(0.0, 10.0, 100.0, 1.0) == 0.0


def test_contract_expectations_follow_the_documented_curve(small_world):
    """curve_expected_conversions = Hill(spend; vmax·(1+g)^(seq-1)·objective, ec50, slope)."""
    truth = small_world["truth"]
    ct = pd.read_csv(truth / "contract_truth.csv")
    cr = pd.read_csv(truth / "creator_truth.csv").set_index("creator_id")
    camp = pd.read_csv(small_world["raw"] / "campaigns.csv").set_index("campaign_id")
    ct = ct[ct["campaign_id"].isin(camp.index) & (ct["deliverables_delivered"] > 0)]
    obj = np.where(camp.loc[ct["campaign_id"], "objective"].to_numpy() == "awareness",
                   WorldParams().awareness_objective_multiplier, 1.0)
    c = cr.loc[ct["creator_id"]]
    vmax = c["hill_vmax"].to_numpy() * (1 + c["familiarity_growth"].to_numpy()) ** (ct["campaign_seq"].to_numpy() - 1) * obj
    expected = hill(ct["curve_spend_usd"].to_numpy(), vmax, c["hill_ec50_usd"].to_numpy(), c["hill_slope"].to_numpy())
    np.testing.assert_allclose(ct["curve_expected_conversions"].to_numpy(), expected, rtol=2e-3)


def test_simulated_counts_agree_with_the_curve_within_sampling_error(small_world):
    """Realised caused conversions per contract are Poisson draws around the expectation."""
    ct = pd.read_csv(small_world["truth"] / "contract_truth.csv")
    done = ct[ct["complete_in_window"] & (ct["expected_conversions"] > 0)]
    assert len(done) >= 30
    o, e = done["true_conversions"].to_numpy(), done["expected_conversions"].to_numpy()
    z_total = (o.sum() - e.sum()) / np.sqrt(e.sum())
    assert abs(z_total) < 4, z_total
    # dispersion: Pearson chi-square per degree of freedom close to 1 (Poisson)
    chi2 = ((o - e) ** 2 / e).sum() / len(done)
    assert 0.6 < chi2 < 1.6, chi2
    # and by spend tercile, so the agreement holds along the curve, not just on average
    done = done.assign(bin=pd.qcut(done["curve_spend_usd"], 3, labels=False))
    for _, g in done.groupby("bin"):
        z = (g["true_conversions"].sum() - g["expected_conversions"].sum()) / np.sqrt(g["expected_conversions"].sum())
        assert abs(z) < 4, z


def test_view_through_is_material_and_invisible(small_world):
    """≥ 25 % of creator-caused conversions have no creator click or code in their journey."""
    conv = pd.read_parquet(small_world["truth"] / "conversions_truth.parquet")
    caused = conv[(conv["cause"] == "creator") & conv["in_window"]]
    assert (~caused["creator_touch_visible"]).mean() >= 0.25
    assert caused["touch"].isin(["view_through", "cross_device"]).mean() >= 0.25
    # a view-through purchase never carries the causing creator's code in Shopify
    orders = pd.read_csv(small_world["raw"] / "shopify_orders.csv", dtype=str, keep_default_na=False)
    orders = orders[orders["Email"] != ""]
    vt = caused[(caused["touch"] == "view_through") & caused["transaction_id"].notna()]
    codes = orders.set_index("Name").loc[vt["transaction_id"], "Discount Code"]
    roster = pd.read_csv(small_world["raw"] / "creator_roster.csv").set_index("creator_id")
    own_codes = roster.loc[vt["cause_creator_id"], "discount_code"].to_numpy()
    assert not (codes.to_numpy() == own_codes).any()
    # and the truth's "not visible" agrees with the GA4 export: no session from the causing
    # creator's posts on that device in the 30 days before the conversion
    events = pd.read_parquet(small_world["raw"] / "ga4_events")
    cs = events[events["collected_traffic_source__manual_medium"].isin(["influencer", "Influencer"])]
    tracker = pd.read_csv(small_world["raw"] / "content_tracker.csv").set_index("content_id")
    cs = cs.assign(creator_id=tracker.reindex(cs["collected_traffic_source__manual_content"])["creator_id"].to_numpy(),
                   ts=pd.to_datetime(cs["event_timestamp"], unit="us", utc=True))
    hidden = caused[~caused["creator_touch_visible"]]
    m = hidden.merge(cs[["user_pseudo_id", "creator_id", "ts"]],
                     left_on=["user_pseudo_id", "cause_creator_id"], right_on=["user_pseudo_id", "creator_id"])
    m = m[(m["ts"] <= m["timestamp"]) & (m["ts"] >= m["timestamp"] - pd.Timedelta(days=30))]
    assert m.empty
    shown = caused[caused["creator_touch_visible"] & (caused["touch"] == "click")]
    m2 = shown.merge(cs[["user_pseudo_id", "creator_id", "ts"]],
                     left_on=["user_pseudo_id", "cause_creator_id"], right_on=["user_pseudo_id", "creator_id"])
    assert m2["conversion_id"].nunique() == shown["conversion_id"].nunique()


def test_deal_creators_collect_clicks_from_buyers_they_did_not_cause(small_world):
    conv = pd.read_parquet(small_world["truth"] / "conversions_truth.parquet")
    cr = pd.read_csv(small_world["truth"] / "creator_truth.csv")
    deal = set(cr.loc[cr["is_deal_creator"], "creator_id"])
    harvested = conv[(conv["cause"] == "baseline") & conv["in_window"] & conv["touch"].isin(["click", "code"])]
    assert len(harvested) > 0
    caused_by_deal = cr.loc[cr["is_deal_creator"], "true_conversions"].sum()
    assert len(harvested) > caused_by_deal  # much last-touch credit, little true effect
    assert harvested["code_creator_id"].dropna().isin(deal).all()


def test_inauthentic_creators_share_and_types(small_world):
    cr = pd.read_csv(small_world["truth"] / "creator_truth.csv")
    assert cr["is_inauthentic"].mean() == pytest.approx(0.08, abs=0.02)
    assert set(cr.loc[cr["is_inauthentic"], "inauthentic_type"]) == {
        "bought_followers", "bought_likes", "engagement_pod", "bot_comments"}
    jumps = pd.read_csv(small_world["truth"] / "follower_jumps.csv")
    bought = set(cr.loc[cr["inauthentic_type"] == "bought_followers", "creator_id"])
    assert set(jumps["creator_id"]) == bought


def test_future_is_in_the_truth_only(small_world):
    fut = pd.read_csv(small_world["truth"] / "future_daily.csv")
    assert len(fut) == 56 and (fut["conversions"] > 0).all()
    events = pd.read_parquet(small_world["raw"] / "ga4_events", columns=["event_date"])
    assert events["event_date"].max() <= fut["date"].min().replace("-", "")
    orders = pd.read_csv(small_world["raw"] / "shopify_orders.csv", dtype=str, keep_default_na=False)
    created = orders.loc[orders["Created at"].str.match(r"\d{4}-"), "Created at"].str[:10]
    assert created.max() < fut["date"].min()


def test_campaign_start_days_go_on_after_the_window():
    from roi_ml.simulator.config import SIZES
    from roi_ml.simulator.world import campaign_start_days

    # medium: cadence (729 − 27) / 24 = 29.25 days from day 7 + phase × 29.25, while a start is
    # before day 729 + 56 − 7 = 778. Phase 0: days 7, 36.25, … 679.75 (24th), 709, 738.25,
    # 767.5 → 25 in the window (≤ 729), 2 after the export
    days = campaign_start_days(SIZES["medium"], 56, phase=0.0)
    assert len(days) == 27 and days[0] == 7 and days[23] == 679
    np.testing.assert_array_equal(days[24:], [709, 738, 767])
    # phase 0.9: day 33.325 first, … 24th 706, then 735.3, 764.6 → 24 in the window, 2 after
    days = campaign_start_days(SIZES["medium"], 56, phase=0.9)
    assert days[0] == 33 and (days <= 729).sum() == 24 and list(days[24:]) == [735, 764]
    # no future days: the same cadence stops a week before the export (day 722): 24 starts
    np.testing.assert_array_equal(campaign_start_days(SIZES["medium"], 0, phase=0.9), days[:24])


def test_the_export_knows_the_plan_not_the_future(small_world):
    """The calendar lists campaigns starting within plan_ahead_days of the export; contracts
    appear once signed; nothing about them that happens after the export is in the exports."""
    end = pd.Timestamp("2026-06-30")
    camp = pd.read_csv(small_world["raw"] / "campaigns.csv", parse_dates=["start_date"])
    truth = pd.read_csv(small_world["truth"] / "contract_truth.csv", parse_dates=["campaign_start"])
    ahead = pd.Timedelta(days=WorldParams().plan_ahead_days)
    assert (camp["start_date"] > end).any() and (camp["start_date"] <= end + ahead).all()
    listed = truth[truth["campaign_start"] <= end + ahead]
    assert set(camp["campaign_id"]) == set(listed["campaign_id"])
    ct = pd.read_csv(small_world["raw"] / "contracts.csv", keep_default_na=False, dtype=str)
    assert (pd.to_datetime(ct["signed_date"]) <= end).all()
    # the truth holds contracts the export does not have yet (signed after it)
    assert len(listed) > len(ct)
    for col in ("asset_submitted_at", "asset_approved_at", "actual_launch_date"):
        t = pd.to_datetime(ct[col].replace("", None))
        assert (t.dropna() < end + pd.Timedelta(days=1)).all(), col


def test_a_contract_signed_for_a_later_campaign_has_no_content_yet(tmp_path):
    # tiny seed 6: eight contracts signed for CMP04, which starts on 16 July
    simulate("tiny", seed=6, raw_dir=tmp_path / "raw", truth_dir=tmp_path / "truth")
    ct = pd.read_csv(tmp_path / "raw" / "contracts.csv", keep_default_na=False, dtype=str)
    later = ct[ct["campaign_id"] == "CMP04"]
    assert len(later) == 8
    # ids count up in signing order: the contracts signed last have the highest ids, no gap
    signed = ct.sort_values(["signed_date", "contract_id"])
    assert signed["contract_id"].tolist() == [f"CT{i:05d}" for i in range(1, len(ct) + 1)]
    assert (later["deliverables_delivered"] == "0").all()
    for col in ("content_quality_rating", "actual_launch_date", "asset_submitted_at",
                "asset_approved_at"):
        assert (later[col] == "").all(), col
    assert (later["planned_launch_date"] > "2026-06-30").all()


def test_exports_have_their_platform_shapes(small_world):
    raw = small_world["raw"]
    expected = {
        "instagram_posts.csv": ["Post ID", "Account username", "Publish time", "Date", "Views", "Reach", "Likes", "Saves"],
        "facebook_posts.csv": ["Post ID", "Page name", "Reactions", "3-second video views"],
        "tiktok_posts.csv": ["Video ID", "Username", "Post time", "Video views", "Reached audience", "Add to Favorites"],
        "youtube_posts.csv": ["Content", "Channel", "Video publish time", "Unique viewers", "Comments added", "Subscribers"],
        "x_posts.csv": ["Tweet id", "Username", "time", "impressions", "url clicks", "retweets"],
        "shopify_orders.csv": ["Name", "Email", "Created at", "Currency", "Total", "Discount Code", "Landing Site", "Billing Name"],
        "crm_leads.csv": ["Record ID", "Create Date", "Lifecycle Stage", "Email", "GA Client ID"],
        "comments.csv": ["Network", "Post ID", "Comment ID", "Author", "Message", "Created Time", "Replied"],
        "creator_roster.csv": ["creator_id", "niche", "instagram_handle", "known_audience_overlap", "discount_code"],
        "campaigns.csv": ["campaign_id", "objective", "start_date", "end_date", "planned_budget_usd", "target_audience_size"],
        "contracts.csv": ["contract_id", "fee_usd", "deliverables_committed", "asset_submitted_at", "actual_launch_date"],
        "content_tracker.csv": ["content_id", "platform_post_id", "tracked_url"],
        "mentions_daily.csv": ["Date", "Brand", "Own Brand", "Total Mentions", "Creator Content Mentions"],
        "brand_lift_survey.csv": ["campaign_id", "wave", "respondents", "aware"],
    }
    for name, cols in expected.items():
        header = pd.read_csv(raw / name, nrows=0).columns
        assert set(cols) <= set(header), (name, set(cols) - set(header))
    assert "Reach" not in pd.read_csv(raw / "x_posts.csv", nrows=0).columns  # X reports no reach
    ig = pd.read_csv(raw / "instagram_posts.csv", dtype=str)
    assert ig["Publish time"].str.match(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}").all()
    tt = pd.read_csv(raw / "tiktok_posts.csv")
    # TikTok counters are cumulative per video
    clean = tt[pd.to_numeric(tt["Video views"], errors="coerce").notna()]
    assert (clean.groupby("Video ID")["Video views"].apply(lambda s: s.is_monotonic_increasing)).mean() > 0.95
    events = pd.read_parquet(raw / "ga4_events")
    assert events["event_timestamp"].dtype == np.int64
    assert {"session_start", "page_view", "purchase"} <= set(events["event_name"].astype(str))
    # every GA4 purchase is a Shopify order (same transaction id)
    orders = pd.read_csv(raw / "shopify_orders.csv", dtype=str, keep_default_na=False)
    tx = set(events.loc[events["event_name"] == "purchase", "ecommerce__transaction_id"].astype(str))
    assert tx <= set(orders["Name"])


def test_hostile_and_missing_disclosure_captions_exist(small_world):
    tracker = pd.read_csv(small_world["raw"] / "content_tracker.csv")
    caps = pd.concat([pd.read_csv(small_world["raw"] / f, dtype=str)[c] for f, c in (
        ("instagram_posts.csv", "Description"), ("tiktok_posts.csv", "Video description"),
        ("youtube_posts.csv", "Video title"), ("x_posts.csv", "Tweet text"), ("facebook_posts.csv", "Description"))])
    assert caps.str.match(r"^[=+\-@]").any()
    disclosed = caps.str.contains(r"#ad|#sponsored|paid partnership|\(ad\)|#advertisement", case=False)
    assert 0.85 < disclosed.mean() < 1.0
    assert len(tracker) > 50


def test_simulating_again_replaces_the_previous_world(tmp_path):
    """A smaller world written over a bigger one leaves none of the bigger one's GA4 months."""
    simulate("small", seed=1, raw_dir=tmp_path / "raw", truth_dir=tmp_path / "truth")
    simulate("tiny", seed=1, raw_dir=tmp_path / "raw", truth_dir=tmp_path / "truth")
    fresh = simulate("tiny", seed=1, raw_dir=tmp_path / "raw2", truth_dir=tmp_path / "truth2")
    assert sorted(p.name for p in (tmp_path / "raw/ga4_events").iterdir()) == \
        sorted(p.name for p in (tmp_path / "raw2/ga4_events").iterdir())
    assert fresh.counts["ga4_files"] == len(list((tmp_path / "raw/ga4_events").iterdir()))


def test_fake_engagement_leaves_its_signatures_in_the_exports(small_world):
    """What the truth calls inauthentic must be visible in what a team exports."""
    raw, truth = small_world["raw"], small_world["truth"]
    cr = pd.read_csv(truth / "creator_truth.csv").set_index("creator_id")
    tracker = pd.read_csv(raw / "content_tracker.csv")
    ig = pd.read_csv(raw / "instagram_posts.csv")
    ig = ig[pd.to_numeric(ig["Likes"], errors="coerce").notna()]
    ig = ig.merge(tracker[["platform_post_id", "creator_id"]].astype(str),
                  left_on=ig["Post ID"].astype(str), right_on="platform_post_id")
    per = ig.groupby("creator_id")[["Likes", "Comments"]].sum()
    ratio = per["Likes"] / per["Comments"].clip(lower=1)
    kind = cr["inauthentic_type"].reindex(ratio.index).fillna("")
    honest_median = ratio[kind == ""].median()
    if (kind == "bought_likes").any():  # bought likes: like:comment far above honest peers
        assert ratio[kind == "bought_likes"].min() > 2 * honest_median
    # pod and bot comments arrive within minutes of posting, as generic text
    com = pd.read_csv(raw / "comments.csv", dtype=str)
    com = com.merge(tracker[["platform_post_id", "creator_id"]].astype(str),
                    left_on="Post ID", right_on="platform_post_id")
    generic = com["Message"].isin(["Nice pic 🔥", "🔥🔥🔥", "Love it ❤️", "Amazing content!", "Great post!!",
                                   "So cool 😍", "Check my page for giveaways!", "Follow back?", "Nice 👍", "💯💯"])
    share = generic.groupby(com["creator_id"]).mean()
    kinds = cr["inauthentic_type"].reindex(share.index).fillna("")
    comment_fakes = kinds.isin(["engagement_pod", "bot_comments"])
    assert comment_fakes.any()
    assert share[comment_fakes].min() > share[kinds == ""].quantile(0.9)


def test_the_calendar_looks_plan_ahead_days_forward(tmp_path):
    # tiny seed 6 with a two-week calendar: CMP04 (16 July, 16 days after the export) is not
    # listed yet, nor its contracts, though eight are signed (the test above); the truth has it
    simulate("tiny", seed=6, raw_dir=tmp_path / "raw", truth_dir=tmp_path / "truth",
             params=WorldParams(plan_ahead_days=14))
    camp = pd.read_csv(tmp_path / "raw" / "campaigns.csv")
    ct = pd.read_csv(tmp_path / "raw" / "contracts.csv")
    truth = pd.read_csv(tmp_path / "truth" / "contract_truth.csv")
    assert "CMP04" in set(truth["campaign_id"])
    assert "CMP04" not in set(camp["campaign_id"]) and "CMP04" not in set(ct["campaign_id"])
    assert camp["start_date"].max() <= "2026-07-14"


def test_repeat_purchases_are_as_frequent_after_the_export_as_before():
    from roi_ml.simulator.traffic import repeat_purchases

    # 50 first purchases a day for 720 days; μ = 0.9 × 240 / 365.25 = 0.5914 repeats each, so a
    # flat process makes 50 × 0.5914 = 29.6 repeat purchases a day from the first day to the
    # last (the rule before tied a customer's repeats to the days left: the last weeks had a
    # quarter of that)
    rng = np.random.default_rng(0)
    horizon = 720
    t = np.sort(rng.uniform(0, horizon, 50 * horizon))
    users = np.arange(len(t))                       # 36,000 buyers among 100,000 users
    weights = np.full(100_000, 1 / 100_000)
    u, times = repeat_purchases(rng, users, t, horizon, 0.9, 240.0, weights)
    assert times.min() >= 0 and times.max() < horizon
    assert u.min() >= 0 and u.max() < 100_000
    # the customers from before the window: 50 × 240 = 12,000 expected, each with Poisson(μ)
    # repeats at Exp(240) from day 0, so P(one before the horizon) = 1 − exp(−μ (1 − e^−3));
    # none of them is a user who buys in the simulation
    mu = 0.9 * 240 / 365.25
    early = np.setdiff1d(u, users)
    assert len(early) == pytest.approx(12_000 * (1 - np.exp(-mu * (1 - np.exp(-3)))), rel=0.05)
    per_day = 50 * 0.9 * 240 / 365.25
    for lo in (0, 330, horizon - 60):   # the first two months, the middle, the last two months
        n = ((times >= lo) & (times < lo + 60)).sum() / 60
        assert n == pytest.approx(per_day, rel=0.06), lo


def test_customers_from_before_the_window_are_not_buyers_of_the_simulation():
    from roi_ml.simulator.traffic import repeat_purchases

    # users 0-9 buy in the simulation; with 200 first purchases a day the brand had about
    # 200 × 240 customers before day 0, more than the 90 other users: they are drawn from
    # those 90 (with replacement once there are too few), never from the ten buyers
    rng = np.random.default_rng(1)
    t = np.linspace(0, 99, 20_000)
    buyers = np.arange(20_000) % 10
    u, times = repeat_purchases(rng, buyers, t, 100, 0.9, 240.0, np.full(100, 0.01))
    in_sim = np.isin(u, np.arange(10))
    assert in_sim.sum() > 0 and (~in_sim).sum() > 0
    early = times[~in_sim]
    # their repeats fade from day 0 at e^(-t/240): over 100 days the mean is below 50
    assert early.mean() < 50
