"""Kedro-free ingestion logic, importable from a notebook.

- config: canonical columns per source (code) + the validated `ingestion` conf
- structure: header / schema checks (RawHeader, check_structure)
- parsing: text cells -> typed values with a mask of cells that failed
- staging: a source's rows renamed, parsed and rejected (Staged)
- pii: salted SHA-256 keys for customers and comment authors
- roster, plan, content, commerce, listening: one canonical table each (pandas)
- ga4: GA4 events -> sessions and conversion_events (Ibis, out of core)
- audit: rejected rows, per-source counts and the ingestion report
- errors: RawInputError (structural), RowAccountingError (lost rows)
"""
