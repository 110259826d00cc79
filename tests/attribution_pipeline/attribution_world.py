"""A hand-made world of journeys and touches in the events pipeline's shape, with every
model's credit small enough to work out by hand (see test_pipeline.py)."""

from __future__ import annotations

import ibis
import ibis.expr.datatypes as dt
import pandas as pd
from kedro.io import DataCatalog, MemoryDataset
from kedro.runner import SequentialRunner

from roi_ml.attribution import MODELS
from roi_ml.pipelines.attribution import create_pipeline

T0 = pd.Timestamp("2026-03-01 12:00", tz="UTC")
UTC = dt.Timestamp(timezone="UTC", scale=6)
CHANNEL_OF_KIND = {"click": "creator", "code": "creator"}

POSTS = {"P1": ("CR1", "CMP1", "instagram"), "P2": ("CR1", "CMP2", "tiktok"),
         "P3": ("CR2", "CMP1", "tiktok")}

# journey: (converted, revenue_usd, value_usd, conversion day, [(day, entity, touch_type)])
JOURNEYS = {
    "c1": (True, 100.0, 100.0, 4, [(0, "organic_search", "channel"), (2, "P1", "click"), (3, "P3", "click")]),
    "c2": (True, 50.0, 50.0, 3, [(1, "P2", "click"), (2, "direct", "channel")]),
    "c3": (True, 30.0, 30.0, 1, [(0, "P1", "click")]),
    "c4": (True, 20.0, 20.0, 5, []),                      # no session before it: "(none)"
    "c5": (True, 0.0, 5.0, 2, [(0, "email", "channel"), (1, "P3", "click")]),  # a sign-up
    "n-u1": (False, 0.0, 0.0, 2, [(0, "P1", "click"), (2, "direct", "channel")]),
    "n-u2": (False, 0.0, 0.0, 3, [(1, "P1", "click"), (3, "direct", "channel")]),
    "n-u3": (False, 0.0, 0.0, 1, [(1, "P2", "click")]),
}


def day(d: float) -> pd.Timestamp:
    return T0 + pd.Timedelta(days=d)


def frames(journeys: dict | None = None, posts: dict | None = None
           ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(journeys, journey_touches) as the events pipeline writes them (pandas)."""
    journeys = JOURNEYS if journeys is None else journeys
    posts = POSTS if posts is None else posts
    jrows, trows = [], []
    for jid, (conv, revenue, value, cday, touches) in journeys.items():
        jrows.append({"journey_id": jid, "user_pseudo_id": f"u-{jid}", "converted": conv,
                      "conversion_type": "purchase" if conv else None,
                      "conversion_time": day(cday), "conversions": float(conv),
                      "revenue_usd": revenue, "value_usd": value, "source": "ga4"})
        for pos, (d, entity, kind) in enumerate(touches):
            post = entity if kind in ("click", "code") and entity in posts else None
            creator = posts[post][0] if post else (entity[5:] if entity.startswith("code:") else None)
            trows.append({"journey_id": jid, "position": pos, "touch_time": day(d),
                          "entity": entity, "touch_type": kind, "post_id": post,
                          "creator_id": creator, "channel": CHANNEL_OF_KIND.get(kind, entity)})
    j = pd.DataFrame(jrows)
    t = pd.DataFrame(trows, columns=["journey_id", "position", "touch_time", "entity", "touch_type",
                                     "post_id", "creator_id", "channel"])
    return j, t


def tables(journeys: dict | None = None, posts: dict | None = None) -> tuple[ibis.Table, ibis.Table]:
    """The same as Ibis tables (what the catalog's ibis.FileDataset loads)."""
    j, t = frames(journeys, posts)
    jt = ibis.memtable(j, schema={"journey_id": "string", "user_pseudo_id": "string",
                                  "converted": "boolean", "conversion_type": "string",
                                  "conversion_time": UTC, "conversions": "decimal(2, 1)",
                                  "revenue_usd": "float64", "value_usd": "float64",
                                  "source": "string"})
    tt = ibis.memtable(t, schema={"journey_id": "string", "position": "int64", "touch_time": UTC,
                                  "entity": "string", "touch_type": "string", "post_id": "string",
                                  "creator_id": "string", "channel": "string"})
    return jt, tt


def roster(posts: dict | None = None, creators=("CR1", "CR2", "CR3"),
           campaigns=("CMP1", "CMP2")) -> dict[str, pd.DataFrame]:
    posts = POSTS if posts is None else posts
    return {
        "creators": pd.DataFrame({"creator_id": pd.array(list(creators), dtype="string")}),
        "posts": pd.DataFrame({
            "post_id": pd.array(list(posts), dtype="string"),
            "creator_id": pd.array([v[0] for v in posts.values()], dtype="string"),
            "campaign_id": pd.array([v[1] for v in posts.values()], dtype="string"),
            "platform": pd.array([v[2] for v in posts.values()], dtype="string")}),
        "campaigns": pd.DataFrame({"campaign_id": pd.array(list(campaigns), dtype="string")}),
    }


def side_inputs() -> dict[str, pd.DataFrame]:
    """Inputs only the data_driven chain reads (empty here: sessions with carts, post metrics,
    authenticity)."""
    return {
        "sessions": pd.DataFrame({"user_pseudo_id": pd.Series([], dtype="str"),
                                  "session_start": pd.Series([], dtype="datetime64[us, UTC]"),
                                  "add_to_carts": pd.Series([], dtype="int64")}),
        "post_daily_metrics": pd.DataFrame({"post_id": pd.Series([], dtype="str"),
                                            "impressions": pd.Series([], dtype="Int64")}),
        "creator_authenticity": pd.DataFrame({"creator_id": pd.Series([], dtype="str")}),
    }


def params(**overrides) -> dict:
    p = {"models": list(MODELS), "max_path_length": 20,
         "model_params": {"time_decay": {"half_life_days": 7.0},
                          "position_based": {"first_share": 0.4, "last_share": 0.4},
                          "markov": {"order": 1, "level": "creator"},
                          "shapley": {"level": "post", "max_exact_entities": 8,
                                      "n_permutations": 50, "random_state": 0}},
         "comparison": {"top_n": 3, "reference_model": "last_touch"},
         "evaluation": {"top_k": 10, "bootstrap_resamples": 3, "random_state": 0}}
    p.update(overrides)
    return p


OUTPUTS = ("attribution_journeys", "attribution_touches", "attribution_entities",
           "entity_attribution", "post_attribution", "creator_attribution", "campaign_attribution",
           "platform_attribution", "channel_attribution", "attribution_model_comparison",
           "attribution_metrics")


def run_attribution(journeys: dict | None = None, posts: dict | None = None,
                    creators=("CR1", "CR2", "CR3"), **overrides) -> dict:
    """Run the attribution pipeline (DataCatalog + SequentialRunner) on a hand-made world;
    returns every dataset it writes, {name: object}. `overrides` replace parameters."""
    class Kept(MemoryDataset):  # the runner releases intermediate data; the tests read it
        def _release(self) -> None:
            pass

    catalog = DataCatalog({name: Kept() for name in OUTPUTS})
    j, t = tables(journeys, posts)
    catalog["journeys"] = j
    catalog["journey_touches"] = t
    for name, frame in roster(posts, creators).items():
        catalog[name] = frame
    for name, frame in side_inputs().items():
        catalog[name] = frame
    catalog["params:attribution"] = params(**overrides)
    SequentialRunner().run(create_pipeline(), catalog)
    return {name: catalog[name].load() for name in OUTPUTS}
