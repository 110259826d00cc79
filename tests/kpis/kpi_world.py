"""A small canonical world (data/02_intermediate tables) whose KPIs are worked out by hand.

Campaign CMP1 (conversion, 1–20 March 2026, $100 a day, universe 1,000,000):
- CR1 (Instagram primary, TikTok too, known overlap 0.4, code ANA10): P1 on Instagram (reach
  1,000 + 500, impressions 2,100, engagements 94, 30 clicks, "#ad"), P2 on TikTok (reach 800,
  impressions 1,200, engagements 65, 10 clicks, "Paid partnership"). Contract CT1: fee $600 for
  2 deliverables, product $50, overhead $50, delivered 2 on time, rating 5, approved in 10 h.
- CR2 (X, code BEN20): P3 on X — no reach in the export; impressions 4,000, engagements 62,
  40 clicks, no disclosure. CT2: fee $300, delivered 1 but late, launched late, rating 4, 30 h.
- CR3 (YouTube on the roster, no Instagram row): P4, an Instagram story with zero reach.
  CT3: fee $200, product $20, overhead $30, on time, rating 3, 20 h.
Campaign CMP2 (awareness, 10 March – 10 April, $500, no daily plan): one contract (CT4, CR1),
nothing published yet — a campaign with no posts.
"""

from __future__ import annotations

import pandas as pd
from kedro.io import DataCatalog, MemoryDataset
from kedro.pipeline import Pipeline
from kedro.runner import SequentialRunner

from roi_ml import schemas
from roi_ml.pipelines.kpis import create_pipeline

S, INT, F, B = "string", "Int64", "float64", "bool"


def _utc(values):
    return pd.to_datetime(pd.Series(values)).dt.tz_localize("UTC").astype("datetime64[us, UTC]")


def _day(values):
    return pd.to_datetime(pd.Series(values)).astype("datetime64[us]")


def _hex(c: str) -> str:
    return c * 64


def make_world() -> dict[str, pd.DataFrame]:
    w: dict[str, pd.DataFrame] = {}
    w["creators"] = pd.DataFrame({
        "creator_id": ["CR1", "CR2", "CR3"], "display_name": ["Ana", "Ben", "Cyd"],
        "niche": ["beauty"] * 3, "country": ["US"] * 3,
        "primary_platform": ["instagram", "x", "youtube"], "tier": ["nano", "micro", "nano"],
        "max_followers": [5000, 20000, 3000], "known_audience_overlap": [0.4, None, None],
        "discount_code": ["ANA10", "BEN20", "CYD5"],
        "onboarded_date": ["2025-01-01"] * 3,
    }).astype({"creator_id": S, "display_name": S, "niche": S, "country": S,
               "primary_platform": S, "tier": S, "max_followers": INT,
               "known_audience_overlap": F, "discount_code": S})
    w["creators"]["onboarded_date"] = _day(w["creators"]["onboarded_date"])
    w["creator_platforms"] = pd.DataFrame({
        "creator_id": ["CR1", "CR1", "CR2", "CR3"],
        "platform": ["instagram", "tiktok", "x", "youtube"],
        "handle": ["ana", "ana", "ben", "cyd"], "followers": [5000, 2000, 20000, 3000],
    }).astype({"creator_id": S, "platform": S, "handle": S, "followers": INT})
    w["campaigns"] = pd.DataFrame({
        "campaign_id": ["CMP1", "CMP2"], "campaign_name": ["Spring", "April"],
        "objective": ["conversion", "awareness"],
        "start_date": _day(["2026-03-01", "2026-03-10"]), "end_date": _day(["2026-03-20", "2026-04-10"]),
        "planned_budget_usd": [2000.0, 500.0], "planned_daily_spend_usd": [100.0, None],
        "target_audience_size": pd.array([1_000_000, 500_000], dtype=INT),
    }).astype({"campaign_id": S, "campaign_name": S, "objective": S})
    w["contracts"] = pd.DataFrame({
        "contract_id": ["CT1", "CT2", "CT3", "CT4"], "creator_id": ["CR1", "CR2", "CR3", "CR1"],
        "campaign_id": ["CMP1", "CMP1", "CMP1", "CMP2"],
        "fee_usd": [600.0, 300.0, 200.0, 100.0], "product_cost_usd": [50.0, 0.0, 20.0, 0.0],
        "management_overhead_usd": [50.0, 0.0, 30.0, 0.0],
        "total_cost_usd": [700.0, 300.0, 250.0, 100.0],
        "deliverables_committed": [2, 1, 1, 1], "deliverables_delivered": [2, 1, 1, 0],
        "deliverables_on_time": [2, 0, 1, 0], "content_quality_rating": [5, 4, 3, None],
        "asset_submitted_at": _utc(["2026-02-20 10:00", "2026-02-21 08:00", "2026-02-22 09:00", None]),
        "asset_approved_at": _utc(["2026-02-20 20:00", "2026-02-22 14:00", "2026-02-23 05:00", None]),
        "planned_launch_date": _day(["2026-03-02", "2026-03-03", "2026-03-04", "2026-03-15"]),
        "actual_launch_date": _day(["2026-03-02", "2026-03-05", "2026-03-04", None]),
        "signed_date": _day(["2026-02-01"] * 4),
    }).astype({"contract_id": S, "creator_id": S, "campaign_id": S,
               "deliverables_committed": INT, "deliverables_delivered": INT,
               "deliverables_on_time": INT, "content_quality_rating": INT})
    w["posts"] = pd.DataFrame({
        "post_id": ["P1", "P2", "P3", "P4"], "contract_id": ["CT1", "CT1", "CT2", "CT3"],
        "creator_id": ["CR1", "CR1", "CR2", "CR3"], "campaign_id": ["CMP1"] * 4,
        "platform": ["instagram", "tiktok", "x", "instagram"],
        "platform_post_id": ["i1", "t2", "x3", "i4"], "format": ["carousel", "short", "post", "story"],
        "published_at": _utc(["2026-03-02 18:00", "2026-03-05 18:00", "2026-03-05 12:00",
                              "2026-03-04 20:00"]),
        "caption": ["Glow routine #ad", "Paid partnership with @aurora", "new serum, link below",
                    "(ad) quick look"],
        "tracked_url": [f"https://shop.example/?utm_content={p}" for p in ("P1", "P2", "P3", "P4")],
        "utm_source": ["instagram", "tiktok", "x", "instagram"], "utm_medium": ["influencer"] * 4,
        "utm_campaign": ["cmp1"] * 4, "utm_content": ["P1", "P2", "P3", "P4"],
        "due_date": _day(["2026-03-02", "2026-03-06", "2026-03-04", "2026-03-05"]),
    }).astype({c: S for c in ("post_id", "contract_id", "creator_id", "campaign_id", "platform",
                              "platform_post_id", "format", "caption", "tracked_url",
                              "utm_source", "utm_medium", "utm_campaign", "utm_content")})
    rows = [  # post, platform, creator, date, imp, reach, views, likes, comments, shares, saves, clicks, followers, corrected
        ("P1", "instagram", "CR1", "2026-03-02", 1400, 1000, 0, 60, 4, 3, 3, 20, 5000, False),
        ("P1", "instagram", "CR1", "2026-03-03", 700, 500, 0, 20, 2, 1, 1, 10, 5010, False),
        ("P2", "tiktok", "CR1", "2026-03-05", 900, 600, 900, 50, 1, 2, 1, 6, 2000, False),
        ("P2", "tiktok", "CR1", "2026-03-06", 300, 200, 300, 10, 1, 0, 0, 4, 2004, True),
        ("P3", "x", "CR2", "2026-03-05", 3000, None, 0, 40, 5, 5, 0, 30, 20000, False),
        ("P3", "x", "CR2", "2026-03-06", 1000, None, 0, 10, 1, 1, 0, 10, 20010, False),
        ("P4", "instagram", "CR3", "2026-03-04", 0, 0, 0, 0, 0, 0, 0, 0, 3100, False),
        ("P4", "instagram", "CR3", "2026-03-05", 0, 0, 0, 0, 0, 0, 0, 0, 3100, False),
    ]
    m = pd.DataFrame(rows, columns=["post_id", "platform", "creator_id", "date", "impressions",
                                    "reach", "views", "likes", "comments", "shares", "saves",
                                    "link_clicks", "followers", "counter_corrected"])
    m = m[["post_id", "creator_id", "platform", "date", "impressions", "reach", "views", "likes",
           "comments", "shares", "saves", "link_clicks", "followers", "counter_corrected"]]
    w["post_daily_metrics"] = m.astype({"post_id": S, "creator_id": S, "platform": S,
                                        **{c: INT for c in ("impressions", "reach", "views", "likes",
                                                          "comments", "shares", "saves",
                                                          "link_clicks", "followers")},
                                        "counter_corrected": B})
    w["post_daily_metrics"]["date"] = _day(w["post_daily_metrics"]["date"])
    w["comments"] = pd.DataFrame({
        "comment_id": ["C1", "C2", "C3", "C4"], "post_id": ["P1", "P1", "P1", "P3"],
        "platform": ["instagram", "instagram", "instagram", "x"],
        "author_key": [_hex("a"), _hex("b"), _hex("c"), _hex("d")],
        "text": ["Love this ❤️", "Where can I buy this?", "Mine broke after two days",
                 "Just ordered the serum!"],
        "created_at": _utc(["2026-03-02 20:00", "2026-03-02 21:00", "2026-03-03 09:00",
                            "2026-03-05 15:00"]),
        "replied": [True, True, False, True],
        # C1 answered in 2 h, C2 after 30 h (not within 24 h), C4 in 1 h
        "reply_at": _utc(["2026-03-02 22:00", "2026-03-04 03:00", None, "2026-03-05 16:00"]),
    }).astype({"comment_id": S, "post_id": S, "platform": S, "author_key": S, "text": S})
    cust = [_hex(c) for c in "12345"]
    w["orders"] = pd.DataFrame({
        "order_id": ["#1", "#2", "#3", "#4", "#5"], "shopify_id": ["1", "2", "3", "4", "5"],
        "customer_id": cust,
        "created_at": _utc(["2026-03-03 12:00", "2026-03-06 12:00", "2026-03-06 13:00",
                            "2026-03-07 12:00", "2026-03-08 12:00"]),
        "currency": ["USD"] * 5, "total": [120.0, 80.0, 100.0, 60.0, 50.0],
        "total_usd": [120.0, 80.0, 100.0, 60.0, 50.0], "subtotal_usd": [110.0, 75.0, 95.0, 55.0, 45.0],
        # #1 Ana's code; #2 P3's link; #3 neither; #4 Ben's code AND P1's link (code wins);
        # #5 Cyd's code, refunded
        "discount_code": ["ANA10", None, None, "ben20", "CYD5"],
        "discount_usd": [10.0, 0.0, 0.0, 5.0, 5.0],
        "financial_status": ["paid", "paid", "paid", "paid", "refunded"],
        "n_line_items": [1] * 5, "landing_site": [None, "/?utm_content=P3", "/", "/?utm_content=P1", None],
        "utm_source": [None, "x", None, "instagram", None],
        "utm_medium": [None, "influencer", None, "influencer", None],
        "utm_campaign": [None, "cmp1", None, "cmp1", None],
        "utm_content": [None, "P3", None, "P1", None],
        "customer_order_number": [1, 1, 1, 2, 1],
        "is_returning_customer": [False, False, False, True, False],
    }).astype({c: S for c in ("order_id", "shopify_id", "customer_id", "currency",
                              "discount_code", "financial_status", "landing_site", "utm_source",
                              "utm_medium", "utm_campaign", "utm_content")}
              | {"n_line_items": INT, "customer_order_number": INT})
    w["leads"] = pd.DataFrame({
        "lead_id": ["L1", "L2", "L3"], "created_at": _utc(["2026-03-05 13:00"] * 3),
        "lifecycle_stage": ["salesqualifiedlead", "lead", "customer"],
        "is_sales_qualified": [True, False, True], "user_pseudo_id": ["u1", "u2", "u3"],
        "customer_id": [None, None, None],
    }).astype({"lead_id": S, "lifecycle_stage": S, "user_pseudo_id": S, "customer_id": S})
    # GA4 sessions (only the columns the kpis pipeline reads): P1 5 sessions, 1 purchase;
    # P3 5 sessions, 2 leads and 1 sign-up; one session from search
    ses = [("P1", "2026-03-02", 1, 0, 0, 0, None)] + [("P1", "2026-03-02", 0, 0, 0, 0, None)] * 3
    ses += [("P1", "2026-03-03", 0, 0, 0, 0, None)]
    ses += [("P3", "2026-03-05", 0, 0, 1, 0, "L1"), ("P3", "2026-03-05", 0, 0, 1, 0, "L2"),
            ("P3", "2026-03-05", 0, 1, 0, 0, None)] + [("P3", "2026-03-05", 0, 0, 0, 0, None)] * 2
    ses += [(None, "2026-03-05", 0, 0, 1, 0, "L3")]
    w["sessions"] = pd.DataFrame(ses, columns=["creator_post_id", "session_date", "purchases",
                                               "sign_ups", "leads", "installs", "lead_id"]
                                 ).astype({"creator_post_id": S, "lead_id": S})
    w["sessions"]["session_date"] = _day(w["sessions"]["session_date"])
    w["mentions"] = pd.DataFrame({
        "date": _day(["2026-03-05", "2026-03-05", "2026-03-25", "2026-03-25"]),
        "brand": ["Aurora", "Lumina", "Aurora", "Lumina"], "is_own_brand": [True, False, True, False],
        "total_mentions": [30, 70, 10, 10], "creator_content_mentions": [6, 14, 2, 8],
        "positive": [20, 40, 5, 5], "neutral": [5, 20, 3, 3], "negative": [5, 10, 2, 2],
    }).astype({"brand": S, **{c: INT for c in ("total_mentions", "creator_content_mentions",
                                             "positive", "neutral", "negative")}})
    w["surveys"] = pd.DataFrame({
        "campaign_id": ["CMP1", "CMP1"], "wave": ["pre", "post"],
        "fielded_date": _day(["2026-02-25", "2026-03-25"]),
        "respondents": [500, 400], "aware": [100, 100], "favorable": [200, 180],
        "considering": [50, 60],
    }).astype({"campaign_id": S, "wave": S, "respondents": INT, "aware": INT, "favorable": INT,
               "considering": INT})
    return w


def validate_world(w: dict[str, pd.DataFrame]) -> None:
    """The world is canonical: every pandas table passes its schema."""
    for name, frame in w.items():
        if name != "sessions":
            schemas.validate(name, frame)


class KeepDataset(MemoryDataset):
    """A MemoryDataset the runner cannot release, so tests can read intermediate outputs."""

    def _release(self) -> None:
        pass


def run_kpis(world: dict, params: dict, given: dict | None = None) -> dict:
    """Run the kpis pipeline with SequentialRunner on in-memory canonical tables.

    `given` maps intermediate datasets to frames that replace the nodes producing them (e.g. a
    hand-made creator_authenticity / account_authenticity with a flagged creator)."""
    catalog = DataCatalog()
    for name, frame in {**world, **(given or {})}.items():
        catalog[name] = frame
    catalog["params:kpis"] = params
    pipeline = create_pipeline()
    if given:
        pipeline = Pipeline([n for n in pipeline.nodes if not set(n.outputs) & set(given)])
    for name in pipeline.all_outputs():
        catalog[name] = KeepDataset()
    SequentialRunner().run(pipeline, catalog)
    return {name: catalog.load(name) for name in pipeline.all_outputs()}
