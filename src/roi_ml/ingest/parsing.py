"""Cell parsers for raw CSV text: each returns parsed values and a mask of cells that failed.

Raw CSVs are read as text (`StringDtype`), blanks are missing values, and every parser reports
which non-blank cells it could not parse, so a bad cell rejects its row instead of the run.

Conventions of the canonical tables:
- timestamps are `datetime64[us, UTC]`;
- pure dates (a calendar day, e.g. a report date) are tz-naive `datetime64[us]` at midnight,
  the day as written in the export (not shifted between time zones);
- integers are nullable `Int64`, floats `float64` (NaN when missing), text `StringDtype`,
  flags `boolean`.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

STRING = pd.StringDtype()
UTC_TIMESTAMP = pd.DatetimeTZDtype("us", "UTC")
DATE = np.dtype("datetime64[us]")

_ISO_OFFSET = re.compile(r"(Z|[+-]\d{2}(:?\d{2})?)$", re.IGNORECASE)


def clean_text(values: pd.Series) -> pd.Series:
    """Stripped text as StringDtype; blank cells become <NA>."""
    s = values.astype(STRING).str.strip()
    return s.mask(s.fillna("") == "")


def parse_number(values: pd.Series, integer: bool) -> tuple[pd.Series, pd.Series]:
    """Numbers from text. Returns (Int64 or float64 values, mask of non-blank unparseable cells).

    For integers, a value with a fractional part (e.g. "1.5") is unparseable; "3.0" is 3.
    """
    text = clean_text(values)
    num = pd.to_numeric(text.astype(object), errors="coerce").astype("float64")
    bad = text.notna() & (num.isna() | np.isinf(num))
    if integer:
        frac = num.notna() & (num % 1 != 0)
        bad = bad | frac
        num = num.mask(bad)
        return num.round().astype("Int64"), bad.astype(bool)
    return num.mask(bad), bad.astype(bool)


def parse_date(values: pd.Series, fmt: str) -> tuple[pd.Series, pd.Series]:
    """Calendar dates from text with a strptime format (or "ISO8601").

    Returns (datetime64[us] at midnight, mask of non-blank unparseable cells).
    """
    text = clean_text(values)
    parsed = pd.to_datetime(text.astype(object), format=fmt, errors="coerce")
    if isinstance(parsed.dtype, pd.DatetimeTZDtype):
        parsed = parsed.dt.tz_localize(None)
    parsed = parsed.astype(DATE)
    bad = text.notna() & parsed.isna()
    # a date column must hold dates: a time part other than midnight is a format error
    bad = bad | (parsed.notna() & (parsed != parsed.dt.normalize()))
    return parsed.mask(bad).dt.normalize(), bad.astype(bool)


def parse_timestamp(values: pd.Series, fmt: str, timezone: str) -> tuple[pd.Series, pd.Series]:
    """Timestamps from text, converted to UTC. Returns (datetime64[us, UTC], bad mask).

    Text with an offset (format with %z, or ISO 8601 with Z/+hh:mm) is converted using that
    offset; text without one is read as local time in `timezone`. Local times that occur twice
    when clocks go back are read as standard time; times skipped when clocks go forward are
    moved forward to the first valid time.
    """
    text = clean_text(values).astype(object)
    out = pd.Series(pd.NaT, index=values.index, dtype=UTC_TIMESTAMP)
    if fmt == "ISO8601":
        has_offset = text.map(lambda s: isinstance(s, str) and bool(_ISO_OFFSET.search(s)))
    else:
        has_offset = pd.Series("%z" in fmt or "%Z" in fmt, index=values.index)
    aware = text.notna() & has_offset
    naive = text.notna() & ~has_offset
    if aware.any():
        out[aware] = pd.to_datetime(text[aware], format=fmt, errors="coerce", utc=True)
    if naive.any():
        local = pd.to_datetime(text[naive], format=fmt, errors="coerce")
        if isinstance(local.dtype, pd.DatetimeTZDtype):  # ISO text parsed with an offset
            local = local.dt.tz_convert("UTC")
        else:
            local = local.dt.tz_localize(
                timezone, ambiguous=np.zeros(len(local), dtype=bool), nonexistent="shift_forward"
            ).dt.tz_convert("UTC")
        out[naive] = local
    out = out.astype(UTC_TIMESTAMP)
    bad = text.notna() & out.isna()
    return out, bad.astype(bool)


def parse_bool(
    values: pd.Series, true_values: tuple[str, ...], false_values: tuple[str, ...]
) -> tuple[pd.Series, pd.Series]:
    """Flags from text (case-insensitive). Returns (boolean values, bad mask)."""
    text = clean_text(values).str.lower()
    out = pd.Series(pd.NA, index=values.index, dtype="boolean")
    out[text.isin(true_values).fillna(False).astype(bool)] = True
    out[text.isin(false_values).fillna(False).astype(bool)] = False
    bad = text.notna() & out.isna()
    return out, bad.astype(bool)


UTM_FIELDS = ("utm_source", "utm_medium", "utm_campaign", "utm_content")


def utm_parameters(urls: pd.Series) -> pd.DataFrame:
    """utm_source/medium/campaign/content from URLs or paths with a query string (<NA> if absent).

    Values are kept as written (stripped); a parameter given twice keeps its first value.
    """
    from urllib.parse import parse_qs, urlsplit

    rows = []
    for url in clean_text(urls).astype(object):
        if url is pd.NA:
            rows.append((pd.NA,) * len(UTM_FIELDS))
            continue
        try:
            query = parse_qs(urlsplit(url).query)
        except ValueError:
            query = {}
        rows.append(tuple(
            (query[f][0].strip() or pd.NA) if f in query else pd.NA for f in UTM_FIELDS))
    out = pd.DataFrame(rows, columns=list(UTM_FIELDS), index=urls.index, dtype=object)
    return out.astype(STRING)
