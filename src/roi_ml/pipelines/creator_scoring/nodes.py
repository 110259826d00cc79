"""Creator scoring nodes: thin adapters from catalog frames to roi_ml.creators.

Formulas and models live in src/roi_ml/creators (roi, performance, predictive); each node
here selects columns, calls them and shapes the output tables.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd

from roi_ml.creators import performance, predictive, roi
from roi_ml.creators.errors import CreatorScoringInputError, require_columns
from roi_ml.registry import ModelBundle

log = logging.getLogger(__name__)

CONF = "conf/base/parameters_creator_scoring.yml"
SCORE_COLUMNS = [
    "creator_id", "tier", "primary_platform", "niche", "n_campaigns", "performance_score",
    "engagement_score", "conversion_score", "brand_fit_score", "investment_usd",
    "attributed_revenue", "roi", "roi_low", "roi_high", "roas", "cpa_usd", "roi_trend",
    "predicted_next_roi", "predicted_next_roi_low", "predicted_next_roi_high", "top_drivers",
    "model_used",
]
BACKTEST_COLUMNS = ["creator_id", "campaign_id", "tier", "campaign_start", "is_last", "roi",
                    "predicted_roi", "naive_roi", "tier_avg_roi", "predicted_by", "n_train",
                    "has_history"]
KPI_HISTORY_COLUMNS = ["n_posts", "reach", "engagements", "engagements_authentic", "link_clicks",
                       "likes", "comments", "comments_positive", "comments_labelled"]


def resolve_as_of(params: dict, post_daily_metrics: pd.DataFrame) -> pd.Timestamp:
    """The date the data runs to: `creator_scoring.as_of_date`, else the last day of
    post_daily_metrics. Campaigns after it have no ROI; outcomes known by it train the model."""
    if params.get("as_of_date"):
        return pd.Timestamp(params["as_of_date"])
    require_columns(post_daily_metrics, ["date"], "post_daily_metrics",
                    "Or set creator_scoring.as_of_date in " + CONF)
    last = roi.naive_dates(post_daily_metrics["date"]).max()
    if pd.isna(last):
        raise CreatorScoringInputError(
            "creator_scoring: post_daily_metrics has no dated row, so the data's end is unknown; "
            f"set creator_scoring.as_of_date in {CONF}.")
    return pd.Timestamp(last).normalize()


def compute_campaign_roi(contracts: pd.DataFrame, campaigns: pd.DataFrame,
                         post_attribution: pd.DataFrame, kpi_creator_campaign: pd.DataFrame,
                         as_of: pd.Timestamp, params: dict) -> pd.DataFrame:
    """creator_campaign_roi: investment against the chosen attribution model's revenue per
    creator × campaign (see roi_ml.creators.roi)."""
    att = params["attribution"]
    credit, model_used = roi.select_attribution_model(
        post_attribution, att["model"], att["fallback_model"], "post_attribution")
    require_columns(kpi_creator_campaign, ["creator_id", "campaign_id", "engagements"],
                    "kpi_creator_campaign", "It is written by the kpis pipeline.")
    return roi.campaign_roi(contracts, campaigns, credit, kpi_creator_campaign, model_used, as_of,
                            params["interval_level"])


def campaign_history(creator_campaign_roi: pd.DataFrame, contracts: pd.DataFrame,
                     campaigns: pd.DataFrame, kpi_creator_campaign: pd.DataFrame,
                     kpi_post: pd.DataFrame, params: dict) -> pd.DataFrame:
    """One row per creator × campaign with its outcome, its contract terms, its campaign's
    dates and objective and its posts' totals (with video_posts, its posts in one of
    `model.video_formats`; null without a kpi_post `format` column): the model's raw material."""
    require_columns(contracts, ["deliverables_committed", "deliverables_delivered",
                                "content_quality_rating"], "contracts",
                    "Map the contract export's columns in conf/base/parameters_ingestion.yml.")
    require_columns(campaigns, ["objective"], "campaigns", "Map the campaign plan's objective column.")
    h = creator_campaign_roi.copy()
    c = contracts.copy()
    for col in ("creator_id", "campaign_id"):
        c[col] = c[col].astype("str")
    terms = c.groupby(["creator_id", "campaign_id"], as_index=False).agg(
        fee_usd=("fee_usd", "sum"), product_cost_usd=("product_cost_usd", "sum"),
        deliverables_committed=("deliverables_committed", "sum"),
        deliverables_delivered=("deliverables_delivered", "sum"),
        content_quality_rating=("content_quality_rating", "mean"))
    for col in terms.columns[2:]:
        terms[col] = pd.to_numeric(terms[col], errors="coerce").astype("float64")
    h = h.merge(terms, on=["creator_id", "campaign_id"], how="left")
    camp = campaigns[["campaign_id", "end_date", "objective"]].copy()
    camp["campaign_id"] = camp["campaign_id"].astype("str")
    camp["campaign_end"] = roi.naive_dates(camp["end_date"])
    camp["objective"] = camp["objective"].astype("str")
    h = h.merge(camp[["campaign_id", "campaign_end", "objective"]], on="campaign_id", how="left")
    k = kpi_creator_campaign[["creator_id", "campaign_id",
                              *[x for x in KPI_HISTORY_COLUMNS if x in kpi_creator_campaign]]].copy()
    for col in ("creator_id", "campaign_id"):
        k[col] = k[col].astype("str")
    h = h.merge(k, on=["creator_id", "campaign_id"], how="left")
    for col in KPI_HISTORY_COLUMNS:
        h[col] = pd.to_numeric(h[col], errors="coerce").astype("float64") if col in h else np.nan
    h["campaign_start"] = roi.naive_dates(h["campaign_start"])
    if "format" in kpi_post:
        cfg = predictive.RoiModelConfig.from_params(params["model"])
        kp = kpi_post.assign(creator_id=kpi_post["creator_id"].astype("str"),
                             campaign_id=kpi_post["campaign_id"].astype("str"))
        kp["video_posts"] = kp["format"].astype("str").isin(cfg.video_formats).astype("float64")
        video = kp.groupby(["creator_id", "campaign_id"], as_index=False)["video_posts"].sum()
        h = h.merge(video, on=["creator_id", "campaign_id"], how="left")
        h["video_posts"] = h["video_posts"].fillna(0.0)
    else:
        log.warning("creator_scoring: kpi_post has no 'format' column; the past video share "
                    "(format mix) is unknown for every creator")
        h["video_posts"] = np.nan
    return h


def build_roi_features(history: pd.DataFrame, creators: pd.DataFrame,
                       creator_platforms: pd.DataFrame, params: dict) -> pd.DataFrame:
    """creator_roi_features: every creator × campaign featurised as of its campaign's start."""
    require_columns(creators, ["creator_id", "tier", "primary_platform", "niche", "max_followers"],
                    "creators", "Map the creator roster's columns in conf/base/parameters_ingestion.yml.")
    cfg = predictive.RoiModelConfig.from_params(params["model"])
    profile = predictive.creator_profile(creators, creator_platforms)
    return predictive.build_feature_table(history, profile, cfg)


def _features(creators: pd.DataFrame, creator_platforms: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    profile = predictive.creator_profile(creators, creator_platforms)
    return profile, predictive.feature_names(profile)


def backtest_roi_model(features: pd.DataFrame, creators: pd.DataFrame,
                       creator_platforms: pd.DataFrame, as_of: pd.Timestamp,
                       params: dict) -> pd.DataFrame:
    """creator_roi_backtest: time-ordered out-of-sample predictions with the naive and
    tier-average baselines; is_last marks each creator's held-out last finished campaign."""
    cfg = predictive.RoiModelConfig.from_params(params["model"])
    _, names = _features(creators, creator_platforms)
    bt = predictive.backtest(features, names, cfg, as_of)
    bt = bt.rename(columns={"cutoff": "campaign_start"})
    m = predictive.backtest_metrics(bt)
    log.info("creator ROI backtest, held-out last campaigns (n=%d) Spearman vs attributed ROI: "
             "model %.3f, naive %.3f, tier average %.3f", m["last_n"],
             m["last_spearman_predicted"], m["last_spearman_naive"], m["last_spearman_tier_avg"])
    return bt[BACKTEST_COLUMNS + ["target", "predicted_log_roas"]].reset_index(drop=True)


def train_roi_model(features: pd.DataFrame, history: pd.DataFrame, backtest: pd.DataFrame,
                    creators: pd.DataFrame, creator_platforms: pd.DataFrame,
                    as_of: pd.Timestamp, params: dict):
    """Fit on every outcome known by `as_of`; predict each creator's next campaign with an
    interval (backtest residual quantiles) and its top SHAP drivers in words.

    Out: ModelBundle (→ MLflow registry), creator_next_roi, SHAP summary figure, metrics."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import shap

    cfg = predictive.RoiModelConfig.from_params(params["model"])
    profile, names = _features(creators, creator_platforms)
    known = predictive.training_rows(features, as_of, cfg.min_train_rows)
    model = predictive.fit_model(known[names], known["target"].to_numpy(), cfg)
    nxt = predictive.next_campaign_rows(features, history, profile, cfg, as_of)
    X = predictive.finite(nxt[names]).reset_index(drop=True)
    y_hat = model.predict(X)
    q_lo, q_hi = predictive.residual_quantiles(backtest, cfg.interval_level)
    if not np.isfinite(q_lo):
        log.warning("creator_scoring: the backtest has fewer than 5 model predictions; the "
                    "next-ROI interval uses the model's in-sample residuals (too narrow)")
        resid = known["target"].to_numpy() - model.predict(predictive.finite(known[names]))
        q_lo, q_hi = (float(np.quantile(resid, (1 - cfg.interval_level) / 2)),
                      float(np.quantile(resid, (1 + cfg.interval_level) / 2)))
    sv = predictive.explain(model, X)
    out = pd.DataFrame({
        "creator_id": nxt["creator_id"].astype("str").to_numpy(),
        "next_campaign_id": nxt["campaign_id"].astype("str").to_numpy(),
        "next_kind": nxt["next_kind"].astype("str").to_numpy(),
        "predicted_next_roi": predictive.to_roi(y_hat, cfg.target_offset),
        "predicted_next_roi_low": predictive.to_roi(y_hat + q_lo, cfg.target_offset),
        "predicted_next_roi_high": predictive.to_roi(y_hat + q_hi, cfg.target_offset),
        "top_drivers": predictive.top_drivers(sv, X, cfg.top_drivers, cfg.target_offset),
    })
    for col in ("creator_id", "next_campaign_id", "next_kind", "top_drivers"):
        out[col] = out[col].astype("str")

    fig = plt.figure(figsize=(9, 7))
    shap.summary_plot(sv, X, show=False, max_display=cfg.shap_plot_features)
    fig = plt.gcf()
    fig.suptitle("Next-campaign ROI model: SHAP values (ln ROAS scale)")

    bt = predictive.backtest_metrics(backtest)
    metrics = {name: {"value": float(v), "step": 0} for name, v in bt.items() if np.isfinite(v)}
    metrics["train_rows"] = {"value": float(len(known)), "step": 0}
    example = X.head(5)
    bundle = ModelBundle(model=model, input_example=example,
                         output_example=pd.DataFrame({"ln_roas_plus_offset": model.predict(example)}),
                         metadata={"features": names, "target": "ln(attributed ROAS + target_offset)",
                                   "target_offset": cfg.target_offset, "as_of": str(as_of.date()),
                                   "train_rows": len(known), "residual_quantiles": [q_lo, q_hi]})
    return bundle, out, fig, metrics


def _units(frame: pd.DataFrame, value: pd.Series) -> pd.DataFrame:
    return pd.DataFrame({"creator_id": frame["creator_id"].astype("str").to_numpy(),
                         "value": pd.to_numeric(value, errors="coerce").astype("float64").to_numpy()})


def score_creators(creator_campaign_roi: pd.DataFrame, history: pd.DataFrame,
                   creators: pd.DataFrame, kpi_post: pd.DataFrame, contracts: pd.DataFrame,
                   creator_attribution: pd.DataFrame, creator_next_roi: pd.DataFrame,
                   as_of: pd.Timestamp, params: dict) -> pd.DataFrame:
    """creator_scores: per creator with at least one started contract — overall ROI with its
    interval and trend (over campaigns ended by `as_of`: a running campaign's partial revenue
    would look like a decline), the 0–100 performance score and its components, and the
    next-campaign prediction with its drivers."""
    require_columns(kpi_post, ["creator_id", "engagement_rate_by_reach_authentic",
                               "comments_positive", "comments_labelled", "has_disclosure"],
                    "kpi_post", "It is written by the kpis pipeline.")
    cr = creator_campaign_roi
    used = str(cr["model_used"].iloc[0]) if len(cr) else params["attribution"]["model"]
    ci = creator_attribution[creator_attribution["model"].astype("str") == used] \
        if "model" in creator_attribution else None
    overall = roi.creator_roi(cr, params["interval_level"], ci)  # the model's own interval if any
    t = params["trend"]
    overall["roi_trend"] = overall["creator_id"].map(
        roi.roi_trend(history[history["campaign_end"] <= as_of], t["threshold"], t["roas_offset"],
                      t["min_campaigns"])).fillna("single_campaign").astype("str")
    c = creators.copy()
    c["creator_id"] = c["creator_id"].astype("str")
    scored = c[c["creator_id"].isin(overall["creator_id"])]
    groups = performance.peer_groups(scored, params["score"]["min_group_size"])

    posts = kpi_post[kpi_post["creator_id"].astype("str").isin(groups.index)]
    labelled = pd.to_numeric(posts["comments_labelled"], errors="coerce")
    ct = contracts[contracts["creator_id"].astype("str").isin(groups.index)]
    committed = pd.to_numeric(ct["deliverables_committed"], errors="coerce")
    conv_offset = params["score"]["conversion_roas_offset"]
    units = {
        "engagement": _units(posts, posts["engagement_rate_by_reach_authentic"]),
        "conversion": _units(cr, np.log(cr["roas"] + conv_offset)),
        "sentiment": _units(posts, pd.to_numeric(posts["comments_positive"], errors="coerce")
                            / labelled.where(labelled > 0)),
        "content_quality": _units(ct, ct["content_quality_rating"]),
        "compliance": _units(posts, posts["has_disclosure"].astype("float64")),
        "delivery": _units(ct, pd.to_numeric(ct["deliverables_delivered"], errors="coerce")
                           / committed.where(committed > 0)),
    }
    s = params["score"]
    scores = performance.performance_scores(units, groups, s["weights"], s["brand_fit_weights"])
    no_sentiment = scores.index[scores["sentiment_units"] == 0]
    if len(no_sentiment):
        log.info("creator_scoring: %d creator(s) without labelled comments get their peer group's "
                 "sentiment (no penalty, no bonus): %s", len(no_sentiment), list(no_sentiment[:10]))
    out = overall.merge(scores.reset_index(), on="creator_id", how="left")
    out = out.merge(c[["creator_id", "tier", "primary_platform", "niche"]], on="creator_id", how="left")
    out = out.merge(creator_next_roi, on="creator_id", how="left")
    out["model_used"] = str(cr["model_used"].iloc[0]) if len(cr) else params["attribution"]["model"]
    for col in ("tier", "primary_platform", "niche", "roi_trend", "top_drivers", "model_used"):
        out[col] = out[col].astype("str")
    out["n_campaigns"] = out["n_campaigns"].astype("int64")
    return out[SCORE_COLUMNS].sort_values("performance_score", ascending=False).reset_index(drop=True)


def scoring_metrics(creator_scores: pd.DataFrame, roi_model_metrics: dict[str, Any]) -> dict[str, Any]:
    """creator_scoring_metrics for MLflow: the backtest figures plus counts of the output."""
    out = dict(roi_model_metrics)
    out["creators_scored"] = {"value": float(len(creator_scores)), "step": 0}
    out["median_performance_score"] = {"value": float(creator_scores["performance_score"].median()),
                                       "step": 0}
    return out
