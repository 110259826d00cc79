"""What each raw source must provide (code) and how its export is shaped (conf), validated once.

Two halves:
- `SOURCE_SPECS` (code) is the canonical side of every source: the canonical column names a
  source can map, how each is parsed (`kind`), and which ones the code cannot do without.
- `ingestion.sources.<source>` (conf/base/parameters_ingestion.yml) is the export side: the
  raw column name of each canonical column, the required ones, date formats, time zone.

`IngestionConfig.from_params` checks the conf against the specs and raises
`IngestionConfigError` naming the conf key for anything malformed, so a typo in the YAML stops
the run before any data is read.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from roi_ml.ingest.errors import PARAMS_FILE, IngestionConfigError

# The canonical platform vocabulary (roster columns, tracker values, export sources).
PLATFORMS: tuple[str, ...] = ("instagram", "tiktok", "youtube", "x", "facebook")
# The canonical post formats (posts.format); platform post types are mapped onto these in conf.
POST_FORMATS: tuple[str, ...] = ("video", "short", "carousel", "story", "long_form", "post")
# Canonical metric columns of the platform exports (post_daily_metrics).
METRIC_COLUMNS: tuple[str, ...] = (
    "impressions", "reach", "views", "likes", "comments", "shares", "saves", "link_clicks",
    "followers",
)
# Conversion types of the conversion_events table.
CONVERSION_TYPES: tuple[str, ...] = ("purchase", "sign_up", "lead", "install")


@dataclass(frozen=True)
class Col:
    """A canonical input column: how it is parsed and whether a row must have a value.

    kinds: id/text (string), count (integer >= 0), amount (float >= 0), share (float in 0..1),
    rating (integer 1..5), date, timestamp, bool, email (PII, hashed), pii (PII, hashed);
    for Parquet sources: string, integer, float (checked against the file's schema).
    """

    kind: str
    nonblank: bool = False


@dataclass(frozen=True)
class SourceSpec:
    """The canonical side of a raw source."""

    file_format: str  # "csv" or "parquet"
    columns: dict[str, Col]
    needs: tuple[str, ...]  # always required, whatever `required` says in conf
    platform_export: bool = False

    def kind_columns(self, *kinds: str) -> list[str]:
        return [c for c, spec in self.columns.items() if spec.kind in kinds]


def _platform_export_spec() -> SourceSpec:
    cols = {
        "platform_post_id": Col("id", True),
        "handle": Col("text"),
        "published_at": Col("timestamp"),
        "format": Col("text"),
        "caption": Col("text"),
        "date": Col("date", True),
        **{m: Col("count") for m in METRIC_COLUMNS},
    }
    return SourceSpec("csv", cols, needs=("platform_post_id", "date", "published_at"),
                      platform_export=True)


SOURCE_SPECS: dict[str, SourceSpec] = {
    "creator_roster": SourceSpec("csv", {
        "creator_id": Col("id", True),
        "display_name": Col("text"),
        "niche": Col("text"),
        "country": Col("text"),
        "primary_platform": Col("text"),
        **{f"{p}_handle": Col("text") for p in PLATFORMS},
        **{f"{p}_followers": Col("count") for p in PLATFORMS},
        "known_audience_overlap": Col("share"),
        "discount_code": Col("text"),
        "onboarded_date": Col("date"),
    }, needs=("creator_id",)),
    "campaigns": SourceSpec("csv", {
        "campaign_id": Col("id", True),
        "campaign_name": Col("text"),
        "objective": Col("text"),
        "start_date": Col("date", True),
        "end_date": Col("date", True),
        "planned_budget_usd": Col("amount"),
        "planned_daily_spend_usd": Col("amount"),
        "target_audience_size": Col("count"),
    }, needs=("campaign_id", "start_date", "end_date")),
    "contracts": SourceSpec("csv", {
        "contract_id": Col("id", True),
        "creator_id": Col("id", True),
        "campaign_id": Col("id", True),
        "fee_usd": Col("amount"),
        "product_cost_usd": Col("amount"),
        "management_overhead_usd": Col("amount"),
        "deliverables_committed": Col("count"),
        "deliverables_delivered": Col("count"),
        "deliverables_on_time": Col("count"),
        "content_quality_rating": Col("rating"),
        "asset_submitted_at": Col("timestamp"),
        "asset_approved_at": Col("timestamp"),
        "planned_launch_date": Col("date"),
        "actual_launch_date": Col("date"),
        "signed_date": Col("date"),
    }, needs=("contract_id", "creator_id", "campaign_id")),
    "content_tracker": SourceSpec("csv", {
        "content_id": Col("id", True),
        "contract_id": Col("id", True),
        "creator_id": Col("id", True),
        "campaign_id": Col("id", True),
        "platform": Col("id", True),
        "platform_post_id": Col("id", True),
        "format": Col("text"),
        "tracked_url": Col("text"),
        "due_date": Col("date"),
    }, needs=("content_id", "contract_id", "creator_id", "campaign_id", "platform",
              "platform_post_id")),
    "instagram_posts": _platform_export_spec(),
    "facebook_posts": _platform_export_spec(),
    "tiktok_posts": _platform_export_spec(),
    "youtube_posts": _platform_export_spec(),
    "x_posts": _platform_export_spec(),
    "ga4_events": SourceSpec("parquet", {
        "event_date": Col("string"),
        "event_timestamp": Col("integer"),
        "event_name": Col("string"),
        "user_pseudo_id": Col("string"),
        "ga_session_id": Col("integer"),
        "ga_session_number": Col("integer"),
        "source": Col("string"),
        "medium": Col("string"),
        "campaign": Col("string"),
        "content": Col("string"),
        "page_location": Col("string"),
        "device_category": Col("string"),
        "country": Col("string"),
        "transaction_id": Col("string"),
        "purchase_revenue": Col("float"),
        "currency": Col("string"),
        "lead_id": Col("string"),
    }, needs=("event_date", "event_timestamp", "event_name", "user_pseudo_id", "ga_session_id")),
    "shopify_orders": SourceSpec("csv", {
        "order_id": Col("id", True),
        "shopify_id": Col("text"),
        "email": Col("email"),
        "created_at": Col("timestamp", True),
        "currency": Col("id", True),
        "total": Col("amount", True),
        "subtotal": Col("amount"),
        "discount_code": Col("text"),
        "discount_amount": Col("amount"),
        "financial_status": Col("text"),
        "landing_site": Col("text"),
    }, needs=("order_id", "email", "created_at", "currency", "total")),
    "crm_leads": SourceSpec("csv", {
        "lead_id": Col("id", True),
        "created_at": Col("timestamp", True),
        "lifecycle_stage": Col("text"),
        "email": Col("email"),
        "user_pseudo_id": Col("text"),
    }, needs=("lead_id", "created_at")),
    "comments": SourceSpec("csv", {
        "platform": Col("id", True),
        "platform_post_id": Col("id", True),
        "comment_id": Col("id", True),
        "author": Col("pii"),
        "text": Col("text"),
        "created_at": Col("timestamp", True),
        "replied": Col("bool"),
        "reply_at": Col("timestamp"),
    }, needs=("platform", "platform_post_id", "comment_id", "created_at")),
    "mentions_daily": SourceSpec("csv", {
        "date": Col("date", True),
        "brand": Col("id", True),
        "is_own_brand": Col("bool"),
        "total_mentions": Col("count", True),
        "creator_content_mentions": Col("count"),
        "positive": Col("count"),
        "neutral": Col("count"),
        "negative": Col("count"),
    }, needs=("date", "brand", "total_mentions")),
    "brand_lift_survey": SourceSpec("csv", {
        "campaign_id": Col("id", True),
        "wave": Col("id", True),
        "fielded_date": Col("date"),
        "respondents": Col("count", True),
        "aware": Col("count", True),
        "favorable": Col("count"),
        "considering": Col("count"),
    }, needs=("campaign_id", "wave", "respondents", "aware")),
}

PII_KINDS = ("email", "pii")


@dataclass(frozen=True)
class SourceConfig:
    """The export side of one raw source, validated (`ingestion.sources.<name>`)."""

    name: str
    columns: dict[str, str]  # canonical name -> raw column name
    required: tuple[str, ...]  # canonical names whose raw column must exist
    timezone: str
    formats: dict[str, str]  # canonical date/timestamp column -> strptime format or ISO8601
    file: str  # the raw file, for messages and rejected_rows.file
    cumulative: bool = False
    platform: str | None = None
    post_types: dict[str, str] = field(default_factory=dict)

    @property
    def spec(self) -> SourceSpec:
        return SOURCE_SPECS[self.name]

    def key(self, *parts: str) -> str:
        """The dotted conf key of this source (or of one of its entries)."""
        return ".".join(("ingestion.sources", self.name, *parts))

    def raw_name(self, canonical: str) -> str:
        return self.columns.get(canonical, canonical)

    def is_pii(self, canonical: str) -> bool:
        col = self.spec.columns.get(canonical)
        return col is not None and col.kind in PII_KINDS


@dataclass(frozen=True)
class Ga4Config:
    """GA4 sessionisation settings (`ingestion.ga4`)."""

    channel_grouping: dict[str, tuple[str, ...]]  # channel -> lower-cased utm_medium values
    channel_if_no_medium: str
    channel_default: str
    creator_channel: str
    conversion_events: dict[str, str]  # GA4 event_name -> conversion_type
    page_view_event: str
    purchase_event: str
    cart_event: str
    checkout_event: str
    valid_from: dt.date
    valid_to: dt.date
    max_rejected_rows_listed: int


@dataclass(frozen=True)
class IngestionConfig:
    """Everything under `ingestion:` in conf, validated. Built by `IngestionConfig.from_params`."""

    sources: dict[str, SourceConfig]
    fx_to_usd: dict[str, float]
    creator_tiers: tuple[tuple[str, float], ...]  # (tier, min max_followers), ascending
    publish_grace_days: int
    campaign_dates_timezone: str
    sales_qualified_stages: tuple[str, ...]
    true_values: tuple[str, ...]
    false_values: tuple[str, ...]
    ga4: Ga4Config

    def source(self, name: str) -> SourceConfig:
        return self.sources[name]

    def with_files(self, files: Mapping[str, str]) -> IngestionConfig:
        """A copy whose sources name the files actually read (from the raw datasets)."""
        sources = {
            name: SourceConfig(**{**src.__dict__, "file": files.get(name, src.file)})
            for name, src in self.sources.items()
        }
        return IngestionConfig(**{**self.__dict__, "sources": sources})

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> IngestionConfig:
        """Validate the `ingestion` parameters; raise IngestionConfigError listing every problem."""
        p = _Problems()
        root = p.mapping(params, "ingestion")
        known = {"sources", "fx_to_usd", "creator_tiers", "publish_grace_days",
                 "campaign_dates_timezone", "sales_qualified_stages", "true_values",
                 "false_values", "ga4"}
        for k in root:
            if k not in known:
                p.add(f"ingestion.{k}", f"is not a known setting (known: {', '.join(sorted(known))})")
        sources = {}
        src_root = p.mapping(root.get("sources"), "ingestion.sources")
        for name in SOURCE_SPECS:
            if name not in src_root:
                p.add(f"ingestion.sources.{name}",
                      f"is missing: add the column map of the {name} export")
                continue
            src = _parse_source(p, name, src_root[name])
            if src is not None:
                sources[name] = src
        for name in src_root:
            if name not in SOURCE_SPECS:
                p.add(f"ingestion.sources.{name}",
                      f"is not a known source (known: {', '.join(SOURCE_SPECS)})")

        fx = {}
        for cur, rate in p.mapping(root.get("fx_to_usd"), "ingestion.fx_to_usd").items():
            key = f"ingestion.fx_to_usd.{cur}"
            if not (isinstance(cur, str) and re.fullmatch(r"[A-Z]{3}", cur)):
                p.add(key, "must be an upper-case ISO-4217 currency code, e.g. EUR")
            elif not _is_number(rate) or rate <= 0:
                p.add(key, f"must be a positive number (USD per 1 {cur}), got {rate!r}")
            else:
                fx[cur] = float(rate)
        if "fx_to_usd" in root and not fx:
            p.add("ingestion.fx_to_usd", "lists no currency")

        tiers = []
        for tier, bound in p.mapping(root.get("creator_tiers"), "ingestion.creator_tiers").items():
            if not _is_number(bound) or bound < 0:
                p.add(f"ingestion.creator_tiers.{tier}",
                      f"must be a follower count >= 0, got {bound!r}")
            else:
                tiers.append((str(tier), float(bound)))
        bounds = [b for _, b in tiers]
        if tiers and (bounds != sorted(bounds) or len(set(bounds)) != len(bounds) or bounds[0] != 0):
            p.add("ingestion.creator_tiers",
                  "must start at 0 and list strictly increasing lower bounds, smallest tier first")

        grace = root.get("publish_grace_days", 0)
        if not isinstance(grace, int) or isinstance(grace, bool) or grace < 0:
            p.add("ingestion.publish_grace_days", f"must be an integer >= 0, got {grace!r}")
            grace = 0

        campaign_tz = str(root.get("campaign_dates_timezone", "UTC"))
        try:
            ZoneInfo(campaign_tz)
        except (ZoneInfoNotFoundError, ValueError):
            p.add("ingestion.campaign_dates_timezone",
                  f"is not an IANA time zone name (e.g. UTC): {campaign_tz!r}")
            campaign_tz = "UTC"

        ga4 = _parse_ga4(p, p.mapping(root.get("ga4"), "ingestion.ga4"))
        p.raise_if_any()
        return cls(
            sources=sources,
            fx_to_usd=fx,
            creator_tiers=tuple(tiers),
            publish_grace_days=grace,
            campaign_dates_timezone=campaign_tz,
            sales_qualified_stages=_lower_tuple(root.get("sales_qualified_stages", ())),
            true_values=_lower_tuple(root.get("true_values", ("true", "yes", "y", "1"))),
            false_values=_lower_tuple(root.get("false_values", ("false", "no", "n", "0"))),
            ga4=ga4,
        )


class _Problems:
    """Collects conf problems so one error lists all of them."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, key: str, what: str) -> None:
        self.items.append(f"{key} {what} (in {PARAMS_FILE})")

    def mapping(self, value: Any, key: str) -> Mapping[str, Any]:
        if value is None:
            self.add(key, "is missing")
            return {}
        if not isinstance(value, Mapping):
            self.add(key, f"must be a mapping, got {type(value).__name__}: {value!r}")
            return {}
        return value

    def raise_if_any(self) -> None:
        if self.items:
            raise IngestionConfigError(self.items)


def _is_number(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool)


def _lower_tuple(values: Any) -> tuple[str, ...]:
    return tuple(str(v).strip().lower() for v in (values or ()))


def check_format(fmt: str) -> bool:
    """True if `fmt` is "ISO8601" or a strptime format that round-trips a timestamp."""
    if fmt == "ISO8601":
        return True
    if "%" not in fmt:
        return False
    sample = dt.datetime(2024, 11, 23, 14, 5, 6, tzinfo=dt.UTC)
    try:
        text = sample.strftime(fmt)
        dt.datetime.strptime(text, fmt)
    except ValueError:
        return False
    return True


def _parse_source(p: _Problems, name: str, conf: Any) -> SourceConfig | None:
    spec = SOURCE_SPECS[name]
    key = f"ingestion.sources.{name}"
    conf = p.mapping(conf, key)
    if not conf:
        return None
    known = {"columns", "required", "timezone", "formats", "cumulative", "platform",
             "post_types"}
    for k in conf:
        if k not in known:
            p.add(f"{key}.{k}", f"is not a known setting (known: {', '.join(sorted(known))})")

    columns: dict[str, str] = {}
    bad: set[str] = set()
    for canonical, raw in p.mapping(conf.get("columns"), f"{key}.columns").items():
        if canonical not in spec.columns:
            p.add(f"{key}.columns.{canonical}",
                  f"cannot be mapped: '{canonical}' is not a canonical column of {name} "
                  f"(expected one of: {', '.join(spec.columns)})")
        elif not isinstance(raw, str) or not raw.strip():
            p.add(f"{key}.columns.{canonical}",
                  f"must be the raw column name (a non-empty string), got {raw!r}")
            bad.add(canonical)
        else:
            columns[canonical] = raw
    for canonical in spec.needs:
        if canonical not in columns and canonical not in bad:
            p.add(f"{key}.columns.{canonical}",
                  f"is missing: {name} needs '{canonical}'; set it to the raw column name")

    required_conf = conf.get("required", [])
    if not isinstance(required_conf, list | tuple):
        p.add(f"{key}.required", f"must be a list of canonical column names, got {required_conf!r}")
        required_conf = []
    for canonical in required_conf:
        if canonical not in spec.columns:
            p.add(f"{key}.required", f"lists '{canonical}', not a canonical column of {name}")
        elif canonical not in columns and canonical not in bad and canonical not in spec.needs:
            p.add(f"{key}.columns.{canonical}",
                  f"is missing: '{canonical}' is listed in {key}.required")
    required = tuple(dict.fromkeys([*spec.needs, *[c for c in required_conf if c in columns]]))

    tz = conf.get("timezone", "UTC")
    try:
        ZoneInfo(str(tz))
    except (ZoneInfoNotFoundError, ValueError):
        p.add(f"{key}.timezone", f"is not an IANA time zone name (e.g. America/New_York): {tz!r}")
        tz = "UTC"

    formats: dict[str, str] = {}
    fmt_conf = conf.get("formats", {})
    if not isinstance(fmt_conf, Mapping):
        p.add(f"{key}.formats", f"must be a mapping column -> format, got {fmt_conf!r}")
        fmt_conf = {}
    for canonical, fmt in fmt_conf.items():
        col = spec.columns.get(canonical)
        if col is None or (col.kind not in ("date", "timestamp") and canonical != "event_date"):
            p.add(f"{key}.formats.{canonical}", "is not a date or timestamp column of this source")
        elif not isinstance(fmt, str) or not check_format(fmt):
            p.add(f"{key}.formats.{canonical}",
                  f"is not a valid strptime format (e.g. '%Y-%m-%d %H:%M') or ISO8601: {fmt!r}")
        else:
            formats[canonical] = fmt
    needs_format = spec.kind_columns("date", "timestamp") + (
        ["event_date"] if name == "ga4_events" else [])
    for canonical in needs_format:
        if canonical in columns and canonical not in formats and canonical not in fmt_conf:
            p.add(f"{key}.formats.{canonical}",
                  f"is missing: give the date format of '{columns[canonical]}', e.g. '%Y-%m-%d'")

    cumulative = conf.get("cumulative", False)
    if not isinstance(cumulative, bool):
        p.add(f"{key}.cumulative", f"must be true or false, got {cumulative!r}")
        cumulative = False

    platform = conf.get("platform")
    post_types: dict[str, str] = {}
    if spec.platform_export:
        if platform not in PLATFORMS:
            p.add(f"{key}.platform", f"must be one of {', '.join(PLATFORMS)}, got {platform!r}")
        pt = conf.get("post_types", {})
        if not isinstance(pt, Mapping):
            p.add(f"{key}.post_types", f"must map the export's post types to formats, got {pt!r}")
            pt = {}
        for raw_type, fmt in pt.items():
            if fmt not in POST_FORMATS:
                p.add(f"{key}.post_types.{raw_type}",
                      f"must be one of {', '.join(POST_FORMATS)}, got {fmt!r}")
            else:
                post_types[str(raw_type).strip().lower()] = fmt
    return SourceConfig(
        name=name,
        columns=columns,
        required=required,
        timezone=str(tz),
        formats=formats,
        file=f"{name}/*.parquet" if spec.file_format == "parquet" else f"{name}.csv",
        cumulative=cumulative,
        platform=platform if spec.platform_export else None,
        post_types=post_types,
    )


def _parse_ga4(p: _Problems, conf: Mapping[str, Any]) -> Ga4Config:
    key = "ingestion.ga4"
    known = {"channel_grouping", "creator_channel", "channel_if_no_medium", "channel_default",
             "conversion_events", "page_view_event", "purchase_event", "cart_event",
             "checkout_event", "valid_timestamps_utc",
             "max_rejected_rows_listed"}
    for k in conf:
        if k not in known:
            p.add(f"{key}.{k}", f"is not a known setting (known: {', '.join(sorted(known))})")
    grouping: dict[str, tuple[str, ...]] = {}
    for channel, mediums in p.mapping(conf.get("channel_grouping"),
                                      f"{key}.channel_grouping").items():
        if not isinstance(mediums, list | tuple) or not mediums:
            p.add(f"{key}.channel_grouping.{channel}",
                  f"must be a non-empty list of utm_medium values, got {mediums!r}")
            continue
        grouping[str(channel)] = _lower_tuple(mediums)
    seen: dict[str, str] = {}
    for channel, mediums in grouping.items():
        for m in mediums:
            if m in seen:
                p.add(f"{key}.channel_grouping.{channel}",
                      f"lists medium '{m}' already mapped to channel '{seen[m]}'")
            seen[m] = channel
    creator_channel = str(conf.get("creator_channel", "creator"))
    if grouping and creator_channel not in grouping:
        p.add(f"{key}.creator_channel",
              f"'{creator_channel}' is not a channel of {key}.channel_grouping")

    conv: dict[str, str] = {}
    for event, ctype in p.mapping(conf.get("conversion_events"),
                                  f"{key}.conversion_events").items():
        if ctype not in CONVERSION_TYPES:
            p.add(f"{key}.conversion_events.{event}",
                  f"must be one of {', '.join(CONVERSION_TYPES)}, got {ctype!r}")
        else:
            conv[str(event)] = ctype
    purchase_event = str(conf.get("purchase_event", "purchase"))

    bounds = p.mapping(conf.get("valid_timestamps_utc", {"from": "2000-01-01", "to": "2100-01-01"}),
                       f"{key}.valid_timestamps_utc")
    valid = []
    for end in ("from", "to"):
        value = bounds.get(end)
        try:
            valid.append(value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)))
        except ValueError:
            p.add(f"{key}.valid_timestamps_utc.{end}", f"must be a date YYYY-MM-DD, got {value!r}")
            valid.append(dt.date(2000, 1, 1))
    cap = conf.get("max_rejected_rows_listed", 100_000)
    if not isinstance(cap, int) or isinstance(cap, bool) or cap < 0:
        p.add(f"{key}.max_rejected_rows_listed", f"must be an integer >= 0, got {cap!r}")
        cap = 0
    return Ga4Config(
        channel_grouping=grouping,
        channel_if_no_medium=str(conf.get("channel_if_no_medium", "direct")),
        channel_default=str(conf.get("channel_default", "other")),
        creator_channel=creator_channel,
        conversion_events=conv,
        page_view_event=str(conf.get("page_view_event", "page_view")),
        purchase_event=purchase_event,
        cart_event=str(conf.get("cart_event", "add_to_cart")),
        checkout_event=str(conf.get("checkout_event", "begin_checkout")),
        valid_from=valid[0],
        valid_to=valid[1],
        max_rejected_rows_listed=cap,
    )
