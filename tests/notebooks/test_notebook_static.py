"""The exploration notebook is committed clean and reads through the Kedro catalog.

It is EXECUTED against the end-to-end run in tests/e2e/test_e2e_reporting.py (that is where
the session-wide `e2e_run` fixture lives); these checks are the fast part.
"""

from __future__ import annotations

from pathlib import Path

import nbformat

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


def _notebooks():
    return sorted(NOTEBOOKS.glob("*.ipynb"))


def test_there_is_one_notebook_and_it_is_valid():
    books = _notebooks()
    assert [b.name for b in books] == ["explore_roi_ml.ipynb"]
    nbformat.validate(nbformat.read(books[0], as_version=4))


def test_notebook_is_committed_without_outputs():
    nb = nbformat.read(_notebooks()[0], as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(not c.get("outputs") and c.get("execution_count") is None for c in code)


def test_notebook_loads_through_the_catalog_not_by_path():
    nb = nbformat.read(_notebooks()[0], as_version=4)
    src = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "%load_ext kedro.ipython" in src
    for name in ("attribution_model_comparison", "creator_attribution", "creator_authenticity",
                 "partnership_decisions", "alerts"):
        assert name in src
    assert "read_parquet" not in src and "read_csv" not in src
