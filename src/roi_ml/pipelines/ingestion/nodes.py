"""Ingestion nodes: thin adapters over roi_ml.ingest (frames and config in, frames out).

Every node except `check_raw_structure` takes `ingestion_config`, the validated conf that
`check_raw_structure` returns after checking every raw header and the GA4 schema; so no node
reads a row, and none writes anything, before the structure of all raw inputs is known good.
Each node checks its own row accounting (rows read = kept + rejected) before returning, so a
node that would lose rows fails without writing its outputs.
"""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd

from roi_ml import schemas
from roi_ml.ingest import commerce, content, ga4, listening, plan, roster
from roi_ml.ingest.audit import SourceAudit, as_rejects, build_report, flatten_audits
from roi_ml.ingest.config import IngestionConfig
from roi_ml.ingest.errors import RawInputError
from roi_ml.ingest.structure import RawHeader, check_structure

CSV_SOURCES = (
    "creator_roster", "campaigns", "contracts", "content_tracker", "instagram_posts",
    "facebook_posts", "tiktok_posts", "youtube_posts", "x_posts", "shopify_orders",
    "crm_leads", "comments", "mentions_daily", "brand_lift_survey",
)


def check_raw_structure(params: dict[str, Any], raw_ga4_events: ir.Table,
                        *csv_headers: RawHeader) -> IngestionConfig:
    """Validate conf and the structure of every raw input; nothing is read row by row.

    Args:
        params: `params:ingestion`.
        raw_ga4_events: the GA4 events as a lazy Ibis table (its schema is checked and its
            files' metadata read to count rows, which fails on an unreadable file).
        csv_headers: RawHeader of each CSV source, in `CSV_SOURCES` order.

    Returns:
        The validated IngestionConfig (naming the files read), input of every other node.

    Raises:
        RawInputError: one message listing every problem with file, column and conf key.
    """
    headers = {}
    for name, header in zip(CSV_SOURCES, csv_headers, strict=True):
        headers[name] = header if isinstance(header, RawHeader) else RawHeader.of(header, name)
    cfg = check_structure(params, headers, {"ga4_events": dict(raw_ga4_events.schema().items())})
    try:
        raw_ga4_events.count().to_pyarrow()
    except Exception as exc:  # the backend's error type varies: report it as structural
        raise RawInputError(
            f"{cfg.source('ga4_events').file}: cannot be read ({exc}). Re-export the files or "
            f"fix the `filepath` of raw_ga4_events in conf/base/catalog.yml") from exc
    return cfg


def ingest_creator_roster(raw_creator_roster: pd.DataFrame, cfg: IngestionConfig
                          ) -> tuple[pd.DataFrame, pd.DataFrame, SourceAudit]:
    """creator_roster.csv -> creators, creator_platforms and the roster's audit."""
    creators, platforms, audit = roster.build_creators(raw_creator_roster, cfg)
    return (schemas.validate("creators", creators),
            schemas.validate("creator_platforms", platforms), audit)


def ingest_campaigns(raw_campaigns: pd.DataFrame, cfg: IngestionConfig
                     ) -> tuple[pd.DataFrame, SourceAudit]:
    """campaigns.csv -> campaigns and its audit."""
    campaigns, audit = plan.build_campaigns(raw_campaigns, cfg)
    return schemas.validate("campaigns", campaigns), audit


def ingest_contracts(raw_contracts: pd.DataFrame, creators: pd.DataFrame,
                     campaigns: pd.DataFrame, cfg: IngestionConfig
                     ) -> tuple[pd.DataFrame, SourceAudit]:
    """contracts.csv + creators + campaigns -> contracts and its audit."""
    contracts, audit = plan.build_contracts(raw_contracts, creators, campaigns, cfg)
    return schemas.validate("contracts", contracts), audit


def stage_platform_exports(raw_instagram_posts: pd.DataFrame, raw_facebook_posts: pd.DataFrame,
                           raw_tiktok_posts: pd.DataFrame, raw_youtube_posts: pd.DataFrame,
                           raw_x_posts: pd.DataFrame, cfg: IngestionConfig) -> pd.DataFrame:
    """The five platform exports -> one frame of parsed rows with their rejections so far
    (an in-memory hand-over to ingest_content_tracker and ingest_post_metrics)."""
    return content.stage_platform_exports({
        "instagram_posts": raw_instagram_posts, "facebook_posts": raw_facebook_posts,
        "tiktok_posts": raw_tiktok_posts, "youtube_posts": raw_youtube_posts,
        "x_posts": raw_x_posts,
    }, cfg)


def ingest_content_tracker(raw_content_tracker: pd.DataFrame, platform_export_rows: pd.DataFrame,
                           creators: pd.DataFrame, campaigns: pd.DataFrame,
                           contracts: pd.DataFrame, cfg: IngestionConfig
                           ) -> tuple[pd.DataFrame, SourceAudit]:
    """content_tracker.csv + export post attributes + creators/campaigns/contracts -> posts."""
    posts, audit = content.build_posts(raw_content_tracker, platform_export_rows, creators,
                                       campaigns, contracts, cfg)
    return schemas.validate("posts", posts), audit


def ingest_post_metrics(platform_export_rows: pd.DataFrame, posts: pd.DataFrame,
                        cfg: IngestionConfig) -> tuple[pd.DataFrame, list[SourceAudit]]:
    """Staged export rows + posts -> post_daily_metrics and one audit per platform export."""
    metrics, audits = content.build_post_daily_metrics(platform_export_rows, posts, cfg)
    return schemas.validate("post_daily_metrics", metrics), audits


def ingest_ga4_events(raw_ga4_events: ir.Table, cfg: IngestionConfig
                      ) -> tuple[ir.Table, ir.Table, ir.Table, SourceAudit]:
    """GA4 events (Ibis) -> sessions, conversion_events, rejected GA4 rows (Ibis, capped at
    ingestion.ga4.max_rejected_rows_listed) and the audit (counted by the backend).

    Only the audit's counts are computed here; the tables stay lazy and are written by
    their catalog datasets on the same backend.
    """
    kept, rejected = ga4.stage_ga4_events(raw_ga4_events, cfg)
    sessions = ga4.sessionise(kept, cfg.ga4)
    conversions = ga4.conversion_events(kept, cfg.ga4)
    audit = ga4.audit_ga4(raw_ga4_events, kept, rejected, cfg)
    return (schemas.validate("sessions", sessions),
            schemas.validate("conversion_events", conversions),
            ga4.limit_rejects(rejected, cfg.ga4.max_rejected_rows_listed), audit)


def ingest_shopify_orders(raw_shopify_orders: pd.DataFrame, pii_salt: str, cfg: IngestionConfig
                          ) -> tuple[pd.DataFrame, SourceAudit]:
    """shopify_orders.csv + PII salt -> orders (no PII) and its audit."""
    orders, audit = commerce.build_orders(raw_shopify_orders, pii_salt, cfg)
    return schemas.validate("orders", orders), audit


def ingest_crm_leads(raw_crm_leads: pd.DataFrame, pii_salt: str, cfg: IngestionConfig
                     ) -> tuple[pd.DataFrame, SourceAudit]:
    """crm_leads.csv + PII salt -> leads (no PII) and its audit."""
    leads, audit = commerce.build_leads(raw_crm_leads, pii_salt, cfg)
    return schemas.validate("leads", leads), audit


def ingest_comments(raw_comments: pd.DataFrame, posts: pd.DataFrame, pii_salt: str,
                    cfg: IngestionConfig) -> tuple[pd.DataFrame, SourceAudit]:
    """comments.csv + posts + PII salt -> comments (authors hashed) and its audit."""
    comments, audit = listening.build_comments(raw_comments, posts, pii_salt, cfg)
    return schemas.validate("comments", comments), audit


def ingest_mentions(raw_mentions_daily: pd.DataFrame, cfg: IngestionConfig
                    ) -> tuple[pd.DataFrame, SourceAudit]:
    """mentions_daily.csv -> mentions and its audit."""
    mentions, audit = listening.build_mentions(raw_mentions_daily, cfg)
    return schemas.validate("mentions", mentions), audit


def ingest_brand_lift_survey(raw_brand_lift_survey: pd.DataFrame, campaigns: pd.DataFrame,
                             cfg: IngestionConfig) -> tuple[pd.DataFrame, SourceAudit]:
    """brand_lift_survey.csv + campaigns -> surveys and its audit."""
    surveys, audit = listening.build_surveys(raw_brand_lift_survey, campaigns, cfg)
    return schemas.validate("surveys", surveys), audit


def collect_rejected_rows(ga4_rejected_rows: ir.Table, *audits: SourceAudit | list[SourceAudit]
                          ) -> ir.Table:
    """Rejected rows of every pandas source + the (capped) GA4 ones -> rejected_rows (Ibis).

    The pandas part is small (rejects only) and is appended to the GA4 expression, so the
    backend writes the file without loading GA4 rows into pandas.
    """
    frames = [a.rejects for a in flatten_audits(*audits) if a.rejects is not None]
    local = as_rejects(pd.concat(frames, ignore_index=True)) if frames else as_rejects(
        pd.DataFrame())
    schemas.RejectedRowsFrame.validate(local, lazy=True)
    local_table = ibis.memtable(local).cast(ga4_rejected_rows.schema())
    return schemas.validate("rejected_rows", local_table.union(ga4_rejected_rows))


def build_ingestion_report(*audits: SourceAudit | list[SourceAudit]) -> tuple[dict, dict]:
    """Every source's audit -> (ingestion_report, MLflow metrics).

    Raises RowAccountingError if, for any source, rows read != rows kept + rows rejected.
    """
    return build_report(flatten_audits(*audits))
