"""Data-driven attribution nodes: thin adapters over `roi_ml.attribution.data_driven`.

Flow: `prepare_data_driven_inputs` (events journeys + cart sessions + posts + creators → the
model's frames) → `credit_data_driven_model` (XGBoost conversion model, Shapley credit against
the no-creator baseline, bootstrap intervals; linear fallback under
`min_conversions_for_data_driven`) → `add_view_through` (the view-through estimate, spread to the
creators' posts and taken out of the touchless conversions) → the `data_driven` rows of
`entity_attribution` and the creator intervals used by `roll_up_credit`.
"""

from __future__ import annotations

import importlib
import logging
import time

import numpy as np
import pandas as pd

from roi_ml.attribution import NONE_ENTITY
from roi_ml.attribution.data_driven import (
    DataDrivenConfig,
    credit_data_driven,
    frames_from_events,
)
from roi_ml.pipelines.attribution.config import AttributionConfig
from roi_ml.pipelines.attribution.nodes import (
    ENTITY_CREDIT_COLUMNS,
    _check_conserved,
    _str,
    credit_entities,
    empty_entity_credit,
)
from roi_ml.registry import ModelBundle

log = logging.getLogger(__name__)

MODEL = "data_driven"
FALLBACK = "linear"
INTERVAL_COLUMNS = ["conversions_ci_low", "conversions_ci_high", "revenue_ci_low", "revenue_ci_high"]
TOUCHLESS_CHANNELS = (NONE_ENTITY, "direct", "organic_search")
"""Where view-through conversions hide: a person who saw a post and later came by search or
directly. The view-through credit is taken out of these entities' data-driven credit."""


def _pandas(x) -> pd.DataFrame:
    return x if isinstance(x, pd.DataFrame) else x.execute()


def empty_intervals() -> pd.DataFrame:
    """Creator intervals with no rows: creator_id, model and the four interval bounds."""
    out = pd.DataFrame({"creator_id": pd.Series([], dtype="str"), "model": pd.Series([], dtype="str")})
    for c in INTERVAL_COLUMNS:
        out[c] = pd.Series([], dtype="float64")
    return out


# --------------------------------------------------------------------------------- inputs
def prepare_data_driven_inputs(journeys, journey_touches, sessions, posts: pd.DataFrame,
                               creators: pd.DataFrame, params: dict
                               ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The events journeys and touches (Ibis or pandas) → the data-driven model's frames.

    In: `journeys`, `journey_touches` (data/03_primary), `sessions` (only user_pseudo_id,
    session_start and add_to_carts are read: sessions with a cart mark shopping intent),
    canonical `posts` (platform, format) and `creators` (tier), the `attribution` parameters
    (max_path_length). Out: (data_driven_touches, data_driven_journeys) as described in
    `roi_ml.attribution.data_driven.frames_from_events`. Empty when data_driven is not in
    attribution.models.
    """
    cfg = AttributionConfig.from_params(params)
    if MODEL not in cfg.models:
        return pd.DataFrame(), pd.DataFrame()
    s = sessions if isinstance(sessions, pd.DataFrame) else None
    if s is None:
        st = sessions
        s = st.filter(st.add_to_carts > 0).select("user_pseudo_id", "session_start").execute()
    else:
        s = s.loc[s["add_to_carts"] > 0, ["user_pseudo_id", "session_start"]]
    touches, dd_journeys = frames_from_events(_pandas(journeys), _pandas(journey_touches), s,
                                              posts, creators, cfg.max_path_length)
    log.info("data_driven inputs: %d journeys (%d converting), %d touches, %d creator touches, "
             "%d sessions with a cart", len(dd_journeys), int(dd_journeys["converted"].sum()),
             len(touches), int(touches["creator_id"].notna().sum()), len(s))
    return touches, dd_journeys


# --------------------------------------------------------------------------------- credit
def _entity_table(totals: pd.DataFrame, entities: pd.Series, model_used: str) -> pd.DataFrame:
    """Credit per entity (journey rows summed) on every known entity, ENTITY_CREDIT_COLUMNS."""
    g = totals.groupby("entity")[["conversions", "revenue"]].sum()
    idx = pd.Index(pd.concat([_str(entities), pd.Series(g.index, dtype="str")]).drop_duplicates())
    g = g.reindex(idx, fill_value=0.0)
    n = len(g)
    return pd.DataFrame({
        "model": pd.Series([MODEL] * n, dtype="str"),
        "model_used": pd.Series([model_used] * n, dtype="str"),
        "entity": pd.Series(g.index, dtype="str"),
        "attributed_conversions": g["conversions"].to_numpy(float),
        "attributed_revenue": g["revenue"].to_numpy(float),
        "conversions_ci_low": pd.array([pd.NA] * n, dtype="Float64"),
        "conversions_ci_high": pd.array([pd.NA] * n, dtype="Float64"),
    }).sort_values("entity", ignore_index=True)


def _dd_params(params: dict) -> tuple[DataDrivenConfig, dict]:
    """Split attribution.data_driven into the library's config and the pipeline's own keys."""
    own_keys = {"min_conversions_for_data_driven", "view_through"}
    dd = dict(params.get("data_driven") or {})
    own = {k: dd.pop(k) for k in list(dd) if k in own_keys}
    return DataDrivenConfig.from_params(dd), own


def _fallback(reason: str, attribution_journeys, attribution_touches, attribution_entities,
              cfg: AttributionConfig) -> tuple[pd.DataFrame, pd.DataFrame]:
    log.warning("attribution data_driven: %s; the data_driven slot falls back to %s "
                "(model_used = %s)", reason, FALLBACK, FALLBACK)
    totals, _ = credit_entities(attribution_journeys, attribution_touches, attribution_entities,
                                cfg, FALLBACK)
    t = totals.rename(columns={"attributed_conversions": "conversions",
                               "attributed_revenue": "revenue"})
    return _entity_table(t, attribution_entities["entity"], FALLBACK), empty_intervals()


def credit_data_driven_model(data_driven_touches: pd.DataFrame, data_driven_journeys: pd.DataFrame,
                             attribution_journeys: pd.DataFrame, attribution_touches: pd.DataFrame,
                             attribution_entities: pd.DataFrame, params: dict
                             ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, ModelBundle,
                                        dict[str, dict]]:
    """The data_driven model's click-and-code credit, creator intervals, model and metrics.

    Sparse-data rule: with fewer than `attribution.data_driven.min_conversions_for_data_driven`
    conversions in the window (or when the model cannot be fitted: no converting or no
    non-converting journey with a touch), the slot is filled by linear multi-touch, and
    model_used says "linear" (logged as a warning).

    Out: (credit [ENTITY_CREDIT_COLUMNS, model "data_driven"], click_credit [creator_id,
    platform, attributed_conversions, attributed_revenue] — the per-creator credit the
    view-through estimate builds on, intervals [creator_id, model, conversions_ci_low/high,
    revenue_ci_low/high], a ModelBundle for the `roi_ml_attribution_conversion` registry entry
    (model None after a fallback), MLflow metrics).
    """
    cfg = AttributionConfig.from_params(params)
    dd_cfg, own = _dd_params(params)
    metrics: dict[str, float] = {}
    if MODEL not in cfg.models:
        log.info("attribution model data_driven is not in attribution.models: skipped")
        return (empty_entity_credit(), _click_table(empty_entity_credit(), attribution_entities),
                empty_intervals(), ModelBundle(None, metadata={"skipped": True}), {})
    if "min_conversions_for_data_driven" not in own:
        raise ValueError("attribution.data_driven.min_conversions_for_data_driven is missing: set "
                         "it in conf/base/parameters_attribution.yml (the sparse-data rule; "
                         "docs/accuracy.md has the evidence for its default)")
    start = time.perf_counter()
    conv = attribution_journeys["converted"].to_numpy()
    n_conv = float(attribution_journeys["conversions"][conv].sum())
    minimum = own["min_conversions_for_data_driven"]
    result, reason = None, None
    if n_conv < minimum:
        reason = (f"{n_conv:.0f} conversions in the window, fewer than "
                  f"attribution.data_driven.min_conversions_for_data_driven = {minimum}")
    else:
        try:
            result = credit_data_driven(data_driven_touches, data_driven_journeys, dd_cfg)
        except ValueError as exc:
            reason = f"the conversion model cannot be fitted ({exc})"
    if result is None:
        credit, intervals = _fallback(reason, attribution_journeys, attribution_touches,
                                             attribution_entities, cfg)
        metrics["fallback_to_linear"] = 1.0
        bundle = ModelBundle(None, metadata={"model_used": FALLBACK, "reason": reason})
    else:
        t = result.credit
        _check_conserved(MODEL, t.rename(columns={"revenue": "value"}), n_conv,
                         float(attribution_journeys["value"][conv].sum()))
        credit = _entity_table(t, attribution_entities["entity"], MODEL)
        intervals = result.intervals.assign(model=MODEL)
        model = result.model
        X = _example(model, data_driven_touches, data_driven_journeys)
        bundle = ModelBundle(model.model_, input_example=X,
                             output_example=model.model_.predict_proba(X)[:, 1],
                             metadata={"feature_names": model.feature_names_,
                                       "n_training_journeys": model.n_training_journeys_,
                                       "training_positive_share": model.training_positive_share_,
                                       "config": dd_cfg.__dict__})
        metrics.update({"fallback_to_linear": 0.0,
                        "n_training_journeys": float(model.n_training_journeys_),
                        "training_positive_share": model.training_positive_share_,
                        "mean_baseline_probability": float(result.shares["f_baseline"].mean())
                        if len(result.shares) else 0.0,
                        "mean_full_probability": float(result.shares["f_full"].mean())
                        if len(result.shares) else 0.0})
        metrics.update({f"caused_clicks.{k}": float(v) for k, v in model.caused_info_.items()})
    click = _click_table(credit, attribution_entities)
    metrics["click_credit_conversions"] = float(click["attributed_conversions"].sum())
    log.info("attribution data_driven (model_used %s): %.0f conversions and $%.2f credited, "
             "%.0f of them to creators' clicks and codes, in %.2f s",
             credit["model_used"].iloc[0] if len(credit) else "-",
             credit["attributed_conversions"].sum(), credit["attributed_revenue"].sum(),
             metrics["click_credit_conversions"], time.perf_counter() - start)
    flat = {k: {"value": float(v), "step": 0} for k, v in metrics.items() if np.isfinite(v)}
    return (credit, click, intervals[["creator_id", "model", *INTERVAL_COLUMNS]],
            bundle, flat)


def _example(model, touches: pd.DataFrame, journeys: pd.DataFrame) -> pd.DataFrame:
    from roi_ml.attribution.data_driven import journey_features

    ids = pd.Index(journeys.loc[journeys["converted"], "journey_id"].head(5))
    return journey_features(touches[touches["journey_id"].isin(ids)], ids,
                            model.prior_)[model.feature_names_].reset_index(drop=True)


def _click_table(credit: pd.DataFrame, entities: pd.DataFrame) -> pd.DataFrame:
    """Click-and-code credit per creator × platform: creator_id, platform (null for a creator
    code used before any post of theirs), attributed_conversions, attributed_revenue."""
    ent = entities[entities["kind"].isin(["post", "creator"])][["entity", "creator_id", "platform"]]
    c = credit[["entity", "attributed_conversions", "attributed_revenue"]].merge(ent, on="entity")
    g = c.groupby(["creator_id", "platform"], dropna=False, as_index=False)[
        ["attributed_conversions", "attributed_revenue"]].sum()
    return pd.DataFrame({"creator_id": _str(g["creator_id"]), "platform": _str(g["platform"]),
                         "attributed_conversions": g["attributed_conversions"].astype(float),
                         "attributed_revenue": g["attributed_revenue"].astype(float)})


# ----------------------------------------------------------------------------- view-through
def view_through_enabled(params: dict) -> bool:
    _, own = _dd_params(params)
    return bool((own.get("view_through") or {}).get("enabled", False))


def estimate_view_through_node(data_driven_click_credit: pd.DataFrame, journeys,
                               attribution_touches: pd.DataFrame,
                               attribution_entities: pd.DataFrame, posts: pd.DataFrame,
                               post_daily_metrics: pd.DataFrame, creators: pd.DataFrame,
                               creator_authenticity: pd.DataFrame, params: dict) -> pd.DataFrame:
    """Per creator view-through conversions and revenue with an interval, from
    `roi_ml.attribution.view_through` (empty when attribution.data_driven.view_through.enabled
    is false, data_driven is not run or fell back to linear, or the module is not available).

    Out: creator_id, view_through_conversions, view_through_revenue, view_through_ci_low,
    view_through_ci_high.
    """
    empty = pd.DataFrame({"creator_id": pd.Series([], dtype="str"),
                          **{c: pd.Series([], dtype="float64") for c in
                             ("view_through_conversions", "view_through_revenue",
                              "view_through_ci_low", "view_through_ci_high")}})
    cfg = AttributionConfig.from_params(params)
    if MODEL not in cfg.models or not view_through_enabled(params) or data_driven_click_credit.empty:
        return empty
    try:
        vt = importlib.import_module("roi_ml.attribution.view_through")
    except ImportError:
        log.warning("attribution.data_driven.view_through.enabled is true but "
                    "roi_ml.attribution.view_through is not available: no view-through credit")
        return empty
    _, own = _dd_params(params)
    vt_params = {k: v for k, v in (own.get("view_through") or {}).items() if k != "enabled"}
    # the canonical journeys (data/03_primary): same journey ids as attribution_journeys, plus
    # the person ids the view-through model uses to keep first-time conversions
    daily, exposure = vt.view_through_inputs(
        _pandas(journeys), attribution_touches, attribution_entities, post_daily_metrics,
        posts, creators, creator_authenticity, vt_params)
    out = vt.estimate_view_through(daily, exposure, creators, data_driven_click_credit, vt_params)
    log.info("attribution data_driven view-through: %.0f conversions added to %d creators",
             out["view_through_conversions"].sum(), int((out["view_through_conversions"] > 0).sum()))
    return out


def add_view_through(data_driven_credit: pd.DataFrame, view_through: pd.DataFrame,
                     data_driven_intervals: pd.DataFrame, attribution_entities: pd.DataFrame,
                     posts: pd.DataFrame, post_daily_metrics: pd.DataFrame
                     ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Move view-through credit from the touchless conversions to the creators' posts.

    Each creator's view-through conversions (and revenue) are spread over its posts in
    proportion to their impressions (post_daily_metrics; equally when a creator has none), and
    taken out of the data-driven credit of the touchless entities ("(none)", direct,
    organic_search) in proportion to what they hold, so the total is unchanged. If the
    touchless entities hold less than the view-through total, every creator's view-through is
    scaled down to fit (logged). Intervals: the creator's click interval plus its view-through
    interval (bounds added: a conservative union).

    Out: (credit with the view-through inside, intervals).
    """
    if view_through is None or view_through.empty or data_driven_credit.empty \
            or (data_driven_credit["model_used"] != MODEL).all():
        return data_driven_credit, data_driven_intervals
    credit = data_driven_credit.copy()
    vt = view_through.set_index(_str(view_through["creator_id"]))
    touchless = credit["entity"].isin(TOUCHLESS_CHANNELS).to_numpy()
    pool_c = float(credit.loc[touchless, "attributed_conversions"].sum())
    pool_r = float(credit.loc[touchless, "attributed_revenue"].sum())
    need_c = float(vt["view_through_conversions"].sum())
    need_r = float(vt["view_through_revenue"].sum())
    scale = min(1.0, pool_c / need_c if need_c > 0 else 1.0, pool_r / need_r if need_r > 0 else 1.0)
    if scale < 1.0:
        log.warning("view-through estimate (%.0f conversions) exceeds the touchless conversions "
                    "(%.0f): scaled by %.3f", need_c, pool_c, scale)
    # spread to posts by impressions
    p = posts[["post_id", "creator_id"]].astype("str")
    imp = (post_daily_metrics.groupby(post_daily_metrics["post_id"].astype("str"))["impressions"]
           .sum().astype(float))
    p = p.assign(w=p["post_id"].map(imp).fillna(0.0).to_numpy())
    tot = p.groupby("creator_id")["w"].transform("sum")
    n = p.groupby("creator_id")["post_id"].transform("size")
    p["w"] = np.where(tot > 0, p["w"] / tot.replace(0, 1), 1.0 / n)
    p["vt_c"] = p["creator_id"].map(vt["view_through_conversions"]).fillna(0.0) * p["w"] * scale
    p["vt_r"] = p["creator_id"].map(vt["view_through_revenue"]).fillna(0.0) * p["w"] * scale
    lost = set(vt.index[vt["view_through_conversions"] > 0]) - set(p["creator_id"])
    if lost:
        log.warning("view-through of creators without posts %s is dropped", sorted(lost)[:5])
    add = p.groupby("post_id")[["vt_c", "vt_r"]].sum()
    moved_c, moved_r = float(add["vt_c"].sum()), float(add["vt_r"].sum())
    idx = credit.set_index("entity").index
    missing = add.index.difference(idx)
    if len(missing):
        extra = pd.DataFrame({"model": MODEL, "model_used": MODEL, "entity": missing.astype("str"),
                              "attributed_conversions": 0.0, "attributed_revenue": 0.0,
                              "conversions_ci_low": pd.NA, "conversions_ci_high": pd.NA})
        credit = pd.concat([credit, extra], ignore_index=True)
    e = credit["entity"]
    credit["attributed_conversions"] += e.map(add["vt_c"]).fillna(0.0).to_numpy()
    credit["attributed_revenue"] += e.map(add["vt_r"]).fillna(0.0).to_numpy()
    touchless = credit["entity"].isin(TOUCHLESS_CHANNELS).to_numpy()
    if pool_c > 0:
        credit.loc[touchless, "attributed_conversions"] *= 1 - moved_c / pool_c
    if pool_r > 0:
        credit.loc[touchless, "attributed_revenue"] *= 1 - moved_r / pool_r
    iv = data_driven_intervals.set_index(_str(data_driven_intervals["creator_id"]))
    vtc = vt.reindex(iv.index)
    for col, vcol in (("conversions_ci_low", "view_through_ci_low"),
                      ("conversions_ci_high", "view_through_ci_high")):
        iv[col] = iv[col] + vtc[vcol].fillna(0.0) * scale
    rev_per_conv = (vt["view_through_revenue"] / vt["view_through_conversions"].replace(0, np.nan)).reindex(iv.index)
    iv["revenue_ci_low"] = iv["revenue_ci_low"] + (vtc["view_through_ci_low"] * rev_per_conv).fillna(0.0) * scale
    iv["revenue_ci_high"] = iv["revenue_ci_high"] + (vtc["view_through_ci_high"] * rev_per_conv).fillna(0.0) * scale
    log.info("view-through: %.0f conversions ($%.2f) moved from the touchless channels to "
             "creators' posts", moved_c, moved_r)
    credit = credit[ENTITY_CREDIT_COLUMNS].sort_values("entity", ignore_index=True)
    credit["conversions_ci_low"] = credit["conversions_ci_low"].astype("Float64")
    credit["conversions_ci_high"] = credit["conversions_ci_high"].astype("Float64")
    return credit, iv.reset_index(drop=True)
