"""Inauthentic-engagement detection: an authenticity score 0–100 per creator, a flag, and the
reasons in words (docs/metrics.md, "Authenticity score").

Two steps, both usable outside Kedro:

1. `account_signals` measures, per creator account (creator × platform), the signals that
   bought followers, bought likes, engagement pods and comment bots leave in the exports:

   | signal | suspicious when | what it catches |
   |---|---|---|
   | follower_jump | high | overnight follower jumps the account's own growth trend does not explain |
   | signal_log_er_by_followers | low | followers that never engage (bought followers) |
   | signal_log_er_by_reach | high | engagement out of line with the people reached |
   | like_comment_ratio | high or low | bought likes (high), pod / bot comments (low) |
   | day0_like_excess | high | likes arriving on day 0 beyond the post's own day-0 share of impressions |
   | fast_comment_share | high | comments within minutes of posting |
   | generic_comment_share | high | generic praise / spam text, or one author pasting the same text |
   | repeat_author_share | high | comments from authors who comment again and again |

2. `AuthenticityScorer` turns the signals into robust z-scores against tier × platform peers
   (median and MAD; a cell with too few accounts borrows tier and platform effects from a
   median polish), adds each value's sampling noise to its scale, and combines the accounts of
   a creator (Stouffer). The rule part is the strongest one-sided z; an IsolationForest (seeded)
   on the same z-scores adds what no single rule sees. Score = 100 × (1 − suspicion); a flag
   needs a low score AND at least one signal strong enough to be named as a reason.

The scorer never sees labels: thresholds are in conf (`kpis.authenticity`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.ensemble import IsolationForest


@dataclass(frozen=True)
class Signal:
    """One authenticity signal: which side is suspicious and how to say it in words."""

    name: str
    side: str  # "high", "low" or "both"
    label: str  # what the value is, for reasons text
    kind: str  # "log" (ratio on a log scale), "share" (a proportion), "excess" (a difference)


SIGNALS: tuple[Signal, ...] = (
    Signal("follower_jump", "high", "unexplained follower jump", "excess"),
    Signal("signal_log_er_by_followers", "low", "engagement rate by followers", "log"),
    Signal("signal_log_reach_by_followers", "low", "reach per follower", "log"),
    Signal("signal_log_er_by_reach", "high", "engagement rate by reach", "log"),
    Signal("like_comment_ratio", "both", "like:comment ratio", "log"),
    Signal("day0_like_excess", "high",
           "share of likes on day 0 minus the post's day-0 share of impressions", "excess"),
    Signal("fast_comment_share", "high", "comments within minutes of posting", "share"),
    Signal("generic_comment_share", "high", "generic or copy-paste comments", "share"),
    Signal("repeat_author_share", "high", "comments from repeat authors", "share"),
)
SIGNAL_NAMES = tuple(s.name for s in SIGNALS)
COUNT_SIGNALS = ("fast_comment_share", "generic_comment_share", "repeat_author_share")


# --- step 1: signals per account ---------------------------------------------------------------
def is_generic_comment(texts: pd.Series, patterns: Sequence[str]) -> pd.Series:
    """True for a comment with no letters at all (emoji / punctuation only) or one matching a
    generic-praise / spam pattern of conf (case-insensitive regular expressions)."""
    t = texts.astype("string").fillna("").str.strip()
    no_letters = ~t.str.contains(r"[^\W\d_]", regex=True).fillna(False)
    hit = pd.Series(False, index=texts.index)
    for rx in patterns:
        hit |= t.str.contains(rx, flags=re.IGNORECASE, regex=True).fillna(False).astype(bool)
    return (no_letters | hit).astype(bool)


def follower_jumps(observations: pd.DataFrame, roster: pd.DataFrame | None, as_of: pd.Timestamp,
                   min_run_days: int = 3) -> pd.DataFrame:
    """Per account, the largest follower jump its own growth trend does not explain.

    In: `observations` (creator_id, platform, date, followers: the end-of-day follower count the
    platform exports report on days a post is live); `roster` (creator_id, platform, followers:
    the roster's count, taken to be as of `as_of`).
    The trend g (log growth per day) is the median over the account's runs of consecutive days
    of (log change over the run / its days). Each step between observations (and from the last
    one to the roster) has excess = Δlog followers − g × Δdays.
    Out: creator_id, platform, follower_jump (largest excess, log scale), jump_gap_days (its
    Δdays), jump_from / jump_to (followers around it), trend_days (days behind g; 0 when the
    account has no run long enough: g is then the peer median, set by the scorer).
    """
    obs = observations.dropna(subset=["followers"]).copy()
    obs["followers"] = pd.to_numeric(obs["followers"], errors="coerce").astype("float64")
    obs = obs[obs["followers"] > 0]
    obs = obs.groupby(["creator_id", "platform", "date"], as_index=False)["followers"].median()
    roster_f = ({} if roster is None else
                {(c, p): float(f) for c, p, f in zip(roster["creator_id"], roster["platform"],
                                                     roster["followers"], strict=True)
                 if f is not None and not pd.isna(f) and f > 0})
    rows = []
    for (creator_id, platform), g in obs.groupby(["creator_id", "platform"], sort=True):
        g = g.sort_values("date")
        t = ((g["date"] - g["date"].iloc[0]).dt.days).to_numpy(float)
        lf = np.log(g["followers"].to_numpy())
        f = g["followers"].to_numpy()
        run = np.r_[0, np.cumsum(np.diff(t) > 1)]
        rates, run_days = [], 0.0
        for r in np.unique(run):
            k = run == r
            span = t[k][-1] - t[k][0]
            if k.sum() >= min_run_days and span > 0:
                rates.append((lf[k][-1] - lf[k][0]) / span)
                run_days += span
        g_rate = float(np.median(rates)) if rates else np.nan
        dt, dl = np.diff(t), np.diff(lf)
        f_from, f_to = f[:-1], f[1:]
        end = roster_f.get((creator_id, platform))
        if end is not None:
            gap = float((as_of - g["date"].iloc[-1]).days)
            if gap >= 0:
                dt, dl = np.r_[dt, gap], np.r_[dl, math.log(end) - lf[-1]]
                f_from, f_to = np.r_[f_from, f[-1]], np.r_[f_to, end]
        rows.append({"creator_id": creator_id, "platform": platform, "trend_per_day": g_rate,
                     "trend_days": run_days, "step_days": dt, "step_dlog": dl, "step_from": f_from, "step_to": f_to})
    return pd.DataFrame(rows, columns=["creator_id", "platform", "trend_per_day", "trend_days",
                                       "step_days", "step_dlog", "step_from", "step_to"])


def _largest_excess(steps: pd.DataFrame, fallback_trend: float) -> pd.DataFrame:
    out = []
    for r in steps.itertuples(index=False):
        g = r.trend_per_day if not pd.isna(r.trend_per_day) else fallback_trend
        if not isinstance(r.step_days, np.ndarray) or len(r.step_days) == 0:
            out.append((np.nan, np.nan, np.nan, np.nan))
            continue
        ex = r.step_dlog - g * r.step_days
        j = int(np.argmax(ex))
        out.append((float(ex[j]), float(r.step_days[j]), float(r.step_from[j]), float(r.step_to[j])))
    return pd.DataFrame(out, columns=["follower_jump", "jump_gap_days", "jump_from", "jump_to"],
                        index=steps.index)


def account_signals(post_totals: pd.DataFrame, follower_obs: pd.DataFrame,
                    roster: pd.DataFrame | None, comments: pd.DataFrame, creators: pd.DataFrame,
                    params: Mapping) -> pd.DataFrame:
    """Signals per creator account (creator × platform), with the counts behind them.

    In: `post_totals` (post_id, creator_id, platform, likes, comments, shares, saves,
    engagements, reach, impressions, followers_at_publish, likes_day0, impressions_day0);
    `follower_obs` (creator_id, platform, date, followers); `roster` (creator_platforms);
    `comments` (comment_id, post_id, author_key, text, created_at, published_at of the post);
    `creators` (creator_id, tier); `params` = `kpis.authenticity`.
    Out: one row per account with tier, n_posts, the raw signals of SIGNALS and the counts
    their noise depends on (n_likes, n_comments, n_engagements, n_comments_exported, ...).
    """
    p = post_totals.copy()
    num = ["likes", "comments", "engagements", "reach", "impressions", "followers_at_publish",
           "likes_day0", "impressions_day0"]
    for c in num:
        p[c] = pd.to_numeric(p[c], errors="coerce").astype("float64")
    usable = p["impressions"].fillna(0) > 0
    p = p[usable]
    # followers as vendors count them: the account's current (roster) followers, one per post;
    # the count at publication when the roster does not list the account
    current = ({} if roster is None else
               {(c, pl): f for c, pl, f in zip(roster["creator_id"], roster["platform"],
                                               pd.to_numeric(roster["followers"], errors="coerce"),
                                               strict=True) if not pd.isna(f) and f > 0})
    now = pd.Series([current.get((c, pl), np.nan) for c, pl in
                     zip(p["creator_id"], p["platform"], strict=True)], index=p.index, dtype="float64")
    p["fol_w"] = now.fillna(p["followers_at_publish"].where(p["followers_at_publish"] > 0))
    # formats reach different shares of an audience (a story reaches fewer than a reel): the
    # "by followers" signals divide each post by its format's typical reach rate on its
    # platform (median over all posts, relative to the platform's median)
    rate = p["reach"] / p["fol_w"]
    plat_med = rate.groupby(p["platform"]).transform("median")
    fmt_med = rate.groupby([p["platform"], p["format"].fillna("unknown")]).transform("median")
    p["format_factor"] = (fmt_med / plat_med).where(lambda f: f > 0).fillna(1.0)
    p["reach_fmt"] = p["reach"] / p["format_factor"]
    p["eng_fmt"] = p["engagements"] / p["format_factor"]
    # the same ratios per post: their spread within an account says how much an account's
    # value moves from post to post (its noise shrinks with the number of posts)
    fol = p["fol_w"].where(p["fol_w"] > 0)
    per_post = pd.DataFrame({
        "signal_log_reach_by_followers": np.log(p["reach_fmt"].where(p["reach_fmt"] > 0) / fol),
        "signal_log_er_by_followers": np.log((p["eng_fmt"] + 0.5) / fol),
        "signal_log_er_by_reach": np.log((p["engagements"] + 0.5) / p["reach"].where(p["reach"] > 0)),
        "like_comment_ratio": np.log((p["likes"] + 0.5) / (p["comments"] + 0.5)),
    })
    post_sd = per_post.groupby([p["creator_id"], p["platform"]]).std(ddof=1).add_prefix("post_sd_")
    acc = p.groupby(["creator_id", "platform"], sort=True).agg(
        n_posts=("post_id", "size"), n_likes=("likes", "sum"), n_comments=("comments", "sum"),
        n_engagements=("engagements", "sum"), reach=("reach", "sum"),
        reach_fmt=("reach_fmt", "sum"), engagements_fmt=("eng_fmt", "sum"),
        followers=("fol_w", "sum"), impressions=("impressions", "sum"),
        likes_day0=("likes_day0", "sum"), impressions_day0=("impressions_day0", "sum"),
    ).reset_index()
    acc = acc.merge(post_sd.reset_index(), on=["creator_id", "platform"], how="left")
    acc["tier"] = acc["creator_id"].map(creators.set_index("creator_id")["tier"]).astype("string")
    acc["signal_log_er_by_reach"] = np.log(
        (acc["n_engagements"] + 0.5) / acc["reach"].where(acc["reach"] > 0))
    acc["signal_log_er_by_followers"] = np.log(
        (acc["engagements_fmt"] + 0.5) / acc["followers"].where(acc["followers"] > 0))
    acc["signal_log_reach_by_followers"] = np.log(
        acc["reach_fmt"].where(acc["reach_fmt"] > 0) / acc["followers"].where(acc["followers"] > 0))
    acc["like_comment_ratio"] = np.log((acc["n_likes"] + 0.5) / (acc["n_comments"] + 0.5))
    acc["day0_like_excess"] = (acc["likes_day0"] / acc["n_likes"].where(acc["n_likes"] > 0)
                               - acc["impressions_day0"] / acc["impressions"])

    # comments
    c = comments.drop(columns=["creator_id", "platform"], errors="ignore").merge(
        p[["post_id", "creator_id", "platform"]], on="post_id", how="inner")
    fast_s = float(params["fast_comment_minutes"]) * 60.0
    delay = (c["created_at"] - c["published_at"]).dt.total_seconds()
    c["fast"] = ((delay >= 0) & (delay <= fast_s)).fillna(False).astype(bool)
    c["generic"] = is_generic_comment(c["text"], params["generic_comment_patterns"])
    norm_text = c["text"].astype("string").str.lower().str.replace(r"\W+", " ", regex=True).str.strip()
    same_author_text = c.assign(t=norm_text).duplicated(["creator_id", "author_key", "t"], keep=False)
    c["generic"] = c["generic"] | (same_author_text & c["author_key"].notna())
    per_author = c.groupby(["creator_id", "author_key"])["comment_id"].transform("size")
    c["repeat"] = (per_author >= 2) & c["author_key"].notna()
    cs = c.groupby(["creator_id", "platform"]).agg(
        n_comments_exported=("comment_id", "size"), n_fast=("fast", "sum"),
        n_generic=("generic", "sum"), n_repeat=("repeat", "sum")).reset_index()
    acc = acc.merge(cs, on=["creator_id", "platform"], how="left")
    for col in ("n_comments_exported", "n_fast", "n_generic", "n_repeat"):
        acc[col] = acc[col].fillna(0).astype("int64")
    n = acc["n_comments_exported"].where(acc["n_comments_exported"] > 0)
    acc["fast_comment_share"] = acc["n_fast"] / n
    acc["generic_comment_share"] = acc["n_generic"] / n
    acc["repeat_author_share"] = acc["n_repeat"] / n

    jumps = follower_jumps(follower_obs, roster, params["_as_of"],
                           int(params["min_trend_run_days"]))
    acc = acc.merge(jumps, on=["creator_id", "platform"], how="left")
    return acc


# --- step 2: the scorer --------------------------------------------------------------------
def median_polish(values: pd.Series, rows: pd.Series, cols: pd.Series, n_iter: int = 10
                  ) -> pd.Series:
    """Tukey's median polish: fitted overall + row effect + column effect for every value
    (robust two-way norm; used where a tier × platform cell has too few peers)."""
    v = values.astype("float64")
    ok = v.notna()
    resid = v.copy()
    overall = 0.0
    row_eff = pd.Series(0.0, index=rows.unique())
    col_eff = pd.Series(0.0, index=cols.unique())
    for _ in range(n_iter):
        rmed = resid[ok].groupby(rows[ok]).median()
        row_eff = row_eff.add(rmed, fill_value=0.0)
        resid = resid - rows.map(rmed).fillna(0.0)
        cmed = resid[ok].groupby(cols[ok]).median()
        col_eff = col_eff.add(cmed, fill_value=0.0)
        resid = resid - cols.map(cmed).fillna(0.0)
        shift = float(row_eff.median())
        overall += shift
        row_eff -= shift
        shift = float(col_eff.median())
        overall += shift
        col_eff -= shift
    return overall + rows.map(row_eff).fillna(0.0).astype(float) + cols.map(col_eff).fillna(0.0).astype(float)


def _mad(x: pd.Series) -> float:
    x = x.dropna()
    return float(1.4826 * (x - x.median()).abs().median()) if len(x) else float("nan")


@dataclass
class AuthenticityScorer:
    """Robust peer z-scores + IsolationForest → authenticity score, flag and reasons.

    Parameters come from `kpis.authenticity` in conf (see `from_params`); results of `fit` are
    attributes ending in `_` (peer norms and scales per signal, the fitted forest).
    """

    # defaults equal conf/base/parameters_kpis.yml (`kpis.authenticity`), where each is explained
    min_peers: int = 8
    min_scale: Mapping[str, float] = field(default_factory=dict)
    default_min_scale: float = 0.05
    count_evidence_cap: int = 60
    min_peer_rate: Mapping[str, float] = field(default_factory=dict)
    default_min_peer_rate: float = 0.01
    min_comments_for_peer_rate: int = 5
    trend_prior_days: float = 7.0
    min_trend_spread: float = 1e-5
    min_creators_for_forest: int = 10
    z_cap: float = 8.0
    signal_families: Mapping[str, Sequence[str]] = field(default_factory=dict)
    single_signal_weight: float = 0.8
    rule_z_floor: float = 2.0
    rule_z_full: float = 8.0
    forest_weight: float = 0.25
    forest_trees: int = 300
    random_state: int = 0
    flag_below_score: float = 62.0
    reason_min_z: float = 2.0
    max_reasons: int = 3
    jump_noise: float = 0.02
    signals: tuple[str, ...] = SIGNAL_NAMES

    @classmethod
    def from_params(cls, params: Mapping) -> AuthenticityScorer:
        keys = {f for f in cls.__dataclass_fields__}
        kw = {k: v for k, v in params.items() if k in keys}
        if "signals" in kw:
            kw["signals"] = tuple(kw["signals"])
        if "signal_families" in kw:
            kw["signal_families"] = {k: tuple(v) for k, v in kw["signal_families"].items()}
        return cls(**kw)

    # -- peer norms --------------------------------------------------------------------------
    def _norm(self, acc: pd.DataFrame, name: str) -> pd.Series:
        x = acc[name]
        cell = acc["tier"].astype(str) + "|" + acc["platform"].astype(str)
        ok = x.notna()
        cell_n = ok.groupby(cell).transform("sum")
        cell_med = x.groupby(cell).transform("median")
        fitted = median_polish(x, acc["tier"].astype(str), acc["platform"].astype(str))
        return cell_med.where(cell_n >= self.min_peers, fitted)

    def _post_var(self, acc: pd.DataFrame, name: str) -> pd.Series:
        """σ²_post / posts: σ_post, the typical post-to-post spread of the signal within an
        account (median over accounts with 3+ posts), shrinks with the account's posts."""
        col = f"post_sd_{name}"
        if col not in acc:
            return pd.Series(0.0, index=acc.index)
        sd = acc.loc[acc["n_posts"] >= 3, col].dropna()
        sigma = float(sd.median()) if len(sd) else 0.0
        return sigma ** 2 / acc["n_posts"].clip(lower=1)

    def _sampling_var(self, acc: pd.DataFrame, name: str, norm: pd.Series) -> pd.Series:
        if name == "like_comment_ratio":
            return (1.0 / (acc["n_likes"] + 0.5) + 1.0 / (acc["n_comments"] + 0.5)
                    + self._post_var(acc, name))
        if name == "signal_log_reach_by_followers":
            return self._post_var(acc, name)
        if name in ("signal_log_er_by_reach", "signal_log_er_by_followers"):
            return 1.0 / (acc["n_engagements"] + 0.5) + self._post_var(acc, name)
        if name == "day0_like_excess":
            share0 = (acc["impressions_day0"] / acc["impressions"]).clip(0.01, 0.99)
            return share0 * (1 - share0) / (acc["n_likes"] + 1.0)
        return pd.Series(0.0, index=acc.index)

    def _continuous_z(self, acc: pd.DataFrame, name: str) -> tuple[pd.Series, pd.Series]:
        x = acc[name].astype("float64")
        norm = self._norm(acc, name)
        resid = x - norm
        var = self._sampling_var(acc, name, norm)
        s2 = max(_mad(resid) ** 2 - float(var[x.notna()].median() if x.notna().any() else 0.0),
                 float(self.min_scale.get(name, self.default_min_scale)) ** 2)
        z = resid / np.sqrt(s2 + var)
        return z, norm

    def _count_z(self, acc: pd.DataFrame, name: str) -> tuple[pd.Series, pd.Series]:
        counts = {"fast_comment_share": "n_fast", "generic_comment_share": "n_generic",
                  "repeat_author_share": "n_repeat"}[name]
        n = acc["n_comments_exported"].astype(float)
        k = acc[counts].astype(float)
        rate = acc[name]
        cell = acc["tier"].astype(str) + "|" + acc["platform"].astype(str)
        enough = n >= self.min_comments_for_peer_rate
        cell_rate = rate.where(enough).groupby(cell).transform("median")
        cell_n = enough.groupby(cell).transform("sum")
        all_rate = float(rate.where(enough).median()) if enough.any() else 0.0
        p0 = cell_rate.where(cell_n >= self.min_peers, all_rate).fillna(all_rate)
        p0 = p0.clip(lower=float(self.min_peer_rate.get(name, self.default_min_peer_rate)), upper=0.99)
        # cap the evidence of one account (honest accounts differ more than binomial noise)
        scale = np.minimum(1.0, self.count_evidence_cap / n.where(n > 0))
        n_eff, k_eff = (n * scale).round(), (k * scale).round()
        tail = stats.binom.sf(k_eff - 1, n_eff, p0)  # P(X ≥ k)
        low_tail = stats.binom.cdf(k_eff, n_eff, p0)  # P(X ≤ k)
        z_hi = pd.Series(stats.norm.isf(np.clip(tail, 1e-300, 1.0)), index=acc.index)
        z_lo = pd.Series(stats.norm.ppf(np.clip(low_tail, 1e-300, 1.0)), index=acc.index)
        z = z_hi.where(z_hi > 0, z_lo.where(z_lo < 0, 0.0))
        return z.where(n > 0), p0

    def _jump_z(self, acc: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
        trends = acc["trend_per_day"]
        has = acc["trend_days"].fillna(0) > 0
        peer_trend = float(trends[has].median()) if has.any() else 0.0
        peer_sd = max(_mad(trends[has]) if has.sum() >= 3 else 0.0, self.min_trend_spread)
        recomputed = _largest_excess(acc.assign(trend_per_day=acc["trend_per_day"].where(has)),
                                     peer_trend)
        for c in recomputed.columns:
            acc[c] = recomputed[c]
        # the trend's uncertainty grows with the gap it is extrapolated over
        trend_sd = np.where(has, peer_sd * np.sqrt(self.trend_prior_days / (self.trend_prior_days + acc["trend_days"].fillna(0))), peer_sd)
        sd = np.sqrt(self.jump_noise ** 2 + (trend_sd * acc["jump_gap_days"].fillna(0)) ** 2)
        z = acc["follower_jump"] / sd
        return z, pd.Series(0.0, index=acc.index)

    def fit_transform(self, acc: pd.DataFrame) -> pd.DataFrame:
        """Account signals → per-account z-scores (one-sided: positive = suspicious) and norms.

        Sets `account_z_`, `norms_` and returns the account table with z_<signal> and
        norm_<signal> columns.
        """
        acc = acc.copy()
        for s in SIGNALS:
            if s.name not in self.signals:
                continue
            if s.name == "follower_jump":
                z, norm = self._jump_z(acc)
            elif s.name in COUNT_SIGNALS:
                z, norm = self._count_z(acc, s.name)
            else:
                z, norm = self._continuous_z(acc, s.name)
            if s.side == "low":
                z = -z
            elif s.side == "both":
                z = z.abs()
            acc[f"z_{s.name}"] = z.clip(upper=self.z_cap).astype("float64")
            acc[f"norm_{s.name}"] = norm.astype("float64")
        self.account_z_ = acc
        return acc

    def score(self, acc: pd.DataFrame, all_creators: Sequence[str]) -> pd.DataFrame:
        """Account signals → one row per creator: authenticity_score, is_flagged, reasons,
        the creator-level z of every signal and its suspicion parts."""
        acc = self.fit_transform(acc)
        zcols = [f"z_{s}" for s in self.signals]
        # Stouffer over a creator's accounts: Σz / √n (missing signals do not count)
        zsum = acc.groupby("creator_id")[zcols].sum(min_count=1)
        zn = acc.groupby("creator_id")[zcols].count()
        cz = zsum / np.sqrt(zn.where(zn > 0))
        cz = cz.clip(lower=-self.z_cap, upper=self.z_cap)
        pos = cz.clip(lower=0.0).fillna(0.0)
        evidence = self.evidence(pos)
        rule = ((evidence - self.rule_z_floor) / (self.rule_z_full - self.rule_z_floor)).clip(0.0, 1.0)
        if len(pos) >= self.min_creators_for_forest and self.forest_weight > 0:
            forest = IsolationForest(n_estimators=self.forest_trees, random_state=self.random_state)
            forest.fit(pos.to_numpy())
            raw = -forest.score_samples(pos.to_numpy())  # higher = more anomalous
            ranks = pd.Series(raw, index=pos.index)
            lo, hi = float(np.median(raw)), float(raw.max())
            iso = ((ranks - lo) / (hi - lo)).clip(0.0, 1.0) if hi > lo else ranks * 0.0
            self.forest_ = forest
        else:
            iso = pd.Series(0.0, index=pos.index)
        suspicion = ((1 - self.forest_weight) * rule + self.forest_weight * iso).clip(0, 1)
        score = (100.0 * (1.0 - suspicion)).round(1)
        reasons, n_reasons = self._reasons(acc, cz)
        out = pd.DataFrame({"creator_id": cz.index.astype("string"),
                            "authenticity_score": score.to_numpy(),
                            "rule_evidence_z": evidence.round(3).to_numpy(),
                            "rule_suspicion": rule.round(4).to_numpy(),
                            "forest_anomaly": iso.round(4).to_numpy()})
        out["is_flagged"] = (out["authenticity_score"] < self.flag_below_score).to_numpy() & (
            n_reasons.reindex(cz.index).fillna(0).to_numpy() > 0)
        out["reasons"] = reasons.reindex(cz.index).to_numpy()
        for s in self.signals:
            out[f"z_{s}"] = cz[f"z_{s}"].round(3).to_numpy()
        everyone = pd.DataFrame({"creator_id": pd.array(list(all_creators), dtype="string")})
        out = everyone.merge(out, on="creator_id", how="left")
        unscored = out["authenticity_score"].isna()
        out["is_flagged"] = out["is_flagged"].astype("boolean").fillna(False).astype(bool)
        out["reasons"] = out["reasons"].astype("string").mask(
            unscored, "not scored: no post with metrics in the data")
        out["is_scored"] = ~unscored
        return out

    def evidence(self, pos: pd.DataFrame) -> pd.Series:
        """Rule evidence from the creator-level one-sided z-scores (columns z_<signal>).

        Signals of one family (conf `signal_families`, e.g. the two "by followers" signals,
        which move together) count once, by their strongest member. Evidence =
        max(single_signal_weight × z₁, (z₁ + z₂) / √2), z₁ ≥ z₂ the two strongest families:
        one signal alone must be very strong; two independent ones corroborate each other.
        """
        fam_of = {m: name for name, members in self.signal_families.items() for m in members}
        names = [c[2:] for c in pos.columns]
        fam = pos.set_axis(names, axis=1).T.groupby(lambda n: fam_of.get(n, n)).max().T
        top = np.sort(fam.to_numpy(), axis=1)[:, ::-1]
        z1 = top[:, 0] if top.shape[1] else np.zeros(len(pos))
        z2 = top[:, 1] if top.shape[1] > 1 else np.zeros(len(pos))
        return pd.Series(np.maximum(self.single_signal_weight * z1, (z1 + z2) / math.sqrt(2.0)),
                         index=pos.index)

    def _reasons(self, acc: pd.DataFrame, cz: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
        """Top signals in words: the creator's value, the peer norm, the account, the z."""
        texts, counts = {}, {}
        by_sig = {s.name: s for s in SIGNALS}
        for creator_id, row in cz.iterrows():
            ranked = sorted(((float(row[f"z_{s}"]), s) for s in self.signals
                             if not pd.isna(row[f"z_{s}"]) and row[f"z_{s}"] >= self.reason_min_z),
                            reverse=True)[: self.max_reasons]
            parts = []
            mine = acc[acc["creator_id"] == creator_id]
            for z, s in ranked:
                a = mine.loc[mine[f"z_{s}"].idxmax()]
                parts.append(f"{describe(by_sig[s], a)} (z = {z:.1f})")
            counts[creator_id] = len(parts)
            texts[creator_id] = "; ".join(parts) if parts else "no signal out of line with peers"
        return pd.Series(texts, dtype="string"), pd.Series(counts)


def _pct(x: float) -> str:
    return f"{100 * x:.1f} %" if not pd.isna(x) else "n/a"


def describe(signal: Signal, a: pd.Series) -> str:
    """One account's signal in words: value against the peer norm of its tier × platform."""
    peers = f"{a['tier']} {a['platform']} peers"
    v, norm = a[signal.name], a.get(f"norm_{signal.name}", np.nan)
    if signal.name == "follower_jump":
        return (f"{a['platform']}: followers jumped {_pct(a['jump_to'] / a['jump_from'] - 1)} "
                f"({int(a['jump_from']):,} → {int(a['jump_to']):,}) within {int(a['jump_gap_days'])} "
                f"day(s), {_pct(math.expm1(v))} more than the account's own growth trend explains")
    if signal.name == "like_comment_ratio":
        return (f"{a['platform']}: like:comment ratio {math.exp(v):.0f}:1 vs "
                f"{math.exp(norm):.0f}:1 for {peers}")
    if signal.kind == "log":
        return f"{a['platform']}: {signal.label} {_pct(math.exp(v))} vs {_pct(math.exp(norm))} for {peers}"
    if signal.kind == "share":
        return f"{a['platform']}: {signal.label} {_pct(v)} vs {_pct(norm)} for {peers}"
    return (f"{a['platform']}: {signal.label} {100 * v:+.1f} points vs {100 * norm:+.1f} "
            f"for {peers}")


def authentic_engagement_factor(acc: pd.DataFrame, flagged: pd.Series) -> pd.DataFrame:
    """Per account, the share of engagement kept in the authentic-adjusted KPIs, and the share
    of followers taken as a real audience by reach deduplication.

    1 for accounts of creators not flagged. For flagged creators the engagement above the peer
    norm of engagement rate by reach is removed (bought likes, pod likes), and so are comments
    in excess of the peer share of fast comments (pod / bot comments):
    factor = min(1, norm ER / ER) × (1 − excess fast-comment share × comments / engagements).
    audience_authentic_factor = min(1, reach per follower / its peer norm) for flagged
    creators, 1 otherwise.
    """
    a = acc[["creator_id", "platform"]].copy()
    er = np.exp(acc["signal_log_er_by_reach"])
    norm = np.exp(acc.get("norm_signal_log_er_by_reach", acc["signal_log_er_by_reach"]))
    f_er = (norm / er).clip(upper=1.0).fillna(1.0)
    fast = acc["fast_comment_share"].fillna(0.0)
    fast_norm = acc.get("norm_fast_comment_share", pd.Series(0.0, index=acc.index)).fillna(0.0)
    excess = ((fast - fast_norm) / (1 - fast_norm)).clip(lower=0.0, upper=1.0)
    comment_share = (acc["n_comments"] / acc["n_engagements"].where(acc["n_engagements"] > 0)).fillna(0.0)
    f_comments = (1.0 - excess * comment_share).clip(lower=0.0)
    is_flagged = acc["creator_id"].map(flagged).fillna(False).astype(bool)
    a["engagement_authentic_factor"] = np.where(is_flagged, (f_er * f_comments).clip(0.0, 1.0), 1.0)
    # bought followers are no audience: a flagged account reaching fewer of its followers than
    # its peers has an authentic audience of about followers × (its rate / the peer rate)
    rbf = acc.get("signal_log_reach_by_followers", pd.Series(np.nan, index=acc.index))
    rbf_norm = acc.get("norm_signal_log_reach_by_followers", rbf)
    f_aud = np.exp(rbf - rbf_norm).clip(upper=1.0).fillna(1.0)
    a["audience_authentic_factor"] = np.where(is_flagged, f_aud, 1.0)
    return a
