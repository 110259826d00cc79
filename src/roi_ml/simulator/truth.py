"""Ground truth the evaluation pipeline scores models against (and nothing else reads)."""

from __future__ import annotations

import numpy as np
import pandas as pd

CORE_FAN_SHARE = 0.15  # share of a platform audience that sees most of a creator's posts
CORE_FAN_VIEW_MULTIPLIER = 1.8  # core fans are this much more likely than average to be reached


def creator_not_reached_prob(universe: float, audiences: list[float], overlaps: list[float],
                             post_reaches: list[list[float]]) -> float:
    """P(a person in the universe is not reached by any post of one creator).

    Audience model (documented in docs/simulator.md): the creator's primary-platform audience
    (index 0) is a uniform random subset of the universe; each other platform's audience shares
    overlap × min(A_0, A_j) people with it and is otherwise uniform. Within a platform audience,
    a core of fans (CORE_FAN_SHARE) is CORE_FAN_VIEW_MULTIPLIER times as likely as average to be
    reached by each post; posts reach people independently given that.
    """
    a0 = min(audiences[0], 0.5 * universe)

    def q_platform(aud: float, reaches: list[float]) -> float:
        if not reaches:
            return 1.0
        k, mult = CORE_FAN_SHARE, CORE_FAN_VIEW_MULTIPLIER
        rate = np.minimum(np.asarray(reaches) / max(aud, 1.0), 1.0)
        core = np.minimum(rate * mult, 1.0)
        casual = np.clip((rate - k * core) / (1 - k), 0.0, 1.0)
        return float(k * np.prod(1 - core) + (1 - k) * np.prod(1 - casual))

    q0 = q_platform(a0, post_reaches[0])
    in_p0 = a0 / universe
    prod_in = q0
    prod_out = 1.0
    for aud, ov, reaches in zip(audiences[1:], overlaps[1:], post_reaches[1:], strict=True):
        aj = min(aud, 0.5 * universe)
        shared = ov * min(a0, aj)
        qj = q_platform(aj, reaches)
        prod_in *= 1 - (shared / max(a0, 1.0)) * (1 - qj)
        prod_out *= 1 - ((aj - shared) / max(universe - a0, 1.0)) * (1 - qj)
    return in_p0 * prod_in + (1 - in_p0) * prod_out


def campaign_reach_truth(campaigns: pd.DataFrame, posts: pd.DataFrame, eng: pd.DataFrame,
                         creators: pd.DataFrame, plat: pd.DataFrame) -> pd.DataFrame:
    """Expected unique people reached per campaign (exact under the audience model)."""
    reach = eng.set_index("post_idx")["authentic_reach"]
    pf = plat.set_index(["creator_idx", "platform"])["authentic_followers"]
    cr = creators.set_index("creator_idx")
    rows = []
    for camp in campaigns.itertuples(index=False):
        cp = posts[posts["campaign_idx"] == camp.campaign_idx]
        u = float(camp.target_audience_size)
        not_reached = 1.0
        per_creator = []
        for c, g in cp.groupby("creator_idx"):
            plats = list(cr.loc[c, "platforms"])
            auds = [float(pf.loc[(c, x)]) for x in plats]
            ovs = [1.0] + [float(cr.loc[c, "platform_overlap"])] * (len(plats) - 1)
            reaches = [reach.loc[g.loc[g["platform"] == x, "post_idx"]].tolist() for x in plats]
            q = creator_not_reached_prob(u, auds, ovs, reaches)
            not_reached *= q
            per_creator.append((c, u * (1 - q)))
        rows.append({"campaign_idx": camp.campaign_idx, "campaign_id": camp.campaign_id,
                     "universe": int(u),
                     "true_unique_reach": u * (1 - not_reached),
                     "sum_reported_reach": float(reach.loc[cp["post_idx"]].sum()),
                     "n_posts": len(cp)})
    return pd.DataFrame(rows)


TRUTH_README = """# Ground truth of a simulated world

Written by `roi-ml simulate`; read only by the `evaluation` pipeline. Models never see it.
See docs/simulator.md for the world these numbers come from.

| file | one row per | what it holds |
|---|---|---|
| creator_truth.csv | creator | is_inauthentic, inauthentic_type, is_deal_creator, high_propensity_audience, true caused conversions / revenue in the observed window (total, through a click, through a code only; true_view_through_conversions = caused conversions whose journey shows no click of the creator in the 30 days before on the converting device and no code of theirs on the order), Hill response-curve parameters (hill_vmax per campaign, hill_ec50_usd, hill_slope), familiarity_growth per successive campaign, audience_peak_hour, authentic and displayed followers |
| contract_truth.csv | creator × campaign | curve_spend_usd (fees paid + product), curve_expected_conversions (Hill), expected_conversions (Hill × post lifts), true_conversions, true_revenue, total_cost_usd, true_roi = (true_revenue − total_cost) / total_cost, campaign_seq |
| post_truth.csv | post | timing_lift, format_lift, normalised lift, expected and realised caused conversions and revenue |
| conversions_truth.parquet | conversion | conversion_id, type, time, user_pseudo_id, transaction_id, lead_id, revenue_usd (net of refunds), cause (baseline, email, paid_social, creator, repeat_customer), cause_creator_id, cause_post_id, touch (click, code, view_through, cross_device, none), code_creator_id (whose code is on the order, caused or not), acquiring_creator_id (creator who caused the customer's first purchase), creator_touch_visible (the causing creator's click within 30 days on the converting device, or their code), in_window |
| daily_truth.csv | day | all conversions and revenue by day, observed window and the future |
| future_daily.csv | day after the window | actual daily conversions and revenue (purchases and all types) for the weeks after the export |
| timing_lift.csv | platform × day of week × hour | true lift of publishing then (mean 1 per platform) |
| format_lift.csv | platform × format | true lift of the format (mean 1 per platform) |
| reach_truth.csv | campaign | true unique reach (people) and the naive sum of reported reach |
| comment_truth.parquet | exported comment | true sentiment label, is_fake |
| follower_jumps.csv | bought-follower jump | when and how many followers were bought |
| brand_lift_truth.csv | campaign | true awareness before/after |
| holidays.csv | holiday date | the demand peaks the world has |
"""
