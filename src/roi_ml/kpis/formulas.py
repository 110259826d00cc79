"""Every KPI formula of docs/metrics.md, one function each, on scalars or pandas Series.

Conventions (docs/metrics.md, "Conventions"):
- A rate or share is a fraction (0.052 = 5.2 %); money is USD; time is hours or days as named.
- A ratio whose denominator is zero, negative or missing is missing (NaN), never inf: a KPI
  that cannot be computed is shown as missing with a reason, not as a number.
- At every aggregate level a ratio KPI is the ratio of the sums of its parts over the rows
  it covers (never the mean of per-post ratios), so levels add up.

Targets and their status (`target_status`) are read from `kpis.targets` in
conf/base/parameters_kpis.yml.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

Number = float | int | pd.Series | np.ndarray


def _float_series(x, index: pd.Index) -> pd.Series:
    if isinstance(x, pd.Series):
        return pd.to_numeric(x, errors="coerce").astype("float64")
    value = float("nan") if x is None or pd.isna(x) else float(x)
    return pd.Series(value, index=index, dtype="float64")


def safe_ratio(numerator: Number, denominator: Number) -> Number:
    """numerator / denominator; NaN where the denominator is ≤ 0 or missing (never inf).

    Works on scalars and aligned Series; nullable integer inputs come back as float64.
    """
    if isinstance(numerator, pd.Series) or isinstance(denominator, pd.Series):
        index = numerator.index if isinstance(numerator, pd.Series) else denominator.index
        num, den = _float_series(numerator, index), _float_series(denominator, index)
        out = num / den.where(den > 0)
        return out.where(np.isfinite(out))
    try:
        num_f, den_f = float(numerator), float(denominator)
    except (TypeError, ValueError):
        return float("nan")
    if not np.isfinite(den_f) or den_f <= 0 or not np.isfinite(num_f):
        return float("nan")
    return num_f / den_f


# --- engagement ----------------------------------------------------------------------------
def engagements(likes: Number, comments: Number, shares: Number, saves: Number) -> Number:
    """Total engagements = likes + comments + shares + saves (a missing part counts as 0)."""
    parts = [likes, comments, shares, saves]
    if any(isinstance(p, pd.Series) for p in parts):
        index = next(p.index for p in parts if isinstance(p, pd.Series))
        total = pd.Series(0.0, index=index)
        for p in parts:
            total = total + (pd.to_numeric(p, errors="coerce").astype("float64").fillna(0.0)
                             if isinstance(p, pd.Series) else float(p or 0))
        return total
    return float(sum(0.0 if (p is None or pd.isna(p)) else float(p) for p in parts))


def engagement_rate_by_reach(engagements_: Number, reach: Number) -> Number:
    """Engagement rate by reach = engagements / reach (share)."""
    return safe_ratio(engagements_, reach)


def engagement_rate_by_followers(engagements_: Number, followers: Number) -> Number:
    """Engagement rate by followers = engagements / followers at publication (share)."""
    return safe_ratio(engagements_, followers)


def engagement_rate_by_impressions(engagements_: Number, impressions: Number) -> Number:
    """Engagement rate by impressions = engagements / impressions (share)."""
    return safe_ratio(engagements_, impressions)


def average_engagements_per_post(engagements_: Number, n_posts: Number) -> Number:
    """Average engagements per post = engagements / posts (engagements)."""
    return safe_ratio(engagements_, n_posts)


def frequency(impressions: Number, reach: Number) -> Number:
    """Frequency = impressions / reach (times each reached person saw the content)."""
    return safe_ratio(impressions, reach)


def positive_comment_share(positive: Number, labelled: Number) -> Number:
    """Comment sentiment score = positive comments / comments with a sentiment label."""
    return safe_ratio(positive, labelled)


def response_rate_24h(replied_within_24h: Number, comments: Number) -> Number:
    """Response rate = comments replied to within 24 h / comments (share)."""
    return safe_ratio(replied_within_24h, comments)


# --- traffic and conversion -----------------------------------------------------------------
def click_through_rate(link_clicks: Number, reach: Number) -> Number:
    """CTR = link clicks / reach (share of the people who saw the content who clicked)."""
    return safe_ratio(link_clicks, reach)


def conversion_rate(conversions: Number, link_sessions: Number) -> Number:
    """Conversion rate = conversions in sessions landing from a creator link / those sessions."""
    return safe_ratio(conversions, link_sessions)


def average_order_value(revenue_usd: Number, orders: Number) -> Number:
    """AOV = revenue / orders (USD)."""
    return safe_ratio(revenue_usd, orders)


def aov_index(aov_usd: Number, site_aov_usd: Number) -> Number:
    """AOV index = AOV of creator-attributed orders / site AOV (1.15 = 15 % above the site)."""
    return safe_ratio(aov_usd, site_aov_usd)


def cost_per_lead(cost_usd: Number, qualified_leads: Number) -> Number:
    """CPL = cost / qualified leads (USD)."""
    return safe_ratio(cost_usd, qualified_leads)


def sales_qualified_rate(sales_qualified_leads: Number, leads: Number) -> Number:
    """Lead quality = sales-qualified leads / leads (share)."""
    return safe_ratio(sales_qualified_leads, leads)


# --- money ----------------------------------------------------------------------------------
def cost_per_acquisition(cost_usd: Number, new_customers: Number) -> Number:
    """CPA = full cost (fee + product + overhead) / new customers acquired (USD)."""
    return safe_ratio(cost_usd, new_customers)


def roas(revenue_usd: Number, cost_usd: Number) -> Number:
    """ROAS = attributed revenue / cost (ratio, 5.0 = 5:1)."""
    return safe_ratio(revenue_usd, cost_usd)


def roi(revenue_usd: Number, cost_usd: Number) -> Number:
    """ROI = (attributed revenue − cost) / cost (ratio, 0.5 = +50 %)."""
    if isinstance(revenue_usd, pd.Series) or isinstance(cost_usd, pd.Series):
        rev = pd.to_numeric(revenue_usd, errors="coerce")
        return safe_ratio(rev - cost_usd, cost_usd)
    return safe_ratio(float(revenue_usd) - float(cost_usd), cost_usd)


def cpm(cost_usd: Number, impressions: Number) -> Number:
    """CPM = cost / impressions × 1000 (USD per 1,000 impressions)."""
    return safe_ratio(cost_usd, impressions) * 1000.0


def cpe(cost_usd: Number, engagements_: Number) -> Number:
    """CPE = cost / engagements (USD)."""
    return safe_ratio(cost_usd, engagements_)


def customer_lifetime_value(first_order_value_usd: Number, repeat_orders_per_customer_year: float,
                            horizon_years: float) -> Number:
    """CLV = mean first-order value × (1 + repeat orders per customer-year × horizon) (USD)."""
    return first_order_value_usd * (1.0 + repeat_orders_per_customer_year * horizon_years)


def clv_to_cpa(clv_usd: Number, cpa_usd: Number) -> Number:
    """CLV:CPA = CLV of acquired customers / CPA (ratio, 3.0 = 3:1)."""
    return safe_ratio(clv_usd, cpa_usd)


def budget_pacing(actual_spend_to_date_usd: Number, planned_spend_to_date_usd: Number) -> Number:
    """Budget pacing = actual spend to date / planned spend to date (1.0 = on plan)."""
    return safe_ratio(actual_spend_to_date_usd, planned_spend_to_date_usd)


def earned_media_value(volumes: Mapping[str, Number], unit_values_usd: Mapping[str, float]
                       ) -> Number:
    """EMV = Σ volume × unit value (USD); `impressions_per_1000` is valued per 1,000.

    `volumes` maps likes, comments, shares, saves, views, link_clicks, impressions to counts;
    `unit_values_usd` is one platform's rates from the versioned rate card in conf.
    """
    total: Number = 0.0
    for name, rate in unit_values_usd.items():
        key = "impressions" if name == "impressions_per_1000" else name
        if key not in volumes:
            continue
        vol = volumes[key]
        vol = (pd.to_numeric(vol, errors="coerce").astype("float64").fillna(0.0)
               if isinstance(vol, pd.Series) else (0.0 if pd.isna(vol) else float(vol)))
        scale = 1000.0 if name == "impressions_per_1000" else 1.0
        total = total + vol * float(rate) / scale
    return total


# --- audience, brand and operations ----------------------------------------------------------
def growth_rate(start: Number, end: Number) -> Number:
    """Audience growth rate = (followers at end − followers at start) / followers at start."""
    if isinstance(start, pd.Series) or isinstance(end, pd.Series):
        return safe_ratio(pd.to_numeric(end, errors="coerce") - start, start)
    return safe_ratio(float(end) - float(start), start)


def relative_lift(pre_share: Number, post_share: Number) -> Number:
    """Lift = (post-wave share − pre-wave share) / pre-wave share.

    Brand recall lift uses the aware share, brand sentiment shift the favorable share.
    """
    return growth_rate(pre_share, post_share)


def share_of(own: Number, all_brands: Number) -> Number:
    """Share of voice / conversation = own brand mentions / mentions of all tracked brands."""
    return safe_ratio(own, all_brands)


def rate(numerator: Number, denominator: Number) -> Number:
    """A plain share (delivery, compliance, on-time launch, disclosure): part / whole."""
    return safe_ratio(numerator, denominator)


# --- targets --------------------------------------------------------------------------------
BELOW, ON, ABOVE, NO_DATA, NOT_APPLICABLE = (
    "below_target", "on_target", "above_target", "no_data", "not_applicable")


def _bound(x: float) -> float:
    return 1e-9 * max(1.0, abs(float(x)))  # float noise never decides a status on a bound


def target_status(value: pd.Series | float, target: Mapping[str, Any] | None
                  ) -> pd.Series | str:
    """Status of a KPI against its target from conf: `{min: x}`, `{max: y}` or both (a band).

    on_target when min ≤ value ≤ max (bounds inclusive, to within 1e-9 relative, so 0.25
    computed as 0.2499999… is on a 0.25 target), below_target / above_target outside, no_data
    when the value is missing. With `strict: true` (the spec's "< $25", "> 70 %") a value on the
    bound is off target: below_target at the min, above_target at the max. A missing target
    gives not_applicable.
    """
    lo = target.get("min") if target else None
    hi = target.get("max") if target else None
    strict = bool(target.get("strict", False)) if target else False

    def below(v):
        return v <= float(lo) + _bound(lo) if strict else v < float(lo) - _bound(lo)

    def above(v):
        return v >= float(hi) - _bound(hi) if strict else v > float(hi) + _bound(hi)

    if isinstance(value, pd.Series):
        out = pd.Series(NOT_APPLICABLE if not target else ON, index=value.index, dtype="string")
        if not target:
            return out
        v = pd.to_numeric(value, errors="coerce").astype("float64")
        if lo is not None:
            out = out.mask(below(v), BELOW)
        if hi is not None:
            out = out.mask(above(v), ABOVE)
        return out.mask(v.isna(), NO_DATA)
    if not target:
        return NOT_APPLICABLE
    if value is None or pd.isna(value):
        return NO_DATA
    if lo is not None and below(value):
        return BELOW
    if hi is not None and above(value):
        return ABOVE
    return ON
