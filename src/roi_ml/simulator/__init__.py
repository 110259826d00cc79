"""`roi-ml simulate`: realistic raw exports plus the ground truth they came from.

    from roi_ml.simulator import simulate
    summary = simulate(size="tiny", seed=1, raw_dir="data/01_raw", truth_dir="data/ground_truth")

Same size and seed, same bytes. docs/simulator.md describes the world and its defaults.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from roi_ml.simulator import behaviour, exports, ga4, social, traffic, truth, world
from roi_ml.simulator.config import PLATFORMS, SIZES, WorldParams
from roi_ml.simulator.traffic import CONV_LEAD, CONV_PURCHASE

TRUTH_LOOKBACK_DAYS = 30  # journey window used for the truth's "creator_touch_visible"

__all__ = ["simulate", "SimulationSummary", "WorldParams", "SIZES"]

FIRST_NAMES = ["James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda",
               "David", "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica",
               "Thomas", "Sarah", "Carlos", "Karen", "Mei", "Priya", "Ahmed", "Olga", "Kenji"]
LAST_NAMES = ["Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis",
              "Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson",
              "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson"]
STREETS = ["Maple Ave", "Oak St", "Pine Rd", "Cedar Ln", "Elm St", "Birch Way", "Lakeview Dr"]
CITIES = [("Brooklyn", "NY", "112"), ("Austin", "TX", "787"), ("Denver", "CO", "802"),
          ("Seattle", "WA", "981"), ("Chicago", "IL", "606"), ("Miami", "FL", "331")]


@dataclass
class SimulationSummary:
    size: str
    seed: int
    raw_dir: str
    truth_dir: str
    seconds: float
    counts: dict = field(default_factory=dict)

    def describe(self) -> str:
        lines = [f"Simulated '{self.size}' world (seed {self.seed}) in {self.seconds:.1f} s",
                 f"  raw exports : {self.raw_dir}", f"  ground truth: {self.truth_dir}"]
        lines += [f"  {k:<28} {v:>12,}" if isinstance(v, int) else f"  {k:<28} {v}"
                  for k, v in self.counts.items()]
        return "\n".join(lines)


def _platform_post_id(rng, platform: str, n: int) -> list[str]:
    if platform == "youtube":
        alphabet = np.array(list("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"))
        return ["".join(alphabet[rng.integers(0, 64, 11)]) for _ in range(n)]
    if platform == "facebook":
        return [f"{rng.integers(10**14, 10**15)}_{rng.integers(10**15, 10**16)}" for _ in range(n)]
    prefix = {"instagram": "179", "tiktok": "73", "x": "18"}[platform]
    digits = {"instagram": 14, "tiktok": 17, "x": 17}[platform]
    return [prefix + str(int(v)).zfill(digits)
            for v in rng.integers(0, 10**digits - 1, n, dtype=np.int64)]


def _handle(name: str, platform: str, i: int) -> str:
    base = name.lower().replace(" ", "")
    return {"instagram": f"{base}", "tiktok": f"{base}.tok", "youtube": f"{name} {i}",
            "x": f"{base[:12]}_{i}", "facebook": f"{name} Official"}[platform]


def simulate(size: str = "small", seed: int = 42, raw_dir: str | Path = "data/01_raw",
             truth_dir: str | Path = "data/ground_truth",
             params: WorldParams | None = None) -> SimulationSummary:
    """Simulate a world of the given size and write its raw exports and ground truth."""
    t0 = time.perf_counter()
    if size not in SIZES:
        raise ValueError(f"size must be one of {sorted(SIZES)}, got {size!r}")
    p = params or WorldParams()
    spec = SIZES[size]
    raw, tru = Path(raw_dir), Path(truth_dir)
    raw.mkdir(parents=True, exist_ok=True)
    tru.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)

    window_end = pd.Timestamp(p.window_end)
    start = window_end - pd.Timedelta(days=spec.days - 1)
    window_days = spec.days
    horizon = spec.days + p.future_days
    start_utc = start.tz_localize("UTC")

    # ---- entities ------------------------------------------------------------------------
    creators, plat = world.make_creators(rng, spec, p)
    campaigns = world.make_campaigns(rng, spec, p, start, window_end)
    contracts = world.make_contracts(rng, spec, p, creators, campaigns)
    timing_lift = behaviour.make_timing_lift(rng)
    format_lift = behaviour.make_format_lift(rng)
    posts, contracts = world.make_posts(rng, p, creators, plat, campaigns, contracts, timing_lift,
                                        format_lift)
    contracts, posts = world.true_contract_effects(p, creators, campaigns, contracts, posts)
    posts["published_utc"] = (posts["published_local"].dt.tz_localize("America/New_York")
                              .dt.tz_convert("UTC"))
    posts["t_publish"] = (posts["published_utc"] - start_utc).dt.total_seconds().to_numpy() / 86_400
    posts["lifetime_days"] = [behaviour.lifetime_days(f, p) for f in posts["format"]]
    posts = posts[posts["t_publish"] < horizon].reset_index(drop=True)
    eng = behaviour.post_engagement(rng, p, posts, creators, plat)

    # ---- traffic, conversions, causes ------------------------------------------------------
    # The brand's scale follows its creator programme: non-creator conversions are set so that
    # creators cause `creator_conversion_share` of the window's conversions, and site traffic so
    # that all conversions are `conversion_rate_per_session` of sessions.
    caused_per_day = float(posts.loc[posts["t_publish"] < window_days, "expected_conversions"].sum()) / window_days
    other_per_day = caused_per_day * (1 - p.creator_conversion_share) / p.creator_conversion_share
    base_conv_per_day = other_per_day / (1 + p.email_caused_share + p.paid_social_caused_share
                                        + p.repeat_share_of_base_for_calibration)
    sessions_per_day = (caused_per_day + other_per_day) / p.conversion_rate_per_session
    sessions, conv, clicks, users = traffic.simulate_traffic(
        rng, p, horizon, start_utc, base_conv_per_day, sessions_per_day, posts, creators, eng,
        campaigns)
    n_users = len(users.segment_m)
    user_ids = np.array([f"{a}.{b}" for a, b in zip(rng.integers(10**8, 2 * 10**9, n_users),
                                                    rng.integers(1_600_000_000, 1_780_000_000, n_users),
                                                    strict=True)], dtype=object)
    alt_ids = np.array([f"{a}.{b}" for a, b in zip(rng.integers(10**8, 2 * 10**9, n_users),
                                                   rng.integers(1_600_000_000, 1_780_000_000, n_users),
                                                   strict=True)], dtype=object)

    # ---- order and lead attributes for every conversion ------------------------------------
    conv = conv.sort_values(["t", "conv_id"], kind="stable").reset_index(drop=True)
    conv["ts"] = start_utc + pd.to_timedelta(conv["t"] * 86_400, unit="s")
    post_creator = posts.set_index("post_idx")["creator_idx"]
    conv["cause_creator_idx"] = np.where(conv["cause"] == 3,
                                         post_creator.reindex(conv["post_idx"]).fillna(-1).to_numpy(),
                                         -1).astype(int)
    cr = creators.set_index("creator_idx")
    aov_mult = np.where(conv["cause_creator_idx"] >= 0,
                        cr["aov_multiplier"].reindex(conv["cause_creator_idx"]).fillna(1.0).to_numpy(), 1.0)
    purchase = conv["conv_type"].to_numpy() == CONV_PURCHASE
    n = len(conv)
    subtotal = p.site_aov_usd * rng.lognormal(-p.aov_sigma**2 / 2, p.aov_sigma, n) * aov_mult
    has_code = conv["code_creator_idx"].to_numpy() >= 0
    discount = np.where(has_code, p.code_discount_share * subtotal, 0.0)
    shipping = np.where(subtotal >= p.free_shipping_threshold_usd, 0.0, p.shipping_fee_usd)
    tax = p.tax_rate * (subtotal - discount)
    total = subtotal - discount + shipping + tax
    cur_names = [c for c, _ in p.currency_mix]
    currency = rng.choice(cur_names, size=n, p=[w for _, w in p.currency_mix])
    fx = dict(p.fx_to_usd)
    rate = np.array([fx[c] for c in currency])
    refunded = rng.random(n) < p.refund_share
    conv["currency"] = currency
    conv["subtotal_local"] = np.round(subtotal / rate, 2)
    conv["discount_local"] = np.round(discount / rate, 2)
    conv["shipping_local"] = np.round(shipping / rate, 2)
    conv["tax_local"] = np.round(tax / rate, 2)
    conv["total_local"] = np.round(total / rate, 2)
    conv["revenue_local"] = conv["total_local"]
    conv["total_usd"] = np.where(purchase, np.round(total, 2), 0.0)
    conv["financial_status"] = np.where(refunded, "refunded", "paid")
    conv["revenue_usd"] = np.where(purchase & ~refunded, np.round(total, 2), 0.0)
    order_rank = np.cumsum(purchase) - 1
    conv["transaction_id"] = np.where(purchase, ["#" + str(1001 + r) for r in order_rank], None)
    conv["shopify_id"] = np.where(purchase, 5_200_000_000 + order_rank * 7, -1)
    lead = conv["conv_type"].to_numpy() == CONV_LEAD
    conv["lead_num"] = np.where(lead, 700_001 + np.cumsum(lead) - 1, -1)
    conv["code"] = np.where(has_code, cr["discount_code"].reindex(conv["code_creator_idx"]).to_numpy(), None)
    sql_rate = np.where(conv["cause_creator_idx"] >= 0,
                        cr["lead_sql_rate"].reindex(conv["cause_creator_idx"]).fillna(p.lead_sql_rate).to_numpy(),
                        p.lead_sql_rate)
    conv["sales_qualified"] = lead & (rng.random(n) < sql_rate)
    conv["pid"] = np.where(conv["alt_device"], alt_ids[conv["user"]], user_ids[conv["user"]])
    conv["in_window"] = conv["t"] < window_days

    # Is the causing creator visible in the journey? (a GA4 session from one of the creator's
    # posts on the same device within the lookback, or the creator's code on the order)
    post_creator_arr = posts.set_index("post_idx")["creator_idx"]
    cs_sess = sessions[(sessions["channel"] == traffic.CH_CREATOR) & ~users.blocked[sessions["user"].to_numpy()]]
    cs_sess = cs_sess.assign(creator_idx=post_creator_arr.reindex(cs_sess["post_idx"]).to_numpy())
    caused = conv.loc[conv["cause"] == 3, ["conv_id", "user", "alt_device", "t", "cause_creator_idx"]]
    m = caused.merge(cs_sess[["user", "alt_device", "t", "creator_idx"]],
                     left_on=["user", "alt_device", "cause_creator_idx"],
                     right_on=["user", "alt_device", "creator_idx"], suffixes=("", "_s"))
    m = m[(m["t_s"] <= m["t"]) & (m["t_s"] >= m["t"] - TRUTH_LOOKBACK_DAYS)]
    seen = set(m["conv_id"])
    conv["creator_touch_visible"] = np.where(
        conv["cause"] == 3, conv["conv_id"].isin(seen) | (conv["touch"] == 2), False)

    # acquiring creator: who caused the customer's first purchase
    first_purchase = conv[purchase].drop_duplicates("user")
    acq = first_purchase.set_index("user")["cause_creator_idx"]
    conv["acquiring_creator_idx"] = acq.reindex(conv["user"]).fillna(-1).astype(int).to_numpy()

    # converting session per conversion: landing site and referrer for Shopify
    conv_sess = sessions[sessions["conv_id"] >= 0].drop_duplicates("conv_id").set_index("conv_id")
    cs = conv_sess.reindex(conv["conv_id"])

    # ---- ids and handles for the exports --------------------------------------------------
    posts["platform_post_id"] = ""
    for plat_name in PLATFORMS:
        m = posts["platform"] == plat_name
        posts.loc[m, "platform_post_id"] = _platform_post_id(rng, plat_name, int(m.sum()))
    posts["caption"] = exports.captions(rng, posts, p)
    camp_by_idx = campaigns.set_index("campaign_idx")
    posts["utm_campaign"] = camp_by_idx.loc[posts["campaign_idx"], "campaign_id"].str.lower().to_numpy()
    posts["utm_source"] = posts["platform"]
    posts["tracked_url"] = [f"{ga4.SITE}/products/glow-serum?utm_source={s}&utm_medium=influencer"
                            f"&utm_campaign={c}&utm_content={pid}" for s, c, pid in
                            zip(posts["utm_source"], posts["utm_campaign"], posts["post_id"], strict=True)]
    pinfo = posts.set_index("post_idx")
    handles = {(r.creator_idx, r.platform): _handle(cr.loc[r.creator_idx, "display_name"], r.platform,
                                                     int(r.creator_idx))
               for r in plat.itertuples(index=False)}

    in_window_post = posts["published_utc"] <= (window_end + pd.Timedelta(days=1)).tz_localize("UTC") - pd.Timedelta(seconds=1)
    wposts = posts[in_window_post].reset_index(drop=True)

    counts: dict = {}
    # ---- the team's sheets ------------------------------------------------------------------
    fol_series, jumps = social.follower_series(rng, p, creators, plat, posts, eng, horizon, window_days)
    roster = creators[["creator_id", "display_name", "niche", "country", "primary_platform"]].copy()
    for plat_name in PLATFORMS:
        key = {"youtube": "youtube_channel", "facebook": "facebook_page"}.get(plat_name, f"{plat_name}_handle")
        roster[key] = [handles.get((i, plat_name), "") for i in creators["creator_idx"]]
    for plat_name in PLATFORMS:
        roster[f"{plat_name}_followers"] = [
            int(fol_series[(i, plat_name)][window_days - 1]) if (i, plat_name) in fol_series else ""
            for i in creators["creator_idx"]]
    roster["known_audience_overlap"] = np.where(
        creators["overlap_known"] & (creators["platforms"].map(len) > 1),
        creators["platform_overlap"].round(2).astype(str), "")
    roster["discount_code"] = creators["discount_code"]
    roster["onboarded_date"] = (start - pd.to_timedelta(rng.integers(30, 900, len(creators)), unit="D")).strftime("%Y-%m-%d")
    exports._write_csv(roster, raw / "creator_roster.csv")
    counts["creators"] = len(roster)

    costs = contracts.groupby("campaign_idx").apply(
        lambda g: float((g["fee_usd"] + g["product_cost_usd"] + g["management_overhead_usd"]).sum()),
        include_groups=False)
    camp_out = campaigns.copy()
    camp_out["planned_budget_usd"] = (camp_out["campaign_idx"].map(costs).fillna(0.0)
                                      * rng.uniform(0.92, 1.12, len(camp_out))).round(-2)
    n_days = (camp_out["end_date"] - camp_out["start_date"]).dt.days + 1
    camp_out["planned_daily_spend_usd"] = (camp_out["planned_budget_usd"] / n_days).round(2)
    camp_csv = camp_out[["campaign_id", "campaign_name", "objective"]].copy()
    camp_csv["start_date"] = camp_out["start_date"].dt.strftime("%Y-%m-%d")
    camp_csv["end_date"] = camp_out["end_date"].dt.strftime("%Y-%m-%d")
    camp_csv["planned_budget_usd"] = camp_out["planned_budget_usd"]
    camp_csv["planned_daily_spend_usd"] = camp_out["planned_daily_spend_usd"]
    camp_csv["target_audience_size"] = camp_out["target_audience_size"]
    # the calendar the brand has on export day: campaigns started, and those briefed to start
    # within plan_ahead_days (their contracts are exported once signed, below)
    listed = camp_out["start_date"] <= window_end + pd.Timedelta(days=p.plan_ahead_days)
    camp_csv = camp_csv[listed]
    exports._write_csv(camp_csv, raw / "campaigns.csv")
    counts["campaigns"] = len(camp_csv)

    delivered_by_window = wposts.groupby("contract_idx").size()
    on_time_by_window = (wposts["published_local"].dt.normalize() <= wposts["due_date"]).groupby(wposts["contract_idx"]).sum()
    export_cut = window_end + pd.Timedelta(days=1)
    ct = contracts[contracts["campaign_idx"].isin(camp_out.loc[listed, "campaign_idx"])
                   & (contracts["signed_date"] <= window_end)].copy()
    ct_csv = pd.DataFrame({
        "contract_id": ct["contract_id"], "creator_id": ct["creator_id"],
        "campaign_id": ct["campaign_id"], "fee_usd": ct["fee_usd"],
        "product_cost_usd": ct["product_cost_usd"],
        "management_overhead_usd": ct["management_overhead_usd"],
        "deliverables_committed": ct["deliverables_committed"],
        "deliverables_delivered": ct["contract_idx"].map(delivered_by_window).fillna(0).astype(int),
        "deliverables_on_time": ct["contract_idx"].map(on_time_by_window).fillna(0).astype(int),
        # rated once there is content: none for a contract with nothing published by the export
        "content_quality_rating": ct["content_quality_rating"].where(
            ct["contract_idx"].map(delivered_by_window).fillna(0).to_numpy() > 0).astype("Int64"),
        # (an asset not yet submitted or approved on export day has no time yet)
        "asset_submitted_at": ct["asset_submitted_local"].where(ct["asset_submitted_local"] < export_cut)
                                                         .dt.strftime("%Y-%m-%d %H:%M").fillna(""),
        "asset_approved_at": ct["asset_approved_local"].where(ct["asset_approved_local"] < export_cut)
                                                       .dt.strftime("%Y-%m-%d %H:%M").fillna(""),
        "planned_launch_date": ct["planned_launch_date"].dt.strftime("%Y-%m-%d"),
        "actual_launch_date": ct["actual_launch_date"].where(ct["actual_launch_date"] <= window_end)
                                                       .dt.strftime("%Y-%m-%d").fillna(""),
        "signed_date": ct["signed_date"].dt.strftime("%Y-%m-%d"),
    })
    exports._write_csv(ct_csv, raw / "contracts.csv")
    counts["contracts"] = len(ct_csv)

    contract_id = contracts.set_index("contract_idx")["contract_id"]
    tracker = pd.DataFrame({
        "content_id": wposts["post_id"],
        "contract_id": wposts["contract_idx"].map(contract_id),
        "creator_id": wposts["creator_idx"].map(cr["creator_id"]),
        "campaign_id": wposts["campaign_idx"].map(camp_by_idx["campaign_id"]),
        "platform": wposts["platform"], "platform_post_id": wposts["platform_post_id"],
        "format": wposts["format"], "tracked_url": wposts["tracked_url"],
        "due_date": wposts["due_date"].dt.strftime("%Y-%m-%d"),
    })
    exports._write_csv(tracker, raw / "content_tracker.csv")
    counts["posts"] = len(tracker)

    # ---- platform insights ------------------------------------------------------------------
    daily = social.daily_post_metrics(rng, p, wposts, eng, clicks, fol_series, start)
    counts.update(exports.platform_exports(rng, p, raw, daily, wposts, handles, window_end))

    # ---- GA4 ----------------------------------------------------------------------------------
    conv_attrs = conv.set_index("conv_id")[["transaction_id", "revenue_local", "currency", "lead_num"]]
    ga4_counts = ga4.write_ga4(
        rng, sessions, user_ids, alt_ids, users.blocked, users.device, users.country,
        posts.sort_values("post_idx")["utm_campaign"].to_numpy(),
        posts.sort_values("post_idx")["post_id"].to_numpy(),
        posts.sort_values("post_idx")["utm_source"].to_numpy(),
        conv_attrs, start_utc, window_days, raw / "ga4_events", p.dirty_rate)
    counts.update(ga4_counts)

    # ---- Shopify and CRM ----------------------------------------------------------------------
    wconv = conv[conv["in_window"]]
    orders = wconv[wconv["conv_type"] == CONV_PURCHASE].copy()
    uidx = orders["user"].to_numpy()
    fn = np.asarray(FIRST_NAMES)[uidx % len(FIRST_NAMES)]
    ln = np.asarray(LAST_NAMES)[(uidx // len(FIRST_NAMES)) % len(LAST_NAMES)]
    orders["email"] = [f"{a.lower()}.{b.lower()}{u}@example.com" for a, b, u in zip(fn, ln, uidx, strict=True)]
    orders["full_name"] = [f"{a} {b}" for a, b in zip(fn, ln, strict=True)]
    orders["phone"] = [f"+1 555-{(u * 37) % 900 + 100:03d}-{u % 10000:04d}" for u in uidx]
    city = [CITIES[u % len(CITIES)] for u in uidx]
    orders["address"] = [f"{(u * 13) % 9000 + 100} {STREETS[u % len(STREETS)]}" for u in uidx]
    orders["city"] = [c[0] for c in city]
    orders["zip"] = [f"{c[2]}{u % 100:02d}" for c, u in zip(city, uidx, strict=True)]
    orders["country"] = "US"
    ocs = cs.loc[orders["conv_id"]]
    ch = ocs["channel"].to_numpy()
    opost = ocs["post_idx"].fillna(-1).astype(int).to_numpy()
    orders["landing_site"] = [
        (f"/products/glow-serum?utm_source={pinfo.loc[pi, 'utm_source']}&utm_medium=influencer"
         f"&utm_campaign={pinfo.loc[pi, 'utm_campaign']}&utm_content={pinfo.loc[pi, 'post_id']}")
        if c == traffic.CH_CREATOR and pi >= 0 else ("/" if c == traffic.CH_DIRECT else "/products/glow-serum")
        for c, pi in zip(ch, opost, strict=True)]
    orders["referring_site"] = [
        {traffic.CH_ORGANIC: "https://www.google.com/", traffic.CH_PAID_SEARCH: "https://www.google.com/",
         traffic.CH_EMAIL: "", traffic.CH_PAID_SOCIAL: "https://m.facebook.com/",
         traffic.CH_REFERRAL: "https://blog.example.org/"}.get(c, "") if c != traffic.CH_CREATOR else
        f"https://{pinfo.loc[pi, 'platform']}.com/" if pi >= 0 else "" for c, pi in zip(ch, opost, strict=True)]
    orders["created_utc"] = orders["ts"]
    orders["discount_code"] = orders["code"]
    counts["shopify_rows"] = exports.shopify_export(rng, p, raw, orders)
    counts["orders"] = len(orders)

    leads = wconv[wconv["conv_type"] == CONV_LEAD]
    lu = leads["user"].to_numpy()
    stage = np.where(leads["sales_qualified"], rng.choice(["salesqualifiedlead", "opportunity", "customer"],
                                                          size=len(leads), p=[0.6, 0.25, 0.15]),
                     rng.choice(["lead", "marketingqualifiedlead"], size=len(leads)))
    crm = pd.DataFrame({
        "Record ID": leads["lead_num"].astype(str).to_numpy(),
        "Create Date": leads["ts"].dt.strftime("%Y-%m-%d %H:%M").to_numpy(),
        "Lifecycle Stage": stage,
        "Email": [f"{FIRST_NAMES[u % len(FIRST_NAMES)].lower()}.{LAST_NAMES[(u // len(FIRST_NAMES)) % len(LAST_NAMES)].lower()}{u}@example.com" for u in lu],
        "First Name": [FIRST_NAMES[u % len(FIRST_NAMES)] for u in lu],
        "Last Name": [LAST_NAMES[(u // len(FIRST_NAMES)) % len(LAST_NAMES)] for u in lu],
        "Phone Number": [f"+1 555-{(u * 37) % 900 + 100:03d}-{u % 10000:04d}" for u in lu],
        "GA Client ID": np.where(users.blocked[lu], "", leads["pid"].to_numpy()),
    })
    exports._write_csv(crm, raw / "crm_leads.csv")
    counts["crm_leads"] = len(crm)

    # ---- comments, mentions, surveys ----------------------------------------------------------
    com = social.comments(rng, p, wposts, eng, creators)
    com_post = wposts.set_index("post_idx")
    com_csv = pd.DataFrame({
        "Network": com_post.loc[com["post_idx"], "platform"].str.capitalize().replace({"X": "X", "Tiktok": "TikTok", "Youtube": "YouTube"}).to_numpy(),
        "Post ID": com_post.loc[com["post_idx"], "platform_post_id"].to_numpy(),
        "Comment ID": com["comment_id"], "Author": com["author"], "Message": com["text"],
        "Created Time": com["created_utc"].dt.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "Replied": np.where(com["replied"], "Yes", "No"),
        "Reply Time": com["reply_utc"].dt.strftime("%Y-%m-%dT%H:%M:%SZ").fillna(""),
    })
    exports._write_csv(com_csv, raw / "comments.csv")
    counts["comments"] = len(com_csv)
    men = social.mentions(rng, p, start, window_days, wposts, eng)
    exports._write_csv(men, raw / "mentions_daily.csv")
    counts["mentions_rows"] = len(men)

    reach_truth = truth.campaign_reach_truth(campaigns, wposts, eng, creators, plat)
    survey_rows, lift_rows = [], []
    for r in reach_truth.itertuples(index=False):
        cmp = camp_by_idx.loc[r.campaign_idx]
        if cmp["start_date"] > window_end:
            continue
        a0 = float(rng.uniform(0.18, 0.35))
        share = r.true_unique_reach / r.universe
        a1 = min(0.95, a0 * (1 + p.survey_awareness_lift * share / (share + 0.05))
                 * rng.uniform(0.9, 1.1))
        f0 = float(rng.uniform(0.35, 0.55))
        f1 = min(0.95, f0 * (1 + p.survey_favorability_lift * share / (share + 0.05)))
        lift_rows.append({"campaign_id": r.campaign_id, "true_awareness_pre": a0, "true_awareness_post": a1,
                          "true_favorable_pre": f0, "true_favorable_post": f1})
        for wave, a, f, d in (("pre", a0, f0, cmp["start_date"] - pd.Timedelta(days=7)),
                              ("post", a1, f1, cmp["end_date"] + pd.Timedelta(days=7))):
            if d > window_end:
                continue
            nresp = int(rng.integers(400, 1200))
            survey_rows.append({"campaign_id": r.campaign_id, "wave": wave,
                                "fielded_date": d.strftime("%Y-%m-%d"), "respondents": nresp,
                                "aware": int(rng.binomial(nresp, a)), "favorable": int(rng.binomial(nresp, f)),
                                "considering": int(rng.binomial(nresp, a * 0.45))})
    exports._write_csv(pd.DataFrame(survey_rows, columns=["campaign_id", "wave", "fielded_date", "respondents",
                                                          "aware", "favorable", "considering"]),
                       raw / "brand_lift_survey.csv")

    # ---- truth ----------------------------------------------------------------------------------
    _write_truth(tru, p, start, window_days, horizon, creators, plat, campaigns, contracts, posts, eng,
                 conv, timing_lift, format_lift, reach_truth, com, jumps, lift_rows, wposts)
    counts["true_conversions_in_window"] = int(conv["in_window"].sum())
    counts["creator_caused_in_window"] = int(((conv["cause"] == 3) & conv["in_window"]).sum())
    summary = SimulationSummary(size=size, seed=seed, raw_dir=str(raw), truth_dir=str(tru),
                                seconds=time.perf_counter() - t0, counts=counts)
    (tru / "simulation_summary.json").write_text(json.dumps(
        {"size": size, "seed": seed, "window_start": str(start.date()), "window_end": str(window_end.date()),
         "future_days": p.future_days, "counts": counts}, indent=2, default=int))
    return summary


def _write_truth(tru: Path, p, start, window_days, horizon, creators, plat, campaigns, contracts, posts,
                 eng, conv, timing_lift, format_lift, reach_truth, com, jumps, lift_rows, wposts) -> None:
    cr = creators.set_index("creator_idx")
    cid = cr["creator_id"]
    post_id = posts.set_index("post_idx")["post_id"]
    w = conv[conv["in_window"]]
    caused = w[w["cause"] == 3]
    g = caused.groupby("cause_creator_idx")
    ct = pd.DataFrame({
        "true_conversions": g.size(),
        "true_revenue": g["revenue_usd"].sum(),
        "true_click_conversions": g.apply(lambda x: int((x["touch"] == 1).sum()), include_groups=False),
        "true_code_conversions": g.apply(lambda x: int((x["touch"] == 2).sum()), include_groups=False),
        "true_view_through_conversions": g.apply(lambda x: int((~x["creator_touch_visible"].astype(bool)).sum()), include_groups=False),
    })
    pf = plat.groupby("creator_idx").agg(authentic_followers=("authentic_followers", "sum"),
                                         displayed_followers=("displayed_followers", "sum"))
    out = pd.DataFrame({
        "creator_id": cid, "is_inauthentic": cr["is_inauthentic"],
        "inauthentic_type": cr["inauthentic_type"].fillna(""),
        "is_deal_creator": cr["is_deal_creator"], "high_propensity_audience": cr["high_propensity_audience"],
        "tier": cr["tier"], "quality": cr["quality"].round(4),
    }).join(ct).fillna({"true_conversions": 0, "true_revenue": 0.0, "true_click_conversions": 0,
                        "true_code_conversions": 0, "true_view_through_conversions": 0})
    out["hill_vmax"] = cr["hill_vmax"].round(4)
    out["hill_ec50_usd"] = cr["hill_ec50_usd"].round(2)
    out["hill_slope"] = cr["hill_slope"].round(4)
    out["familiarity_growth"] = cr["familiarity_growth"].round(4)
    out["audience_peak_hour"] = cr["audience_peak_hour"]
    out = out.join(pf)
    for c in ("true_conversions", "true_click_conversions", "true_code_conversions", "true_view_through_conversions"):
        out[c] = out[c].astype(int)
    out.to_csv(tru / "creator_truth.csv", index=False)

    gk = caused.groupby("post_idx")
    post_conv = gk.size()
    post_rev = gk["revenue_usd"].sum()
    contracts = contracts.copy()
    cpost = posts.set_index("post_idx")["contract_idx"]
    by_contract_n = caused.groupby(caused["post_idx"].map(cpost)).size()
    by_contract_r = caused.groupby(caused["post_idx"].map(cpost))["revenue_usd"].sum()
    contracts["true_conversions"] = contracts["contract_idx"].map(by_contract_n).fillna(0).astype(int)
    contracts["true_revenue"] = contracts["contract_idx"].map(by_contract_r).fillna(0.0).round(2)
    contracts["total_cost_usd"] = (contracts["fee_paid_usd"] + contracts["product_cost_usd"]
                                   + contracts["management_overhead_usd"]).round(2)
    contracts["true_roi"] = ((contracts["true_revenue"] - contracts["total_cost_usd"])
                             / contracts["total_cost_usd"].where(contracts["total_cost_usd"] > 0)).round(4)
    last_post = posts.groupby("contract_idx")["t_publish"].max()
    contracts["complete_in_window"] = contracts["contract_idx"].map(last_post).fillna(np.inf) < window_days - 30
    contracts["campaign_start"] = contracts["campaign_idx"].map(campaigns.set_index("campaign_idx")["start_date"])
    contracts[["contract_id", "creator_id", "campaign_id", "campaign_seq", "campaign_start",
               "deliverables_delivered", "fee_paid_usd", "product_cost_usd", "management_overhead_usd",
               "total_cost_usd", "curve_spend_usd", "curve_vmax", "curve_expected_conversions",
               "expected_conversions", "true_conversions", "true_revenue", "true_roi",
               "complete_in_window"]].to_csv(tru / "contract_truth.csv", index=False)

    pt = posts[["post_idx", "post_id", "platform", "format", "published_utc", "timing_lift",
                "format_lift", "lift", "expected_conversions"]].copy()
    pt["contract_id"] = posts["contract_idx"].map(contracts.set_index("contract_idx")["contract_id"])
    pt["true_conversions"] = pt["post_idx"].map(post_conv).fillna(0).astype(int)
    pt["true_revenue"] = pt["post_idx"].map(post_rev).fillna(0.0).round(2)
    pt["authentic_reach"] = pt["post_idx"].map(eng.set_index("post_idx")["authentic_reach"])
    pt["in_window"] = pt["post_idx"].isin(wposts["post_idx"])
    pt.drop(columns="post_idx").to_csv(tru / "post_truth.csv", index=False)

    touch_names = np.asarray(traffic.TOUCH_NAMES)
    cause_names = np.asarray(traffic.CAUSE_NAMES)
    ctf = pd.DataFrame({
        "conversion_id": conv["conv_id"],
        "conversion_type": np.asarray(traffic.CONV_NAMES)[conv["conv_type"].to_numpy()],
        "timestamp": conv["ts"], "user_pseudo_id": conv["pid"],
        "transaction_id": conv["transaction_id"], "lead_id": np.where(conv["lead_num"] > 0, conv["lead_num"].astype(str), None),
        "revenue_usd": conv["revenue_usd"],
        "cause": cause_names[conv["cause"].to_numpy()],
        "cause_creator_id": np.where(conv["cause_creator_idx"] >= 0, cid.reindex(conv["cause_creator_idx"]).to_numpy(), None),
        "cause_post_id": np.where((conv["cause"] == 3) & (conv["post_idx"] >= 0),
                                  post_id.reindex(conv["post_idx"]).to_numpy(), None),
        "touch": touch_names[conv["touch"].to_numpy()],
        "code_creator_id": np.where(conv["code_creator_idx"] >= 0, cid.reindex(conv["code_creator_idx"]).to_numpy(), None),
        "acquiring_creator_id": np.where(conv["acquiring_creator_idx"] >= 0,
                                         cid.reindex(conv["acquiring_creator_idx"]).to_numpy(), None),
        "creator_touch_visible": conv["creator_touch_visible"],
        "in_window": conv["in_window"],
    })
    ctf.to_parquet(tru / "conversions_truth.parquet", index=False)

    day = np.floor(conv["t"]).astype(int)
    dates = start + pd.to_timedelta(np.arange(horizon), unit="D")
    purchase = conv["conv_type"] == CONV_PURCHASE
    daily = pd.DataFrame({"date": dates.strftime("%Y-%m-%d")})
    daily["conversions"] = np.bincount(day, minlength=horizon)[:horizon]
    daily["purchases"] = np.bincount(day[purchase], minlength=horizon)[:horizon]
    daily["revenue_usd"] = np.bincount(day, weights=conv["revenue_usd"], minlength=horizon)[:horizon].round(2)
    daily["creator_caused_conversions"] = np.bincount(day[conv["cause"] == 3], minlength=horizon)[:horizon]
    daily["in_window"] = np.arange(horizon) < window_days
    daily.to_csv(tru / "daily_truth.csv", index=False)
    daily[~daily["in_window"]].drop(columns="in_window").to_csv(tru / "future_daily.csv", index=False)

    rows = []
    for i, pl in enumerate(PLATFORMS):
        for d in range(7):
            for h in range(24):
                rows.append((pl, d, h, round(float(timing_lift[i, d, h]), 5)))
    pd.DataFrame(rows, columns=["platform", "day_of_week", "hour", "lift"]).to_csv(tru / "timing_lift.csv", index=False)
    pd.DataFrame([(k[0], k[1], round(v, 5)) for k, v in format_lift.items()],
                 columns=["platform", "format", "lift"]).to_csv(tru / "format_lift.csv", index=False)
    reach_truth.drop(columns="campaign_idx").to_csv(tru / "reach_truth.csv", index=False)
    com[["comment_id", "true_sentiment", "is_fake"]].to_parquet(tru / "comment_truth.parquet", index=False)
    jj = jumps.copy()
    jj["creator_id"] = jj["creator_idx"].map(cid)
    jj["date"] = (start + pd.to_timedelta(jj["day"], unit="D")).dt.strftime("%Y-%m-%d")
    jj[["creator_id", "platform", "date", "followers_added"]].to_csv(tru / "follower_jumps.csv", index=False)
    pd.DataFrame(lift_rows).to_csv(tru / "brand_lift_truth.csv", index=False)
    traffic.holiday_table(start, start + pd.Timedelta(days=horizon - 1), p).assign(
        date=lambda d: d["date"].dt.strftime("%Y-%m-%d")).to_csv(tru / "holidays.csv", index=False)
    (tru / "README.md").write_text(truth.TRUTH_README)
