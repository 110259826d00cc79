"""Kedro datasets for the raw exports: read-only, all text, and clear about what is wrong.

- `RawCsvDataset` loads a CSV with every cell as text (parsing is explicit, per cell, in
  roi_ml.ingest), or with `header_only: true` just its header (a `RawHeader`) after checking
  that the whole file decodes, which is what the `check_raw_structure` node reads.
- `RawIbisFileDataset` is kedro-datasets' `ibis.FileDataset` that first checks the files exist.

Both raise `RawFileError` (a RawInputError and a Kedro DatasetError) naming the path and what
to do; the catalog prefixes the entry name, e.g.
`raw_shopify_orders: data/01_raw/shopify_orders.csv: file not found. ...`.
"""

from __future__ import annotations

import codecs
import csv
import glob
import io
from pathlib import PurePosixPath
from typing import Any

import fsspec
import pandas as pd
from kedro.io import AbstractDataset, DatasetError
from kedro.io.core import get_protocol_and_path
from kedro_datasets.ibis import FileDataset

from roi_ml.ingest.errors import CATALOG_FILE, RawInputError
from roi_ml.ingest.structure import RawHeader

_CHUNK = 4 * 1024 * 1024


class RawFileError(RawInputError, DatasetError):
    """A raw file is missing or unreadable."""


def _fix_hint() -> str:
    return (f"Put the export at that path, or change the `filepath` of this raw_* entry in "
            f"{CATALOG_FILE}")


class RawCsvDataset(AbstractDataset[None, pd.DataFrame | RawHeader]):
    """A raw CSV export, read as text. Read-only.

    Args:
        filepath: path or fsspec URL of the CSV.
        header_only: load a `RawHeader` (file and column names) instead of the rows; the
            whole file is still checked to decode, so an unreadable file fails here.
        encoding: text encoding of the file.
        load_args: extra `pandas.read_csv` arguments (e.g. `sep: ";"`).
        fs_args: extra fsspec filesystem arguments.
        metadata: free-form (kedro-viz layer etc.).
    """

    def __init__(self, filepath: str, *, header_only: bool = False, encoding: str = "utf-8",
                 load_args: dict[str, Any] | None = None, fs_args: dict[str, Any] | None = None,
                 metadata: dict[str, Any] | None = None) -> None:
        protocol, path = get_protocol_and_path(filepath)
        self._protocol = protocol
        self._filepath = filepath
        self._path = path
        self._fs = fsspec.filesystem(protocol, **(fs_args or {}))
        self._header_only = header_only
        self._encoding = encoding
        self._load_args = dict(load_args or {})
        self.metadata = metadata

    @property
    def _name(self) -> str:
        return PurePosixPath(self._path).name

    def _require_file(self) -> None:
        if not self._fs.exists(self._path):
            raise RawFileError(f"{self._filepath}: file not found. {_fix_hint()}")
        if self._fs.isdir(self._path):
            raise RawFileError(f"{self._filepath}: is a directory, expected a CSV file. "
                               f"{_fix_hint()}")

    def _unreadable(self, why: object) -> RawFileError:
        return RawFileError(
            f"{self._filepath}: cannot be read as a {self._encoding} CSV ({why}). Re-export the "
            f"file as CSV ({self._encoding}), or set `encoding` / `load_args` of this raw_* "
            f"entry in {CATALOG_FILE}")

    def load(self) -> pd.DataFrame | RawHeader:
        self._require_file()
        try:
            return self._load_header() if self._header_only else self._load_rows()
        except RawFileError:
            raise
        except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error,
                OSError, ValueError) as exc:
            raise self._unreadable(exc) from exc

    def _load_header(self) -> RawHeader:
        decoder = codecs.getincrementaldecoder(self._encoding)()
        first = ""
        with self._fs.open(self._path, "rb") as f:
            while chunk := f.read(_CHUNK):
                text = decoder.decode(chunk)
                if len(first) < 1_000_000 and "\n" not in first:
                    first += text
            first += decoder.decode(b"", final=True)
        if first.startswith("\ufeff"):
            first = first[1:]
        sep = self._load_args.get("sep", ",")
        header = next(csv.reader(io.StringIO(first), delimiter=sep), None)
        if not header or all(not h.strip() for h in header):
            raise self._unreadable("the file is empty or has no header row")
        return RawHeader(file=self._filepath, columns=tuple(h.strip() for h in header))

    def _load_rows(self) -> pd.DataFrame:
        args = {"dtype": "string", "keep_default_na": False, "na_filter": False,
                "encoding": self._encoding, "encoding_errors": "strict", **self._load_args}
        with self._fs.open(self._path, "rb") as f:
            frame = pd.read_csv(f, **args)
        frame.columns = [str(c).strip().lstrip("\ufeff") for c in frame.columns]
        frame.attrs["source_file"] = self._filepath
        return frame

    def save(self, data: Any) -> None:
        raise DatasetError(f"{self._filepath}: raw exports are read-only")

    def _exists(self) -> bool:
        return self._fs.exists(self._path)

    def _describe(self) -> dict[str, Any]:
        return {"filepath": self._filepath, "header_only": self._header_only,
                "encoding": self._encoding, "load_args": self._load_args}


class RawIbisFileDataset(FileDataset):
    """`ibis.FileDataset` for raw exports: a clear error when no file matches the path.

    The path may be a glob (`data/01_raw/ga4_events/*.parquet`). Loading is lazy: it reads the
    files' schema, not their rows.
    """

    def _matches(self, pattern: str) -> list[str]:
        if self._fs_prefix:
            return self._filesystem().glob(pattern)
        return glob.glob(pattern)

    def load(self):
        path = self._fs_prefix + str(self._get_load_path())
        if not self._matches(str(self._get_load_path())):
            raise RawFileError(f"{path}: no file matches this path. {_fix_hint()}")
        try:
            return super().load()
        except DatasetError as exc:
            cause = exc.__cause__ or exc
            raise RawFileError(
                f"{path}: cannot be read as {self._file_format} ({cause}). Re-export the files "
                f"or fix `filepath` / `file_format` of this raw_* entry in {CATALOG_FILE}"
            ) from exc
