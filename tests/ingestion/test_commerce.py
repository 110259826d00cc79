"""orders (Shopify, line items folded, FX, no PII) and leads (CRM)."""

import hashlib

import pandas as pd
import pytest

from roi_ml.ingest.commerce import build_leads, build_orders

SALT = "test-salt"
ANN = hashlib.sha256(b"test-saltann@example.com").hexdigest()


def add_row(df, **cells):
    row = {c: "" for c in df.columns} | {k.replace("_", " "): str(v) for k, v in cells.items()}
    return pd.concat([df, pd.DataFrame([row], dtype="string")], ignore_index=True)


def test_orders_fold_line_items_convert_fx_and_key_customers(world, cfg):
    orders, audit = build_orders(world["shopify_orders"], SALT, cfg)
    o = orders.set_index("order_id")
    assert o.index.tolist() == ["#1001", "#1002", "#1003"]
    assert o["n_line_items"].tolist() == [2, 1, 1]
    # EUR 100 * 1.08; USD 50; GBP 25 * 1.27 (fixed planning rates)
    assert o["total_usd"].tolist() == pytest.approx([108.0, 50.0, 31.75])
    assert o.loc["#1001", "subtotal_usd"] == pytest.approx(97.2)
    assert o.loc["#1001", "discount_usd"] == pytest.approx(10.8)
    assert o["total"].tolist() == [100.0, 50.0, 25.0]
    assert o["currency"].tolist() == ["EUR", "USD", "GBP"]
    assert o.loc["#1001", "discount_code"] == "ANN10" and pd.isna(o.loc["#1002", "discount_code"])
    # 11:01 at -0500 -> 16:01 UTC
    assert o.loc["#1001", "created_at"] == pd.Timestamp("2024-03-09 16:01", tz="UTC")
    assert o.loc["#1001", ["utm_source", "utm_medium", "utm_campaign", "utm_content"]].tolist(
    ) == ["instagram", "influencer", "cmp1", "P1"]
    # "Ann@Example.com" and " ann@example.com " are one customer
    assert o.loc["#1001", "customer_id"] == o.loc["#1002", "customer_id"] == ANN
    assert o["customer_order_number"].tolist() == [1, 2, 1]
    assert o["is_returning_customer"].tolist() == [False, True, False]
    assert o["financial_status"].tolist() == ["paid", "paid", "paid"]
    assert (audit.rows_read, audit.rows_kept, audit.rows_rejected) == (4, 4, 0)
    assert audit.extra == {"rows_folded": 1, "orders_kept": 3}


def test_no_pii_leaves_the_order_table(world, cfg):
    orders, _ = build_orders(world["shopify_orders"], SALT, cfg)
    text = orders.astype(str).to_string().lower()
    for pii in ("ann@example.com", "ann buyer", "1 main st", "555-1234", "bob roe"):
        assert pii not in text


def test_order_rejections_take_their_line_items(world, cfg):
    raw = world["shopify_orders"]
    raw = add_row(raw, Name="#1001", Email="x@y.z", Currency="USD", Total="5",
                  Created_at="2024-03-09 11:00:00 -0500")             # row 5: duplicate Name
    raw = add_row(raw, Name="#1004", Email="x@y.z", Currency="JPY", Total="500",
                  Created_at="2024-03-09 11:00:00 -0500")             # row 6: currency
    raw = add_row(raw, Name="#1004", Lineitem_name="Serum")           # row 7: its line item
    raw = add_row(raw, Name="#1005", Email="x@y.z", Currency="USD", Total="-5",
                  Created_at="2024-03-09 11:00:00 -0500")             # row 8: negative total
    raw = add_row(raw, Name="#1006", Email="x@y.z", Currency="USD", Total="5",
                  Created_at="n/a")                                   # row 9: bad time
    raw = add_row(raw, Name="#1999", Lineitem_name="Serum")           # row 10: orphan item
    orders, audit = build_orders(raw, SALT, cfg)
    assert orders["order_id"].tolist() == ["#1001", "#1002", "#1003"]
    assert audit.rejects[["row_number", "column", "value", "reason"]].values.tolist() == [
        [5, "Name", "#1001", "duplicate id"],
        [6, "Currency", "JPY", "unsupported currency"],
        [7, "Name", "#1004", "line item of a rejected order"],
        [8, "Total", "-5", "negative amount"],
        [9, "Created at", "n/a", "unparseable timestamp"],
        [10, "Name", "#1999", "line item without its order row"]]
    assert (audit.rows_read, audit.rows_kept, audit.rows_rejected) == (10, 4, 6)


def test_a_rejected_pii_cell_is_redacted(world, cfg):
    from roi_ml.ingest.staging import Staged
    st = Staged(cfg.source("crm_leads"), world["crm_leads"]).parse(cfg)
    st.reject(pd.Series([True, False]), "email", "some reason")
    assert st.rejects()[["column", "value"]].values.tolist() == [["Email", "<redacted>"]]


def test_leads(world, cfg):
    leads, audit = build_leads(world["crm_leads"], SALT, cfg)
    assert leads["lead_id"].tolist() == ["700001", "700002"]
    assert leads["customer_id"].iloc[0] == ANN  # "ANN@example.com"
    assert leads["is_sales_qualified"].tolist() == [True, False]
    assert leads["created_at"].iloc[0] == pd.Timestamp("2024-03-10 16:00", tz="UTC")
    assert leads["user_pseudo_id"].tolist() == ["u1", "u9"]
    assert list(leads.columns) == ["lead_id", "created_at", "lifecycle_stage",
                                   "is_sales_qualified", "user_pseudo_id", "customer_id"]
    assert audit.rows_kept == 2


def test_lead_rejections(world, cfg):
    raw = add_row(world["crm_leads"], **{"Record ID": "700001", "Create Date": "2024-03-11 10:00"})
    raw = add_row(raw, **{"Record ID": "700003", "Create Date": "03/11/2024"})
    leads, audit = build_leads(raw, SALT, cfg)
    assert len(leads) == 2
    assert audit.rejected_by_reason == {"duplicate id": 1, "unparseable timestamp": 1}
