"""Assemble a self-contained HTML page from figures, tables, KPI cards and notes.

The page inlines plotly.js once (no CDN, no network) and every chart as a `<div>` plus the
`Plotly.newPlot` call Plotly writes for it. Text from the data (captions, reasons, messages)
is HTML-escaped, so a hostile caption cannot inject markup or script.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import plotly.graph_objects as go

# Status words of the KPI tables (roi_ml.kpis.formulas) and alert severities -> colours.
STATUS_COLOURS = {
    "on_target": "#1a7f37", "above_target": "#9a6700", "below_target": "#cf222e",
    "no_data": "#6e7781", "not_applicable": "#6e7781",
    "critical": "#cf222e", "warning": "#9a6700", "success": "#1a7f37",
}


@dataclass
class Chart:
    """A Plotly figure with an optional caption under it."""

    figure: go.Figure
    caption: str = ""


@dataclass
class Table:
    """A data frame shown as an HTML table (first `max_rows` rows)."""

    frame: pd.DataFrame
    caption: str = ""
    max_rows: int = 50


@dataclass
class Note:
    """A line of text. kind="no-data" marks a view part whose input is empty or absent."""

    text: str
    kind: str = "info"


@dataclass
class Cards:
    """Headline figures: (label, formatted value, status or "", detail text)."""

    items: list[tuple[str, str, str, str]]


@dataclass
class Section:
    """One dashboard view: an anchor id, a title and its blocks in order."""

    id: str
    title: str
    blocks: list[Any] = field(default_factory=list)
    intro: str = ""


_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1f2328;background:#f6f8fa}
header{background:#24292f;color:#fff;padding:14px 24px}
header h1{margin:0;font-size:20px} header p{margin:4px 0 0;color:#d0d7de;font-size:13px}
nav{position:sticky;top:0;background:#fff;border-bottom:1px solid #d0d7de;padding:8px 24px;z-index:10}
nav a{margin-right:18px;color:#0969da;text-decoration:none;font-weight:600;font-size:14px}
main{padding:8px 24px 40px}
section.view{background:#fff;border:1px solid #d0d7de;border-radius:8px;margin:18px 0;padding:8px 20px 18px}
section.view h2{font-size:18px;border-bottom:1px solid #eaeef2;padding-bottom:6px}
.intro{color:#57606a;font-size:13px}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:8px 0}
.card{border:1px solid #d0d7de;border-radius:6px;padding:8px 14px;min-width:150px;background:#fafbfc}
.card .label{font-size:12px;color:#57606a} .card .value{font-size:22px;font-weight:600}
.card .detail{font-size:11px;color:#57606a}
.chart{margin:10px 0} .caption{font-size:12px;color:#57606a;margin:2px 0 10px}
table.data{border-collapse:collapse;font-size:12px;margin:6px 0 14px}
table.data th,table.data td{border:1px solid #d0d7de;padding:3px 7px;text-align:left;vertical-align:top}
table.data th{background:#f6f8fa}
.note{font-size:13px;color:#57606a;margin:8px 0}
.no-data{border-left:4px solid #9a6700;background:#fff8c5;padding:8px 12px;color:#3d2f00}
.status{font-weight:600}
"""


def _fmt_cell(value: Any) -> str:
    if value is None or (not isinstance(value, str) and pd.api.types.is_scalar(value) and pd.isna(value)):
        return ""
    if isinstance(value, float):
        if abs(value) >= 1000:
            return f"{value:,.0f}"
        return f"{value:.3g}" if abs(value) < 10 else f"{value:,.2f}"
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    return str(value)


def table_html(frame: pd.DataFrame, max_rows: int = 50) -> str:
    """An escaped HTML table; cells of *_status / severity columns are coloured by their word."""
    shown = frame.head(max_rows)
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in shown.columns)
    rows = []
    for rec in shown.itertuples(index=False, name=None):
        cells = []
        for col, value in zip(shown.columns, rec, strict=True):
            text = html.escape(_fmt_cell(value))
            colour = STATUS_COLOURS.get(str(value)) if (
                str(col).endswith("status") or col == "severity") else None
            if colour:
                cells.append(f'<td class="status" style="color:{colour}">{text}</td>')
            else:
                cells.append(f"<td>{text}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    more = ""
    if len(frame) > max_rows:
        more = f'<p class="note">{len(frame) - max_rows} more rows not shown.</p>'
    return f'<table class="data"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>{more}'


def figure_html(figure: go.Figure, div_id: str) -> str:
    """The chart's div and its Plotly.newPlot call, without plotly.js (inlined once per page)."""
    return figure.to_html(full_html=False, include_plotlyjs=False, include_mathjax=False,
                          div_id=div_id, config={"displaylogo": False, "responsive": True})


def _block_html(block: Any, div_id: str) -> str:
    if isinstance(block, Chart):
        cap = f'<p class="caption">{html.escape(block.caption)}</p>' if block.caption else ""
        return f'<div class="chart">{figure_html(block.figure, div_id)}{cap}</div>'
    if isinstance(block, Table):
        cap = f'<p class="caption">{html.escape(block.caption)}</p>' if block.caption else ""
        return cap + table_html(block.frame, block.max_rows)
    if isinstance(block, Note):
        cls = "note no-data" if block.kind == "no-data" else "note"
        return f'<p class="{cls}">{html.escape(block.text)}</p>'
    if isinstance(block, Cards):
        out = []
        for label, value, status, detail in block.items:
            colour = STATUS_COLOURS.get(status, "#1f2328")
            st = f" · {html.escape(status.replace('_', ' '))}" if status else ""
            out.append(
                f'<div class="card"><div class="label">{html.escape(label)}</div>'
                f'<div class="value" style="color:{colour}">{html.escape(value)}</div>'
                f'<div class="detail">{html.escape(detail)}{st}</div></div>')
        return f'<div class="cards">{"".join(out)}</div>'
    raise TypeError(f"unknown dashboard block {type(block).__name__}")


def plotly_js() -> str:
    """The plotly.js bundle shipped with the installed plotly package (no network)."""
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


def render_page(title: str, subtitle: str, sections: list[Section], js: str | None = None) -> str:
    """One self-contained HTML page: plotly.js inlined once, a nav bar, one <section> per view."""
    js = plotly_js() if js is None else js
    nav = "".join(f'<a href="#{s.id}">{html.escape(s.title)}</a>' for s in sections)
    body = []
    for s in sections:
        parts = [f'<section class="view" id="{s.id}" data-view="{s.id}"><h2>{html.escape(s.title)}</h2>']
        if s.intro:
            parts.append(f'<p class="intro">{html.escape(s.intro)}</p>')
        for i, block in enumerate(s.blocks):
            parts.append(_block_html(block, f"{s.id}-chart-{i}"))
        parts.append("</section>")
        body.append("".join(parts))
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{html.escape(title)}</title><style>{_CSS}</style>"
        f"<script type=\"text/javascript\">{js}</script></head><body>"
        f"<header><h1>{html.escape(title)}</h1><p>{html.escape(subtitle)}</p></header>"
        f"<nav>{nav}</nav><main>{''.join(body)}</main></body></html>\n"
    )
