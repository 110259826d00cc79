"""Plotly figures of the dashboard. Each takes non-empty frames and returns a go.Figure.

The views (roi_ml.reporting.views) decide what to do when an input is empty; these functions
only draw. No WebGL traces (Scattergl): they need a GPU context that headless browsers and
some mail/preview tools lack.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

PALETTE = ["#0969da", "#cf222e", "#1a7f37", "#9a6700", "#8250df", "#bf3989", "#1b7c83",
           "#953800", "#57606a", "#0550ae", "#6639ba", "#116329"]
# A light template of our own: plotly's named templates are large and deep-copied for every
# figure (most of the dashboard's build time).
_TEMPLATE = go.layout.Template(layout=dict(
    plot_bgcolor="white", paper_bgcolor="white", font=dict(color="#1f2328"),
    colorway=PALETTE, xaxis=dict(gridcolor="#eaeef2", zerolinecolor="#d0d7de"),
    yaxis=dict(gridcolor="#eaeef2", zerolinecolor="#d0d7de")))
_LAYOUT = dict(template=_TEMPLATE, height=380, margin=dict(l=60, r=20, t=50, b=50),
               legend=dict(orientation="h", y=-0.2))


def _layout(fig: go.Figure, **kw) -> None:
    """The house layout, with per-figure overrides."""
    fig.update_layout(**{**_LAYOUT, **kw})


def _vals(s: pd.Series) -> list:
    """Plain Python values (None for missing) so plotly never sees pandas extension dtypes."""
    s = pd.Series(s)
    if pd.api.types.is_datetime64_any_dtype(s):
        return [None if pd.isna(v) else pd.Timestamp(v).strftime("%Y-%m-%d") for v in s]
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        return [None if pd.isna(v) else float(v) for v in s]
    return [None if (not isinstance(v, str) and pd.isna(v)) else str(v) for v in s]


def _err(point: pd.Series, low: pd.Series | None, high: pd.Series | None) -> dict | None:
    """Asymmetric error bars from an interval (None when the interval is absent)."""
    if low is None or high is None:
        return None
    lo = pd.to_numeric(point, errors="coerce") - pd.to_numeric(low, errors="coerce")
    hi = pd.to_numeric(high, errors="coerce") - pd.to_numeric(point, errors="coerce")
    if lo.isna().all() and hi.isna().all():
        return None
    return dict(type="data", symmetric=False, array=_vals(hi.clip(lower=0)),
                arrayminus=_vals(lo.clip(lower=0)), visible=True)


def add_dropdown(fig: go.Figure, groups: Sequence[tuple[str, int]], title_prefix: str = "") -> go.Figure:
    """A dropdown that shows one group of traces at a time; groups = (label, n traces) in order.

    The first group is visible at start.
    """
    n = sum(k for _, k in groups)
    buttons, start = [], 0
    for label, k in groups:
        visible = [False] * n
        visible[start:start + k] = [True] * k
        buttons.append(dict(label=label, method="update",
                            args=[{"visible": visible}, {"title.text": f"{title_prefix}{label}"}]))
        start += k
    first = groups[0][1] if groups else 0
    for i, tr in enumerate(fig.data):
        tr.visible = i < first
    fig.update_layout(updatemenus=[dict(buttons=buttons, direction="down", x=1.0, xanchor="right",
                                        y=1.18, yanchor="top", showactive=True)])
    if groups:
        fig.update_layout(title=f"{title_prefix}{groups[0][0]}")
    return fig


def daily_trend(daily: pd.DataFrame, rolling_days: int) -> go.Figure:
    """Daily attributed revenue and cost (bars) with their rolling means, and engagement rate."""
    d = daily.sort_values("date")
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    x = _vals(d["date"])
    fig.add_trace(go.Bar(x=x, y=_vals(d["attributed_revenue_usd"]), name="revenue (USD)",
                         marker_color="#9ec5fe", opacity=0.6), secondary_y=False)
    roll = lambda c: d[c].rolling(rolling_days, min_periods=1).mean()  # noqa: E731
    fig.add_trace(go.Scatter(x=x, y=_vals(roll("attributed_revenue_usd")), mode="lines",
                             name=f"revenue, {rolling_days}-day mean", line_color=PALETTE[0]),
                  secondary_y=False)
    fig.add_trace(go.Scatter(x=x, y=_vals(roll("cost_usd")), mode="lines",
                             name=f"cost, {rolling_days}-day mean", line_color=PALETTE[1]),
                  secondary_y=False)
    if "engagement_rate_by_reach" in d:
        fig.add_trace(go.Scatter(x=x, y=_vals(d["engagement_rate_by_reach"]), mode="lines",
                                 name="engagement rate by reach", line=dict(color=PALETTE[2], dash="dot")),
                      secondary_y=True)
    _layout(fig, title="Daily revenue, cost and engagement rate")
    fig.update_yaxes(title_text="USD per day", secondary_y=False)
    fig.update_yaxes(title_text="engagement rate", tickformat=".1%", secondary_y=True)
    return fig


def budget_vs_actual(campaigns: pd.DataFrame) -> go.Figure:
    """Per campaign: planned budget, planned spend to date and actual cost (grouped bars)."""
    c = campaigns.sort_values("campaign_id")
    x = _vals(c["campaign_id"])
    fig = go.Figure()
    fig.add_trace(go.Bar(x=x, y=_vals(c["planned_budget_usd"]), name="planned budget",
                         marker_color="#d0d7de"))
    if "planned_spend_to_date_usd" in c:
        fig.add_trace(go.Bar(x=x, y=_vals(c["planned_spend_to_date_usd"]),
                             name="planned spend to date", marker_color="#8c959f"))
    fig.add_trace(go.Bar(x=x, y=_vals(c["cost_usd"]), name="actual spend", marker_color=PALETTE[0]))
    _layout(fig, barmode="group", title="Budget against actual spend per campaign",
                      yaxis_title="USD")
    return fig


def ranked_bars(frame: pd.DataFrame, label: str, value: str, title: str, axis_title: str,
                low: str | None = None, high: str | None = None, hover: str | None = None,
                colour: str = PALETTE[0], tickformat: str | None = None) -> go.Figure:
    """Horizontal bars, best at the top, with an interval as error bars when given."""
    f = frame.sort_values(value, ascending=True)
    err = _err(f[value], f[low] if low else None, f[high] if high else None)
    fig = go.Figure(go.Bar(y=_vals(f[label]), x=_vals(f[value]), orientation="h", marker_color=colour,
                           error_x=err, hovertext=_vals(f[hover]) if hover else None, name=value))
    _layout(fig, title=title, xaxis_title=axis_title,
                      height=max(260, 28 * len(f) + 110), showlegend=False)
    if tickformat:
        fig.update_xaxes(tickformat=tickformat)
    return fig


def campaign_daily_trends(campaign_daily: pd.DataFrame, campaign_ids: Sequence[str]) -> go.Figure:
    """Daily revenue, cost and engagements of one campaign at a time (dropdown)."""
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    groups = []
    for cid in campaign_ids:
        d = campaign_daily[campaign_daily["campaign_id"] == cid].sort_values("date")
        x = _vals(d["date"])
        fig.add_trace(go.Bar(x=x, y=_vals(d["attributed_revenue_usd"]), name="revenue (USD)",
                             marker_color="#9ec5fe"), secondary_y=False)
        fig.add_trace(go.Scatter(x=x, y=_vals(d["cost_usd"]), name="cost (USD)", mode="lines",
                                 line_color=PALETTE[1]), secondary_y=False)
        fig.add_trace(go.Scatter(x=x, y=_vals(d["engagements"]), name="engagements", mode="lines",
                                 line=dict(color=PALETTE[2], dash="dot")), secondary_y=True)
        groups.append((str(cid), 3))
    fig.update_layout(**_LAYOUT)
    fig.update_yaxes(title_text="USD per day", secondary_y=False)
    fig.update_yaxes(title_text="engagements", secondary_y=True)
    return add_dropdown(fig, groups, "Daily trend — ")


def creator_breakdown(rows: pd.DataFrame, campaign_ids: Sequence[str], value: str,
                      low: str | None, high: str | None, axis_title: str) -> go.Figure:
    """Per campaign (dropdown): each creator's value (e.g. ROI), with its interval if given."""
    fig = go.Figure()
    groups = []
    for cid in campaign_ids:
        d = rows[rows["campaign_id"] == cid].sort_values(value)
        err = _err(d[value], d[low] if low else None, d[high] if high else None)
        fig.add_trace(go.Bar(y=_vals(d["creator_id"]), x=_vals(d[value]), orientation="h",
                             error_x=err, marker_color=PALETTE[0], name=value))
        groups.append((str(cid), 1))
    n_max = int(rows.groupby("campaign_id").size().max()) if len(rows) else 1
    _layout(fig, xaxis_title=axis_title, showlegend=False,
                      height=max(300, 22 * n_max + 120))
    return add_dropdown(fig, groups, "Creators in ")


def format_platform_heatmaps(cells: pd.DataFrame) -> go.Figure:
    """Engagement rate and revenue per post by content format × platform (two heatmaps)."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=("engagement rate by reach",
                                                        "attributed revenue per post (USD)"))
    for col, (metric, scale, fmt) in enumerate(
            [("engagement_rate", "Blues", ".2%"), ("revenue_per_post", "Greens", ",.0f")], start=1):
        p = cells.pivot(index="format", columns="platform", values=metric)
        text = [[("" if pd.isna(v) else format(v, fmt)) for v in row] for row in p.to_numpy()]
        fig.add_trace(go.Heatmap(z=[[None if pd.isna(v) else float(v) for v in row] for row in p.to_numpy()],
                                 x=[str(c) for c in p.columns], y=[str(i) for i in p.index],
                                 colorscale=scale, text=text, texttemplate="%{text}",
                                 showscale=False, name=metric), row=1, col=col)
    _layout(fig, height=360, title="Content performance by format and platform")
    return fig


def performance_history(history: pd.DataFrame, value: str, low: str | None, high: str | None,
                        axis_title: str) -> go.Figure:
    """One line per creator across their campaigns in order (x = campaign_seq)."""
    fig = go.Figure()
    for i, (cid, d) in enumerate(history.sort_values("campaign_seq").groupby("creator_id", sort=True)):
        err = _err(d[value], d[low] if low else None, d[high] if high else None)
        fig.add_trace(go.Scatter(x=_vals(d["campaign_seq"]), y=_vals(d[value]), mode="lines+markers",
                                 name=str(cid), error_y=err, line_color=PALETTE[i % len(PALETTE)],
                                 hovertext=_vals(d["campaign_id"])))
    _layout(fig, title="Performance history: each creator's campaigns in order",
                      xaxis_title="campaign number with the brand", yaxis_title=axis_title)
    fig.update_xaxes(dtick=1)
    return fig


def authenticity_scatter(auth: pd.DataFrame) -> go.Figure:
    """Authenticity score per creator (sorted), flagged creators in red, reasons on hover."""
    a = auth.sort_values("authenticity_score").reset_index(drop=True)
    flagged = a["is_flagged"].fillna(False).astype(bool)
    fig = go.Figure()
    for mask, name, colour in ((~flagged, "not flagged", "#8c959f"), (flagged, "flagged", PALETTE[1])):
        d = a[mask]
        fig.add_trace(go.Scatter(x=list(d.index), y=_vals(d["authenticity_score"]), mode="markers",
                                 name=name, marker=dict(color=colour, size=7),
                                 text=_vals(d["creator_id"]), hovertext=_vals(d["reasons"]),
                                 hovertemplate="%{text}: %{y:.0f}<br>%{hovertext}<extra></extra>"))
    _layout(fig, title="Authenticity score (100 = no signal out of line with peers)",
                      xaxis_title="creators, lowest score first", yaxis_title="authenticity score")
    return fig


def attribution_models(comparison: pd.DataFrame, level: str) -> go.Figure:
    """Revenue credited at one level by each model, with its distance to the reference model."""
    c = comparison[comparison["level"] == level]
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_trace(go.Bar(x=_vals(c["model"]), y=_vals(c["attributed_revenue"]),
                         name=f"revenue credited to {level}s (USD)", marker_color=PALETTE[0]),
                  secondary_y=False)
    if "tvd_to_reference" in c:
        ref = str(c["reference_model"].iloc[0]) if "reference_model" in c and len(c) else "reference"
        fig.add_trace(go.Scatter(x=_vals(c["model"]), y=_vals(c["tvd_to_reference"]), mode="markers",
                                 marker=dict(size=11, color=PALETTE[1], symbol="diamond"),
                                 name=f"distance of {level} shares to {ref} (TVD)"), secondary_y=True)
    _layout(fig, title=f"Attribution models side by side ({level} level)")
    fig.update_yaxes(title_text="USD", secondary_y=False)
    fig.update_yaxes(title_text="total variation distance", range=[0, 1], dtick=0.2, showgrid=False,
                     secondary_y=True)
    return fig


def creator_attribution_by_model(credit: pd.DataFrame, creators: Sequence[str]) -> go.Figure:
    """Each top creator's attributed revenue under every model (grouped bars, CI where known)."""
    fig = go.Figure()
    c = credit[credit["creator_id"].isin(list(creators))]
    for i, (model, d) in enumerate(c.groupby("model", sort=True)):
        d = d.set_index("creator_id").reindex(list(creators)).reset_index()
        err = _err(d["attributed_revenue"], d.get("revenue_ci_low"), d.get("revenue_ci_high"))
        fig.add_trace(go.Bar(x=_vals(d["creator_id"]), y=_vals(d["attributed_revenue"]), name=str(model),
                             marker_color=PALETTE[i % len(PALETTE)], error_y=err))
    _layout(fig, barmode="group", title="Attributed revenue per creator and model",
                      yaxis_title="USD")
    return fig


def forecast_chart(fc: pd.DataFrame, keys: Sequence[tuple[str, str]]) -> go.Figure:
    """Forecast with its interval and the actuals, one (series, metric) at a time (dropdown)."""
    fig = go.Figure()
    groups = []
    for series, metric in keys:
        d = fc[(fc["series"] == series) & (fc["metric"] == metric)].sort_values("date")
        x = _vals(d["date"])
        fig.add_trace(go.Scatter(x=x + x[::-1], y=_vals(d["yhat_upper"]) + _vals(d["yhat_lower"])[::-1],
                                 fill="toself", fillcolor="rgba(9,105,218,0.15)",
                                 line=dict(width=0), name="interval", hoverinfo="skip"))
        fig.add_trace(go.Scatter(x=x, y=_vals(d["yhat"]), mode="lines", name="forecast",
                                 line_color=PALETTE[0]))
        fig.add_trace(go.Scatter(x=x, y=_vals(d["actual"]), mode="markers", name="actual",
                                 marker=dict(color="#24292f", size=4)))
        groups.append((f"{series} · {metric}", 3))
    future = fc.loc[fc["is_forecast"].fillna(False).astype(bool), "date"]
    if len(future):  # where the forecast starts (the same day for every series of a run)
        start = pd.Timestamp(future.min()).strftime("%Y-%m-%d")
        fig.add_shape(type="line", xref="x", yref="paper", x0=start, x1=start, y0=0, y1=1,
                      line=dict(color="#57606a", dash="dot"))
        fig.add_annotation(x=start, y=1, xref="x", yref="paper", text="forecast →", showarrow=False,
                           xanchor="left", yanchor="bottom", font=dict(size=11, color="#57606a"))
    _layout(fig, yaxis_title="per day")
    return add_dropdown(fig, groups, "Forecast — ")


def pacing_chart(pacing: pd.DataFrame, warning_ratio: float) -> go.Figure:
    """Projected spend / planned budget per campaign, with its interval and the warning line."""
    p = pacing.sort_values("campaign_id").copy()
    planned = pd.to_numeric(p["planned_budget_usd"], errors="coerce").where(lambda s: s > 0)
    low = p["projected_spend_low_usd"] / planned if "projected_spend_low_usd" in p else None
    high = p["projected_spend_high_usd"] / planned if "projected_spend_high_usd" in p else None
    ratio = pd.to_numeric(p["pacing_ratio"], errors="coerce")
    colours = [PALETTE[1] if (v is not None and v > warning_ratio) else PALETTE[0] for v in _vals(ratio)]
    fig = go.Figure(go.Bar(x=_vals(p["campaign_id"]), y=_vals(ratio), marker_color=colours,
                           error_y=_err(ratio, low, high), name="pacing",
                           hovertext=_vals(p.get("campaign_state", p["campaign_id"]))))
    fig.add_hline(y=1.0, line_dash="dot", line_color="#57606a", annotation_text="on plan")
    fig.add_hline(y=warning_ratio, line_dash="dash", line_color=PALETTE[1],
                  annotation_text=f"warning ({warning_ratio:.0%})")
    _layout(fig, title="Budget pacing: projected spend / planned budget",
                      yaxis_title="pacing ratio", showlegend=False)
    fig.update_yaxes(tickformat=".0%")
    return fig


def allocation_bars(alloc: pd.DataFrame) -> go.Figure:
    """Current and recommended budget per creator (grouped), with the min/max bounds on hover."""
    a = alloc.copy()
    fig = go.Figure()
    fig.add_trace(go.Bar(x=_vals(a["creator_id"]), y=_vals(a["current_budget"]), name="current",
                         marker_color="#8c959f"))
    fig.add_trace(go.Bar(x=_vals(a["creator_id"]), y=_vals(a["recommended_budget"]), name="recommended",
                         marker_color=PALETTE[0],
                         hovertext=_vals(a["binding_constraint"]) if "binding_constraint" in a else None))
    _layout(fig, barmode="group", title="Budget allocation: current and recommended",
                      yaxis_title="USD")
    return fig


def response_curves_chart(points: pd.DataFrame, alloc: pd.DataFrame, creators: Sequence[str]) -> go.Figure:
    """Each creator's response curve (revenue against spend, with interval) and the current and
    recommended points on it, one creator at a time (dropdown)."""
    fig = go.Figure()
    groups = []
    a = alloc.set_index("creator_id") if len(alloc) else pd.DataFrame()
    for cid in creators:
        d = points[points["creator_id"] == cid].sort_values("spend_usd")
        x = _vals(d["spend_usd"])
        n = 0
        if {"expected_revenue_low", "expected_revenue_high"} <= set(d.columns) and \
                d["expected_revenue_low"].notna().any():
            fig.add_trace(go.Scatter(x=x + x[::-1], y=_vals(d["expected_revenue_high"])
                                     + _vals(d["expected_revenue_low"])[::-1], fill="toself",
                                     fillcolor="rgba(9,105,218,0.15)", line=dict(width=0),
                                     name="interval", hoverinfo="skip"))
            n += 1
        fig.add_trace(go.Scatter(x=x, y=_vals(d["expected_revenue"]), mode="lines",
                                 name="expected revenue", line_color=PALETTE[0]))
        n += 1
        if cid in a.index:
            r = a.loc[cid]
            fig.add_trace(go.Scatter(x=[float(r["current_budget"])], y=[float(r["expected_revenue_current"])],
                                     mode="markers", name="current", marker=dict(size=12, color="#57606a")))
            fig.add_trace(go.Scatter(x=[float(r["recommended_budget"])],
                                     y=[float(r["expected_revenue_recommended"])], mode="markers",
                                     name=f"recommended ({r.get('binding_constraint', '')})",
                                     marker=dict(size=13, color=PALETTE[1], symbol="star")))
            n += 2
        groups.append((str(cid), n))
    _layout(fig, xaxis_title="spend (USD)", yaxis_title="expected revenue (USD)")
    return add_dropdown(fig, groups, "Response curve — ")

