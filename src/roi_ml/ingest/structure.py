"""Structural checks of the raw exports: headers and schemas only, never row values.

Everything here runs before any row is parsed, so a missing or misnamed column stops the run
before anything is written, with one message naming the file, the column and the conf key.
"""

from __future__ import annotations

import difflib
import logging
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from roi_ml.ingest.config import IngestionConfig, SourceConfig
from roi_ml.ingest.errors import PARAMS_FILE, RawInputError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RawHeader:
    """The header of a raw CSV: where it was read from and its column names, in file order."""

    file: str
    columns: tuple[str, ...]

    @property
    def name(self) -> str:
        return PurePosixPath(self.file).name

    @classmethod
    def of(cls, frame: Any, file: str) -> RawHeader:
        """The header of a frame already in memory (tests, notebooks)."""
        return cls(file=file, columns=tuple(str(c) for c in frame.columns))


def _key(name: str) -> str:
    """Column names compared loosely for hints: case, spaces and punctuation ignored."""
    return re.sub(r"[^0-9a-z]", "", name.lower())


def _missing_column(src: SourceConfig, file: str, canonical: str, present: list[str]) -> str:
    raw = src.columns[canonical]
    hint = ""
    by_key = {_key(p): p for p in present}
    close = difflib.get_close_matches(_key(raw), list(by_key), n=1, cutoff=0.75)
    if close:
        hint = f" Did you mean '{by_key[close[0]]}'?"
    return (f"{file}: required column '{raw}' not found (columns present: "
            f"{', '.join(present) if present else 'none'}).{hint} Fix the export or set "
            f"{src.key('columns', canonical)} in {PARAMS_FILE}")


def check_csv_header(src: SourceConfig, header: RawHeader) -> list[str]:
    """Problems with a CSV header for this source's column map (empty list if none)."""
    file = header.name
    present = list(header.columns)
    problems = []
    counts = Counter(present)
    for canonical, raw in src.columns.items():
        if counts.get(raw, 0) > 1:
            problems.append(
                f"{file}: column '{raw}' appears {counts[raw]} times, so "
                f"{src.key('columns', canonical)} cannot be mapped to one column. "
                f"Rename or drop the duplicate in the export")
    for canonical in src.required:
        if src.columns[canonical] not in present:
            problems.append(_missing_column(src, file, canonical, present))
    absent = [f"'{raw}' ({canonical})" for canonical, raw in src.columns.items()
              if raw not in present and canonical not in src.required]
    if absent and not problems:
        log.warning("%s: optional column(s) %s not in the file; they will be empty "
                    "(map them in %s if the export names them differently)",
                    file, ", ".join(absent), src.key("columns"))
    return problems


_TYPE_FAMILIES = {
    "integer": ("is_integer",),
    "float": ("is_floating", "is_integer", "is_decimal"),
    "string": ("is_string",),
}


def check_table_schema(src: SourceConfig, schema: Mapping[str, Any]) -> list[str]:
    """Problems with an Ibis table schema (name -> ibis dtype) for this source's column map."""
    file = src.file
    present = list(schema)
    problems = []
    for canonical in src.required:
        if src.columns[canonical] not in schema:
            problems.append(_missing_column(src, file, canonical, present))
    for canonical, raw in src.columns.items():
        if raw not in schema:
            continue
        kind = src.spec.columns[canonical].kind
        dtype = schema[raw]
        if not any(getattr(dtype, test)() for test in _TYPE_FAMILIES[kind]):
            problems.append(
                f"{file}: column '{raw}' has type {dtype}, expected {kind}. Fix the export or map "
                f"{src.key('columns', canonical)} in {PARAMS_FILE} to a column of type {kind}")
    return problems


def check_structure(
    params: Mapping[str, Any],
    headers: Mapping[str, RawHeader],
    table_schemas: Mapping[str, Mapping[str, Any]],
) -> IngestionConfig:
    """Validate conf and every raw header/schema; return the config naming the files read.

    Args:
        params: the `ingestion` parameters.
        headers: CSV source name -> its RawHeader.
        table_schemas: Parquet source name -> its schema (column name -> ibis dtype).

    Raises:
        RawInputError: listing every structural problem found (conf, files, columns).
    """
    cfg = IngestionConfig.from_params(params)
    problems: list[str] = []
    files: dict[str, str] = {}
    for name, src in cfg.sources.items():
        if src.spec.file_format == "csv":
            if name not in headers:
                problems.append(f"{name}: no header given for this source (raw_{name}_header)")
                continue
            files[name] = headers[name].name
            problems += check_csv_header(src, headers[name])
        else:
            if name not in table_schemas:
                problems.append(f"{name}: no table given for this source (raw_{name})")
                continue
            problems += check_table_schema(src, table_schemas[name])
    if problems:
        raise RawInputError(problems)
    return cfg.with_files(files)
