"""The authenticity scorer on a small frame with one obvious fake (and its reasons in words)."""

import copy

import numpy as np
import pandas as pd
import pytest

from roi_ml.kpis.authenticity import (
    AuthenticityScorer,
    account_signals,
    authentic_engagement_factor,
    follower_jumps,
    is_generic_comment,
    median_polish,
)

N_HONEST = 20
T0 = pd.Timestamp("2026-03-01 18:00", tz="UTC")
AS_OF = pd.Timestamp("2026-06-30")


def small_world(fake: str | None = "bought_likes", seed: int = 7):
    """20 honest nano Instagram creators (3 posts each) and CR99, who buys likes: 5× the likes,
    85 % of them on day 0 (the honest day-0 share of likes equals that of impressions, 45 %)."""
    rng = np.random.default_rng(seed)
    ids = [f"CR{i:02d}" for i in range(N_HONEST)] + ["CR99"]
    posts, comments, follows = [], [], []
    for ci, cid in enumerate(ids):
        followers = 5000.0
        for k in range(3):
            pid = f"P{ci:02d}{k}"
            reach = followers * 0.3 * rng.lognormal(0, 0.2)
            eng = reach * 0.085 * rng.lognormal(0, 0.15)
            comments_n = max(1.0, round(eng / 46))
            likes = eng - comments_n
            likes_d0 = likes * 0.45
            if cid == "CR99" and fake == "bought_likes":
                likes_d0 += 4 * likes * 0.85
                likes *= 5
            published = T0 + pd.Timedelta(days=20 * k)
            posts.append({"post_id": pid, "creator_id": cid, "platform": "instagram",
                          "format": "carousel", "likes": likes, "comments": comments_n,
                          "engagements": likes + comments_n, "reach": reach,
                          "impressions": reach * 1.4, "followers_at_publish": followers,
                          "likes_day0": likes_d0, "impressions_day0": reach * 1.4 * 0.45,
                          "published_at": published})
            for j in range(int(comments_n)):
                comments.append({"comment_id": f"{pid}-{j}", "post_id": pid,
                                 "author_key": f"{rng.integers(1e9):064x}"[-64:],
                                 "text": "Where can I buy this?",
                                 "created_at": published + pd.Timedelta(hours=float(rng.uniform(2, 40))),
                                 "published_at": published})
            for d in range(5):
                follows.append({"creator_id": cid, "platform": "instagram",
                                "date": (published + pd.Timedelta(days=d)).tz_localize(None).normalize(),
                                "followers": round(followers * (1 + 0.0005 * (20 * k + d)))})
    creators = pd.DataFrame({"creator_id": ids, "tier": "nano"})
    roster = pd.DataFrame({"creator_id": ids, "platform": "instagram",
                           "followers": [round(5000 * 1.06)] * len(ids)})
    return (pd.DataFrame(posts), pd.DataFrame(follows), roster, pd.DataFrame(comments), creators)


@pytest.fixture
def params(kpi_params):
    p = copy.deepcopy(kpi_params["authenticity"])
    p["_as_of"] = AS_OF
    return p


def score(world, params):
    posts, follows, roster, comments, creators = world
    acc = account_signals(posts, follows, roster, comments, creators, params)
    scorer = AuthenticityScorer.from_params(params)
    return scorer.score(acc, creators["creator_id"]).set_index("creator_id"), scorer


def test_the_obvious_fake_is_flagged_with_reasons(params):
    out, scorer = score(small_world("bought_likes"), params)
    fake = out.loc["CR99"]
    assert fake["is_flagged"] and fake["authenticity_score"] < 40
    # reasons name the signal, the creator's value, the peer norm and the peer group
    assert "like:comment ratio" in fake["reasons"]
    assert "nano instagram peers" in fake["reasons"]
    assert "engagement rate by reach" in fake["reasons"]
    # every honest creator passes, with a score near 100
    honest = out.drop(index="CR99")
    assert not honest["is_flagged"].any()
    assert honest["authenticity_score"].min() > 80
    # the authentic-adjusted engagement keeps about the honest part of the fake's engagement
    acc = scorer.account_z_
    factor = authentic_engagement_factor(acc, out["is_flagged"]).set_index("creator_id")
    assert factor.loc["CR99", "engagement_authentic_factor"] == pytest.approx(0.2, abs=0.06)
    assert (factor.drop(index="CR99")["engagement_authentic_factor"] == 1.0).all()
    # bought likes leave the audience real: reach per follower is normal
    assert factor.loc["CR99", "audience_authentic_factor"] == pytest.approx(1.0, abs=0.25)


def test_scores_are_reproducible(params):
    a, _ = score(small_world("bought_likes"), params)
    b, _ = score(small_world("bought_likes"), params)
    pd.testing.assert_frame_equal(a, b)


def test_no_fake_no_flag_and_unscored_creators_say_why(params):
    posts, follows, roster, comments, creators = small_world(None)
    creators = pd.concat([creators, pd.DataFrame({"creator_id": ["CR_NEW"], "tier": ["nano"]})])
    out, _ = score((posts, follows, roster, comments, creators), params)
    assert not out["is_flagged"].any()
    assert not out.loc["CR_NEW", "is_scored"]
    assert out.loc["CR_NEW", "reasons"].startswith("not scored")


def test_follower_jump_beyond_the_trend():
    # steady +1 %/day for 5 days, a gap of 10 days, then +1 %/day again: no jump;
    # then the roster shows +50 % 10 days later: a jump of log(1.5) − 10 × log(1.01)
    days = list(range(5)) + list(range(15, 20))
    obs = pd.DataFrame({"creator_id": "A", "platform": "x",
                        "date": [pd.Timestamp("2026-01-01") + pd.Timedelta(days=d) for d in days],
                        "followers": [1000 * 1.01 ** d for d in days]})
    j = follower_jumps(obs, None, pd.Timestamp("2026-02-01")).iloc[0]
    assert j["trend_per_day"] == pytest.approx(np.log(1.01))
    last = 1000 * 1.01 ** 19
    roster = pd.DataFrame({"creator_id": ["A"], "platform": ["x"], "followers": [last * 1.5 * 1.01 ** 10]})
    j = follower_jumps(obs, roster, pd.Timestamp("2026-01-30")).iloc[0]
    ex = j["step_dlog"] - j["trend_per_day"] * j["step_days"]
    assert ex.max() == pytest.approx(np.log(1.5), abs=1e-3)


def test_generic_comments_and_median_polish(kpi_params):
    pats = kpi_params["authenticity"]["generic_comment_patterns"]
    texts = pd.Series(["Nice pic 🔥", "🔥🔥🔥", "Check my page for giveaways!", "Follow back?",
                       "Where can I buy this?", "Love the texture of the serum", pd.NA],
                      dtype="string")
    assert is_generic_comment(texts, pats).tolist() == [True, True, True, True, False, False, True]
    # values = row effect + column effect exactly → the polish fits them exactly
    v = pd.Series([1.0, 2.0, 3.0, 4.0])
    rows = pd.Series(["a", "a", "b", "b"])
    cols = pd.Series(["x", "y", "x", "y"])
    assert median_polish(v, rows, cols).tolist() == pytest.approx([1.0, 2.0, 3.0, 4.0])


def test_scorer_code_defaults_equal_conf(base_kpi_params):
    """No second set of thresholds hides in code: every scalar default is conf's value."""
    import dataclasses

    from roi_ml.kpis.authenticity import AuthenticityScorer

    conf = base_kpi_params["authenticity"]
    for fld in dataclasses.fields(AuthenticityScorer):
        if fld.default is dataclasses.MISSING or fld.name == "signals":
            continue
        assert fld.name in conf, fld.name
        assert float(fld.default) == pytest.approx(float(conf[fld.name])), fld.name
    assert AuthenticityScorer.from_params(conf).min_creators_for_forest == conf["min_creators_for_forest"]
