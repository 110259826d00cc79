"""A small random world in the events pipeline's shape, big enough to fit the data-driven model
(a few hundred journeys), for the data_driven pipeline tests."""

from __future__ import annotations

import numpy as np
import pandas as pd

T0 = pd.Timestamp("2026-03-01 12:00", tz="UTC")
POSTS = {"PA1": ("CRA", "CMP1", "instagram", "short"), "PA2": ("CRA", "CMP2", "tiktok", "video"),
         "PB1": ("CRB", "CMP1", "youtube", "long_form")}
CHANNELS = ("direct", "organic_search", "email")


def world(n_users: int = 600, seed: int = 0, creators_on: bool = True, max_touches: int = 4
          ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(journeys, journey_touches) as the events pipeline writes them.

    Each user has 1..max_touches sessions over 20 days; a creator click adds to the chance of
    converting (A's posts +0.35, B's +0.15) on top of a 0.15 baseline. A converter's cause is
    drawn in proportion to these terms: caused by a click, the conversion follows it after an
    exponential delay (mean 12 h); at baseline, it comes any time up to 20 days after the last
    session. Touches after the conversion are not in the journey. Some buyers type CRB's code."""
    rng = np.random.default_rng(seed)
    jrows, trows = [], []
    posts = list(POSTS) if creators_on else []
    for u in range(n_users):
        n = int(rng.integers(1, max_touches + 1))
        days = np.sort(rng.uniform(0, 20, n))
        touches, terms = [], [(0.15, None)]
        for d in days:
            if posts and rng.random() < 0.4:
                post = posts[int(rng.integers(len(posts)))]
                touches.append((d, post, "click"))
                terms.append((0.35 if POSTS[post][0] == "CRA" else 0.15, d))
            else:
                touches.append((d, CHANNELS[int(rng.integers(len(CHANNELS)))], "channel"))
        p = min(sum(w for w, _ in terms), 0.95)
        conv = rng.random() < p
        jid = f"c{u}" if conv else f"n-{u}"
        end = float(days[-1])
        if conv:
            w = np.array([x for x, _ in terms])
            _, at = terms[int(rng.choice(len(terms), p=w / w.sum()))]
            end = at + rng.exponential(0.5) if at is not None else end + rng.uniform(0, 20)
            touches = [x for x in touches if x[0] <= end]
            if posts and rng.random() < 0.1:
                touches.append((end, "PB1", "code"))
        ctime = T0 + pd.Timedelta(days=end)
        jrows.append({"journey_id": jid, "user_pseudo_id": f"u{u}", "customer_id": None,
                      "converted": conv, "conversion_type": "purchase" if conv else None,
                      "conversion_time": ctime, "conversions": float(conv),
                      "revenue_usd": 100.0 * conv, "value_usd": 100.0 * conv,
                      "source": "ga4" if conv else "non_converting"})
        for pos, (d, entity, kind) in enumerate(touches):
            post = entity if kind in ("click", "code") else None
            trows.append({"journey_id": jid, "position": pos,
                          "touch_time": T0 + pd.Timedelta(days=float(d)), "entity": entity,
                          "touch_type": kind, "post_id": post,
                          "creator_id": POSTS[post][0] if post else None,
                          "channel": "creator" if post else entity})
    j = pd.DataFrame(jrows)
    j["conversion_time"] = j["conversion_time"].dt.floor("us").astype("datetime64[us, UTC]")
    for c in ("journey_id", "user_pseudo_id", "customer_id", "conversion_type", "source"):
        j[c] = j[c].astype("str")
    t = pd.DataFrame(trows, columns=["journey_id", "position", "touch_time", "entity", "touch_type",
                                     "post_id", "creator_id", "channel"])
    t["touch_time"] = pd.to_datetime(t["touch_time"], utc=True).dt.floor("us").astype("datetime64[us, UTC]")
    for c in ("journey_id", "entity", "touch_type", "post_id", "creator_id", "channel"):
        t[c] = t[c].astype("str")
    return j, t


def roster() -> dict[str, pd.DataFrame]:
    return {
        "creators": pd.DataFrame({"creator_id": pd.array(["CRA", "CRB", "CRC"], dtype="str"),
                                  "tier": pd.array(["micro", "nano", "mid"], dtype="str")}),
        "posts": pd.DataFrame({
            "post_id": pd.array(list(POSTS), dtype="str"),
            "creator_id": pd.array([v[0] for v in POSTS.values()], dtype="str"),
            "campaign_id": pd.array([v[1] for v in POSTS.values()], dtype="str"),
            "platform": pd.array([v[2] for v in POSTS.values()], dtype="str"),
            "format": pd.array([v[3] for v in POSTS.values()], dtype="str")}),
        "campaigns": pd.DataFrame({"campaign_id": pd.array(["CMP1", "CMP2"], dtype="str")}),
        "sessions": pd.DataFrame({"user_pseudo_id": pd.Series([], dtype="str"),
                                  "session_start": pd.Series([], dtype="datetime64[us, UTC]"),
                                  "add_to_carts": pd.Series([], dtype="int64")}),
        "post_daily_metrics": pd.DataFrame({
            "post_id": pd.array(["PA1", "PA2", "PB1"], dtype="str"),
            "impressions": pd.array([3000, 1000, 500], dtype="Int64")}),
        "creator_authenticity": pd.DataFrame({"creator_id": pd.Series([], dtype="str")}),
    }


def dd_params(**overrides) -> dict:
    """`attribution` parameters running last_touch, linear and data_driven, small model."""
    dd = {"min_conversions_for_data_driven": 50, "n_estimators": 30, "max_depth": 3,
          "learning_rate": 0.3, "n_bootstrap": 20, "interval": 0.9, "random_state": 0,
          "n_jobs": 1, "view_through": {"enabled": False}}
    dd.update(overrides.pop("data_driven", {}))
    p = {"models": ["last_touch", "linear", "data_driven"], "max_path_length": 20,
         "comparison": {"top_n": 3, "reference_model": "last_touch"},
         "evaluation": {"top_k": 3, "bootstrap_resamples": 0, "random_state": 0},
         "data_driven": dd}
    p.update(overrides)
    return p
