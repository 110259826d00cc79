"""pandera models of every canonical table in data/02_intermediate.

Dtype conventions (pandas 3):
- text: `pd.StringDtype()` (pandas' "string"; the NaN-variant "str" read back from Parquet
  validates too);
- timestamps: `datetime64[us, UTC]`;
- pure dates (a calendar day): tz-naive `datetime64[us]` at midnight, also in the Ibis tables
  (stored as Parquet timestamp[us] without time zone), so every date column reads back the
  same way in pandas and joins across tables;
- counts: nullable `Int64`; money and shares: `float64` (NaN when missing); flags: `bool`.

`sessions`, `conversion_events` and `rejected_rows` are Ibis tables; they are checked with
pandera's Ibis backend at schema level only (names, order, types), which costs no data scan.
Downstream code validates what it reads with `validate(name, frame)`.
"""

from __future__ import annotations

from typing import Annotated

import ibis.expr.datatypes as dt
import pandas as pd
import pandera.ibis as pai
import pandera.pandas as pa
from pandera.config import ValidationDepth, config_context
from pandera.engines import pandas_engine
from pandera.typing import Series

from roi_ml.ingest.config import CONVERSION_TYPES, PLATFORMS, POST_FORMATS

Text = pd.StringDtype
Count = pd.Int64Dtype
UtcTimestamp = Annotated[pd.DatetimeTZDtype, "us", "UTC"]
Date = pandas_engine.DateTime  # naive; the microsecond unit is checked by Canonical


class Canonical(pa.DataFrameModel):
    """Base: exact columns in order; every datetime column has microsecond resolution."""

    class Config:
        strict = True
        ordered = True

    @pa.dataframe_check
    def datetimes_are_microseconds(cls, df: pd.DataFrame) -> bool:
        return all(
            getattr(dtype, "unit", "us") == "us"
            for dtype in df.dtypes
            if pd.api.types.is_datetime64_any_dtype(dtype)
        )


class Creators(Canonical):
    creator_id: Series[Text] = pa.Field(unique=True)
    display_name: Series[Text] = pa.Field(nullable=True)
    niche: Series[Text] = pa.Field(nullable=True)
    country: Series[Text] = pa.Field(nullable=True)
    primary_platform: Series[Text] = pa.Field(nullable=True, isin=PLATFORMS)
    tier: Series[Text] = pa.Field(nullable=True)
    max_followers: Series[Count] = pa.Field(nullable=True, ge=0)
    known_audience_overlap: Series[float] = pa.Field(nullable=True, ge=0, le=1)
    discount_code: Series[Text] = pa.Field(nullable=True)
    onboarded_date: Series[Date] = pa.Field(nullable=True)


class CreatorPlatforms(Canonical):
    creator_id: Series[Text]
    platform: Series[Text] = pa.Field(isin=PLATFORMS)
    handle: Series[Text] = pa.Field(nullable=True)
    followers: Series[Count] = pa.Field(nullable=True, ge=0)

    class Config:
        unique = ["creator_id", "platform"]


class Campaigns(Canonical):
    campaign_id: Series[Text] = pa.Field(unique=True)
    campaign_name: Series[Text] = pa.Field(nullable=True)
    objective: Series[Text] = pa.Field(nullable=True)
    start_date: Series[Date]
    end_date: Series[Date]
    planned_budget_usd: Series[float] = pa.Field(nullable=True, ge=0)
    planned_daily_spend_usd: Series[float] = pa.Field(nullable=True, ge=0)
    target_audience_size: Series[Count] = pa.Field(nullable=True, ge=0)

    @pa.dataframe_check
    def ends_after_start(cls, df: pd.DataFrame) -> Series[bool]:
        return df["end_date"] >= df["start_date"]


class Contracts(Canonical):
    contract_id: Series[Text] = pa.Field(unique=True)
    creator_id: Series[Text]
    campaign_id: Series[Text]
    fee_usd: Series[float] = pa.Field(nullable=True, ge=0)
    product_cost_usd: Series[float] = pa.Field(nullable=True, ge=0)
    management_overhead_usd: Series[float] = pa.Field(nullable=True, ge=0)
    total_cost_usd: Series[float] = pa.Field(ge=0)
    deliverables_committed: Series[Count] = pa.Field(nullable=True, ge=0)
    deliverables_delivered: Series[Count] = pa.Field(nullable=True, ge=0)
    deliverables_on_time: Series[Count] = pa.Field(nullable=True, ge=0)
    content_quality_rating: Series[Count] = pa.Field(nullable=True, ge=1, le=5)
    asset_submitted_at: Series[UtcTimestamp] = pa.Field(nullable=True)
    asset_approved_at: Series[UtcTimestamp] = pa.Field(nullable=True)
    planned_launch_date: Series[Date] = pa.Field(nullable=True)
    actual_launch_date: Series[Date] = pa.Field(nullable=True)
    signed_date: Series[Date] = pa.Field(nullable=True)


class Posts(Canonical):
    post_id: Series[Text] = pa.Field(unique=True)
    contract_id: Series[Text]
    creator_id: Series[Text]
    campaign_id: Series[Text]
    platform: Series[Text] = pa.Field(isin=PLATFORMS)
    platform_post_id: Series[Text]
    format: Series[Text] = pa.Field(nullable=True, isin=POST_FORMATS)
    published_at: Series[UtcTimestamp] = pa.Field(nullable=True)
    caption: Series[Text] = pa.Field(nullable=True)
    tracked_url: Series[Text] = pa.Field(nullable=True)
    utm_source: Series[Text] = pa.Field(nullable=True)
    utm_medium: Series[Text] = pa.Field(nullable=True)
    utm_campaign: Series[Text] = pa.Field(nullable=True)
    utm_content: Series[Text] = pa.Field(nullable=True)
    due_date: Series[Date] = pa.Field(nullable=True)

    class Config:
        unique = ["platform", "platform_post_id"]


class PostDailyMetrics(Canonical):
    post_id: Series[Text]
    creator_id: Series[Text]
    platform: Series[Text] = pa.Field(isin=PLATFORMS)
    date: Series[Date]
    impressions: Series[Count] = pa.Field(nullable=True, ge=0)
    reach: Series[Count] = pa.Field(nullable=True, ge=0)
    views: Series[Count] = pa.Field(nullable=True, ge=0)
    likes: Series[Count] = pa.Field(nullable=True, ge=0)
    comments: Series[Count] = pa.Field(nullable=True, ge=0)
    shares: Series[Count] = pa.Field(nullable=True, ge=0)
    saves: Series[Count] = pa.Field(nullable=True, ge=0)
    link_clicks: Series[Count] = pa.Field(nullable=True, ge=0)
    followers: Series[Count] = pa.Field(nullable=True, ge=0)
    counter_corrected: Series[bool]

    class Config:
        unique = ["post_id", "date"]


class Orders(Canonical):
    order_id: Series[Text] = pa.Field(unique=True)
    shopify_id: Series[Text] = pa.Field(nullable=True)
    customer_id: Series[Text] = pa.Field(nullable=True, str_matches=r"^[0-9a-f]{64}$")
    created_at: Series[UtcTimestamp]
    currency: Series[Text]
    total: Series[float] = pa.Field(ge=0)
    total_usd: Series[float] = pa.Field(ge=0)
    subtotal_usd: Series[float] = pa.Field(nullable=True, ge=0)
    discount_code: Series[Text] = pa.Field(nullable=True)
    discount_usd: Series[float] = pa.Field(nullable=True, ge=0)
    financial_status: Series[Text] = pa.Field(nullable=True)
    n_line_items: Series[Count] = pa.Field(ge=1)
    landing_site: Series[Text] = pa.Field(nullable=True)
    utm_source: Series[Text] = pa.Field(nullable=True)
    utm_medium: Series[Text] = pa.Field(nullable=True)
    utm_campaign: Series[Text] = pa.Field(nullable=True)
    utm_content: Series[Text] = pa.Field(nullable=True)
    customer_order_number: Series[Count] = pa.Field(ge=1)
    is_returning_customer: Series[bool]


class Leads(Canonical):
    lead_id: Series[Text] = pa.Field(unique=True)
    created_at: Series[UtcTimestamp]
    lifecycle_stage: Series[Text] = pa.Field(nullable=True)
    is_sales_qualified: Series[bool]
    user_pseudo_id: Series[Text] = pa.Field(nullable=True)
    customer_id: Series[Text] = pa.Field(nullable=True, str_matches=r"^[0-9a-f]{64}$")


class Comments(Canonical):
    comment_id: Series[Text] = pa.Field(unique=True)
    post_id: Series[Text]
    platform: Series[Text] = pa.Field(isin=PLATFORMS)
    author_key: Series[Text] = pa.Field(nullable=True, str_matches=r"^[0-9a-f]{64}$")
    text: Series[Text] = pa.Field(nullable=True)
    created_at: Series[UtcTimestamp]
    replied: Series[bool]
    reply_at: Series[UtcTimestamp] = pa.Field(nullable=True)


class Mentions(Canonical):
    date: Series[Date]
    brand: Series[Text]
    is_own_brand: Series[bool]
    total_mentions: Series[Count] = pa.Field(ge=0)
    creator_content_mentions: Series[Count] = pa.Field(nullable=True, ge=0)
    positive: Series[Count] = pa.Field(nullable=True, ge=0)
    neutral: Series[Count] = pa.Field(nullable=True, ge=0)
    negative: Series[Count] = pa.Field(nullable=True, ge=0)

    class Config:
        unique = ["date", "brand"]


class Surveys(Canonical):
    campaign_id: Series[Text]
    wave: Series[Text]
    fielded_date: Series[Date] = pa.Field(nullable=True)
    respondents: Series[Count] = pa.Field(ge=0)
    aware: Series[Count] = pa.Field(ge=0)
    favorable: Series[Count] = pa.Field(nullable=True, ge=0)
    considering: Series[Count] = pa.Field(nullable=True, ge=0)

    class Config:
        unique = ["campaign_id", "wave"]

    @pa.dataframe_check
    def aware_within_respondents(cls, df: pd.DataFrame) -> Series[bool]:
        return df["aware"] <= df["respondents"]


class RejectedRowsFrame(Canonical):
    """The pandas part of rejected_rows (before the Ibis GA4 rows are appended)."""

    source: Series[Text]
    file: Series[Text]
    row_number: Series[Count] = pa.Field(nullable=True, ge=1)
    column: Series[Text] = pa.Field(nullable=True)
    value: Series[Text] = pa.Field(nullable=True)
    reason: Series[Text]


# --- Ibis tables (schema-level checks) ---------------------------------------------------
IbisUtc = dt.Timestamp(timezone="UTC", scale=6)
IbisDate = dt.Timestamp(scale=6)


class IbisCanonical(pai.DataFrameModel):
    class Config:
        strict = True
        ordered = True


class Sessions(IbisCanonical):
    session_id: dt.String
    user_pseudo_id: dt.String
    ga_session_id: dt.Int64
    session_start: IbisUtc
    session_date: IbisDate
    source: dt.String = pai.Field(nullable=True)
    medium: dt.String = pai.Field(nullable=True)
    campaign: dt.String = pai.Field(nullable=True)
    content: dt.String = pai.Field(nullable=True)
    channel: dt.String
    creator_post_id: dt.String = pai.Field(nullable=True)
    device_category: dt.String = pai.Field(nullable=True)
    country: dt.String = pai.Field(nullable=True)
    n_events: dt.Int64
    n_page_views: dt.Int64
    add_to_carts: dt.Int64
    checkouts: dt.Int64
    purchases: dt.Int64
    transaction_id: dt.String = pai.Field(nullable=True)
    purchase_revenue_usd: dt.Float64
    sign_ups: dt.Int64
    leads: dt.Int64
    installs: dt.Int64
    lead_id: dt.String = pai.Field(nullable=True)


class ConversionEvents(IbisCanonical):
    user_pseudo_id: dt.String
    session_id: dt.String
    event_timestamp: IbisUtc
    event_name: dt.String = pai.Field(isin=["purchase", "sign_up", "generate_lead",
                                           "first_open"])
    conversion_type: dt.String = pai.Field(isin=list(CONVERSION_TYPES))
    transaction_id: dt.String = pai.Field(nullable=True)
    revenue_usd: dt.Float64 = pai.Field(nullable=True)
    lead_id: dt.String = pai.Field(nullable=True)


class RejectedRows(IbisCanonical):
    source: dt.String
    file: dt.String
    row_number: dt.Int64 = pai.Field(nullable=True)
    column: dt.String = pai.Field(nullable=True)
    value: dt.String = pai.Field(nullable=True)
    reason: dt.String


SCHEMAS: dict[str, type[pa.DataFrameModel] | type[pai.DataFrameModel]] = {
    "creators": Creators,
    "creator_platforms": CreatorPlatforms,
    "campaigns": Campaigns,
    "contracts": Contracts,
    "posts": Posts,
    "post_daily_metrics": PostDailyMetrics,
    "sessions": Sessions,
    "conversion_events": ConversionEvents,
    "orders": Orders,
    "leads": Leads,
    "comments": Comments,
    "mentions": Mentions,
    "surveys": Surveys,
    "rejected_rows": RejectedRows,
}


def _as_pandas_schema(model: type[pai.DataFrameModel]) -> pa.DataFrameSchema:
    """The pandas equivalent of an Ibis model, for an Ibis table read back into pandas."""
    columns = {}
    for name, col in model.to_schema().columns.items():
        dtype = col.dtype.type
        if dtype.is_string():
            pd_dtype = pd.StringDtype()
        elif dtype.is_timestamp():
            pd_dtype = (pd.DatetimeTZDtype("us", dtype.timezone) if dtype.timezone
                        else "datetime64[us]")
        elif dtype.is_integer() and not col.nullable:
            pd_dtype = "int64"
        elif dtype.is_integer():  # pandas reads a nullable Parquet integer as int64 or float64
            columns[name] = pa.Column(None, nullable=True, checks=pa.Check(
                lambda s: pd.api.types.is_numeric_dtype(s), element_wise=False,
                name="numeric"))
            continue
        else:
            pd_dtype = "float64"
        columns[name] = pa.Column(pd_dtype, nullable=col.nullable)
    return pa.DataFrameSchema(columns, strict=True, ordered=True, name=model.__name__)


def validate(name: str, data):
    """Validate a canonical table by name; returns it unchanged or raises pandera's error.

    pandas frames are checked fully (all errors at once); Ibis tables at schema level only.
    """
    model = SCHEMAS[name]
    if isinstance(data, pd.DataFrame):
        if not issubclass(model, IbisCanonical):
            return model.validate(data, lazy=True)
        return _as_pandas_schema(model).validate(data, lazy=True)
    with config_context(validation_depth=ValidationDepth.SCHEMA_ONLY):
        return model.validate(data)
