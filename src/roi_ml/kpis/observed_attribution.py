"""Directly observable creator attribution: the stand-in until data-driven attribution exists.

`creator_attributed_orders` is THE one place where an order is credited to a creator for the
KPIs that need attributed revenue (ROAS, ROI, CPA, CLV:CPA, AOV of influencer-driven sales).
Every row carries `attribution_basis = "click_or_code"`; a later pipeline swaps in
data-driven credit by producing the same columns with another basis. It sees only what the
shop sees: about half of creator-caused sales carry no code or click (view-through) and are
missed, and some code/click orders would have happened anyway (docs/metrics.md).
"""

from __future__ import annotations

import pandas as pd

ATTRIBUTION_BASIS = "click_or_code"
ORDER_COLUMNS = ["order_id", "created_at", "customer_id", "creator_id", "campaign_id", "post_id",
                 "touch", "is_refunded", "is_new_customer", "revenue_usd", "attribution_basis"]


def _upper(s: pd.Series) -> pd.Series:
    return s.astype("string").str.strip().str.upper()


def creator_attributed_orders(orders: pd.DataFrame, creators: pd.DataFrame, posts: pd.DataFrame,
                              code_post_lookback_days: float = 30.0,
                              refunded_statuses: tuple[str, ...] = ("refunded",)) -> pd.DataFrame:
    """Orders credited to a creator by their discount code or their tracked link.

    In: canonical `orders`, `creators` (discount_code), `posts` (post_id = utm_content of the
    post's tracked link, published_at, creator_id, campaign_id).
    Rules: an order whose discount code is a creator's code goes to that creator (touch
    "code"); otherwise an order whose landing-site utm_content is one of the creator posts goes
    to that post's creator (touch "link"). Code beats link; each order is counted once; codes
    and post ids are compared case-insensitively. A code order is placed on the creator's
    latest post published before it within `code_post_lookback_days` (its campaign); with no
    such post, post_id and campaign_id are missing (the creator still gets the order).
    Out: ORDER_COLUMNS; revenue_usd = total_usd, 0 for refunded orders; is_new_customer = the
    customer's first order.
    """
    o = orders.copy()
    codes = creators[["creator_id", "discount_code"]].dropna()
    code_owner = dict(zip(_upper(codes["discount_code"]), codes["creator_id"], strict=True))
    o["code_creator"] = _upper(o["discount_code"]).map(code_owner).astype("string")
    p = posts[["post_id", "creator_id", "campaign_id", "published_at"]].copy()
    p["key"] = _upper(p["post_id"])
    link = o[["order_id"]].assign(key=_upper(o["utm_content"])).merge(
        p[["key", "post_id", "creator_id", "campaign_id"]], on="key", how="inner")
    link = link.drop_duplicates("order_id").set_index("order_id")
    o = o.set_index("order_id")
    by_code = o["code_creator"].notna()
    by_link = ~by_code & o.index.isin(link.index)

    code_orders = o.loc[by_code, ["created_at", "code_creator"]].reset_index()
    placed = _place_on_latest_post(code_orders, p, code_post_lookback_days)
    out_code = pd.DataFrame({
        "order_id": code_orders["order_id"].to_numpy(),
        "creator_id": code_orders["code_creator"].to_numpy(),
        "campaign_id": placed["campaign_id"].to_numpy(),
        "post_id": placed["post_id"].to_numpy(),
        "touch": "code",
    })
    lk = link.loc[o.index[by_link]]
    out_link = pd.DataFrame({"order_id": lk.index.to_numpy(), "creator_id": lk["creator_id"].to_numpy(),
                             "campaign_id": lk["campaign_id"].to_numpy(),
                             "post_id": lk["post_id"].to_numpy(), "touch": "link"})
    out = pd.concat([out_code, out_link], ignore_index=True)
    od = o.loc[out["order_id"]]
    status = od["financial_status"].astype("string").str.lower()
    refunded = status.isin([s.lower() for s in refunded_statuses]).fillna(False).to_numpy(bool)
    out["created_at"] = od["created_at"].to_numpy()
    out["customer_id"] = od["customer_id"].to_numpy()
    out["is_refunded"] = refunded
    out["is_new_customer"] = (~od["is_returning_customer"].astype(bool)).to_numpy()
    out["revenue_usd"] = od["total_usd"].astype("float64").where(~refunded, 0.0).to_numpy()
    out["attribution_basis"] = ATTRIBUTION_BASIS
    out = out[ORDER_COLUMNS].sort_values(["created_at", "order_id"], kind="stable")
    for c in ("order_id", "customer_id", "creator_id", "campaign_id", "post_id", "touch",
              "attribution_basis"):
        out[c] = out[c].astype("string")
    return out.reset_index(drop=True)


def _place_on_latest_post(code_orders: pd.DataFrame, posts: pd.DataFrame,
                          lookback_days: float) -> pd.DataFrame:
    """For each code order: the creator's latest post published at or before it, within the
    lookback (post_id / campaign_id missing when none). Same row order as code_orders."""
    left = code_orders.reset_index(names="_row").dropna(subset=["created_at"])
    left = left.assign(creator_id=left["code_creator"].astype("string")).sort_values("created_at")
    right = posts.dropna(subset=["published_at"]).sort_values("published_at")
    right = right.assign(creator_id=right["creator_id"].astype("string"))
    if len(left) and len(right):
        m = pd.merge_asof(left, right[["published_at", "creator_id", "post_id", "campaign_id"]],
                          left_on="created_at", right_on="published_at", by="creator_id",
                          direction="backward",
                          tolerance=pd.Timedelta(days=float(lookback_days)))
        m = m.set_index("_row")
    else:
        m = pd.DataFrame(columns=["post_id", "campaign_id"])
    return pd.DataFrame({"post_id": m["post_id"].reindex(range(len(code_orders))).to_numpy(),
                         "campaign_id": m["campaign_id"].reindex(range(len(code_orders))).to_numpy()})


def click_attributed_leads(leads: pd.DataFrame, lead_sessions: pd.DataFrame, posts: pd.DataFrame,
                           qualified_stages: tuple[str, ...]) -> pd.DataFrame:
    """CRM leads created in a GA4 session that landed from a creator post's tracked link.

    In: canonical `leads`; `lead_sessions` (lead_id, post_id) from the GA4 sessions; `posts`.
    Out: lead_id, created_at, creator_id, campaign_id, post_id, is_qualified (stage in
    `qualified_stages`, conf), is_sales_qualified, attribution_basis = "click".
    """
    ls = lead_sessions.dropna(subset=["lead_id", "post_id"]).drop_duplicates("lead_id")
    m = leads.merge(ls, on="lead_id", how="inner").merge(
        posts[["post_id", "creator_id", "campaign_id"]], on="post_id", how="inner")
    stage = m["lifecycle_stage"].astype("string").str.lower()
    return pd.DataFrame({
        "lead_id": m["lead_id"].astype("string"), "created_at": m["created_at"],
        "creator_id": m["creator_id"].astype("string"),
        "campaign_id": m["campaign_id"].astype("string"), "post_id": m["post_id"].astype("string"),
        "is_qualified": stage.isin([s.lower() for s in qualified_stages]).fillna(False).astype(bool),
        "is_sales_qualified": m["is_sales_qualified"].astype(bool),
        "attribution_basis": pd.array(["click"] * len(m), dtype="string"),
    })
