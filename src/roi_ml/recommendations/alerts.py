"""Alerts: the spec's critical, warning and success rules over the KPI, score, pacing,
attribution, authenticity and freshness tables (docs/metrics.md, "Alerts").

Each rule is one function `rule_<name>(table, cfg) -> frame` with the columns entity_type,
entity_id, metric, value, threshold, message; `build_alerts` runs the enabled rules of
conf/base/parameters_alerts.yml and adds alert_id, severity, rule and detected_at.

alert_id = the first 16 hex digits of SHA-256("rule|entity_type|entity_id"): the same condition
on the same entity keeps its id from run to run, so the daily summary can tell new alerts from
old ones. detected_at = `alerts.detected_at`, else the data's as-of day (the latest day any
source has data for), so re-running on the same data writes the same file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import numpy as np
import pandas as pd

from roi_ml.recommendations.common import ALERTS_FILE, RecommendationInputError, require_columns

SEVERITIES = ("critical", "warning", "success")
ALERT_COLUMNS = ["alert_id", "severity", "rule", "entity_type", "entity_id", "metric", "value",
                 "threshold", "message", "detected_at"]
_RULE_COLUMNS = ["entity_type", "entity_id", "metric", "value", "threshold", "message"]


def alert_id(rule: str, entity_type: str, entity_id: str) -> str:
    """Stable id of an alert: SHA-256 of "rule|entity_type|entity_id", 16 hex digits."""
    return hashlib.sha256(f"{rule}|{entity_type}|{entity_id}".encode()).hexdigest()[:16]


def _rows(frame: pd.DataFrame, entity_type: str, entity_col: str, metric: str, value: pd.Series,
          threshold: float, messages: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"entity_type": entity_type, "entity_id": frame[entity_col].astype(str).to_numpy(),
                         "metric": metric, "value": np.asarray(value, dtype="float64"),
                         "threshold": float(threshold), "message": messages})


def _objective_filter(kpi_campaign: pd.DataFrame, cfg: dict) -> pd.DataFrame:
    objectives = cfg.get("objectives")
    if objectives:
        return kpi_campaign[kpi_campaign["objective"].isin(objectives)]
    return kpi_campaign


# --- critical ---------------------------------------------------------------------------------
def rule_engagement_rate_below_target(kpi_campaign: pd.DataFrame, cfg: dict) -> pd.DataFrame:
    """Campaign engagement rate (by reach) more than `max_shortfall` below `target`:
    value < target × (1 − max_shortfall)."""
    require_columns(kpi_campaign, ["campaign_id", "engagement_rate_by_reach"], "kpi_campaign", "kpis")
    target, short = float(cfg["target"]), float(cfg["max_shortfall"])
    limit = target * (1 - short)
    hit = kpi_campaign[kpi_campaign["engagement_rate_by_reach"] < limit]
    er = hit["engagement_rate_by_reach"]
    msgs = [f"Campaign {c}: engagement rate {v:.2%} is {1 - v / target:.0%} below the {target:.1%} "
            f"target (alert below {limit:.2%})." for c, v in zip(hit["campaign_id"], er, strict=True)]
    return _rows(hit, "campaign", "campaign_id", "engagement_rate_by_reach", er, limit, msgs)


def rule_conversion_rate_low(kpi_campaign: pd.DataFrame, cfg: dict) -> pd.DataFrame:
    """Campaign conversion rate (orders / link sessions) below `threshold`, for campaigns with at
    least `min_link_sessions` sessions (fewer cannot tell)."""
    require_columns(kpi_campaign, ["campaign_id", "conversion_rate", "link_sessions"], "kpi_campaign", "kpis")
    thr = float(cfg["threshold"])
    k = _objective_filter(kpi_campaign, cfg)
    hit = k[(k["link_sessions"] >= int(cfg.get("min_link_sessions", 0))) & (k["conversion_rate"] < thr)]
    msgs = [f"Campaign {c}: conversion rate {v:.2%} over {int(n):,} link sessions is below {thr:.0%}."
            for c, v, n in zip(hit["campaign_id"], hit["conversion_rate"], hit["link_sessions"], strict=True)]
    return _rows(hit, "campaign", "campaign_id", "conversion_rate", hit["conversion_rate"], thr, msgs)


def rule_compliance_violation(non_compliant_posts: pd.DataFrame, cfg: dict) -> pd.DataFrame:
    """Every post without a disclosure (non_compliant_posts); the caption is quoted."""
    require_columns(non_compliant_posts, ["post_id", "creator_id", "campaign_id", "platform",
                                          "caption", "reason"], "non_compliant_posts", "kpis")
    n = cfg.get("caption_chars", 80)
    msgs = [f"{c}: {r} on {pl} post {p} ({cmp}); caption: {str(cap)[:n]}"
            for p, c, cmp, pl, cap, r in zip(non_compliant_posts["post_id"], non_compliant_posts["creator_id"],
                                             non_compliant_posts["campaign_id"], non_compliant_posts["platform"],
                                             non_compliant_posts["caption"], non_compliant_posts["reason"], strict=True)]
    return _rows(non_compliant_posts, "post", "post_id", "has_disclosure",
                 np.zeros(len(non_compliant_posts)), 1.0, msgs)


# --- warning ----------------------------------------------------------------------------------
def rule_roas_low(kpi_campaign: pd.DataFrame, cfg: dict) -> pd.DataFrame:
    """Campaign ROAS below `threshold` (3 = 3:1)."""
    require_columns(kpi_campaign, ["campaign_id", "roas"], "kpi_campaign", "kpis")
    thr = float(cfg["threshold"])
    k = _objective_filter(kpi_campaign, cfg)
    hit = k[k["roas"] < thr]
    msgs = [f"Campaign {c}: ROAS {v:.2f}:1 is below {thr:g}:1." for c, v in
            zip(hit["campaign_id"], hit["roas"], strict=True)]
    return _rows(hit, "campaign", "campaign_id", "roas", hit["roas"], thr, msgs)


def rule_performance_score_low(creator_scores: pd.DataFrame, cfg: dict) -> pd.DataFrame:
    """Creator performance score below `threshold`."""
    require_columns(creator_scores, ["creator_id", "performance_score"], "creator_scores", "creator_scoring")
    thr = float(cfg["threshold"])
    hit = creator_scores[creator_scores["performance_score"] < thr]
    msgs = [f"Creator {c}: performance score {v:.1f} is below {thr:g}." for c, v in
            zip(hit["creator_id"], hit["performance_score"], strict=True)]
    return _rows(hit, "creator", "creator_id", "performance_score", hit["performance_score"], thr, msgs)


def rule_budget_pacing_high(budget_pacing: pd.DataFrame, cfg: dict) -> pd.DataFrame:
    """Projected spend over planned budget (pacing_ratio) above `threshold` (1.10 = 110 %)."""
    require_columns(budget_pacing, ["campaign_id", "pacing_ratio", "planned_budget_usd",
                                    "projected_spend_usd", "campaign_state"], "budget_pacing", "forecasting")
    thr = float(cfg["threshold"])
    b = budget_pacing
    if cfg.get("campaign_states"):
        b = b[b["campaign_state"].isin(cfg["campaign_states"])]
    hit = b[b["pacing_ratio"] > thr]
    msgs = [f"Campaign {c}: projected spend ${s:,.0f} is {v:.0%} of the ${pl:,.0f} budget "
            f"(alert above {thr:.0%})." for c, v, s, pl in
            zip(hit["campaign_id"], hit["pacing_ratio"], hit["projected_spend_usd"],
                hit["planned_budget_usd"], strict=True)]
    return _rows(hit, "campaign", "campaign_id", "pacing_ratio", hit["pacing_ratio"], thr, msgs)


def rule_authenticity_flag(creator_authenticity: pd.DataFrame, cfg: dict) -> pd.DataFrame:
    """Creators whose authenticity flag is raised, with the scorer's reasons."""
    require_columns(creator_authenticity, ["creator_id", "is_flagged", "authenticity_score", "reasons"],
                    "creator_authenticity", "kpis")
    hit = creator_authenticity[creator_authenticity["is_flagged"].fillna(False).astype(bool)]
    msgs = [f"Creator {c}: authenticity flag raised (score {s:.0f}): {r}" for c, s, r in
            zip(hit["creator_id"], hit["authenticity_score"], hit["reasons"], strict=True)]
    return _rows(hit, "creator", "creator_id", "authenticity_score", hit["authenticity_score"],
                 float(cfg.get("threshold", np.nan)), msgs)


def rule_stale_data_source(source_dates: pd.DataFrame, cfg: dict) -> pd.DataFrame:
    """A source whose latest record is more than `max_age_days` older than the reference day
    (`reference_date`, else the latest day of any source)."""
    require_columns(source_dates, ["source", "latest_date"], "source_dates", "recommendations")
    max_age = float(cfg["max_age_days"])
    ref = pd.Timestamp(cfg["reference_date"]) if cfg.get("reference_date") else source_dates["latest_date"].max()
    age = (ref - source_dates["latest_date"]).dt.total_seconds() / 86400
    age = age.fillna(np.inf)  # a source with no rows at all is stale
    hit = source_dates[age > max_age]
    a = age[age > max_age]
    msgs = [f"Data source {s}: latest record {'none' if pd.isna(d) else d.date()} is "
            f"{'∞' if np.isinf(v) else f'{v:.0f}'} days older than {ref.date()} (alert above "
            f"{max_age:g} days)." for s, d, v in zip(hit["source"], hit["latest_date"], a, strict=True)]
    return _rows(hit, "data_source", "source", "age_days", a.replace(np.inf, np.nan), max_age, msgs)


# --- success ----------------------------------------------------------------------------------
def rule_roas_above_target(kpi_campaign: pd.DataFrame, cfg: dict) -> pd.DataFrame:
    """Campaign ROAS at least (1 + `margin`) × `target` (spec: 50 % above the ROAS target)."""
    require_columns(kpi_campaign, ["campaign_id", "roas"], "kpi_campaign", "kpis")
    thr = float(cfg["target"]) * (1 + float(cfg["margin"]))
    k = _objective_filter(kpi_campaign, cfg)
    hit = k[k["roas"] >= thr]
    msgs = [f"Campaign {c}: ROAS {v:.2f}:1 beats the {float(cfg['target']):g}:1 target by "
            f"{v / float(cfg['target']) - 1:.0%}." for c, v in zip(hit["campaign_id"], hit["roas"], strict=True)]
    return _rows(hit, "campaign", "campaign_id", "roas", hit["roas"], thr, msgs)


def rule_viral_post(kpi_post: pd.DataFrame, cfg: dict) -> pd.DataFrame:
    """A post with at least `threshold` impressions."""
    require_columns(kpi_post, ["post_id", "creator_id", "platform", "impressions"], "kpi_post", "kpis")
    thr = float(cfg["threshold"])
    hit = kpi_post[kpi_post["impressions"] >= thr]
    msgs = [f"Post {p} by {c} on {pl} reached {int(v):,} impressions." for p, c, pl, v in
            zip(hit["post_id"], hit["creator_id"], hit["platform"], hit["impressions"], strict=True)]
    return _rows(hit, "post", "post_id", "impressions", hit["impressions"], thr, msgs)


def rule_partnership_revenue_high(creator_revenue: pd.DataFrame, cfg: dict) -> pd.DataFrame:
    """A creator partnership with more than `threshold` attributed revenue (USD, the chosen
    attribution model)."""
    require_columns(creator_revenue, ["creator_id", "attributed_revenue", "model_used"],
                    "creator_attribution", "attribution")
    thr = float(cfg["threshold"])
    hit = creator_revenue[creator_revenue["attributed_revenue"] > thr]
    msgs = [f"Creator {c}: ${v:,.0f} attributed revenue ({m}) is above ${thr:,.0f}." for c, v, m in
            zip(hit["creator_id"], hit["attributed_revenue"], hit["model_used"], strict=True)]
    return _rows(hit, "creator", "creator_id", "attributed_revenue", hit["attributed_revenue"], thr, msgs)


# rule name -> (function, name of the table it reads)
RULES: dict[str, tuple[Callable[[pd.DataFrame, dict], pd.DataFrame], str]] = {
    "engagement_rate_below_target": (rule_engagement_rate_below_target, "kpi_campaign"),
    "conversion_rate_low": (rule_conversion_rate_low, "kpi_campaign"),
    "compliance_violation": (rule_compliance_violation, "non_compliant_posts"),
    "roas_low": (rule_roas_low, "kpi_campaign"),
    "performance_score_low": (rule_performance_score_low, "creator_scores"),
    "budget_pacing_high": (rule_budget_pacing_high, "budget_pacing"),
    "authenticity_flag": (rule_authenticity_flag, "creator_authenticity"),
    "stale_data_source": (rule_stale_data_source, "source_dates"),
    "roas_above_target": (rule_roas_above_target, "kpi_campaign"),
    "viral_post": (rule_viral_post, "kpi_post"),
    "partnership_revenue_high": (rule_partnership_revenue_high, "creator_revenue"),
}


def latest_source_dates(sources: dict[str, pd.DataFrame], date_columns: dict[str, str]) -> pd.DataFrame:
    """One row per source: the latest (UTC, naive) timestamp in its date column."""
    rows = []
    for name, col in date_columns.items():
        if name not in sources:
            raise RecommendationInputError(
                f"alerts.rules.stale_data_source.sources.{name}: no such source is wired into the "
                f"recommendations pipeline (available: {sorted(sources)}); fix {ALERTS_FILE}")
        frame = sources[name]
        require_columns(frame, [col], name, "ingestion")
        d = pd.to_datetime(frame[col], utc=True) if len(frame) else pd.Series(dtype="datetime64[us, UTC]")
        latest = d.max() if len(d) else pd.NaT
        latest = pd.NaT if pd.isna(latest) else latest.tz_convert("UTC").tz_localize(None)
        rows.append({"source": name, "latest_date": latest})
    out = pd.DataFrame(rows, columns=["source", "latest_date"])
    out["latest_date"] = pd.to_datetime(out["latest_date"]).astype("datetime64[us]")
    out["source"] = out["source"].astype("str")
    return out


def build_alerts(tables: dict[str, pd.DataFrame], params: dict) -> pd.DataFrame:
    """Run every enabled rule of `params["rules"]` on its table → the alerts table (ALERT_COLUMNS),
    sorted critical → warning → success, then rule and entity."""
    rules = params.get("rules") or {}
    unknown = sorted(set(rules) - set(RULES))
    if unknown:
        raise RecommendationInputError(f"alerts.rules: unknown rule(s) {unknown}; known: "
                                       f"{sorted(RULES)} ({ALERTS_FILE})")
    parts = []
    for name, cfg in rules.items():
        cfg = dict(cfg or {})
        if not cfg.get("enabled", True):
            continue
        severity = cfg.get("severity")
        if severity not in SEVERITIES:
            raise RecommendationInputError(f"alerts.rules.{name}.severity: one of {list(SEVERITIES)}; "
                                           f"found {severity!r} ({ALERTS_FILE})")
        func, table = RULES[name]
        if table not in tables or tables[table] is None:
            raise RecommendationInputError(f"alerts.rules.{name}: its input {table} is not available")
        found = func(tables[table], cfg)
        found.insert(0, "rule", name)
        found.insert(0, "severity", severity)
        parts.append(found)
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["severity", "rule", *_RULE_COLUMNS])
    out["alert_id"] = [alert_id(r, t, e) for r, t, e in zip(out["rule"], out["entity_type"], out["entity_id"], strict=True)]
    detected = params.get("detected_at")
    if detected:
        detected = pd.Timestamp(detected)
    elif "source_dates" in tables and len(tables["source_dates"]):
        detected = tables["source_dates"]["latest_date"].max()
    else:
        detected = pd.NaT
    out["detected_at"] = pd.Timestamp(detected).normalize() if not pd.isna(detected) else pd.NaT
    out["detected_at"] = pd.to_datetime(out["detected_at"]).astype("datetime64[us]")
    order = {s: i for i, s in enumerate(SEVERITIES)}
    out = out.assign(_o=out["severity"].map(order)).sort_values(
        ["_o", "rule", "entity_id"], kind="stable").drop(columns="_o").reset_index(drop=True)
    for c in ("value", "threshold"):
        out[c] = out[c].astype("float64")
    for c in ("alert_id", "severity", "rule", "entity_type", "entity_id", "metric", "message"):
        out[c] = out[c].astype("str")
    return out[ALERT_COLUMNS]
