"""Entities of the simulated world: creators, campaigns, contracts and posts.

Everything is drawn from one numpy Generator so the same seed gives the same world. Arrays and
plain DataFrames only; the export shapes are made in exports.py.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from roi_ml.simulator.config import (
    INAUTHENTIC_TYPES,
    NICHES,
    PLATFORM_FORMATS,
    PLATFORMS,
    TIER_BOUNDS,
    TIERS,
    SizeSpec,
    WorldParams,
)
from roi_ml.simulator.curves import hill

FIRST = ["Ava", "Liam", "Maya", "Noah", "Zoe", "Eli", "Ivy", "Leo", "Nia", "Kai", "Ruby", "Omar",
         "Lena", "Jude", "Sofia", "Theo", "Aria", "Finn", "Mila", "Ezra", "Luz", "Ravi", "Yuki",
         "Ines", "Tariq", "Greta", "Pablo", "Amara", "Niko", "Selin"]
LAST = ["Stone", "Rivera", "Park", "Okafor", "Lind", "Moreau", "Sato", "Haddad", "Quinn", "Costa",
        "Brandt", "Nakamura", "Reyes", "Kowalski", "Adeyemi", "Fischer", "Silva", "Novak"]
COUNTRIES = ("US", "US", "US", "US", "CA", "GB", "AU", "DE")


def tier_of(followers: np.ndarray) -> np.ndarray:
    """Tier label per follower count (nano < 10k, micro < 100k, mid < 500k, macro < 1M, mega)."""
    idx = np.searchsorted(np.asarray(TIER_BOUNDS[1:-1]), followers, side="right")
    return np.asarray(TIERS)[idx]


def make_creators(rng: np.random.Generator, size: SizeSpec, p: WorldParams) -> pd.DataFrame:
    """One row per creator with everything the world needs, truth included."""
    n = size.n_creators
    tier_idx = rng.choice(len(TIERS), size=n, p=np.asarray(p.tier_mix))
    if n >= p.every_tier_from_creators:  # a roster this size always has a few big accounts
        for t in range(len(TIERS)):
            if not (tier_idx == t).any():
                tier_idx[rng.choice(np.flatnonzero(tier_idx == 0))] = t
    lo = np.asarray(TIER_BOUNDS[:-1], dtype=float)[tier_idx]
    hi = np.asarray(TIER_BOUNDS[1:], dtype=float)[tier_idx]
    lo = np.maximum(lo, 1_500.0)
    hi = np.where(np.isinf(hi), 8_000_000.0, hi)
    # log-uniform within the tier
    authentic_main = np.exp(rng.uniform(np.log(lo), np.log(hi)))

    order = rng.permutation(n)
    n_fake = int(round(p.inauthentic_share * n))
    n_deal = int(round(p.deal_creator_share * n))
    n_hp = int(round(p.high_propensity_audience_share * n))
    fake_idx = order[:n_fake]
    deal_idx = order[n_fake:n_fake + n_deal]
    hp_idx = order[n_fake + n_deal:n_fake + n_deal + n_hp]
    is_fake = np.zeros(n, bool)
    is_fake[fake_idx] = True
    fake_type = np.full(n, "", dtype=object)
    fake_type[fake_idx] = np.asarray(INAUTHENTIC_TYPES)[np.arange(n_fake) % len(INAUTHENTIC_TYPES)]
    is_deal = np.zeros(n, bool)
    is_deal[deal_idx] = True
    high_prop = np.zeros(n, bool)
    high_prop[hp_idx] = True

    n_plat = 1 + rng.choice(3, size=n, p=np.asarray(p.platforms_per_creator_probs))
    niche = rng.choice(np.asarray(NICHES), size=n)
    primary = rng.choice(np.asarray(PLATFORMS), size=n, p=[0.38, 0.30, 0.14, 0.06, 0.12])
    names = [f"{FIRST[i % len(FIRST)]} {LAST[(i * 7 + 3) % len(LAST)]}" for i in rng.permutation(n)]

    rows = []
    plat_rows = []
    for i in range(n):
        others = [x for x in PLATFORMS if x != primary[i]]
        extra = list(rng.choice(others, size=n_plat[i] - 1, replace=False))
        plats = [primary[i], *extra]
        # Audience overlap between the creator's platforms (share of the smaller audience).
        overlap = float(rng.uniform(0.15, 0.6))
        for j, plat in enumerate(plats):
            aud = authentic_main[i] if j == 0 else authentic_main[i] * rng.uniform(0.05, 0.7)
            plat_rows.append((i, plat, max(300.0, aud)))
        # Format strengths: multiplicative, mean ~1 across the population.
        strengths = dict(zip(
            ("video", "short", "carousel", "story", "long_form", "post"),
            np.exp(rng.normal(0, 0.25, 6) - 0.25**2 / 2), strict=True))
        rows.append({
            "creator_idx": i,
            "creator_id": f"CR{i + 1:04d}",
            "display_name": names[i],
            "niche": niche[i],
            "country": rng.choice(np.asarray(COUNTRIES)),
            "primary_platform": primary[i],
            "platforms": plats,
            "platform_overlap": overlap,
            "overlap_known": bool(rng.random() < p.overlap_known_share),
            "format_strength": strengths,
            "audience_peak_hour": int(np.clip(np.round(rng.normal(p.audience_peak_hour_mean,
                                                                  p.audience_peak_hour_sd)), 6, 23)),
            "is_inauthentic": bool(is_fake[i]),
            "inauthentic_type": fake_type[i] or None,
            "is_deal_creator": bool(is_deal[i]),
            "high_propensity_audience": bool(high_prop[i]),
        })
    creators = pd.DataFrame(rows)
    plat = pd.DataFrame(plat_rows, columns=["creator_idx", "platform", "authentic_followers"])
    # Displayed followers: bought followers inflate the count (1.5–3x) with no real audience.
    infl = np.where(
        creators["inauthentic_type"].to_numpy() == "bought_followers",
        rng.uniform(1.5, 3.0, n), 1.0)
    plat["displayed_followers"] = plat["authentic_followers"] * infl[plat["creator_idx"].to_numpy()]
    plat["authentic_followers"] = plat["authentic_followers"].round().astype("int64")
    plat["displayed_followers"] = plat["displayed_followers"].round().astype("int64")

    auth_total = plat.groupby("creator_idx")["authentic_followers"].sum().to_numpy()
    disp_max = plat.groupby("creator_idx")["displayed_followers"].max().to_numpy()
    creators["authentic_followers"] = auth_total
    creators["displayed_max_followers"] = disp_max
    creators["tier"] = tier_of(disp_max)
    creators["tier_idx"] = np.searchsorted(np.asarray(TIER_BOUNDS[1:-1]), disp_max, side="right")

    # Latent persuasiveness: drives true conversions, partly visible in engagement and sentiment.
    quality = np.exp(rng.normal(0, p.quality_sigma, n) - p.quality_sigma**2 / 2)
    creators["quality"] = quality
    creators["sentiment_bias"] = np.clip(0.62 + 0.12 * np.log(quality) + rng.normal(0, 0.06, n),
                                         0.25, 0.92)
    creators["aov_multiplier"] = np.exp(rng.normal(np.log(p.creator_aov_multiplier_mean), 0.15, n))
    creators["lead_sql_rate"] = np.clip(rng.normal(p.lead_sql_rate, 0.12, n), 0.15, 0.95)
    creators["reply_rate"] = np.clip(rng.beta(6, 2, n), 0.2, 0.99)
    creators["familiarity_growth"] = rng.normal(p.familiarity_growth_mean,
                                                p.familiarity_growth_sd, n)
    # Fee per deliverable from displayed followers (bought followers overcharge).
    cpm_like = rng.lognormal(np.log(p.fee_cpm_usd), 0.35, n)
    creators["fee_per_deliverable_usd"] = np.maximum(
        p.fee_floor_usd, disp_max * np.asarray(p.reach_rate_by_tier)[creators["tier_idx"]] * cpm_like
        / 1000 * p.fee_reach_multiplier).round(-1)
    typical_spend = creators["fee_per_deliverable_usd"].to_numpy() * p.typical_spend_fee_multiple
    # Hill curve: caused conversions per contract against creator spend (fees + product).
    slope = rng.uniform(*p.hill_slope_range, n)
    ec50 = typical_spend * rng.uniform(*p.ec50_to_typical_spend, n)
    at_typical = (auth_total / 1000.0) * p.conversions_per_1k_authentic_followers * quality
    at_typical = np.where(creators["is_deal_creator"], at_typical * p.deal_creator_effect_multiplier,
                          at_typical)
    # Diminishing reach per follower for big accounts: conversions grow ~ followers^0.75.
    at_typical = at_typical * (np.maximum(auth_total, 1.0) / 50_000.0) ** -0.25
    frac_at_typical = hill(typical_spend, 1.0, ec50, slope)
    creators["hill_vmax"] = at_typical / frac_at_typical
    creators["hill_ec50_usd"] = ec50
    creators["hill_slope"] = slope
    creators["discount_code"] = [
        f"{''.join(ch for ch in nm.split()[0].upper() if ch.isalpha())}{10 + (i % 4) * 5}"
        f"{'' if i < 26 else i}" for i, nm in enumerate(creators["display_name"])]
    return creators, plat


def campaign_start_days(size: SizeSpec, future_days: int, phase: float = 0.0) -> np.ndarray:
    """Nominal start day (from the window start) of every campaign: an even cadence
    c = (days − 28) / n_campaigns from day 7 + phase · c (phase in [0, 1): where the export
    day falls in the campaign calendar), while a campaign starts before the future days end —
    `n_campaigns` (or one more, by phase) in the window, the rest after the export (the brand's
    programme does not stop on export day). A one-campaign size keeps its single campaign at a
    quarter of the window, with none after it."""
    n = size.n_campaigns
    span = size.days - 1
    if n == 1:
        return np.array([span // 4])
    cadence = (span - 27) / n
    return np.arange(7 + phase * cadence, span + future_days - 7, cadence).astype(int)


def make_campaigns(rng: np.random.Generator, size: SizeSpec, p: WorldParams,
                   start: pd.Timestamp, window_end: pd.Timestamp) -> pd.DataFrame:
    """Campaigns spread over the window at an even cadence (±6 days) from a random phase (the
    export day falls anywhere in the calendar) and on through the future days; the last window
    ones run on past the window end."""
    span = (window_end - start).days
    nominal = campaign_start_days(size, p.future_days, phase=float(rng.random()))
    n = len(nominal)
    duration = rng.integers(p.campaign_duration_days[0], p.campaign_duration_days[1] + 1, n)
    jitter = rng.integers(-6, 7, n) if n > 1 else np.zeros(1, dtype=int)
    starts = np.clip(nominal + jitter, 0, span + p.future_days - 1)
    objective = np.where(rng.random(n) < p.awareness_campaign_share, "awareness", "conversion")
    rows = []
    for i in range(n):
        s = start + pd.Timedelta(days=int(starts[i]))
        e = s + pd.Timedelta(days=int(duration[i]) - 1)
        rows.append({
            "campaign_idx": i,
            "campaign_id": f"CMP{i + 1:02d}",
            "campaign_name": f"{['Spring', 'Summer', 'Autumn', 'Winter'][(s.month % 12) // 3]} "
                             f"{['Glow', 'Launch', 'Drop', 'Essentials', 'Reset', 'Edit'][i % 6]} "
                             f"{s.year}",
            "objective": objective[i],
            "start_date": s.normalize(),
            "end_date": e.normalize(),
            "target_audience_size": int(rng.choice([8, 12, 20, 30, 45]) * 1_000_000),
        })
    return pd.DataFrame(rows)


def make_contracts(rng: np.random.Generator, size: SizeSpec, p: WorldParams,
                   creators: pd.DataFrame, campaigns: pd.DataFrame) -> pd.DataFrame:
    """Creator × campaign contracts; earlier creators are renewed so histories exist."""
    n_cr = len(creators)
    used_count = np.zeros(n_cr)
    rows = []
    cid = 0
    for _, camp in campaigns.iterrows():
        k = int(min(n_cr, max(3, rng.poisson(size.creators_per_campaign))))
        # Renewal: creators who worked with the brand before are more likely to be picked.
        w = 1.0 + p.renewal_weight * (used_count > 0) + rng.random(n_cr) * 0.5
        # inflated follower counts and engagement win contracts
        w = w * np.where(creators["is_inauthentic"].to_numpy(), p.inauthentic_contract_weight, 1.0)
        chosen = rng.choice(n_cr, size=k, replace=False, p=w / w.sum())
        for c in chosen:
            cr = creators.iloc[c]
            seq = int(used_count[c]) + 1
            used_count[c] += 1
            committed = int(rng.choice([1, 2, 2, 3, 3, 4, 5]))
            fee_rate = cr["fee_per_deliverable_usd"] * rng.lognormal(0, 0.2)
            fee = round(float(fee_rate * committed), 2)
            product = round(float(rng.choice([0, 20, 40, 80, 150]) * rng.uniform(0.8, 1.2)), 2)
            overhead = round(float(40 + 0.08 * fee), 2)
            delivered = (committed if rng.random() < p.full_delivery_share
                         else int(rng.integers(max(committed - 1, 0), committed + 1)))
            rows.append({
                "contract_idx": cid,
                "contract_id": f"CT{cid + 1:05d}",
                "creator_idx": int(c),
                "creator_id": cr["creator_id"],
                "campaign_idx": int(camp["campaign_idx"]),
                "campaign_id": camp["campaign_id"],
                "campaign_seq": seq,
                "fee_usd": fee,
                "product_cost_usd": product,
                "management_overhead_usd": overhead,
                "deliverables_committed": committed,
                "deliverables_planned_delivered": int(delivered),
                "content_quality_rating": int(np.clip(np.round(
                    3.6 + 0.5 * np.log(cr["quality"]) + rng.normal(0, 0.6)), 1, 5)),
            })
            cid += 1
    return pd.DataFrame(rows)


def _draw_hour(rng, peak: int) -> int:
    if rng.random() < 0.55:
        return int(np.clip(np.round(rng.normal(peak, 1.5)), 0, 23))
    return int(rng.integers(7, 24))


def make_posts(rng: np.random.Generator, p: WorldParams, creators: pd.DataFrame,
               plat: pd.DataFrame, campaigns: pd.DataFrame, contracts: pd.DataFrame,
               timing_lift: np.ndarray, format_lift: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Posts per delivered deliverable, with publish times and their true effect.

    Returns (posts, contracts) with contract-level delivery fields and true expected conversions.
    """
    plat_by_creator = {ci: g for ci, g in plat.groupby("creator_idx")}
    camp = campaigns.set_index("campaign_idx")
    post_rows = []
    extra = []
    pid = 0
    for _, ct in contracts.iterrows():
        cr = creators.iloc[ct["creator_idx"]]
        cmp = camp.loc[ct["campaign_idx"]]
        days = (cmp["end_date"] - cmp["start_date"]).days + 1
        planned_launch = cmp["start_date"] + pd.Timedelta(days=int(rng.integers(0, max(1, days // 3))))
        late = rng.random() < p.late_launch_share
        launch = planned_launch + pd.Timedelta(days=int(rng.integers(p.late_launch_delay_days[0],
                                                                    p.late_launch_delay_days[1] + 1))
                                               if late else 0)
        n_del = int(ct["deliverables_planned_delivered"])
        submitted = planned_launch - pd.Timedelta(hours=float(rng.uniform(48, 240)))
        approval_h = float(rng.lognormal(np.log(p.approval_hours_median), p.approval_hours_sigma))
        approved = submitted + pd.Timedelta(hours=approval_h)
        on_time = 0
        plats = plat_by_creator[ct["creator_idx"]]
        pl_names = plats["platform"].tolist()
        pl_w = np.array([3.0] + [1.0] * (len(pl_names) - 1))
        post_dates = []
        for d in range(n_del):
            if d == 0:
                date = launch
            else:
                date = launch + pd.Timedelta(days=int(rng.integers(2, max(3, days - (launch - cmp["start_date"]).days))))
                date = min(date, cmp["end_date"])
            due = planned_launch + pd.Timedelta(days=int(d * max(1, days // max(n_del, 1))))
            due = min(max(due, date - pd.Timedelta(days=int(rng.integers(0, 3)))), cmp["end_date"])
            post_dates.append((date, due))
        for d, (date, due) in enumerate(post_dates):
            platform = rng.choice(pl_names, p=pl_w / pl_w.sum())
            fmts = PLATFORM_FORMATS[platform]
            fw = np.array([cr["format_strength"][f] for f in fmts])
            fmt = rng.choice(fmts, p=fw / fw.sum())
            hour = _draw_hour(rng, cr["audience_peak_hour"])
            minute = int(rng.integers(0, 60))
            # Local (audience) time → keep as UTC-naive "local US Eastern" for simplicity of truth;
            # exports apply each platform's own time zone.
            published = date.normalize() + pd.Timedelta(hours=hour, minutes=minute)
            dow = published.day_of_week
            pi = list(("instagram", "tiktok", "youtube", "x", "facebook")).index(platform)
            t_lift = float(timing_lift[pi, dow, hour])
            peak_lift = float(np.exp(-((hour - cr["audience_peak_hour"]) ** 2) / (2 * 3.0**2)) * 0.35
                              + 0.825)
            f_lift = float(format_lift[(platform, fmt)] * cr["format_strength"][fmt])
            disclosed = rng.random() >= p.missing_disclosure_share
            on_time += int(date.normalize() <= due.normalize())
            post_rows.append({
                "post_idx": pid,
                "post_id": f"P{pid + 1:06d}",
                "contract_idx": int(ct["contract_idx"]),
                "creator_idx": int(ct["creator_idx"]),
                "campaign_idx": int(ct["campaign_idx"]),
                "platform": platform,
                "format": fmt,
                "published_local": published,
                "due_date": due.normalize(),
                "timing_lift": t_lift * peak_lift,
                "format_lift": f_lift,
                "disclosed": bool(disclosed),
                "deliverable_no": d + 1,
            })
            pid += 1
        extra.append({
            "contract_idx": int(ct["contract_idx"]),
            "planned_launch_date": planned_launch.normalize(),
            "actual_launch_date": launch.normalize() if n_del else pd.NaT,
            "asset_submitted_local": submitted.floor("min"),
            "asset_approved_local": approved.floor("min"),
            "deliverables_on_time": on_time,
            "signed_date": (planned_launch - pd.Timedelta(days=int(rng.integers(10, 40)))).normalize(),
        })
    posts = pd.DataFrame(post_rows)
    contracts = contracts.merge(pd.DataFrame(extra), on="contract_idx")
    # Ids count up as a brand's systems issue them: contracts in signing order, posts in
    # publishing order. (Numbered at creation, in campaign order, the gaps in an export's ids
    # would tell how many contracts and posts were still to come.)
    c_order = contracts.sort_values(["signed_date", "contract_idx"], kind="stable").index
    contracts.loc[c_order, "contract_id"] = [f"CT{i + 1:05d}" for i in range(len(c_order))]
    if len(posts):
        p_order = posts.sort_values(["published_local", "post_idx"], kind="stable").index
        posts.loc[p_order, "post_id"] = [f"P{i + 1:06d}" for i in range(len(p_order))]
    return posts, contracts


def true_contract_effects(p: WorldParams, creators: pd.DataFrame, campaigns: pd.DataFrame,
                          contracts: pd.DataFrame, posts: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Expected caused conversions per contract (Hill of spend) and per post (times its lifts).

    Spend driving the curve = fees paid for delivered posts + product cost. Post lifts are
    normalised by their population mean so that, on average, a contract's expectation is the
    curve itself; each contract's own expectation is curve × the mean lift of its posts.
    """
    n_posts = posts.groupby("contract_idx").size()
    contracts = contracts.copy()
    contracts["deliverables_delivered"] = contracts["contract_idx"].map(n_posts).fillna(0).astype(int)
    contracts["fee_paid_usd"] = (contracts["fee_usd"] * contracts["deliverables_delivered"]
                                 / contracts["deliverables_committed"]).round(2)
    contracts["curve_spend_usd"] = contracts["fee_paid_usd"] + contracts["product_cost_usd"]
    cr = creators.set_index("creator_idx")
    idx = contracts["creator_idx"]
    fam = (1.0 + cr.loc[idx, "familiarity_growth"].to_numpy()) ** (contracts["campaign_seq"].to_numpy() - 1)
    objective = campaigns.set_index("campaign_idx").loc[contracts["campaign_idx"], "objective"].to_numpy()
    obj_mult = np.where(objective == "awareness", p.awareness_objective_multiplier, 1.0)
    vmax = cr.loc[idx, "hill_vmax"].to_numpy() * fam * obj_mult
    contracts["curve_vmax"] = vmax
    contracts["curve_expected_conversions"] = hill(
        contracts["curve_spend_usd"].to_numpy(), vmax, cr.loc[idx, "hill_ec50_usd"].to_numpy(),
        cr.loc[idx, "hill_slope"].to_numpy())
    contracts.loc[contracts["deliverables_delivered"] == 0, "curve_expected_conversions"] = 0.0
    posts = posts.copy()
    lift = posts["timing_lift"] * posts["format_lift"]
    lift = lift / lift.mean() if len(lift) else lift
    posts["lift"] = lift
    per_post = contracts.set_index("contract_idx")["curve_expected_conversions"] / \
        contracts.set_index("contract_idx")["deliverables_delivered"].clip(lower=1)
    posts["expected_conversions"] = posts["contract_idx"].map(per_post).to_numpy() * lift.to_numpy()
    exp_by_contract = posts.groupby("contract_idx")["expected_conversions"].sum()
    contracts["expected_conversions"] = contracts["contract_idx"].map(exp_by_contract).fillna(0.0)
    return contracts, posts
