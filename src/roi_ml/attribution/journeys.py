"""Journey-level input: validation, the path-length cap, and the integer encoding every model uses.

Input (see `encode_journeys`):

* ``touches`` — one row per touch: ``journey_id``, ``position`` (0 = first touch; only the order
  matters), ``entity`` (a post id, a creator id or a channel such as ``"organic_search"``) and,
  optionally, ``timestamp`` (datetimes; used by time decay only).
* ``journeys`` — one row per journey: ``journey_id``, ``converted`` (bool), ``conversions``
  (float ≥ 0, default ``converted``), ``value`` (revenue ≥ 0, default 0), optionally
  ``conversion_time`` (datetimes) and ``journey_count`` (how many identical journeys the row
  stands for, default 1; path tables use it so aggregated paths never need expanding).

A journey with no touches is kept: if it converted, every model credits it to the entity
``"(none)"`` (`NONE_ENTITY`), so credit always sums to the conversions and value in the input.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from roi_ml.attribution.errors import AttributionInputError, rows

log = logging.getLogger("roi_ml.attribution")

NONE_ENTITY = "(none)"
"""The entity that receives the credit of converting journeys that have no touch."""

CREDIT_COLUMNS = ("journey_id", "entity", "conversions", "value")
"""Columns of every per-journey credit frame the library returns."""

_EPOCH = pd.Timestamp("1970-01-01")


@dataclass(frozen=True, eq=False)
class EncodedJourneys:
    """Validated journeys with touches as integer arrays, sorted by journey then position.

    Touches are stored CSR-style: the touches of journey ``j`` are
    ``touch_*[indptr[j]:indptr[j + 1]]``, oldest first, already cut to the last
    ``max_path_length``. Entity codes index ``entities`` (sorted names).
    """

    journey_ids: pd.Index
    converted: np.ndarray
    weight: np.ndarray
    conversions: np.ndarray
    value: np.ndarray
    entities: np.ndarray
    touch_journey: np.ndarray
    touch_entity: np.ndarray
    touch_days: np.ndarray | None
    indptr: np.ndarray
    n_truncated: int = 0
    max_path_length: int | None = None
    _cache: dict = field(default_factory=dict, repr=False)

    @property
    def n_journeys(self) -> int:
        return len(self.journey_ids)

    @property
    def lengths(self) -> np.ndarray:
        """Number of touches (after the cap) per journey."""
        return np.diff(self.indptr)

    @property
    def touch_rank(self) -> np.ndarray:
        """0-based rank of each touch within its journey (0 = first kept touch)."""
        if "rank" not in self._cache:
            self._cache["rank"] = np.arange(len(self.touch_journey)) - self.indptr[self.touch_journey]
        return self._cache["rank"]

    def info(self) -> dict:
        """Counts every model reports: journeys, conversions, touches, and the cap's effect."""
        lengths = self.lengths
        return {
            "n_journeys": int(self.n_journeys),
            "n_converting_journeys": int(self.converted.sum()),
            "n_touches": int(len(self.touch_entity)),
            "n_entities": int(len(self.entities)),
            "max_path_length": self.max_path_length,
            "n_truncated_journeys": int(self.n_truncated),
            "n_converting_without_touch": int((self.converted & (lengths == 0)).sum()),
            "total_conversions": float(self.conversions.sum()),
            "total_value": float(self.value.sum()),
        }


def _require(frame: object, name: str, required: tuple[str, ...]) -> pd.DataFrame:
    if not isinstance(frame, pd.DataFrame):
        raise AttributionInputError(
            f"{name}: expected a pandas DataFrame, found {type(frame).__name__}")
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise AttributionInputError(
            f"{name}: required column(s) {missing} not found (columns present: "
            f"{[str(c) for c in frame.columns]})")
    return frame


def numeric_column(frame: pd.DataFrame, table: str, col: str, problems: list[str], *,
                   kind: str = "count") -> np.ndarray:
    """The column as float64; appends a problem for non-numeric, missing, infinite or negative values.

    Returns an array even when there were problems (bad cells read as 0) so that every problem of
    a table can be reported at once.
    """
    s = frame[col]
    if pd.api.types.is_bool_dtype(s):
        s = s.astype("float64")
    if not pd.api.types.is_numeric_dtype(s):
        as_num = pd.to_numeric(s, errors="coerce")
        bad = s.notna() & as_num.isna()
        if bad.any():
            problems.append(
                f"{table}: column '{col}' must be numeric; found non-numeric values "
                f"{rows(s[bad].astype(str).unique().tolist(), 3)} in rows {rows(frame.index[bad.to_numpy()])}")
        s = as_num
    x = s.to_numpy(dtype="float64", na_value=np.nan)
    missing = np.isnan(x)
    if missing.any() and not any(f"'{col}' must be numeric" in p for p in problems):
        problems.append(f"{table}: column '{col}' has missing values in rows "
                        f"{rows(frame.index[missing])}; fill them (0 if there were none)")
    inf = np.isinf(x)
    if inf.any():
        problems.append(f"{table}: column '{col}' has infinite values in rows {rows(frame.index[inf])}")
    neg = x < 0
    if neg.any():
        problems.append(f"{table}: column '{col}' has negative values {rows(np.unique(x[neg]).tolist(), 3)} "
                        f"in rows {rows(frame.index[neg])}; a {kind} must be >= 0")
    return np.where(missing | inf, 0.0, x)


def to_days(s: pd.Series, table: str, col: str) -> np.ndarray:
    """Datetimes as float days since 1970-01-01 UTC (NaN for missing). Time zones become UTC."""
    if not pd.api.types.is_datetime64_any_dtype(s):
        raise AttributionInputError(
            f"{table}: column '{col}' must hold datetimes (datetime64), found dtype {s.dtype}; "
            f"parse it first, e.g. pd.to_datetime(df['{col}'])")
    if getattr(s.dt, "tz", None) is not None:
        s = s.dt.tz_convert("UTC").dt.tz_localize(None)
    return ((s - _EPOCH) / pd.Timedelta(days=1)).to_numpy(dtype="float64", na_value=np.nan)


def _converted_flags(journeys: pd.DataFrame, problems: list[str]) -> np.ndarray:
    s = journeys["converted"]
    if pd.api.types.is_bool_dtype(s) and not s.isna().any():
        return s.to_numpy(dtype=bool)
    x = pd.to_numeric(s, errors="coerce")
    bad = x.isna().to_numpy() | ~np.isin(x.to_numpy(dtype="float64", na_value=np.nan), [0.0, 1.0])
    if bad.any():
        problems.append(f"journeys: column 'converted' must be True/False (or 1/0); found "
                        f"{rows(s[bad].astype(str).unique().tolist(), 3)} in rows {rows(journeys.index[bad])}")
        return np.zeros(len(s), dtype=bool)
    return x.to_numpy(dtype="float64") == 1.0


def encode_journeys(touches: pd.DataFrame, journeys: pd.DataFrame,
                    max_path_length: int | None = None) -> EncodedJourneys:
    """Validate ``touches`` and ``journeys`` and encode them for the models.

    Input: the two frames described in the module docstring, and ``max_path_length`` (keep only
    the LAST N touches of each journey by position; None keeps all).

    Output: an `EncodedJourneys`. Raises `AttributionInputError` (a ValueError) naming the table,
    column and rows for: missing columns, duplicated or missing journey ids, touches of unknown
    journeys, duplicated positions within a journey, missing/empty entities or the reserved
    entity ``"(none)"``, non-numeric/negative/missing counts, non-converting journeys with
    conversions or value, touches after the journey's conversion time, and timestamps that are
    not datetimes. The number of journeys the cap shortened is in ``n_truncated`` (and logged).
    """
    if max_path_length is not None:
        if isinstance(max_path_length, bool) or not isinstance(max_path_length, (int, np.integer)) \
                or max_path_length < 1:
            raise AttributionInputError(
                f"max_path_length must be a positive integer or None; found {max_path_length!r}")
        max_path_length = int(max_path_length)
    journeys = _require(journeys, "journeys", ("journey_id", "converted"))
    touches = _require(touches, "touches", ("journey_id", "position", "entity"))
    problems: list[str] = []

    # --- journeys ---------------------------------------------------------------------------
    jid = journeys["journey_id"]
    if jid.isna().any():
        problems.append(f"journeys: column 'journey_id' is missing in rows "
                        f"{rows(journeys.index[jid.isna().to_numpy()])}")
    dup = jid.duplicated(keep=False).to_numpy()
    if dup.any():
        problems.append(f"journeys: journey_id must be unique; {rows(jid[dup].unique().tolist())} "
                        f"appear more than once (rows {rows(journeys.index[dup])})")
    converted = _converted_flags(journeys, problems)
    conversions = (numeric_column(journeys, "journeys", "conversions", problems)
                   if "conversions" in journeys else converted.astype("float64"))
    value = (numeric_column(journeys, "journeys", "value", problems, kind="value")
             if "value" in journeys else np.zeros(len(journeys)))
    weight = (numeric_column(journeys, "journeys", "journey_count", problems)
              if "journey_count" in journeys else np.ones(len(journeys)))
    inconsistent = ~converted & ((conversions > 0) | (value > 0))
    if inconsistent.any():
        problems.append(f"journeys: rows {rows(journeys.index[inconsistent])} have converted=False "
                        f"but conversions or value > 0; set converted=True or zero them")
    if problems:
        raise AttributionInputError(problems)
    jindex = pd.Index(jid)

    # --- touches ------------------------------------------------------------------------------
    j = jindex.get_indexer(touches["journey_id"])
    unknown = j < 0
    if unknown.any():
        problems.append(f"touches: journey_id {rows(touches['journey_id'][unknown].unique().tolist())} "
                        f"(rows {rows(touches.index[unknown])}) not found in journeys; every "
                        f"touch needs its journey")
    pos = numeric_column(touches, "touches", "position", problems, kind="position")
    ent = touches["entity"]
    ent_missing = ent.isna().to_numpy()
    ent_str = ent.astype("str")
    ent_str = ent_str.where(~ent_missing, "")
    empty = (ent_str.str.strip() == "").to_numpy()
    if empty.any():
        problems.append(f"touches: column 'entity' is missing or empty in rows {rows(touches.index[empty])}")
    reserved = (ent_str == NONE_ENTITY).to_numpy()
    if reserved.any():
        problems.append(f"touches: entity '{NONE_ENTITY}' is reserved for conversions without a "
                        f"touch (rows {rows(touches.index[reserved])}); rename it")
    if problems:
        raise AttributionInputError(problems)

    order = np.lexsort((pos, j))
    j = j[order].astype(np.int64)
    pos = pos[order]
    same = (j[1:] == j[:-1]) & (pos[1:] == pos[:-1])
    if same.any():
        first = np.flatnonzero(same)
        bad_ids = jindex.take(j[first]).unique().tolist()
        raise AttributionInputError(
            f"touches: position repeats within journey(s) {rows(bad_ids)}; positions must be "
            f"distinct within a journey (0 = first touch)")
    codes, entities = pd.factorize(ent_str.to_numpy(dtype=object)[order], sort=True)
    codes = codes.astype(np.int64)
    entities = np.asarray(entities, dtype=object)

    days = None
    if "timestamp" in touches:
        days = to_days(touches["timestamp"], "touches", "timestamp")[order]
    if "conversion_time" in journeys:
        conv_days = to_days(journeys["conversion_time"], "journeys", "conversion_time")
        if days is not None:
            late = days > conv_days[j] + 1e-9
            if late.any():
                bad_ids = jindex.take(np.unique(j[late])).tolist()
                raise AttributionInputError(
                    f"touches: journey(s) {rows(bad_ids)} have touches after their conversion_time; "
                    f"only touches before the conversion can be credited")

    # --- path-length cap: keep the LAST N touches -------------------------------------------
    n = len(jindex)
    counts = np.bincount(j, minlength=n)
    n_truncated = 0
    if max_path_length is not None:
        end = np.cumsum(counts)[j]
        from_end = end - 1 - np.arange(len(j))
        keep = from_end < max_path_length
        n_truncated = int((counts > max_path_length).sum())
        if n_truncated:
            log.info("max_path_length=%d: %d of %d journeys truncated to their last %d touches",
                     max_path_length, n_truncated, n, max_path_length)
            j, codes = j[keep], codes[keep]
            days = None if days is None else days[keep]
            counts = np.minimum(counts, max_path_length)
    indptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    return EncodedJourneys(
        journey_ids=jindex, converted=converted, weight=weight, conversions=conversions,
        value=value, entities=entities, touch_journey=j, touch_entity=codes, touch_days=days,
        indptr=indptr, n_truncated=n_truncated, max_path_length=max_path_length)


def credit_frame(enc: EncodedJourneys, journey: np.ndarray, entity: np.ndarray,
                 share: np.ndarray) -> pd.DataFrame:
    """Per-journey credit from (journey index, entity code, share) triples of converting journeys.

    Shares of one journey must sum to 1; triples repeating a (journey, entity) pair are summed.
    Converting journeys without touches get one row for ``"(none)"`` with share 1. Output:
    DataFrame[journey_id, entity, conversions, value], one row per (converting journey, entity
    with a share > 0),
    in input journey order then entity name; ``conversions``/``value`` are the journey's
    conversions/value times the share, so they sum exactly (to float rounding) to the input.
    """
    n_ent = len(enc.entities) + 1  # the last code is "(none)"
    none_j = np.flatnonzero(enc.converted & (enc.lengths == 0))
    journey = np.concatenate([journey.astype(np.int64), none_j])
    entity = np.concatenate([entity.astype(np.int64), np.full(len(none_j), n_ent - 1)])
    share = np.concatenate([share.astype("float64"), np.ones(len(none_j))])
    key = journey * n_ent + entity
    uniq, inv = np.unique(key, return_inverse=True)
    s = np.bincount(inv, weights=share, minlength=len(uniq))
    credited = s > 0  # entities a rule or a clipped Shapley value gives nothing are left out
    uniq, s = uniq[credited], s[credited]
    uj, ue = uniq // n_ent, uniq % n_ent
    names = np.append(enc.entities, NONE_ENTITY)
    return pd.DataFrame({
        "journey_id": enc.journey_ids.take(uj),
        "entity": pd.array(names[ue], dtype="str"),
        "conversions": s * enc.conversions[uj],
        "value": s * enc.value[uj],
    })


def empty_credit(enc: EncodedJourneys) -> pd.DataFrame:
    """A credit frame with no rows, with the right columns and dtypes."""
    none = np.array([], dtype=np.int64)
    return credit_frame(enc, none, none, np.array([], dtype="float64")).iloc[:0]


def distinct_pairs(enc: EncodedJourneys, codes: np.ndarray | None = None,
                   converting_only: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct (journey, code) pairs with their touch counts, sorted by journey then code.

    ``codes`` defaults to the touch entity codes (pass group codes to group touches).
    """
    codes = enc.touch_entity if codes is None else codes
    tj = enc.touch_journey
    if converting_only:
        m = enc.converted[tj]
        tj, codes = tj[m], codes[m]
    base = int(codes.max()) + 1 if len(codes) else 1
    uniq, cnt = np.unique(tj * base + codes, return_counts=True)
    return uniq // base, uniq % base, cnt.astype("float64")
