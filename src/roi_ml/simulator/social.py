"""Daily post metrics, follower series, comments, mentions and brand-lift surveys."""

from __future__ import annotations

import numpy as np
import pandas as pd

from roi_ml.simulator.behaviour import decay_shares
from roi_ml.simulator.config import WorldParams

POSITIVE = ["Love this {e}", "Just ordered the {p}!", "This looks amazing", "Okay you convinced me, buying it",
            "Been using it for a week, my skin is glowing", "Best review I've seen of the {p}",
            "Ordered two!", "Need this asap", "You always find the best stuff", "Adding to cart right now",
            "So happy with mine, thanks for the rec"]
NEUTRAL = ["Where can I buy this?", "Does it ship to Canada?", "What shade is that?",
           "How long does the {p} last?", "Is this available in stores?", "Price?",
           "Which one did you get?", "Is there a code?"]
NEGATIVE = ["Looks overpriced tbh", "Mine broke after two days", "Another ad... unfollowing",
            "This gave me a rash", "Not worth the hype", "Terrible customer service from this brand",
            "Great, another sponsored post 🙄", "Wow so authentic... not", "Returned it, waste of money"]
GENERIC = ["Nice pic 🔥", "🔥🔥🔥", "Love it ❤️", "Amazing content!", "Great post!!", "So cool 😍",
           "Check my page for giveaways!", "Follow back?", "Nice 👍", "💯💯"]
EMOJI = ["😍", "❤️", "🙌", "✨", ""]
PRODUCTS = ["serum", "cleanser", "starter kit", "night cream", "SPF mist"]


def split_total(total: np.ndarray, shares: list[np.ndarray]) -> list[np.ndarray]:
    """Split integer totals across days so the daily integers add up exactly to the total."""
    out = []
    for tot, sh in zip(total, shares, strict=True):
        cum = np.round(np.cumsum(sh) * tot)
        out.append(np.diff(np.r_[0, cum]).astype(np.int64))
    return out


def daily_post_metrics(rng, p: WorldParams, posts: pd.DataFrame, eng: pd.DataFrame,
                       clicks: pd.DataFrame, follower_series: dict, start: pd.Timestamp
                       ) -> pd.DataFrame:
    """One row per post and UTC day of its life: daily increments of every counter."""
    e = eng.set_index("post_idx").loc[posts["post_idx"]]
    lifes = posts["lifetime_days"].to_numpy()
    fmts = posts["format"].to_numpy()
    shares = [decay_shares(int(n), f) for n, f in zip(lifes, fmts, strict=True)]
    day0 = posts["published_utc"].dt.tz_convert("UTC").dt.tz_localize(None).dt.normalize()
    parts = {"post_idx": [], "date": []}
    for i, (pid, n) in enumerate(zip(posts["post_idx"], lifes, strict=True)):
        parts["post_idx"].append(np.full(int(n), pid))
        parts["date"].append(day0.iloc[i] + pd.to_timedelta(np.arange(int(n)), unit="D"))
    out = pd.DataFrame({"post_idx": np.concatenate(parts["post_idx"]),
                        "date": pd.DatetimeIndex(np.concatenate(parts["date"]))})
    for col, tot in (("impressions", e["impressions"]), ("reach", e["authentic_reach"]),
                     ("views", e["views"]), ("shares", e["shares"]), ("saves", e["saves"])):
        out[col] = np.concatenate(split_total(tot.to_numpy(), shares))
    auth_likes = np.concatenate(split_total(e["authentic_likes"].to_numpy(), shares))
    auth_comments = np.concatenate(split_total(e["authentic_comments"].to_numpy(), shares))
    # fake engagement lands in bursts right after posting (day 0 mostly)
    burst = [np.r_[0.85, np.full(len(s) - 1, 0.15 / max(len(s) - 1, 1))] if len(s) > 1 else np.ones(1)
             for s in shares]
    fake_likes = np.concatenate(split_total(e["fake_likes"].to_numpy(), burst))
    fake_comments = np.concatenate(split_total(e["fake_comments"].to_numpy(), burst))
    out["likes"] = auth_likes + fake_likes
    out["comments"] = auth_comments + fake_comments
    # link clicks: every click the platform counted (GA4 sees only part of them)
    c = clicks.copy()
    c["date"] = (start + pd.to_timedelta(np.floor(c["t"]), unit="D")).dt.normalize()
    cc = c.groupby(["post_idx", "date"]).size().rename("link_clicks")
    out = out.merge(cc, left_on=["post_idx", "date"], right_index=True, how="left")
    out["link_clicks"] = out["link_clicks"].fillna(0).astype(np.int64)
    # followers of the account on that day
    pl = posts.set_index("post_idx")[["creator_idx", "platform"]]
    ci = pl.loc[out["post_idx"], "creator_idx"].to_numpy()
    pf = pl.loc[out["post_idx"], "platform"].to_numpy()
    day_idx = (out["date"] - start).dt.days.to_numpy()
    fol = np.empty(len(out), dtype=np.int64)
    for key in set(zip(ci, pf, strict=True)):
        m = (ci == key[0]) & (pf == key[1])
        series = follower_series[key]
        fol[m] = series[np.clip(day_idx[m], 0, len(series) - 1)]
    out["followers"] = fol
    return out


def follower_series(rng, p: WorldParams, creators: pd.DataFrame, plat: pd.DataFrame,
                    posts: pd.DataFrame, eng: pd.DataFrame, horizon: int, window_days: int
                    ) -> tuple[dict, pd.DataFrame]:
    """Daily displayed followers per creator × platform.

    Honest accounts grow smoothly, plus follows from their posts' reach (viral posts jump, with
    engagement). Bought followers arrive as 2–3 overnight jumps with no engagement behind them.
    Values are anchored so the roster (window end) shows displayed_followers.
    """
    out = {}
    jumps = []
    reach = eng.set_index("post_idx")["authentic_reach"]
    cr = creators.set_index("creator_idx")
    days = np.arange(horizon)
    for row in plat.itertuples(index=False):
        g = rng.normal(0.0006, 0.0004)
        base = np.exp(g * (days - window_days))
        series = row.authentic_followers * base
        mine = posts[(posts["creator_idx"] == row.creator_idx) & (posts["platform"] == row.platform)]
        follows = np.zeros(horizon)
        for pr in mine.itertuples(index=False):
            d0 = int(pr.t_publish)
            if d0 < horizon:
                follows[d0:min(horizon, d0 + 3)] += reach.loc[pr.post_idx] * 0.004 / 3
        series = series + np.cumsum(follows) - np.cumsum(follows)[min(window_days, horizon) - 1]
        fake = row.displayed_followers - row.authentic_followers
        if fake > 0 and cr.loc[row.creator_idx, "inauthentic_type"] == "bought_followers":
            n_j = int(rng.integers(2, 4))
            at = np.sort(rng.choice(np.arange(10, max(11, window_days - 5)), n_j, replace=False))
            amounts = fake * rng.dirichlet(np.ones(n_j))
            add = np.zeros(horizon)
            for a, amt in zip(at, amounts, strict=True):
                add[a:] += amt
                jumps.append({"creator_idx": row.creator_idx, "platform": row.platform,
                              "day": int(a), "followers_added": int(amt)})
            series = series + add
        out[(row.creator_idx, row.platform)] = np.maximum(series, 50).round().astype(np.int64)
    return out, pd.DataFrame(jumps, columns=["creator_idx", "platform", "day", "followers_added"])


def comments(rng, p: WorldParams, posts: pd.DataFrame, eng: pd.DataFrame,
             creators: pd.DataFrame) -> pd.DataFrame:
    """Exported comments (capped per post) with true sentiment and whether they are fake."""
    e = eng.set_index("post_idx").loc[posts["post_idx"]]
    auth = e["authentic_comments"].to_numpy()
    fake = e["fake_comments"].to_numpy()
    total = auth + fake
    n_exp = np.minimum(p.comments_per_post_cap, total).astype(int)
    idx = np.repeat(np.arange(len(posts)), n_exp)
    n = len(idx)
    fshare = np.where(total > 0, fake / np.maximum(total, 1), 0)[idx]
    is_fake = rng.random(n) < fshare
    cr = creators.set_index("creator_idx")
    cidx = posts["creator_idx"].to_numpy()[idx]
    bias = cr.loc[cidx, "sentiment_bias"].to_numpy()
    u = rng.random(n)
    sent = np.where(u < bias, "positive", np.where(u < bias + (1 - bias) * 0.55, "neutral", "negative"))
    text = np.empty(n, dtype=object)
    for label, bank in (("positive", POSITIVE), ("neutral", NEUTRAL), ("negative", NEGATIVE)):
        m = (sent == label) & ~is_fake
        pick = rng.integers(0, len(bank), m.sum())
        prod = rng.integers(0, len(PRODUCTS), m.sum())
        emo = rng.integers(0, len(EMOJI), m.sum())
        text[m] = [bank[a].format(p=PRODUCTS[b], e=EMOJI[c]).strip()
                   for a, b, c in zip(pick, prod, emo, strict=True)]
    text[is_fake] = np.asarray(GENERIC)[rng.integers(0, len(GENERIC), is_fake.sum())]
    sent = np.where(is_fake, np.where(np.isin(text, ["Check my page for giveaways!", "Follow back?"]),
                                      "neutral", "positive"), sent)
    ftype = cr.loc[cidx, "inauthentic_type"].to_numpy()
    pub = posts["published_utc"].to_numpy()[idx]
    delay_auth = pd.to_timedelta(rng.exponential(0.8, n) * 86_400, unit="s")
    delay_fake = pd.to_timedelta(rng.uniform(20, 720, n), unit="s")
    created = pd.DatetimeIndex(pub) + np.where(is_fake, delay_fake, delay_auth)
    auth_handles = np.array([f"user{v:07d}" for v in rng.integers(0, 9_999_999, n)], dtype=object)
    pod_handles = np.array([f"glowsquad_{c % 97}_{k}" for c, k in zip(cidx, rng.integers(0, 15, n), strict=True)],
                           dtype=object)
    bot_handles = np.array([f"promo_{v:04d}_deals" for v in rng.integers(0, 9999, n)], dtype=object)
    author = np.where(is_fake & (ftype == "engagement_pod"), pod_handles,
                      np.where(is_fake, bot_handles, auth_handles))
    reply_p = cr.loc[cidx, "reply_rate"].to_numpy()
    replied = np.where(is_fake, rng.random(n) < 0.05, rng.random(n) < reply_p)
    reply_at = created + pd.to_timedelta(rng.lognormal(np.log(6 * 3600), 0.9, n), unit="s")
    return pd.DataFrame({
        "post_idx": posts["post_idx"].to_numpy()[idx],
        "comment_id": [f"C{i + 1:08d}" for i in range(n)],
        "author": author, "text": text, "created_utc": created,
        "replied": replied, "reply_utc": pd.DatetimeIndex(np.where(replied, reply_at, pd.NaT)),
        "true_sentiment": sent, "is_fake": is_fake,
    })


def mentions(rng, p: WorldParams, start: pd.Timestamp, window_days: int, posts: pd.DataFrame,
             eng: pd.DataFrame) -> pd.DataFrame:
    """Daily mentions of the own brand and competitors; creator posts lift the own brand."""
    days = np.arange(window_days)
    live = np.zeros(window_days)
    lift = np.zeros(window_days)
    reach = eng.set_index("post_idx")["authentic_reach"]
    for pr in posts.itertuples(index=False):
        d0 = int(pr.t_publish)
        if d0 < window_days:
            live[d0:min(window_days, d0 + 7)] += 1
            lift[d0:min(window_days, d0 + 7)] += reach.loc[pr.post_idx] * 0.0008 / 7
    rows = []
    brands = [(p.brand, True, 220.0)] + [(c, False, b) for c, b in
                                          zip(p.competitors, (260.0, 180.0, 120.0), strict=False)]
    for brand, own, base in brands:
        level = base * np.exp(np.cumsum(rng.normal(0, 0.02, window_days)) * 0.3)
        total = rng.poisson(level + (lift if own else 0))
        creator_m = rng.poisson(np.where(own, live * 1.6 + 2, rng.uniform(3, 9)) * np.ones(window_days))
        creator_m = np.minimum(creator_m, total)
        pos_share = np.clip(rng.normal(0.55 if own else 0.5, 0.05, window_days), 0.2, 0.9)
        pos = rng.binomial(total, pos_share)
        neg = rng.binomial(total - pos, 0.3)
        rows.append(pd.DataFrame({
            "Date": (start + pd.to_timedelta(days, unit="D")).strftime("%Y-%m-%d"),
            "Brand": brand, "Own Brand": "true" if own else "false",
            "Total Mentions": total, "Creator Content Mentions": creator_m,
            "Positive": pos, "Neutral": total - pos - neg, "Negative": neg}))
    return pd.concat(rows, ignore_index=True)
