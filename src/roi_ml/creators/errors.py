"""The one error a user can hit with structurally wrong inputs to creator scoring."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd


class CreatorScoringInputError(ValueError):
    """A structural problem in an input of creator scoring: what was found, what was expected,
    and where to fix it."""


def require_columns(frame: pd.DataFrame, columns: Iterable[str], name: str, fix: str) -> None:
    """Stop with one clear message when `frame` (catalog entry `name`) lacks `columns`."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise CreatorScoringInputError(
            f"creator_scoring: input '{name}' lacks column(s) {missing}; found "
            f"{sorted(map(str, frame.columns))}. {fix}")
