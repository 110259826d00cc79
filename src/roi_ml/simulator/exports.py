"""Raw exports in the shapes users really get (docs/data_contract.md is the contract)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from roi_ml.simulator.config import PLATFORMS, WorldParams

# canonical format → each platform's own post-type label
POST_TYPE = {
    "instagram": {"short": "IG reel", "carousel": "IG carousel", "story": "IG story",
                  "post": "IG image", "video": "IG video"},
    "facebook": {"video": "Video", "post": "Photo", "short": "Reel"},
    "tiktok": {"short": "Video", "story": "Story", "carousel": "Photo"},
    "youtube": {"long_form": "Video", "short": "Short", "video": "Live"},
    "x": {"post": "photo", "video": "video"},
}

DISCLOSURES = ["#ad", "#sponsored", "Paid partnership with @aurora", "#AuroraPartner #ad",
               "#advertisement", "(ad)"]
CAPTION_BODIES = [
    "Obsessed with my new {p} routine", "Trying the {p} for 30 days, here is the verdict",
    "My honest review of the {p}", "Unboxing the {p} drop", "3 ways I use the {p}",
    "Get ready with me featuring the {p}", "Is the {p} worth it?", "Day in my life + {p}",
]
PRODUCTS = ["Glow Serum", "Daily Cleanser", "Starter Kit", "Night Cream", "SPF Mist"]
HOSTILE = ["=HYPERLINK(\"http://evil.example/x\",\"click\")", "+1 reason to love this",
           "-50% today only", "@aurora thank you!", "=1+1"]


def _write_csv(df: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(path, index=False)


def inject_dirt(rng: np.random.Generator, df: pd.DataFrame, rate: float,
                date_cols: list[str], count_cols: list[str], id_col: str | None) -> pd.DataFrame:
    """Real exports have defects: a blank or garbled date, a negative count, a duplicated row."""
    if rate <= 0 or df.empty:
        return df
    df = df.copy()
    n = len(df)
    for cols, garble in ((date_cols, "n/a"), (count_cols, None)):
        for col in cols:
            hit = rng.random(n) < rate
            if not hit.any():
                continue
            if garble is not None:
                df[col] = df[col].astype(object)
                df.loc[hit, col] = garble
            else:
                vals = pd.to_numeric(df[col], errors="coerce")
                df[col] = df[col].astype(object)
                df.loc[hit, col] = (-vals[hit].abs() - 1).astype("Int64").astype(object)
    if id_col is not None:
        dup = rng.random(n) < rate
        if dup.any():
            df = pd.concat([df, df[dup]], ignore_index=False).sort_index(kind="stable").reset_index(drop=True)
    return df


def captions(rng, posts: pd.DataFrame, p: WorldParams) -> list[str]:
    out = []
    for disclosed in posts["disclosed"].to_numpy():
        body = CAPTION_BODIES[rng.integers(len(CAPTION_BODIES))].format(
            p=PRODUCTS[rng.integers(len(PRODUCTS))])
        tag = DISCLOSURES[rng.integers(len(DISCLOSURES))] if disclosed else ""
        cap = f"{body} {tag} link in bio".strip()
        if rng.random() < p.hostile_caption_share:
            cap = f"{HOSTILE[rng.integers(len(HOSTILE))]} {cap}"
        out.append(cap)
    return out


def platform_exports(rng, p: WorldParams, raw: Path, daily: pd.DataFrame, posts: pd.DataFrame,
                     handles: dict, window_end: pd.Timestamp) -> dict[str, int]:
    """One CSV per platform in that platform's own export columns and date formats.

    `daily` holds one row per post and day (UTC date) with integer daily increments.
    """
    counts = {}
    pinfo = posts.set_index("post_idx")
    d = daily.merge(pinfo[["platform", "platform_post_id", "creator_idx", "format", "caption",
                           "published_utc"]], left_on="post_idx", right_index=True)
    d = d[d["date"] <= window_end]
    d["handle"] = [handles[(c, pl)] for c, pl in zip(d["creator_idx"], d["platform"], strict=True)]
    d = d.sort_values(["platform", "post_idx", "date"])
    for plat in PLATFORMS:
        x = d[d["platform"] == plat]
        ptype = x["format"].map(POST_TYPE[plat])
        la_pub = x["published_utc"].dt.tz_convert("America/Los_Angeles")
        if plat in ("instagram", "facebook"):
            out = pd.DataFrame({
                "Post ID": x["platform_post_id"],
                ("Account username" if plat == "instagram" else "Page name"): x["handle"],
                "Publish time": la_pub.dt.strftime("%m/%d/%Y %H:%M"),
                "Post type": ptype,
                "Description": x["caption"],
                "Date": x["date"].dt.strftime("%m/%d/%Y"),
                "Views": x["impressions"], "Reach": x["reach"],
                ("Plays" if plat == "instagram" else "3-second video views"): x["views"],
                ("Likes" if plat == "instagram" else "Reactions"): x["likes"],
                "Comments": x["comments"], "Shares": x["shares"],
                **({"Saves": x["saves"]} if plat == "instagram" else {}),
                "Link clicks": x["link_clicks"], "Followers": x["followers"],
            })
            date_cols, count_cols = ["Date"], ["Reach"]
        elif plat == "tiktok":
            g = x.groupby("post_idx", sort=False)
            cum = {c: g[c].cumsum() for c in ("impressions", "reach", "likes", "comments", "shares",
                                              "saves", "link_clicks")}
            out = pd.DataFrame({
                "Video ID": x["platform_post_id"], "Username": x["handle"],
                "Post time": x["published_utc"].dt.strftime("%Y-%m-%d %H:%M:%S"),
                "Video description": x["caption"], "Content type": ptype,
                "Date": x["date"].dt.strftime("%Y-%m-%d"),
                "Video views": cum["impressions"], "Reached audience": cum["reach"],
                "Likes": cum["likes"], "Comments": cum["comments"], "Shares": cum["shares"],
                "Add to Favorites": cum["saves"], "Link clicks": cum["link_clicks"],
                "Followers": x["followers"],
            })
            date_cols, count_cols = ["Date"], []
        elif plat == "youtube":
            out = pd.DataFrame({
                "Content": x["platform_post_id"], "Channel": x["handle"],
                "Video publish time": la_pub.dt.strftime("%Y-%m-%d %H:%M"),
                "Video title": x["caption"], "Content type": ptype,
                "Date": x["date"].dt.strftime("%Y-%m-%d"),
                "Impressions": x["impressions"], "Unique viewers": x["reach"],
                "Views": x["views"], "Likes": x["likes"], "Comments added": x["comments"],
                "Shares": x["shares"], "Link clicks": x["link_clicks"],
                "Subscribers": x["followers"],
            })
            date_cols, count_cols = ["Date"], ["Views"]
        else:
            out = pd.DataFrame({
                "Tweet id": x["platform_post_id"], "Username": x["handle"],
                "time": x["published_utc"].dt.strftime("%Y-%m-%d %H:%M +0000"),
                "Tweet text": x["caption"], "Media type": ptype,
                "Date": x["date"].dt.strftime("%Y-%m-%d"),
                "impressions": x["impressions"], "media views": x["views"], "likes": x["likes"],
                "replies": x["comments"], "retweets": x["shares"], "bookmarks": x["saves"],
                "url clicks": x["link_clicks"], "followers": x["followers"],
            })
            date_cols, count_cols = ["Date"], ["impressions"]
        out = inject_dirt(rng, out, p.dirty_rate, date_cols, count_cols, id_col="Date")
        _write_csv(out, raw / f"{plat}_posts.csv")
        counts[f"{plat}_posts"] = len(out)
    return counts


def shopify_export(rng, p: WorldParams, raw: Path, orders: pd.DataFrame) -> int:
    """Shopify order export: one row per line item, order fields on the first row only."""
    n_items = 1 + rng.poisson(0.3, len(orders))
    idx = np.repeat(np.arange(len(orders)), n_items)
    first = np.r_[True, idx[1:] != idx[:-1]]
    o = orders.iloc[idx].reset_index(drop=True)
    share = rng.dirichlet(np.ones(3), len(o))[:, 0]
    price = np.round(o["subtotal_local"].to_numpy() / n_items[idx] * (0.6 + 0.8 * share), 2)
    created = o["created_utc"].dt.tz_convert("America/New_York")
    off = created.map(lambda ts: ts.strftime("%z"))
    blank = ~first

    def order_field(values):
        v = np.empty(len(o), dtype=object)
        v[:] = np.asarray(values, dtype=object) if np.ndim(values) else values
        v[blank] = ""
        return v

    out = pd.DataFrame({
        "Name": o["transaction_id"],
        "Email": order_field(o["email"]),
        "Financial Status": order_field(o["financial_status"]),
        "Paid at": order_field(created.dt.strftime("%Y-%m-%d %H:%M:%S ") + off),
        "Currency": order_field(o["currency"]),
        "Subtotal": order_field(o["subtotal_local"].round(2)),
        "Shipping": order_field(o["shipping_local"].round(2)),
        "Taxes": order_field(o["tax_local"].round(2)),
        "Total": order_field(o["total_local"].round(2)),
        "Discount Code": order_field(o["discount_code"].fillna("")),
        "Discount Amount": order_field(o["discount_local"].round(2)),
        "Created at": order_field(created.dt.strftime("%Y-%m-%d %H:%M:%S ") + off),
        "Lineitem quantity": 1,
        "Lineitem name": [["Glow Serum", "Daily Cleanser", "Starter Kit", "Night Cream",
                           "SPF Mist"][i % 5] for i in rng.integers(0, 5, len(o))],
        "Lineitem price": price,
        "Billing Name": order_field(o["full_name"]),
        "Billing Address1": order_field(o["address"]),
        "Billing City": order_field(o["city"]),
        "Billing Zip": order_field(o["zip"]),
        "Billing Country": order_field(o["country"]),
        "Billing Phone": order_field(o["phone"]),
        "Shipping Name": order_field(o["full_name"]),
        "Shipping Address1": order_field(o["address"]),
        "Shipping City": order_field(o["city"]),
        "Shipping Zip": order_field(o["zip"]),
        "Shipping Country": order_field(o["country"]),
        "Phone": order_field(o["phone"]),
        "Landing Site": order_field(o["landing_site"].fillna("")),
        "Referring Site": order_field(o["referring_site"].fillna("")),
        "Source": order_field("web"),
        "Id": order_field(o["shopify_id"].astype(str)),
    })
    out = inject_dirt(rng, out, p.dirty_rate, ["Created at"], [], id_col=None)
    _write_csv(out, raw / "shopify_orders.csv")
    return len(out)
