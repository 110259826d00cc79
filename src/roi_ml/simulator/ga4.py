"""Sessions → GA4 BigQuery-export events, written month by month with dictionary encoding.

Never holds all events in memory: each month's sessions are expanded and written, then freed.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from roi_ml.simulator.traffic import (
    CH_CREATOR,
    CHANNEL_SOURCE_MEDIUM,
    CONV_INSTALL,
    CONV_LEAD,
    CONV_NONE,
    CONV_PURCHASE,
    CONV_SIGNUP,
)

EVENT_NAMES = ["session_start", "page_view", "view_item", "add_to_cart", "begin_checkout",
               "purchase", "sign_up", "generate_lead", "first_open"]
SITE = "https://www.aurora-shop.example"
PATHS = ["/", "/collections/new", "/products/glow-serum", "/products/daily-cleanser",
         "/products/starter-kit", "/blog/routine", "/collections/bestsellers"]
DEVICES = ["mobile", "desktop", "tablet"]
COUNTRIES = ["United States", "Canada", "United Kingdom", "Germany"]

GA4_SCHEMA = pa.schema([
    ("event_date", pa.string()),
    ("event_timestamp", pa.int64()),
    ("event_name", pa.string()),
    ("user_pseudo_id", pa.string()),
    ("ga_session_id", pa.int64()),
    ("ga_session_number", pa.int64()),
    ("collected_traffic_source__manual_source", pa.string()),
    ("collected_traffic_source__manual_medium", pa.string()),
    ("collected_traffic_source__manual_campaign_name", pa.string()),
    ("collected_traffic_source__manual_content", pa.string()),
    ("page_location", pa.string()),
    ("device__category", pa.string()),
    ("geo__country", pa.string()),
    ("ecommerce__transaction_id", pa.string()),
    ("ecommerce__purchase_revenue", pa.float64()),
    ("event_params__currency", pa.string()),
    ("event_params__lead_id", pa.string()),
])


def _dict_array(indices: np.ndarray, dictionary: list[str]) -> pa.Array:
    """String column as dictionary indices (-1 = null); cast to plain string on write."""
    idx = pa.array(indices, type=pa.int32(), mask=indices < 0)
    return pa.DictionaryArray.from_arrays(idx, pa.array(dictionary, pa.string()))


def expand_events(rng: np.random.Generator, s: pd.DataFrame) -> dict[str, np.ndarray]:
    """Per session event counts → one row per event, ordered within the session.

    `s` has: session_row, conv_type. Returns arrays session_row, event_code, position.
    """
    n = len(s)
    conv = s["conv_type"].to_numpy()
    purchase = conv == CONV_PURCHASE
    n_pv = rng.geometric(0.55, n) + np.where(conv != CONV_NONE, 1, 0)
    vi = np.where(purchase, 1, (rng.random(n) < 0.45).astype(int))
    cart = s["cart"].to_numpy() if "cart" in s else np.zeros(n, bool)
    vi = np.where(cart, 1, vi)
    atc = np.where(purchase | cart, 1, ((vi == 1) & (rng.random(n) < 0.18)).astype(int))
    bc = np.where(purchase | cart, 1, ((atc == 1) & (rng.random(n) < 0.35)).astype(int))
    conv_code = np.select([purchase, conv == CONV_SIGNUP, conv == CONV_LEAD, conv == CONV_INSTALL],
                          [5, 6, 7, 8], -1)
    counts = np.stack([np.ones(n, int), n_pv, vi, atc, bc, (conv_code >= 0).astype(int)], axis=1)
    total = counts.sum(axis=1)
    rows = np.repeat(np.arange(n), total)
    # event code per slot, in template order (start, page_views, view_item, atc, checkout, conv)
    r = np.concatenate([np.repeat(np.arange(n), counts[:, k]) for k in range(6)])
    c = np.concatenate([np.full(counts[:, k].sum(), code) for k, code in enumerate([0, 1, 2, 3, 4, 9])])
    template_codes = c[np.lexsort((c, r))]
    codes = template_codes.copy()
    conv_slot = codes == 9
    codes[conv_slot] = conv_code[rows[conv_slot]]
    starts = np.concatenate([[0], np.cumsum(total)[:-1]])
    position = np.arange(len(rows)) - starts[rows]
    return {"session_row": rows, "event_code": codes, "position": position}


def write_ga4(rng: np.random.Generator, sessions: pd.DataFrame, user_ids: np.ndarray,
              alt_user_ids: np.ndarray, blocked: np.ndarray, devices: np.ndarray,
              countries: np.ndarray, post_campaign: np.ndarray, post_content: np.ndarray,
              post_source: np.ndarray, conv_attrs: pd.DataFrame, start: pd.Timestamp,
              window_days: int, out_dir: Path, dirty_rate: float) -> dict:
    """Write `ga4_events/events_YYYYMM.parquet` for sessions inside the observed window.

    conv_attrs: indexed by conv_id with transaction_id, revenue_local, currency, lead_id.
    Returns counts for the summary.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("events_*.parquet"):  # a previous world's months must not linger
        old.unlink()
    s = sessions[(sessions["t"] < window_days)].copy()
    # Blocked browsers (ad blockers, no consent) send nothing to GA4.
    s = s[~blocked[s["user"].to_numpy()]]
    s["pid"] = np.where(s["alt_device"].to_numpy(), alt_user_ids[s["user"].to_numpy()],
                        user_ids[s["user"].to_numpy()])
    start_us = int(start.value // 1_000)
    s["ts_us"] = start_us + (s["t"].to_numpy() * 86_400e6).astype(np.int64)
    s["ga_session_id"] = s["ts_us"] // 1_000_000
    s = s.sort_values(["pid", "ts_us"], kind="stable")
    s["ga_session_number"] = s.groupby("pid", sort=False).cumcount() + 1
    s = s.sort_values("ts_us", kind="stable").reset_index(drop=True)
    local = pd.to_datetime(s["ts_us"], unit="us", utc=True).dt.tz_convert("America/New_York")
    s["month"] = local.dt.strftime("%Y%m")

    # dictionaries for string columns
    sources = ["(direct)", "google", "google", "newsletter", "facebook", "blog.example.org",
               "instagram", "tiktok", "youtube", "x", "facebook"]
    src_dict = sorted(set(sources))
    med_dict = ["(none)", "organic", "cpc", "email", "paid_social", "referral", "influencer",
                "Influencer", "creator"]
    camp_dict = sorted(set(post_campaign.tolist()))
    content_dict = sorted(set(post_content.tolist()))
    camp_pos = {c: i for i, c in enumerate(camp_dict)}
    content_pos = {c: i for i, c in enumerate(content_dict)}
    post_camp_i = np.array([camp_pos[c] for c in post_campaign]) if len(post_campaign) else np.array([], int)
    post_cont_i = np.array([content_pos[c] for c in post_content]) if len(post_content) else np.array([], int)
    post_src_i = np.array([src_dict.index(x) for x in post_source]) if len(post_source) else np.array([], int)
    ch_src = {k: src_dict.index(v[0]) for k, v in CHANNEL_SOURCE_MEDIUM.items()}
    ch_med = {k: med_dict.index(v[1]) for k, v in CHANNEL_SOURCE_MEDIUM.items()}

    page_dict = [SITE + x for x in PATHS]
    n_fixed_pages = len(page_dict)
    # landing URLs of creator posts (with UTM query) and of the other channels
    landing_creator = [f"{SITE}/products/glow-serum?utm_source={post_source[i]}&utm_medium=influencer"
                       f"&utm_campaign={post_campaign[i]}&utm_content={post_content[i]}"
                       for i in range(len(post_content))]
    page_dict = page_dict + landing_creator
    n_events_total = 0
    n_files = 0
    conv_idx = conv_attrs
    for month, chunk in s.groupby("month", sort=True):
        ev = expand_events(rng, chunk)
        rows = ev["session_row"]
        code = ev["event_code"]
        pos = ev["position"]
        ch = chunk["channel"].to_numpy()[rows]
        post = chunk["post_idx"].to_numpy()[rows]
        is_creator = ch == CH_CREATOR
        carries_source = pos <= 1
        src = np.where(is_creator, post_src_i[np.maximum(post, 0)] if len(post_src_i) else -1,
                       np.vectorize(ch_src.get, otypes=[int])(np.where(is_creator, 0, ch)))
        med = np.where(is_creator, med_dict.index("influencer"),
                       np.vectorize(ch_med.get, otypes=[int])(np.where(is_creator, 0, ch)))
        # a few teams tag creator links "Influencer" or "creator": conf maps them
        if is_creator.any():
            variant = rng.random(len(med)) < 0.03
            med = np.where(is_creator & variant, med_dict.index("Influencer"), med)
        src = np.where(carries_source, src, -1)
        med = np.where(carries_source, med, -1)
        camp = np.where(carries_source & is_creator, post_camp_i[np.maximum(post, 0)] if len(post_camp_i) else -1, -1)
        cont = np.where(carries_source & is_creator, post_cont_i[np.maximum(post, 0)] if len(post_cont_i) else -1, -1)
        page = rng.integers(0, n_fixed_pages, len(rows))
        page = np.where((pos <= 1) & is_creator, n_fixed_pages + np.maximum(post, 0), page)
        ts = chunk["ts_us"].to_numpy()[rows] + (pos * rng.uniform(15e6, 70e6, len(rows))).astype(np.int64)
        # conversions: transaction ids, revenue, currency, lead id
        cid = chunk["conv_id"].to_numpy()[rows]
        is_conv_event = code >= 5
        tx = np.full(len(rows), -1)
        tx_dict: list[str] = []
        rev = np.full(len(rows), np.nan)
        cur = np.full(len(rows), -1)
        lead = np.full(len(rows), -1)
        if is_conv_event.any():
            ca = conv_idx.loc[cid[is_conv_event]]
            purchase_mask = code[is_conv_event] == 5
            tx_vals = ca["transaction_id"].to_numpy()
            tx_dict = [str(t) for t in tx_vals[purchase_mask]]
            txi = np.full(is_conv_event.sum(), -1)
            txi[purchase_mask] = np.arange(len(tx_dict))
            tx[is_conv_event] = txi
            rv = np.where(purchase_mask, ca["revenue_local"].to_numpy(), np.nan)
            rev[is_conv_event] = rv
            cur_codes = {"USD": 0, "CAD": 1, "EUR": 2, "GBP": 3}
            cur[is_conv_event] = np.where(purchase_mask,
                                          [cur_codes.get(c, 0) for c in ca["currency"].to_numpy()], -1)
            lead_mask = code[is_conv_event] == 7
            li = np.full(is_conv_event.sum(), -1)
            li[lead_mask] = ca["lead_num"].to_numpy()[lead_mask]
            lead[is_conv_event] = li
        pid = chunk["pid"].to_numpy()[rows]
        if dirty_rate > 0:  # consent-mode pings arrive without a user_pseudo_id
            pid = np.where(rng.random(len(pid)) < dirty_rate, None, pid)
        local_date = pd.to_datetime(ts, unit="us", utc=True).tz_convert("America/New_York").strftime("%Y%m%d")
        table = pa.table({
            "event_date": pa.array(np.asarray(local_date), pa.string()),
            "event_timestamp": pa.array(ts, pa.int64()),
            "event_name": _dict_array(code.astype(np.int32), EVENT_NAMES),
            "user_pseudo_id": pa.array(pid, pa.string()),
            "ga_session_id": pa.array(chunk["ga_session_id"].to_numpy()[rows], pa.int64()),
            "ga_session_number": pa.array(chunk["ga_session_number"].to_numpy()[rows], pa.int64()),
            "collected_traffic_source__manual_source": _dict_array(src.astype(np.int32), src_dict),
            "collected_traffic_source__manual_medium": _dict_array(med.astype(np.int32), med_dict),
            "collected_traffic_source__manual_campaign_name": _dict_array(camp.astype(np.int32), camp_dict or [""]),
            "collected_traffic_source__manual_content": _dict_array(cont.astype(np.int32), content_dict or [""]),
            "page_location": _dict_array(page.astype(np.int32), page_dict),
            "device__category": _dict_array(devices[chunk["user"].to_numpy()[rows]].astype(np.int32), DEVICES),
            "geo__country": _dict_array(countries[chunk["user"].to_numpy()[rows]].astype(np.int32), COUNTRIES),
            "ecommerce__transaction_id": _dict_array(tx.astype(np.int32), tx_dict or [""]),
            "ecommerce__purchase_revenue": pa.array(rev, pa.float64(), mask=np.isnan(rev)),
            "event_params__currency": _dict_array(cur.astype(np.int32), ["USD", "CAD", "EUR", "GBP"]),
            "event_params__lead_id": pa.array(np.where(lead >= 0, lead.astype(str), None), pa.string()),
        })
        table = table.cast(GA4_SCHEMA)
        pq.write_table(table, out_dir / f"events_{month}.parquet", compression="zstd",
                       use_dictionary=True)
        n_events_total += table.num_rows
        n_files += 1
        del table, ev
    return {"ga4_events": n_events_total, "ga4_files": n_files, "ga4_sessions": len(s)}
