"""Cross-platform reach deduplication (docs/metrics.md, "Deduplicated reach").

Platforms report reach per post; no platform knows who else saw the same person elsewhere.
The media planner's answer is random duplication (Sainsbury): with reaches rᵢ expressed as
shares of the addressable audience (the universe), the combined reach is 1 − Π(1 − rᵢ).
roi_ml applies it at three levels, each explicit:

1. Within a creator's platform audience, across that creator's posts: post i reaches a share
   ρᵢ = reachᵢ / audience of the account's followers; a follower is missed by all posts with
   probability Π(1 − ρᵢ) (random duplication inside the audience, not inside the universe: the
   posts of one account reach the same followers again and again). Optionally a "core" of
   followers is more likely to be reached by every post (`core_share`, `core_multiplier`),
   which duplicates more than random; the lower end of the interval uses it.
2. Across a creator's platforms: the primary-platform audience is a random subset of the
   universe; another platform's audience shares overlap × min(A₀, Aⱼ) people with it (the
   roster's `known_audience_overlap`, from the creator's media kit) and is otherwise random.
3. Across the creators of a campaign: Sainsbury on each creator's deduplicated reach share of
   the universe (the campaign's `target_audience_size`).

The interval brackets the assumptions the data cannot pin down: unknown overlaps (a range),
within-audience duplication (random at the top, a core of heavy viewers at the bottom), the
audience size (the roster's count for the point; the count at publication is the other end;
followers the authenticity scorer finds bought are not counted, except at the high end)
and, for X posts, reach estimated from impressions (an interquartile range of frequency).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd


def sainsbury(reach_shares: Iterable[float]) -> float:
    """Random-duplication combined reach share: 1 − Π(1 − rᵢ), each rᵢ clipped to [0, 1]."""
    r = np.clip(np.asarray(list(reach_shares), dtype=float), 0.0, 1.0)
    return float(1.0 - np.prod(1.0 - r)) if r.size else 0.0


def audience_not_reached(audience: float, post_reaches: Sequence[float], core_share: float = 0.0,
                         core_multiplier: float = 1.0) -> float:
    """P(a member of one account's audience is reached by none of its posts).

    Random duplication inside the audience: Π(1 − ρᵢ), ρᵢ = reachᵢ / audience (clipped to 1).
    With a core of heavy viewers (share k, each post reaches them m times as often as average,
    the rest proportionally less so the post's reach is unchanged):
    k·Π(1 − min(m·ρᵢ, 1)) + (1 − k)·Π(1 − ρᵢ′), ρᵢ′ = (ρᵢ − k·min(m·ρᵢ, 1)) / (1 − k).
    """
    reaches = np.asarray(list(post_reaches), dtype=float)
    if reaches.size == 0:
        return 1.0
    rho = np.clip(np.nan_to_num(reaches, nan=0.0) / max(float(audience), 1.0), 0.0, 1.0)
    k = float(core_share)
    if k <= 0.0 or core_multiplier <= 1.0:
        return float(np.prod(1.0 - rho))
    core = np.minimum(rho * float(core_multiplier), 1.0)
    casual = np.clip((rho - k * core) / (1.0 - k), 0.0, 1.0)
    return float(k * np.prod(1.0 - core) + (1.0 - k) * np.prod(1.0 - casual))


def creator_not_reached(universe: float, audiences: Sequence[float | None],
                        post_reaches: Sequence[Sequence[float]], overlap: float,
                        core_share: float = 0.0, core_multiplier: float = 1.0) -> float:
    """P(a person in the universe is reached by none of one creator's posts, on any platform).

    `audiences[0]` / `post_reaches[0]` are the primary platform; each other platform shares
    `overlap` × min(A₀, Aⱼ) of its audience with the primary one and is otherwise a random
    subset of the rest of the universe. Two secondary platforms overlap only through that.
    A platform with an unknown audience (None / NaN / ≤ 0) has its posts treated as reaching
    random people of the universe (Sainsbury on rᵢ / universe): no within-audience duplication.
    """
    u = max(float(universe), 1.0)
    unknown = 1.0
    known: list[tuple[float, float]] = []  # (audience, P(not reached | in that audience))
    for i, (aud, reaches) in enumerate(zip(audiences, post_reaches, strict=True)):
        if aud is None or pd.isna(aud) or aud <= 0:
            unknown *= 1.0 - sainsbury(np.asarray(list(reaches), float) / u) if len(reaches) else 1.0
            if i == 0:
                known.append((0.0, 1.0))
            continue
        a = min(float(aud), u)
        known.append((a, audience_not_reached(a, reaches, core_share, core_multiplier)))
    a0, q0 = known[0]
    if a0 <= 0:  # no anchor audience: the other audiences are independent random subsets
        q = 1.0
        for a, qa in known[1:]:
            q *= 1.0 - (a / u) * (1.0 - qa)
        return q * unknown
    p_in = a0 / u
    prod_in, prod_out = q0, 1.0
    for a, qa in known[1:]:
        shared = float(np.clip(overlap, 0.0, 1.0)) * min(a0, a)
        prod_in *= 1.0 - (shared / a0) * (1.0 - qa)
        prod_out *= 1.0 - ((a - shared) / max(u - a0, 1.0)) * (1.0 - qa)
    return (p_in * prod_in + (1.0 - p_in) * prod_out) * unknown


@dataclass(frozen=True)
class ReachAssumptions:
    """What deduplication assumes where the data is silent (from `kpis.reach` in conf)."""

    default_overlap: float
    overlap_range: tuple[float, float]
    core_share_low: float
    core_multiplier_low: float

    @classmethod
    def from_params(cls, params: dict, known_overlaps: pd.Series) -> ReachAssumptions:
        """Unknown overlaps default to the mean of the roster's known ones (else conf)."""
        known = pd.to_numeric(known_overlaps, errors="coerce").dropna()
        min_known = int(params["min_known_overlaps_for_default"])
        default = (float(known.mean()) if len(known) >= min_known
                   else float(params["default_audience_overlap"]))
        lo, hi = params["unknown_overlap_range"]
        return cls(default_overlap=default, overlap_range=(float(lo), float(hi)),
                   core_share_low=float(params["low"]["core_share"]),
                   core_multiplier_low=float(params["low"]["core_multiplier"]))


NO_UNIVERSE = 1e12  # a universe so large that creators' audiences never meet: reaches add


def _group_reach(universe: float, g: pd.DataFrame, primary: dict, overlaps: dict,
                 a: ReachAssumptions, roster_audience: pd.Series | dict | None
                 ) -> tuple[float, float, float]:
    """(point, low, high) unique people reached by the posts in g (one universe)."""
    q_point = q_low = q_high = 1.0
    # one pass over the group's posts per (creator, platform), in order of first appearance
    # (a per-creator boolean filter was the KPI pipeline's slowest step: issue 8 profile)
    by_cp = g.groupby(["creator_id", "platform"], sort=False)
    at_publish_s = by_cp["audience"].median()
    at_publish = at_publish_s.to_dict()  # plain dicts: Series.get on a MultiIndex is slow
    real = by_cp["audience_factor"].median().to_dict()
    reach_lists = {col: by_cp[col].agg(list).to_dict() for col in ("reach", "reach_low", "reach_high")}
    roster = roster_audience if isinstance(roster_audience, dict) else (
        roster_audience.to_dict() if roster_audience is not None else {})
    creator_plats: dict[str, list[str]] = {}
    for creator_id, plat in at_publish_s.index:
        creator_plats.setdefault(creator_id, []).append(plat)
    for creator_id, present in creator_plats.items():
        plats = list(present)
        prim = primary.get(creator_id)
        if isinstance(prim, str):  # the primary audience anchors the overlap, posts or not
            plats = [prim, *[p for p in plats if p != prim]]
        # the audience: the roster's followers (the media kit the overlap comes from), else
        # the count at publication, times the share of real followers (authenticity); the
        # interval spans both counts, and its high end takes every follower as real
        auds, auds_low, auds_high = [], [], []
        for p in plats:
            pub = at_publish.get((creator_id, p), np.nan)
            ros = roster.get((creator_id, p), np.nan)
            both = [v for v in (ros, pub) if not pd.isna(v) and v > 0]
            factor = real.get((creator_id, p), 1.0)
            share = float(factor) if not pd.isna(factor) else 1.0
            auds.append(both[0] * share if both else np.nan)
            auds_low.append(min(both) * share if both else np.nan)
            auds_high.append(max(both) if both else np.nan)
        reach_of = {col: [lists.get((creator_id, p), []) for p in plats]
                    for col, lists in reach_lists.items()}
        known = overlaps.get(creator_id)
        has_known = known is not None and not pd.isna(known)
        ov_point = float(known) if has_known else a.default_overlap
        ov_for_low = float(known) if has_known else a.overlap_range[1]
        ov_for_high = float(known) if has_known else a.overlap_range[0]
        q_point *= creator_not_reached(universe, auds, reach_of["reach"], ov_point)
        q_low *= creator_not_reached(universe, auds_low, reach_of["reach_low"], ov_for_low,
                                     a.core_share_low, a.core_multiplier_low)
        q_high *= creator_not_reached(universe, auds_high, reach_of["reach_high"], ov_for_high)
    return universe * (1 - q_point), universe * (1 - q_low), universe * (1 - q_high)


def deduplicated_reach(post_reach: pd.DataFrame, group_cols: list[str], universe: pd.Series,
                       creators: pd.DataFrame, assumptions: ReachAssumptions,
                       roster_audience: pd.Series | None = None) -> pd.DataFrame:
    """Deduplicated reach with its interval for every group of posts.

    In: `post_reach` with creator_id, platform, reach (point), reach_low, reach_high, audience
    (the account's followers when the post was published; NaN when unknown), optionally
    audience_factor (share of the followers that are a real audience, default 1) and the
    `group_cols`; `universe` indexed like the groups (plain index for one group column, a
    MultiIndex otherwise; missing → creators are not deduplicated against each other);
    `creators` with creator_id, primary_platform, known_audience_overlap; `roster_audience`
    (creator_id, platform) → the roster's followers, the audience of the point estimate (the
    count at publication when the roster has none; the interval spans both counts).
    Out: one row per group: universe, reach_reported_sum, reach_deduplicated and its interval
    reach_deduplicated_low / reach_deduplicated_high.
    """
    primary = creators.set_index("creator_id")["primary_platform"].to_dict()
    overlaps = creators.set_index("creator_id")["known_audience_overlap"].to_dict()
    roster = roster_audience.to_dict() if roster_audience is not None else {}
    frame = post_reach.copy()
    frame["audience"] = pd.to_numeric(frame["audience"], errors="coerce").astype("float64")
    if "audience_factor" not in frame:
        frame["audience_factor"] = 1.0
    frame["audience_factor"] = pd.to_numeric(frame["audience_factor"], errors="coerce").fillna(1.0)
    for col in ("reach", "reach_low", "reach_high"):
        frame[col] = pd.to_numeric(frame[col], errors="coerce").astype("float64").fillna(0.0)
    rows = []
    for key, g in frame.groupby(group_cols, sort=True, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        u = universe.get(key if len(key) > 1 else key[0], np.nan)
        has_u = u is not None and not pd.isna(u) and u > 0
        point, low, high = _group_reach(float(u) if has_u else NO_UNIVERSE, g, primary, overlaps,
                                        assumptions, roster)
        rows.append({**dict(zip(group_cols, key, strict=True)),
                     "universe": float(u) if has_u else np.nan,
                     "reach_reported_sum": float(g["reach"].sum()), "reach_deduplicated": point,
                     "reach_deduplicated_low": min(low, point),
                     "reach_deduplicated_high": max(high, point)})
    cols = [*group_cols, "universe", "reach_reported_sum", "reach_deduplicated",
            "reach_deduplicated_low", "reach_deduplicated_high"]
    return pd.DataFrame(rows, columns=cols)
