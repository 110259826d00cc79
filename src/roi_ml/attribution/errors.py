"""The exception the attribution library raises for bad input, and how its messages are built."""

from __future__ import annotations

from collections.abc import Iterable, Sequence


class AttributionInputError(ValueError):
    """Malformed journeys, touches or path table: the message names the table, column and rows.

    When several problems are found at once, each is on its own line (`problems` keeps them).
    It is a `ValueError`, so `except ValueError` catches it.
    """

    def __init__(self, problems: str | Sequence[str]) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))


def rows(labels: Iterable[object], limit: int = 5) -> str:
    """'rows [3, 7] ' style list of at most `limit` row labels, with a count of the rest."""
    labels = list(labels)
    shown = ", ".join(repr(x) if isinstance(x, str) else str(x) for x in labels[:limit])
    more = f" (+{len(labels) - limit} more)" if len(labels) > limit else ""
    return f"[{shown}]{more}"
