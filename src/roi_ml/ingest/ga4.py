"""GA4 BigQuery events -> `sessions` and `conversion_events`, out of core with Ibis.

Every function takes and returns Ibis expressions; nothing is loaded into pandas except the
small per-reason counts of `audit_ga4`. The expressions use only portable Ibis operations, so
the same code runs on any Ibis backend the catalog connects to (DuckDB by default). Two
DuckDB read options add provenance for rejected rows when present: `filename` and
`file_row_number` (set as load_args of raw_ga4_events); without them rejected GA4 rows carry
the configured file label and no row number.
"""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.datatypes as dtypes
import ibis.expr.types as ir

from roi_ml.ingest.audit import Reason, SourceAudit
from roi_ml.ingest.config import Ga4Config, IngestionConfig, SourceConfig

SOURCE = "ga4_events"
UTC_TS = dtypes.Timestamp(timezone="UTC", scale=6)
_EPOCH = ibis.literal(dt.datetime(1970, 1, 1, tzinfo=dt.UTC), type=UTC_TS)

_CANONICAL_TYPES = {
    "event_date": dtypes.string, "event_timestamp": dtypes.int64, "event_name": dtypes.string,
    "user_pseudo_id": dtypes.string, "ga_session_id": dtypes.int64,
    "ga_session_number": dtypes.int64, "source": dtypes.string, "medium": dtypes.string,
    "campaign": dtypes.string, "content": dtypes.string, "page_location": dtypes.string,
    "device_category": dtypes.string, "country": dtypes.string,
    "transaction_id": dtypes.string, "purchase_revenue": dtypes.float64,
    "currency": dtypes.string, "lead_id": dtypes.string,
}

SESSION_COLUMNS = [
    "session_id", "user_pseudo_id", "ga_session_id", "session_start", "session_date", "source",
    "medium", "campaign", "content", "channel", "creator_post_id", "device_category", "country",
    "n_events", "n_page_views", "add_to_carts", "checkouts", "purchases", "transaction_id", "purchase_revenue_usd",
    "sign_ups", "leads", "installs", "lead_id",
]
CONVERSION_COLUMNS = [
    "user_pseudo_id", "session_id", "event_timestamp", "event_name", "conversion_type",
    "transaction_id", "revenue_usd", "lead_id",
]


def utc_from_micros(micros: ir.IntegerValue) -> ir.TimestampValue:
    """Microseconds since the Unix epoch -> timestamp('UTC', 6)."""
    return _EPOCH + micros.as_interval("us")


def calendar(fmt: str, start: dt.date, end: dt.date) -> list[str]:
    """Every day from `start` to `end` (inclusive) written in `fmt`, e.g. '20240229'.

    An event_date is valid when it is one of these strings: a join against this small table
    is portable and ~50x faster than parsing 30M strings, and a bad value can never make the
    backend's date parser fail the query.
    """
    days = (end - start).days + 1
    return [(start + dt.timedelta(days=i)).strftime(fmt) for i in range(days)]


def canonical_events(raw: ir.Table, src: SourceConfig) -> ir.Table:
    """Raw GA4 columns renamed to canonical names (absent optional ones null), plus `_file`
    and `_row_number` (1-based, within its file) for rejected-row provenance."""
    cols = {}
    for canonical, dtype in _CANONICAL_TYPES.items():
        raw_name = src.columns.get(canonical)
        if raw_name is not None and raw_name in raw.columns:
            col = raw[raw_name]
            cols[canonical] = col if col.type() == dtype else col.cast(dtype)
        else:
            cols[canonical] = ibis.null(dtype)
    if "filename" in raw.columns:
        cols["_file"] = raw["filename"].re_extract(r"([^/\\]+)$", 1)
    else:
        cols["_file"] = ibis.literal(src.file)
    if "file_row_number" in raw.columns:
        cols["_row_number"] = (raw["file_row_number"] + 1).cast("int64")
    else:
        cols["_row_number"] = ibis.null(dtypes.int64)
    return raw.select(**cols)


def stage_ga4_events(raw: ir.Table, cfg: IngestionConfig) -> tuple[ir.Table, ir.Table]:
    """Raw events -> (kept events, rejected rows), as Ibis expressions.

    Rejected, first match wins: blank user_pseudo_id ("missing value"), event_timestamp
    null or outside ingestion.ga4.valid_timestamps_utc ("invalid timestamp"), event_date not
    a date in its format ("unparseable date"), null ga_session_id ("missing value"), a
    purchase whose currency is not in ingestion.fx_to_usd ("unsupported currency").
    Kept events gain event_ts (UTC timestamp), session_id and revenue_usd (FX-converted).
    """
    src = cfg.source(SOURCE)
    ga4 = cfg.ga4
    e = canonical_events(raw, src)
    e = e.mutate(currency=e.currency.strip().upper())
    lo, hi = _micros(ga4.valid_from), _micros(ga4.valid_to)
    # event_date is in the property time zone: allow a day either side of the UTC bounds
    days = ibis.memtable({"_valid_event_date": calendar(
        src.formats.get("event_date", "%Y%m%d"), ga4.valid_from - dt.timedelta(days=1),
        ga4.valid_to + dt.timedelta(days=1))})
    e = e.left_join(days, e.event_date == days._valid_event_date)

    def is_purchase(t: ir.Table) -> ir.BooleanValue:
        return (t.event_name == ga4.purchase_event).fill_null(False)

    # (condition, raw column reported, reason, value reported); the first match wins
    checks = [
        (lambda t: t.user_pseudo_id.isnull() | (t.user_pseudo_id.strip() == "").fill_null(True),
         "user_pseudo_id", Reason.MISSING_VALUE, lambda t: t.user_pseudo_id),
        (lambda t: t.event_timestamp.isnull() | (t.event_timestamp < lo)
         | (t.event_timestamp >= hi),
         "event_timestamp", Reason.INVALID_TIMESTAMP, lambda t: t.event_timestamp.cast("string")),
        (lambda t: t._valid_event_date.isnull(),
         "event_date", Reason.UNPARSEABLE_DATE, lambda t: t.event_date),
        (lambda t: t.ga_session_id.isnull(),
         "ga_session_id", Reason.MISSING_VALUE, lambda t: ibis.null(dtypes.string)),
        (lambda t: is_purchase(t) & ~t.currency.isin(list(cfg.fx_to_usd)).fill_null(False),
         "currency", Reason.UNSUPPORTED_CURRENCY, lambda t: t.currency),
    ]
    e = e.mutate(_check=ibis.cases(*[(cond(e), i) for i, (cond, *_) in enumerate(checks)],
                                   else_=ibis.null(dtypes.int8))).drop("_valid_event_date")

    rej = e.filter(e._check.notnull())
    rejected = rej.select(
        source=ibis.literal(SOURCE),
        file=rej._file,
        row_number=rej._row_number,
        column=ibis.cases(*[(rej._check == i, src.raw_name(col))
                            for i, (_, col, _, _) in enumerate(checks)]),
        value=ibis.cases(*[(rej._check == i, value(rej).cast("string"))
                           for i, (_, _, _, value) in enumerate(checks)]),
        reason=ibis.cases(*[(rej._check == i, reason)
                            for i, (_, _, reason, _) in enumerate(checks)]),
    )

    kept = e.filter(e._check.isnull()).drop("_check")
    fx = ibis.cases(*[(kept.currency == cur, rate) for cur, rate in cfg.fx_to_usd.items()],
                    else_=ibis.null(dtypes.float64))
    kept = kept.mutate(
        event_ts=utc_from_micros(kept.event_timestamp),
        session_id=kept.user_pseudo_id.concat("-", kept.ga_session_id.cast("string")),
        revenue_usd=ibis.ifelse(is_purchase(kept), kept.purchase_revenue * fx,
                                ibis.null(dtypes.float64)),
    )
    return kept, rejected


def _micros(day: dt.date) -> int:
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp() * 1_000_000)


def channel_of(medium: ir.StringValue, ga4: Ga4Config) -> ir.StringValue:
    """utm_medium -> channel with ingestion.ga4.channel_grouping (case-insensitive).

    No medium -> channel_if_no_medium (GA4 treats a session without source as direct);
    a medium in no list -> channel_default.
    """
    m = medium.strip().lower()
    branches = [(m.isin(list(values)), channel) for channel, values in ga4.channel_grouping.items()]
    return ibis.cases((m.isnull() | (m == ""), ga4.channel_if_no_medium), *branches,
                      else_=ga4.channel_default)


def _events_of_type(ga4: Ga4Config, conversion_type: str) -> list[str]:
    return [e for e, t in ga4.conversion_events.items() if t == conversion_type]


def sessionise(events: ir.Table, ga4: Ga4Config) -> ir.Table:
    """Kept events -> one row per (user_pseudo_id, ga_session_id).

    source/medium/campaign/content, device and country: the first non-null value in the session
    by event time; transaction_id: the last purchase's; purchase_revenue_usd: sum of the
    purchases' FX-converted revenue (0 when none); lead_id: the last non-null; counts of
    events, page views and conversions by conversion type. channel from the medium;
    creator_post_id = content when the channel is the creator channel.
    """
    ts = events.event_ts

    def first(col: ir.Column) -> ir.Scalar:
        return col.argmin(ts, where=col.notnull())

    def n_of(conversion_type: str) -> ir.IntegerScalar:
        return events.count(where=events.event_name.isin(_events_of_type(ga4, conversion_type)))

    is_purchase = events.event_name == ga4.purchase_event
    s = events.group_by(["user_pseudo_id", "ga_session_id"]).aggregate(
        session_start=ts.min(),
        source=first(events.source),
        medium=first(events.medium),
        campaign=first(events.campaign),
        content=first(events.content),
        device_category=first(events.device_category),
        country=first(events.country),
        n_events=events.count(),
        n_page_views=events.count(where=events.event_name == ga4.page_view_event),
        add_to_carts=events.count(where=events.event_name == ga4.cart_event),
        checkouts=events.count(where=events.event_name == ga4.checkout_event),
        purchases=n_of("purchase"),
        transaction_id=events.transaction_id.argmax(
            ts, where=is_purchase & events.transaction_id.notnull()),
        purchase_revenue_usd=events.revenue_usd.sum(where=is_purchase),
        sign_ups=n_of("sign_up"),
        leads=n_of("lead"),
        installs=n_of("install"),
        lead_id=events.lead_id.argmax(ts, where=events.lead_id.notnull()),
    )
    channel = channel_of(s.medium, ga4)
    s = s.mutate(
        session_id=s.user_pseudo_id.concat("-", s.ga_session_id.cast("string")),
        session_date=s.session_start.date().cast(dtypes.Timestamp(scale=6)),
        channel=channel,
        creator_post_id=ibis.ifelse(channel == ga4.creator_channel, s.content,
                                    ibis.null(dtypes.string)),
        purchase_revenue_usd=s.purchase_revenue_usd.fill_null(0.0),
    )
    return s.select(*SESSION_COLUMNS)


def conversion_events(events: ir.Table, ga4: Ga4Config) -> ir.Table:
    """Kept events -> one row per conversion event (ingestion.ga4.conversion_events), in time
    order. transaction_id and revenue_usd only on purchases; lead_id as exported.
    """
    conv = events.filter(events.event_name.isin(list(ga4.conversion_events)))
    ctype = ibis.cases(*[(conv.event_name == e, t) for e, t in ga4.conversion_events.items()])
    is_purchase = conv.event_name == ga4.purchase_event
    out = conv.select(
        user_pseudo_id=conv.user_pseudo_id,
        session_id=conv.session_id,
        event_timestamp=conv.event_ts,
        event_name=conv.event_name,
        conversion_type=ctype,
        transaction_id=ibis.ifelse(is_purchase, conv.transaction_id, ibis.null(dtypes.string)),
        revenue_usd=conv.revenue_usd,
        lead_id=conv.lead_id,
    )
    return out.order_by(["event_timestamp", "session_id", "event_name"])


def limit_rejects(rejected: ir.Table, cap: int) -> ir.Table:
    """At most `cap` rejected GA4 rows, in file and row order (all are counted in the report)."""
    return rejected.order_by(["file", "row_number"]).limit(cap)


def audit_ga4(raw: ir.Table, kept: ir.Table, rejected: ir.Table, cfg: IngestionConfig
              ) -> SourceAudit:
    """Counts computed by the backend: rows read, kept events, rejected events by reason."""
    rows_read = int(raw.count().to_pyarrow().as_py())
    rows_kept = int(kept.count().to_pyarrow().as_py())
    by_reason = rejected.group_by("reason").aggregate(n=ibis._.count()).to_pyarrow()
    rejected_by_reason = {r["reason"]: int(r["n"]) for r in by_reason.to_pylist()}
    listed = min(sum(rejected_by_reason.values()), cfg.ga4.max_rejected_rows_listed)
    return SourceAudit(source=SOURCE, file=cfg.source(SOURCE).file, rows_read=rows_read,
                       rows_kept=rows_kept, rejected_by_reason=dict(sorted(rejected_by_reason.items())),
                       extra={"rejected_rows_listed": listed}).check()
