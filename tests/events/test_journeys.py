"""Journeys on a hand-made world whose touches are worked out by hand."""

from __future__ import annotations

import ibis
import ibis.expr.datatypes as dt
import pandas as pd
import pytest
from kedro.io import DataCatalog
from kedro.runner import SequentialRunner

from roi_ml.journeys import JourneyConfig, build_journeys, path_table
from roi_ml.pipelines.events import create_pipeline

T0 = pd.Timestamp("2026-03-01 12:00", tz="UTC")
UTC = dt.Timestamp(timezone="UTC", scale=6)


def day(d: float) -> pd.Timestamp:
    return T0 + pd.Timedelta(days=d)


def _sessions() -> ibis.Table:
    rows = [  # user, start, channel, creator_post_id
        ("u1", day(0), "organic_search", None),
        ("u1", day(2), "creator", "P1"),
        ("u1", day(10), "direct", None),
        ("u2", day(0), "creator", "P2"),
        ("u3", day(0), "email", None),
        ("u3", day(40), "direct", None),
        ("u4", day(1), "creator", "P9"),  # a post nobody tracks: counts as the channel
    ]
    df = pd.DataFrame(rows, columns=["user_pseudo_id", "session_start", "channel", "creator_post_id"])
    return ibis.memtable(df, schema={"user_pseudo_id": "string", "session_start": UTC,
                                     "channel": "string", "creator_post_id": "string"})


def _conversion_events() -> ibis.Table:
    rows = [  # user, session, ts, name, type, tx, revenue, lead
        ("u1", "u1-2", day(2) + pd.Timedelta(minutes=5), "purchase", "purchase", "#1", 100.0, None),
        ("u1", "u1-2", day(2) + pd.Timedelta(minutes=6), "purchase", "purchase", "#1", 100.0, None),  # GA4 duplicate
        ("u1", "u1-10", day(10) + pd.Timedelta(minutes=3), "sign_up", "sign_up", None, None, None),
        ("u3", "u3-40", day(40) + pd.Timedelta(minutes=3), "purchase", "purchase", "#4", 80.0, None),
    ]
    df = pd.DataFrame(rows, columns=["user_pseudo_id", "session_id", "event_timestamp", "event_name",
                                     "conversion_type", "transaction_id", "revenue_usd", "lead_id"])
    return ibis.memtable(df, schema={"user_pseudo_id": "string", "session_id": "string",
                                     "event_timestamp": UTC, "event_name": "string",
                                     "conversion_type": "string", "transaction_id": "string",
                                     "revenue_usd": "float64", "lead_id": "string"})


def _orders() -> pd.DataFrame:
    return pd.DataFrame({
        "order_id": pd.array(["#1", "#2", "#3", "#4"], dtype="string"),
        "customer_id": pd.array(["a" * 64, "b" * 64, "c" * 64, "d" * 64], dtype="string"),
        "created_at": [day(2) + pd.Timedelta(minutes=5), day(5), day(6), day(40) + pd.Timedelta(minutes=3)],
        "total_usd": [100.0, 60.0, 40.0, 80.0],
        "financial_status": pd.array(["paid", "paid", "refunded", "paid"], dtype="string"),
        "discount_code": pd.array([" leo15", "AVA10", None, None], dtype="string"),
    })


def _creators() -> pd.DataFrame:
    return pd.DataFrame({"creator_id": pd.array(["CR1", "CR2"], dtype="string"),
                         "discount_code": pd.array(["AVA10", "LEO15"], dtype="string")})


def _posts() -> pd.DataFrame:
    return pd.DataFrame({"post_id": pd.array(["P1", "P2"], dtype="string"),
                         "creator_id": pd.array(["CR1", "CR2"], dtype="string"),
                         "published_at": [day(-1), day(-1)]})


def _run(**cfg):
    j, t = build_journeys(_sessions(), _conversion_events(), _orders(), _creators(), _posts(),
                          JourneyConfig(conversion_values={"sign_up": 5.0}, **cfg))
    J = j.execute().set_index("journey_id")
    T = t.execute().sort_values(["journey_id", "position"])
    paths = {jid: list(g["entity"]) for jid, g in T.groupby("journey_id")}
    by_tx = {r.transaction_id: jid for jid, r in J.iterrows() if pd.notna(r.transaction_id)}
    return J, T, paths, by_tx, (j, t)


def test_journeys_by_hand():
    J, T, paths, by_tx, _ = _run()
    # each order once: #1 seen twice by GA4 is one conversion; #2 and #3 only in Shopify
    assert J["converted"].sum() == 5
    assert sorted(J.loc[J["converted"], "source"]) == ["ga4", "ga4", "ga4", "shopify_only", "shopify_only"]
    # #1: organic day 0, click on P1 day 2, then CR2's code (code beats link: last touch)
    assert paths[by_tx["#1"]] == ["organic_search", "P1", "P2"]
    assert list(T.loc[T["journey_id"] == by_tx["#1"], "touch_type"]) == ["channel", "click", "code"]
    # #2 never reached GA4 but carries CR1's code: CR1's latest post before the order
    assert paths[by_tx["#2"]] == ["P1"]
    # #3: no GA4, no code: no touchpoint at all (not dropped)
    assert by_tx["#3"] not in paths
    assert J.loc[by_tx["#3"], "revenue_usd"] == 0.0  # refunded
    # #4: the email session 40 days earlier is outside the 30-day lookback
    assert paths[by_tx["#4"]] == ["direct"]
    # u1's sign-up: only the session after the previous conversion
    signup = J.index[(J["conversion_type"] == "sign_up")][0]
    assert paths[signup] == ["direct"] and J.loc[signup, "value_usd"] == 5.0
    # non-converting journeys: u2 clicked P2 and never bought; u4's untracked post is a channel touch
    assert paths["n-u2"] == ["P2"] and paths["n-u4"] == ["creator"]
    assert not J.loc["n-u2", "converted"] and J.loc["n-u2", "conversions"] == 0.0
    assert "n-u1" not in J.index  # u1's sessions all belong to conversions


def test_link_precedence_drops_a_code_when_a_creator_was_clicked():
    _, _, paths, by_tx, _ = _run(code_precedence="link")
    assert paths[by_tx["#1"]] == ["organic_search", "P1"]
    assert paths[by_tx["#2"]] == ["P1"]  # no click in that journey: the code stays


def test_paths_are_capped_to_their_last_touches():
    _, T, paths, by_tx, _ = _run(max_path_length=2)
    assert paths[by_tx["#1"]] == ["P1", "P2"]
    assert T.groupby("journey_id")["position"].max().max() == 1


def test_path_table_by_hand():
    _, _, _, _, (j, t) = _run()
    pt = path_table(j, t).execute().set_index("path")
    assert pt.loc["organic_search > P1 > P2", "conversions"] == 1.0
    assert pt.loc["organic_search > P1 > P2", "revenue"] == 100.0
    assert pt.loc["(none)", "conversions"] == 1.0 and pt.loc["(none)", "revenue"] == 0.0
    assert pt.loc["direct", "conversions"] == 2.0 and pt.loc["direct", "value"] == 85.0  # 80 + sign-up 5
    assert pt.loc["P2", "non_conversions"] == 1.0 and pt.loc["P2", "conversions"] == 0.0
    assert pt["conversions"].sum() == 5.0 and pt["non_conversions"].sum() == 2.0


@pytest.mark.parametrize("bad", [{"code_precedence": "first"}, {"lookback_days": 0}])
def test_bad_config_names_the_key(bad):
    with pytest.raises(ValueError, match="conf/base/parameters_events.yml"):
        JourneyConfig.from_params(bad)


def test_events_pipeline_runs_on_a_catalog():
    catalog = DataCatalog()
    catalog["sessions"] = _sessions()
    catalog["conversion_events"] = _conversion_events()
    catalog["orders"] = _orders()
    catalog["creators"] = _creators()
    catalog["posts"] = _posts()
    catalog["params:events"] = {"lookback_days": 30, "max_path_length": 20,
                                "conversion_values": {"sign_up": 5.0}}
    out = SequentialRunner().run(create_pipeline(), catalog)
    paths = catalog["path_table"].load() if "path_table" not in out else out["path_table"].load()
    assert paths["conversions"].sum() == 5.0


def test_written_parquet_keeps_float_columns_double(tmp_path):
    """DuckDB types a bare 1.0 literal as DECIMAL: what is written must still be double."""
    import pyarrow.parquet as pq

    _, _, _, _, (j, t) = _run()
    con = ibis.duckdb.connect()
    con.to_parquet(j, tmp_path / "j.parquet")
    schema = pq.read_schema(tmp_path / "j.parquet")
    for col in ("conversions", "revenue_usd", "value_usd"):
        assert str(schema.field(col).type) == "double", col
