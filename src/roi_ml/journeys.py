"""Customer journeys from sessions, conversions and orders — Ibis expressions, any backend.

Every function takes and returns Ibis tables (DuckDB by default, Spark or a warehouse by
changing the catalog connection); only small lookup tables (creators' codes, posts) come in as
pandas and are turned into memtables. Nothing here loads events or sessions into pandas.

Definitions (docs/metrics.md, "Journeys"):
- A conversion is a GA4 conversion event (purchase, sign-up, lead, install) or a Shopify order
  that GA4 never saw (blocked browsers); a purchase seen by both is one conversion (joined on
  transaction id), so each order is counted once.
- Its journey is the user's sessions that started in the `lookback_days` before it and after
  the user's previous conversion, in time order. A creator session's touchpoint is the post in
  its utm_content; any other session's touchpoint is its channel.
- An order carrying a creator's discount code is a touchpoint of that creator at order time
  (credited to the creator's latest post published before the order). With
  `code_precedence: code` (default, as the platforms do) the code touch is the journey's last
  touch; with `link` it is added only when the journey has no creator click.
- Users' sessions after their last conversion form one non-converting journey per user
  (sessions in the `lookback_days` before the last of them).
- Paths longer than `max_path_length` keep their last touches.
"""

from __future__ import annotations

from dataclasses import dataclass

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir
import pandas as pd

NONE_ENTITY = "(none)"


def _f64(x: float) -> ir.FloatingScalar:
    """A float64 literal. Ibis writes float literals as `1.0`, which DuckDB reads as DECIMAL(2,1)
    and writes to Parquet as decimal; an explicit cast of a numerator/denominator keeps DOUBLE."""
    num, den = float(x).as_integer_ratio()
    lit = ibis.literal(num).cast(dt.float64)
    return lit if den == 1 else lit / ibis.literal(den).cast(dt.float64)
JOURNEY_COLUMNS = ["journey_id", "user_pseudo_id", "customer_id", "converted", "conversion_type",
                   "conversion_time", "transaction_id", "conversions", "revenue_usd", "value_usd",
                   "code_creator_id", "source"]
TOUCH_COLUMNS = ["journey_id", "position", "touch_time", "entity", "touch_type", "post_id",
                 "creator_id", "channel"]


@dataclass(frozen=True)
class JourneyConfig:
    lookback_days: int = 30
    max_path_length: int = 20
    code_precedence: str = "code"  # or "link"
    creator_channel: str = "creator"
    conversion_values: dict | None = None  # value_usd of non-purchase conversions, by type
    path_separator: str = " > "

    @classmethod
    def from_params(cls, params: dict) -> JourneyConfig:
        known = {k: params[k] for k in cls.__dataclass_fields__ if k in params}
        cfg = cls(**known)
        if cfg.code_precedence not in ("code", "link"):
            raise ValueError(
                f"events.code_precedence must be 'code' or 'link', got {cfg.code_precedence!r} "
                "(conf/base/parameters_events.yml)")
        if cfg.lookback_days <= 0 or cfg.max_path_length <= 0:
            raise ValueError("events.lookback_days and events.max_path_length must be positive "
                             "(conf/base/parameters_events.yml)")
        return cfg


def conversions_table(conversion_events: ir.Table, orders: pd.DataFrame, creators: pd.DataFrame,
                      cfg: JourneyConfig) -> ir.Table:
    """One row per conversion: GA4 events joined to Shopify orders, plus Shopify-only orders.

    Out: conversion_key, user_pseudo_id, customer_id, conversion_type, conversion_time,
    transaction_id, revenue_usd (order total in USD when paid; 0 when refunded), value_usd
    (revenue for purchases, the configured value otherwise), code_creator_id, source.
    """
    codes = creators.loc[creators["discount_code"].notna(), ["creator_id", "discount_code"]].copy()
    codes["discount_code"] = codes["discount_code"].astype(str).str.strip().str.upper()
    codes = codes.drop_duplicates("discount_code")
    o = orders[["order_id", "customer_id", "created_at", "total_usd", "financial_status",
                "discount_code"]].copy()
    o["code_upper"] = o["discount_code"].astype("string").str.strip().str.upper()
    o = o.merge(codes.rename(columns={"discount_code": "code_upper", "creator_id": "code_creator_id"}),
                on="code_upper", how="left")
    o["revenue_usd"] = o["total_usd"].where(o["financial_status"].fillna("paid") != "refunded", 0.0)
    o = o[["order_id", "customer_id", "created_at", "revenue_usd", "code_creator_id"]]
    for col in ("order_id", "customer_id", "code_creator_id"):
        o[col] = o[col].astype("string")
    ot = ibis.memtable(o)

    ev = conversion_events
    # GA4 can send the same purchase twice: keep the first event per transaction id.
    is_p = ev.conversion_type == "purchase"
    purchases = ev.filter(is_p & ev.transaction_id.notnull())
    w = ibis.window(group_by=purchases.transaction_id, order_by=purchases.event_timestamp)
    purchases = purchases.mutate(_rn=ibis.row_number().over(w)).filter(lambda t: t._rn == 0).drop("_rn")
    others = ev.filter(~is_p | ev.transaction_id.isnull())
    ga = purchases.union(others)
    j = ga.left_join(ot, ga.transaction_id == ot.order_id)
    values = cfg.conversion_values or {}
    ga_conv = j.select(
        user_pseudo_id=j.user_pseudo_id,
        customer_id=j.customer_id,
        conversion_type=j.conversion_type,
        conversion_time=j.event_timestamp,
        transaction_id=j.transaction_id,
        revenue_usd=ibis.ifelse(j.conversion_type == "purchase",
                                j.revenue_usd_right.fill_null(j.revenue_usd.fill_null(0.0)).cast(dt.float64),
                                _f64(0.0)),
        code_creator_id=j.code_creator_id,
        source=ibis.literal("ga4"),
    )
    seen = purchases.select(tx=purchases.transaction_id)
    shop_only = ot.anti_join(seen, ot.order_id == seen.tx)
    shop_conv = shop_only.select(
        user_pseudo_id=ibis.null(dt.string),
        customer_id=shop_only.customer_id,
        conversion_type=ibis.literal("purchase"),
        conversion_time=shop_only.created_at.cast(dt.Timestamp(timezone="UTC", scale=6)),
        transaction_id=shop_only.order_id,
        revenue_usd=shop_only.revenue_usd,
        code_creator_id=shop_only.code_creator_id,
        source=ibis.literal("shopify_only"),
    )
    allc = ga_conv.union(shop_conv)
    allc = allc.mutate(value_usd=ibis.ifelse(allc.conversion_type == "purchase", allc.revenue_usd,
                                             _other_value(allc, values)))
    key = ibis.row_number().over(ibis.window(order_by=[allc.conversion_time, allc.transaction_id,
                                                      allc.user_pseudo_id, allc.conversion_type]))
    return allc.mutate(journey_id=ibis.literal("c").concat(key.cast("string")))


def _other_value(t: ir.Table, values: dict) -> ir.FloatingValue:
    if not values:
        return _f64(0.0)
    return ibis.cases(*[(t.conversion_type == k, _f64(v)) for k, v in values.items()],
                      else_=_f64(0.0))


def session_touches(sessions: ir.Table, posts: pd.DataFrame, cfg: JourneyConfig) -> ir.Table:
    """Sessions → touchpoints: post id for creator sessions whose post is known, else channel."""
    p = posts[["post_id", "creator_id"]].astype("string")
    pt = ibis.memtable(p)
    s = sessions.select("user_pseudo_id", "session_start", "channel", "creator_post_id")
    j = s.left_join(pt, s.creator_post_id == pt.post_id)
    is_creator = (j.channel == cfg.creator_channel) & j.post_id.notnull()
    return j.select(
        user_pseudo_id=j.user_pseudo_id,
        touch_time=j.session_start,
        entity=ibis.ifelse(is_creator, j.post_id, j.channel),
        touch_type=ibis.ifelse(is_creator, "click", "channel"),
        post_id=ibis.ifelse(is_creator, j.post_id, ibis.null(dt.string)),
        creator_id=ibis.ifelse(is_creator, j.creator_id, ibis.null(dt.string)),
        channel=j.channel,
    )


def build_journeys(sessions: ir.Table, conversion_events: ir.Table, orders: pd.DataFrame,
                   creators: pd.DataFrame, posts: pd.DataFrame, cfg: JourneyConfig
                   ) -> tuple[ir.Table, ir.Table]:
    """(journeys, touches) for converting and non-converting journeys; see module docstring."""
    conv = conversions_table(conversion_events, orders, creators, cfg)
    touches_all = session_touches(sessions, posts, cfg)
    lookback = ibis.interval(days=cfg.lookback_days)

    # previous conversion of the same user bounds the journey
    wu = ibis.window(group_by=conv.user_pseudo_id, order_by=[conv.conversion_time, conv.journey_id])
    conv = conv.mutate(prev_time=conv.conversion_time.lag().over(wu))
    ga_conv = conv.filter(conv.user_pseudo_id.notnull())
    c = ga_conv.select("journey_id", "user_pseudo_id", "conversion_time", "prev_time")
    t = touches_all
    j = c.inner_join(t, [c.user_pseudo_id == t.user_pseudo_id,
                         t.touch_time <= c.conversion_time,
                         t.touch_time >= c.conversion_time - lookback])
    j = j.filter(j.prev_time.isnull() | (j.touch_time > j.prev_time))
    conv_touches = j.select("journey_id", "touch_time", "entity", "touch_type", "post_id",
                            "creator_id", "channel")

    # code touches at order time, credited to the creator's latest post before the order
    p = posts[["post_id", "creator_id", "published_at"]].copy()
    p["post_id"] = p["post_id"].astype("string")
    p["creator_id"] = p["creator_id"].astype("string")
    pt = ibis.memtable(p)
    coded = conv.filter(conv.code_creator_id.notnull()).select("journey_id", "conversion_time",
                                                               "code_creator_id")
    cj = coded.left_join(pt, [coded.code_creator_id == pt.creator_id,
                              pt.published_at <= coded.conversion_time])
    wl = ibis.window(group_by=cj.journey_id, order_by=ibis.desc(cj.published_at))
    cj = cj.mutate(_rn=ibis.row_number().over(wl)).filter(lambda x: x._rn == 0)
    code_touches = cj.select(
        journey_id=cj.journey_id,
        touch_time=cj.conversion_time,
        entity=cj.post_id.fill_null(ibis.literal("code:").concat(cj.code_creator_id)),
        touch_type=ibis.literal("code"),
        post_id=cj.post_id,
        creator_id=cj.code_creator_id,
        channel=ibis.literal(cfg.creator_channel),
    )
    if cfg.code_precedence == "link":
        has_click = conv_touches.filter(conv_touches.touch_type == "click").select(
            jid=conv_touches.journey_id).distinct()
        code_touches = code_touches.anti_join(has_click, code_touches.journey_id == has_click.jid)
    # sort key: code touches after every session touch of the journey
    conv_touches = conv_touches.mutate(_order=0)
    code_touches = code_touches.mutate(_order=1)
    ctouch = conv_touches.union(code_touches)

    # non-converting journeys: sessions after each user's last conversion
    last = conv.filter(conv.user_pseudo_id.notnull()).group_by("user_pseudo_id").aggregate(
        last_conv=conv.conversion_time.max())
    tl = touches_all.left_join(last, touches_all.user_pseudo_id == last.user_pseudo_id)
    tl = tl.filter(tl.last_conv.isnull() | (tl.touch_time > tl.last_conv))
    wlast = ibis.window(group_by=tl.user_pseudo_id)
    tl = tl.mutate(_end=tl.touch_time.max().over(wlast))
    tl = tl.filter(tl.touch_time >= tl._end - lookback)
    non_touches = tl.select(
        journey_id=ibis.literal("n-").concat(tl.user_pseudo_id),
        touch_time=tl.touch_time, entity=tl.entity, touch_type=tl.touch_type,
        post_id=tl.post_id, creator_id=tl.creator_id, channel=tl.channel, _order=ibis.literal(0))
    non_journeys = tl.group_by("user_pseudo_id").aggregate(conversion_time=tl.touch_time.max())
    non_journeys = non_journeys.select(
        journey_id=ibis.literal("n-").concat(non_journeys.user_pseudo_id),
        user_pseudo_id=non_journeys.user_pseudo_id,
        customer_id=ibis.null(dt.string),
        converted=ibis.literal(False),
        conversion_type=ibis.null(dt.string),
        conversion_time=non_journeys.conversion_time,
        transaction_id=ibis.null(dt.string),
        conversions=_f64(0.0),
        revenue_usd=_f64(0.0),
        value_usd=_f64(0.0),
        code_creator_id=ibis.null(dt.string),
        source=ibis.literal("non_converting"),
    )

    touches = ctouch.union(non_touches)
    wpos = ibis.window(group_by=touches.journey_id,
                       order_by=[ibis.desc(touches._order), ibis.desc(touches.touch_time),
                                 ibis.desc(touches.entity)])
    touches = touches.mutate(_from_end=ibis.row_number().over(wpos))
    touches = touches.filter(touches._from_end < cfg.max_path_length)
    wn = ibis.window(group_by=touches.journey_id)
    touches = touches.mutate(position=touches._from_end.count().over(wn) - 1 - touches._from_end)
    touches = touches.select(*TOUCH_COLUMNS)

    conv_journeys = conv.select(
        journey_id=conv.journey_id, user_pseudo_id=conv.user_pseudo_id,
        customer_id=conv.customer_id, converted=ibis.literal(True),
        conversion_type=conv.conversion_type, conversion_time=conv.conversion_time,
        transaction_id=conv.transaction_id, conversions=_f64(1.0),
        revenue_usd=conv.revenue_usd, value_usd=conv.value_usd,
        code_creator_id=conv.code_creator_id, source=conv.source)
    journeys = conv_journeys.union(non_journeys).select(*JOURNEY_COLUMNS)
    return journeys, touches


def path_table(journeys: ir.Table, touches: ir.Table, separator: str = " > ") -> ir.Table:
    """Aggregated paths: path string (touch entities in order), conversions, value, non-conversions.

    Journeys with no touchpoint have the path "(none)".
    """
    paths = touches.group_by("journey_id").aggregate(
        path=touches.entity.collect(order_by=touches.position).join(separator))
    j = journeys.left_join(paths, journeys.journey_id == paths.journey_id)
    j = j.mutate(path=j.path.fill_null(NONE_ENTITY))
    return j.group_by("path").aggregate(
        conversions=j.conversions.sum(),
        value=j.value_usd.sum(),
        revenue=j.revenue_usd.sum(),
        non_conversions=(_f64(1.0) - j.conversions).sum(),
    ).order_by(ibis.desc("conversions"), "path")
