"""Thin adapters over roi_ml.journeys."""

from __future__ import annotations

import logging

import ibis.expr.types as ir
import pandas as pd

from roi_ml.journeys import JourneyConfig, build_journeys, path_table

log = logging.getLogger(__name__)


def make_journeys(sessions: ir.Table, conversion_events: ir.Table, orders: pd.DataFrame,
                  creators: pd.DataFrame, posts: pd.DataFrame, params: dict
                  ) -> tuple[ir.Table, ir.Table]:
    """Sessions + GA4 conversions + Shopify orders → (journeys, journey_touches), lazily (Ibis).

    journeys: one row per converting or non-converting journey (see roi_ml.journeys).
    journey_touches: one row per touchpoint, `position` 0 = first touch.
    """
    cfg = JourneyConfig.from_params(params)
    return build_journeys(sessions, conversion_events, orders, creators, posts, cfg)


def make_path_table(journeys: ir.Table, journey_touches: ir.Table, params: dict) -> pd.DataFrame:
    """Journeys → aggregated path table (path, conversions, value, revenue, non_conversions).

    Logs the counts a user should know about: conversions without any touchpoint, journeys
    whose path was capped, and a window without conversions.
    """
    cfg = JourneyConfig.from_params(params)
    paths = path_table(journeys, journey_touches, cfg.path_separator).execute()
    conv = float(paths["conversions"].sum())
    if conv == 0:
        log.warning("No conversions in the window: every attribution model will credit nothing.")
    none = paths.loc[paths["path"] == "(none)", "conversions"].sum()
    if none:
        log.info("%d of %d conversions have no touchpoint in their %d-day lookback "
                 "(reported as '(none)').", none, conv, cfg.lookback_days)
    capped = int(journey_touches.filter(
        journey_touches.position == cfg.max_path_length - 1).count().execute())
    if capped:
        log.info("%d journeys reached events.max_path_length=%d and keep only their last touches.",
                 capped, cfg.max_path_length)
    paths["path"] = paths["path"].astype("string")
    return paths
