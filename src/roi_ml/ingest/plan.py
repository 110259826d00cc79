"""The campaign plan and the contracts sheet -> `campaigns` and `contracts`."""

from __future__ import annotations

import pandas as pd

from roi_ml.ingest.audit import Reason, SourceAudit
from roi_ml.ingest.config import IngestionConfig
from roi_ml.ingest.parsing import STRING
from roi_ml.ingest.staging import Staged

CAMPAIGN_COLUMNS = [
    "campaign_id", "campaign_name", "objective", "start_date", "end_date",
    "planned_budget_usd", "planned_daily_spend_usd", "target_audience_size",
]
CONTRACT_COLUMNS = [
    "contract_id", "creator_id", "campaign_id", "fee_usd", "product_cost_usd",
    "management_overhead_usd", "total_cost_usd", "deliverables_committed",
    "deliverables_delivered", "deliverables_on_time", "content_quality_rating",
    "asset_submitted_at", "asset_approved_at", "planned_launch_date", "actual_launch_date",
    "signed_date",
]


def build_campaigns(raw: pd.DataFrame, cfg: IngestionConfig) -> tuple[pd.DataFrame, SourceAudit]:
    """campaigns.csv -> (campaigns, audit).

    Rejects: missing/duplicate campaign_id, unparseable dates or numbers, a negative budget,
    end_date before start_date. Dates are inclusive calendar days.
    """
    st = Staged(cfg.source("campaigns"), raw).parse(cfg)
    v = st.values
    st.reject(v["end_date"] < v["start_date"], "end_date", Reason.END_BEFORE_START)
    st.reject_duplicates(["campaign_id"], "campaign_id")
    kept = st.kept().copy()
    kept["objective"] = kept["objective"].str.lower()
    out = kept[CAMPAIGN_COLUMNS].reset_index(drop=True)
    out = out.astype({"campaign_id": STRING, "campaign_name": STRING, "objective": STRING,
                      "planned_budget_usd": "float64", "planned_daily_spend_usd": "float64",
                      "target_audience_size": "Int64"})
    return out, st.audit(len(out))


def build_contracts(
    raw: pd.DataFrame, creators: pd.DataFrame, campaigns: pd.DataFrame, cfg: IngestionConfig
) -> tuple[pd.DataFrame, SourceAudit]:
    """contracts.csv + kept creators and campaigns -> (contracts, audit).

    Rejects: missing/duplicate contract_id, a creator or campaign not in the kept roster or
    plan, unparseable or negative amounts and counts, a rating outside 1..5, unparseable dates.
    total_cost_usd = fee + product cost + management overhead (a blank part counts as 0).
    Asset timestamps are read in the source time zone and stored in UTC.
    """
    st = Staged(cfg.source("contracts"), raw).parse(cfg)
    v = st.values
    st.reject(~v["creator_id"].isin(creators["creator_id"]), "creator_id",
              Reason.UNKNOWN_CREATOR)
    st.reject(~v["campaign_id"].isin(campaigns["campaign_id"]), "campaign_id",
              Reason.UNKNOWN_CAMPAIGN)
    st.reject_duplicates(["contract_id"], "contract_id")
    kept = st.kept().copy()
    parts = ["fee_usd", "product_cost_usd", "management_overhead_usd"]
    kept["total_cost_usd"] = kept[parts].fillna(0.0).sum(axis=1).astype("float64")
    out = kept[CONTRACT_COLUMNS].reset_index(drop=True)
    return out, st.audit(len(out))
