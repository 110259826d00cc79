"""Row accounting: rejected rows, per-source counts, the ingestion report and its identity.

For every source, rows read = rows kept + rows rejected. Each ingestion step returns a
`SourceAudit` per raw file it consumed; `build_report` checks the identity for all of them and
raises `RowAccountingError` if any row went missing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import pandas as pd

from roi_ml.ingest.errors import RowAccountingError

log = logging.getLogger(__name__)

REDACTED = "<redacted>"
REJECTED_COLUMNS = ("source", "file", "row_number", "column", "value", "reason")
REJECTED_DTYPES = {
    "source": "string", "file": "string", "row_number": "Int64",
    "column": "string", "value": "string", "reason": "string",
}


class Reason:
    """The reasons a row can be rejected (the `reason` column of rejected_rows)."""

    MISSING_VALUE = "missing value"
    UNPARSEABLE_DATE = "unparseable date"
    UNPARSEABLE_TIMESTAMP = "unparseable timestamp"
    INVALID_TIMESTAMP = "invalid timestamp"
    UNPARSEABLE_NUMBER = "unparseable number"
    UNPARSEABLE_BOOLEAN = "unparseable boolean"
    NEGATIVE_COUNT = "negative count"
    NEGATIVE_AMOUNT = "negative amount"
    OUT_OF_RANGE = "out of range"
    DUPLICATE_ID = "duplicate id"
    DUPLICATE_POST_DATE = "duplicate post and date"
    UNKNOWN_CREATOR = "unknown creator"
    UNKNOWN_CAMPAIGN = "unknown campaign"
    UNKNOWN_CONTRACT = "unknown contract"
    UNKNOWN_POST = "unknown post"
    UNKNOWN_PLATFORM = "unknown platform"
    CONTRACT_MISMATCH = "contract is for another creator or campaign"
    UNSUPPORTED_CURRENCY = "unsupported currency"
    OUTSIDE_CAMPAIGN = "published outside campaign dates"
    END_BEFORE_START = "end date before start date"
    EXCEEDS_RESPONDENTS = "exceeds respondents"
    ORPHAN_LINE_ITEM = "line item without its order row"
    LINE_ITEM_OF_REJECTED_ORDER = "line item of a rejected order"


def empty_rejects() -> pd.DataFrame:
    """A rejected_rows frame with no rows and the canonical dtypes."""
    return pd.DataFrame({c: pd.Series(dtype=d) for c, d in REJECTED_DTYPES.items()})


def as_rejects(frame: pd.DataFrame) -> pd.DataFrame:
    """Coerce a frame with the rejected_rows columns to their canonical dtypes and order."""
    if frame.empty:
        return empty_rejects()
    return frame.loc[:, list(REJECTED_COLUMNS)].astype(REJECTED_DTYPES).reset_index(drop=True)


@dataclass
class SourceAudit:
    """What happened to the rows of one raw source."""

    source: str
    file: str
    rows_read: int
    rows_kept: int
    rejected_by_reason: dict[str, int]
    rejects: pd.DataFrame | None = None  # rejected_rows of this source (None for Ibis sources)
    extra: dict[str, int] = field(default_factory=dict)  # e.g. rows_folded, counters_corrected

    @property
    def rows_rejected(self) -> int:
        return int(sum(self.rejected_by_reason.values()))

    @classmethod
    def from_rejects(cls, source: str, file: str, rows_read: int, rows_kept: int,
                     rejects: pd.DataFrame, **extra: int) -> SourceAudit:
        """Counts from a rejected_rows frame (one row per rejected raw row)."""
        by_reason = rejects["reason"].value_counts().sort_index()
        return cls(source=source, file=file, rows_read=int(rows_read), rows_kept=int(rows_kept),
                   rejected_by_reason={str(k): int(v) for k, v in by_reason.items()},
                   rejects=as_rejects(rejects), extra={k: int(v) for k, v in extra.items()})

    def check(self) -> SourceAudit:
        """Raise RowAccountingError unless rows_read == rows_kept + rows_rejected."""
        if self.rows_read != self.rows_kept + self.rows_rejected:
            raise RowAccountingError(
                f"{self.file} ({self.source}): rows read {self.rows_read} != rows kept "
                f"{self.rows_kept} + rows rejected {self.rows_rejected}; "
                f"{self.rows_read - self.rows_kept - self.rows_rejected} row(s) unaccounted for. "
                f"This is a bug in roi_ml.ingest: no output of this run can be trusted.")
        return self

    def to_report(self) -> dict:
        return {
            "file": self.file,
            "rows_read": self.rows_read,
            "rows_kept": self.rows_kept,
            "rows_rejected": self.rows_rejected,
            "rejected_by_reason": dict(sorted(self.rejected_by_reason.items())),
            **self.extra,
        }


def flatten_audits(*audits: SourceAudit | list[SourceAudit]) -> list[SourceAudit]:
    out: list[SourceAudit] = []
    for a in audits:
        out.extend(a if isinstance(a, list) else [a])
    return out


def build_report(audits: list[SourceAudit]) -> tuple[dict, dict]:
    """The ingestion report (per source) and MLflow metrics; raise if any identity fails.

    Returns:
        report: {source: {file, rows_read, rows_kept, rows_rejected, rejected_by_reason, ...}}
        metrics: {"<source>.<count>": {"value": v, "step": 0}} for
            MlflowMetricsHistoryDataset (the catalog entry adds the prefix "ingestion.").
    """
    report: dict[str, dict] = {}
    for audit in audits:
        if audit.source in report:
            raise RowAccountingError(f"{audit.source}: counted twice in the ingestion report")
        report[audit.source] = audit.to_report()
    failures = []
    for audit in audits:
        try:
            audit.check()
        except RowAccountingError as exc:
            failures.append(str(exc))
    if failures:
        raise RowAccountingError("\n".join(failures))
    for entry in report.values():
        level = logging.WARNING if entry["rows_rejected"] else logging.INFO
        log.log(level, "%s: %d rows read, %d kept, %d rejected %s", entry["file"],
                entry["rows_read"], entry["rows_kept"], entry["rows_rejected"],
                entry["rejected_by_reason"] or "")
    metrics: dict[str, dict] = {}
    for source, entry in report.items():
        for key, value in entry.items():
            if key == "file":
                continue
            if key == "rejected_by_reason":
                for reason, n in value.items():
                    name = reason.replace(" ", "_")
                    metrics[f"{source}.rejected.{name}"] = {"value": float(n), "step": 0}
            else:
                metrics[f"{source}.{key}"] = {"value": float(value), "step": 0}
    return report, metrics
