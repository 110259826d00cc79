"""Shopify order export and CRM lead export -> `orders` and `leads` (no PII kept)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from roi_ml.ingest.audit import Reason, SourceAudit, as_rejects
from roi_ml.ingest.config import IngestionConfig
from roi_ml.ingest.parsing import clean_text, utm_parameters
from roi_ml.ingest.pii import pseudonymise
from roi_ml.ingest.roster import normalise_code
from roi_ml.ingest.staging import Staged, select_columns

ORDER_COLUMNS = [
    "order_id", "shopify_id", "customer_id", "created_at", "currency", "total", "total_usd",
    "subtotal_usd", "discount_code", "discount_usd", "financial_status", "n_line_items",
    "landing_site", "utm_source", "utm_medium", "utm_campaign", "utm_content",
    "customer_order_number", "is_returning_customer",
]
LEAD_COLUMNS = [
    "lead_id", "created_at", "lifecycle_stage", "is_sales_qualified", "user_pseudo_id",
    "customer_id",
]


def order_blocks(text: pd.DataFrame) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Split Shopify's one-row-per-line-item layout into orders.

    An order row is a row with order-level money fields (Total or Currency non-blank); the
    line-item rows that follow it with the same Name (or a blank Name) belong to it.

    Returns (is_order_row, block number of each row (0 before the first order row),
    is_orphan: a line-item row whose Name differs from its block's order).
    """
    is_order = (clean_text(text["total"]).notna() | clean_text(text["currency"]).notna())
    block = is_order.astype(int).cumsum()
    name = clean_text(text["order_id"])
    block_name = name.where(is_order).groupby(block).transform("first")
    orphan = ~is_order & ((block == 0) | (name.notna() & (name != block_name).fillna(True)))
    return is_order, block, orphan.astype(bool)


def fx_convert(amount: pd.Series, currency: pd.Series, fx_to_usd: dict[str, float]) -> pd.Series:
    """amount in `currency` -> USD with the fixed planning rates (NaN for unknown currency)."""
    rate = currency.astype(object).map(fx_to_usd).astype("float64")
    return (amount.astype("float64") * rate).astype("float64")


def build_orders(
    raw: pd.DataFrame, pii_salt: str, cfg: IngestionConfig
) -> tuple[pd.DataFrame, SourceAudit]:
    """shopify_orders.csv + PII salt -> (orders, audit). One row per order.

    Order rows are parsed; their line-item rows are folded in (n_line_items counts an order's
    rows) and count as kept (rows_folded in the report). Rejects: missing/duplicate Name,
    unparseable `Created at`, a currency not in ingestion.fx_to_usd, unparseable or negative
    money; line items of a rejected order and line items without an order row.
    customer_id = salted hash of the email; the email and every other customer field are
    dropped here. customer_order_number ranks a customer's orders by created_at (1 = first);
    orders without an email have no customer_id and count as first orders.
    """
    src = cfg.source("shopify_orders")
    text = select_columns(raw, src)  # unmapped PII columns (names, addresses, phones) gone
    is_order, block, orphan = order_blocks(text)
    rows = np.arange(1, len(text) + 1)
    order_pos = np.flatnonzero(is_order.to_numpy())

    st = Staged(src, raw.iloc[order_pos], row_numbers=rows[order_pos]).parse(cfg)
    v = st.values
    v["currency"] = v["currency"].str.upper()
    st.reject(~v["currency"].isin(list(cfg.fx_to_usd)), "currency", Reason.UNSUPPORTED_CURRENCY)
    st.reject_duplicates(["order_id"], "order_id")

    # line items follow their order's fate
    order_block = block.iloc[order_pos].to_numpy()
    rejected_blocks = set(order_block[st.rejected.to_numpy()])
    item = ~is_order.to_numpy()
    item_rejected_order = item & ~orphan.to_numpy() & block.isin(rejected_blocks).to_numpy()
    item_orphan = item & orphan.to_numpy()
    items_folded = item & ~item_rejected_order & ~item_orphan
    item_rejects = pd.DataFrame({
        "source": src.name, "file": src.file,
        "row_number": np.r_[rows[item_orphan], rows[item_rejected_order]],
        "column": src.raw_name("order_id"),
        "value": np.r_[text["order_id"].to_numpy(object)[item_orphan],
                       text["order_id"].to_numpy(object)[item_rejected_order]],
        "reason": [Reason.ORPHAN_LINE_ITEM] * int(item_orphan.sum())
        + [Reason.LINE_ITEM_OF_REJECTED_ORDER] * int(item_rejected_order.sum()),
    })

    kept = st.kept().copy()
    kept_blocks = order_block[st.alive.to_numpy()]
    n_rows = pd.Series(block[~orphan].to_numpy()).value_counts()
    kept["n_line_items"] = pd.array(n_rows.reindex(kept_blocks).to_numpy(), dtype="Int64")
    kept["customer_id"] = pseudonymise(kept["email"], pii_salt)
    kept = kept.drop(columns=["email"])
    utm = utm_parameters(kept["landing_site"])
    kept = kept.sort_values(["created_at", "order_id"], kind="stable")
    has_customer = kept["customer_id"].notna()
    number = kept[has_customer].groupby("customer_id", sort=False).cumcount() + 1
    kept["customer_order_number"] = pd.array(number.reindex(kept.index).fillna(1), dtype="Int64")
    kept = kept.sort_index()

    orders = pd.DataFrame({
        "order_id": kept["order_id"],
        "shopify_id": kept["shopify_id"],
        "customer_id": kept["customer_id"],
        "created_at": kept["created_at"],
        "currency": kept["currency"],
        "total": kept["total"],
        "total_usd": fx_convert(kept["total"], kept["currency"], cfg.fx_to_usd),
        "subtotal_usd": fx_convert(kept["subtotal"], kept["currency"], cfg.fx_to_usd),
        "discount_code": normalise_code(kept["discount_code"]),
        "discount_usd": fx_convert(kept["discount_amount"], kept["currency"], cfg.fx_to_usd),
        "financial_status": kept["financial_status"].str.lower(),
        "n_line_items": kept["n_line_items"],
        "landing_site": kept["landing_site"],
        **{c: utm.loc[kept.index, c] for c in utm.columns},
        "customer_order_number": kept["customer_order_number"],
        "is_returning_customer": (kept["customer_order_number"] > 1).astype(bool),
    }).reset_index(drop=True)

    rejects = as_rejects(pd.concat([st.rejects(), as_rejects(item_rejects)], ignore_index=True)
                         .sort_values("row_number", kind="stable"))
    rows_folded = int(items_folded.sum())
    audit = SourceAudit.from_rejects(src.name, src.file, len(raw), len(orders) + rows_folded,
                                     rejects, rows_folded=rows_folded, orders_kept=len(orders))
    return orders[ORDER_COLUMNS], audit.check()


def build_leads(raw: pd.DataFrame, pii_salt: str, cfg: IngestionConfig
                ) -> tuple[pd.DataFrame, SourceAudit]:
    """crm_leads.csv + PII salt -> (leads, audit).

    Rejects: missing/duplicate Record ID, unparseable Create Date. customer_id = salted hash of
    the email (names and phone numbers are dropped on read). is_sales_qualified: stage in
    ingestion.sales_qualified_stages.
    """
    st = Staged(cfg.source("crm_leads"), raw).parse(cfg)
    st.reject_duplicates(["lead_id"], "lead_id")
    kept = st.kept()
    stage = kept["lifecycle_stage"].str.lower()
    leads = pd.DataFrame({
        "lead_id": kept["lead_id"],
        "created_at": kept["created_at"],
        "lifecycle_stage": stage,
        "is_sales_qualified": stage.isin(cfg.sales_qualified_stages).fillna(False).astype(bool),
        "user_pseudo_id": kept["user_pseudo_id"],
        "customer_id": pseudonymise(kept["email"], pii_salt),
    }).reset_index(drop=True)
    return leads[LEAD_COLUMNS], st.audit(len(leads))

