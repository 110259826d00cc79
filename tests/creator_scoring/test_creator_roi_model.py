"""Next-campaign ROI model: features as of the campaign's start (no look-ahead), the
time-ordered backtest and its baselines, intervals and drivers in words."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from roi_ml.creators import predictive

CFG = predictive.RoiModelConfig(history_lag_days=14, min_train_rows=3,
                                xgboost={"n_estimators": 20, "max_depth": 2, "random_state": 0})


def _profile():
    creators = pd.DataFrame({"creator_id": ["A", "B"], "tier": ["nano", "micro"],
                             "primary_platform": ["tiktok", "instagram"], "niche": ["beauty", "tech"],
                             "max_followers": [5000, 50000]})
    platforms = pd.DataFrame({"creator_id": ["A", "A", "B"], "platform": ["tiktok", "x", "instagram"]})
    return predictive.creator_profile(creators, platforms)


def _history(roas_a3=2.0):
    """A: three campaigns (Jan, Feb, Apr), B: one (Jan). Numbers kept round."""
    rows = [
        # creator, campaign, start, end, objective, investment, fee, conv, revenue
        ("A", "K1", "2025-01-01", "2025-01-31", "conversion", 200.0, 100.0, 2.0, 300.0),
        ("A", "K2", "2025-02-05", "2025-02-20", "awareness", 200.0, 100.0, 1.0, 100.0),
        ("A", "K3", "2025-04-01", "2025-04-30", "conversion", 200.0, 100.0, 3.0, roas_a3 * 200.0),
        ("B", "K1", "2025-01-01", "2025-01-31", "conversion", 1000.0, 800.0, 4.0, 500.0),
    ]
    h = pd.DataFrame(rows, columns=["creator_id", "campaign_id", "campaign_start", "campaign_end",
                                    "objective", "investment_usd", "fee_usd",
                                    "attributed_conversions", "attributed_revenue"])
    h["campaign_start"] = pd.to_datetime(h["campaign_start"])
    h["campaign_end"] = pd.to_datetime(h["campaign_end"])
    h["roas"] = h["attributed_revenue"] / h["investment_usd"]
    h["product_cost_usd"] = 50.0
    h["deliverables_committed"] = 2.0
    h["deliverables_delivered"] = 2.0
    h["content_quality_rating"] = [4.0, 2.0, 5.0, 3.0]
    for col, v in {"reach": 1000.0, "engagements_authentic": 50.0, "link_clicks": 10.0,
                   "likes": 40.0, "comments": 4.0, "comments_positive": 3.0,
                   "comments_labelled": 4.0, "n_posts": 2.0}.items():
        h[col] = v
    h["video_posts"] = [2.0, 0.0, 1.0, 0.0]          # posts in a video format, of 2 each
    return h


def test_target_scale_round_trip():
    # ROAS 1.9, offset 0.1 -> ln 2 = 0.6931; back: e^0.6931 - 0.1 - 1 = ROI 0.9
    y = predictive.to_target([1.9], 0.1)
    assert y[0] == pytest.approx(math.log(2.0))
    assert predictive.to_roi(y, 0.1)[0] == pytest.approx(0.9)


def test_history_uses_only_campaigns_finished_before_the_start():
    f = predictive.build_feature_table(_history(), _profile(), CFG).set_index(["creator_id", "campaign_id"])
    # A/K2 starts Feb 5; K1 ended Jan 31, known Feb 14 (+14 days) > Feb 5 -> no history yet
    assert f.loc[("A", "K2"), "n_finished"] == 0 and math.isnan(f.loc[("A", "K2"), "last_log_roas"])
    # A/K3 starts Apr 1: K1 (known Feb 14) and K2 (known Mar 6) are history
    k3 = f.loc[("A", "K3")]
    assert k3["n_finished"] == 2
    # last = K2: ROAS 0.5 -> ln(0.6); mean of ln(1.6) and ln(0.6); pooled 400/400 -> ln(1.1)
    assert k3["last_log_roas"] == pytest.approx(math.log(0.6))
    assert k3["mean_log_roas"] == pytest.approx((math.log(1.6) + math.log(0.6)) / 2)
    assert k3["pooled_log_roas"] == pytest.approx(math.log(1.1))
    # 3 conversions over 2 campaigns of 5k followers: 3 / (5 * 2) = 0.3 per 1k per campaign
    assert k3["conversions_per_1k_followers"] == pytest.approx(0.3)
    assert k3["content_quality"] == pytest.approx(3.0)            # (4 + 2) / 2
    assert k3["days_since_last_end"] == 40                          # Feb 20 -> Apr 1
    assert k3["prior_contracts"] == 2 and f.loc[("A", "K1"), "prior_contracts"] == 0
    # naive = last finished attributed ROI: 0.5 - 1
    assert k3["naive_roi"] == pytest.approx(-0.5)
    # contract terms known at signing: fee per deliverable 100 / 2 per 5k followers = $10 per 1k
    assert k3["fee_per_1k_followers"] == pytest.approx(10.0)
    assert k3["is_awareness"] == 0 and f.loc[("A", "K2"), "is_awareness"] == 1


def test_a_later_outcome_never_changes_earlier_features():
    a = predictive.build_feature_table(_history(roas_a3=2.0), _profile(), CFG)
    b = predictive.build_feature_table(_history(roas_a3=9.0), _profile(), CFG)
    cols = predictive.feature_names(_profile())
    pd.testing.assert_frame_equal(a[cols], b[cols])        # K3's outcome is nobody's feature
    assert not np.allclose(a["target"], b["target"])


def test_peer_relative_rate_uses_only_known_peers():
    f = predictive.build_feature_table(_history(), _profile(), CFG).set_index(["creator_id", "campaign_id"])
    # A/K3: A's own past click rate 20/2000 = 1 %; peers nano|tiktok known by Apr 1 are A's own
    # two campaigns (1 % each) -> ln(1) = 0
    assert f.loc[("A", "K3"), "rel_click_rate"] == pytest.approx(0.0)
    assert math.isnan(f.loc[("B", "K1"), "rel_click_rate"])   # no history, no peers


def test_backtest_baselines_and_fallback():
    table = predictive.build_feature_table(_history(), _profile(), CFG)
    bt = predictive.backtest(table, predictive.feature_names(_profile()), CFG, pd.Timestamp("2025-06-30"))
    bt = bt.set_index(["creator_id", "campaign_id"])
    # K1 rows start first: nothing known, tier average of nothing -> overall 0 (no rows)
    assert bt.loc[("A", "K1"), "predicted_by"] == "tier_average"
    # A/K3 (Apr 1): known rows A/K1, A/K2, B/K1 (3 = min_train_rows) -> a model
    k3 = bt.loc[("A", "K3")]
    assert k3["predicted_by"] == "xgboost" and k3["n_train"] == 3
    # tier average nano: pooled (300 + 100) / (200 + 200) - 1 = 0; naive = A's last ROI -0.5
    assert k3["tier_avg_roi"] == pytest.approx(0.0) and k3["naive_roi"] == pytest.approx(-0.5)
    assert k3["is_last"] and not bt.loc[("A", "K1"), "is_last"] and bt.loc[("B", "K1"), "is_last"]
    assert k3["roi"] == pytest.approx(1.0)                  # attributed ROAS 2 -> ROI 1


def test_residual_quantiles():
    bt = pd.DataFrame({"predicted_by": ["xgboost"] * 5 + ["tier_average"],
                       "target": [1.0, 2.0, 3.0, 4.0, 5.0, 100.0],
                       "predicted_log_roas": [0.0] * 6})
    # residuals 1..5 (the tier-average row is ignored); 80 % -> quantiles 0.1, 0.9 = 1.4, 4.6
    assert predictive.residual_quantiles(bt, 0.8) == (pytest.approx(1.4), pytest.approx(4.6))
    assert all(math.isnan(q) for q in predictive.residual_quantiles(bt.tail(3), 0.8))


def test_next_campaign_for_a_single_campaign_creator():
    table = predictive.build_feature_table(_history(), _profile(), CFG)
    nxt = predictive.next_campaign_rows(table, _history(), _profile(), CFG, pd.Timestamp("2025-06-30"))
    b = nxt.set_index("creator_id").loc["B"]
    # B's one campaign is history now; the hypothetical next contract repeats its terms
    assert b["next_kind"] == "hypothetical next contract" and b["n_finished"] == 1
    assert b["prior_contracts"] == 1 and b["last_log_roas"] == pytest.approx(math.log(0.6))
    assert b["log_investment"] == pytest.approx(math.log1p(1000.0))


def test_drivers_in_words():
    assert predictive.driver_text("last_log_roas", math.log(2.5), 0.3, 0.1) == \
        "last campaign's ROAS 2.40 raises the forecast"
    assert predictive.driver_text("is_awareness", 1.0, -0.2, 0.1) == \
        "campaign objective awareness lowers the forecast"
    assert predictive.driver_text("platform_tiktok", 1.0, 0.1, 0.1) == \
        "primary platform tiktok raises the forecast"
    assert "unknown" in predictive.driver_text("mean_log_roas", float("nan"), -0.1, 0.1)
    X = pd.DataFrame({"is_awareness": [1.0], "n_platforms": [2.0], "last_log_roas": [math.log(2.5)]})
    text = predictive.top_drivers(np.array([[-0.2, 0.05, 0.3]]), X, 2, 0.1)
    assert text == ["last campaign's ROAS 2.40 raises the forecast; "
                    "campaign objective awareness lowers the forecast"]


def test_config_rejects_unknown_keys():
    with pytest.raises(ValueError, match="creator_scoring.model: unknown key"):
        predictive.RoiModelConfig.from_params({"n_trees": 5})


def test_past_rates_and_contract_terms_hand_computed():
    f = predictive.build_feature_table(_history(), _profile(), CFG).set_index(["creator_id", "campaign_id"])
    k3 = f.loc[("A", "K3")]
    # A's history at K3 = K1 + K2: revenue 300 + 100 = 400 over 2 + 2 delivered deliverables
    assert k3["log_revenue_per_deliverable"] == pytest.approx(math.log(101.0))   # ln(1 + 400/4)
    # per campaign reach 1000, authentic engagements 50, clicks 10 -> over 2000 reach
    assert k3["authentic_engagement_rate"] == pytest.approx(0.05)                # 100 / 2000
    assert k3["click_rate"] == pytest.approx(0.01)                               # 20 / 2000
    assert k3["reach_per_follower"] == pytest.approx(0.1)                        # 2000 / (4 posts × 5000)
    assert k3["like_comment_ratio"] == pytest.approx(10.0)                       # 80 / 8
    assert k3["positive_comment_share"] == pytest.approx(0.75)                   # 6 / 8
    assert k3["delivery_rate"] == pytest.approx(1.0)                             # 4 / 4
    # K3's own terms: product 50 of investment 200; fee 100 over 2 deliverables
    assert k3["product_cost_share"] == pytest.approx(0.25)
    assert k3["log_fee_per_deliverable"] == pytest.approx(math.log(51.0))        # ln(1 + 50)
    assert k3["log_followers_per_dollar"] == pytest.approx(math.log(5000.0) - math.log(201.0))


def test_tier_average_ignores_gifted_rows():
    known = pd.DataFrame({"tier": ["nano", "nano", "nano", "micro"],
                          "investment_usd": [100.0, 300.0, 0.0, 200.0],
                          "roas": [3.0, 1.0, np.nan, 0.5]})
    by_tier, overall = predictive.tier_average_roi(known)
    # nano: (300 + 300) / (100 + 300) - 1 = 0.5 (the gifted row has no ROAS and no weight)
    assert by_tier["nano"] == pytest.approx(0.5) and by_tier["micro"] == pytest.approx(-0.5)
    # all: (300 + 300 + 100) / 600 - 1 = 0.1667
    assert overall == pytest.approx(700.0 / 600.0 - 1.0)


def test_training_rows_fall_back_with_a_warning_and_stop_without_outcomes(caplog):
    table = predictive.build_feature_table(_history(), _profile(), CFG)
    # by Feb 20 only A/K1 and B/K1 (known Feb 14) are known: 2 < min_train_rows 3 -> every
    # row with a target (4), with a warning
    rows = predictive.training_rows(table, pd.Timestamp("2025-02-20"), 3)
    assert len(rows) == 4 and "only 2 outcome(s) known" in caplog.text
    assert len(predictive.training_rows(table, pd.Timestamp("2025-06-30"), 3)) == 4
    with pytest.raises(predictive.CreatorScoringInputError, match="no creator × campaign has an ROI"):
        predictive.training_rows(table.assign(target=np.nan), pd.Timestamp("2025-06-30"), 3)


def test_backtest_metrics_hand_computed():
    bt = pd.DataFrame({"is_last": [True, True, True, True, False],
                       "roi": [0.1, 0.5, -0.2, 1.0, 0.0],
                       "predicted_roi": [0.0, 0.2, 0.1, 0.9, 0.0],
                       "naive_roi": [1.0, 2.0, 3.0, 4.0, 0.0],
                       "tier_avg_roi": [0.3, 0.3, 0.3, 0.3, 0.3],
                       "predicted_by": ["xgboost"] * 4 + ["tier_average"],
                       "target": [1.0, 2.0, 1.0, 1.0, 0.0],
                       "predicted_log_roas": [0.5, 2.5, 1.0, 1.0, 9.0]})
    m = predictive.backtest_metrics(bt)
    # ranks roi (2, 3, 1, 4), model (1, 3, 2, 4): Σd² = 2 -> 1 - 6·2 / (4·15) = 0.8
    assert m["last_spearman_predicted"] == pytest.approx(0.8)
    # naive ranks (1, 2, 3, 4): d = (-1, -1, 2, 0), Σd² = 6 -> 1 - 36/60 = 0.4
    assert m["last_spearman_naive"] == pytest.approx(0.4)
    assert math.isnan(m["last_spearman_tier_avg"])          # a constant has no ranking
    # MAE on the model rows only: |0.5| + |−0.5| + 0 + 0 = 1 over 4 = 0.25
    assert m["last_mae_log_roas"] == pytest.approx(0.25) and m["all_mae_log_roas"] == pytest.approx(0.25)
    assert m["last_n"] == 4 and m["all_n"] == 5
    assert math.isnan(predictive.spearman([1.0, 2.0], [2.0, 1.0]))   # fewer than 3 pairs


def test_video_share_is_the_past_format_mix():
    f = predictive.build_feature_table(_history(), _profile(), CFG).set_index(["creator_id", "campaign_id"])
    # A/K3: history K1 (2 of 2 posts video) and K2 (0 of 2) -> 2 / 4 = 0.5; K3's own is unseen
    assert f.loc[("A", "K3"), "video_share"] == pytest.approx(0.5)
    assert math.isnan(f.loc[("A", "K1"), "video_share"])               # no history yet
    # formats unknown (no video_posts column): null, not a 0 % video share
    g = predictive.build_feature_table(_history().drop(columns="video_posts"), _profile(), CFG)
    g = g.set_index(["creator_id", "campaign_id"])
    assert math.isnan(g.loc[("A", "K3"), "video_share"])


def test_conf_sets_every_model_setting():
    # every field of RoiModelConfig is a conf key (no tunable left only in code), and the conf
    # parses; the SHAP plot shows the conf's number of features
    from pathlib import Path

    import yaml
    conf = yaml.safe_load((Path(__file__).parents[2] / "conf/base/parameters_creator_scoring.yml")
                          .read_text())["creator_scoring"]["model"]
    assert set(conf) == set(predictive.RoiModelConfig.__dataclass_fields__)
    cfg = predictive.RoiModelConfig.from_params(conf)
    assert cfg.shap_plot_features == conf["shap_plot_features"] == 15
