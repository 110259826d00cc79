"""The observed series: total conversions and revenue, breakdowns, creator spend (hand cases)."""

import numpy as np
import pandas as pd
import pytest

from roi_ml.forecasting import series as fs

D1, D2 = pd.Timestamp("2026-06-01"), pd.Timestamp("2026-06-02")


def _orders():
    return pd.DataFrame({
        "created_at": pd.to_datetime(["2026-06-01 10:00", "2026-06-01 23:30", "2026-06-02 08:00",
                                      "2026-06-02 09:00"]).tz_localize("UTC"),
        "total_usd": [100.0, 50.0, 80.0, 20.0],
        "financial_status": pd.array(["paid", "refunded", "paid", "paid"], dtype="str")})


def _events():
    # GA4 sees 2 of the 4 orders -> coverage 0.5; one sign-up on day 1, one install on day 2
    return pd.DataFrame({
        "event_timestamp": pd.to_datetime(["2026-06-01 10:00", "2026-06-02 08:00",
                                           "2026-06-01 12:00", "2026-06-02 12:00"]).tz_localize("UTC"),
        "conversion_type": pd.array(["purchase", "purchase", "sign_up", "install"], dtype="str")})


def test_total_outcomes_by_hand():
    leads = pd.DataFrame({"created_at": pd.to_datetime(["2026-06-02 15:00"]).tz_localize("UTC")})
    out = fs.total_outcomes(_orders(), leads, _events(), D1, D2)
    # day 1: 2 orders (refunded counts as a conversion) + 0 leads + 1 sign-up / 0.5 = 4
    # day 2: 2 orders + 1 lead + 1 install / 0.5 = 5
    np.testing.assert_allclose(out["conversions"], [4.0, 5.0])
    # revenue net of refunds: day 1 100 (the refunded 50 left out), day 2 80 + 20
    np.testing.assert_allclose(out["revenue"], [100.0, 100.0])
    assert fs.ga4_coverage(_orders(), _events()) == pytest.approx(0.5)


def test_days_without_orders_are_zero_not_missing():
    leads = pd.DataFrame({"created_at": pd.Series([], dtype="datetime64[ns, UTC]")})
    out = fs.total_outcomes(_orders(), leads, _events(), D1, D1 + pd.Timedelta(days=2))
    assert len(out) == 3 and out["conversions"].iloc[2] == 0 and out["revenue"].iloc[2] == 0


def test_empty_orders_name_the_file():
    with pytest.raises(ValueError, match="orders.parquet"):
        fs.window_bounds(pd.DataFrame({"created_at": pd.Series([], dtype="datetime64[ns]")}))


def test_select_attribution_falls_back():
    credit = pd.DataFrame({"model": ["time_decay"], "campaign_id": ["C1"],
                           "attributed_conversions": [3.0], "attributed_revenue": [30.0]})
    rows, used = fs.select_attribution(credit, "data_driven", "time_decay")
    assert used == "time_decay" and len(rows) == 1
    assert fs.select_attribution(credit, "time_decay", "x")[1] == "time_decay"
    assert fs.select_attribution(credit, "nope", "neither")[1] == "none"


def test_breakdown_rescaled_to_the_attribution_credit():
    # journeys j1 (day 1, 1 conversion, $10) and j2 (day 2, 1 conversion, $30), both last
    # touched by post P1 of campaign C1 on tiktok; the model credits C1 with 4 conversions and
    # $80 -> daily shape [1, 1] x 4/2 = [2, 2], revenue [10, 30] x 80/40 = [20, 60]
    journeys = pd.DataFrame({"journey_id": ["j1", "j2", "j3"], "converted": [True, True, False],
                             "conversion_time": pd.to_datetime(["2026-06-01 10:00", "2026-06-02 10:00",
                                                                "2026-06-02 11:00"]).tz_localize("UTC"),
                             "conversions": [1.0, 1.0, 0.0], "revenue_usd": [10.0, 30.0, 0.0]})
    touches = pd.DataFrame({"journey_id": ["j1", "j1", "j2", "j3"], "position": [0, 1, 0, 0],
                            "post_id": [None, "P1", "P1", "P1"]})
    posts = pd.DataFrame({"post_id": ["P1"], "campaign_id": ["C1"], "platform": ["tiktok"]})
    touched = fs.touched_outcomes(journeys, touches, posts, D1, D2)
    credit = pd.DataFrame({"campaign_id": ["C1"], "attributed_conversions": [4.0],
                           "attributed_revenue": [80.0]})
    out = fs.breakdown_outcomes(touched, credit, pd.DataFrame(), D1, D2)
    c1 = out[out["series"] == "campaign:C1"]
    np.testing.assert_allclose(c1["conversions"], [2.0, 2.0])
    np.testing.assert_allclose(c1["revenue"], [20.0, 60.0])
    # no platform credit: the platform series keeps the touched counts
    np.testing.assert_allclose(out[out["series"] == "platform:tiktok"]["conversions"], [1.0, 1.0])


def _plan():
    campaigns = pd.DataFrame({
        "campaign_id": ["C1", "C2"], "start_date": pd.to_datetime(["2026-05-01", "2026-06-05"]),
        "end_date": pd.to_datetime(["2026-06-04", "2026-06-06"]),
        "planned_budget_usd": [460.0, 200.0], "planned_daily_spend_usd": [30.0, 100.0]})
    contracts = pd.DataFrame({
        "contract_id": ["K1"], "campaign_id": ["C1"], "creator_id": ["A"], "fee_usd": [300.0],
        "product_cost_usd": [60.0], "management_overhead_usd": [0.0],
        "deliverables_committed": pd.array([3], dtype="Int64"),
        "deliverables_delivered": pd.array([2], dtype="Int64")})
    posts = pd.DataFrame({
        "post_id": ["P1", "P2"], "contract_id": ["K1", "K1"], "campaign_id": ["C1", "C1"],
        "platform": ["tiktok", "youtube"],
        "published_at": pd.to_datetime(["2026-06-01 10:00", "2026-06-02 10:00"]).tz_localize("UTC"),
        "due_date": pd.to_datetime(["2026-06-01", "2026-06-02"])})
    return campaigns, contracts, posts


def test_daily_spend_history_and_plan_by_hand():
    campaigns, contracts, posts = _plan()
    out = fs.daily_spend(posts, contracts, campaigns, D2, horizon_days=4)
    hist = out[~out["is_planned"]]
    # each post: fee 300 / 3 committed = 100 + product 60 / 2 posts = 30 -> 130 on its day
    assert hist["spend_usd"].tolist() == [130.0, 130.0]
    fut = out[out["is_planned"]]
    # K1 has 1 deliverable left (100) spread over C1's days left, Jun 3-4: 50 a day, split by
    # K1's platform mix (half tiktok, half youtube) -> 25 each. C1's budget not contracted:
    # 460 - K1's 300 + 60 = 100 (no campaign had ended: no contracted-share factor; no overhead),
    # over Jun 3-4: 50 a day, split by all posts' mix -> 25 each. C2 has no contract: its
    # budget 200 pro rata over its 2 days, 100 a day on Jun 5-6 (half, half)
    per_day = fut.groupby("date")["spend_usd"].sum()
    assert per_day.to_dict() == {pd.Timestamp("2026-06-03"): 100.0, pd.Timestamp("2026-06-04"): 100.0,
                                 pd.Timestamp("2026-06-05"): 100.0, pd.Timestamp("2026-06-06"): 100.0}
    days = pd.date_range(D1, periods=6, freq="D")
    np.testing.assert_allclose(fs.spend_for_series(out, "campaign:C1", days), [130, 130, 100, 100, 0, 0])
    np.testing.assert_allclose(fs.spend_for_series(out, "platform:tiktok", days), [130, 0, 50, 50, 50, 50])


def test_spend_as_planned_on_an_earlier_day():
    # on Jun 1 the brand has K1 signed and P1 posted (P2 not yet): history Jun 1 = 130 (fee 100
    # + product 60 / 2 posts... P2 is not posted yet, so product 60 / 1 post = 60 -> 160), and
    # 2 deliverables left x 100 + C1's uncontracted 460 - 360 = 100 spread over C1's days
    # Jun 2-4 (300 / 3 a day)
    campaigns, contracts, posts = _plan()
    contracts["signed_date"] = pd.to_datetime(["2026-05-20"])
    out = fs.spend_as_planned_on(posts, contracts, campaigns, D1, horizon_days=3)
    per_day = out.groupby("date")["spend_usd"].sum()
    assert per_day[D1] == pytest.approx(160.0)
    assert per_day[D2] == pytest.approx(300 / 3)
    assert out.loc[out["date"] > D1, "is_planned"].all()
    # a contract signed after the day is not known yet: C1 then has no contract -> its whole
    # budget pro rata over its 35 days (1 May - 4 June): 460 / 35 a day
    contracts["signed_date"] = pd.to_datetime(["2026-06-15"])
    out = fs.spend_as_planned_on(posts.iloc[:0], contracts, campaigns, D1, horizon_days=3)
    assert out.groupby("date")["spend_usd"].sum().get(D2) == pytest.approx(460 / 35)


def test_a_signed_contract_not_launched_is_planned_on_its_launch_date():
    # C2 (5–12 June) gets K2, signed, not launched, planned launch 6 June: 4 deliverables at
    # fee 400 / 4 = 100, product 50. As of 2 June (horizon to 12 June) the plan puts the first
    # deliverable and the product on 6 June (150), the other three (300) over 8–12 June (60 a
    # day); C2's budget (200) is all contracted (K2 costs 450), so nothing more. K1 (C1,
    # posting) keeps the even spread: 1 deliverable left (100) over 3–4 June, plus C1's
    # uncontracted 100 (test above) → 100 a day.
    campaigns, contracts, posts = _plan()
    campaigns["end_date"] = pd.to_datetime(["2026-06-04", "2026-06-12"])
    k2 = pd.DataFrame({"contract_id": ["K2"], "campaign_id": ["C2"], "creator_id": ["B"],
                       "fee_usd": [400.0], "product_cost_usd": [50.0],
                       "management_overhead_usd": [0.0],
                       "deliverables_committed": pd.array([4], dtype="Int64"),
                       "deliverables_delivered": pd.array([0], dtype="Int64")})
    contracts = pd.concat([contracts, k2], ignore_index=True)
    contracts["planned_launch_date"] = pd.to_datetime(["2026-05-30", "2026-06-06"])
    out = fs.daily_spend(posts, contracts, campaigns, D2, horizon_days=10)
    days = pd.date_range("2026-06-03", "2026-06-12", freq="D")
    np.testing.assert_allclose(fs.spend_for_series(out, "campaign:C2", days),
                               [0, 0, 0, 150, 0, 60, 60, 60, 60, 60])
    np.testing.assert_allclose(fs.spend_for_series(out, "campaign:C1", days),
                               [100, 100, 0, 0, 0, 0, 0, 0, 0, 0])
    # a launch already due but not published (planned 1 June) is planned for the next day, 3 June;
    # C2 starts 5 June, so 5 June: 150, then 7–12 June: 50 a day
    contracts["planned_launch_date"] = pd.to_datetime(["2026-05-30", "2026-06-01"])
    out = fs.daily_spend(posts, contracts, campaigns, D2, horizon_days=10)
    np.testing.assert_allclose(fs.spend_for_series(out, "campaign:C2", days),
                               [0, 0, 150, 0, 50, 50, 50, 50, 50, 50])
    # with the later deliverables from the day after the launch (conf
    # forecasting.plan.later_deliverables_after_days: 1): 150 on 5 June, 300 over 6–12 June
    out = fs.daily_spend(posts, contracts, campaigns, D2, horizon_days=10,
                         later_deliverables_after_days=1)
    np.testing.assert_allclose(fs.spend_for_series(out, "campaign:C2", days),
                               [0, 0, 150] + [300 / 7] * 7)
    # without a launch date the contract is spread evenly: 450 over 5–12 June
    contracts["planned_launch_date"] = pd.NaT
    out = fs.daily_spend(posts, contracts, campaigns, D2, horizon_days=10)
    np.testing.assert_allclose(fs.spend_for_series(out, "campaign:C2", days),
                               [0, 0] + [450 / 8] * 8)


def test_campaign_spend_profile_by_hand():
    # two ended campaigns, in 2 parts of their run: A (1–10 May) spent 300 on 2 May and 100 on
    # 9 May -> [0.75, 0.25]; B (1–4 June) spent 50 on 1 June and 50 on 4 June -> [0.5, 0.5];
    # a post after B's end counts in its last part; C has not ended (as of 5 June): left out
    post_costs = pd.DataFrame({
        "campaign_id": ["A", "A", "B", "B", "C"],
        "date": pd.to_datetime(["2026-05-02", "2026-05-09", "2026-06-01", "2026-06-07", "2026-06-04"]),
        "spend_usd": [300.0, 100.0, 50.0, 50.0, 999.0]})
    campaigns = pd.DataFrame({"campaign_id": ["A", "B", "C"],
                              "start_date": pd.to_datetime(["2026-05-01", "2026-06-01", "2026-06-01"]),
                              "end_date": pd.to_datetime(["2026-05-10", "2026-06-04", "2026-06-30"])})
    prof = fs.campaign_spend_profile(post_costs, campaigns, pd.Timestamp("2026-06-05"), 2)
    np.testing.assert_allclose(prof, [0.625, 0.375])
    assert fs.campaign_spend_profile(post_costs, campaigns, pd.Timestamp("2026-06-05"), 0) is None
    assert fs.campaign_spend_profile(post_costs, campaigns, pd.Timestamp("2026-05-05"), 2) is None
    # a 4-day campaign: parts of 2 days each, 0.625 / 2 and 0.375 / 2 a day; without a profile
    # evenly
    dens = fs._campaign_density(pd.Timestamp("2026-07-01"), pd.Timestamp("2026-07-04"), prof)
    np.testing.assert_allclose(dens.to_numpy(), [0.3125, 0.3125, 0.1875, 0.1875])
    even = fs._campaign_density(pd.Timestamp("2026-07-01"), pd.Timestamp("2026-07-04"), None)
    np.testing.assert_allclose(even.to_numpy(), [0.25] * 4)


def test_uncontracted_budget_follows_the_ended_campaigns_spend_profile():
    # as of 2 June C1 (1 May – 4 June) has not ended: no profile yet, so the even spread of the
    # test above. Make C0 an ended campaign (1–10 April, budget 130) that spent its 130 on its
    # first day: profile in 2 parts [1, 0]. C2 (5–6 June, no contract, budget 200, factor
    # C0's 1.0) then gets its whole budget on its first day; C1 (K1 signed, 100 not contracted)
    # over its remaining days 3–4 June, both in C1's second part, which the profile gives
    # nothing: evenly over them, 50 a day
    campaigns, contracts, posts = _plan()
    campaigns = pd.concat([pd.DataFrame({"campaign_id": ["C0"],
                                         "start_date": pd.to_datetime(["2026-04-01"]),
                                         "end_date": pd.to_datetime(["2026-04-10"]),
                                         "planned_budget_usd": [130.0],
                                         "planned_daily_spend_usd": [13.0]}), campaigns],
                          ignore_index=True)
    k0 = pd.DataFrame({"contract_id": ["K0"], "campaign_id": ["C0"], "creator_id": ["Z"],
                       "fee_usd": [100.0], "product_cost_usd": [30.0],
                       "management_overhead_usd": [0.0],
                       "deliverables_committed": pd.array([1], dtype="Int64"),
                       "deliverables_delivered": pd.array([1], dtype="Int64")})
    p0 = pd.DataFrame({"post_id": ["P0"], "contract_id": ["K0"], "campaign_id": ["C0"],
                       "platform": ["tiktok"],
                       "published_at": pd.to_datetime(["2026-04-01 10:00"]).tz_localize("UTC"),
                       "due_date": pd.to_datetime(["2026-04-01"])})
    contracts = pd.concat([k0, contracts], ignore_index=True)
    posts = pd.concat([p0, posts], ignore_index=True)
    days = pd.date_range("2026-06-03", "2026-06-06", freq="D")
    out = fs.daily_spend(posts, contracts, campaigns, D2, horizon_days=4, uncontracted_profile_bins=2)
    np.testing.assert_allclose(fs.spend_for_series(out, "campaign:C2", days), [0, 0, 200, 0])
    # C1: K1's last deliverable 100 over 3–4 June + the uncontracted 460 − 360 = 100 (factor 1)
    np.testing.assert_allclose(fs.spend_for_series(out, "campaign:C1", days), [100, 100, 0, 0])
    # bins 0: the even spread, C2 100 a day (the default is the shipped 10 parts)
    out = fs.daily_spend(posts, contracts, campaigns, D2, horizon_days=4, uncontracted_profile_bins=0)
    np.testing.assert_allclose(fs.spend_for_series(out, "campaign:C2", days), [0, 0, 100, 100])
    out = fs.daily_spend(posts, contracts, campaigns, D2, horizon_days=4)
    np.testing.assert_allclose(fs.spend_for_series(out, "campaign:C2", days), [0, 0, 200, 0])
    # the days left get nothing from the profile and no contract is signed: rather than lose the
    # budget (its later posts count as planned), evenly over the campaign's days. C2 moved to
    # 30 May – 6 June (8 days, budget 200, no contract): profile [1, 0] gives its second half,
    # 3–6 June, nothing -> 200 / 8 = 25 a day
    campaigns.loc[campaigns["campaign_id"] == "C2", "start_date"] = pd.Timestamp("2026-05-30")
    out = fs.daily_spend(posts, contracts, campaigns, D2, horizon_days=4, uncontracted_profile_bins=2)
    np.testing.assert_allclose(fs.spend_for_series(out, "campaign:C2", days), [25.0] * 4)


def test_day_parts_split_days_that_straddle_parts():
    # 3 days, 2 parts: day 1 covers [1/3, 2/3), half in each part
    np.testing.assert_allclose(fs._day_parts(3, 2), [[1, 0], [0.5, 0.5], [0, 1]])
    # 2 days, 4 parts: each day covers two parts, half of its stretch in each
    np.testing.assert_allclose(fs._day_parts(2, 4), [[0.5, 0.5, 0, 0], [0, 0, 0.5, 0.5]])


def test_a_campaign_shorter_than_the_profile_keeps_every_part():
    # a 2-day campaign under a 4-part profile [0.5, 0.3, 0.1, 0.1]: day 1 gets parts 1-2
    # (0.8), day 2 parts 3-4 (0.2); a 2-day ended campaign that spent 30 on day 1 and 10 on
    # day 2 has the profile [0.375, 0.375, 0.125, 0.125]
    dens = fs._campaign_density(pd.Timestamp("2026-07-01"), pd.Timestamp("2026-07-02"),
                                np.array([0.5, 0.3, 0.1, 0.1]))
    np.testing.assert_allclose(dens.to_numpy(), [0.8, 0.2])
    post_costs = pd.DataFrame({"campaign_id": ["A", "A"], "spend_usd": [30.0, 10.0],
                               "date": pd.to_datetime(["2026-05-01", "2026-05-02"])})
    campaigns = pd.DataFrame({"campaign_id": ["A"], "start_date": pd.to_datetime(["2026-05-01"]),
                              "end_date": pd.to_datetime(["2026-05-02"])})
    np.testing.assert_allclose(fs.campaign_spend_profile(post_costs, campaigns,
                                                         pd.Timestamp("2026-06-01"), 4),
                               [0.375, 0.375, 0.125, 0.125])


def test_uncontracted_budget_by_hand():
    # as of Jun 10: X (ended May 31, budget 1,000) contracted 800 in the end → factor 0.8.
    # Y (budget 2,000) has 1,000 contracted: 0.8 × 2,000 − 1,000 = 600 open. Z (no budget
    # column value, 50 a day over 10 days = 500) has none: 0.8 × 500 = 400. W's contracts
    # (900) exceed 0.8 × 1,000: 0, not negative. Contract cost = fee + product + overhead;
    # the open budget is creator spend at the contracts' share of it: (550 + 200 + 960 + 900)
    # ÷ 2,700 = 2,610 / 2,700 (overhead 50 + 40 buys no reach).
    campaigns = pd.DataFrame({
        "campaign_id": ["X", "Y", "Z", "W"],
        "start_date": pd.to_datetime(["2026-05-01", "2026-06-01", "2026-06-20", "2026-06-01"]),
        "end_date": pd.to_datetime(["2026-05-31", "2026-06-30", "2026-06-29", "2026-06-30"]),
        "planned_budget_usd": [1000.0, 2000.0, None, 1000.0],
        "planned_daily_spend_usd": [None, None, 50.0, None]})
    contracts = pd.DataFrame({"campaign_id": ["X", "X", "Y", "W"],
                              "fee_usd": [500.0, 200.0, 900.0, 900.0],
                              "product_cost_usd": [50.0, 0.0, 60.0, 0.0],
                              "management_overhead_usd": [50.0, None, 40.0, 0.0]})
    out = fs.uncontracted_budget(contracts, campaigns, pd.Timestamp("2026-06-10"))
    s = 2610 / 2700
    assert out.to_dict() == pytest.approx({"X": 0.0, "Y": 600.0 * s, "Z": 400.0 * s, "W": 0.0})
    # no campaign ended yet (or no as_of): factor 1
    out = fs.uncontracted_budget(contracts, campaigns, pd.Timestamp("2026-05-15"))
    assert out.to_dict() == pytest.approx({"X": 200.0 * s, "Y": 1000.0 * s, "Z": 500.0 * s,
                                           "W": 100.0 * s})


def test_the_budget_not_contracted_yet_weighs_its_campaigns_weight():
    # as test_daily_spend_history_and_plan_by_hand: C1's open budget 100 over Jun 3-4, K1's 100
    # left, C2's budget 200 (no contract). Campaign weight C1 0.5 alone: 100·0.5 + 100 + 200 =
    # 350; contract weight K1 2 alone: 100 + 100·2 + 200 = 500 (each weight lands on its own
    # rows); both: 100·0.5 + 100·2 + 200 = 450. spend_usd is unchanged (400)
    campaigns, contracts, posts = _plan()

    def effective(**weights):
        out = fs.daily_spend(posts, contracts, campaigns, D2, horizon_days=4, **weights)
        fut = out[out["is_planned"]]
        assert fut["spend_usd"].sum() == pytest.approx(400.0)
        return fut["effective_spend_usd"].sum()

    assert effective(campaign_weights=pd.Series({"C1": 0.5})) == pytest.approx(350.0)
    assert effective(weights=pd.Series({"K1": 2.0})) == pytest.approx(500.0)
    assert effective(weights=pd.Series({"K1": 2.0}),
                     campaign_weights=pd.Series({"C1": 0.5})) == pytest.approx(450.0)
