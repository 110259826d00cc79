"""Row accounting: the report, MLflow metrics and the identity rows read = kept + rejected."""

import pandas as pd
import pytest

from roi_ml.ingest.audit import SourceAudit, build_report, empty_rejects
from roi_ml.ingest.errors import RowAccountingError


def audit(source, read, kept, by_reason=None, **extra):
    return SourceAudit(source=source, file=f"{source}.csv", rows_read=read, rows_kept=kept,
                       rejected_by_reason=by_reason or {}, rejects=empty_rejects(), extra=extra)


def test_report_and_metrics():
    report, metrics = build_report([
        audit("shopify_orders", 10, 8, {"unsupported currency": 1, "duplicate id": 1},
              rows_folded=3),
        audit("campaigns", 2, 2)])
    assert report["shopify_orders"] == {
        "file": "shopify_orders.csv", "rows_read": 10, "rows_kept": 8, "rows_rejected": 2,
        "rejected_by_reason": {"duplicate id": 1, "unsupported currency": 1}, "rows_folded": 3}
    assert metrics["shopify_orders.rows_read"] == {"value": 10.0, "step": 0}
    assert metrics["shopify_orders.rejected.unsupported_currency"] == {
        "value": 1.0, "step": 0}
    assert metrics["shopify_orders.rows_folded"] == {"value": 3.0, "step": 0}
    assert metrics["campaigns.rows_rejected"] == {"value": 0.0, "step": 0}


def test_the_run_fails_when_rows_go_missing():
    with pytest.raises(RowAccountingError) as exc:
        build_report([audit("campaigns", 2, 2), audit("comments", 10, 7, {"unknown post": 2})])
    assert ("comments.csv (comments): rows read 10 != rows kept 7 + rows rejected 2; "
            "1 row(s) unaccounted for") in str(exc.value)


def test_a_source_audit_checks_itself():
    a = SourceAudit.from_rejects("mentions_daily", "mentions_daily.csv", 3, 2, pd.DataFrame({
        "source": ["mentions_daily"], "file": ["mentions_daily.csv"], "row_number": [2],
        "column": ["Date"], "value": ["n/a"], "reason": ["unparseable date"]}))
    assert a.check() is a and a.rows_rejected == 1
    with pytest.raises(RowAccountingError):
        SourceAudit.from_rejects("m", "m.csv", 4, 2, a.rejects).check()
