"""Every alert rule of the spec fires on a row past its threshold and stays silent on a row
just inside it; thresholds are the defaults of conf/base/parameters_alerts.yml."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from roi_ml.pipelines.recommendations.nodes import build_alert_table
from roi_ml.recommendations import alerts as al
from roi_ml.recommendations.common import RecommendationInputError

CONF = yaml.safe_load((Path(__file__).parents[2] / "conf/base/parameters_alerts.yml").read_text())["alerts"]
RULES = CONF["rules"]


def campaigns(**cols) -> pd.DataFrame:
    base = {"campaign_id": ["CMP01", "CMP02"], "objective": ["conversion", "awareness"],
            "engagement_rate_by_reach": [0.05, 0.05], "conversion_rate": [0.03, 0.03],
            "link_sessions": [500, 500], "roas": [4.0, 4.0]}
    base.update(cols)
    return pd.DataFrame(base)


def ids(frame: pd.DataFrame) -> list[str]:
    return frame["entity_id"].tolist()


def test_defaults_are_the_spec():
    assert RULES["engagement_rate_below_target"]["max_shortfall"] == 0.30
    assert RULES["conversion_rate_low"]["threshold"] == 0.02
    assert RULES["roas_low"]["threshold"] == 3.0
    assert RULES["performance_score_low"]["threshold"] == 70
    assert RULES["budget_pacing_high"]["threshold"] == 1.10
    assert RULES["roas_above_target"]["margin"] == 0.5
    assert RULES["viral_post"]["threshold"] == 1_000_000
    assert RULES["partnership_revenue_high"]["threshold"] == 100_000
    assert {r: c["severity"] for r, c in RULES.items()} == {
        "engagement_rate_below_target": "critical", "conversion_rate_low": "critical",
        "compliance_violation": "critical", "roas_low": "warning", "performance_score_low": "warning",
        "budget_pacing_high": "warning", "authenticity_flag": "warning", "stale_data_source": "warning",
        "roas_above_target": "success", "viral_post": "success", "partnership_revenue_high": "success"}


def test_engagement_rate_more_than_30_percent_below_target():
    # target 5 %: the alert line is 5 % x (1 - 0.30) = 3.5 %; 3.4 % fires, 3.6 % does not
    out = al.rule_engagement_rate_below_target(
        campaigns(engagement_rate_by_reach=[0.034, 0.036]), RULES["engagement_rate_below_target"])
    assert ids(out) == ["CMP01"]
    assert out["threshold"].iloc[0] == pytest.approx(0.035)
    assert "32% below" in out["message"].iloc[0]  # 1 - 0.034 / 0.05 = 0.32


def test_conversion_rate_below_two_percent():
    k = campaigns(conversion_rate=[0.019, 0.021])
    assert ids(al.rule_conversion_rate_low(k, RULES["conversion_rate_low"])) == ["CMP01"]
    # too few sessions to tell: silent even below 2 %
    k = campaigns(conversion_rate=[0.019, 0.019], link_sessions=[99, 100])
    assert ids(al.rule_conversion_rate_low(k, RULES["conversion_rate_low"])) == ["CMP02"]


def test_compliance_violation_per_post_quoting_the_caption():
    ncp = pd.DataFrame({"post_id": ["P1"], "creator_id": ["CR1"], "campaign_id": ["CMP01"],
                        "platform": ["tiktok"], "caption": ["=1+1 new drop link in bio"],
                        "reason": ["no disclosure found in the caption"]})
    out = al.rule_compliance_violation(ncp, RULES["compliance_violation"])
    assert ids(out) == ["P1"] and out["entity_type"].iloc[0] == "post"
    assert "=1+1 new drop" in out["message"].iloc[0]
    assert al.rule_compliance_violation(ncp.iloc[:0], RULES["compliance_violation"]).empty


def test_roas_below_three_to_one():
    out = al.rule_roas_low(campaigns(roas=[2.99, 3.0]), RULES["roas_low"])
    assert ids(out) == ["CMP01"]


def test_performance_score_below_70():
    s = pd.DataFrame({"creator_id": ["A", "B"], "performance_score": [69.9, 70.0]})
    assert ids(al.rule_performance_score_low(s, RULES["performance_score_low"])) == ["A"]


def test_budget_pacing_above_110_percent():
    b = pd.DataFrame({"campaign_id": ["C1", "C2"], "pacing_ratio": [1.11, 1.10],
                      "planned_budget_usd": [1000.0, 1000.0], "projected_spend_usd": [1110.0, 1100.0],
                      "campaign_state": ["live", "live"]})
    out = al.rule_budget_pacing_high(b, RULES["budget_pacing_high"])
    assert ids(out) == ["C1"] and "111%" in out["message"].iloc[0]
    assert al.rule_budget_pacing_high(b, {**RULES["budget_pacing_high"], "campaign_states": ["ended"]}).empty


def test_authenticity_flag_raised_with_reasons():
    a = pd.DataFrame({"creator_id": ["A", "B"], "is_flagged": [True, False],
                      "authenticity_score": [31.0, 90.0],
                      "reasons": ["follower jump of 40 % in a day", "no signal"]})
    out = al.rule_authenticity_flag(a, RULES["authenticity_flag"])
    assert ids(out) == ["A"] and "follower jump" in out["message"].iloc[0]


def test_stale_data_source_against_the_freshest_source():
    d = pd.DataFrame({"source": ["orders", "leads", "mentions", "comments"],
                      "latest_date": pd.to_datetime(["2025-06-30", "2025-06-22", "2025-06-23", None])})
    out = al.rule_stale_data_source(d, RULES["stale_data_source"])
    # reference 2025-06-30: leads are 8 days old (> 7, fires), mentions 7 (silent), comments none
    assert ids(out) == ["leads", "comments"]
    assert out["value"].iloc[0] == pytest.approx(8.0) and np.isnan(out["value"].iloc[1])
    fixed = al.rule_stale_data_source(d.iloc[:3], {**RULES["stale_data_source"], "reference_date": "2025-07-10"})
    assert ids(fixed) == ["orders", "leads", "mentions"]


def test_roas_fifty_percent_above_target():
    # target 5:1 -> success from 7.5:1
    out = al.rule_roas_above_target(campaigns(roas=[7.5, 7.49]), RULES["roas_above_target"])
    assert ids(out) == ["CMP01"] and out["threshold"].iloc[0] == pytest.approx(7.5)


def test_viral_post_one_million_impressions():
    p = pd.DataFrame({"post_id": ["P1", "P2"], "creator_id": ["A", "B"], "platform": ["x", "x"],
                      "impressions": [1_000_000, 999_999]})
    assert ids(al.rule_viral_post(p, RULES["viral_post"])) == ["P1"]


def test_partnership_revenue_above_100k():
    r = pd.DataFrame({"creator_id": ["A", "B"], "attributed_revenue": [100_000.01, 100_000.0],
                      "model_used": ["time_decay"] * 2})
    assert ids(al.rule_partnership_revenue_high(r, RULES["partnership_revenue_high"])) == ["A"]


def _tables(**over) -> dict[str, pd.DataFrame]:
    t = {"kpi_campaign": campaigns(roas=[2.0, 8.0]),
         "non_compliant_posts": pd.DataFrame(columns=["post_id", "creator_id", "campaign_id", "platform",
                                                      "caption", "reason"]),
         "kpi_post": pd.DataFrame({"post_id": ["P1"], "creator_id": ["A"], "platform": ["x"],
                                   "impressions": [10]}),
         "creator_authenticity": pd.DataFrame({"creator_id": ["A"], "is_flagged": [False],
                                               "authenticity_score": [90.0], "reasons": ["ok"]}),
         "source_dates": pd.DataFrame({"source": ["orders"], "latest_date": pd.to_datetime(["2025-06-30 13:00"])}),
         "creator_revenue": pd.DataFrame({"creator_id": ["A"], "attributed_revenue": [10.0], "model_used": ["m"]})}
    t.update(over)
    return t


def test_alert_table_columns_ids_order_and_detected_at():
    params = {"rules": {k: RULES[k] for k in ("roas_low", "roas_above_target", "viral_post")}}
    out = al.build_alerts(_tables(), params)
    assert list(out.columns) == al.ALERT_COLUMNS
    # CMP01 ROAS 2 < 3 (warning), CMP02 ROAS 8 >= 7.5 (success); warning sorts first
    assert out[["severity", "rule", "entity_id"]].values.tolist() == [
        ["warning", "roas_low", "CMP01"], ["success", "roas_above_target", "CMP02"]]
    assert out["alert_id"].iloc[0] == al.alert_id("roas_low", "campaign", "CMP01")
    assert (out["detected_at"] == pd.Timestamp("2025-06-30")).all()  # the data's as-of day
    assert isinstance(out["message"].dtype, pd.StringDtype)


def test_alert_id_is_stable_across_runs_and_values():
    params = {"rules": {"roas_low": RULES["roas_low"]}}
    first = al.build_alerts(_tables(), params)
    again = al.build_alerts(_tables(kpi_campaign=campaigns(roas=[1.0, 8.0])), params)
    assert first["alert_id"].tolist() == again["alert_id"].tolist()
    assert len(first["alert_id"].iloc[0]) == 16
    assert al.alert_id("roas_low", "campaign", "CMP01") != al.alert_id("roas_low", "campaign", "CMP02")
    assert al.alert_id("roas_low", "campaign", "CMP01") != al.alert_id("roas_above_target", "campaign", "CMP01")


def test_disabled_rule_and_configured_detected_at():
    params = {"detected_at": "2025-07-01", "rules": {"roas_low": {**RULES["roas_low"], "enabled": False},
                                                     "roas_above_target": RULES["roas_above_target"]}}
    out = al.build_alerts(_tables(), params)
    assert out["rule"].tolist() == ["roas_above_target"]
    assert out["detected_at"].iloc[0] == pd.Timestamp("2025-07-01")


def test_bad_rule_conf_names_the_key():
    with pytest.raises(RecommendationInputError, match="unknown rule"):
        al.build_alerts(_tables(), {"rules": {"roas_too_low": {"severity": "warning"}}})
    with pytest.raises(RecommendationInputError, match="alerts.rules.roas_low.severity"):
        al.build_alerts(_tables(), {"rules": {"roas_low": {**RULES["roas_low"], "severity": "urgent"}}})


def test_missing_column_stops_with_the_table_and_column():
    with pytest.raises(RecommendationInputError, match=r"kpi_campaign: missing column\(s\) \['roas'\]"):
        al.rule_roas_low(campaigns().drop(columns="roas"), RULES["roas_low"])


def test_node_skips_rules_whose_input_pipeline_is_absent(caplog):
    out = build_alert_table(CONF, **_tables())  # no creator_scores, no budget_pacing
    assert "performance_score_low" not in set(out["rule"])
    assert "rule performance_score_low skipped" in caplog.text
    assert "rule budget_pacing_high skipped" in caplog.text


def test_latest_source_dates_and_unknown_source():
    src = {"orders": pd.DataFrame({"created_at": pd.to_datetime(["2025-01-01 10:00", "2025-01-03 23:00"], utc=True)}),
           "mentions": pd.DataFrame({"date": pd.to_datetime(["2025-01-02"])})}
    out = al.latest_source_dates(src, {"orders": "created_at", "mentions": "date"})
    assert out["latest_date"].tolist() == [pd.Timestamp("2025-01-03 23:00"), pd.Timestamp("2025-01-02")]
    with pytest.raises(RecommendationInputError, match="stale_data_source.sources.leads"):
        al.latest_source_dates(src, {"leads": "created_at"})
