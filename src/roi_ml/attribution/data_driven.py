"""Data-driven attribution: an XGBoost conversion model, Shapley credit against an explicit
"no creator touches" baseline, calibrated by each creator's pooled incrementality.

Wired into the attribution pipeline as the `data_driven` model
(`roi_ml.pipelines.attribution.data_driven_nodes`; view-through is added there from
`roi_ml.attribution.view_through`). Accuracy on medium seeds 1–3 (docs/accuracy.md, "Caused
clicks: journey spans …"): creator-share TVD 0.041 / 0.043 / 0.041 against all caused
conversions (evaluation pipeline); the click-and-code part alone 0.025 / 0.022 / 0.029 against
the truly caused visible conversions (a diagnostic that reads the truth).

Inputs are pandas frames (`frames_from_events` builds them from the events pipeline):

* ``touches`` — journey_id, position, timestamp, touch_type (click, code, channel), entity
  (post id for creator touches, channel name otherwise), creator_id, channel, platform, format,
  tier, had_cart (the session had an add-to-cart).
* ``journeys`` — journey_id, user_pseudo_id, converted, conversions, revenue, conversion_time.

How credit is computed (docs/metrics.md, "Data-driven attribution"):

1. A gradient-boosted classifier is trained on converting AND non-converting journeys that have
   at least one touch. Features describe only the journey's touches and the user's history —
   counts by channel, creator clicks and codes by platform / format / tier, the gap between the
   last creator click and the last touch, the span of the journey, shopping intent (cart) before
   the first creator touch, the user's prior conversions — never the conversion itself (no time
   measured to the conversion, which non-converting journeys do not have).
2. For a converting journey, each creator's Shapley value φ_c of the model's conversion
   probability over the journey's creators, measured against the journey with every creator
   touch removed (the explicit "no creator touches" baseline; a journey with nothing left has
   probability 0).
3. Calibration (`calibrate`, default on): the Shapley shares alone under-credit (the baseline
   probability of what is left of a converting journey is high), so how much of a journey's
   conversion creators caused comes from `roi_ml.attribution.caused_clicks` — each creator's
   click→conversion delays pooled into a mixture of caused (decaying) and baseline (flat)
   conversions, intercepts of buyers already checking out, codes in proportion — and the
   Shapley values split it between the journey's creators. The rest of the conversion goes to
   the journey's other touches equally (or to "(none)").
4. Intervals: bootstrap — resample converting journeys with replacement, keep their shares;
   the 5th and 95th percentiles of each creator's total are its interval.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from roi_ml.ingest.config import PLATFORMS, POST_FORMATS

NONE_ENTITY = "(none)"
CHANNELS = ("direct", "organic_search", "paid_search", "email", "paid_social", "referral", "creator",
            "other")
# One-hot vocabularies: the canonical values ingestion's schemas admit (roi_ml.ingest.config),
# so a value outside them is stopped at ingestion, never silently encoded as all zeros here.
FORMATS = POST_FORMATS
TIERS = ("nano", "micro", "mid", "macro", "mega")


@dataclass
class DataDrivenConfig:
    n_estimators: int = 400
    max_depth: int = 5
    learning_rate: float = 0.05
    subsample: float = 0.8
    colsample_bytree: float = 0.8
    min_child_weight: float = 5.0
    max_exact_creators: int = 6
    max_nonconverting: int = 300_000
    n_bootstrap: int = 10
    interval: float = 0.9
    random_state: int = 0
    n_jobs: int = 2
    xgb_params: dict = field(default_factory=dict)
    calibrate: bool = True
    caused_clicks: dict = field(default_factory=dict)

    @classmethod
    def from_params(cls, params: dict) -> DataDrivenConfig:
        unknown = set(params) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"unknown attribution.data_driven settings {sorted(unknown)} "
                             "(conf/base/parameters_attribution.yml)")
        cfg = cls(**params)
        from roi_ml.attribution.caused_clicks import CausedClickConfig

        bad = set(cfg.caused_clicks) - set(CausedClickConfig.__dataclass_fields__)
        if bad:
            raise ValueError(f"unknown attribution.data_driven.caused_clicks settings {sorted(bad)} "
                             "(conf/base/parameters_attribution.yml)")
        return cfg


# ---------------------------------------------------------------------------- features

def isin(values: pd.Series, allowed) -> np.ndarray:
    """``values.isin(allowed)`` as a boolean array, in Arrow for text (pandas' isin on Arrow
    strings builds one Python scalar per allowed value: seconds per call on millions of
    journey ids). Nulls are never in."""
    try:
        arr = pa.array(values)
        vs = pa.array(allowed)
        if isinstance(vs, pa.ChunkedArray):
            vs = vs.combine_chunks()
        if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
            raise TypeError(arr.type)
        vs = vs.cast(arr.type)
    except (TypeError, ValueError, pa.ArrowException):
        return pd.Series(values).isin(allowed).to_numpy(dtype=bool)
    return np.asarray(pc.is_in(arr, value_set=vs).fill_null(False).to_numpy(zero_copy_only=False),
                      dtype=bool)


def prior_conversions(journeys: pd.DataFrame) -> pd.Series:
    """Per journey, the user's conversions before it (non-converting: all the user's)."""
    out = pd.Series(0.0, index=journeys["journey_id"].to_numpy())
    j = journeys[journeys["user_pseudo_id"].notna()]
    conv = j[j["converted"]].sort_values(["conversion_time", "journey_id"])
    out.loc[conv["journey_id"].to_numpy()] = conv.groupby("user_pseudo_id").cumcount().to_numpy()
    n_by_user = conv.groupby("user_pseudo_id").size()
    non = j[~j["converted"]]
    out.loc[non["journey_id"].to_numpy()] = non["user_pseudo_id"].map(n_by_user).fillna(0).to_numpy()
    return out


def journey_features(touches: pd.DataFrame, journey_ids: pd.Index, prior: pd.Series) -> pd.DataFrame:
    """One row of model features per journey (see the module docstring)."""
    idx = pd.Index(journey_ids, name="journey_id")
    t = touches
    X = pd.DataFrame(index=idx)

    def count(mask, by=None) -> pd.DataFrame | pd.Series:
        sub = t[mask]
        if by is None:
            return sub.groupby("journey_id").size().reindex(idx, fill_value=0)
        return sub.groupby(["journey_id", by]).size().unstack(fill_value=0).reindex(idx, fill_value=0)

    is_channel = (t["touch_type"] == "channel").to_numpy()
    is_creator = t["creator_id"].notna().to_numpy()
    by_channel = count(is_channel, "channel")
    for ch in CHANNELS:
        X[f"n_{ch}"] = by_channel[ch] if ch in by_channel else 0
    X["n_click"] = count((t["touch_type"] == "click").to_numpy())
    X["n_code"] = count((t["touch_type"] == "code").to_numpy())
    X["n_creators"] = t[is_creator].groupby("journey_id")["creator_id"].nunique().reindex(idx, fill_value=0)
    for col, values in (("platform", PLATFORMS), ("format", FORMATS), ("tier", TIERS)):
        c = count(is_creator, col)
        for v in values:
            X[f"{col}_{v}"] = c[v] if v in c else 0
    sessions = t[(t["touch_type"] != "code").to_numpy()]
    last_touch = sessions.groupby("journey_id")["timestamp"].max().reindex(idx)
    first_touch = sessions.groupby("journey_id")["timestamp"].min().reindex(idx)
    last_click = t[(t["touch_type"] == "click").to_numpy()].groupby("journey_id")["timestamp"].max().reindex(idx)
    X["click_gap_h"] = (last_touch - last_click).dt.total_seconds().to_numpy() / 3600
    X["span_h"] = (last_touch - first_touch).dt.total_seconds().to_numpy() / 3600
    first_creator = t[is_creator].groupby("journey_id")["timestamp"].min()
    carts = t[t["had_cart"].fillna(False).to_numpy().astype(bool) & ~is_creator]
    cb = carts.join(first_creator.rename("_fc"), on="journey_id")
    X["cart_before_creator"] = cb[cb["timestamp"] < cb["_fc"]].groupby("journey_id").size().reindex(idx, fill_value=0)
    X["n_cart_sessions"] = carts.groupby("journey_id").size().reindex(idx, fill_value=0)
    X["prior_conversions"] = prior.reindex(idx).fillna(0).to_numpy()
    return X.astype(float)


# ---------------------------------------------------------------------------- model

def _fit(X: pd.DataFrame, y: np.ndarray, w: np.ndarray, cfg: DataDrivenConfig, seed: int):
    import xgboost as xgb

    model = xgb.XGBClassifier(
        n_estimators=cfg.n_estimators, max_depth=cfg.max_depth, learning_rate=cfg.learning_rate,
        subsample=cfg.subsample, colsample_bytree=cfg.colsample_bytree,
        min_child_weight=cfg.min_child_weight, n_jobs=cfg.n_jobs, random_state=seed,
        eval_metric="logloss", **cfg.xgb_params)
    model.fit(X, y, sample_weight=w)
    return model


def training_set(touches: pd.DataFrame, journeys: pd.DataFrame, cfg: DataDrivenConfig,
                 rng: np.random.Generator) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, pd.Series]:
    """Journeys with at least one touch; non-converting ones sampled down to a cap with weights."""
    with_touch = journeys[isin(journeys["journey_id"], touches["journey_id"].unique())]
    conv = with_touch[with_touch["converted"]]
    non = with_touch[~with_touch["converted"]]
    weight_non = 1.0
    if len(non) > cfg.max_nonconverting:
        weight_non = len(non) / cfg.max_nonconverting
        non = non.iloc[np.sort(rng.choice(len(non), cfg.max_nonconverting, replace=False))]
    sample = pd.concat([conv, non])
    prior = prior_conversions(journeys)
    X = journey_features(touches[isin(touches["journey_id"], sample["journey_id"])],
                         pd.Index(sample["journey_id"]), prior)
    y = sample["converted"].to_numpy().astype(int)
    w = np.where(y == 1, 1.0, weight_non)
    return X, y, w, prior


def _creators_by_journey(touches: pd.DataFrame) -> list[tuple[str, list[str]]]:
    """(journey_id, its distinct creators sorted), journeys sorted, from the creator touches."""
    pairs = touches.loc[touches["creator_id"].notna(), ["journey_id", "creator_id"]]
    pairs = pairs.drop_duplicates().sort_values(["journey_id", "creator_id"])
    jids = pairs["journey_id"].to_numpy(dtype=object)
    crs = pairs["creator_id"].to_numpy(dtype=object)
    if len(jids) == 0:
        return []
    starts = np.flatnonzero(np.r_[True, jids[1:] != jids[:-1]])
    ends = np.r_[starts[1:], len(jids)]
    return [(jids[a], list(crs[a:b])) for a, b in zip(starts, ends, strict=True)]


class DataDrivenAttribution:
    """XGBoost conversion model + Shapley credit against the no-creator baseline + view-through.

    fit(touches, journeys) trains the model; credit(...) returns per journey and entity the
    click-and-code credit; view_through(...) the per-creator view-through credit.
    """

    def __init__(self, config: DataDrivenConfig | None = None) -> None:
        self.config = config or DataDrivenConfig()

    def fit(self, touches: pd.DataFrame, journeys: pd.DataFrame, seed: int | None = None):
        cfg = self.config
        rng = np.random.default_rng(cfg.random_state if seed is None else seed)
        X, y, w, prior = training_set(touches, journeys, cfg, rng)
        if y.sum() == 0 or y.sum() == len(y):
            raise ValueError("the data-driven model needs converting and non-converting journeys")
        self.model_ = _fit(X, y, w, cfg, cfg.random_state if seed is None else seed)
        self.feature_names_ = list(X.columns)
        self.prior_ = prior
        self.n_training_journeys_ = len(X)
        self.training_positive_share_ = float(y.mean())
        return self

    def _predict(self, X: pd.DataFrame) -> np.ndarray:
        return self.model_.predict_proba(X[self.feature_names_])[:, 1]

    def creator_shapley(self, touches: pd.DataFrame, journeys: pd.DataFrame) -> pd.DataFrame:
        """Per converting journey with creator touches: φ_c / f(x) for each creator c (≥ 0).

        Out: journey_id, creator_id, share (fraction of the journey's conversion), f_full,
        f_baseline.
        """
        cfg = self.config
        conv_ids = journeys.loc[journeys["converted"], "journey_id"]
        t = touches[isin(touches["journey_id"], conv_ids)]
        has_creator = t.loc[t["creator_id"].notna(), "journey_id"].unique()
        t = t[isin(t["journey_id"], has_creator)]
        if t.empty:
            return pd.DataFrame(columns=["journey_id", "creator_id", "share", "f_full", "f_baseline"])
        creators_by_j = _creators_by_journey(t)
        # coalition rows: (journey, subset of its creators); journeys with more creators than
        # max_exact_creators are evaluated on {all, none} and split by touch counts.
        keys = []
        for jid, crs in creators_by_j:
            subsets = ([tuple(s) for k in range(len(crs) + 1) for s in combinations(crs, k)]
                       if len(crs) <= cfg.max_exact_creators else [(), tuple(crs)])
            for s in subsets:
                keys.append((jid, s))
        key_ids = [f"{jid}\x1f{'|'.join(s)}" for jid, s in keys]
        # build touches of every coalition in one vectorised pass: a coalition keeps the
        # journey's non-creator touches and the touches of its own creators
        coal = pd.DataFrame({"coal_id": pd.array(key_ids, dtype="str"),
                             "journey_id": pd.array([k[0] for k in keys], dtype="str")})
        tt = coal.merge(t, on="journey_id")
        members = pd.Series([f"{kid}\x1e{c}" for kid, (_, s) in zip(key_ids, keys, strict=True)
                             for c in s], dtype="str")
        is_creator = tt["creator_id"].notna().to_numpy()
        member = np.zeros(len(tt), dtype=bool)
        member[is_creator] = isin(tt["coal_id"][is_creator] + "\x1e" + tt["creator_id"][is_creator],
                                  members)
        tt = tt[~is_creator | member]
        tt = tt.drop(columns="journey_id").rename(columns={"coal_id": "journey_id"})
        prior = self.prior_.reindex(coal["journey_id"]).to_numpy()
        X = journey_features(tt, pd.Index(coal["coal_id"]), pd.Series(prior, index=coal["coal_id"]))
        f = pd.Series(self._predict(X), index=coal["coal_id"])
        empty = tt.groupby("journey_id").size().reindex(coal["coal_id"], fill_value=0) == 0
        f[empty.to_numpy()] = 0.0  # nothing left: without the creators the person never came
        value = dict(zip(keys, f.to_numpy(), strict=True))
        rows = []
        touch_counts = t[t["creator_id"].notna()].groupby(["journey_id", "creator_id"]).size()
        for jid, crs in creators_by_j:
            full = value[(jid, tuple(crs))]
            base = value[(jid, ())]
            if full <= 0:
                continue
            n = len(crs)
            if n <= cfg.max_exact_creators:
                for c in crs:
                    others = [x for x in crs if x != c]
                    phi = 0.0
                    for k in range(n):
                        wgt = math.factorial(k) * math.factorial(n - k - 1) / math.factorial(n)
                        for s in combinations(others, k):
                            with_c = tuple(sorted((*s, c)))
                            phi += wgt * (value[(jid, with_c)] - value[(jid, s)])
                    rows.append((jid, c, max(phi, 0.0) / full, full, base))
            else:
                gain = max(full - base, 0.0) / full
                tc = touch_counts.loc[jid]
                for c in crs:
                    rows.append((jid, c, gain * tc[c] / tc.sum(), full, base))
        out = pd.DataFrame(rows, columns=["journey_id", "creator_id", "share", "f_full", "f_baseline"])
        # Shapley values sum to f(x) − f(baseline) ≤ f(x); clipping negatives can only lower it,
        # but guard the total at one conversion.
        tot = out.groupby("journey_id")["share"].transform("sum")
        out["share"] = out["share"] / np.maximum(tot, 1.0)
        return out

    def credit(self, touches: pd.DataFrame, journeys: pd.DataFrame) -> pd.DataFrame:
        """Per journey and entity: conversions and revenue credited (click-and-code part).

        Creator shares go to the creator's posts in the journey (equally per touch); the rest of
        each conversion goes to the journey's non-creator touches equally, or to "(none)".
        """
        shares = self.creator_shapley(touches, journeys)
        return allocate(touches, journeys, shares)


def allocate(touches: pd.DataFrame, journeys: pd.DataFrame, shares: pd.DataFrame) -> pd.DataFrame:
    """Turn creator shares per journey into conserved credit per journey and entity."""
    conv = journeys[journeys["converted"]].set_index("journey_id")
    t = touches[isin(touches["journey_id"], conv.index)]
    # creator part → posts of that creator in the journey
    ct = t[t["creator_id"].notna()].merge(shares[["journey_id", "creator_id", "share"]],
                                          on=["journey_id", "creator_id"])
    ct["n"] = ct.groupby(["journey_id", "creator_id"])["entity"].transform("size")
    ct["w"] = ct["share"] / ct["n"]
    # the rest → non-creator touches equally, or (none)
    creator_total = shares.groupby("journey_id")["share"].sum().reindex(conv.index, fill_value=0.0)
    rest = 1.0 - creator_total
    nt = t[t["creator_id"].isna()].copy()
    nt["n"] = nt.groupby("journey_id")["entity"].transform("size")
    nt["w"] = nt["journey_id"].map(rest) / nt["n"]
    has_other = set(nt["journey_id"])
    none_ids = [j for j in conv.index if j not in has_other and rest[j] > 1e-12]
    nn = pd.DataFrame({"journey_id": none_ids, "entity": NONE_ENTITY,
                       "w": rest.reindex(none_ids).to_numpy()})
    parts = pd.concat([ct[["journey_id", "entity", "w"]], nt[["journey_id", "entity", "w"]], nn])
    parts = parts.groupby(["journey_id", "entity"], as_index=False)["w"].sum()
    parts["conversions"] = parts["w"] * parts["journey_id"].map(conv["conversions"])
    parts["revenue"] = parts["w"] * parts["journey_id"].map(conv["revenue"])
    return parts[parts["w"] > 0].drop(columns="w").reset_index(drop=True)


# ---------------------------------------------------------------------------- inputs

def frames_from_events(journeys: pd.DataFrame, journey_touches: pd.DataFrame,
                       cart_sessions: pd.DataFrame, posts: pd.DataFrame, creators: pd.DataFrame,
                       max_path_length: int | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The events pipeline's journeys and touches → (touches, journeys) of this module.

    In: `journeys` [journey_id, user_pseudo_id, converted, conversions, value_usd,
    conversion_time, customer_id?], `journey_touches` [journey_id, position, touch_time, entity,
    touch_type, post_id, creator_id, channel], `cart_sessions` [user_pseudo_id, session_start]
    (sessions with an add-to-cart), canonical `posts` [post_id, platform, format] and
    `creators` [creator_id, tier]. `max_path_length` keeps each journey's last N touches (by
    position), as every other model does.

    Out: touches [journey_id, position, timestamp, touch_type, entity, creator_id, channel,
    platform, format, tier, had_cart] and journeys [journey_id, user_pseudo_id, customer_id,
    converted, conversions, revenue (= value_usd, the value every model credits),
    conversion_time]. Null conversions count as 1, null values as 0.
    """
    j = journeys
    out_j = pd.DataFrame({
        "journey_id": j["journey_id"].astype("str").to_numpy(),
        "user_pseudo_id": j["user_pseudo_id"].astype("str").to_numpy(),
        "customer_id": (j["customer_id"].astype("str") if "customer_id" in j
                        else pd.Series(pd.NA, index=j.index, dtype="str")).to_numpy(),
        "converted": j["converted"].astype(bool).to_numpy(),
        "conversions": j["conversions"].astype(float).fillna(1.0).where(j["converted"], 0.0).to_numpy(),
        "revenue": j["value_usd"].astype(float).fillna(0.0).where(j["converted"], 0.0).to_numpy(),
        "conversion_time": j["conversion_time"].to_numpy(),
    })
    t = journey_touches.rename(columns={"touch_time": "timestamp"})
    t = t[["journey_id", "position", "timestamp", "touch_type", "entity", "creator_id", "channel",
           "post_id"]].copy()
    for c in ("journey_id", "touch_type", "entity", "creator_id", "channel", "post_id"):
        t[c] = t[c].astype("str")
    t["entity"] = t["entity"].fillna("(unknown)")
    if max_path_length is not None:
        rank = t.groupby("journey_id")["position"].rank(method="first", ascending=False)
        t = t[(rank <= max_path_length).to_numpy()]
    p = posts.reindex(columns=["post_id", "platform", "format"]).astype("str")
    t = t.merge(p.drop_duplicates("post_id"), on="post_id", how="left")
    tiers = creators.reindex(columns=["creator_id", "tier"]).astype("str").drop_duplicates("creator_id")
    t = t.merge(tiers, on="creator_id", how="left")
    users = out_j[["journey_id", "user_pseudo_id"]]
    t = t.merge(users, on="journey_id", how="left")
    carts = cart_sessions[["user_pseudo_id", "session_start"]].astype({"user_pseudo_id": "str"})
    carts = carts.drop_duplicates().assign(had_cart=True)
    t = t.merge(carts.rename(columns={"session_start": "timestamp"}),
                on=["user_pseudo_id", "timestamp"], how="left")
    t["had_cart"] = t["had_cart"].fillna(False).astype(bool) & (t["touch_type"] != "code").to_numpy()
    t = t.drop(columns=["user_pseudo_id", "post_id"]).sort_values(["journey_id", "position"],
                                                                   ignore_index=True)
    return t, out_j


# ---------------------------------------------------------------------------- credit + intervals

@dataclass
class DataDrivenResult:
    """What `credit_data_driven` returns.

    credit: journey_id, entity, conversions, revenue (every converting journey, conserved);
    shares: journey_id, creator_id, share (fraction of the journey's conversion per creator);
    creator_credit: creator_id, conversions, revenue (click-and-code credit per creator);
    intervals: creator_id, conversions_ci_low/high, revenue_ci_low/high (bootstrap);
    model: the fitted DataDrivenAttribution (None when it could not be fitted).
    """

    credit: pd.DataFrame
    shares: pd.DataFrame
    creator_credit: pd.DataFrame
    intervals: pd.DataFrame
    model: DataDrivenAttribution | None


def creator_totals(shares: pd.DataFrame, journeys: pd.DataFrame,
                   weights: pd.Series | None = None) -> pd.DataFrame:
    """Σ over journeys of share × conversions (and × revenue) per creator; `weights` (per
    journey_id, e.g. bootstrap draw counts) multiply each journey."""
    conv = journeys[journeys["converted"]].set_index("journey_id")
    s = shares[["journey_id", "creator_id", "share"]]
    w = s["share"].to_numpy(float)
    if weights is not None:
        w = w * s["journey_id"].map(weights).fillna(0.0).to_numpy(float)
    out = pd.DataFrame({
        "creator_id": s["creator_id"].to_numpy(),
        "conversions": w * s["journey_id"].map(conv["conversions"]).to_numpy(float),
        "revenue": w * s["journey_id"].map(conv["revenue"]).to_numpy(float)})
    return out.groupby("creator_id", as_index=False)[["conversions", "revenue"]].sum()


def bootstrap_intervals(shares: pd.DataFrame, journeys: pd.DataFrame, creators: pd.Index,
                        n_bootstrap: int, interval: float, seed: int) -> pd.DataFrame:
    """Percentile intervals of each creator's credit over resamples of the converting journeys.

    Each resample draws as many converting journeys as there are, with replacement (a journey
    drawn k times counts k times); the creator shares of each journey are kept (the model is
    not refitted: the interval reflects which conversions happened to occur). With
    interval = 0.9 the bounds are the 5th and 95th percentiles. Creators without credit get
    [0, 0]. Out: creator_id, conversions_ci_low, conversions_ci_high, revenue_ci_low,
    revenue_ci_high.
    """
    conv = journeys[journeys["converted"]]
    ids = conv["journey_id"].to_numpy()
    out = pd.DataFrame({"creator_id": pd.Series(creators, dtype="str")})
    cols = ["conversions_ci_low", "conversions_ci_high", "revenue_ci_low", "revenue_ci_high"]
    if n_bootstrap == 0 or len(ids) == 0:  # no interval asked for (null) / nothing to credit (0)
        for col in cols:
            out[col] = np.nan if n_bootstrap == 0 else 0.0
        return out
    pos = pd.Series(np.arange(len(ids)), index=ids)
    s = shares[shares["creator_id"].isin(creators)]
    j_idx = s["journey_id"].map(pos).to_numpy()
    c_idx = pd.Index(creators).get_indexer(s["creator_id"])
    keep = ~np.isnan(j_idx.astype(float))
    j_idx, c_idx = j_idx[keep].astype(int), c_idx[keep]
    sh = s["share"].to_numpy(float)[keep]
    per_conv = sh * conv["conversions"].to_numpy(float)[j_idx]
    per_rev = sh * conv["revenue"].to_numpy(float)[j_idx]
    rng = np.random.default_rng(seed)
    c = np.empty((n_bootstrap, len(creators)))
    r = np.empty((n_bootstrap, len(creators)))
    for b in range(n_bootstrap):
        k = np.bincount(rng.integers(0, len(ids), len(ids)), minlength=len(ids))[j_idx]
        c[b] = np.bincount(c_idx, weights=k * per_conv, minlength=len(creators))
        r[b] = np.bincount(c_idx, weights=k * per_rev, minlength=len(creators))
    lo, hi = 50 * (1 - interval), 50 * (1 + interval)
    out["conversions_ci_low"], out["conversions_ci_high"] = np.percentile(c, [lo, hi], axis=0)
    out["revenue_ci_low"], out["revenue_ci_high"] = np.percentile(r, [lo, hi], axis=0)
    return out


def calibrate_shares(shares: pd.DataFrame, touches: pd.DataFrame, journeys: pd.DataFrame,
                     cfg: DataDrivenConfig) -> tuple[pd.DataFrame, dict]:
    """Calibrate the Shapley shares with creator-level pooled incrementality.

    p_c = the probability that creator c's click or code in the journey caused the conversion
    (`roi_ml.attribution.caused_clicks`). The creators' part of the journey is
    1 − Π_c (1 − p_c) (at least one of them caused it), split between the creators in
    proportion to p_c × (φ_c / f(x) + ε) — the conversion model's Shapley share decides between
    creators of one journey, ε = 0.001 keeps a creator whose Shapley value was clipped at 0
    in the split. Out: shares [journey_id, creator_id, share, f_full, f_baseline, p_caused] for
    every converting journey × creator touched, and the fit's info.
    """
    from roi_ml.attribution.caused_clicks import CausedClickConfig, caused_probability

    pairs, info = caused_probability(touches, journeys, CausedClickConfig(**cfg.caused_clicks))
    m = pairs[["journey_id", "creator_id", "p_caused"]].merge(
        shares, on=["journey_id", "creator_id"], how="left")
    m["share"] = m["share"].fillna(0.0)
    p = m["p_caused"].to_numpy(float)
    log_keep = np.log(np.clip(1.0 - p, 1e-12, 1.0))
    total = 1.0 - np.exp(pd.Series(log_keep).groupby(m["journey_id"].to_numpy()).transform("sum").to_numpy())
    w = p * (m["share"].to_numpy(float) + 1e-3)
    w_sum = pd.Series(w).groupby(m["journey_id"].to_numpy()).transform("sum").to_numpy()
    m["share"] = np.where(w_sum > 0, total * w / np.where(w_sum > 0, w_sum, 1.0), 0.0)
    return m[["journey_id", "creator_id", "share", "f_full", "f_baseline", "p_caused"]], info


def credit_data_driven(touches: pd.DataFrame, journeys: pd.DataFrame,
                       config: DataDrivenConfig | None = None) -> DataDrivenResult:
    """Fit the conversion model, credit every converting journey, bootstrap creator intervals.

    Raises ValueError when the model cannot be fitted (no converting or no non-converting
    journey with a touch): the caller decides the fallback.
    """
    cfg = config or DataDrivenConfig()
    model = DataDrivenAttribution(cfg).fit(touches, journeys)
    shares = model.creator_shapley(touches, journeys)
    model.caused_info_ = {}
    if cfg.calibrate:
        shares, model.caused_info_ = calibrate_shares(shares, touches, journeys, cfg)
    credit = allocate(touches, journeys, shares)
    creators = pd.Index(sorted(touches["creator_id"].dropna().unique()), name="creator_id")
    intervals = bootstrap_intervals(shares, journeys, creators, cfg.n_bootstrap, cfg.interval,
                                    cfg.random_state)
    return DataDrivenResult(credit=credit, shares=shares,
                            creator_credit=creator_totals(shares, journeys), intervals=intervals,
                            model=model)
