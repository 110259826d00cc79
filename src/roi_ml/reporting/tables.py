"""Small frame computations behind the dashboard and the daily summary (pure, no plotting).

Ratios reuse the glossary's functions (roi_ml.kpis.formulas, docs/metrics.md); portfolio
figures are ratios of sums over campaigns, never means of ratios.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping

import pandas as pd

from roi_ml import inputs
from roi_ml.inputs import InputError
from roi_ml.kpis import formulas as f

log = logging.getLogger(__name__)

SEVERITY_ORDER = {"critical": 0, "warning": 1, "success": 2}


class ReportingInputError(InputError):
    """A reporting input lacks a column the dashboard or the summary needs."""


def require_columns(frame: pd.DataFrame | None, name: str, columns: Iterable[str], where: str) -> None:
    """Stop with one message naming the dataset, the missing columns and where it comes from
    (an absent optional input, None, is not checked)."""
    if frame is not None:
        inputs.require_columns(frame, columns, f"reporting: dataset '{name}' ({where})",
                               f"Fix the pipeline that writes it or its catalog entry "
                               f"(conf/base/catalog*.yml, key '{name}').", ReportingInputError)


def is_empty(frame: pd.DataFrame | None) -> bool:
    return frame is None or len(frame) == 0


def select_attribution_model(credit: pd.DataFrame, model: str, fallback: str) -> pd.DataFrame:
    """Rows of `model` in a *_attribution table; when it has none, rows of `fallback` (logged),
    with `model_used`; missing CI columns (revenue_ci_low/high, conversions_ci_low/high) are
    added as nulls."""
    rows, _ = inputs.select_attribution_model(
        credit, model, fallback, "reporting: creator_attribution",
        ("reporting.attribution_model", "reporting.fallback_attribution_model"),
        "conf/base/parameters_reporting.yml", ReportingInputError)
    return rows


def portfolio_kpis(kpi_campaign: pd.DataFrame) -> dict[str, float]:
    """Headline figures over all campaigns, each a ratio of sums (docs/metrics.md, "Reporting").

    roas = Σ revenue / Σ cost; engagement_rate_by_reach = Σ engagements / Σ reach;
    positive_comment_share = Σ positive / Σ labelled comments; budget_pacing = Σ cost /
    Σ planned spend to date; brand_sentiment_shift = mean over campaigns that have a survey.
    """
    c = kpi_campaign
    s = lambda col: float(pd.to_numeric(c[col], errors="coerce").sum()) if col in c else float("nan")  # noqa: E731
    out = {
        "attributed_revenue_usd": s("attributed_revenue_usd"),
        "cost_usd": s("cost_usd"),
        "planned_budget_usd": s("planned_budget_usd"),
        "planned_spend_to_date_usd": s("planned_spend_to_date_usd"),
    }
    out["roas"] = float(f.roas(out["attributed_revenue_usd"], out["cost_usd"]))
    out["engagement_rate_by_reach"] = float(f.engagement_rate_by_reach(s("engagements"), s("reach")))
    out["positive_comment_share"] = float(f.positive_comment_share(s("comments_positive"),
                                                                   s("comments_labelled")))
    out["budget_pacing"] = float(f.budget_pacing(out["cost_usd"], out["planned_spend_to_date_usd"]))
    shift = pd.to_numeric(c["brand_sentiment_shift"], errors="coerce") if "brand_sentiment_shift" in c \
        else pd.Series(dtype="float64")
    out["brand_sentiment_shift"] = float(shift.mean()) if shift.notna().any() else float("nan")
    return out


def status_of(value: float, targets: Mapping, kpi: str) -> str:
    """The KPI tables' status word for one value against conf's target ("" without a target)."""
    tgt = (targets or {}).get(kpi)
    if not tgt:
        return ""
    return str(f.target_status(value, tgt))


def target_text(targets: Mapping, kpi: str, pct: bool) -> str:
    """'target 5 %–8 %' / 'target ≥ 5' from a conf target."""
    tgt = (targets or {}).get(kpi) or {}
    def fmt(v: float) -> str:
        return f"{v:.0%}" if pct else f"{v:g}"

    lo, hi = tgt.get("min"), tgt.get("max")
    if lo is not None and hi is not None:
        return f"target {fmt(lo)}–{fmt(hi)}"
    if lo is not None:
        return f"target {'>' if tgt.get('strict') else '≥'} {fmt(lo)}"
    if hi is not None:
        return f"target {'<' if tgt.get('strict') else '≤'} {fmt(hi)}"
    return "no target"


def format_platform_cells(kpi_post: pd.DataFrame) -> pd.DataFrame:
    """Per content format × platform: posts, engagement rate (Σ engagements / Σ reach) and
    attributed revenue per post (Σ revenue / posts)."""
    g = kpi_post.groupby(["format", "platform"], dropna=True, observed=True)
    cells = g.agg(posts=("post_id", "size"), engagements=("engagements", "sum"),
                  reach=("reach", "sum"), revenue=("attributed_revenue_usd", "sum")).reset_index()
    cells["engagement_rate"] = f.engagement_rate_by_reach(cells["engagements"], cells["reach"])
    cells["revenue_per_post"] = f.safe_ratio(cells["revenue"], cells["posts"])
    for c in ("format", "platform"):
        cells[c] = cells[c].astype("string")
    return cells


def campaign_history(kpi_creator_campaign: pd.DataFrame, campaigns: pd.DataFrame) -> pd.DataFrame:
    """creator × campaign rows numbered in campaign start order per creator (campaign_seq 1, 2, …),
    with the click-or-code ROI of the KPI tables."""
    h = kpi_creator_campaign[["creator_id", "campaign_id", "roi", "cost_usd",
                              "attributed_revenue_usd"]].merge(
        campaigns[["campaign_id", "start_date"]], on="campaign_id", how="left")
    h = h.sort_values(["creator_id", "start_date", "campaign_id"])
    h["campaign_seq"] = h.groupby("creator_id").cumcount() + 1
    return h.reset_index(drop=True)


def alerts_by_severity(alerts: pd.DataFrame) -> pd.DataFrame:
    """Alerts ordered critical → warning → success, then by rule and entity."""
    a = alerts.copy()
    a["_order"] = a["severity"].astype("string").map(SEVERITY_ORDER).fillna(9)
    return a.sort_values(["_order", "rule", "entity_id"]).drop(columns="_order").reset_index(drop=True)


def allocation_table(alloc: pd.DataFrame) -> pd.DataFrame:
    """The allocator's rows with the budget change and the revenue change, largest move first."""
    a = alloc.copy()
    a["budget_change"] = a["recommended_budget"] - a["current_budget"]
    a["revenue_change"] = a["expected_revenue_recommended"] - a["expected_revenue_current"]
    a = a.reindex(a["budget_change"].abs().sort_values(ascending=False).index)
    cols = ["creator_id", "current_budget", "recommended_budget", "budget_change", "min_budget",
            "max_budget", "expected_revenue_current", "expected_revenue_recommended",
            "expected_revenue_low", "expected_revenue_high", "revenue_change", "marginal_roi",
            "binding_constraint"]
    return a[[c for c in cols if c in a.columns]].reset_index(drop=True)
