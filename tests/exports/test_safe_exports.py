"""Safe exports: text cells that a spreadsheet would run as a formula are neutralised in CSV and
XLSX; numbers are left alone. Hostile captions come from the simulator's own caption maker."""

from __future__ import annotations

import csv
from dataclasses import replace

import numpy as np
import openpyxl
import pandas as pd
import pytest
from kedro.io import DataCatalog, DatasetError

from roi_ml.exports import SafeCsvDataset, SafeExcelDataset, neutralise_cell, neutralise_frame
from roi_ml.simulator import exports as sim_exports
from roi_ml.simulator.config import WorldParams

TRIGGERS = ["=1+1", "+1 reason", "-50% today", "@aurora thanks", "\t=cmd", "\r=cmd"]


@pytest.mark.parametrize("text", TRIGGERS)
def test_every_owasp_trigger_is_prefixed_with_a_quote(text):
    assert neutralise_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["Obsessed with my routine", "", " =not first", 3, -0.5, None, np.nan])
def test_safe_values_and_numbers_are_unchanged(value):
    out = neutralise_cell(value)
    assert out is value or (isinstance(value, float) and np.isnan(out)) or out == value


def test_frame_text_columns_change_numbers_and_missing_do_not():
    df = pd.DataFrame({"caption": pd.array(["=1+1", "fine", None], dtype="str"),
                       "lift": [-0.3, 1.2, np.nan], "handle": ["@x", "y", "-z"]})
    out = neutralise_frame(df)
    assert out["caption"].tolist()[:2] == ["'=1+1", "fine"] and pd.isna(out["caption"].iloc[2])
    assert isinstance(out["caption"].dtype, pd.StringDtype)
    assert out["lift"].dtype == "float64" and out["lift"].iloc[0] == -0.3
    assert out["handle"].tolist() == ["'@x", "y", "'-z"]
    assert df["caption"].iloc[0] == "=1+1"  # the input is not modified


def _hostile_captions(n: int = 60) -> list[str]:
    """The simulator's captions with every one made hostile (hostile_caption_share = 1)."""
    params = replace(WorldParams(), hostile_caption_share=1.0)
    posts = pd.DataFrame({"disclosed": [True, False] * (n // 2)})
    return sim_exports.captions(np.random.default_rng(3), posts, params)


def test_csv_dataset_writes_no_cell_a_spreadsheet_would_evaluate(tmp_path):
    caps = _hostile_captions()
    assert {c[0] for c in caps} == {"=", "+", "-", "@"}  # the simulator produces all four
    df = pd.DataFrame({"post_id": [f"P{i}" for i in range(len(caps))], "caption": caps,
                       "roi": np.linspace(-1, 1, len(caps))})
    path = tmp_path / "out" / "captions.csv"
    catalog = DataCatalog.from_config({"captions": {"type": "roi_ml.exports.SafeCsvDataset",
                                                    "filepath": str(path)}})
    catalog.save("captions", df)
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(caps)
    for row, cap in zip(rows, caps, strict=True):
        assert row["caption"] == "'" + cap
        assert not row["caption"].startswith(("=", "+", "-", "@", "\t", "\r"))
    # numbers stay numbers, negative ones included
    assert float(rows[0]["roi"]) == -1.0 and rows[0]["roi"].startswith("-")


def test_csv_dataset_refuses_a_non_frame(tmp_path):
    with pytest.raises(DatasetError, match="DataFrame"):
        SafeCsvDataset(filepath=str(tmp_path / "x.csv")).save({"a": 1})


def test_excel_dataset_one_sheet_per_table_and_no_formula_cells(tmp_path):
    caps = _hostile_captions(10)
    path = tmp_path / "book.xlsx"
    ds = SafeExcelDataset(str(path), sheet_order=["second", "first"])
    ds.save({"first": pd.DataFrame({"caption": caps, "n": range(10)}),
             "second": pd.DataFrame({"handle": ["@aurora", "plain"],
                                     "when": pd.to_datetime(["2025-01-01", "2025-01-02"], utc=True)})})
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["second", "first"]
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert not any(c.data_type == "f" for c in cells)
    assert wb["first"]["A2"].value == "'" + caps[0]
    assert wb["second"]["A2"].value == "'@aurora" and wb["second"]["A3"].value == "plain"
    loaded = ds.load()
    assert set(loaded) == {"first", "second"} and loaded["first"]["n"].tolist() == list(range(10))


def test_excel_dataset_names_bad_sheets_and_inputs(tmp_path):
    ds = SafeExcelDataset(str(tmp_path / "b.xlsx"))
    with pytest.raises(DatasetError, match="longer than 31"):
        ds.save({"x" * 32: pd.DataFrame({"a": [1]})})
    with pytest.raises(DatasetError, match="dict of"):
        ds.save([pd.DataFrame()])
