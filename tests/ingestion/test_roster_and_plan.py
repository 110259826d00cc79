"""creators, creator_platforms, campaigns, contracts."""

import pandas as pd

from roi_ml.ingest.plan import build_campaigns, build_contracts
from roi_ml.ingest.roster import assign_tier, build_creators


def add_row(df, **cells):
    row = {c: "" for c in df.columns} | {k: str(v) for k, v in cells.items()}
    return pd.concat([df, pd.DataFrame([row], dtype="string")], ignore_index=True)


def test_tiers_use_inclusive_lower_bounds(cfg):
    followers = pd.Series([0, 9_999, 10_000, 99_999, 100_000, 500_000, 999_999, 1_000_000, None],
                          dtype="Int64")
    assert assign_tier(followers, cfg.creator_tiers).tolist() == [
        "nano", "nano", "micro", "micro", "mid", "macro", "macro", "mega", pd.NA]


def test_creators_and_platforms(world, cfg):
    creators, platforms, audit = build_creators(world["creator_roster"], cfg)
    assert creators["creator_id"].tolist() == ["CR1", "CR2", "CR3"]
    assert creators["tier"].tolist() == ["micro", "mega", "nano"]
    assert creators["max_followers"].tolist() == [12_000, 2_000_000, 9_999]
    assert creators["discount_code"].tolist() == ["ANN10", "BO15", pd.NA]
    assert creators["niche"].tolist() == ["beauty", "tech", "food"]
    assert creators["country"].tolist() == ["US", "GB", "DE"]
    assert creators["onboarded_date"].iloc[0] == pd.Timestamp("2023-05-01")
    assert list(platforms.itertuples(index=False, name=None)) == [
        ("CR1", "instagram", "annlee", 12_000), ("CR1", "tiktok", "annlee_tt", 500),
        ("CR1", "facebook", "Ann Lee Page", 800), ("CR2", "youtube", "BoTech", 2_000_000),
        ("CR3", "x", "cydee", 9_999)]
    assert (audit.rows_read, audit.rows_kept, audit.rows_rejected) == (3, 3, 0)


def test_roster_rejections(world, cfg):
    raw = world["creator_roster"]
    raw = add_row(raw, creator_id="CR1", niche="home")  # duplicate id
    raw = add_row(raw, creator_id="CR4", niche="home", instagram_followers="-5")
    raw = add_row(raw, creator_id="CR5", niche="home", onboarded_date="2023-13-01")
    raw = add_row(raw, creator_id="CR6", niche="home", known_audience_overlap="1.5")
    raw = add_row(raw, creator_id="", niche="home")
    creators, _, audit = build_creators(raw, cfg)
    assert creators["creator_id"].tolist() == ["CR1", "CR2", "CR3"]
    rej = audit.rejects
    assert rej[["row_number", "column", "value", "reason"]].values.tolist() == [
        [4, "creator_id", "CR1", "duplicate id"],
        [5, "instagram_followers", "-5", "negative count"],
        [6, "onboarded_date", "2023-13-01", "unparseable date"],
        [7, "known_audience_overlap", "1.5", "out of range"],
        [8, "creator_id", "", "missing value"]]
    assert (rej["source"] == "creator_roster").all() and (rej["file"] == "creator_roster.csv").all()
    assert (audit.rows_read, audit.rows_kept, audit.rows_rejected) == (8, 3, 5)


def test_campaigns_reject_end_before_start_and_duplicates(world, cfg):
    raw = add_row(world["campaigns"], campaign_id="CMP3", start_date="2024-05-10",
                  end_date="2024-05-01")
    raw = add_row(raw, campaign_id="CMP1", start_date="2024-05-01", end_date="2024-05-02")
    campaigns, audit = build_campaigns(raw, cfg)
    assert campaigns["campaign_id"].tolist() == ["CMP1", "CMP2"]
    assert campaigns["objective"].tolist() == ["conversion", "awareness"]
    assert audit.rejected_by_reason == {"end date before start date": 1, "duplicate id": 1}


def test_contracts_total_cost_utc_times_and_unknown_ids(world, cfg):
    creators, _, _ = build_creators(world["creator_roster"], cfg)
    campaigns, _ = build_campaigns(world["campaigns"], cfg)
    raw = add_row(world["contracts"], contract_id="CT4", creator_id="CR9", campaign_id="CMP1")
    raw = add_row(raw, contract_id="CT5", creator_id="CR1", campaign_id="CMP9")
    raw = add_row(raw, contract_id="CT1", creator_id="CR1", campaign_id="CMP1")
    raw = add_row(raw, contract_id="CT6", creator_id="CR1", campaign_id="CMP1", fee_usd="-1")
    contracts, audit = build_contracts(raw, creators, campaigns, cfg)
    assert contracts["contract_id"].tolist() == ["CT1", "CT2", "CT3"]
    # 1000 + 50 + 100; 5000 + blank + 250; 300 + 20 + blank
    assert contracts["total_cost_usd"].tolist() == [1150.0, 5250.0, 320.0]
    # 2024-02-20 09:30 in New York (EST, UTC-5)
    assert contracts["asset_submitted_at"].iloc[0] == pd.Timestamp("2024-02-20 14:30", tz="UTC")
    assert audit.rejects["reason"].tolist() == [
        "unknown creator", "unknown campaign", "duplicate id", "negative amount"]
    assert audit.rows_read == audit.rows_kept + audit.rows_rejected == 7
