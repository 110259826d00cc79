"""The raw datasets: text-only CSV rows, header-only reads, clear errors."""

import pandas as pd
import pytest
from kedro.io import DataCatalog, DatasetError

from roi_ml.datasets import RawCsvDataset, RawFileError, RawIbisFileDataset
from roi_ml.ingest.structure import RawHeader


def test_rows_are_text_and_blanks_stay_empty(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("\ufeffid,count,when\n007,,2024-01-01\n8,NA,\n", encoding="utf-8")
    frame = RawCsvDataset(str(path)).load()
    assert list(frame.columns) == ["id", "count", "when"]
    assert (frame.dtypes == pd.StringDtype()).all()
    assert frame.values.tolist() == [["007", "", "2024-01-01"], ["8", "NA", ""]]


def test_header_only(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text('"Post ID", Date ,Views\n1,2,3\n')
    assert RawCsvDataset(str(path), header_only=True).load() == RawHeader(
        str(path), ("Post ID", "Date", "Views"))


def test_missing_file_names_catalog_entry_and_path(tmp_path):
    catalog = DataCatalog.from_config({"raw_comments": {
        "type": "roi_ml.datasets.RawCsvDataset", "filepath": str(tmp_path / "comments.csv")}})
    with pytest.raises(DatasetError) as exc:
        catalog.load("raw_comments")
    assert str(exc.value).startswith(f"raw_comments: {tmp_path}/comments.csv: file not found.")
    assert isinstance(exc.value.__cause__, RawFileError)


def test_invalid_utf8_late_in_the_file_fails_the_header_read(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b"a,b\n" + b"1,2\n" * 1000 + b"3,\xff\n")
    with pytest.raises(RawFileError, match="cannot be read as a utf-8 CSV"):
        RawCsvDataset(str(path), header_only=True).load()


def test_raw_files_are_read_only(tmp_path):
    with pytest.raises(DatasetError, match="read-only"):
        RawCsvDataset(str(tmp_path / "x.csv")).save(pd.DataFrame())


def test_ibis_raw_dataset_glob_with_no_match(tmp_path):
    ds = RawIbisFileDataset(filepath=str(tmp_path / "ga4" / "*.parquet"), file_format="parquet")
    with pytest.raises(RawFileError, match=r"ga4/\*\.parquet: no file matches this path"):
        ds.load()
