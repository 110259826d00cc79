"""The one error a user can hit with structurally wrong inputs to creator scoring."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from roi_ml import inputs
from roi_ml.inputs import InputError


class CreatorScoringInputError(InputError):
    """A structural problem in an input of creator scoring: what was found, what was expected,
    and where to fix it."""


def require_columns(frame: pd.DataFrame, columns: Iterable[str], name: str, fix: str) -> None:
    """Stop with one clear message when `frame` (catalog entry `name`) lacks `columns`."""
    inputs.require_columns(frame, columns, f"creator_scoring: input '{name}'", fix,
                           CreatorScoringInputError)
