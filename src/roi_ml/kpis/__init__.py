"""KPI logic usable outside Kedro: formulas (docs/metrics.md), reach deduplication, the
authenticity scorer, comment sentiment, disclosure compliance and the observable
click-or-code attribution the money KPIs use until data-driven attribution exists."""
