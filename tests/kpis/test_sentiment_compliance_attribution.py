"""Comment sentiment, disclosure detection, contract compliance and click-or-code orders."""

import pandas as pd
import pytest

from roi_ml.kpis.compliance import contract_compliance, detect_disclosure
from roi_ml.kpis.observed_attribution import (
    ATTRIBUTION_BASIS,
    click_attributed_leads,
    creator_attributed_orders,
)
from roi_ml.kpis.sentiment import score_texts

UTC = "UTC"


def test_vader_labels_with_the_domain_lexicon(kpi_params):
    p = kpi_params["sentiment"]
    texts = pd.Series(["Love this ❤️", "Where can I buy this?", "Mine broke after two days",
                       "Just ordered the serum!", "🔥🔥🔥", "", pd.NA], dtype="string")
    plain = score_texts(texts, None, 0.05, 0.05)["sentiment_label"]
    tuned = score_texts(texts, p["lexicon_updates"], p["positive_threshold"],
                        p["negative_threshold"])["sentiment_label"]
    assert tuned.iloc[:5].tolist() == ["positive", "neutral", "negative", "positive", "positive"]
    # plain VADER reads purchase intent as neutral and the fire emoji ("fire") as negative
    assert plain.iloc[3] == "neutral" and plain.iloc[4] == "negative"
    assert tuned.iloc[5:].isna().all()  # no text, no label


@pytest.mark.parametrize("caption,disclosed", [
    ("Loving the serum #ad", True),
    ("#AD new drop", True),
    ("Morning routine #Sponsored", True),
    ("Paid partnership with @aurora", True),
    ("Glow kit (ad) link in bio", True),
    ("Glow kit [Ad] link in bio", True),
    ("#advertisement my favourite cleanser", True),
    ("so #adorable, check the serum", False),   # #ad must stand alone
    ("best adventure gear", False),
    ("link in bio", False),
    (None, False),
])
def test_disclosure_detection(kpi_params, caption, disclosed):
    d = detect_disclosure(pd.Series([caption], dtype="string"),
                          kpi_params["compliance"]["disclosure_patterns"])
    assert bool(d["has_disclosure"].iloc[0]) is disclosed
    assert bool(d["disclosure_marker"].isna().iloc[0]) is (not disclosed)


def test_contract_compliance_needs_every_term():
    contracts = pd.DataFrame({
        "contract_id": ["A", "B", "C", "D"],
        "deliverables_committed": pd.array([2, 2, 1, pd.NA], dtype="Int64"),
        "deliverables_delivered": pd.array([2, 1, 1, 1], dtype="Int64"),
        "deliverables_on_time": pd.array([2, 1, 0, 1], dtype="Int64")})
    disclosure = pd.DataFrame({"contract_id": ["A", "A", "B", "D"],
                               "has_disclosure": [True, True, True, False]})
    c = contract_compliance(contracts, disclosure).set_index("contract_id")
    # A: all delivered, on time, disclosed; B: one missing; C: late; D: an undisclosed post
    assert c["meets_all_terms"].tolist() == [True, False, False, False]
    assert not c.loc["B", "delivered_in_full"]
    assert not c.loc["C", "delivered_on_time"] and not c.loc["D", "all_posts_disclosed"]


def _orders():
    ts = pd.to_datetime(["2026-03-10 12:00", "2026-03-11 12:00", "2026-03-12 12:00",
                         "2026-03-13 12:00", "2026-05-30 12:00", "2026-03-14 12:00"]).tz_localize(UTC)
    return pd.DataFrame({
        "order_id": ["#1", "#2", "#3", "#4", "#5", "#6"],
        "customer_id": ["c1", "c2", "c3", "c1", "c4", "c5"],
        "created_at": ts,
        "total_usd": [100.0, 50.0, 80.0, 60.0, 40.0, 30.0],
        "discount_code": pd.array(["ana10", pd.NA, "BEN20", pd.NA, "ANA10", pd.NA], dtype="string"),
        # #3 has Ben's code AND a link of Ana's post: the code wins
        "utm_content": pd.array([pd.NA, "p1", "P1", "P9", pd.NA, pd.NA], dtype="string"),
        "financial_status": ["paid", "paid", "paid", "paid", "paid", "refunded"],
        "is_returning_customer": [False, False, False, True, False, False]})


def test_click_or_code_orders_code_beats_link_each_order_once():
    creators = pd.DataFrame({"creator_id": ["ANA", "BEN"], "discount_code": ["ANA10", "BEN20"]})
    posts = pd.DataFrame({
        "post_id": ["P1", "P2"], "creator_id": ["ANA", "BEN"], "campaign_id": ["C1", "C1"],
        "published_at": pd.to_datetime(["2026-03-09", "2026-03-01"]).tz_localize(UTC)})
    o = creator_attributed_orders(_orders(), creators, posts, 30.0).set_index("order_id")
    # #1 Ana's code (case-insensitive) → her latest post before it, P1
    assert o.loc["#1", ["creator_id", "post_id", "touch"]].tolist() == ["ANA", "P1", "code"]
    # #2 link of P1 (utm_content lower-case) → Ana
    assert o.loc["#2", ["creator_id", "post_id", "touch"]].tolist() == ["ANA", "P1", "link"]
    # #3 Ben's code beats the link of Ana's post; Ben's latest post is P2
    assert o.loc["#3", ["creator_id", "post_id", "touch"]].tolist() == ["BEN", "P2", "code"]
    # #4 links to an unknown post, no code: not a creator order
    assert "#4" not in o.index
    # #5 Ana's code 82 days after her last post: Ana's, but outside the 30-day lookback
    assert o.loc["#5", "creator_id"] == "ANA" and pd.isna(o.loc["#5", "post_id"])
    assert pd.isna(o.loc["#5", "campaign_id"])
    assert len(o) == o.index.nunique() == 4
    assert (o["attribution_basis"] == ATTRIBUTION_BASIS).all()
    assert ATTRIBUTION_BASIS == "click_or_code"


def test_refunded_orders_bring_no_revenue():
    creators = pd.DataFrame({"creator_id": ["ANA"], "discount_code": ["ANA10"]})
    posts = pd.DataFrame({"post_id": ["P6"], "creator_id": ["ANA"], "campaign_id": ["C1"],
                          "published_at": pd.to_datetime(["2026-03-01"]).tz_localize(UTC)})
    orders = _orders()
    orders.loc[5, "discount_code"] = "ANA10"
    o = creator_attributed_orders(orders, creators, posts).set_index("order_id")
    assert o.loc["#6", "is_refunded"] and o.loc["#6", "revenue_usd"] == 0.0
    assert o.loc["#1", "revenue_usd"] == 100.0 and o.loc["#1", "is_new_customer"]


def test_leads_by_click():
    leads = pd.DataFrame({"lead_id": ["L1", "L2", "L3"],
                          "created_at": pd.to_datetime(["2026-03-10"] * 3).tz_localize(UTC),
                          "lifecycle_stage": ["lead", "salesqualifiedlead", "marketingqualifiedlead"],
                          "is_sales_qualified": [False, True, False]})
    sessions = pd.DataFrame({"lead_id": ["L1", "L2"], "post_id": ["P1", "P1"]})
    posts = pd.DataFrame({"post_id": ["P1"], "creator_id": ["ANA"], "campaign_id": ["C1"]})
    out = click_attributed_leads(leads, sessions, posts, ("marketingqualifiedlead",
                                                          "salesqualifiedlead")).set_index("lead_id")
    assert list(out.index) == ["L1", "L2"]  # L3 came from no creator link
    assert out["is_qualified"].tolist() == [False, True]
    assert out["is_sales_qualified"].tolist() == [False, True]
