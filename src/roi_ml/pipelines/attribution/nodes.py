"""Attribution nodes: thin adapters between the events pipeline's journeys and roi_ml.attribution.

Flow: `prepare_attribution_inputs` (Ibis journeys → the library's pandas frames) and
`describe_entities` (what each touch entity is: post, creator code, channel) → one
`credit_model` node per model (credit per entity, checked to add up) → `combine_model_credit`
→ `roll_up_credit` (post, creator, campaign, platform, channel) → `compare_models`.

Non-converting journeys. Markov and Shapley need them; rule models do not. They are aggregated
in Ibis into distinct paths with a ``journey_count`` weight (exact: both models count
journeys, never look at one journey's timestamps), so millions of them become tens of
thousands of rows. Converting journeys stay one row each: time decay needs their timestamps,
the evaluation resamples them.
"""

from __future__ import annotations

import logging
import time

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from roi_ml.attribution import MODELS, NONE_ENTITY, RULE_MODELS, credit_journeys, summarise_credit
from roi_ml.pipelines.attribution.config import AttributionConfig

log = logging.getLogger(__name__)

UNKNOWN_ENTITY = "(unknown)"
"""Entity given to touches that arrive without one (never expected from the events pipeline)."""

ENTITY_CREDIT_COLUMNS = ["model", "model_used", "entity", "attributed_conversions",
                         "attributed_revenue", "conversions_ci_low", "conversions_ci_high"]
"""Schema of every model's credit table. A model built elsewhere (e.g. data_driven) appends its
rows by producing a table with these columns and listing it in the pipeline's CREDIT_INPUTS."""

VALUE_COLUMNS = ["attributed_conversions", "attributed_revenue"]
CI_COLUMNS = ["conversions_ci_low", "conversions_ci_high"]
LEVELS = ("post", "creator", "campaign", "platform", "channel")
_PATH_SEP = "\x1f"  # joins entities of an aggregated path; never inside an id or channel name
_REL_TOL = 1e-9


class CreditNotConservedError(RuntimeError):
    """A model's credit does not add up to the conversions or revenue it was given."""


def _table(x) -> ir.Table:
    return ibis.memtable(x) if isinstance(x, pd.DataFrame) else x


def _str(s: pd.Series) -> pd.Series:
    return s.astype("str")


# --------------------------------------------------------------------------------- inputs
def prepare_attribution_inputs(journeys, journey_touches) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Ibis journeys and touches (data/03_primary) → the attribution library's pandas frames.

    In: `journeys` [journey_id, converted, conversions, value_usd, revenue_usd,
    conversion_time, …] and `journey_touches` [journey_id, position, touch_time, entity, …]
    (Ibis tables, or pandas frames in tests).

    Out: (attribution_journeys [journey_id, converted, conversions, value (= value_usd),
    revenue_usd, conversion_time, journey_count], attribution_touches [journey_id, position,
    entity, timestamp (= touch_time)]). Converting journeys: one row each, journey_count 1,
    touches with their times. Non-converting journeys: one row per distinct path (ids
    ``agg-<n>``, journey_count = how many journeys share it, conversion_time and touch times
    empty). Every converting journey is kept: one without touches is credited to "(none)".
    Logged: counts, conversions without touch, touches of unknown journeys (dropped), missing
    entities or revenue (filled), non-converting journeys without touches (no information for
    any model: left out).
    """
    j, t = _table(journeys), _table(journey_touches)
    j = j.select("journey_id", "converted", "conversion_time",
                 conversions=j.conversions.cast("float64"),
                 value=j.value_usd.cast("float64"),
                 revenue_usd=j.revenue_usd.cast("float64"))
    n_null_entity = int(t.entity.isnull().sum().execute() or 0)
    if n_null_entity:
        log.warning("%d touches have no entity (journey_touches.entity is null); they are "
                    "credited as '%s'", n_null_entity, UNKNOWN_ENTITY)
    t = t.mutate(entity=t.entity.fill_null(UNKNOWN_ENTITY))
    orphans = int(t.anti_join(j, "journey_id").count().execute())
    if orphans:
        log.warning("%d touches belong to no journey in `journeys` and are left out; the events "
                    "pipeline writes both tables together, so re-run it", orphans)

    conv = j.filter(j.converted)
    cj = conv.execute()
    ct = t.semi_join(conv, "journey_id").select(
        "journey_id", "position", "entity", timestamp=t.touch_time).execute()

    non = j.filter(~j.converted)
    nt = t.semi_join(non, "journey_id")
    per = nt.group_by("journey_id").aggregate(
        path=nt.entity.collect(order_by=nt.position).join(_PATH_SEP))
    paths = per.group_by("path").aggregate(journey_count=ibis._.count()).order_by("path").execute()
    n_non = int(non.count().execute())

    journeys_out, touches_out = _assemble(cj, ct, paths)
    _log_inputs(journeys_out, touches_out, n_non)
    return journeys_out, touches_out


def _assemble(cj: pd.DataFrame, ct: pd.DataFrame, paths: pd.DataFrame
              ) -> tuple[pd.DataFrame, pd.DataFrame]:
    for col, what in (("conversions", "conversions"), ("revenue_usd", "revenue"), ("value", "value")):
        missing = cj[col].isna()
        if missing.any():
            log.warning("%d converting journeys have no %s (journeys.%s is null); counted as %s",
                        int(missing.sum()), what, "value_usd" if col == "value" else col,
                        "1" if col == "conversions" else "0")
            cj[col] = cj[col].fillna(1.0 if col == "conversions" else 0.0)
    n_paths = len(paths)
    agg_ids = pd.Series([f"agg-{i}" for i in range(n_paths)], dtype="str")
    time_type = cj["conversion_time"].dtype if len(cj) else "datetime64[us, UTC]"
    journeys = pd.concat([
        pd.DataFrame({
            "journey_id": _str(cj["journey_id"]), "converted": True,
            "conversions": cj["conversions"].astype("float64"),
            "value": cj["value"].astype("float64"),
            "revenue_usd": cj["revenue_usd"].astype("float64"),
            "conversion_time": cj["conversion_time"], "journey_count": 1.0}),
        pd.DataFrame({
            "journey_id": agg_ids, "converted": False, "conversions": 0.0, "value": 0.0,
            "revenue_usd": 0.0, "conversion_time": pd.Series(pd.NaT, index=agg_ids.index, dtype=time_type),
            "journey_count": paths["journey_count"].astype("float64").to_numpy()}),
    ], ignore_index=True)
    journeys["converted"] = journeys["converted"].astype(bool)

    parts = paths["path"].astype("str").str.split(_PATH_SEP, regex=False)
    lengths = parts.str.len().fillna(0).astype(int).to_numpy()
    flat = parts.explode()
    agg_touches = pd.DataFrame({
        "journey_id": np.repeat(agg_ids.to_numpy(dtype=object), lengths),
        "position": np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths),
        "entity": flat.to_numpy(dtype=object),
    })
    agg_touches["timestamp"] = pd.Series(pd.NaT, index=agg_touches.index, dtype=time_type)
    ct = ct.assign(journey_id=_str(ct["journey_id"]))
    touches = pd.concat([ct, agg_touches], ignore_index=True)
    touches["journey_id"] = _str(touches["journey_id"])
    touches["entity"] = _str(touches["entity"])
    touches["position"] = touches["position"].astype("int64")
    return journeys, touches


def _log_inputs(journeys: pd.DataFrame, touches: pd.DataFrame, n_non: int) -> None:
    conv = journeys[journeys["converted"]]
    touched = set(touches["journey_id"])
    no_touch = ~conv["journey_id"].isin(touched)
    non = journeys[~journeys["converted"]]
    n_non_touched = int(non["journey_count"].sum())
    if conv["conversions"].sum() == 0:
        log.warning("No conversions in the window: every attribution model credits nothing and "
                    "every creator gets 0.")
    log.info("attribution inputs: %d converting journeys (%.0f conversions, $%.2f revenue), %d "
             "non-converting journeys as %d distinct paths (journey_count weights)",
             len(conv), conv["conversions"].sum(), conv["revenue_usd"].sum(), n_non_touched, len(non))
    if no_touch.any():
        log.info("%d of %d converting journeys have no touchpoint in their lookback (no prior "
                 "session, no code): every model credits them to '%s'",
                 int(no_touch.sum()), len(conv), NONE_ENTITY)
    if n_non > n_non_touched:
        log.info("%d non-converting journeys have no touchpoint: no model can learn from them, "
                 "left out", n_non - n_non_touched)


def describe_entities(journey_touches, posts: pd.DataFrame) -> pd.DataFrame:
    """What each touch entity is, for the roll-ups.

    In: `journey_touches` (Ibis or pandas: entity, post_id, creator_id, channel) and canonical
    `posts` [post_id, creator_id, campaign_id, platform].

    Out: DataFrame[entity, kind, post_id, creator_id, campaign_id, platform, channel], one row
    per entity seen in touches plus "(none)". kind: "post" (a creator's post), "creator" (a
    creator's code on an order placed before any post of theirs: creator known, post not),
    "channel" (any other touch, incl. creator sessions of untracked posts) or "none".
    Raises ValueError when one entity maps to several creators or channels.
    """
    t = _table(journey_touches)
    t = t.mutate(entity=t.entity.fill_null(UNKNOWN_ENTITY))
    e = t.group_by("entity").aggregate(
        post_id=t.post_id.max(), creator_id=t.creator_id.max(), channel=t.channel.max(),
        n_creators=t.creator_id.nunique(), n_channels=t.channel.nunique()).execute()
    bad = e[(e["n_creators"] > 1) | (e["n_channels"] > 1)]
    if len(bad):
        raise ValueError(f"journey_touches: entities {bad['entity'].head(5).tolist()} map to more "
                         f"than one creator or channel; an entity (post id or channel) must have one")
    e = e.drop(columns=["n_creators", "n_channels"])
    for col in ("entity", "post_id", "creator_id", "channel"):
        e[col] = _str(e[col])
    p = posts[["post_id", "creator_id", "campaign_id", "platform"]].copy()
    for col in p.columns:
        p[col] = _str(p[col])
    e = e.merge(p.rename(columns={"creator_id": "post_creator_id"}), on="post_id", how="left")
    e["creator_id"] = e["creator_id"].fillna(e["post_creator_id"])
    e = e.drop(columns="post_creator_id")
    e["channel"] = e["channel"].fillna(e["entity"])
    e["kind"] = np.where(e["post_id"].notna(), "post",
                         np.where(e["creator_id"].notna(), "creator", "channel"))
    none = pd.DataFrame({"entity": [NONE_ENTITY], "kind": ["none"], "channel": [NONE_ENTITY]})
    e = pd.concat([e, none], ignore_index=True)
    cols = ["entity", "kind", "post_id", "creator_id", "campaign_id", "platform", "channel"]
    e = e[cols].sort_values("entity", ignore_index=True)
    for col in cols:
        e[col] = _str(e[col])
    touched = e["creator_id"].dropna().unique()
    if len(touched) == 0:
        log.warning("No touch of any creator in the journeys: every model gives creators 0")
    elif len(touched) == 1:
        log.info("Only one creator (%s) has touches: it gets all the creator credit of every "
                 "model, and creator shares are trivially 100 %%", touched[0])
    n_code = int((e["kind"] == "creator").sum())
    if n_code:
        log.info("%d creators' codes were used before any post of theirs: that credit goes to the "
                 "creator with no post, campaign or platform", n_code)
    return e


# --------------------------------------------------------------------------------- credit
def library_frames(journeys: pd.DataFrame, touches: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """attribution_journeys / _touches → the path library's journeys (journey_id, converted,
    conversions, value = revenue_usd, journey_count, conversion_time when every journey has one)
    and touches (journey_id, position, entity, timestamp)."""
    lib_j = pd.DataFrame({"journey_id": journeys["journey_id"], "converted": journeys["converted"],
                          "conversions": journeys["conversions"], "value": journeys["revenue_usd"],
                          "journey_count": journeys["journey_count"]})
    if journeys["conversion_time"].notna().all():
        lib_j["conversion_time"] = journeys["conversion_time"]
    return lib_j, touches[["journey_id", "position", "entity", "timestamp"]]


def creator_of_entity(entities: pd.DataFrame) -> pd.Series:
    """entity → creator_id for post and creator-code entities."""
    m = entities[entities["kind"].isin(["post", "creator"])]
    return pd.Series(m["creator_id"].to_numpy(dtype=object), index=m["entity"].to_numpy(dtype=object))


def keep_last_touches(touches: pd.DataFrame, cap: int | None) -> pd.DataFrame:
    """Each journey's last `cap` touches by position (the library's rule, for grouped players)."""
    if cap is None or touches.empty:
        return touches
    from_end = touches.groupby("journey_id")["position"].rank(ascending=False, method="first")
    n_cut = touches.loc[from_end > cap, "journey_id"].nunique()
    if n_cut:
        log.info("max_path_length=%d: %d journeys truncated to their last %d touches", cap, n_cut, cap)
    return touches[from_end <= cap]


def _split_to_entities(credit: pd.DataFrame, touches: pd.DataFrame, group_of: pd.Series
                       ) -> pd.DataFrame:
    """Credit of (journey, creator) → (journey, post) by the posts' touch counts in the journey."""
    t = touches[["journey_id", "entity"]]
    t = t.assign(group=t["entity"].map(group_of).fillna(t["entity"]))
    n = t.groupby(["journey_id", "group", "entity"], sort=False).size().rename("n").reset_index()
    n["share"] = n["n"] / n.groupby(["journey_id", "group"])["n"].transform("sum")
    m = credit.rename(columns={"entity": "group"}).merge(
        n[["journey_id", "group", "entity", "share"]], on=["journey_id", "group"], how="left")
    m["entity"] = m["entity"].fillna(m["group"])  # "(none)": no touches to split over
    m["share"] = m["share"].fillna(1.0)
    return pd.DataFrame({"journey_id": m["journey_id"], "entity": _str(m["entity"]),
                         "conversions": m["conversions"] * m["share"],
                         "value": m["value"] * m["share"]})


def credit_entities(attribution_journeys: pd.DataFrame, attribution_touches: pd.DataFrame,
                    attribution_entities: pd.DataFrame, cfg: AttributionConfig, model: str
                    ) -> tuple[pd.DataFrame, dict]:
    """One model's total credit per entity: (DataFrame[entity, attributed_conversions,
    attributed_revenue] listing every entity of `attribution_entities`, info dict).

    Conversions and revenue (revenue_usd, given to the library as its ``value``) of every
    converting journey are split among its entities; raises CreditNotConservedError if the
    credit does not add up to them. Rule models see converting journeys only; markov and
    shapley see all, weighted by journey_count. ``level: creator`` (markov, shapley) forms
    states / players from creators and channels, then splits a creator's share of a journey
    among its posts there by touch count.
    """
    J, T = attribution_journeys, attribution_touches
    if model in RULE_MODELS:
        J = J[J["converted"]]
        T = T[T["journey_id"].isin(J["journey_id"])]
    lib_j, lib_t = library_frames(J, T)
    opts = cfg.options(model)
    creator_of = creator_of_entity(attribution_entities)
    level = cfg.level(model)
    if model == "shapley" and level == "creator":
        lib_t = keep_last_touches(lib_t, cfg.max_path_length)
        grouped = lib_t.assign(entity=lib_t["entity"].map(creator_of).fillna(lib_t["entity"]))
        credit, info = credit_journeys(grouped, lib_j, model, return_info=True, **opts)
        converting = lib_t["journey_id"].isin(lib_j.loc[lib_j["converted"], "journey_id"])
        credit = _split_to_entities(credit, lib_t[converting], creator_of)
    else:
        if model == "markov" and level == "creator":
            opts["group_map"] = creator_of
        credit, info = credit_journeys(lib_t, lib_j, model, max_path_length=cfg.max_path_length,
                                       return_info=True, **opts)
    conv = lib_j["converted"].to_numpy()
    _check_conserved(model, credit, float(lib_j["conversions"][conv].sum()),
                     float(lib_j["value"][conv].sum()))
    totals = summarise_credit(credit, attribution_entities["entity"])
    totals = totals.rename(columns={"attributed_value": "attributed_revenue"})
    return totals, info


def _check_conserved(model: str, credit: pd.DataFrame, conversions: float, revenue: float) -> None:
    got_c, got_r = float(credit["conversions"].sum()), float(credit["value"].sum())
    ok = (np.isclose(got_c, conversions, rtol=_REL_TOL, atol=1e-6)
          and np.isclose(got_r, revenue, rtol=_REL_TOL, atol=1e-4)
          and not (credit[["conversions", "value"]].to_numpy() < -1e-9).any())
    if not ok:
        raise CreditNotConservedError(
            f"attribution model {model!r}: credit sums to {got_c:.6f} conversions and "
            f"${got_r:.2f} revenue (min {credit['conversions'].min() if len(credit) else 0:.3g}), "
            f"but the converting journeys hold {conversions:.6f} conversions and ${revenue:.2f}; "
            f"every model must split each journey exactly. This is a bug in roi_ml.attribution "
            f"or in roi_ml.pipelines.attribution.nodes.credit_entities: report it with the journeys.")


def empty_entity_credit() -> pd.DataFrame:
    """A credit table with no rows and the ENTITY_CREDIT_COLUMNS schema."""
    return pd.DataFrame({
        "model": pd.Series([], dtype="str"), "model_used": pd.Series([], dtype="str"),
        "entity": pd.Series([], dtype="str"),
        "attributed_conversions": pd.Series([], dtype="float64"),
        "attributed_revenue": pd.Series([], dtype="float64"),
        "conversions_ci_low": pd.Series([], dtype="Float64"),
        "conversions_ci_high": pd.Series([], dtype="Float64")})


def credit_model(attribution_journeys: pd.DataFrame, attribution_touches: pd.DataFrame,
                 attribution_entities: pd.DataFrame, params: dict, *, model: str) -> pd.DataFrame:
    """One model's credit per entity (post id, creator code, channel or "(none)").

    In: the prepared journeys, touches and entities, the `attribution` parameters; `model` is
    bound in the pipeline (one node per model). Out: DataFrame[ENTITY_CREDIT_COLUMNS] with a
    row for every entity (0 where the model gives none); model_used = model; no interval.
    A model not listed in `attribution.models` returns no rows.
    """
    cfg = AttributionConfig.from_params(params)
    if model not in cfg.models:
        log.info("attribution model %s is not in attribution.models: skipped", model)
        return empty_entity_credit()
    start = time.perf_counter()
    totals, info = credit_entities(attribution_journeys, attribution_touches,
                                   attribution_entities, cfg, model)
    n = len(totals)
    out = pd.DataFrame({
        "model": pd.Series([model] * n, dtype="str"), "model_used": pd.Series([model] * n, dtype="str"),
        "entity": _str(totals["entity"]),
        "attributed_conversions": totals["attributed_conversions"].astype("float64"),
        "attributed_revenue": totals["attributed_revenue"].astype("float64"),
        "conversions_ci_low": pd.array([pd.NA] * n, dtype="Float64"),
        "conversions_ci_high": pd.array([pd.NA] * n, dtype="Float64")})
    log.info("attribution %s (level %s): %.0f conversions and $%.2f credited to %d entities "
             "(%d journeys truncated) in %.2f s", model, cfg.level(model),
             out["attributed_conversions"].sum(), out["attributed_revenue"].sum(),
             int((out["attributed_conversions"] > 0).sum()), info.get("n_truncated_journeys", 0),
             time.perf_counter() - start)
    return out


def combine_model_credit(*credits: pd.DataFrame) -> pd.DataFrame:
    """Every model's credit table → one table, models in `MODELS` order then any other.

    In: tables with ENTITY_CREDIT_COLUMNS (one per model; a model built in another pipeline,
    such as data_driven, adds its table to the list). Raises ValueError on a missing column or
    a model present in two tables.
    """
    seen: dict[str, int] = {}
    frames = []
    for i, c in enumerate(credits):
        missing = [col for col in ENTITY_CREDIT_COLUMNS if col not in c.columns]
        if missing:
            raise ValueError(f"credit table {i} lacks column(s) {missing}; every model's credit "
                             f"needs {ENTITY_CREDIT_COLUMNS}")
        for m in c["model"].unique():
            if m in seen:
                raise ValueError(f"model {m!r} is in credit tables {seen[m]} and {i}")
            seen[m] = i
        frames.append(c[ENTITY_CREDIT_COLUMNS])
    out = pd.concat([empty_entity_credit(), *frames], ignore_index=True) if frames \
        else empty_entity_credit()
    rank = {m: i for i, m in enumerate(MODELS)}
    out["_rank"] = out["model"].map(lambda m: rank.get(m, len(rank)))
    out = out.sort_values(["_rank", "model", "entity"], ignore_index=True).drop(columns="_rank")
    for col in ("model", "model_used", "entity"):
        out[col] = _str(out[col])
    for col in CI_COLUMNS:
        out[col] = out[col].astype("Float64")
    return out


# -------------------------------------------------------------------------------- roll-ups
def _post_universe(entities: pd.DataFrame, posts: pd.DataFrame) -> pd.DataFrame:
    """Every creator-side entity: all posts (credited or not) and creator codes without a post."""
    p = pd.DataFrame({c: _str(posts[c]) for c in ("post_id", "creator_id", "campaign_id", "platform")})
    p.insert(0, "entity", p["post_id"])
    seen = entities[entities["kind"].isin(["post", "creator"])][list(p.columns)]
    u = pd.concat([p, seen[~seen["entity"].isin(p["entity"])]], ignore_index=True)
    return u.drop_duplicates("entity", ignore_index=True)


def _level(frame: pd.DataFrame, key: str, universe: pd.Series, models: pd.DataFrame
           ) -> pd.DataFrame:
    """Sum credit by (model, key); every key of the universe appears for every model."""
    g = frame.groupby(["model", key], dropna=False, sort=False)[VALUE_COLUMNS].sum().reset_index()
    keys = pd.concat([universe, g[key]], ignore_index=True).drop_duplicates()
    grid = models.merge(pd.DataFrame({key: keys}), how="cross")
    out = grid.merge(g, on=["model", key], how="left")
    out[VALUE_COLUMNS] = out[VALUE_COLUMNS].fillna(0.0)
    return out


def _finish(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    rank = {m: i for i, m in enumerate(MODELS)}
    frame = frame.assign(_rank=frame["model"].map(lambda m: rank.get(m, len(rank))))
    frame = frame.sort_values(["_rank", "model", *keys], ignore_index=True, na_position="last")
    frame = frame.drop(columns="_rank")
    n = len(frame)
    frame["conversions_ci_low"] = pd.array([pd.NA] * n, dtype="Float64")
    frame["conversions_ci_high"] = pd.array([pd.NA] * n, dtype="Float64")
    for k in (*keys, "model", "model_used"):
        frame[k] = _str(frame[k])
    return frame[[*keys, "model", "model_used", *VALUE_COLUMNS, *CI_COLUMNS]]


def roll_up_credit(attribution_entity_credit: pd.DataFrame, attribution_entities: pd.DataFrame,
                   creators: pd.DataFrame, posts: pd.DataFrame, campaigns: pd.DataFrame,
                   creator_intervals: pd.DataFrame | None = None) -> tuple[pd.DataFrame, ...]:
    """Post-level credit → (post, creator, campaign, platform, channel) attribution tables.

    Every table has one row per model and level key, zeros included: every post, every roster
    creator, every campaign, every platform of the posts, every channel seen plus "(none)".
    Columns: the keys (post: post_id, creator_id, campaign_id, platform), model, model_used,
    attributed_conversions, attributed_revenue, conversions_ci_low, conversions_ci_high (null:
    intervals do not add across entities; a model with intervals must supply them per level).
    The creator table also has revenue_ci_low and revenue_ci_high; `creator_intervals`
    [creator_id, model, conversions_ci_low/high, revenue_ci_low/high] (the data_driven model's
    bootstrap) fills the four interval columns of its model's creator rows, null elsewhere.

    Post, creator, campaign and platform tables hold the credit of creator touches (a
    creator's code used before any post of theirs: post, campaign and platform null); the
    channel table holds all of it: non-creator channels are their own channel, all creator
    posts roll to "creator". Raises CreditNotConservedError if a level loses or gains credit.
    """
    credit = attribution_entity_credit
    if credit[CI_COLUMNS].notna().any().any():
        log.warning("credit intervals are not rolled up (they do not add across entities); the "
                    "post to channel tables leave them empty")
    models = credit[["model", "model_used"]].drop_duplicates("model", ignore_index=True)
    ent = attribution_entities
    side = _post_universe(ent, posts)
    c = credit.merge(ent[["entity", "channel"]], on="entity", how="left")
    # a post never touched in a journey can still hold credit (data_driven's view-through):
    # it is a creator post, so its channel is "creator"
    untouched_post = c["channel"].isna() & c["entity"].isin(side["entity"])
    c.loc[untouched_post, "channel"] = "creator"
    c["channel"] = c["channel"].fillna(c["entity"])
    cs = credit.merge(side, on="entity", how="inner")  # creator-side credit, one row per entity

    post = models.merge(side, how="cross").merge(
        cs[["model", "entity", *VALUE_COLUMNS]], on=["model", "entity"], how="left")
    post[VALUE_COLUMNS] = post[VALUE_COLUMNS].fillna(0.0)
    creator = _level(cs, "creator_id", _str(creators["creator_id"]), models)
    campaign = _level(cs, "campaign_id", _str(campaigns["campaign_id"]), models)
    platform = _level(cs, "platform", _str(posts["platform"]).dropna().drop_duplicates(), models)
    channel = _level(c, "channel", ent["channel"], models)
    tables = {
        "post": _finish(post, ["post_id", "creator_id", "campaign_id", "platform"]),
        "creator": _finish(creator, ["creator_id"]),
        "campaign": _finish(campaign, ["campaign_id"]),
        "platform": _finish(platform, ["platform"]),
        "channel": _finish(channel, ["channel"]),
    }
    _check_levels(credit, cs, tables)
    tables["creator"] = _with_intervals(tables["creator"], creator_intervals)
    return tuple(tables[k] for k in LEVELS)


REVENUE_CI_COLUMNS = ["revenue_ci_low", "revenue_ci_high"]


def _with_intervals(creator: pd.DataFrame, intervals: pd.DataFrame | None) -> pd.DataFrame:
    """Creator table + revenue interval columns, intervals of `intervals` merged in by
    (creator_id, model). A creator of that model without an interval row (no touch at all:
    credit known to be its point value) gets its point value as both bounds; other models
    keep null bounds."""
    out = creator.copy()
    for col in REVENUE_CI_COLUMNS:
        out[col] = pd.array([pd.NA] * len(out), dtype="Float64")
    if intervals is None or intervals.empty:
        return out
    iv = intervals.assign(creator_id=_str(intervals["creator_id"]), model=_str(intervals["model"]))
    iv = iv.set_index(["creator_id", "model"])
    key = pd.MultiIndex.from_frame(out[["creator_id", "model"]])
    has = out["model"].isin(iv.index.get_level_values("model")).to_numpy()
    for col in (*CI_COLUMNS, *REVENUE_CI_COLUMNS):
        vals = iv[col].reindex(key).to_numpy(dtype="float64", na_value=np.nan)
        point = out["attributed_conversions" if col.startswith("conv") else "attributed_revenue"]
        vals = np.where(np.isnan(vals) & has, point.to_numpy(float), vals)
        out[col] = pd.array(vals, dtype="Float64")
        out.loc[np.isnan(vals), col] = pd.NA
    return out


def _check_levels(credit: pd.DataFrame, creator_side: pd.DataFrame,
                  tables: dict[str, pd.DataFrame]) -> None:
    expected = {"all": credit.groupby("model")[VALUE_COLUMNS].sum(),
                "creator": creator_side.groupby("model")[VALUE_COLUMNS].sum()}
    for level, table in tables.items():
        got = table.groupby("model")[VALUE_COLUMNS].sum()
        want = expected["all" if level == "channel" else "creator"].reindex(got.index, fill_value=0.0)
        if not np.allclose(got.to_numpy(), want.to_numpy(), rtol=_REL_TOL, atol=1e-4):
            diff = (got - want).abs().max(axis=1)
            raise CreditNotConservedError(
                f"{level}_attribution: credit does not add up to the entity credit for model(s) "
                f"{diff[diff > 1e-4].index.tolist()} (largest gap {diff.max():.6g}); an entity is "
                f"missing from attribution_entities or counted twice")


# ------------------------------------------------------------------------------ comparison
def _shares(values: pd.Series) -> pd.Series:
    total = values.sum()
    return values / total if total > 0 else values * np.nan


def _tvd(a: pd.Series, b: pd.Series) -> float:
    idx = a.index.union(b.index)
    pa, pb = _shares(a.reindex(idx, fill_value=0.0)), _shares(b.reindex(idx, fill_value=0.0))
    return float(0.5 * (pa - pb).abs().sum()) if pa.notna().all() and pb.notna().all() else np.nan


def _level_keys(level: str, table: pd.DataFrame) -> pd.Series:
    if level == "post":  # a creator code without a post is listed as the creator's code
        return table["post_id"].fillna("code:" + table["creator_id"].astype("str"))
    key = {"creator": "creator_id", "campaign": "campaign_id"}.get(level, level)
    return table[key].fillna("(no post)").astype("str")


def compare_models(post_attribution: pd.DataFrame, creator_attribution: pd.DataFrame,
                   campaign_attribution: pd.DataFrame, platform_attribution: pd.DataFrame,
                   channel_attribution: pd.DataFrame, params: dict
                   ) -> tuple[pd.DataFrame, dict[str, dict]]:
    """Side-by-side summary of the models at every level, and MLflow metrics.

    Out: (comparison, metrics). comparison has one row per model × level: entities,
    entities_credited (credit > 0), attributed_conversions / _revenue (to the level's
    entities), share_of_conversions / _revenue (of all credit: at creator level, the share
    creators get), top_entities ("id share; …" of the level's top_n), top_n_share (their share
    of the level), tvd_to_reference (total variation distance between this model's and the
    reference model's shares at that level). metrics: {"<model>.<figure>": {value, step 0}}
    for MlflowMetricsHistoryDataset (logged as attribution.<model>.<figure>).
    """
    cfg = AttributionConfig.from_params(params)
    tables = dict(zip(LEVELS, (post_attribution, creator_attribution, campaign_attribution,
                               platform_attribution, channel_attribution), strict=True))
    totals = channel_attribution.groupby("model", sort=False)[VALUE_COLUMNS].sum()
    rows = []
    for level, table in tables.items():
        keyed = table.assign(_key=_level_keys(level, table))
        by_model = {m: g.groupby("_key")[VALUE_COLUMNS].sum() for m, g in keyed.groupby("model", sort=False)}
        ref = by_model.get(cfg.reference_model)
        for m, g in by_model.items():
            conv = g["attributed_conversions"]
            total_c, total_r = totals.loc[m, "attributed_conversions"], totals.loc[m, "attributed_revenue"]
            top = conv[conv > 0].sort_values(ascending=False, kind="stable").head(cfg.top_n)
            share = _shares(conv)
            rows.append({
                "model": m, "model_used": str(table.loc[table["model"] == m, "model_used"].iloc[0]),
                "level": level, "entities": len(g), "entities_credited": int((conv > 0).sum()),
                "attributed_conversions": float(conv.sum()),
                "attributed_revenue": float(g["attributed_revenue"].sum()),
                "share_of_conversions": float(conv.sum() / total_c) if total_c > 0 else np.nan,
                "share_of_revenue": float(g["attributed_revenue"].sum() / total_r) if total_r > 0 else np.nan,
                "top_entities": "; ".join(f"{k} {share[k]:.1%}" for k in top.index),
                "top_n_share": float(share[top.index].sum()) if len(top) else np.nan,
                "tvd_to_reference": _tvd(conv, ref["attributed_conversions"]) if ref is not None else np.nan,
            })
    comparison = pd.DataFrame(rows)
    comparison["reference_model"] = cfg.reference_model
    for col in ("model", "model_used", "level", "top_entities", "reference_model"):
        comparison[col] = comparison[col].astype("str")
    metrics: dict[str, float] = {}
    for r in comparison.itertuples():
        if r.level == "creator":
            metrics[f"{r.model}.creator_share_of_conversions"] = r.share_of_conversions
            metrics[f"{r.model}.creator_share_of_revenue"] = r.share_of_revenue
            metrics[f"{r.model}.creators_credited"] = r.entities_credited
            metrics[f"{r.model}.creator_top_{cfg.top_n}_share"] = r.top_n_share
            if cfg.reference_model and r.model != cfg.reference_model:
                metrics[f"{r.model}.creator_tvd_to_{cfg.reference_model}"] = r.tvd_to_reference
    for m in totals.index:
        none = channel_attribution[(channel_attribution["model"] == m)
                                   & (channel_attribution["channel"] == NONE_ENTITY)]
        total = totals.loc[m, "attributed_conversions"]
        metrics[f"{m}.none_share_of_conversions"] = (
            float(none["attributed_conversions"].sum() / total) if total > 0 else np.nan)
        metrics[f"{m}.attributed_conversions"] = float(total)
        metrics[f"{m}.attributed_revenue"] = float(totals.loc[m, "attributed_revenue"])
    flat = {k: {"value": float(v), "step": 0} for k, v in metrics.items()
            if v is not None and np.isfinite(v)}
    return comparison, flat
