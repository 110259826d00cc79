"""The daily summary (Markdown and email-ready HTML with inline styles): key metrics against
target over the last days, and the alerts that are new since the previous run.

An alert is identified by its `alert_id` (a stable hash of rule + entity, written by the
recommendations pipeline). The ledger of alerts already reported (alerts_seen.csv) holds the
ids that were open at the previous run; an alert is NEW when its id is not in it. Ids that no
longer fire are dropped from the ledger, so an alert that clears and fires again is reported
again.
"""

from __future__ import annotations

import html
from collections.abc import Mapping

import pandas as pd

from roi_ml.kpis import formulas as f
from roi_ml.reporting import tables as tb

LEDGER_COLUMNS = ["alert_id", "severity", "rule", "entity_id", "first_reported_on"]

# How each summary metric is recomputed over a window of days from kpi_daily's summed columns
# (the glossary's formulas, docs/metrics.md): metric -> (formula, numerator, denominator).
WINDOW_FORMULAS = {
    "engagement_rate_by_reach": (f.engagement_rate_by_reach, "engagements", "reach"),
    "click_through_rate": (f.safe_ratio, "link_clicks", "reach"),
    "conversion_rate": (f.conversion_rate, "click_conversions", "link_sessions"),
    "roas": (f.roas, "attributed_revenue_usd", "cost_usd"),
    "cost_per_acquisition_usd": (f.cost_per_acquisition, "cost_usd", "new_customers"),
    "positive_comment_share": (f.positive_comment_share, "comments_positive", "comments_labelled"),
    "cpm_usd": (f.cpm, "cost_usd", "impressions"),
}


def empty_ledger() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="string") for c in LEDGER_COLUMNS})


def report_date(kpi_daily: pd.DataFrame, configured: str | None) -> pd.Timestamp:
    """The summary's date: conf's `report_date` if set, else the last day of kpi_daily."""
    if configured:
        return pd.Timestamp(configured).normalize()
    return pd.Timestamp(pd.to_datetime(kpi_daily["date"]).max()).normalize()


def key_metrics(kpi_daily: pd.DataFrame, metrics: list[str], targets: Mapping, as_of: pd.Timestamp,
                window_days: int) -> pd.DataFrame:
    """Per metric: the value on `as_of`, over the `window_days` days ending on it (ratio of the
    summed parts), the target and the window value's status.

    Example (hand-worked in tests): ROAS over 2 days with revenue 100, 300 and cost 50, 50 is
    400 / 100 = 4.0; against {min: 5} it is below_target.
    """
    d = kpi_daily.copy()
    d["date"] = pd.to_datetime(d["date"]).dt.normalize()
    day = d[d["date"] == as_of]
    win = d[(d["date"] > as_of - pd.Timedelta(days=window_days)) & (d["date"] <= as_of)]
    rows = []
    for m in metrics:
        if m not in WINDOW_FORMULAS:
            raise tb.ReportingInputError(
                f"reporting: summary metric '{m}' is not one of {sorted(WINDOW_FORMULAS)}; fix "
                "conf/base/parameters_reporting.yml, key reporting.summary.metrics")
        formula, num, den = WINDOW_FORMULAS[m]
        tb.require_columns(d, "kpi_daily", [num, den], "kpis pipeline, data/08_reporting/kpi_daily.parquet")
        n, dn = float(day[num].sum()), float(day[den].sum())
        day_value = float(formula(n, dn)) if len(day) else float("nan")
        wn, wd = float(win[num].sum()), float(win[den].sum())
        window_value = float(formula(wn, wd)) if len(win) else float("nan")
        rows.append({"metric": m, "value_on_day": day_value, f"value_last_{window_days}_days": window_value,
                     "target": tb.target_text(targets, m, m not in ("roas", "cost_per_acquisition_usd", "cpm_usd")),
                     "status": tb.status_of(window_value, targets, m) or "no target"})
    return pd.DataFrame(rows)


def new_alerts(alerts: pd.DataFrame, ledger: pd.DataFrame, as_of: pd.Timestamp
               ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(alerts whose id is not in the ledger, the ledger for the next run).

    The next ledger holds every alert open now; ids already in the ledger keep their
    first_reported_on, new ones get `as_of`.
    """
    if alerts.empty:
        return alerts.copy(), empty_ledger()
    ids = alerts["alert_id"].astype("string")
    seen = set(ledger["alert_id"].astype("string").dropna()) if len(ledger) else set()
    is_new = ~ids.isin(seen)
    fresh = tb.alerts_by_severity(alerts[is_new.to_numpy()])
    prev = ledger.set_index(ledger["alert_id"].astype("string"))["first_reported_on"].astype("string") \
        if len(ledger) else pd.Series(dtype="string")
    nxt = pd.DataFrame({
        "alert_id": ids.to_numpy(),
        "severity": alerts["severity"].astype("string").to_numpy(),
        "rule": alerts["rule"].astype("string").to_numpy(),
        "entity_id": alerts["entity_id"].astype("string").to_numpy(),
    })
    nxt["first_reported_on"] = nxt["alert_id"].map(prev).astype("string").fillna(as_of.strftime("%Y-%m-%d"))
    nxt = nxt.drop_duplicates("alert_id").sort_values("alert_id").reset_index(drop=True)
    return fresh, nxt.astype("string")


def _fmt(metric: str, v: float) -> str:
    if pd.isna(v):
        return "n/a"
    if metric.endswith("_usd"):
        return f"${v:,.2f}"
    if metric == "roas":
        return f"{v:.2f}:1"
    return f"{v:.2%}"


def _pacing_lines(kpi_campaign: pd.DataFrame | None) -> pd.DataFrame:
    if kpi_campaign is None or kpi_campaign.empty or "campaign_state" not in kpi_campaign:
        return pd.DataFrame()
    running = kpi_campaign[kpi_campaign["campaign_state"].astype("string") == "running"]
    cols = [c for c in ("campaign_id", "cost_usd", "planned_spend_to_date_usd", "budget_pacing",
                        "budget_pacing_status") if c in running]
    return running[cols].reset_index(drop=True)


def render_markdown(as_of: pd.Timestamp, metrics: pd.DataFrame, window_days: int, fresh: pd.DataFrame,
                    n_open: int, pacing: pd.DataFrame, alerts_available: bool, max_listed: int = 50) -> str:
    wcol = f"value_last_{window_days}_days"
    lines = [f"# roi_ml daily summary — {as_of:%Y-%m-%d}", "",
             f"## Key metrics (on {as_of:%Y-%m-%d} and over the last {window_days} days)", "",
             f"| metric | on the day | last {window_days} days | target | status |",
             "|---|---|---|---|---|"]
    for r in metrics.itertuples(index=False):
        lines.append(f"| {r.metric} | {_fmt(r.metric, r.value_on_day)} | {_fmt(r.metric, getattr(r, wcol))} "
                     f"| {r.target} | {r.status.replace('_', ' ')} |")
    lines += ["", "## Running campaigns: spend against plan", ""]
    if pacing.empty:
        lines.append("No campaign is running.")
    else:
        lines += ["| campaign | spend to date | planned to date | pacing | status |", "|---|---|---|---|---|"]
        for r in pacing.itertuples(index=False):
            lines.append(f"| {r.campaign_id} | ${r.cost_usd:,.0f} | ${r.planned_spend_to_date_usd:,.0f} | "
                         f"{r.budget_pacing:.0%} | {str(getattr(r, 'budget_pacing_status', '')).replace('_', ' ')} |")
    lines += ["", "## New alerts since the previous run", ""]
    if not alerts_available:
        lines.append("No alerts table in this run (the recommendations pipeline writes data/08_reporting/alerts.csv).")
    elif fresh.empty:
        lines.append(f"No new alerts ({n_open} open, all reported before).")
    else:
        lines.append(f"{len(fresh)} new of {n_open} open alerts.")
        lines.append("")
        for r in fresh.head(max_listed).itertuples(index=False):
            # text from the data (captions in messages) must not become markup where the
            # Markdown is rendered: no raw HTML, no line breaks
            msg = html.escape(str(r.message).replace("\n", " "), quote=False)
            lines.append(f"- **{r.severity}** · {r.rule} · {r.entity_type} {r.entity_id}: {msg}")
        if len(fresh) > max_listed:
            lines.append(f"- … and {len(fresh) - max_listed} more new alerts in data/08_reporting/alerts.csv")
    lines += ["", "Full dashboard: data/08_reporting/dashboard.html", ""]
    return "\n".join(lines)


_TD = "border:1px solid #d0d7de;padding:4px 8px;font-size:13px"
_COL = {"on_target": "#1a7f37", "below_target": "#cf222e", "above_target": "#9a6700",
        "critical": "#cf222e", "warning": "#9a6700", "success": "#1a7f37"}


def _html_table(header: list[str], rows: list[list[tuple[str, str]]]) -> str:
    th = "".join(f'<th style="{_TD};background:#f6f8fa;text-align:left">{html.escape(h)}</th>' for h in header)
    body = "".join("<tr>" + "".join(f'<td style="{_TD}{";color:" + c + ";font-weight:600" if c else ""}">'
                                    f"{html.escape(t)}</td>" for t, c in row) + "</tr>" for row in rows)
    return f'<table style="border-collapse:collapse;margin:6px 0 14px">{"<tr>" + th + "</tr>"}{body}</table>'


def render_html(as_of: pd.Timestamp, metrics: pd.DataFrame, window_days: int, fresh: pd.DataFrame,
                n_open: int, pacing: pd.DataFrame, alerts_available: bool, max_listed: int = 50) -> str:
    """Email-ready HTML: inline styles only (mail clients drop <style> blocks), no script."""
    wcol = f"value_last_{window_days}_days"
    h2 = 'style="font-size:16px;margin:18px 0 6px"'
    parts = ['<div style="font-family:Arial,Helvetica,sans-serif;color:#1f2328;max-width:760px">',
             f'<h1 style="font-size:20px">roi_ml daily summary — {as_of:%Y-%m-%d}</h1>',
             f"<h2 {h2}>Key metrics (on the day and over the last {window_days} days)</h2>",
             _html_table(["metric", "on the day", f"last {window_days} days", "target", "status"],
                         [[(r.metric, ""), (_fmt(r.metric, r.value_on_day), ""),
                           (_fmt(r.metric, getattr(r, wcol)), ""), (r.target, ""),
                           (r.status.replace("_", " "), _COL.get(r.status, ""))]
                          for r in metrics.itertuples(index=False)]),
             f"<h2 {h2}>Running campaigns: spend against plan</h2>"]
    if pacing.empty:
        parts.append('<p style="font-size:13px">No campaign is running.</p>')
    else:
        parts.append(_html_table(["campaign", "spend to date", "planned to date", "pacing", "status"],
                                 [[(str(r.campaign_id), ""), (f"${r.cost_usd:,.0f}", ""),
                                   (f"${r.planned_spend_to_date_usd:,.0f}", ""), (f"{r.budget_pacing:.0%}", ""),
                                   (str(getattr(r, "budget_pacing_status", "")).replace("_", " "),
                                    _COL.get(str(getattr(r, "budget_pacing_status", "")), ""))]
                                  for r in pacing.itertuples(index=False)]))
    parts.append(f"<h2 {h2}>New alerts since the previous run</h2>")
    if not alerts_available:
        parts.append('<p style="font-size:13px">No alerts table in this run.</p>')
    elif fresh.empty:
        parts.append(f'<p style="font-size:13px">No new alerts ({n_open} open, all reported before).</p>')
    else:
        parts.append(f'<p style="font-size:13px">{len(fresh)} new of {n_open} open alerts.</p>')
        parts.append(_html_table(["severity", "rule", "entity", "message"],
                                 [[(str(r.severity), _COL.get(str(r.severity), "")), (str(r.rule), ""),
                                   (f"{r.entity_type} {r.entity_id}", ""), (str(r.message), "")]
                                  for r in fresh.head(max_listed).itertuples(index=False)]))
        if len(fresh) > max_listed:
            parts.append(f'<p style="font-size:13px">… and {len(fresh) - max_listed} more new alerts in '
                         "data/08_reporting/alerts.csv</p>")
    parts.append('<p style="font-size:12px;color:#57606a">Full dashboard: data/08_reporting/dashboard.html</p></div>')
    return "\n".join(parts) + "\n"


def daily_summary(kpi_daily: pd.DataFrame, kpi_campaign: pd.DataFrame | None, alerts: pd.DataFrame | None,
                  ledger: pd.DataFrame | None, targets: Mapping, params: Mapping
                  ) -> tuple[str, str, pd.DataFrame]:
    """(markdown, html, next ledger). `alerts` None = no alerts table in this run: the ledger
    is carried over unchanged."""
    ledger = empty_ledger() if ledger is None or ledger.empty else ledger
    as_of = report_date(kpi_daily, params.get("report_date"))
    window = int(params["window_days"])
    metrics = key_metrics(kpi_daily, list(params["metrics"]), targets, as_of, window)
    pacing = _pacing_lines(kpi_campaign)
    if alerts is None:
        fresh, nxt, n_open = pd.DataFrame(), ledger, 0
    else:
        tb.require_columns(alerts, "alerts", ["alert_id", "severity", "rule", "entity_type", "entity_id",
                                              "message"], "recommendations pipeline, data/08_reporting/alerts.csv")
        fresh, nxt = new_alerts(alerts, ledger, as_of)
        n_open = int(alerts["alert_id"].nunique())
    listed = int(params.get("max_new_alerts_listed", 50))
    md = render_markdown(as_of, metrics, window, fresh, n_open, pacing, alerts is not None, listed)
    page = render_html(as_of, metrics, window, fresh, n_open, pacing, alerts is not None, listed)
    return md, page, nxt
