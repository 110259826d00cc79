"""Simulator sizes and world parameters.

Every default here is documented, with its reason, in docs/simulator.md. The simulator is the
yardstick the models are scored against: a change of default belongs in that page's change log.
"""

from __future__ import annotations

from dataclasses import dataclass, field

PLATFORMS = ("instagram", "tiktok", "youtube", "x", "facebook")
FORMATS = ("video", "short", "carousel", "story", "long_form", "post")
# Which canonical formats each platform offers.
PLATFORM_FORMATS = {
    "instagram": ("short", "carousel", "story", "post", "video"),
    "tiktok": ("short", "story", "carousel"),
    "youtube": ("long_form", "short", "video"),
    "x": ("post", "video"),
    "facebook": ("video", "post", "short"),
}
NICHES = ("beauty", "fitness", "tech", "food", "travel", "gaming", "fashion", "parenting", "home")
TIERS = ("nano", "micro", "mid", "macro", "mega")
TIER_BOUNDS = (0, 10_000, 100_000, 500_000, 1_000_000, float("inf"))
INAUTHENTIC_TYPES = ("bought_followers", "bought_likes", "engagement_pod", "bot_comments")


@dataclass(frozen=True)
class SizeSpec:
    """How big a simulated world is. Event counts are approximate targets."""

    n_creators: int
    n_campaigns: int
    days: int
    target_events: int
    creators_per_campaign: int
    events_chunk_days: int = 31


SIZES: dict[str, SizeSpec] = {
    "tiny": SizeSpec(n_creators=30, n_campaigns=2, days=90, target_events=20_000,
                     creators_per_campaign=6),
    "small": SizeSpec(n_creators=120, n_campaigns=8, days=365, target_events=300_000,
                      creators_per_campaign=12),
    "medium": SizeSpec(n_creators=500, n_campaigns=24, days=730, target_events=3_000_000,
                       creators_per_campaign=32),
    "large": SizeSpec(n_creators=2_000, n_campaigns=80, days=730, target_events=30_000_000,
                      creators_per_campaign=72),
}


@dataclass(frozen=True)
class WorldParams:
    """The simulated world's causal and behavioural parameters (see docs/simulator.md)."""

    window_end: str = "2026-06-30"
    future_days: int = 56
    # --- creators
    tier_mix: tuple[float, ...] = (0.60, 0.32, 0.06, 0.015, 0.005)
    inauthentic_share: float = 0.08
    deal_creator_share: float = 0.08
    high_propensity_audience_share: float = 0.10
    platforms_per_creator_probs: tuple[float, ...] = (0.45, 0.38, 0.17)
    familiarity_growth_mean: float = 0.06
    familiarity_growth_sd: float = 0.08
    # --- response curves (Hill): caused conversions per contract vs creator spend
    conversions_per_1k_authentic_followers: float = 0.7
    quality_sigma: float = 0.7
    hill_slope_range: tuple[float, float] = (0.8, 1.8)
    ec50_to_typical_spend: tuple[float, float] = (0.6, 1.8)
    awareness_objective_multiplier: float = 0.6
    deal_creator_effect_multiplier: float = 0.15
    # --- how creator-caused conversions reach the site
    view_through_share: float = 0.35  # no click, no code: arrives by search or direct (mean)
    # Link affordances differ: TikTok and YouTube viewers mostly search later, Instagram stories
    # and X posts carry links. Multipliers of view_through_share by platform (mean ≈ 1).
    view_through_platform_multiplier: tuple[tuple[str, float], ...] = (
        ("instagram", 0.8), ("tiktok", 1.45), ("youtube", 1.1), ("x", 0.6), ("facebook", 0.85))
    story_view_through_multiplier: float = 0.6  # story link stickers are clicked
    code_only_share: float = 0.20  # saw the post, typed the code at checkout
    cross_device_share: float = 0.12  # of click-throughs: converts on another device
    click_converts_same_session: float = 0.62  # conversion campaigns (a call to action)
    awareness_click_converts_same_session: float = 0.35  # awareness: people come back later
    exposure_delay_days: float = 1.5
    conversion_delay_days: float = 3.0
    long_form_conversion_delay_days: float = 5.0  # long videos are researched before buying
    # --- deal creators and coupon harvesting (baseline buyers who click a deal link or code)
    deal_intercept_rate: float = 0.03
    deal_intercept_cap: float = 0.12
    deal_uses_code_share: float = 0.5
    # a harvested buyer had already filled a cart: that session comes 5–40 minutes before the
    # deal click (they left checkout to look for a code)
    deal_cart_session_minutes: tuple[float, float] = (5.0, 40.0)
    # --- baseline and channels
    creator_conversion_share: float = 0.45  # of all conversions in the window, creator-caused
    conversion_rate_per_session: float = 0.045  # all conversion types, all sessions
    fee_cpm_usd: float = 7.0  # creator fee ≈ fee_cpm × expected reach / 1000 × 4 per deliverable
    email_caused_share: float = 0.07
    paid_social_caused_share: float = 0.09
    research_sessions_mean: float = 0.8
    weekly_amplitude: float = 0.12
    yearly_amplitude: float = 0.18
    trend_per_year: float = 0.08
    holiday_peaks: tuple[tuple[str, float], ...] = (  # demand multiplier at each peak's centre
        ("black_friday", 1.9), ("cyber_monday", 1.6), ("christmas_run_up", 1.35),
        ("valentines", 1.25), ("mothers_day", 1.3), ("prime_day", 1.3),
    )
    conversion_type_mix: tuple[float, ...] = (0.72, 0.14, 0.09, 0.05)  # purchase, sign_up, lead, install
    awareness_conversion_type_mix: tuple[float, ...] = (0.55, 0.25, 0.10, 0.10)
    site_aov_usd: float = 110.0
    aov_sigma: float = 0.55
    creator_aov_multiplier_mean: float = 1.12
    # Customers buy again at this rate while active; activity after a purchase lasts an
    # exponential time of mean customer_active_days, so each purchase brings on average
    # rate × active days / 365.25 repeat purchases (0.59), spread over the months after it.
    # Customers who bought before the window keep buying in it (a stationary start).
    repeat_purchase_rate_per_year: float = 0.9
    customer_active_days: float = 240.0
    ga4_blocked_user_share: float = 0.08
    click_session_match_rate: float = 0.85
    lead_sql_rate: float = 0.6
    currency_mix: tuple[tuple[str, float], ...] = (("USD", 0.93), ("CAD", 0.03), ("EUR", 0.03),
                                                   ("GBP", 0.01))
    fx_to_usd: tuple[tuple[str, float], ...] = (("USD", 1.0), ("EUR", 1.08), ("GBP", 1.27),
                                                ("CAD", 0.73))
    # --- platform behaviour
    post_lifetime_days: int = 14
    story_lifetime_days: int = 2
    long_form_lifetime_days: int = 30
    reach_rate_by_tier: tuple[float, ...] = (0.30, 0.22, 0.15, 0.10, 0.07)
    ctr_by_tier: tuple[float, ...] = (0.022, 0.016, 0.011, 0.008, 0.006)
    er_by_tier: tuple[float, ...] = (0.085, 0.062, 0.045, 0.035, 0.028)
    platform_er_multiplier: tuple[tuple[str, float], ...] = (
        ("instagram", 1.1), ("tiktok", 1.3), ("youtube", 0.75), ("x", 0.6), ("facebook", 0.65))
    comments_per_post_cap: int = 60
    missing_disclosure_share: float = 0.06
    hostile_caption_share: float = 0.01
    # --- data-quality defects real exports have (each rate per row)
    dirty_rate: float = 0.001
    # --- own brand and competitors for share of voice
    competitors: tuple[str, ...] = ("Lumina", "Verdana Co", "Northpeak")
    brand: str = "Aurora"
    # --- formerly hard-coded world numbers (world.py, __init__.py, behaviour.py); same values
    # creators
    audience_peak_hour_mean: float = 19.5  # audience peak hour ~ N(mean, sd), clipped to 6–23
    audience_peak_hour_sd: float = 2.5
    overlap_known_share: float = 0.45  # multi-platform creators whose overlap the roster knows
    fee_reach_multiplier: float = 4.0  # fee = fee_cpm × expected reach / 1000 × this
    fee_floor_usd: float = 100.0  # no creator charges less per deliverable
    typical_spend_fee_multiple: float = 2.5  # typical contract spend = this × fee per deliverable
    # campaigns and contracts
    campaign_duration_days: tuple[int, int] = (21, 56)  # inclusive range, uniform
    # The programme goes on after the export: campaigns keep starting at the window's cadence
    # through the future days, and the export's campaign calendar lists those starting within
    # this many days of it (briefed and budgeted; their contracts appear once signed).
    plan_ahead_days: int = 56
    awareness_campaign_share: float = 0.35
    renewal_weight: float = 2.5  # added selection weight for creators the brand used before
    full_delivery_share: float = 0.9  # contracts delivering every committed deliverable
    late_launch_share: float = 0.08
    late_launch_delay_days: tuple[int, int] = (1, 5)  # inclusive range, uniform
    approval_hours_median: float = 16.0  # asset approval time ~ log-normal(log(median), sigma)
    approval_hours_sigma: float = 0.7
    # engagement
    story_reach_multiplier: float = 0.45
    viral_post_share: float = 0.02
    viral_reach_multiplier: tuple[float, float] = (3.0, 8.0)  # uniform
    # orders
    code_discount_share: float = 0.15
    free_shipping_threshold_usd: float = 75.0
    shipping_fee_usd: float = 6.95
    tax_rate: float = 0.07
    refund_share: float = 0.02
    # Expected repeat purchases as a share of base (baseline-hazard) conversions; only used to
    # size the baseline: base per day = other per day / (1 + email + paid social + this).
    repeat_share_of_base_for_calibration: float = 0.12
    # brand-lift survey: post = pre × (1 + lift × reach share / (reach share + 0.05))
    survey_awareness_lift: float = 1.6
    survey_favorability_lift: float = 0.4
    # --- who gets contracts (added after the first version; see docs/simulator.md change log)
    inauthentic_contract_weight: float = 3.0  # inflated metrics win deals: fakes are picked 3x as often
    every_tier_from_creators: int = 50  # rosters this size hold at least one creator of every tier
    extra: dict = field(default_factory=dict)
