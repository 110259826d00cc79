"""Users, sessions and conversions, with the true cause of every conversion.

The conversion model is an additive hazard per user and day:

    λ_u(t) = b · m_u · s(t)                       baseline (seasonality s, segment m_u)
           + Σ_channels c_k(t)                    email sends, brand paid social
           + Σ_{posts p seen or clicked by u} a_p · exp(-(t - t_up) / τ)

Because the hazard is a sum, conversions are the superposition of one independent Poisson
process per term, and drawing each conversion's cause "in proportion to the terms" is exactly
the same as simulating each term's process on its own and labelling its conversions with it.
That is what this module does, vectorised: each term's conversions are drawn (counts, then
times and users), labelled with their cause, and turned into sessions. The integral of a post's
terms over its audience is its expected caused conversions (world.true_contract_effects), so
the Hill curves in the truth are the expectations the counts are drawn from.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from roi_ml.simulator.config import WorldParams

# Channel codes for sessions.
CH_DIRECT, CH_ORGANIC, CH_PAID_SEARCH, CH_EMAIL, CH_PAID_SOCIAL, CH_REFERRAL, CH_CREATOR = range(7)
CHANNEL_NAMES = ("direct", "organic_search", "paid_search", "email", "paid_social", "referral",
                 "creator")
CHANNEL_SOURCE_MEDIUM = {
    CH_DIRECT: ("(direct)", "(none)"),
    CH_ORGANIC: ("google", "organic"),
    CH_PAID_SEARCH: ("google", "cpc"),
    CH_EMAIL: ("newsletter", "email"),
    CH_PAID_SOCIAL: ("facebook", "paid_social"),
    CH_REFERRAL: ("blog.example.org", "referral"),
}
BROWSE_MIX = np.array([0.26, 0.34, 0.16, 0.08, 0.10, 0.06])
BASELINE_CONVERT_MIX = np.array([0.35, 0.33, 0.22, 0.0, 0.0, 0.10])
RETURN_MIX = np.array([0.45, 0.35, 0.15, 0.05, 0.0, 0.0])

CONV_NONE, CONV_PURCHASE, CONV_SIGNUP, CONV_LEAD, CONV_INSTALL = range(5)
CONV_NAMES = ("none", "purchase", "sign_up", "lead", "install")

TOUCH_NAMES = ("none", "click", "code", "view_through", "cross_device")
CAUSE_NAMES = ("baseline", "email", "paid_social", "creator", "repeat_customer")


@dataclass
class Users:
    segment_m: np.ndarray
    visit_v: np.ndarray
    blocked: np.ndarray
    device: np.ndarray
    country: np.ndarray


def holiday_dates(year: int) -> dict[str, pd.Timestamp]:
    """The centre date of each demand peak in a year (the one place holiday dates are defined)."""
    nov1 = pd.Timestamp(f"{year}-11-01")
    thanksgiving = nov1 + pd.Timedelta(days=(3 - nov1.day_of_week) % 7 + 21)
    may1 = pd.Timestamp(f"{year}-05-01")
    return {
        "black_friday": thanksgiving + pd.Timedelta(days=1),
        "cyber_monday": thanksgiving + pd.Timedelta(days=4),
        "christmas_run_up": pd.Timestamp(f"{year}-12-15"),
        "valentines": pd.Timestamp(f"{year}-02-12"),
        "mothers_day": may1 + pd.Timedelta(days=(6 - may1.day_of_week) % 7 + 5),
        "prime_day": pd.Timestamp(f"{year}-07-15"),
    }


def seasonality(days: np.ndarray, start: pd.Timestamp, p: WorldParams) -> np.ndarray:
    """Multiplicative demand index s(t): weekly and yearly cycles, trend, holiday peaks."""
    start = start.tz_localize(None) if start.tzinfo is not None else start
    dates = start + pd.to_timedelta(days, unit="D")
    dow = dates.day_of_week.to_numpy()
    doy = dates.day_of_year.to_numpy()
    weekly = 1 + p.weekly_amplitude * np.cos(2 * np.pi * (dow - 6) / 7)
    yearly = 1 + p.yearly_amplitude * np.cos(2 * np.pi * (doy - 335) / 365.25)
    trend = (1 + p.trend_per_year) ** (np.asarray(days) / 365.25)
    bump = np.ones(len(days))
    for y in sorted(set(dates.year)):
        peaks = holiday_dates(y)
        for name, height in p.holiday_peaks:
            dist = np.abs((dates - peaks[name]).days.to_numpy())
            width = 5.0 if name == "christmas_run_up" else 1.2
            bump *= 1 + (height - 1) * np.exp(-(dist**2) / (2 * width**2))
    return weekly * yearly * trend * bump


def holiday_table(start: pd.Timestamp, end: pd.Timestamp, p: WorldParams) -> pd.DataFrame:
    """The holiday dates used by seasonality(), for the truth and for forecasting users."""
    rows = [{"holiday": name, "date": d}
            for y in range(start.year, end.year + 1)
            for name, d in holiday_dates(y).items()
            if name in dict(p.holiday_peaks) and start <= d <= end]
    return pd.DataFrame(rows)


def make_users(rng: np.random.Generator, n: int) -> Users:
    seg = rng.choice(3, size=n, p=[0.70, 0.22, 0.08])
    m = np.array([0.2, 1.0, 6.0])[seg] * rng.lognormal(0, 0.3, n)
    v = np.sqrt(m) * rng.lognormal(0, 0.5, n)
    return Users(
        segment_m=m,
        visit_v=v,
        blocked=rng.random(n) < 0.0,  # replaced by the caller; the draw keeps seeds' worlds as recorded
        device=rng.choice(3, size=n, p=[0.62, 0.33, 0.05]),
        country=rng.choice(4, size=n, p=[0.86, 0.05, 0.05, 0.04]),
    )


class SessionLog:
    """Columnar accumulator of sessions (arrays appended per process, concatenated once)."""

    FIELDS = ("user", "alt_device", "t", "channel", "post_idx", "conv_type", "conv_id", "cart")

    def __init__(self) -> None:
        self.parts: list[dict[str, np.ndarray]] = []

    def add(self, **cols) -> None:
        n = len(cols["t"])
        if n == 0:
            return
        full = {
            "user": np.asarray(cols["user"], dtype=np.int64),
            "alt_device": np.asarray(cols.get("alt_device", np.zeros(n, bool)), dtype=bool),
            "t": np.asarray(cols["t"], dtype=np.float64),
            "channel": np.asarray(cols["channel"], dtype=np.int8),
            "post_idx": np.asarray(cols.get("post_idx", np.full(n, -1)), dtype=np.int64),
            "conv_type": np.asarray(cols.get("conv_type", np.zeros(n)), dtype=np.int8),
            "conv_id": np.asarray(cols.get("conv_id", np.full(n, -1)), dtype=np.int64),
            "cart": np.asarray(cols.get("cart", np.zeros(n, bool)), dtype=bool),
        }
        for k, v in full.items():
            if np.ndim(v) == 0:
                full[k] = np.full(n, v)
        self.parts.append(full)

    def frame(self) -> pd.DataFrame:
        if not self.parts:
            return pd.DataFrame({k: [] for k in self.FIELDS})
        return pd.DataFrame({k: np.concatenate([p[k] for p in self.parts]) for k in self.FIELDS})


class ConversionLog:
    """Columnar accumulator of conversions with their true cause."""

    FIELDS = ("conv_id", "user", "alt_device", "t", "conv_type", "cause", "post_idx",
              "touch", "code_creator_idx", "revenue_usd_base")

    def __init__(self) -> None:
        self.parts: list[dict[str, np.ndarray]] = []
        self.next_id = 0

    def add(self, **cols) -> np.ndarray:
        n = len(cols["t"])
        ids = np.arange(self.next_id, self.next_id + n)
        self.next_id += n
        if n == 0:
            return ids
        part = {"conv_id": ids}
        defaults = {"alt_device": False, "post_idx": -1, "touch": 0, "code_creator_idx": -1,
                    "revenue_usd_base": 0.0}
        for k in self.FIELDS[1:]:
            v = cols.get(k, defaults.get(k))
            part[k] = np.full(n, v) if np.ndim(v) == 0 else np.asarray(v)
        self.parts.append(part)
        return ids

    def frame(self) -> pd.DataFrame:
        if not self.parts:
            return pd.DataFrame({k: [] for k in self.FIELDS})
        return pd.DataFrame({k: np.concatenate([p[k] for p in self.parts]) for k in self.FIELDS})


def _poisson_days(rng, rate_per_day: np.ndarray) -> np.ndarray:
    """Event times (fractional days) for a Poisson process with a daily rate profile."""
    counts = rng.poisson(np.maximum(rate_per_day, 0))
    day = np.repeat(np.arange(len(rate_per_day)), counts)
    return day + rng.random(len(day))


def _daytime(rng, n: int) -> np.ndarray:
    """Fraction of a day (UTC) at which site sessions start: US daytime and evening."""
    hours = np.clip(rng.normal(19.0, 4.5, n), 0, 47.99) % 24  # US evening ≈ 00–03 UTC next day
    return hours / 24.0


def _pick_conv_types(rng, n: int, mix) -> np.ndarray:
    return rng.choice(np.array([CONV_PURCHASE, CONV_SIGNUP, CONV_LEAD, CONV_INSTALL]), size=n,
                      p=np.asarray(mix))


def repeat_purchases(rng: np.random.Generator, user: np.ndarray, t: np.ndarray, horizon_days: int,
                     rate_per_year: float, active_days: float, user_weights: np.ndarray
                     ) -> tuple[np.ndarray, np.ndarray]:
    """(user, time) of the repeat purchases before `horizon_days`, as a process that does not
    depend on where the simulation ends. Each purchase (user[i] at t[i]; repeat purchases bring
    no further repeats) starts a spell of activity of mean `active_days` = L in which the
    customer buys again at `rate_per_year`: Poisson(μ) repeats, μ = rate · L / 365.25, each at
    t + Exp(L) (intensity μ/L · e^(−age/L)).

    The brand had customers before day 0: Poisson(b · L) of them, b = purchases per day over
    the horizon, each with its own Poisson(μ) repeats at Exp(L) from day 0 (intensity
    b · μ · e^(−t/L), which tops up the in-simulation customers' b · μ · (1 − e^(−t/L)) to a
    flat b · μ). They are users with no purchase in the simulation (drawn by `user_weights`,
    without replacement while there are enough), so a creator who caused a user's first purchase
    is never credited with an earlier customer's habits. The rule before tied each customer's
    repeats to the days left in the simulation, so the weeks after the export held a quarter of
    the history's repeat rate."""
    mu = rate_per_year * active_days / 365.25
    n_rep = rng.poisson(mu, len(t))
    ri = np.repeat(np.arange(len(t)), n_rep)
    t_in = t[ri] + rng.exponential(active_days, len(ri))
    n_old = rng.poisson(len(t) / max(horizon_days, 1) * active_days)
    pool = np.setdiff1d(np.arange(len(user_weights)), user)
    if pool.size == 0:
        pool = np.arange(len(user_weights))
    w = user_weights[pool] / user_weights[pool].sum()
    old = rng.choice(pool, size=n_old, p=w, replace=n_old > pool.size)
    n_old_rep = rng.poisson(mu, n_old)
    u_old = np.repeat(old, n_old_rep)
    t_old = rng.exponential(active_days, len(u_old))
    users = np.concatenate([user[ri], u_old])
    times = np.concatenate([t_in, t_old])
    ok = times < horizon_days
    return users[ok], times[ok]


def simulate_traffic(rng: np.random.Generator, p: WorldParams, horizon_days: int,
                     start: pd.Timestamp, base_conv_per_day: float, sessions_per_day: float,
                     posts: pd.DataFrame,
                     creators: pd.DataFrame, engagement: pd.DataFrame, campaigns: pd.DataFrame
                     ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, Users]:
    """Sessions, conversions (with causes) and every creator link click.

    Returns (sessions, conversions, clicks, users).
    """
    days = np.arange(horizon_days)
    season = seasonality(days, start, p)
    season = season / season[: max(1, horizon_days - p.future_days)].mean()
    n_users = int(max(2_000, base_conv_per_day * 2_000 * 1.6))
    users = make_users(rng, n_users)
    users.blocked = rng.random(n_users) < p.ga4_blocked_user_share
    m_w = users.segment_m / users.segment_m.sum()
    v_w = users.visit_v / users.visit_v.sum()
    fresh_order = rng.permutation(n_users)  # "new to site" users are taken in this order
    fresh_ptr = [0]

    def fresh(n: int) -> np.ndarray:
        i = fresh_ptr[0]
        out = fresh_order[np.arange(i, i + n) % n_users]
        fresh_ptr[0] = i + n
        return out

    sess = SessionLog()
    conv = ConversionLog()
    clicks_parts = []

    posts_t0 = posts["t_publish"].to_numpy()
    post_creator = posts["creator_idx"].to_numpy()
    cr = creators.set_index("creator_idx")
    high_prop = cr.loc[post_creator, "high_propensity_audience"].to_numpy()
    is_deal_post = cr.loc[post_creator, "is_deal_creator"].to_numpy()
    objective = campaigns.set_index("campaign_idx").loc[posts["campaign_idx"], "objective"].to_numpy()
    life = posts["lifetime_days"].to_numpy()
    eng = engagement.set_index("post_idx").loc[posts["post_idx"]]
    reach = eng["authentic_reach"].to_numpy()

    # ---- 1. creator-caused conversions (one Poisson process per post) -------------------
    n_caused = rng.poisson(posts["expected_conversions"].to_numpy())
    pi = np.repeat(np.arange(len(posts)), n_caused)
    n = len(pi)
    t_expo = posts_t0[pi] + rng.exponential(p.exposure_delay_days, n) * (life[pi] / p.post_lifetime_days) ** 0.5
    mix_aw = np.asarray(p.awareness_conversion_type_mix)
    mix_cv = np.asarray(p.conversion_type_mix)
    ctype = np.where(objective[pi] == "awareness", _pick_conv_types(rng, n, mix_aw),
                     _pick_conv_types(rng, n, mix_cv))
    vt_mult = dict(p.view_through_platform_multiplier)
    post_vt = (p.view_through_share * posts["platform"].map(vt_mult).to_numpy()
               * np.where(posts["format"].to_numpy() == "story", p.story_view_through_multiplier, 1.0))
    vt = np.minimum(post_vt[pi], 0.9)
    u = rng.random(n)
    touch = np.where(u < vt, 3, np.where(u < vt + p.code_only_share, 2, 1))
    touch = np.where((touch == 2) & (ctype != CONV_PURCHASE), 3, touch)  # codes exist only at checkout
    cross = (touch == 1) & (rng.random(n) < p.cross_device_share)
    # who converts: new-to-site people mostly; high-propensity audiences skew to heavy buyers
    hp = high_prop[pi]
    who = np.where(rng.random(n) < 0.55, fresh(n), rng.choice(n_users, size=n))
    who_hp = rng.choice(n_users, size=n, p=(users.segment_m**1.5) / (users.segment_m**1.5).sum())
    who = np.where(hp, who_hp, who)
    same_p = np.where(objective[pi] == "awareness", p.awareness_click_converts_same_session,
                      p.click_converts_same_session)
    same = (touch == 1) & (rng.random(n) < same_p)
    mean_delay = np.where(posts["format"].to_numpy()[pi] == "long_form",
                          p.long_form_conversion_delay_days, p.conversion_delay_days)
    delay = np.where(same, rng.uniform(0.002, 0.03, n), rng.exponential(mean_delay))
    t_conv = t_expo + delay
    keep = t_conv < horizon_days
    pi, t_expo, ctype, touch, cross, who, same, t_conv = (
        a[keep] for a in (pi, t_expo, ctype, touch, cross, who, same, t_conv))
    touch_label = np.where(cross, 4, touch)
    ids = conv.add(user=who, alt_device=cross, t=t_conv, conv_type=ctype, cause=3,
                   post_idx=posts["post_idx"].to_numpy()[pi], touch=touch_label,
                   code_creator_idx=np.where(touch == 2, post_creator[pi], -1))
    is_click = touch == 1
    # the click session (always on the clicker's main device)
    sess.add(user=who[is_click], t=t_expo[is_click], channel=CH_CREATOR,
             post_idx=posts["post_idx"].to_numpy()[pi[is_click]],
             conv_type=np.where(same[is_click] & ~cross[is_click], ctype[is_click], CONV_NONE),
             conv_id=np.where(same[is_click] & ~cross[is_click], ids[is_click], -1))
    clicks_parts.append(pd.DataFrame({"post_idx": posts["post_idx"].to_numpy()[pi[is_click]],
                                      "t": t_expo[is_click], "user": who[is_click],
                                      "kind": "caused"}))
    # the converting session when it is not the click session
    later = ~(is_click & same & ~cross)
    nl = int(later.sum())
    ch = rng.choice(6, size=nl, p=RETURN_MIX / RETURN_MIX.sum())
    sess.add(user=who[later], alt_device=cross[later], t=t_conv[later], channel=ch,
             conv_type=ctype[later], conv_id=ids[later])

    # ---- 2. organic (non-converting) creator link clicks ---------------------------------
    n_clicks = rng.poisson(eng["expected_organic_clicks"].to_numpy())
    ci = np.repeat(np.arange(len(posts)), n_clicks)
    nc = len(ci)
    tau = np.where(life[ci] <= p.story_lifetime_days, 0.6, np.where(life[ci] >= 20, 6.0, 1.6))
    t_click = posts_t0[ci] + np.minimum(rng.exponential(tau), life[ci] - 1e-3)
    hp = high_prop[ci]
    clicker = np.where(rng.random(nc) < 0.7, fresh(nc), rng.choice(n_users, size=nc, p=v_w))
    heavy_w = users.segment_m**2 / (users.segment_m**2).sum()
    clicker = np.where(hp, rng.choice(n_users, size=nc, p=heavy_w), clicker)
    keep = t_click < horizon_days
    ci, t_click, clicker = ci[keep], t_click[keep], clicker[keep]
    sess.add(user=clicker, t=t_click, channel=CH_CREATOR, post_idx=posts["post_idx"].to_numpy()[ci])
    clicks_parts.append(pd.DataFrame({"post_idx": posts["post_idx"].to_numpy()[ci], "t": t_click,
                                      "user": clicker, "kind": "organic"}))

    # ---- 3. baseline conversions (b · m_u · s(t)), some harvested by deal creators -------
    t_base = _poisson_days(rng, base_conv_per_day * season)
    nb = len(t_base)
    t_base = np.floor(t_base) + _daytime(rng, nb)
    ub = rng.choice(n_users, size=nb, p=m_w)
    btype = _pick_conv_types(rng, nb, mix_cv)
    bids = conv.add(user=ub, t=t_base, conv_type=btype, cause=0)
    bch = rng.choice(6, size=nb, p=BASELINE_CONVERT_MIX / BASELINE_CONVERT_MIX.sum())
    # deal creators: live deal posts in the last 21 days harvest some of these buyers
    deal_posts = np.flatnonzero(is_deal_post)
    intercept = np.zeros(nb, bool)
    deal_choice = np.full(nb, -1)
    if len(deal_posts):
        live = np.zeros(horizon_days + 1)
        for j in deal_posts:
            a = int(posts_t0[j])
            live[a:min(horizon_days, a + 21)] += 1
        q = np.minimum(p.deal_intercept_cap, p.deal_intercept_rate * live[np.floor(t_base).astype(int)])
        intercept = rng.random(nb) < q
        for k in np.flatnonzero(intercept):
            d = t_base[k]
            cand = deal_posts[(posts_t0[deal_posts] <= d) & (posts_t0[deal_posts] > d - 21)]
            if len(cand) == 0:
                intercept[k] = False
                continue
            w = reach[cand]
            deal_choice[k] = cand[rng.choice(len(cand), p=w / w.sum())]
    use_code = intercept & (btype == CONV_PURCHASE) & (rng.random(nb) < p.deal_uses_code_share)
    deal_click = intercept & ~use_code
    code_creator = np.where(use_code, post_creator[np.maximum(deal_choice, 0)], -1)
    touch_b = np.where(use_code, 2, np.where(deal_click, 1, 0))
    conv.parts[-1]["code_creator_idx"] = code_creator
    conv.parts[-1]["touch"] = touch_b
    conv.parts[-1]["post_idx"] = np.where(intercept, posts["post_idx"].to_numpy()[np.maximum(deal_choice, 0)], -1)
    # the conversion session: either a deal-creator click or a normal channel
    sess.add(user=ub, t=t_base, channel=np.where(deal_click, CH_CREATOR, bch),
             post_idx=np.where(deal_click, posts["post_idx"].to_numpy()[np.maximum(deal_choice, 0)], -1),
             conv_type=btype, conv_id=bids)
    clicks_parts.append(pd.DataFrame({
        "post_idx": posts["post_idx"].to_numpy()[deal_choice[deal_click]],
        "t": t_base[deal_click], "user": ub[deal_click], "kind": "deal"}))
    # ...after a session in which they had already filled a cart
    lo, hi = p.deal_cart_session_minutes
    nd = int(deal_click.sum())
    sess.add(user=ub[deal_click], t=t_base[deal_click] - rng.uniform(lo, hi, nd) / 1440.0,
             channel=bch[deal_click], cart=np.ones(nd, bool))

    # ---- 4. channel-caused conversions (email sends, brand paid social) -----------------
    for cause, share, click_p, ch_code in ((1, p.email_caused_share, 0.7, CH_EMAIL),
                                           (2, p.paid_social_caused_share, 0.6, CH_PAID_SOCIAL)):
        t_c = _poisson_days(rng, base_conv_per_day * share * season)
        k = len(t_c)
        t_c = np.floor(t_c) + _daytime(rng, k)
        uc = rng.choice(n_users, size=k, p=m_w)
        ct = _pick_conv_types(rng, k, mix_cv)
        cid = conv.add(user=uc, t=t_c, conv_type=ct, cause=cause,
                       touch=np.where(rng.random(k) < click_p, 1, 3))
        clicked = conv.parts[-1]["touch"] == 1
        sess.add(user=uc, t=t_c, channel=np.where(clicked, ch_code,
                                                  rng.choice([CH_DIRECT, CH_ORGANIC], size=k)),
                 conv_type=ct, conv_id=cid)

    # ---- 5. repeat purchases of customers (retention), cause = repeat_customer -----------
    cf = conv.frame()
    buyers = cf[cf["conv_type"] == CONV_PURCHASE]
    ur, t_rep = repeat_purchases(rng, buyers["user"].to_numpy(), buyers["t"].to_numpy(),
                                 horizon_days, p.repeat_purchase_rate_per_year,
                                 p.customer_active_days, m_w)
    t_rep = np.floor(t_rep) + _daytime(rng, len(t_rep))
    rids = conv.add(user=ur, t=t_rep, conv_type=CONV_PURCHASE, cause=4)
    sess.add(user=ur, t=t_rep, channel=rng.choice(6, size=len(ur), p=[0.4, 0.2, 0.1, 0.3, 0, 0]),
             conv_type=CONV_PURCHASE, conv_id=rids)

    # ---- 6. research sessions before conversions, and browsing sessions -----------------
    cf = conv.frame()
    n_res = rng.poisson(p.research_sessions_mean, len(cf))
    rix = np.repeat(np.arange(len(cf)), n_res)
    t_res = cf["t"].to_numpy()[rix] - rng.uniform(0.05, 20, len(rix))
    ok = t_res > 0
    sess.add(user=cf["user"].to_numpy()[rix[ok]], t=t_res[ok],
             channel=rng.choice(6, size=int(ok.sum()), p=BROWSE_MIX))
    current = sum(len(part["t"]) for part in sess.parts)
    browse_per_day = max(0.4 * sessions_per_day,
                         sessions_per_day - current / max(horizon_days, 1))
    t_br = _poisson_days(rng, browse_per_day * season)
    t_br = np.floor(t_br) + _daytime(rng, len(t_br))
    sess.add(user=rng.choice(n_users, size=len(t_br), p=v_w), t=t_br,
             channel=rng.choice(6, size=len(t_br), p=BROWSE_MIX))

    sessions = sess.frame().sort_values(["t", "user"], kind="stable").reset_index(drop=True)
    conversions = conv.frame().sort_values("conv_id").reset_index(drop=True)
    clicks = pd.concat(clicks_parts, ignore_index=True)
    return sessions, conversions, clicks, users
