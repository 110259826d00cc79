"""Benchmark of the attribution library on simulated journeys with a known truth.

Command (prints the figures; nothing here gates CI on wall-clock time)::

    python -m roi_ml.attribution.benchmark                      # 1M journeys, 20 channels
    python -m roi_ml.attribution.benchmark --journeys 200000    # quicker

The simulator (seeded): each journey has 1 + Geometric touches (mean ≈ 2.2), channels drawn
with Zipf-like popularity; every touch independently *causes* a conversion with its channel's
true probability (unrelated to popularity), plus a small baseline without any touch. The true
credit of a converting journey is split equally among the touches that caused it (baseline-only
conversions are left out of the truth). Reported per model: wall time, and the total variation
distance (TVD, 0 = perfect) between the model's channel shares and the true shares.

Memory is the tracemalloc peak of the step (numpy and pandas buffers are traced; SuperLU's own
C allocations are not, they are small for ~20-state chains) and the process's max RSS.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable

import numpy as np
import pandas as pd

from roi_ml.attribution.api import attribute_paths, credit_journeys
from roi_ml.attribution.journeys import encode_journeys
from roi_ml.attribution.markov import MarkovAttribution
from roi_ml.attribution.paths import journeys_to_paths, paths_to_journeys
from roi_ml.attribution.rules import RULE_MODELS, rule_credit_encoded
from roi_ml.attribution.shapley import ShapleyAttribution


def simulate_journeys(n_journeys: int = 1_000_000, n_channels: int = 20, seed: int = 0,
                      baseline_rate: float = 0.005) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray]:
    """Seeded journeys with a known cause of every conversion.

    Output: (touches [journey_id, position, entity, timestamp], journeys [journey_id, converted,
    conversions, value, conversion_time], true credit of each touch aligned with ``touches``:
    1/k for each of the k touches that caused the journey's conversion, else 0).
    """
    rng = np.random.default_rng(seed)
    channels = np.array([f"channel_{i:02d}" for i in range(1, n_channels + 1)], dtype=object)
    popularity = 1.0 / np.arange(1, n_channels + 1) ** 0.7
    popularity /= popularity.sum()
    effect = rng.permutation(np.linspace(0.004, 0.06, n_channels))
    lengths = np.minimum(rng.geometric(0.45, n_journeys), 30)
    n_touch = int(lengths.sum())
    journey = np.repeat(np.arange(n_journeys), lengths)
    starts = np.cumsum(lengths) - lengths
    position = np.arange(n_touch) - np.repeat(starts, lengths)
    channel = rng.choice(n_channels, size=n_touch, p=popularity)
    gaps = rng.exponential(2.0, n_touch)
    elapsed = np.cumsum(gaps)
    elapsed -= np.repeat(elapsed[starts] - gaps[starts], lengths)
    t0 = np.datetime64("2025-01-01T00:00:00") + rng.integers(0, 90 * 86400, n_journeys).astype(
        "timedelta64[s]")
    timestamp = np.repeat(t0, lengths) + (elapsed * 86400).astype("timedelta64[s]")
    fires = rng.random(n_touch) < effect[channel]
    n_fires = np.bincount(journey, weights=fires, minlength=n_journeys)
    converted = (n_fires > 0) | (rng.random(n_journeys) < baseline_rate)
    value = np.round(rng.gamma(2.0, 30.0, n_journeys), 2) * converted
    last = starts + lengths - 1
    conv_time = timestamp[last] + np.timedelta64(3600, "s")
    truth_w = np.where(fires, 1.0 / np.maximum(n_fires[journey], 1), 0.0)
    touches = pd.DataFrame({"journey_id": journey, "position": position,
                            "entity": pd.array(channels[channel], dtype="str"),
                            "timestamp": timestamp})
    journeys = pd.DataFrame({"journey_id": np.arange(n_journeys), "converted": converted,
                             "conversions": converted.astype(float), "value": value,
                             "conversion_time": np.where(converted, conv_time,
                                                         np.datetime64("NaT"))})
    return touches, journeys, truth_w


def true_credit(touches: pd.DataFrame, true_touch_credit: np.ndarray) -> pd.Series:
    """True conversions caused per entity (channel)."""
    return pd.Series(true_touch_credit).groupby(touches["entity"].to_numpy()).sum()


def tvd(estimate: pd.Series, truth: pd.Series) -> float:
    """½ Σ |p − q| between two allocations over the same entities, on shares."""
    idx = truth.index.union(estimate.index)
    e = estimate.reindex(idx, fill_value=0.0).clip(lower=0)
    t = truth.reindex(idx, fill_value=0.0)
    return float(0.5 * np.abs(e / e.sum() - t / t.sum()).sum())


def _timed(fn: Callable[[], object]) -> tuple[object, float]:
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def _peak_mb(fn: Callable[[], object]) -> float:
    """Peak memory traced while fn runs, above what was allocated before it (MB)."""
    tracemalloc.start()
    base, _ = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return (peak - base) / 2**20


def main(argv: list[str] | None = None) -> dict:
    """Run the benchmark, print the figures, and return them as a dict."""
    ap = argparse.ArgumentParser(prog="python -m roi_ml.attribution.benchmark",
                                 description=__doc__.split("\n\n")[0])
    ap.add_argument("--journeys", type=int, default=1_000_000)
    ap.add_argument("--channels", type=int, default=20)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--shapley-journeys", type=int, default=300_000)
    ap.add_argument("--no-memory", action="store_true", help="skip the tracemalloc passes")
    args = ap.parse_args(argv)
    res: dict = {}
    rows: list[tuple[str, float, str]] = []

    (touches, journeys, touch_truth), t = _timed(
        lambda: simulate_journeys(args.journeys, args.channels, args.seed))
    truth = true_credit(touches, touch_truth)
    res["simulate_s"] = t
    print(f"simulated {len(journeys):,} journeys, {len(touches):,} touches, "
          f"{int(journeys['converted'].sum()):,} conversions over {args.channels} channels "
          f"(seed {args.seed}) in {t:.2f} s")
    enc, t = _timed(lambda: encode_journeys(touches, journeys))
    rows.append(("validate + encode journeys", t, ""))

    paths, t = _timed(lambda: journeys_to_paths(touches, journeys))
    rows.append((f"aggregate to path table ({len(paths):,} paths)", t, ""))
    res["n_paths"] = len(paths)

    markov, t = _timed(lambda: MarkovAttribution(order=1)._fit(enc))
    res["markov_fit_journeys_s"] = t
    chain, t_chain = _timed(lambda: markov._chain(enc))
    _, t_solve = _timed(lambda: markov._solve(chain["A"], chain["r"], chain["level_states"]))
    res["markov_transition_counting_s"], res["markov_solve_s"] = t_chain, t_solve
    rows.append((f"markov order 1 fit on {len(journeys):,} journeys "
                 f"({markov.info_['n_states']} states)", t,
                 f"TVD {tvd(markov.total_credit_.set_index('entity')['conversions'], truth):.3f}"))
    rows.append(("  of which transition counting (vectorised, all touches)", t_chain, ""))
    rows.append(("  of which exact solve: P(conv) + 20 removal effects", t_solve, ""))
    (pt, pj), t_conv = _timed(lambda: paths_to_journeys(paths))
    penc, t_enc = _timed(lambda: encode_journeys(pt, pj))
    pmarkov, t = _timed(lambda: MarkovAttribution(order=1)._fit(penc))
    res["markov_fit_paths_s"] = t
    rows.append(("  path table -> journeys (no expansion)", t_conv, ""))
    rows.append(("  validate + encode paths", t_enc, ""))
    rows.append((f"markov order 1 fit on the aggregated paths ({len(pj):,} weighted rows)", t,
                 f"max |RE diff| vs journeys {np.abs(pmarkov.removal_effects_ - markov.removal_effects_).max():.1e}"))
    m2, t = _timed(lambda: MarkovAttribution(order=2)._fit(penc))
    rows.append((f"markov order 2 fit on the paths ({m2.info_['n_states']} states)", t,
                 f"TVD {tvd(m2.total_credit_.set_index('entity')['conversions'], truth):.3f}"))
    m2d, t = _timed(lambda: MarkovAttribution(order=2, solver="direct")._fit(penc))
    rows.append(("  same, solver='direct' (one LU per removed channel)", t,
                 f"max |RE diff| {np.abs(m2d.removal_effects_ - m2.removal_effects_).max():.1e}"))
    mj, t = _timed(lambda: markov._credit(enc))
    rows.append(("markov per-journey credit (all journeys)", t,
                 f"TVD {tvd(mj.groupby('entity')['conversions'].sum(), truth):.3f}"))
    for model in RULE_MODELS:
        (credit, _), t = _timed(lambda m=model: rule_credit_encoded(enc, m))
        rows.append((f"{model} credit", t,
                     f"TVD {tvd(credit.groupby('entity')['conversions'].sum(), truth):.3f}"))
    n_sh = min(args.shapley_journeys, len(journeys))
    sh_t = touches[touches["journey_id"] < n_sh]
    sh_j = journeys.iloc[:n_sh]
    senc = encode_journeys(sh_t, sh_j)
    shap, t = _timed(lambda: ShapleyAttribution()._fit(senc))
    scredit, t2 = _timed(lambda: shap._credit(senc))
    lin_small = credit_journeys(sh_t, sh_j, "linear")
    sh_mask = (touches["journey_id"] < n_sh).to_numpy()
    sh_truth = true_credit(sh_t, touch_truth[sh_mask])
    rows.append((f"shapley fit on {n_sh:,} journeys ({shap.info_['n_coalitions']:,} coalitions)",
                 t, ""))
    rows.append(("shapley credit (exact up to 8 entities)", t2,
                 f"TVD {tvd(scredit.groupby('entity')['conversions'].sum(), sh_truth):.3f} "
                 f"(linear on same: {tvd(lin_small.groupby('entity')['conversions'].sum(), sh_truth):.3f})"))
    summary, t = _timed(lambda: attribute_paths(paths, models=("linear", "markov")))
    rows.append(("attribute_paths(linear, markov) end to end from the path table", t, ""))

    if not args.no_memory:
        res["markov_fit_journeys_peak_mb"] = _peak_mb(lambda: MarkovAttribution(order=1)._fit(enc))
        res["markov_fit_paths_peak_mb"] = _peak_mb(lambda: MarkovAttribution(order=1)._fit(penc))
        res["encode_journeys_peak_mb"] = _peak_mb(lambda: encode_journeys(touches, journeys))
        res["shapley_peak_mb"] = _peak_mb(lambda: ShapleyAttribution()._fit(senc)._credit(senc))
        res["markov_solve_peak_mb"] = _peak_mb(
            lambda: markov._solve(chain["A"], chain["r"], chain["level_states"]))
    res["max_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    width = max(len(r[0]) for r in rows)
    print(f"\n{'step':<{width}}  {'seconds':>8}  notes")
    for name, secs, note in rows:
        print(f"{name:<{width}}  {secs:8.3f}  {note}")
    print()
    for k in ("markov_fit_journeys_peak_mb", "markov_solve_peak_mb", "markov_fit_paths_peak_mb",
              "encode_journeys_peak_mb", "shapley_peak_mb"):
        if k in res:
            print(f"{k:<32} {res[k]:8.2f} MB (tracemalloc peak above the inputs)")
    print(f"{'max_rss_mb':<32} {res['max_rss_mb']:8.1f} MB (whole process)")
    res["steps"] = {name: secs for name, secs, _ in rows}
    res["summary_rows"] = len(summary)
    print("\nmarkov order 1 removal effects:",
          ", ".join(f"{k}={v:.4f}" for k, v in markov.removal_effects_.items()))
    return res


if __name__ == "__main__":  # pragma: no cover
    main(sys.argv[1:])
    sys.exit(0)
