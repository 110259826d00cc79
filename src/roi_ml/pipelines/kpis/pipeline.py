"""KPI pipeline wiring: canonical tables (data/02_intermediate) -> KPI tables.

Wiring only; the logic is in roi_ml.kpis (formulas in docs/metrics.md).
"""

from __future__ import annotations

from kedro.pipeline import Node, Pipeline

from roi_ml.pipelines.kpis import nodes

P = "params:kpis"
AS_OF = "kpi_as_of"


def create_pipeline(**kwargs) -> Pipeline:
    return Pipeline([
        Node(nodes.resolve_as_of, [P, "post_daily_metrics", "campaigns"], AS_OF,
             name="resolve_kpi_as_of"),
        Node(nodes.prepare_post_totals,
             ["posts", "post_daily_metrics", "creators", "creator_platforms", P],
             "kpi_post_totals", name="prepare_post_totals"),
        Node(nodes.score_comment_sentiment, ["comments", P], "comment_sentiment",
             name="score_comment_sentiment"),
        Node(nodes.detect_post_disclosures, ["posts", P], "post_disclosure",
             name="detect_post_disclosures"),
        Node(nodes.list_non_compliant_posts, ["posts", "post_disclosure"], "non_compliant_posts",
             name="list_non_compliant_posts"),
        Node(nodes.score_creator_authenticity,
             ["kpi_post_totals", "post_daily_metrics", "comments", "posts", "creators",
              "creator_platforms", AS_OF, P],
             ["creator_authenticity", "account_authenticity"], name="score_creator_authenticity"),
        Node(nodes.attribute_orders_click_or_code, ["orders", "creators", "posts", P],
             "creator_attributed_orders", name="attribute_orders_click_or_code"),
        Node(nodes.summarise_link_sessions, "sessions", ["link_sessions", "lead_sessions"],
             name="summarise_link_sessions"),
        Node(nodes.attribute_leads_by_click, ["leads", "lead_sessions", "posts", P],
             "creator_attributed_leads", name="attribute_leads_by_click"),
        Node(nodes.build_kpi_measures,
             ["kpi_post_totals", "post_daily_metrics", "comment_sentiment", "post_disclosure",
              "creator_attributed_orders", "creator_attributed_leads", "link_sessions",
              "contracts", "posts", "account_authenticity", AS_OF, P],
             "kpi_measures", name="build_kpi_measures"),
        Node(nodes.build_kpi_post,
             ["kpi_measures", "kpi_post_totals", "post_disclosure", "campaigns", "orders", AS_OF, P],
             "kpi_post", name="build_kpi_post"),
        Node(nodes.build_kpi_creator_campaign,
             ["kpi_measures", "kpi_post_totals", "contracts", "post_disclosure", "campaigns",
              "creators", "creator_platforms", "post_daily_metrics", "creator_authenticity",
              "account_authenticity", "orders", AS_OF, P],
             "kpi_creator_campaign", name="build_kpi_creator_campaign"),
        Node(nodes.build_kpi_creator,
             ["kpi_measures", "kpi_post_totals", "contracts", "post_disclosure", "campaigns",
              "creators", "creator_platforms", "post_daily_metrics", "creator_authenticity",
              "account_authenticity", "orders", AS_OF, P],
             "kpi_creator", name="build_kpi_creator"),
        Node(nodes.build_kpi_campaign,
             ["kpi_measures", "kpi_post_totals", "contracts", "post_disclosure", "campaigns",
              "creators", "creator_platforms", "post_daily_metrics", "mentions", "surveys",
              "account_authenticity", "orders", AS_OF, P],
             "kpi_campaign", name="build_kpi_campaign"),
        Node(nodes.build_kpi_platform,
             ["kpi_measures", "kpi_post_totals", "campaigns", "creators", "creator_platforms",
              "account_authenticity", "orders", AS_OF, P],
             "kpi_platform", name="build_kpi_platform"),
        Node(nodes.build_kpi_daily, ["kpi_measures", "mentions", "orders", AS_OF, P],
             ["kpi_daily", "kpi_campaign_daily"], name="build_kpi_daily"),
        Node(nodes.kpi_summary_metrics, ["kpi_campaign", "kpi_post", "creator_authenticity"],
             "kpi_metrics", name="kpi_summary_metrics"),
    ], tags=["kpis"])
