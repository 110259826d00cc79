"""partnership_decisions: renew, expand (ambassador), conclude or watch, per creator, with the
reasons in words.

Input: `creator_scores` (creator_scoring: performance score, ROI with interval, trend across
campaigns, predicted next ROI with interval) and `creator_authenticity` (kpis: flag and reasons).
Rules, first match wins (thresholds in conf/base/parameters_recommendations.yml,
`partnership_decisions`; docs/metrics.md "partnership_decisions"):
1. conclude — the authenticity flag is raised; or the ROI interval lies below
   `conclude.max_roi_high` (0: loses money with confidence) unless ROI is improving with a
   positive predicted next ROI (then watch); or the performance score is below
   `conclude.max_score` and ROI is declining.
2. expand — performance score ≥ `expand.min_score`, ROI interval above `expand.min_roi_low`,
   trend not declining and at least `expand.min_campaigns` campaigns.
3. renew — ROI interval above `renew.min_roi_low`, or ROI > 0 with a performance score ≥
   `renew.min_score` and a trend that is not declining.
4. watch — everything else (the evidence does not decide yet).

expected_impact_usd = |predicted next ROI| × investment per campaign (investment_usd /
n_campaigns): the profit (renew/expand) or loss avoided (conclude) of one more campaign at the
current spend; ROI stands in when there is no prediction. Rows are ranked by it.
Confidence: how many of the two intervals (ROI, predicted next ROI) sit wholly on the decision's
side of 0 — both high, one medium, none low; a single campaign caps it at medium; an
authenticity flag makes a conclusion high; watch is low.
"""

from __future__ import annotations

import pandas as pd

from roi_ml.recommendations.common import as_text, fmt_num, rank_by_impact, require_columns

COLUMNS = ["creator_id", "tier", "primary_platform", "niche", "n_campaigns", "performance_score",
           "investment_usd", "attributed_revenue", "roi", "roi_low", "roi_high", "roas",
           "roi_trend", "predicted_next_roi", "predicted_next_roi_low",
           "predicted_next_roi_high", "model_used"]
DECISIONS = ("renew", "expand", "conclude", "watch")
OUTPUT_COLUMNS = [
    "rank", "creator_id", "decision", "expected_impact_usd", "confidence", "reasons",
    "performance_score", "roi", "roi_low", "roi_high", "roi_trend", "n_campaigns",
    "predicted_next_roi", "predicted_next_roi_low", "predicted_next_roi_high", "investment_usd",
    "attributed_revenue", "is_flagged_inauthentic", "tier", "primary_platform", "niche",
    "model_used",
]


def _pct(x: float) -> str:
    return "n/a" if pd.isna(x) else f"{x * 100:.0f} %"


def _roi_text(r: pd.Series) -> str:
    return f"ROI {_pct(r['roi'])} (interval {_pct(r['roi_low'])} to {_pct(r['roi_high'])})"


def _next_text(r: pd.Series) -> str:
    if pd.isna(r["predicted_next_roi"]):
        return "no next-campaign prediction"
    return (f"predicted next-campaign ROI {_pct(r['predicted_next_roi'])} (interval "
            f"{_pct(r['predicted_next_roi_low'])} to {_pct(r['predicted_next_roi_high'])})")


def _trend_text(r: pd.Series) -> str:
    if r["roi_trend"] == "single_campaign":
        return "one campaign so far, no trend yet"
    return f"ROI {r['roi_trend']} across {int(r['n_campaigns'])} campaigns"


def decide(r: pd.Series, p: dict) -> tuple[str, list[str]]:
    """(decision, reasons) for one creator row (scores joined with the authenticity flag)."""
    c, e, n = p["conclude"], p["expand"], p["renew"]
    score = r["performance_score"]
    declining = r["roi_trend"] == "declining"
    score_txt = f"performance score {fmt_num(score, 0)}"
    if bool(r.get("is_flagged_inauthentic", False)):
        why = r.get("authenticity_reasons") or "authenticity flag raised"
        return "conclude", [f"authenticity flag raised: {why}", _roi_text(r)]
    recovering = r["roi_trend"] == "improving" and r["predicted_next_roi"] > 0
    if r["roi_high"] < c["max_roi_high"] and not recovering:
        return "conclude", [f"{_roi_text(r)}: the whole interval is below "
                            f"{_pct(c['max_roi_high'])}", _trend_text(r), _next_text(r)]
    if score < c["max_score"] and declining:
        return "conclude", [f"{score_txt} below {c['max_score']}", _trend_text(r), _roi_text(r)]
    if (score >= e["min_score"] and r["roi_low"] > e["min_roi_low"] and not declining
            and r["n_campaigns"] >= e["min_campaigns"]):
        return "expand", [f"{score_txt} at or above {e['min_score']}",
                          f"{_roi_text(r)}: the whole interval is above {_pct(e['min_roi_low'])}",
                          _trend_text(r), _next_text(r)]
    if r["roi_low"] > n["min_roi_low"]:
        return "renew", [f"{_roi_text(r)}: the whole interval is above {_pct(n['min_roi_low'])}",
                         score_txt, _trend_text(r), _next_text(r)]
    if r["roi"] > 0 and score >= n["min_score"] and not declining:
        return "renew", [f"{_roi_text(r)} positive but uncertain", f"{score_txt} at or above "
                         f"{n['min_score']}", _trend_text(r), _next_text(r)]
    if r["roi_high"] < c["max_roi_high"]:  # losing money, but improving with a positive outlook
        first = f"{_roi_text(r)}: below {_pct(c['max_roi_high'])} but improving"
    elif r["roi_low"] <= 0 <= r["roi_high"]:
        first = f"{_roi_text(r)}: the interval straddles 0"
    else:
        first = _roi_text(r)
    why = [first, score_txt, _trend_text(r), _next_text(r)]
    return "watch", why


def _confidence(r: pd.Series) -> str:
    d = r["decision"]
    if d == "watch":
        return "low"
    if d == "conclude" and r["is_flagged_inauthentic"]:
        return "high"
    if d == "conclude":
        hits = int(r["roi_high"] < 0) + int(r["predicted_next_roi_high"] < 0)
    else:
        hits = int(r["roi_low"] > 0) + int(r["predicted_next_roi_low"] > 0)
    level = {2: "high", 1: "medium", 0: "low"}[hits]
    if r["roi_trend"] == "single_campaign" and level == "high":
        level = "medium"
    return level


def partnership_decisions(creator_scores: pd.DataFrame, creator_authenticity: pd.DataFrame,
                          params: dict) -> pd.DataFrame:
    """creator_scores + creator_authenticity → one decision per creator, ranked by expected
    impact. Params: conclude / expand / renew thresholds (see module docstring)."""
    require_columns(creator_scores, COLUMNS, "creator_scores", "creator_scoring")
    require_columns(creator_authenticity, ["creator_id", "is_flagged", "reasons"],
                    "creator_authenticity", "kpis")
    auth = creator_authenticity[["creator_id", "is_flagged", "reasons"]].rename(
        columns={"is_flagged": "is_flagged_inauthentic", "reasons": "authenticity_reasons"})
    s = creator_scores.merge(auth, on="creator_id", how="left")
    s["is_flagged_inauthentic"] = s["is_flagged_inauthentic"].fillna(False).astype(bool)
    decisions = [decide(r, params) for _, r in s.iterrows()]
    s["decision"] = [d for d, _ in decisions]
    s["reasons"] = ["; ".join(w) for _, w in decisions]
    s["confidence"] = [_confidence(r) for _, r in s.iterrows()] if len(s) else []
    per_campaign = s["investment_usd"] / s["n_campaigns"].clip(lower=1)
    roi_next = s["predicted_next_roi"].fillna(s["roi"])
    s["expected_impact_usd"] = (roi_next.abs() * per_campaign).astype("float64")
    s.loc[s["decision"] == "watch", "expected_impact_usd"] = 0.0
    out = rank_by_impact(s[[c for c in OUTPUT_COLUMNS if c != "rank"]], "expected_impact_usd",
                         ["creator_id"])
    out["n_campaigns"] = out["n_campaigns"].astype("int64")
    return as_text(out, ["creator_id", "decision", "confidence", "reasons", "roi_trend", "tier",
                         "primary_platform", "niche", "model_used"])


__all__ = ["DECISIONS", "decide", "partnership_decisions"]
