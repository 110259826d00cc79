"""Creator-level ROI, the 0–100 performance score and the next-campaign ROI model.

Plain functions over data frames (no Kedro), so a notebook can import them:

* `roi` — investment against attributed revenue per creator × campaign and per creator, with
  intervals, ROAS, CPA, cost per engagement and the ROI trend across successive campaigns;
* `performance` — empirical-Bayes shrinkage within tier × platform and the composite score;
* `predictive` — leakage-free features as of a campaign's start, the XGBoost model, the
  time-ordered backtest with its baselines, intervals and SHAP drivers in words.

Formulas: docs/metrics.md, section "Creator scoring".
"""

from roi_ml.creators.errors import CreatorScoringInputError

__all__ = ["CreatorScoringInputError"]
