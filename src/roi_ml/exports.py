"""Spreadsheet-safe exports: CSV and XLSX whose text cells cannot run as formulas.

A caption like `=HYPERLINK("http://evil.example/x","click")` or a handle like `@aurora` that
lands in a CSV opened in Excel, LibreOffice or Google Sheets is read as a formula (CSV / formula
injection, OWASP). Every text cell whose first character is one of `= + - @`, a tab or a
carriage return (OWASP's list) is prefixed with a single quote, which spreadsheets show as text.
Only text cells change: numbers (a lift of -0.3, a negative ROI) stay numbers.

- `neutralise_cell(value)` / `neutralise_frame(df)`: the rule, usable in a notebook.
- `SafeCsvDataset`: kedro-datasets' `pandas.CSVDataset` that neutralises before writing.
- `SafeExcelDataset`: one workbook, one sheet per table: saves a dict {sheet name: frame}
  (a single frame becomes the sheet `Sheet1`), neutralised; loads back a dict of frames.

The rule is in docs/metrics.md ("Safe exports").
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

import fsspec
import pandas as pd
from kedro.io import AbstractDataset, DatasetError
from kedro.io.core import get_protocol_and_path
from kedro_datasets.pandas import CSVDataset

# First characters that make a spreadsheet evaluate a cell (OWASP "CSV Injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"
MAX_SHEET_NAME = 31  # Excel's limit


def neutralise_cell(value: Any) -> Any:
    """`value` with a leading single quote if it is text starting with a formula trigger;
    anything else (numbers, missing values, safe text) unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return QUOTE + value
    return value


def _is_text(series: pd.Series) -> bool:
    if isinstance(series.dtype, pd.StringDtype):
        return True
    return series.dtype == object and bool(series.map(lambda v: isinstance(v, str)).any())


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` with every text cell neutralised (see module docstring); the column
    names too. Numeric, boolean and date columns are returned as they are."""
    out = frame.copy()
    for col in out.columns:
        s = out[col]
        if isinstance(s.dtype, pd.CategoricalDtype):
            s = s.astype(object)
        if _is_text(s):
            out[col] = s.map(neutralise_cell, na_action="ignore").astype(s.dtype) \
                if isinstance(s.dtype, pd.StringDtype) else s.map(neutralise_cell)
    out.columns = [neutralise_cell(str(c)) for c in out.columns]
    return out


class SafeCsvDataset(CSVDataset):
    """`pandas.CSVDataset` whose text cells are neutralised before they are written.

    Same arguments as kedro-datasets' `pandas.CSVDataset` (filepath, load_args, save_args, …);
    `save_args.index` defaults to False. Loading returns the cells as written (with the quote).
    """

    DEFAULT_SAVE_ARGS: dict[str, Any] = {"index": False}

    def save(self, data: pd.DataFrame) -> None:
        if not isinstance(data, pd.DataFrame):
            raise DatasetError(f"{self._filepath}: SafeCsvDataset saves a pandas DataFrame, "
                               f"got {type(data).__name__}")
        super().save(neutralise_frame(data))


class SafeExcelDataset(AbstractDataset[dict[str, pd.DataFrame], dict[str, pd.DataFrame]]):
    """An XLSX workbook with one sheet per table, text cells neutralised (openpyxl).

    Args:
        filepath: path or fsspec URL of the .xlsx file.
        sheet_order: optional list of sheet names written first, in this order (the rest follow
            in the dict's order).
        fs_args: extra fsspec filesystem arguments.
        metadata: free-form (kedro-viz layer etc.).

    `save` takes {sheet name: DataFrame} (or one DataFrame, written as `Sheet1`); sheet names
    longer than Excel's 31 characters or repeated after truncation are an error that names them.
    `load` returns {sheet name: DataFrame}.
    """

    def __init__(self, filepath: str, *, sheet_order: list[str] | None = None,
                 fs_args: dict[str, Any] | None = None,
                 metadata: dict[str, Any] | None = None) -> None:
        protocol, path = get_protocol_and_path(filepath)
        self._protocol = protocol
        self._filepath = filepath
        self._path = path
        self._fs = fsspec.filesystem(protocol, **(fs_args or {}))
        self._sheet_order = list(sheet_order or [])
        self.metadata = metadata

    def _sheets(self, data: Any) -> dict[str, pd.DataFrame]:
        if isinstance(data, pd.DataFrame):
            data = {"Sheet1": data}
        if not isinstance(data, dict) or not all(isinstance(v, pd.DataFrame) for v in data.values()):
            raise DatasetError(f"{self._filepath}: SafeExcelDataset saves a dict of "
                               f"{{sheet name: DataFrame}}, got {type(data).__name__}")
        too_long = [str(k) for k in data if len(str(k)) > MAX_SHEET_NAME]
        if too_long:
            raise DatasetError(f"{self._filepath}: sheet names longer than {MAX_SHEET_NAME} "
                               f"characters: {too_long}; shorten the keys of the dict saved")
        names = [n for n in self._sheet_order if n in data] + \
            [n for n in data if n not in self._sheet_order]
        return {str(n): data[n] for n in names}

    def save(self, data: dict[str, pd.DataFrame]) -> None:
        sheets = self._sheets(data)
        if not sheets:
            raise DatasetError(f"{self._filepath}: nothing to write (no sheets)")
        parent = str(PurePosixPath(self._path).parent)
        self._fs.makedirs(parent, exist_ok=True)
        with self._fs.open(self._path, "wb") as f, \
                pd.ExcelWriter(f, engine="openpyxl") as writer:
            for name, frame in sheets.items():
                safe = neutralise_frame(frame)
                for col in safe.columns:  # Excel has no time zones
                    if isinstance(safe[col].dtype, pd.DatetimeTZDtype):
                        safe[col] = safe[col].dt.tz_convert("UTC").dt.tz_localize(None)
                safe.to_excel(writer, sheet_name=name, index=False)

    def load(self) -> dict[str, pd.DataFrame]:
        if not self._fs.exists(self._path):
            raise DatasetError(f"{self._filepath}: file not found")
        with self._fs.open(self._path, "rb") as f:
            return pd.read_excel(f, sheet_name=None, engine="openpyxl")

    def _exists(self) -> bool:
        return self._fs.exists(self._path)

    def _describe(self) -> dict[str, Any]:
        return {"filepath": self._filepath, "sheet_order": self._sheet_order}
