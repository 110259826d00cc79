"""Input checks shared by the downstream pipelines (creator scoring, recommendations, reporting).

- `require_columns`: stop with one clear message when a table lacks columns — the table, the
  missing and found columns, and where to fix it.
- `select_attribution_model`: the rows of an attribution table (post_attribution,
  creator_attribution, …) for the configured model, else the configured fallback (logged), with
  a `model_used` column; interval columns a model does not fill arrive as nulls.

Each pipeline raises its own subclass of `InputError` (e.g. `RecommendationInputError`), so a
caller can catch one pipeline's structural problems and the message says which stage stopped.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

import pandas as pd

log = logging.getLogger(__name__)

ATTRIBUTION_FIX = ("It is written by the attribution pipeline (conf/base/catalog_attribution.yml); "
                   "re-run it, or check the catalog entry points at its output.")
INTERVAL_COLUMNS = ("conversions_ci_low", "conversions_ci_high", "revenue_ci_low", "revenue_ci_high")


class InputError(ValueError):
    """A structural problem in a node's input: what was found, what was expected, where to fix."""


def require_columns(frame: pd.DataFrame, columns: Iterable[str], table: str, fix: str,
                    error: type[InputError] = InputError) -> None:
    """Raise `error` naming `table`, its missing and found columns and `fix` when `frame`
    lacks any of `columns`."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise error(f"{table}: missing column(s) {missing} (found {sorted(map(str, frame.columns))}). "
                    f"{fix}")


def select_attribution_model(credit: pd.DataFrame, model: str, fallback: str, table: str,
                             conf_keys: tuple[str, str], params_file: str,
                             error: type[InputError] = InputError) -> tuple[pd.DataFrame, str]:
    """(rows of `credit` for `model`, else for `fallback`, model used).

    `conf_keys` = the parameter names of the model and of the fallback (e.g.
    ("recommendations.attribution.model", "recommendations.attribution.fallback_model")). The
    fallback is logged as a warning naming its key; when neither model has rows, `error` says
    which models are present and which keys of `params_file` to set.
    The rows get `model_used` (text) and null interval columns where the table has none."""
    require_columns(credit, ["model", "attributed_conversions", "attributed_revenue"], table,
                    ATTRIBUTION_FIX, error)
    models = credit["model"].astype("str")
    for chosen in (model, fallback):
        rows = credit[models == chosen]
        if len(rows):
            break
    else:
        raise error(f"{table}: no rows for attribution model {model!r} nor the fallback "
                    f"{fallback!r} (models present: {sorted(set(models))}). Set {conf_keys[0]} / "
                    f"{conf_keys[1]} in {params_file} to one of them.")
    if chosen != model:
        log.warning("%s: no rows for attribution model %r; using %r (%s)", table, model, chosen,
                    conf_keys[1])
    out = rows.copy()
    out["model_used"] = pd.Series(chosen, index=out.index, dtype="str")
    for col in INTERVAL_COLUMNS:
        if col not in out:
            out[col] = pd.Series(float("nan"), index=out.index, dtype="float64")
    return out, chosen
