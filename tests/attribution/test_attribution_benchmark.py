"""The benchmark runs end to end on a small simulation (figures are printed, never asserted)."""

from __future__ import annotations

import numpy as np

from roi_ml.attribution import benchmark


def test_simulation_is_seeded():
    a_t, a_j, a_truth = benchmark.simulate_journeys(2_000, 5, seed=4)
    b_t, b_j, b_truth = benchmark.simulate_journeys(2_000, 5, seed=4)
    assert a_t.equals(b_t) and a_j.equals(b_j) and np.array_equal(a_truth, b_truth)
    # true credit is handed out only for converting journeys, one unit per caused conversion
    caused = np.bincount(a_t["journey_id"], weights=a_truth, minlength=len(a_j))
    assert np.all(caused[~a_j["converted"].to_numpy()] == 0)
    assert set(np.round(caused, 12)) <= {0.0, 1.0}


def test_main_prints_the_figures(capsys):
    res = benchmark.main(["--journeys", "3000", "--channels", "5", "--shapley-journeys", "1000"])
    out = capsys.readouterr().out
    assert "markov order 1 fit on 3,000 journeys" in out and "TVD" in out
    assert res["markov_fit_paths_peak_mb"] > 0 and res["n_paths"] > 0
