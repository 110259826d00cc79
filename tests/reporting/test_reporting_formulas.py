"""Hand-computed cases for the reporting computations (roi_ml.reporting.tables / summary)."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from reporting_world import kpi_targets, make_inputs

from roi_ml.reporting import tables as tb
from roi_ml.reporting.summary import empty_ledger, key_metrics, new_alerts


def test_portfolio_kpis_are_ratios_of_sums():
    k = tb.portfolio_kpis(make_inputs()["kpi_campaign"])
    # revenue 4500 + 700 = 5200, cost 900 + 700 = 1600 -> ROAS 3.25 (not the mean 3.0 of 5 and 1)
    assert k["roas"] == pytest.approx(5200 / 1600)
    # engagements 800 / reach 12000 = 0.0667 (the mean of 0.05 and 0.15 would be 0.10)
    assert k["engagement_rate_by_reach"] == pytest.approx(800 / 12000)
    # positive comments 10 of 20 labelled
    assert k["positive_comment_share"] == pytest.approx(0.5)
    # cost 1600 / planned to date 1600 = 1.0
    assert k["budget_pacing"] == pytest.approx(1.0)
    # the one surveyed campaign: 0.2
    assert k["brand_sentiment_shift"] == pytest.approx(0.2)


def test_status_and_target_text_follow_conf_targets():
    t = kpi_targets()
    assert tb.status_of(3.25, t, "roas") == "below_target"  # roas target min 5
    assert tb.status_of(0.06, t, "engagement_rate_by_reach") == "on_target"  # 5 %-8 %
    assert tb.status_of(1.0, t, "no_such_kpi") == ""
    assert tb.target_text(t, "engagement_rate_by_reach", True) == "target 5%–8%"
    assert tb.target_text(t, "positive_comment_share", True) == "target > 70%"  # strict min
    assert tb.target_text(t, "cost_per_acquisition_usd", False) == "target < 35"


def test_select_attribution_model_falls_back_and_says_so(caplog):
    ca = make_inputs()["creator_attribution"]
    chosen = tb.select_attribution_model(ca, "data_driven", "time_decay")
    assert set(chosen["model_used"]) == {"data_driven"} and len(chosen) == 4
    without = ca[ca["model"] != "data_driven"].drop(columns=["revenue_ci_low", "revenue_ci_high"])
    fb = tb.select_attribution_model(without, "data_driven", "time_decay")
    assert set(fb["model_used"]) == {"time_decay"}
    assert fb["attributed_revenue"].tolist() == [900.0, 600.0, 200.0, 100.0]
    assert fb["revenue_ci_low"].isna().all()  # missing CI columns arrive as nulls
    assert "data_driven" in caplog.text and "time_decay" in caplog.text


def test_format_platform_cells():
    cells = tb.format_platform_cells(make_inputs()["kpi_post"]).set_index(["format", "platform"])
    # video on tiktok: P2, P4, P6, P7 -> engagements 200+150+100+100 = 550, reach 2000+3000+500+1500 = 7000
    v = cells.loc[("video", "tiktok")]
    assert v["posts"] == 4
    assert v["engagement_rate"] == pytest.approx(550 / 7000)
    # revenue 2000+500+50+50 = 2600 over 4 posts = 650
    assert v["revenue_per_post"] == pytest.approx(650.0)
    # carousel on instagram: P3, P5 -> (50+100)/(1000+1000) = 0.075; (1000+600)/2 = 800
    c = cells.loc[("carousel", "instagram")]
    assert c["engagement_rate"] == pytest.approx(0.075) and c["revenue_per_post"] == pytest.approx(800.0)


def test_campaign_history_numbers_campaigns_in_start_order():
    inp = make_inputs()
    h = tb.campaign_history(inp["kpi_creator_campaign"], inp["campaigns"])
    cr1 = h[h["creator_id"] == "CR1"].set_index("campaign_id")
    assert cr1.loc["CMP1", "campaign_seq"] == 1 and cr1.loc["CMP2", "campaign_seq"] == 2
    # CR1 in CMP2: (600 - 350) / 350
    assert cr1.loc["CMP2", "roi"] == pytest.approx(250 / 350)


def test_allocation_table_orders_by_largest_move():
    at = tb.allocation_table(make_inputs()["budget_allocation"])
    # moves: CR1 +400, CR2 +100, CR3 -200, CR4 -300 -> CR1, CR4, CR3, CR2
    assert at["creator_id"].tolist() == ["CR1", "CR4", "CR3", "CR2"]
    assert at["budget_change"].tolist() == [400.0, -300.0, -200.0, 100.0]
    # CR1 revenue 120·sqrt(800) − 120·sqrt(400) = 120·(28.284 − 20) = 994.1
    assert at.loc[0, "revenue_change"] == pytest.approx(120 * (math.sqrt(800) - 20), rel=1e-9)


def test_alerts_by_severity():
    a = tb.alerts_by_severity(make_inputs()["alerts"])
    assert a["severity"].tolist() == ["critical", "warning", "success"]


def test_key_metrics_window_is_ratio_of_sums():
    d = make_inputs()["kpi_daily"]
    as_of = pd.Timestamp("2026-03-10")
    m = key_metrics(d, ["roas", "engagement_rate_by_reach", "conversion_rate"], kpi_targets(), as_of, 2)
    m = m.set_index("metric")
    # last 2 days (i = 8, 9): revenue 260 + 280 = 540, cost 100 -> ROAS 5.4, on target (min 5)
    assert m.loc["roas", "value_last_2_days"] == pytest.approx(5.4)
    assert m.loc["roas", "status"] == "on_target"
    # on the day (i = 9): 280 / 50 = 5.6
    assert m.loc["roas", "value_on_day"] == pytest.approx(5.6)
    # engagements 180 + 190 = 370 over reach 2000 -> 0.185, above the 5 %-8 % band
    assert m.loc["engagement_rate_by_reach", "value_last_2_days"] == pytest.approx(0.185)
    assert m.loc["engagement_rate_by_reach", "status"] == "above_target"
    # conversions 1 + 2 = 3 over sessions 36 -> 0.0833; conversion target 3 %-5 % -> above
    assert m.loc["conversion_rate", "value_last_2_days"] == pytest.approx(3 / 36)


def test_key_metrics_rejects_an_unknown_metric_naming_the_conf_key():
    with pytest.raises(tb.ReportingInputError, match="reporting.summary.metrics"):
        key_metrics(make_inputs()["kpi_daily"], ["roas", "happiness"], {}, pd.Timestamp("2026-03-10"), 7)


def test_new_alerts_against_the_ledger():
    alerts = make_inputs()["alerts"]
    day1 = pd.Timestamp("2026-03-10")
    fresh, ledger = new_alerts(alerts, empty_ledger(), day1)
    assert sorted(fresh["alert_id"]) == ["a1", "a2", "a3"]  # first run: everything is new
    assert set(ledger["first_reported_on"]) == {"2026-03-10"}
    # next run: a1 still open, a2 cleared, a4 new
    later = pd.concat([alerts[alerts["alert_id"] == "a1"],
                       alerts[alerts["alert_id"] == "a3"].assign(alert_id="a4")], ignore_index=True)
    fresh2, ledger2 = new_alerts(later, ledger, pd.Timestamp("2026-03-11"))
    assert fresh2["alert_id"].tolist() == ["a4"]
    kept = ledger2.set_index("alert_id")["first_reported_on"]
    assert kept["a1"] == "2026-03-10" and kept["a4"] == "2026-03-11"
    assert "a2" not in kept.index  # cleared: reported again if it fires again
    # a2 fires again later: it is new again
    fresh3, _ = new_alerts(alerts[alerts["alert_id"] == "a2"], ledger2, pd.Timestamp("2026-03-12"))
    assert fresh3["alert_id"].tolist() == ["a2"]


def test_require_columns_names_dataset_column_and_conf():
    with pytest.raises(tb.ReportingInputError) as e:
        tb.require_columns(pd.DataFrame({"a": [1]}), "budget_pacing", ["a", "pacing_ratio"], "forecasting")
    msg = str(e.value)
    assert "budget_pacing" in msg and "pacing_ratio" in msg and "catalog" in msg
