"""Aggregated path tables (analytics exports): strict validation and conversion to journeys.

A path table has one row per path: ``path`` (entities joined by ``sep``, default " > ", oldest
first), ``conversions`` (converting journeys with that path), and optionally ``value`` (their
revenue) and ``non_conversions`` (journeys with that path that did not convert). Counts may be
fractional (modelled conversions) but never negative or missing. The path ``"(none)"`` (alone)
stands for conversions without any touch, as the events pipeline writes them: those journeys
have no touches and every model credits them to ``"(none)"``. Other columns are ignored.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from roi_ml.attribution.errors import AttributionInputError, rows
from roi_ml.attribution.journeys import NONE_ENTITY, encode_journeys, log, numeric_column

DEFAULT_SEP = " > "
PATH_COLUMNS = ("path", "conversions", "value", "non_conversions")


def validate_path_table(path_table: pd.DataFrame, sep: str = DEFAULT_SEP) -> pd.DataFrame:
    """Check a path table and return it clean: [path, conversions, value, non_conversions].

    Input: a DataFrame with ``path`` and ``conversions`` (``value`` and ``non_conversions``
    optional, 0 when absent); ``sep`` the separator between entities.

    Output: a new frame with the four columns (floats for counts) and the input's index.

    Raises `AttributionInputError` (a ValueError) listing every problem, each naming the column
    and the rows: not a DataFrame, missing columns, missing or empty paths, empty entities (e.g.
    "A >  > B" or a trailing separator), "(none)" inside a longer path, non-numeric, missing,
    infinite or negative counts, and rows with value > 0 but no conversions.
    """
    return _parse_path_table(path_table, sep)[0]


def _parse_path_table(path_table: pd.DataFrame, sep: str
                      ) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """(clean table, entities of all paths concatenated, number of entities per path)."""
    if not isinstance(sep, str) or sep == "":
        raise AttributionInputError(f"sep must be a non-empty string; found {sep!r}")
    if not isinstance(path_table, pd.DataFrame):
        raise AttributionInputError(
            f"path table: expected a pandas DataFrame, found {type(path_table).__name__}")
    missing = [c for c in ("path", "conversions") if c not in path_table.columns]
    if missing:
        raise AttributionInputError(
            f"path table: required column(s) {missing} not found (columns present: "
            f"{[str(c) for c in path_table.columns]}); expected path, conversions and "
            f"optionally value, non_conversions")
    problems: list[str] = []
    idx = path_table.index
    raw = path_table["path"]
    absent = raw.isna().to_numpy()
    if absent.any():
        problems.append(f"path table: column 'path' is missing in rows {rows(idx[absent])}")
    text = raw.astype("str").where(~absent, "").reset_index(drop=True)
    empty = (text.str.strip() == "").to_numpy() & ~absent
    if empty.any():
        problems.append(f"path table: column 'path' is empty in rows {rows(idx[empty])}")
    parts = text.str.split(sep, regex=False).explode()
    flat = parts.astype("str").str.strip()
    row_of = parts.index.to_numpy()
    blank = (flat == "").to_numpy()
    bad = np.zeros(len(text), dtype=bool)
    bad[row_of[blank]] = True
    bad &= ~(absent | empty)
    if bad.any():
        examples = text[bad].head(3).tolist()
        problems.append(f"path table: empty entity (a doubled or trailing separator {sep!r}) in "
                        f"column 'path', rows {rows(idx[bad])}, e.g. {examples}")
    no_touch = (text.str.strip() == NONE_ENTITY).to_numpy()
    reserved = np.zeros(len(text), dtype=bool)
    reserved[row_of[(flat == NONE_ENTITY).to_numpy()]] = True
    reserved &= ~no_touch
    if reserved.any():
        problems.append(f"path table: entity '{NONE_ENTITY}' inside a path (rows {rows(idx[reserved])}); "
                        f"it is reserved for conversions without a touch, whose path is "
                        f"'{NONE_ENTITY}' alone")
    conversions = numeric_column(path_table, "path table", "conversions", problems)
    value = (numeric_column(path_table, "path table", "value", problems, kind="value")
             if "value" in path_table else np.zeros(len(path_table)))
    non_conv = (numeric_column(path_table, "path table", "non_conversions", problems)
                if "non_conversions" in path_table else np.zeros(len(path_table)))
    orphan = (value > 0) & (conversions == 0)
    if orphan.any():
        problems.append(f"path table: rows {rows(idx[orphan])} have value > 0 but conversions = 0; "
                        f"revenue needs a conversion to be credited")
    if problems:
        raise AttributionInputError(problems)
    table = pd.DataFrame({"path": pd.array(text.to_numpy(dtype=object), dtype="str"),
                          "conversions": conversions, "value": value,
                          "non_conversions": non_conv}, index=idx)
    touched = ~no_touch[row_of]
    lengths = np.bincount(row_of[touched], minlength=len(text))
    return table, flat.to_numpy(dtype=object)[touched], lengths


def paths_to_journeys(path_table: pd.DataFrame, sep: str = DEFAULT_SEP
                      ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Turn a path table into the journey-level frames every model takes, without expanding counts.

    Input: a path table (see `validate_path_table`, which is applied first).

    Output: (touches [journey_id, position, entity], journeys [journey_id, converted,
    conversions, value, journey_count, path_row]). Row i gives at most two journeys: a
    converting one (id 2i, ``journey_count`` = conversions, with the row's conversions and
    value) if conversions > 0, and a non-converting one (id 2i + 1, ``journey_count`` =
    non_conversions) if non_conversions > 0. ``path_row`` is the path table's index label.
    A ``"(none)"`` path gives journeys without touches.
    """
    table, flat, path_len = _parse_path_table(path_table, sep)
    n = len(table)
    row = np.arange(n)
    conv, nonc = table["conversions"].to_numpy(), table["non_conversions"].to_numpy()
    has_conv, has_non = conv > 0, nonc > 0
    jid = np.concatenate([2 * row[has_conv], 2 * row[has_non] + 1])
    src = np.concatenate([row[has_conv], row[has_non]])
    is_conv = np.concatenate([np.ones(has_conv.sum(), bool), np.zeros(has_non.sum(), bool)])
    order = np.argsort(jid, kind="stable")
    jid, src, is_conv = jid[order], src[order], is_conv[order]
    journeys = pd.DataFrame({
        "journey_id": jid,
        "converted": is_conv,
        "conversions": np.where(is_conv, conv[src], 0.0),
        "value": np.where(is_conv, table["value"].to_numpy()[src], 0.0),
        "journey_count": np.where(is_conv, conv[src], nonc[src]),
        "path_row": table.index.take(src),
    })
    lengths = path_len[src]
    first_of_row = np.cumsum(path_len) - path_len
    position = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    take = np.repeat(first_of_row[src], lengths) + position
    touches = pd.DataFrame({
        "journey_id": np.repeat(jid, lengths),
        "position": position,
        "entity": pd.array(flat[take], dtype="str"),
    })
    return touches, journeys


def journeys_to_paths(touches: pd.DataFrame, journeys: pd.DataFrame, sep: str = DEFAULT_SEP,
                      max_path_length: int | None = None) -> pd.DataFrame:
    """Aggregate journeys into a path table (the inverse of `paths_to_journeys`, up to order).

    Input: the journey-level frames (see `roi_ml.attribution.journeys`); ``max_path_length``
    keeps the last N touches before aggregating.

    Output: DataFrame[path, conversions, value, non_conversions], one row per distinct path,
    sorted by path. ``conversions`` and ``value`` sum the converting journeys' conversions and
    value; ``non_conversions`` sums the ``journey_count`` of non-converting journeys. Journeys
    without touches get the path ``"(none)"``. Vectorised: paths are grouped by a 64-bit
    polynomial hash of their entity codes, checked touch by touch (see `_group_paths`).
    """
    if not isinstance(sep, str) or sep == "":
        raise AttributionInputError(f"sep must be a non-empty string; found {sep!r}")
    enc = encode_journeys(touches, journeys, max_path_length)
    lengths = enc.lengths
    touched = np.flatnonzero(lengths > 0)
    clash = [e for e in enc.entities if sep in e]
    if clash:
        raise AttributionInputError(f"touches: entities {rows(clash)} contain the separator {sep!r}; "
                                    f"choose another sep")
    inv, first = _group_paths(enc, touched)
    names = enc.entities
    path = [sep.join(names[enc.touch_entity[enc.indptr[j]:enc.indptr[j + 1]]]) for j in first]
    members = touched
    untouched = np.flatnonzero(lengths == 0)
    if len(untouched):
        inv = np.concatenate([inv, np.full(len(untouched), len(path))])
        members = np.concatenate([touched, untouched])
        path.append(NONE_ENTITY)
    conv = enc.converted[members]
    n = len(path)
    out = pd.DataFrame({
        "path": pd.array(path, dtype="str"),
        "conversions": np.bincount(inv, np.where(conv, enc.conversions[members], 0.0), minlength=n),
        "value": np.bincount(inv, np.where(conv, enc.value[members], 0.0), minlength=n),
        "non_conversions": np.bincount(inv, np.where(conv, 0.0, enc.weight[members]), minlength=n),
    })
    return out.sort_values("path", ignore_index=True)


def _group_paths(enc, touched: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(path id of each touched journey, first journey of each path) for journeys ``touched``.

    Paths are grouped by a 64-bit polynomial hash of their entity codes in one vectorised pass;
    the grouping is then checked touch by touch against each group's first journey, and if two
    different paths ever shared a hash the exact (slower) row-wise grouping is used instead.
    """
    lengths = enc.lengths[touched]
    max_len = int(lengths.max()) if len(lengths) else 0
    with np.errstate(over="ignore"):
        powers = np.cumprod(np.full(max(max_len, 1), np.uint64(0x9E3779B97F4A7C15)))
        powers = np.concatenate([[np.uint64(1)], powers[:-1]]).astype(np.uint64)
        code = enc.touch_entity.astype(np.uint64) + np.uint64(1)
        expo = enc.lengths[enc.touch_journey] - 1 - enc.touch_rank
        terms = code * powers[expo]
        h = np.add.reduceat(terms, enc.indptr[touched]) if len(touched) else terms[:0]
        h = h + lengths.astype(np.uint64) * np.uint64(0xBF58476D1CE4E5B9)
    inv, _ = pd.factorize(h)
    first = np.zeros(int(inv.max()) + 1 if len(inv) else 0, dtype=np.int64)
    first[inv[::-1]] = touched[::-1]
    group = np.full(enc.n_journeys, -1, dtype=np.int64)
    group[touched] = inv
    rep = first[group[enc.touch_journey]]
    same_len = enc.lengths[rep] == enc.lengths[enc.touch_journey]
    same = same_len & (enc.touch_entity[enc.indptr[rep] + np.minimum(
        enc.touch_rank, enc.lengths[rep] - 1)] == enc.touch_entity)
    if same.all():
        return inv.astype(np.int64), first
    log.warning("journeys_to_paths: path hash collision, grouping paths exactly instead")
    return _group_paths_exact(enc, touched)


def _group_paths_exact(enc, touched: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`_group_paths` by sorting padded rows of entity codes: exact, slower, more memory."""
    max_len = int(enc.lengths.max()) if enc.n_journeys else 0
    padded = np.full((len(touched), max_len), -1, dtype=np.int64)
    local = np.full(enc.n_journeys, -1, dtype=np.int64)
    local[touched] = np.arange(len(touched))
    padded[local[enc.touch_journey], enc.touch_rank] = enc.touch_entity
    _, first_local, inv = np.unique(padded, axis=0, return_index=True, return_inverse=True)
    return inv.reshape(-1).astype(np.int64), touched[first_local]
