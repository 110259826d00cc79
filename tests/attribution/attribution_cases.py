"""Builders for small hand-made journeys shared by the attribution tests (imported by them)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def build(paths, *, t0: str = "2025-03-01") -> tuple[pd.DataFrame, pd.DataFrame]:
    """(touches, journeys) from a list of journeys.

    Each journey is a dict or a tuple (entities, converted[, value[, journey_count]]); dicts may
    also give ``days`` (touch times in days after t0) and ``conversion_day``. Conversions are
    1.0 for converting journeys, 0 otherwise; journey ids are 0, 1, 2, …
    """
    trows, jrows = [], []
    base = pd.Timestamp(t0)
    for i, p in enumerate(paths):
        if not isinstance(p, dict):
            p = dict(zip(("entities", "converted", "value", "journey_count"), p, strict=False))
        conv = bool(p["converted"])
        days = p.get("days")
        for pos, e in enumerate(p["entities"]):
            row = {"journey_id": i, "position": pos, "entity": e}
            if days is not None:
                row["timestamp"] = base + pd.Timedelta(days=days[pos]) if days[pos] is not None else pd.NaT
            trows.append(row)
        jrow = {"journey_id": i, "converted": conv, "conversions": float(conv),
                "value": float(p.get("value", 0.0) or 0.0), "journey_count": float(p.get("journey_count", 1.0))}
        if "conversion_day" in p:
            jrow["conversion_time"] = base + pd.Timedelta(days=p["conversion_day"])
        jrows.append(jrow)
    touches = pd.DataFrame(trows, columns=None if trows else ["journey_id", "position", "entity"])
    if "timestamp" in touches:
        touches["timestamp"] = pd.to_datetime(touches["timestamp"])
    journeys = pd.DataFrame(jrows)
    if "conversion_time" in journeys:
        journeys["conversion_time"] = pd.to_datetime(journeys["conversion_time"])
    return touches, journeys


def random_journeys(n: int = 400, n_entities: int = 6, seed: int = 1, max_len: int = 6,
                    with_empty: bool = True, with_time: bool = True):
    """Seeded random journeys over entities E0…, some converting, some without touches."""
    rng = np.random.default_rng(seed)
    names = [f"E{i}" for i in range(n_entities)]
    paths = []
    for _ in range(n):
        length = int(rng.integers(0 if with_empty else 1, max_len + 1))
        ents = [names[k] for k in rng.integers(0, n_entities, length)]
        conv = bool(rng.random() < (0.15 + 0.1 * len(set(ents))) if length else rng.random() < 0.5)
        days = list(np.sort(rng.uniform(0, 30, length))) if with_time else None
        p = {"entities": ents, "converted": conv, "value": float(rng.integers(5, 100)) if conv else 0.0,
             "journey_count": float(rng.integers(1, 4))}
        if days is not None:
            p["days"] = days
        paths.append(p)
    touches, journeys = build(paths)
    if with_time and "timestamp" not in touches:
        touches["timestamp"] = pd.Series(dtype="datetime64[ns]")
    return touches, journeys
