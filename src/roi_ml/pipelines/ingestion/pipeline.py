"""Ingestion: raw exports (data/01_raw) -> canonical, validated tables (data/02_intermediate).

Wiring only; the logic is in roi_ml.ingest (see docs/data_contract.md for the raw files).
"""

from __future__ import annotations

from kedro.pipeline import Node, Pipeline

from roi_ml.pipelines.ingestion import nodes

CFG = "ingestion_config"
AUDITS = [
    "audit_creator_roster", "audit_campaigns", "audit_contracts", "audit_content_tracker",
    "audit_platform_exports", "audit_ga4_events", "audit_shopify_orders", "audit_crm_leads",
    "audit_comments", "audit_mentions_daily", "audit_brand_lift_survey",
]


def create_pipeline(**kwargs) -> Pipeline:
    return Pipeline([
        Node(nodes.check_raw_structure,
             ["params:ingestion", "raw_ga4_events",
              *[f"raw_{s}_header" for s in nodes.CSV_SOURCES]],
             CFG, name="check_raw_structure"),
        Node(nodes.ingest_creator_roster, ["raw_creator_roster", CFG],
             ["creators", "creator_platforms", "audit_creator_roster"],
             name="ingest_creator_roster"),
        Node(nodes.ingest_campaigns, ["raw_campaigns", CFG], ["campaigns", "audit_campaigns"],
             name="ingest_campaigns"),
        Node(nodes.ingest_contracts, ["raw_contracts", "creators", "campaigns", CFG],
             ["contracts", "audit_contracts"], name="ingest_contracts"),
        Node(nodes.stage_platform_exports,
             ["raw_instagram_posts", "raw_facebook_posts", "raw_tiktok_posts",
              "raw_youtube_posts", "raw_x_posts", CFG],
             "platform_export_rows", name="stage_platform_exports"),
        Node(nodes.ingest_content_tracker,
             ["raw_content_tracker", "platform_export_rows", "creators", "campaigns",
              "contracts", CFG],
             ["posts", "audit_content_tracker"], name="ingest_content_tracker"),
        Node(nodes.ingest_post_metrics, ["platform_export_rows", "posts", CFG],
             ["post_daily_metrics", "audit_platform_exports"], name="ingest_post_metrics"),
        Node(nodes.ingest_ga4_events, ["raw_ga4_events", CFG],
             ["sessions", "conversion_events", "ga4_rejected_rows", "audit_ga4_events"],
             name="ingest_ga4_events"),
        Node(nodes.ingest_shopify_orders, ["raw_shopify_orders", "pii_salt", CFG],
             ["orders", "audit_shopify_orders"], name="ingest_shopify_orders"),
        Node(nodes.ingest_crm_leads, ["raw_crm_leads", "pii_salt", CFG],
             ["leads", "audit_crm_leads"], name="ingest_crm_leads"),
        Node(nodes.ingest_comments, ["raw_comments", "posts", "pii_salt", CFG],
             ["comments", "audit_comments"], name="ingest_comments"),
        Node(nodes.ingest_mentions, ["raw_mentions_daily", CFG],
             ["mentions", "audit_mentions_daily"], name="ingest_mentions"),
        Node(nodes.ingest_brand_lift_survey, ["raw_brand_lift_survey", "campaigns", CFG],
             ["surveys", "audit_brand_lift_survey"], name="ingest_brand_lift_survey"),
        Node(nodes.collect_rejected_rows, ["ga4_rejected_rows", *AUDITS], "rejected_rows",
             name="collect_rejected_rows"),
        Node(nodes.build_ingestion_report, AUDITS, ["ingestion_report", "ingestion_metrics"],
             name="build_ingestion_report"),
    ], tags=["ingestion"])
