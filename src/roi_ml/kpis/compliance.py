"""FTC disclosure detection on captions and contract compliance.

A post is disclosed when its caption matches one of the case-insensitive regular expressions
of `kpis.compliance.disclosure_patterns` (conf): #ad, #sponsored, #advertisement, "paid
partnership", "(ad)" and their common variants. "#ad" must stand alone: #adorable is not a
disclosure. A post without a caption is not disclosed (nothing shows the audience it is paid).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import pandas as pd

from roi_ml.kpis.formulas import rate


def compile_patterns(patterns: Mapping[str, str] | Sequence[str]) -> list[tuple[str, re.Pattern]]:
    """conf patterns ({name: regex} or [regex]) → [(name, compiled, case-insensitive)]."""
    items = patterns.items() if isinstance(patterns, Mapping) else ((p, p) for p in patterns)
    return [(str(name), re.compile(rx, re.IGNORECASE)) for name, rx in items]


def detect_disclosure(captions: pd.Series, patterns: Mapping[str, str] | Sequence[str]
                      ) -> pd.DataFrame:
    """Captions → DataFrame(has_disclosure bool, disclosure_marker string: the first pattern
    name that matched, missing when none did), same index."""
    compiled = compile_patterns(patterns)
    text = captions.astype("string").fillna("")
    marker = pd.Series(pd.NA, index=captions.index, dtype="string")
    for name, rx in compiled:
        hit = text.map(lambda s, rx=rx: bool(rx.search(s))).astype(bool)
        marker = marker.mask(marker.isna() & hit, name)
    return pd.DataFrame({"has_disclosure": marker.notna().astype(bool),
                         "disclosure_marker": marker}, index=captions.index)


def contract_compliance(contracts: pd.DataFrame, post_disclosure: pd.DataFrame) -> pd.DataFrame:
    """Per contract: does it meet every term the data can check?

    In: canonical `contracts`; `post_disclosure` with contract_id and has_disclosure.
    Out: contract_id, delivered_in_full (delivered ≥ committed), delivered_on_time (every
    delivered deliverable on or before its due date), all_posts_disclosed, meets_all_terms
    (all three). A contract with no committed count is judged on what it has.
    """
    c = contracts[["contract_id", "deliverables_committed", "deliverables_delivered",
                   "deliverables_on_time"]].copy()
    committed = c["deliverables_committed"].astype("Float64")
    delivered = c["deliverables_delivered"].astype("Float64").fillna(0)
    on_time = c["deliverables_on_time"].astype("Float64").fillna(0)
    c["delivered_in_full"] = (committed.isna() | (delivered >= committed)).fillna(True).astype(bool)
    c["delivered_on_time"] = (on_time >= delivered).fillna(True).astype(bool)
    disclosed = post_disclosure.groupby("contract_id")["has_disclosure"].all()
    c["all_posts_disclosed"] = c["contract_id"].map(disclosed).fillna(True).astype(bool)
    c["meets_all_terms"] = c["delivered_in_full"] & c["delivered_on_time"] & c["all_posts_disclosed"]
    return c[["contract_id", "delivered_in_full", "delivered_on_time", "all_posts_disclosed",
              "meets_all_terms"]]


def compliance_rate(flags: pd.Series) -> float:
    """Share of True in a boolean Series (NaN when empty)."""
    return rate(float(flags.sum()), float(len(flags)))
