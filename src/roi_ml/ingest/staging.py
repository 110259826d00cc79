"""A raw CSV source mapped to canonical columns and parsed, with its rejected rows.

`Staged(src, raw).parse(cfg)` renames the raw columns with the source's column map (conf),
drops every unmapped column (customer PII among them) right away, parses each column by its
kind, and marks rows whose cells fail. Later business rules add rejections with `reject`.
Each row is rejected at most once, for the first problem found, so counts add up:
rows read = rows kept + rows rejected.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from roi_ml.ingest.audit import REDACTED, Reason, SourceAudit, as_rejects
from roi_ml.ingest.config import IngestionConfig, SourceConfig
from roi_ml.ingest.errors import PARAMS_FILE, RawInputError
from roi_ml.ingest.parsing import (
    STRING,
    clean_text,
    parse_bool,
    parse_date,
    parse_number,
    parse_timestamp,
)


def select_columns(raw: pd.DataFrame, src: SourceConfig) -> pd.DataFrame:
    """Raw frame -> canonical-named text frame (every spec column; absent optional ones <NA>).

    Columns that are not mapped in conf are dropped here, so PII such as names, phones and
    addresses never leaves this function. A required column missing from `raw` raises
    RawInputError (the structure check normally catches it first).
    """
    missing = [c for c in src.required if src.columns[c] not in raw.columns]
    if missing:
        raise RawInputError([
            f"{src.file}: required column '{src.columns[c]}' not found (columns present: "
            f"{', '.join(map(str, raw.columns))}). Fix the export or set "
            f"{src.key('columns', c)} in {PARAMS_FILE}" for c in missing])
    out = {}
    for canonical in src.spec.columns:
        raw_name = src.columns.get(canonical)
        if raw_name is not None and raw_name in raw.columns:
            out[canonical] = raw[raw_name].astype(STRING).to_numpy()
        else:
            out[canonical] = pd.array([pd.NA] * len(raw), dtype=STRING)
    return pd.DataFrame(out, index=pd.RangeIndex(len(raw))).astype(STRING)


class Staged:
    """Rows of one raw source: canonical text, parsed values and the first rejection per row."""

    def __init__(self, src: SourceConfig, raw: pd.DataFrame,
                 row_numbers: Sequence[int] | None = None) -> None:
        self.src = src
        self.text = select_columns(raw, src)
        n = len(self.text)
        rows = np.arange(1, n + 1) if row_numbers is None else np.asarray(row_numbers)
        self.row_number = pd.Series(rows, index=self.text.index, dtype="Int64")
        self.values = pd.DataFrame(index=self.text.index)
        self._reason = np.full(n, None, dtype=object)
        self._column = np.full(n, None, dtype=object)
        self._value = np.full(n, None, dtype=object)

    def __len__(self) -> int:
        return len(self.text)

    # --- rejections ---------------------------------------------------------------------
    @property
    def rejected(self) -> pd.Series:
        """Boolean mask of rows rejected so far."""
        return pd.Series(self._reason != None, index=self.text.index)  # noqa: E711

    @property
    def alive(self) -> pd.Series:
        return ~self.rejected

    def reject(self, mask: pd.Series | np.ndarray, column: str, reason: str,
               value: pd.Series | None = None) -> int:
        """Reject rows in `mask` not rejected yet; returns how many were newly rejected.

        `column` is a canonical column (reported under its raw name) or a free label; the value
        reported is the raw text of that column unless `value` is given. PII is redacted.
        """
        m = np.array(pd.Series(mask, index=self.text.index).fillna(False), dtype=bool)
        m &= self._reason == None  # noqa: E711
        if not m.any():
            return 0
        if self.src.is_pii(column):
            vals = np.full(m.sum(), REDACTED, dtype=object)
        elif value is not None:
            vals = pd.Series(value, index=self.text.index).astype(STRING)[m].to_numpy(object)
        elif column in self.text.columns:
            vals = self.text[column][m].to_numpy(object)
        else:
            vals = np.full(m.sum(), None, dtype=object)
        self._reason[m] = reason
        self._column[m] = self.src.columns.get(column, column)
        self._value[m] = [None if v is pd.NA else v for v in vals]
        return int(m.sum())

    def reject_duplicates(self, keys: list[str], column: str,
                          reason: str = Reason.DUPLICATE_ID) -> int:
        """Reject later rows whose `keys` repeat an earlier surviving row's (first one kept)."""
        alive = self.alive
        key_frame = self.values[keys] if all(k in self.values for k in keys) else self.text[keys]
        dup = key_frame[alive].duplicated(keep="first").reindex(self.text.index, fill_value=False)
        return self.reject(dup, column, reason)

    def rejects(self) -> pd.DataFrame:
        """This source's rows in the rejected_rows shape."""
        m = self._reason != None  # noqa: E711
        return as_rejects(pd.DataFrame({
            "source": self.src.name,
            "file": self.src.file,
            "row_number": self.row_number[m].to_numpy(),
            "column": self._column[m],
            "value": self._value[m],
            "reason": self._reason[m],
        }))

    def kept(self, columns: list[str] | None = None) -> pd.DataFrame:
        """Parsed values of the rows not rejected (original index kept)."""
        frame = self.values if columns is None else self.values[columns]
        return frame[self.alive.to_numpy()]

    def audit(self, rows_kept: int | None = None, **extra: int) -> SourceAudit:
        """The SourceAudit of this source, checked (rows read = kept + rejected)."""
        kept = int(self.alive.sum()) if rows_kept is None else rows_kept
        return SourceAudit.from_rejects(self.src.name, self.src.file, len(self), kept,
                                        self.rejects(), **extra).check()

    # --- hand-over between steps -----------------------------------------------------
    _PROVENANCE = ("_row_number", "_reject_reason", "_reject_column", "_reject_value")

    def to_frame(self, text_columns: tuple[str, ...] = ()) -> pd.DataFrame:
        """Parsed values plus row numbers, rejections so far and the raw text of `text_columns`
        (prefixed `_text_`), so a later step can go on with `Staged.from_frame`."""
        out = self.values.copy()
        out["_row_number"] = self.row_number
        out["_reject_reason"] = pd.array(self._reason, dtype=STRING)
        out["_reject_column"] = pd.array(self._column, dtype=STRING)
        out["_reject_value"] = pd.array(self._value, dtype=STRING)
        for c in text_columns:
            out[f"_text_{c}"] = self.text[c]
        return out

    @classmethod
    def from_frame(cls, src: SourceConfig, frame: pd.DataFrame) -> Staged:
        """Rebuild a Staged from `to_frame` output (rows in the order given)."""
        frame = frame.reset_index(drop=True)
        obj = cls.__new__(cls)
        obj.src = src
        text_cols = [c for c in frame.columns if c.startswith("_text_")]
        obj.text = pd.DataFrame({c.removeprefix("_text_"): frame[c] for c in text_cols},
                                index=frame.index)
        obj.row_number = frame["_row_number"].astype("Int64")
        obj.values = frame.drop(columns=[*cls._PROVENANCE, *text_cols])
        obj._reason, obj._column, obj._value = (
            np.array([None if v is pd.NA else v for v in frame[c].astype(object)], dtype=object)
            for c in ("_reject_reason", "_reject_column", "_reject_value"))
        return obj

    # --- parsing ------------------------------------------------------------------------
    def parse(self, cfg: IngestionConfig) -> Staged:
        """Parse every canonical column by its kind; reject rows with unusable cells.

        Rules per kind: id (must be non-blank), count (integer >= 0), amount (number >= 0),
        share (0..1), rating (integer 1..5), date, timestamp (to UTC), bool. A column marked
        non-blank in the spec rejects rows where it is blank ("missing value").
        """
        src = self.src
        for canonical, col in src.spec.columns.items():
            text = self.text[canonical]
            kind = col.kind
            if kind in ("id", "text", "email", "pii"):
                values = clean_text(text)
            elif kind in ("count", "rating"):
                values, bad = parse_number(text, integer=True)
                self.reject(bad, canonical, Reason.UNPARSEABLE_NUMBER)
                if kind == "count":
                    self.reject(values < 0, canonical, Reason.NEGATIVE_COUNT)
                else:
                    self.reject((values < 1) | (values > 5), canonical, Reason.OUT_OF_RANGE)
            elif kind in ("amount", "share"):
                values, bad = parse_number(text, integer=False)
                self.reject(bad, canonical, Reason.UNPARSEABLE_NUMBER)
                if kind == "amount":
                    self.reject(values < 0, canonical, Reason.NEGATIVE_AMOUNT)
                else:
                    self.reject((values < 0) | (values > 1), canonical, Reason.OUT_OF_RANGE)
            elif kind == "date":
                values, bad = self._parse_dates(text, canonical, parse_date)
                self.reject(bad, canonical, Reason.UNPARSEABLE_DATE)
            elif kind == "timestamp":
                values, bad = self._parse_dates(text, canonical, parse_timestamp, src.timezone)
                self.reject(bad, canonical, Reason.UNPARSEABLE_TIMESTAMP)
            elif kind == "bool":
                values, bad = parse_bool(text, cfg.true_values, cfg.false_values)
                self.reject(bad, canonical, Reason.UNPARSEABLE_BOOLEAN)
            else:  # pragma: no cover - specs are code
                raise ValueError(f"unknown column kind {kind!r}")
            if col.nonblank:
                self.reject(clean_text(text).isna(), canonical, Reason.MISSING_VALUE)
            self.values[canonical] = values
        return self

    def _parse_dates(self, text, canonical, parser, *args):
        fmt = self.src.formats.get(canonical)
        if fmt is None:  # column not mapped: all blank, nothing to parse
            return parser(text, "%Y-%m-%d", *args)
        return parser(text, fmt, *args)
