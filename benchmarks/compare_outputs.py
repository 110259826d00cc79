"""Compare the outputs of one node saved by two versions of the code (issue 8, before/after).

    python benchmarks/profile_node.py <project> <pipeline> <node> --no-profile --save before.pkl
    (switch the code)
    python benchmarks/profile_node.py <project> <pipeline> <node> --no-profile --save after.pkl
    python benchmarks/compare_outputs.py before.pkl after.pkl

Walks both outputs (dicts, lists, data frames, arrays, numbers) side by side and prints, for
every leaf, whether it is identical, equal up to float rounding, or different, with the largest
absolute (and relative) difference of its numbers. Exits 1 if any leaf differs beyond
--rtol / --atol (defaults 1e-9 relative, 1e-12 absolute) or has a different shape, type or
text.
"""

from __future__ import annotations

import argparse
import math
import pickle
import sys

import numpy as np
import pandas as pd


def _numbers(a, b) -> tuple[float, float, bool]:
    """(max abs diff, max rel diff, NaN patterns equal) of two float arrays of one shape."""
    a, b = np.asarray(a, dtype="float64"), np.asarray(b, dtype="float64")
    same_nan = bool((np.isnan(a) == np.isnan(b)).all())
    ok = ~(np.isnan(a) | np.isnan(b))
    if not ok.any():
        return 0.0, 0.0, same_nan
    d = np.abs(a[ok] - b[ok])
    rel = d / np.maximum(np.abs(a[ok]), 1e-300)
    return float(d.max()), float(rel[d > 0].max()) if (d > 0).any() else 0.0, same_nan


def compare(a, b, path: str, rtol: float, atol: float, report: list) -> None:
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b), key=str):
            if k not in a or k not in b:
                report.append((f"{path}.{k}", "DIFFERENT", "missing on one side"))
            else:
                compare(a[k], b[k], f"{path}.{k}", rtol, atol, report)
    elif isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        if len(a) != len(b):
            report.append((path, "DIFFERENT", f"lengths {len(a)} / {len(b)}"))
        elif all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in [*a, *b]):
            compare(np.asarray(a, float), np.asarray(b, float), path, rtol, atol, report)
        else:
            for i, (x, y) in enumerate(zip(a, b, strict=True)):
                compare(x, y, f"{path}[{i}]", rtol, atol, report)
    elif isinstance(a, pd.DataFrame) and isinstance(b, pd.DataFrame):
        if list(a.columns) != list(b.columns) or len(a) != len(b):
            report.append((path, "DIFFERENT", f"shape/columns {a.shape} {list(a.columns)} / "
                                              f"{b.shape} {list(b.columns)}"))
            return
        for c in a.columns:
            compare(a[c], b[c], f"{path}[{c}]", rtol, atol, report)
    elif isinstance(a, (pd.Series, np.ndarray)) and isinstance(b, (pd.Series, np.ndarray)):
        sa, sb = pd.Series(np.asarray(a)), pd.Series(np.asarray(b))
        if len(sa) != len(sb):
            report.append((path, "DIFFERENT", f"lengths {len(sa)} / {len(sb)}"))
        elif pd.api.types.is_numeric_dtype(sa) and pd.api.types.is_numeric_dtype(sb) \
                and not pd.api.types.is_bool_dtype(sa):
            fa = sa.astype("float64").to_numpy(na_value=np.nan)
            fb = sb.astype("float64").to_numpy(na_value=np.nan)
            d, rel, same_nan = _numbers(fa, fb)
            close = same_nan and np.allclose(fa, fb, rtol=rtol, atol=atol, equal_nan=True)
            status = "identical" if d == 0 and same_nan else "close" if close else "DIFFERENT"
            report.append((path, status, f"max abs diff {d:.3g}, max rel diff {rel:.3g}"))
        else:
            eq = bool((sa.astype(object).fillna("<NA>") == sb.astype(object).fillna("<NA>")).all())
            report.append((path, "identical" if eq else "DIFFERENT", "values"))
    elif isinstance(a, (int, float, np.number)) and isinstance(b, (int, float, np.number)) \
            and not isinstance(a, bool):
        fa, fb = float(a), float(b)
        if (math.isnan(fa) and math.isnan(fb)) or fa == fb:
            report.append((path, "identical", f"{fa:.6g}"))
        elif math.isclose(fa, fb, rel_tol=rtol, abs_tol=atol):
            report.append((path, "close", f"{fa:.10g} / {fb:.10g}, diff {abs(fa - fb):.3g}"))
        else:
            report.append((path, "DIFFERENT", f"{fa:.10g} / {fb:.10g}, diff {abs(fa - fb):.3g}"))
    else:
        same = type(a) is type(b) and (a == b if not hasattr(a, "__dict__") else True)
        report.append((path, "identical" if same else "DIFFERENT", f"{type(a).__name__}"))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("before")
    ap.add_argument("after")
    ap.add_argument("--rtol", type=float, default=1e-9)
    ap.add_argument("--atol", type=float, default=1e-12)
    ap.add_argument("--all", action="store_true", help="print identical leaves too")
    a = ap.parse_args()
    with open(a.before, "rb") as f:
        before = pickle.load(f)
    with open(a.after, "rb") as f:
        after = pickle.load(f)
    report: list = []
    compare(before, after, "out", a.rtol, a.atol, report)
    counts = {s: sum(1 for _, st, _ in report if st == s) for s in ("identical", "close", "DIFFERENT")}
    for path, status, note in report:
        if a.all or status != "identical":
            print(f"{status:9s} {path}: {note}")
    print(f"{len(report)} leaves: {counts['identical']} identical, {counts['close']} equal within "
          f"rtol {a.rtol:g} / atol {a.atol:g}, {counts['DIFFERENT']} different")
    return 1 if counts["DIFFERENT"] else 0


if __name__ == "__main__":
    sys.exit(main())
