"""Comment sentiment with VADER (vaderSentiment: a lexicon and rules made for social-media
text; the lexicon ships inside the package, so nothing is downloaded at run time).

Each comment gets VADER's compound score in [−1, 1] and a label: positive when
compound ≥ `positive_threshold`, negative when ≤ −`negative_threshold`, neutral otherwise
(VADER's authors recommend 0.05 for both). `lexicon_updates` (conf) adds or overrides words of
the lexicon for the brand's domain — e.g. purchase intent ("ordered") that a general lexicon
reads as neutral; VADER turns emoji into their names first ("🔥" → "fire"), so an emoji is
tuned through its name.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

LABELS = ("positive", "neutral", "negative")
MODEL_NAME = "vaderSentiment"


def make_analyzer(lexicon_updates: Mapping[str, float] | None = None) -> SentimentIntensityAnalyzer:
    """A VADER analyzer with the domain words of conf merged into its lexicon."""
    analyzer = SentimentIntensityAnalyzer()
    for word, valence in (lexicon_updates or {}).items():
        analyzer.lexicon[str(word).lower()] = float(valence)
    return analyzer


def label_compound(compound: pd.Series, positive_threshold: float, negative_threshold: float
                   ) -> pd.Series:
    """compound ≥ positive_threshold → positive, ≤ −negative_threshold → negative, else neutral;
    a missing score (no text) stays missing."""
    labels = pd.Series("neutral", index=compound.index, dtype="string")
    labels = labels.mask(compound >= positive_threshold, "positive")
    labels = labels.mask(compound <= -negative_threshold, "negative")
    return labels.mask(compound.isna())


def score_texts(texts: pd.Series, lexicon_updates: Mapping[str, float] | None = None,
                positive_threshold: float = 0.05, negative_threshold: float = 0.05
                ) -> pd.DataFrame:
    """Texts → DataFrame(sentiment_compound float64, sentiment_label string), same index.

    Each distinct text is scored once (comment exports repeat short texts a lot).
    Blank or missing text has no score and no label.
    """
    analyzer = make_analyzer(lexicon_updates)
    clean = texts.astype("string").str.strip()
    clean = clean.mask(clean == "")
    distinct = clean.dropna().unique()
    scores = {t: analyzer.polarity_scores(str(t))["compound"] for t in distinct}
    compound = clean.map(scores).astype("float64")
    return pd.DataFrame({
        "sentiment_compound": compound,
        "sentiment_label": label_compound(compound, positive_threshold, negative_threshold),
    }, index=texts.index)
