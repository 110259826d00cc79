"""View-through credit (roi_ml.attribution.view_through): hand-computed cases, recovery of known
ratios in a noise-free world, determinism and bad inputs."""

import logging

import numpy as np
import pandas as pd
import pytest

from roi_ml.attribution.view_through import (
    OUTPUT_COLUMNS,
    ViewThroughConfig,
    adstock,
    authentic_share,
    estimate_view_through,
    holiday_windows,
    uncredited_touched,
    unit_table,
    view_through_inputs,
)

DAY0 = pd.Timestamp("2025-01-01")


def _days(n):
    return pd.date_range(DAY0, periods=n, freq="D")


def _exposure(rows):
    """rows: (day index, creator, platform, tier, impressions, touched)."""
    return pd.DataFrame([{"date": DAY0 + pd.Timedelta(days=d), "creator_id": c, "platform": p,
                          "tier": t, "authentic_impressions": float(i), "touched_conversions": float(tc),
                          "touched_revenue": 0.0} for d, c, p, t, i, tc in rows])


# ---------------------------------------------------------------------------- formulas by hand

def test_adstock_by_hand():
    # λ = 0.5: out[t] = 0.5 · (x[t] + 0.5 x[t−1] + 0.25 x[t−2]) → 10 on day 0 gives 5, 2.5, 1.25;
    # a second 4 on day 2 adds 0.5 · 4 = 2 → 3.25
    out = adstock(np.array([10.0, 0.0, 4.0]), 0.5)
    np.testing.assert_allclose(out, [5.0, 2.5, 3.25])
    # columns are independent; λ = 0 leaves the series unchanged
    two = adstock(np.array([[1.0, 2.0], [3.0, 0.0]]), 0.0)
    np.testing.assert_allclose(two, [[1.0, 2.0], [3.0, 0.0]])


def test_authentic_share_by_hand():
    a = pd.DataFrame({"creator_id": ["A", "B", "C"], "authenticity_score": [80.0, 100.0, None]})
    # weight 1: 1 − (1 − 0.8) = 0.8; weight 0.5: 1 − 0.5 · 0.2 = 0.9; no score → 1
    np.testing.assert_allclose(authentic_share(a, 1.0).to_numpy(), [0.8, 1.0, 1.0])
    np.testing.assert_allclose(authentic_share(a, 0.5).to_numpy(), [0.9, 1.0, 1.0])


def test_holiday_windows_2025():
    # Thanksgiving 2025 is Thursday 27 November: Black Friday 28 Nov … Cyber Monday 1 Dec
    days = pd.date_range("2025-11-20", "2025-12-05", freq="D")
    h = holiday_windows(days)
    on = set(h.index[h["bfcm"] > 0].strftime("%m-%d"))
    assert on == {"11-28", "11-29", "11-30", "12-01"}
    # Christmas run-up starts on 1 December
    assert h.loc["2025-12-01", "christmas"] == 1 and h.loc["2025-11-30", "christmas"] == 0


def test_unit_timing_profile_by_hand():
    # one unit, 4 touched conversions on day 0, no impressions, touch λ = 0.5 over 3 days:
    # adstocked touches 2, 1, 0.5 (sum 3.5); visible credit 7 → X = 7 · [2, 1, 0.5] / 3.5 = [4, 2, 1]
    exp = _exposure([(0, "A", "tiktok", "nano", 0, 4)])
    credit = pd.DataFrame({"creator_id": ["A"], "platform": ["tiktok"], "attributed_conversions": [7.0],
                           "attributed_revenue": [0.0]})
    cfg = ViewThroughConfig(touch_adstock_decay=0.5)
    units, X = unit_table(exp, credit, _days(3), cfg)
    np.testing.assert_allclose(X[:, 0], [4.0, 2.0, 1.0])
    assert units["expected_visible"].iloc[0] == pytest.approx(7.0)


def test_creator_without_clicks_gets_group_rate_by_hand():
    # two nano tiktok creators, 1,000 authentic impressions each on day 0 (λ = 0): A has 10
    # visible conversions, B none. prior_impressions_share 1 → n₀ = 1 × median 1,000.
    # platform rate 10 / 2,000 = 0.005; group rate (10 + 1,000 · 0.005) / (2,000 + 1,000) = 0.005;
    # A: (10 + 1,000 · 0.005) / (1,000 + 1,000) · 1,000 = 7.5;  B: (0 + 5) / 2,000 · 1,000 = 2.5
    exp = _exposure([(0, "A", "tiktok", "nano", 1000, 0), (0, "B", "tiktok", "nano", 1000, 0)])
    credit = pd.DataFrame({"creator_id": ["A"], "platform": ["tiktok"], "attributed_conversions": [10.0],
                           "attributed_revenue": [0.0]})
    cfg = ViewThroughConfig(adstock_decay=0.0, prior_impressions_share=1.0)
    units, _ = unit_table(exp, credit, _days(2), cfg)
    ev = units.set_index("creator_id")["expected_visible"]
    assert ev["A"] == pytest.approx(7.5)
    assert ev["B"] == pytest.approx(2.5)


def test_uncredited_touched_by_hand():
    # creator A: 4 touched conversions on day 1 and 6 on day 3 (10), visible credit 4 → 60 % of
    # its touched conversions were baseline buyers: 2.4 and 3.6 go back to the touchless series
    exp = _exposure([(1, "A", "x", "nano", 0, 4), (3, "A", "x", "nano", 0, 6)])
    credit = pd.DataFrame({"creator_id": ["A"], "platform": ["x"], "attributed_conversions": [4.0],
                           "attributed_revenue": [0.0]})
    np.testing.assert_allclose(uncredited_touched(exp, credit, _days(4)), [0.0, 2.4, 0.0, 3.6])


# ---------------------------------------------------------------------------- the model

def _two_creator_world(n_days=120, noise=None):
    """A (tiktok) and B (instagram); every touched conversion credited; touchless conversions
    = 40 + 1.5 · A's touches + 0.5 · B's touches of the same day."""
    d = np.arange(n_days)
    t_a = np.where(d % 10 == 0, 6.0, 0.0)      # 12 days × 6 = 72 visible conversions
    t_b = np.where(d % 9 == 4, 4.0, 0.0)       # days 4, 13, …, 112: 13 days × 4 = 52
    rows = [(i, "A", "tiktok", "micro", 500.0, t_a[i]) for i in d if t_a[i] > 0]
    rows += [(i, "B", "instagram", "micro", 500.0, t_b[i]) for i in d if t_b[i] > 0]
    y = 40.0 + 1.5 * t_a + 0.5 * t_b
    if noise is not None:
        y = y + noise
    daily = pd.DataFrame({"date": _days(n_days), "touchless_conversions": y,
                          "touchless_revenue": y * 100.0})
    credit = pd.DataFrame({"creator_id": ["A", "B"], "platform": ["tiktok", "instagram"],
                           "attributed_conversions": [t_a.sum(), t_b.sum()],
                           "attributed_revenue": [t_a.sum() * 50.0, t_b.sum() * 80.0]})
    creators = pd.DataFrame({"creator_id": ["A", "B", "C"]})
    return daily, _exposure(rows), creators, credit, t_a.sum(), t_b.sum()


EXACT = {"touch_adstock_decay": 0.0, "impression_timing_weight": 0.0, "prior_impressions_share": 0.0,
         "platform_prior_sd": 100.0, "group_prior_sd": 1e-6, "creator_prior_sd": 1e-6,
         "aov_prior_conversions": 0.0}


def test_known_ratios_recovered_without_noise():
    daily, exp, creators, credit, sa, sb = _two_creator_world()
    assert (sa, sb) == (72.0, 52.0)
    out = estimate_view_through(daily, exp, creators, credit, EXACT).set_index("creator_id")
    assert list(out.reset_index().columns) == OUTPUT_COLUMNS
    # view-through = ratio × visible: A 1.5 × 72 = 108, B 0.5 × 52 = 26, C (no exposure) 0
    assert out.loc["A", "view_through_conversions"] == pytest.approx(108.0, rel=1e-4)
    assert out.loc["B", "view_through_conversions"] == pytest.approx(26.0, rel=1e-4)
    assert out.loc["C", "view_through_conversions"] == 0.0
    # revenue at the creator's visible revenue per conversion: 108 × 50, 26 × 80
    assert out.loc["A", "view_through_revenue"] == pytest.approx(5400.0, rel=1e-4)
    assert out.loc["B", "view_through_revenue"] == pytest.approx(2080.0, rel=1e-4)
    # the interval holds the estimate
    assert (out["view_through_ci_low"] <= out["view_through_conversions"] + 1e-9).all()
    assert (out["view_through_ci_high"] >= out["view_through_conversions"] - 1e-9).all()


def test_noisy_world_interval_covers_truth_and_is_deterministic():
    rng = np.random.default_rng(7)
    daily, exp, creators, credit, sa, sb = _two_creator_world(n_days=240, noise=rng.normal(0, 2.0, 240))
    a = estimate_view_through(daily, exp, creators, credit, EXACT)
    b = estimate_view_through(daily, exp, creators, credit, EXACT)
    pd.testing.assert_frame_equal(a, b)
    a = a.set_index("creator_id")
    true_a = 1.5 * sa
    assert a.loc["A", "view_through_ci_low"] < true_a < a.loc["A", "view_through_ci_high"]
    assert a.loc["A", "view_through_ci_high"] > a.loc["A", "view_through_ci_low"]


def test_pooling_pulls_a_creator_toward_its_platform():
    # with a tight creator prior, two tiktok creators with different true ratios get nearly
    # the same ratio; with a loose one they keep their own
    d = np.arange(200)
    t_a = np.where(d % 10 == 0, 6.0, 0.0)
    t_b = np.where(d % 11 == 3, 6.0, 0.0)
    rows = [(i, "A", "tiktok", "micro", 500.0, t_a[i]) for i in d if t_a[i] > 0]
    rows += [(i, "B", "tiktok", "micro", 500.0, t_b[i]) for i in d if t_b[i] > 0]
    y = 40.0 + 2.0 * t_a + 0.5 * t_b + np.random.default_rng(3).normal(0, 1.0, 200)
    daily = pd.DataFrame({"date": _days(200), "touchless_conversions": y, "touchless_revenue": y})
    credit = pd.DataFrame({"creator_id": ["A", "B"], "platform": ["tiktok", "tiktok"],
                           "attributed_conversions": [t_a.sum(), t_b.sum()], "attributed_revenue": [0.0, 0.0]})
    creators = pd.DataFrame({"creator_id": ["A", "B"]})

    def ratios(sd):
        out = estimate_view_through(daily, _exposure(rows), creators, credit,
                                    {**EXACT, "creator_prior_sd": sd}).set_index("creator_id")
        return (out.loc["A", "view_through_conversions"] / t_a.sum(),
                out.loc["B", "view_through_conversions"] / t_b.sum())

    ra, rb = ratios(1e-4)
    assert abs(ra - rb) < 0.01
    ra, rb = ratios(10.0)
    assert ra == pytest.approx(2.0, abs=0.15) and rb == pytest.approx(0.5, abs=0.15)


# ---------------------------------------------------------------------------- bad inputs

def test_no_impressions_gives_zero_credit(caplog):
    daily, _, creators, credit, _, _ = _two_creator_world()
    empty = _exposure([]).reindex(columns=["date", "creator_id", "platform", "tier", "authentic_impressions"])
    with caplog.at_level(logging.WARNING):
        out = estimate_view_through(daily, empty, creators, credit, {})
    assert len(out) == 3 and (out[OUTPUT_COLUMNS[1:]] == 0).all().all()
    assert "no creator has authentic impressions" in caplog.text


def test_creator_with_no_clicks_gets_a_finite_estimate():
    daily, exp, creators, credit, _, _ = _two_creator_world()
    # C has impressions every 5th day but no visible credit: it takes its group's rate
    extra = _exposure([(i, "C", "tiktok", "micro", 800.0, 0) for i in range(0, 120, 5)])
    out = estimate_view_through(daily, pd.concat([exp, extra]), creators, credit,
                                {"prior_impressions_share": 0.5}).set_index("creator_id")
    assert np.isfinite(out.loc["C"].to_numpy(dtype=float)).all()
    assert out.loc["C", "view_through_conversions"] >= 0
    assert out.loc["C", "view_through_ci_high"] > 0


def test_single_day_gives_zero_credit_with_a_message(caplog):
    daily, exp, creators, credit, _, _ = _two_creator_world()
    with caplog.at_level(logging.WARNING):
        out = estimate_view_through(daily.iloc[:1], exp, creators, credit, {})
    assert (out["view_through_conversions"] == 0).all()
    assert "min_days" in caplog.text


def test_missing_column_and_unknown_setting_stop_with_a_clear_message():
    daily, exp, creators, credit, _, _ = _two_creator_world()
    with pytest.raises(ValueError, match="touchless_conversions"):
        estimate_view_through(daily.drop(columns="touchless_conversions"), exp, creators, credit, {})
    with pytest.raises(ValueError, match="attributed_conversions"):
        estimate_view_through(daily, exp, creators, credit.drop(columns="attributed_conversions"), {})
    with pytest.raises(ValueError, match="adstock_decays"):
        estimate_view_through(daily, exp, creators, credit, {"adstock_decays": [0.5]})


# ---------------------------------------------------------------------------- inputs

def test_inputs_by_hand():
    t = pd.Timestamp("2025-03-01 10:00", tz="UTC")
    journeys = pd.DataFrame({
        "journey_id": ["j1", "j2", "j3", "j4"], "converted": [True, True, True, False],
        "conversions": [1.0, 1.0, 2.0, 0.0], "revenue_usd": [100.0, 50.0, 30.0, 0.0],
        "conversion_time": [t, t, t + pd.Timedelta(days=1), pd.NaT]})
    touches = pd.DataFrame({"journey_id": ["j1", "j1", "j2", "j4"], "position": [0, 1, 0, 0],
                            "entity": ["P1", "code:C2", "email", "P1"]})
    entities = pd.DataFrame({"entity": ["P1", "code:C2", "email"], "kind": ["post", "creator", "channel"],
                             "creator_id": ["C1", "C2", None], "platform": ["tiktok", None, None]})
    pdm = pd.DataFrame({"post_id": ["P1", "P1"], "date": pd.to_datetime(["2025-03-01", "2025-03-02"]),
                        "impressions": [1000, 500]})
    posts = pd.DataFrame({"post_id": ["P1"], "creator_id": ["C1"], "platform": ["tiktok"]})
    creators = pd.DataFrame({"creator_id": ["C1", "C2"], "tier": ["nano", "micro"],
                             "primary_platform": ["tiktok", "instagram"]})
    auth = pd.DataFrame({"creator_id": ["C1", "C2"], "authenticity_score": [80.0, 100.0]})
    daily, exposure = view_through_inputs(journeys, touches, entities, pdm, posts, creators, auth, {})
    d = daily.set_index("date")
    # j1 has creator touches (a post and a code): not touchless; j2 (email) and j3 (none) are
    assert d.loc["2025-03-01", "touchless_conversions"] == 1.0
    assert d.loc["2025-03-02", "touchless_conversions"] == 2.0
    assert d.loc["2025-03-02", "touchless_revenue"] == 30.0
    e = exposure.set_index(["date", "creator_id", "platform"])
    # impressions × authentic share 0.8
    assert e.loc[(pd.Timestamp("2025-03-01"), "C1", "tiktok"), "authentic_impressions"] == 800.0
    assert e.loc[(pd.Timestamp("2025-03-02"), "C1", "tiktok"), "authentic_impressions"] == 400.0
    # j1's conversion split over its two creator touches; the code counts on C2's primary platform
    assert e.loc[(pd.Timestamp("2025-03-01"), "C1", "tiktok"), "touched_conversions"] == 0.5
    assert e.loc[(pd.Timestamp("2025-03-01"), "C2", "instagram"), "touched_conversions"] == 0.5
    assert e.loc[(pd.Timestamp("2025-03-01"), "C2", "instagram"), "touched_revenue"] == 50.0
    assert e.loc[(pd.Timestamp("2025-03-01"), "C2", "instagram"), "tier"] == "micro"
    # no person ids in the journeys: no first-time series
    assert "touchless_first_conversions" not in daily.columns
    # with ids: j3 is the second conversion of j2's person → the first-time series drops it
    with_ids = journeys.assign(customer_id=["K1", "K2", "K2", None], user_pseudo_id=None)
    daily2, _ = view_through_inputs(with_ids, touches, entities, pdm, posts, creators, auth, {})
    d2 = daily2.set_index("date")
    assert d2.loc["2025-03-01", "touchless_first_conversions"] == 1.0
    assert d2.loc["2025-03-02", "touchless_first_conversions"] == 0.0
    assert d2.loc["2025-03-02", "touchless_conversions"] == 2.0


def test_first_conversion_by_hand():
    t = pd.Timestamp("2025-03-01", tz="UTC")
    conv = pd.DataFrame({
        "journey_id": ["a", "b", "c", "d", "e"],
        "conversion_time": [t + pd.Timedelta(hours=h) for h in (5, 1, 3, 2, 4)],
        # a and b: the same Shopify customer (b first); c: GA4 user u1, d: same user without a
        # customer id (d first); e: nobody known → counted as a first conversion
        "customer_id": ["K1", "K1", None, None, None],
        "user_pseudo_id": ["u9", "u8", "u1", "u1", None]})
    from roi_ml.attribution.view_through import first_conversion
    assert first_conversion(conv).tolist() == [False, True, False, True, True]
    # without any id column the series is unknown (null)
    assert first_conversion(conv[["journey_id", "conversion_time"]]).isna().all()


def test_first_time_series_sets_the_pattern_and_all_the_level():
    # first-time touchless conversions = 20 + 0.75 · A's touches; all = 40 + 1.5 · A's touches
    # (half of the view-through conversions are repeat buyers): the ratio is 1.5 either way
    daily, exp, creators, credit, sa, _ = _two_creator_world()
    d = np.arange(120)
    t_a = np.where(d % 10 == 0, 6.0, 0.0)
    t_b = np.where(d % 9 == 4, 4.0, 0.0)
    daily["touchless_first_conversions"] = 20.0 + 0.75 * t_a + 0.25 * t_b
    out = estimate_view_through(daily, exp, creators, credit, EXACT).set_index("creator_id")
    assert out.loc["A", "view_through_conversions"] == pytest.approx(108.0, rel=1e-3)
    assert out.loc["B", "view_through_conversions"] == pytest.approx(26.0, rel=1e-3)
