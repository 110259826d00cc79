"""Next-campaign ROI: leakage-free features, XGBoost, a time-ordered backtest with baselines,
intervals and SHAP drivers in words.

The unit is a creator × campaign row ("contract"). Its features are what the brand knew when
that campaign started (`cutoff` = campaign start):

* the creator's profile: followers, tier, number of platforms, primary platform, niche;
* the contract's terms, agreed before the start: investment, fee per deliverable, fee per
  1,000 followers, deliverables, product-cost share, the campaign's objective, and how many
  contracts the creator already had with the brand;
* the creator's finished history: only campaigns that ended at least `history_lag_days` before
  the cutoff (their attributed revenue has mostly arrived) — ROAS (last, mean, pooled),
  conversions per 1,000 followers, revenue per deliverable, authentic engagement rate, click
  rate, reach per follower, like:comment ratio, positive comment share, content quality,
  delivery rate, days since the last one ended, video share of its posts (format mix).

Target: y = ln(attributed ROAS + target_offset); predicted ROI = exp(ŷ) − target_offset − 1.

Backtest: for each campaign start s (in time order) a model is fitted on the rows whose outcome
was known by s (campaign ended + history_lag_days ≤ s) and predicts the rows starting at s.
Rows before `min_train_rows` known outcomes get the tier average. The baselines at the same
cutoff: naive = the creator's last finished attributed ROI (tier average without history);
tier average = pooled ROI Σ revenue / Σ investment − 1 of the tier's finished rows.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.stats import spearmanr

from roi_ml.creators.errors import CreatorScoringInputError
from roi_ml.creators.roi import ratio

log = logging.getLogger(__name__)

TIER_ORDER = {"nano": 0, "micro": 1, "mid": 2, "macro": 3, "mega": 4}

PROFILE_FEATURES = ["log_followers", "tier_rank", "n_platforms"]
CONTRACT_FEATURES = ["log_investment", "log_followers_per_dollar", "log_fee_per_deliverable",
                     "deliverables_committed", "fee_per_1k_followers", "product_cost_share",
                     "is_awareness", "prior_contracts"]
HISTORY_FEATURES = ["n_finished", "last_log_roas", "mean_log_roas", "pooled_log_roas",
                    "conversions_per_1k_followers", "log_revenue_per_deliverable",
                    "authentic_engagement_rate", "click_rate", "reach_per_follower",
                    "like_comment_ratio", "positive_comment_share", "content_quality",
                    "delivery_rate", "days_since_last_end", "video_share"]
# Past rates compared with the creator's peers (same tier × primary platform), as
# ln(creator's rate / peers' median rate) over campaigns finished by the cutoff.
RELATIVE_RATES = ["click_rate", "authentic_engagement_rate", "reach_per_follower",
                  "like_comment_ratio", "conversions_per_1k_followers", "positive_comment_share"]
BASE_FEATURES = [*PROFILE_FEATURES, *CONTRACT_FEATURES, *HISTORY_FEATURES,
                 *[f"rel_{r}" for r in RELATIVE_RATES]]

# How each feature reads in a sentence: (label, formatter of the raw feature value).
FEATURE_WORDS = {
    "log_followers": ("followers", lambda v: f"{math.exp(v):,.0f}"),
    "tier_rank": ("tier", lambda v: {i: t for t, i in TIER_ORDER.items()}.get(int(v), str(v))),
    "n_platforms": ("platforms", lambda v: f"{v:.0f}"),
    "log_investment": ("investment", lambda v: f"${math.exp(v):,.0f}"),
    "log_followers_per_dollar": ("followers per dollar invested", lambda v: f"{math.exp(v):,.1f}"),
    "log_fee_per_deliverable": ("fee per deliverable", lambda v: f"${math.exp(v):,.0f}"),
    "deliverables_committed": ("deliverables", lambda v: f"{v:.0f}"),
    "fee_per_1k_followers": ("fee per 1,000 followers", lambda v: f"${v:,.2f}"),
    "product_cost_share": ("product share of cost", lambda v: f"{v:.0%}"),
    "is_awareness": ("campaign objective", lambda v: "awareness" if v >= 0.5 else "conversion"),
    "prior_contracts": ("earlier contracts with the brand", lambda v: f"{v:.0f}"),
    "n_finished": ("finished campaigns", lambda v: f"{v:.0f}"),
    "last_log_roas": ("last campaign's ROAS", None),
    "mean_log_roas": ("average past ROAS", None),
    "pooled_log_roas": ("past ROAS overall", None),
    "conversions_per_1k_followers": ("past conversions per 1,000 followers", lambda v: f"{v:.2f}"),
    "log_revenue_per_deliverable": ("past revenue per deliverable", lambda v: f"${math.exp(v) - 1:,.0f}"),
    "authentic_engagement_rate": ("authentic engagement rate", lambda v: f"{v:.1%}"),
    "click_rate": ("click rate", lambda v: f"{v:.2%}"),
    "reach_per_follower": ("reach per follower per post", lambda v: f"{v:.1%}"),
    "like_comment_ratio": ("like:comment ratio", lambda v: f"{v:.0f}"),
    "positive_comment_share": ("positive comment share", lambda v: f"{v:.0%}"),
    "content_quality": ("content quality", lambda v: f"{v:.1f}/5"),
    "delivery_rate": ("delivery rate", lambda v: f"{v:.0%}"),
    "days_since_last_end": ("days since the last campaign", lambda v: f"{v:.0f}"),
    "video_share": ("past video share of posts", lambda v: f"{v:.0%}"),
    **{f"rel_{r}": (f"{r.replace('_', ' ')} against peers", lambda v: f"×{math.exp(v):.2f}")
       for r in ("click_rate", "authentic_engagement_rate", "reach_per_follower",
                 "like_comment_ratio", "conversions_per_1k_followers", "positive_comment_share")},
}


@dataclass
class RoiModelConfig:
    """Settings of the next-campaign ROI model (conf: creator_scoring.model)."""

    target_offset: float = 0.1
    history_lag_days: int = 14
    min_train_rows: int = 40
    interval_level: float = 0.8
    top_drivers: int = 3
    shap_plot_features: int = 15
    next_objective: str = "conversion"
    video_formats: list = field(default_factory=lambda: ["short", "video", "long_form"])
    xgboost: dict = field(default_factory=lambda: {
        "n_estimators": 300, "max_depth": 3, "learning_rate": 0.05, "subsample": 0.8,
        "colsample_bytree": 0.8, "min_child_weight": 5.0, "reg_lambda": 1.0, "random_state": 0})

    @classmethod
    def from_params(cls, params: dict) -> RoiModelConfig:
        known = {k: v for k, v in (params or {}).items() if k in cls.__dataclass_fields__}
        unknown = set(params or {}) - set(known)
        if unknown:
            raise ValueError(f"creator_scoring.model: unknown key(s) {sorted(unknown)} in "
                             f"conf/base/parameters_creator_scoring.yml; known: "
                             f"{sorted(cls.__dataclass_fields__)}")
        cfg = cls(**known)
        if not 0 < cfg.interval_level < 1:
            raise ValueError("creator_scoring.model.interval_level must be in (0, 1)")
        if cfg.target_offset <= 0:
            raise ValueError("creator_scoring.model.target_offset must be > 0 (ln of ROAS + offset)")
        return cfg


def to_target(roas, offset: float) -> np.ndarray:
    """y = ln(ROAS + offset)."""
    return np.log(np.asarray(roas, dtype="float64") + offset)


def to_roi(y, offset: float) -> np.ndarray:
    """ROI from the model's scale: exp(y) − offset − 1."""
    return np.exp(np.asarray(y, dtype="float64")) - offset - 1.0


def category_columns(static: pd.DataFrame) -> list[str]:
    """One-hot columns for primary platform and niche, from the roster (known in advance)."""
    cols = [f"platform_{p}" for p in sorted(static["primary_platform"].astype("str").unique())]
    cols += [f"niche_{n}" for n in sorted(static["niche"].astype("str").unique())]
    return cols


def creator_profile(creators: pd.DataFrame, creator_platforms: pd.DataFrame) -> pd.DataFrame:
    """creator_id, tier, primary_platform, niche, followers, log_followers, tier_rank,
    n_platforms and the one-hot platform_* / niche_* columns."""
    c = creators[["creator_id", "tier", "primary_platform", "niche", "max_followers"]].copy()
    c["creator_id"] = c["creator_id"].astype("str")
    for col in ("tier", "primary_platform", "niche"):
        c[col] = c[col].astype("str").fillna("unknown")
    c["followers"] = pd.to_numeric(c["max_followers"], errors="coerce").astype("float64")
    c["log_followers"] = np.log(c["followers"].clip(lower=1.0))
    c["tier_rank"] = c["tier"].map(TIER_ORDER).astype("float64")
    npl = creator_platforms.assign(creator_id=creator_platforms["creator_id"].astype("str")) \
        .groupby("creator_id")["platform"].nunique()
    c["n_platforms"] = c["creator_id"].map(npl).fillna(1).astype("float64")
    for col in category_columns(c):
        kind, value = col.split("_", 1)
        src = "primary_platform" if kind == "platform" else "niche"
        c[col] = (c[src] == value).astype("float64")
    return c.drop(columns=["max_followers"])


def build_feature_table(history: pd.DataFrame, profile: pd.DataFrame,
                        cfg: RoiModelConfig) -> pd.DataFrame:
    """Features of every row of `history` as of its own campaign start.

    `history` has one row per creator × campaign: creator_id, campaign_id, campaign_start,
    campaign_end, objective, investment_usd, fee_usd, product_cost_usd,
    deliverables_committed, deliverables_delivered, content_quality_rating,
    attributed_conversions, attributed_revenue, roas, reach, engagements_authentic,
    link_clicks, likes, comments, comments_positive, comments_labelled, n_posts.
    Out: the history's keys plus cutoff, target (null when ROAS is null) and the features."""
    h = history.copy()
    h["known_at"] = h["campaign_end"] + pd.Timedelta(days=cfg.history_lag_days)
    rows = h[["creator_id", "campaign_id", "campaign_start", "campaign_end", "known_at",
              "objective", "investment_usd", "fee_usd", "product_cost_usd",
              "deliverables_committed", "roas"]].copy()
    rows = rows.rename(columns={"campaign_start": "cutoff"})
    rows = rows.merge(profile, on="creator_id", how="left")
    _contract_features(rows)
    rows["prior_contracts"] = (rows.sort_values("cutoff").groupby("creator_id").cumcount()
                               .reindex(rows.index).astype("float64"))
    past = history_features(rows[["creator_id", "campaign_id", "cutoff", "followers"]], h, cfg)
    rows = rows.merge(past, on=["creator_id", "campaign_id"], how="left")
    rows = peer_relative_rates(rows, h.merge(profile[["creator_id", "followers", "tier",
                                                       "primary_platform"]], on="creator_id"))
    rows["target"] = to_target(rows["roas"], cfg.target_offset)
    return rows


def _contract_features(rows: pd.DataFrame) -> None:
    inv = rows["investment_usd"].astype("float64")
    deliverables = pd.to_numeric(rows["deliverables_committed"], errors="coerce").astype("float64")
    fee_per = ratio(rows["fee_usd"], deliverables.clip(lower=1.0))
    rows["log_investment"] = np.log1p(inv.clip(lower=0.0))
    rows["log_followers_per_dollar"] = rows["log_followers"] - rows["log_investment"]
    rows["log_fee_per_deliverable"] = np.log1p(np.nan_to_num(fee_per, nan=0.0))
    rows["deliverables_committed"] = deliverables
    rows["fee_per_1k_followers"] = ratio(fee_per, rows["followers"] / 1000.0)
    rows["product_cost_share"] = ratio(rows["product_cost_usd"], inv)
    rows["is_awareness"] = (rows["objective"].astype("str") == "awareness").astype("float64")


def history_features(targets: pd.DataFrame, history: pd.DataFrame,
                     cfg: RoiModelConfig) -> pd.DataFrame:
    """Aggregates of each target row's creator's campaigns finished by its cutoff
    (known_at = campaign_end + history_lag_days ≤ cutoff). Null when there is none."""
    cols = ["creator_id", "campaign_end", "known_at", "roas", "investment_usd",
            "attributed_revenue", "attributed_conversions", "deliverables_committed",
            "deliverables_delivered", "content_quality_rating", "reach", "engagements_authentic",
            "link_clicks", "likes", "comments", "comments_positive", "comments_labelled", "n_posts",
            "video_posts"]
    if "video_posts" not in history:            # no post formats known: video_share is null
        history = history.assign(video_posts=np.nan)
    p = targets.merge(history[cols], on="creator_id", how="inner")
    p = p[p["known_at"] <= p["cutoff"]].copy()
    keys = ["creator_id", "campaign_id"]
    out = targets[keys].copy()
    if p.empty:
        for f in HISTORY_FEATURES:
            out[f] = 0.0 if f == "n_finished" else np.nan
        out["naive_roi"] = np.nan
        return out
    p["log_roas"] = to_target(p["roas"], cfg.target_offset)
    p = p.sort_values([*keys, "campaign_end"])
    g = p.groupby(keys)
    s = g.agg(n_finished=("roas", "size"), last_log_roas=("log_roas", "last"),
              naive_roas=("roas", "last"), mean_log_roas=("log_roas", "mean"),
              last_end=("campaign_end", "max"), inv=("investment_usd", "sum"),
              rev=("attributed_revenue", "sum"), conv=("attributed_conversions", "sum"),
              deliv=("deliverables_delivered", "sum"), committed=("deliverables_committed", "sum"),
              quality=("content_quality_rating", "mean"), reach=("reach", "sum"),
              eng=("engagements_authentic", "sum"), clicks=("link_clicks", "sum"),
              likes=("likes", "sum"), comments=("comments", "sum"),
              positive=("comments_positive", "sum"), labelled=("comments_labelled", "sum"),
              posts=("n_posts", "sum"), video=("video_posts", "sum"),
              video_known=("video_posts", "count"),
              followers=("followers", "first"),
              cutoff=("cutoff", "first")).reset_index()
    s["pooled_log_roas"] = to_target(ratio(s["rev"], s["inv"]), cfg.target_offset)
    s["conversions_per_1k_followers"] = ratio(s["conv"], s["followers"] / 1000.0 * s["n_finished"])
    s["log_revenue_per_deliverable"] = np.log1p(ratio(s["rev"], s["deliv"]))
    s["authentic_engagement_rate"] = ratio(s["eng"], s["reach"])
    s["click_rate"] = ratio(s["clicks"], s["reach"])
    s["reach_per_follower"] = ratio(s["reach"], s["posts"] * s["followers"])
    s["like_comment_ratio"] = ratio(s["likes"], s["comments"])
    s["positive_comment_share"] = ratio(s["positive"], s["labelled"])
    s["content_quality"] = s["quality"].astype("float64")
    s["delivery_rate"] = ratio(s["deliv"], s["committed"])
    s["video_share"] = ratio(s["video"].where(s["video_known"] > 0), s["posts"])
    s["days_since_last_end"] = (s["cutoff"] - s["last_end"]).dt.days.astype("float64")
    s["n_finished"] = s["n_finished"].astype("float64")
    s["naive_roi"] = s["naive_roas"] - 1.0
    feats = HISTORY_FEATURES
    out = out.merge(s[[*keys, *feats, "naive_roi"]], on=keys, how="left")
    out["n_finished"] = out["n_finished"].fillna(0.0)
    return out


def campaign_rates(history: pd.DataFrame) -> pd.DataFrame:
    """The RELATIVE_RATES of each finished campaign on its own (history joined with followers)."""
    h = history
    return pd.DataFrame({
        "click_rate": ratio(h["link_clicks"], h["reach"]),
        "authentic_engagement_rate": ratio(h["engagements_authentic"], h["reach"]),
        "reach_per_follower": ratio(h["reach"], h["n_posts"] * h["followers"]),
        "like_comment_ratio": ratio(h["likes"], h["comments"]),
        "conversions_per_1k_followers": ratio(h["attributed_conversions"], h["followers"] / 1000.0),
        "positive_comment_share": ratio(h["comments_positive"], h["comments_labelled"]),
    }, index=h.index)


def peer_relative_rates(rows: pd.DataFrame, history: pd.DataFrame) -> pd.DataFrame:
    """rel_<rate> = ln(row's past <rate> / median <rate> of the campaigns of its tier × primary
    platform peers finished by the row's cutoff); null without history, peers or a positive
    rate. Only campaigns known by the cutoff enter the median: no look-ahead."""
    out = rows.copy()
    h = history.copy()
    rates = campaign_rates(h)
    h = pd.concat([h[["known_at", "tier", "primary_platform"]], rates], axis=1)
    group = out["tier"].astype("str") + "|" + out["primary_platform"].astype("str")
    h_group = h["tier"].astype("str") + "|" + h["primary_platform"].astype("str")
    for rate in RELATIVE_RATES:
        out[f"rel_{rate}"] = np.nan
    for cutoff in out["cutoff"].dropna().unique():
        at = out["cutoff"] == cutoff
        known = h["known_at"] <= cutoff
        if not known.any():
            continue
        med = h[known].groupby(h_group[known])[RELATIVE_RATES].median()
        for rate in RELATIVE_RATES:
            peer = group[at].map(med[rate]).to_numpy(dtype="float64")
            own = out.loc[at, rate].to_numpy(dtype="float64")
            ok = (own > 0) & (peer > 0)
            val = np.full(len(own), np.nan)
            np.log(own, out=val, where=ok)
            val[ok] -= np.log(peer[ok])
            out.loc[at, f"rel_{rate}"] = val
    return out


def feature_names(profile: pd.DataFrame) -> list[str]:
    return [*BASE_FEATURES, *category_columns(profile)]


def fit_model(X: pd.DataFrame, y: np.ndarray, cfg: RoiModelConfig):
    """XGBoost regressor on ln(ROAS + offset); missing features stay missing (XGBoost routes
    them), so a creator without history is not imputed as an average one."""
    from xgboost import XGBRegressor

    model = XGBRegressor(objective="reg:squarederror", n_jobs=1, **cfg.xgboost)
    model.fit(finite(X), y)
    return model


def finite(X: pd.DataFrame) -> pd.DataFrame:
    """Features as float64 with ±inf as missing (XGBoost refuses infinities)."""
    return X.astype("float64").replace([np.inf, -np.inf], np.nan)


def training_rows(table: pd.DataFrame, as_of: pd.Timestamp, min_rows: int) -> pd.DataFrame:
    """Rows whose outcome is known by `as_of` (known_at ≤ as_of, a target). With fewer than
    `min_rows` of them (a short history), every row with a target, running campaigns' partial
    outcomes included, with a warning; none at all stops the run."""
    has_target = table["target"].notna() & np.isfinite(table["target"])
    known = table[(table["known_at"] <= as_of) & has_target]
    if len(known) >= min_rows:
        return known
    every = table[has_target]
    if every.empty:
        raise CreatorScoringInputError(
            "creator_scoring: no creator × campaign has an ROI to learn from (every contract "
            "has zero investment or no campaign has started); check contracts' cost columns.")
    log.warning("creator_scoring: only %d outcome(s) known by %s (creator_scoring.model."
                "min_train_rows = %d): the ROI model is fitted on %d row(s) including running "
                "campaigns' partial ROI; treat its predictions as rough", len(known),
                pd.Timestamp(as_of).date(), min_rows, len(every))
    return every


def tier_average_roi(known: pd.DataFrame) -> tuple[pd.Series, float]:
    """Pooled ROI per tier (Σ attributed revenue / Σ investment − 1) and over all rows."""
    k = known[known["investment_usd"] > 0]
    inv = k.groupby("tier")["investment_usd"].sum()
    rev = (k["roas"] * k["investment_usd"]).groupby(k["tier"]).sum()
    overall = float((k["roas"] * k["investment_usd"]).sum() / inv.sum() - 1.0) if inv.sum() > 0 else 0.0
    return (rev / inv - 1.0), overall


def backtest(table: pd.DataFrame, features: list[str], cfg: RoiModelConfig,
             as_of: pd.Timestamp) -> pd.DataFrame:
    """Time-ordered out-of-sample predictions of every row whose outcome is known by `as_of`.

    For each distinct cutoff (campaign start) in time order: train on rows with known_at ≤
    cutoff and a target, predict the rows at that cutoff. Out: creator_id, campaign_id, tier,
    cutoff, target, roi (attributed), predicted_roi, naive_roi, tier_avg_roi, predicted_by,
    n_train, has_history (a finished campaign before the cutoff), is_last (the creator's last
    finished campaign: the held-out campaign)."""
    done = table[(table["known_at"] <= as_of) & table["target"].notna()].copy()
    parts = []
    for cutoff, rows in done.groupby("cutoff", sort=True):
        train = table[(table["known_at"] <= cutoff) & table["target"].notna()]
        tier_avg, overall = tier_average_roi(train) if len(train) else (pd.Series(dtype="float64"), 0.0)
        r = rows[["creator_id", "campaign_id", "tier", "cutoff", "target", "roas"]].copy()
        r["tier_avg_roi"] = r["tier"].map(tier_avg).fillna(overall).astype("float64")
        r["has_history"] = rows["n_finished"].to_numpy() > 0
        r["naive_roi"] = rows["naive_roi"].fillna(r["tier_avg_roi"]).to_numpy()
        r["n_train"] = len(train)
        if len(train) >= cfg.min_train_rows:
            model = fit_model(train[features], train["target"].to_numpy(), cfg)
            r["predicted_log_roas"] = model.predict(finite(rows[features]))
            r["predicted_by"] = "xgboost"
        else:
            r["predicted_log_roas"] = to_target(r["tier_avg_roi"] + 1.0, cfg.target_offset)
            r["predicted_by"] = "tier_average"
        parts.append(r)
    if not parts:
        return pd.DataFrame(columns=["creator_id", "campaign_id", "tier", "cutoff", "target", "roi",
                                     "predicted_roi", "predicted_log_roas", "naive_roi",
                                     "tier_avg_roi", "predicted_by", "n_train", "is_last",
                                     "has_history"])
    out = pd.concat(parts, ignore_index=True)
    out["roi"] = out["roas"] - 1.0
    out["predicted_roi"] = to_roi(out["predicted_log_roas"], cfg.target_offset)
    last = out.sort_values("cutoff").groupby("creator_id").tail(1).index
    out["is_last"] = out.index.isin(last)
    out["predicted_by"] = out["predicted_by"].astype("str")
    return out.drop(columns=["roas"])


def residual_quantiles(bt: pd.DataFrame, level: float) -> tuple[float, float]:
    """Quantiles (1 − level)/2 and (1 + level)/2 of the backtest's out-of-sample residuals
    target − ŷ (model rows only), on the ln(ROAS + offset) scale."""
    r = bt.loc[bt["predicted_by"] == "xgboost", "target"] - bt.loc[bt["predicted_by"] == "xgboost",
                                                                   "predicted_log_roas"]
    r = r[np.isfinite(r)]
    if len(r) < 5:
        return float("nan"), float("nan")
    return float(np.quantile(r, (1 - level) / 2)), float(np.quantile(r, (1 + level) / 2))


def spearman(a, b) -> float:
    a, b = np.asarray(a, dtype="float64"), np.asarray(b, dtype="float64")
    ok = np.isfinite(a) & np.isfinite(b)
    if ok.sum() < 3 or np.unique(a[ok]).size < 2 or np.unique(b[ok]).size < 2:
        return float("nan")
    return float(spearmanr(a[ok], b[ok]).statistic)


def backtest_metrics(bt: pd.DataFrame) -> dict[str, float]:
    """Spearman of model, naive and tier-average predictions against the attributed ROI of
    the held-out last campaigns (and of every backtest row), and MAE on the model scale."""
    out: dict[str, float] = {}
    for name, rows in (("last", bt[bt["is_last"]]), ("all", bt)):
        out[f"{name}_n"] = float(len(rows))
        for col in ("predicted_roi", "naive_roi", "tier_avg_roi"):
            out[f"{name}_spearman_{col.removesuffix('_roi')}"] = spearman(rows[col], rows["roi"])
        model_rows = rows[rows["predicted_by"] == "xgboost"]
        out[f"{name}_mae_log_roas"] = float((model_rows["target"] - model_rows["predicted_log_roas"])
                                            .abs().mean()) if len(model_rows) else float("nan")
    return out


def next_campaign_rows(table: pd.DataFrame, history: pd.DataFrame, profile: pd.DataFrame,
                       cfg: RoiModelConfig, as_of: pd.Timestamp) -> pd.DataFrame:
    """One row per creator to predict: its earliest contract whose outcome is not known by
    `as_of` (running, or ended less than history_lag_days ago), with its own terms, featurised
    at its start; otherwise a hypothetical next contract with the terms of its last one and
    objective `next_objective`, featurised at `as_of`."""
    pending = table[table["known_at"] > as_of].sort_values("cutoff").groupby("creator_id").head(1)
    pending = pending.assign(next_kind="contract in progress")
    rest = history[~history["creator_id"].isin(pending["creator_id"])]
    last = rest.sort_values("campaign_start").groupby("creator_id").tail(1).copy()
    last["campaign_id"] = "next"
    last["campaign_start"] = as_of
    last["campaign_end"] = as_of
    last["objective"] = cfg.next_objective
    last["roas"] = np.nan
    if len(last):
        hyp = build_feature_table(pd.concat([rest, last], ignore_index=True), profile, cfg)
        hyp = hyp[hyp["campaign_id"] == "next"].assign(next_kind="hypothetical next contract")
        hyp["prior_contracts"] = hyp["creator_id"].map(rest.groupby("creator_id").size()).astype("float64")
    else:
        hyp = pending.iloc[0:0]
    return pd.concat([pending, hyp], ignore_index=True)


def explain(model, X: pd.DataFrame) -> np.ndarray:
    """Tree SHAP values (XGBoost's exact path-dependent TreeSHAP, `pred_contribs`), one column
    per feature (the bias column dropped), on the ln(ROAS + offset) scale."""
    from xgboost import DMatrix

    contribs = model.get_booster().predict(DMatrix(finite(X)), pred_contribs=True)
    return contribs[:, :-1]


def driver_text(feature: str, value: float, contribution: float, offset: float) -> str:
    """One driver in words, e.g. 'last campaign's ROAS 2.40 raises the forecast'."""
    direction = "raises" if contribution > 0 else "lowers"
    if feature.startswith("platform_") or feature.startswith("niche_"):
        kind, name = feature.split("_", 1)
        label = f"{'primary platform' if kind == 'platform' else 'niche'} {name}"
        text = label if value >= 0.5 else f"not {label}"
        return f"{text} {direction} the forecast"
    label, fmt = FEATURE_WORDS.get(feature, (feature, None))
    if value is None or not np.isfinite(value):
        return f"{label} unknown (no finished campaign) {direction} the forecast"
    shown = f"{math.exp(value) - offset:.2f}" if fmt is None else fmt(value)
    return f"{label} {shown} {direction} the forecast"


def top_drivers(shap_values: np.ndarray, X: pd.DataFrame, k: int, offset: float) -> list[str]:
    """The k features with the largest |SHAP| per row, in words, joined by '; '."""
    out = []
    cols = list(X.columns)
    for i in range(len(X)):
        order = np.argsort(-np.abs(shap_values[i]))[:k]
        out.append("; ".join(driver_text(cols[j], float(X.iat[i, j]), float(shap_values[i, j]), offset)
                             for j in order if shap_values[i, j] != 0))
    return out
