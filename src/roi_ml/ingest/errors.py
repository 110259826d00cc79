"""The exceptions ingestion raises, and where a user fixes what they report."""

from __future__ import annotations

PARAMS_FILE = "conf/base/parameters_ingestion.yml"
CATALOG_FILE = "conf/base/catalog.yml"


class RawInputError(ValueError):
    """A structural problem with the raw exports or their conf: the run stops before writing.

    Raised for a missing or unreadable file, a missing required column, a column the conf cannot
    map, or a malformed `ingestion` conf entry. The message names the file, the column and the
    conf key to fix; when several problems are found at once, each is on its own line.
    """

    def __init__(self, problems: str | list[str]) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))


class IngestionConfigError(RawInputError):
    """A malformed entry under `ingestion:` in conf/base/parameters_ingestion.yml."""


class RowAccountingError(RuntimeError):
    """Rows read != rows kept + rows rejected for a source: a row was lost silently (a bug)."""
