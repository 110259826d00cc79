"""creator_suggestions: one or two sentences per creator, templated from measured findings,
each citing its figures — never invented.

Findings (docs/metrics.md, "creator_suggestions"):
- format: on a platform, a format of the creator's own posts whose attributed conversions per
  post are at least `min_format_lift` × those of their other posts there, over ≥
  `min_format_posts` posts; confidence from the Poisson interval of the format's conversions
  (its low end per post still above the other posts' rate: high with ≥ `high_min_posts` posts,
  else medium; otherwise low); impact = rate − other rate (extra conversions per post);
- window: the creator's best posting window from posting_windows with basis "creator" and
  lift ≥ `min_window_lift`; impact = expected_extra_conversions_per_post;
- partnership: the creator's decision from partnership_decisions, cited when fewer than two other
  findings exist; a creator the decisions advise to conclude gets only that sentence (no
  posting advice for a partnership we advise to end).
The `max_sentences` findings with the largest impact become sentences; `figures_cited` holds
every number a sentence quotes (JSON) and the test suite checks each quoted number is there.
Creators without a finding get no row. Rows are ranked by total impact.
"""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import pandas as pd

from roi_ml.recommendations.common import (
    as_text,
    poisson_interval,
    rank_by_impact,
    require_columns,
)

PLATFORM_NAMES = {"instagram": "Instagram", "tiktok": "TikTok", "youtube": "YouTube", "x": "X",
                  "facebook": "Facebook"}
FORMAT_SINGULAR = {"short": "short video", "video": "video", "long_form": "long-form video",
                   "carousel": "carousel", "story": "story", "post": "feed post"}
FORMAT_NAMES = {"short": "short videos", "video": "videos", "long_form": "long-form videos",
                "carousel": "carousels", "story": "stories", "post": "feed posts"}
OUTPUT_COLUMNS = ["rank", "creator_id", "suggestion", "findings", "figures_cited",
                  "expected_extra_conversions_per_post", "confidence", "model_used"]


def format_findings(kpi_post: pd.DataFrame, post_conversions: pd.DataFrame, params: dict
                    ) -> pd.DataFrame:
    """Per creator × platform, the format whose conversion rate beats the creator's other posts
    on that platform the most (if it passes the thresholds)."""
    require_columns(kpi_post, ["post_id", "creator_id", "platform", "format", "reach"],
                    "kpi_post", "kpis")
    min_posts = int(params.get("min_format_posts", 2))
    min_lift = float(params.get("min_format_lift", 1.2))
    high_min = int(params.get("high_min_posts", 3))
    level = float(params.get("interval_level", 0.9))
    p = kpi_post[["post_id", "creator_id", "platform", "format", "reach"]].merge(
        post_conversions[["post_id", "attributed_conversions"]], on="post_id", how="left")
    p["attributed_conversions"] = p["attributed_conversions"].fillna(0.0)
    p = p[p["reach"].fillna(0) > 0]
    f = p.groupby(["creator_id", "platform", "format"]).agg(
        conv=("attributed_conversions", "sum"), reach=("reach", "sum"), n=("post_id", "size")).reset_index()
    cp = p.groupby(["creator_id", "platform"]).agg(
        cp_conv=("attributed_conversions", "sum"), cp_reach=("reach", "sum"),
        cp_n=("post_id", "size")).reset_index()
    f = f.merge(cp, on=["creator_id", "platform"])
    f["other_n"] = f["cp_n"] - f["n"]
    f["rate"] = f["conv"] / f["n"]
    f["other_rate"] = (f["cp_conv"] - f["conv"]) / f["other_n"].where(f["other_n"] > 0)
    f["lift"] = f["rate"] / f["other_rate"].where(f["other_rate"] > 0)
    ok = (f["n"] >= min_posts) & (f["other_n"] >= 1) & (f["lift"] >= min_lift) & (f["conv"] > 0)
    f = f[ok].copy()
    low, _ = poisson_interval(f["conv"].to_numpy(), level)
    above = low / f["n"].to_numpy() > f["other_rate"].to_numpy()
    f["confidence"] = np.where(above & (f["n"] >= high_min), "high", np.where(above, "medium", "low"))
    f["impact"] = f["rate"] - f["other_rate"]
    f = f.sort_values(["creator_id", "platform", "impact"], ascending=[True, True, False])
    return f.groupby(["creator_id", "platform"]).head(1).reset_index(drop=True)


def _format_sentence(r) -> tuple[str, dict]:
    plat, fmt = PLATFORM_NAMES.get(r.platform, r.platform), FORMAT_NAMES.get(r.format, r.format)
    figs = {"platform": r.platform, "format": r.format,
            "conversions_per_post": round(float(r.rate), 2), "n_posts": int(r.n),
            "other_conversions_per_post": round(float(r.other_rate), 2),
            "other_n_posts": int(r.other_n)}
    text = (f"{r.creator_id}'s audience converts most on {fmt} on {plat}: "
            f"{figs['conversions_per_post']:.2f} attributed conversions per post over "
            f"{figs['n_posts']} posts, against {figs['other_conversions_per_post']:.2f} on "
            f"their {figs['other_n_posts']} other {plat} posts, so a dedicated "
            f"{FORMAT_SINGULAR.get(r.format, r.format)} review is likely to pay off.")
    return text, figs


def _window_sentence(r) -> tuple[str, dict]:
    plat = PLATFORM_NAMES.get(r.platform, r.platform)
    figs = {"platform": r.platform, "window": r.window, "timezone": r.timezone,
            "lift": round(float(r.lift), 2), "lift_low": round(float(r.lift_low), 2),
            "lift_high": round(float(r.lift_high), 2), "n_posts_window": int(r.n_posts_window)}
    text = (f"Publishing on {plat} {r.window} ({r.timezone}) has drawn {figs['lift']:.2f}× "
            f"{r.creator_id}'s average conversions (interval {figs['lift_low']:.2f} to "
            f"{figs['lift_high']:.2f}, {figs['n_posts_window']} "
            f"{'post' if figs['n_posts_window'] == 1 else 'posts'} in that window): schedule "
            f"the next {plat} post there.")
    return text, figs


def _decision_sentence(r) -> tuple[str, dict]:
    figs = {"decision": r.decision,
            "performance_score": None if pd.isna(r.performance_score) else round(float(r.performance_score), 1),
            "roi": None if pd.isna(r.roi) else round(float(r.roi), 2)}
    score = "n/a" if figs["performance_score"] is None else f"{figs['performance_score']:.1f}"
    roi = "n/a" if figs["roi"] is None else f"{figs['roi']:.2f}"
    text = (f"Partnership with {r.creator_id}: {r.decision} (performance score {score}, "
            f"ROI {roi}).")
    return text, figs


def creator_suggestions(kpi_post: pd.DataFrame, post_conversions: pd.DataFrame,
                        posting_windows: pd.DataFrame, partnership_decisions: pd.DataFrame,
                        params: dict) -> pd.DataFrame:
    """→ one row per creator with a finding: the sentences, the figures they cite, the impact."""
    max_sentences = int(params.get("max_sentences", 2))
    min_window_lift = float(params.get("min_window_lift", 1.1))
    model_used = str(post_conversions["model_used"].iloc[0]) if len(post_conversions) else "none"
    findings: dict[str, list[tuple[float, str, str, dict, str]]] = {}

    for r in format_findings(kpi_post, post_conversions, params).itertuples():
        text, figs = _format_sentence(r)
        findings.setdefault(r.creator_id, []).append((float(r.impact), "format", text, figs, r.confidence))
    w = posting_windows
    if len(w):
        w = w[(w["basis"] == "creator") & (w["lift"] >= min_window_lift)]
        w = w.sort_values(["creator_id", "expected_extra_conversions_per_post"],
                          ascending=[True, False]).groupby("creator_id").head(1)
        for r in w.itertuples():
            text, figs = _window_sentence(r)
            impact = float(r.expected_extra_conversions_per_post)
            findings.setdefault(r.creator_id, []).append((impact, "window", text, figs, r.confidence))
    decisions = partnership_decisions.set_index("creator_id") if len(partnership_decisions) else None
    rows = []
    creators = sorted(set(findings) | (set(decisions.index) if decisions is not None else set()))
    for cid in creators:
        items = sorted(findings.get(cid, []), key=lambda t: -t[0])[:max_sentences]
        d = decisions.loc[cid] if decisions is not None and cid in decisions.index else None
        if d is not None and d["decision"] == "conclude":
            items = []  # no advice on posting for a partnership we advise to end
        if d is not None and len(items) < max_sentences:
            if d["decision"] != "watch":
                text, figs = _decision_sentence(SimpleNamespace(creator_id=cid, **d.to_dict()))
                items.append((0.0, "partnership", text, figs, d["confidence"]))
        if not items:
            continue
        rows.append({
            "creator_id": cid,
            "suggestion": " ".join(t[2] for t in items),
            "findings": "; ".join(t[1] for t in items),
            "figures_cited": json.dumps([{"finding": t[1], **t[3]} for t in items], sort_keys=True),
            "expected_extra_conversions_per_post": float(sum(t[0] for t in items)),
            "confidence": items[0][4],  # the leading finding's
        })
    out = pd.DataFrame(rows, columns=[c for c in OUTPUT_COLUMNS if c not in ("rank", "model_used")])
    out["expected_extra_conversions_per_post"] = out["expected_extra_conversions_per_post"].astype("float64")
    out["model_used"] = model_used
    out = rank_by_impact(out, "expected_extra_conversions_per_post", ["creator_id"])
    return as_text(out, ["creator_id", "suggestion", "findings", "figures_cited", "confidence",
                         "model_used"])
