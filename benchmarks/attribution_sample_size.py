"""Accuracy of each attribution model against the number of conversions in the window.

The evidence behind `attribution.data_driven.min_conversions_for_data_driven`: on a project
whose default run has written data/03_primary and data/05_model_input (and whose simulator wrote
data/ground_truth), draw windows with n conversions (n converting journeys at random, the
non-converting journeys at the same fraction), credit them with each model and score the
creator shares against the truth's creator-caused conversions (all, and visible only) of the
whole window — the shares a user wants to learn. Mean TVD over `--repeats` draws.

    python benchmarks/attribution_sample_size.py /tmp/eval_medium_1 --sizes 100 300 1000 3000 all

Like the evaluation pipeline, only this script reads the truth; the models never see it.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys

import numpy as np
import pandas as pd

from roi_ml.attribution import credit_journeys
from roi_ml.attribution.data_driven import DataDrivenConfig, credit_data_driven, frames_from_events
from roi_ml.ground_truth import GroundTruth
from roi_ml.scoring import total_variation_distance

RULES = ("last_touch", "linear", "time_decay")


def truth_shares(root: str) -> tuple[pd.Series, pd.Series]:
    conv = GroundTruth(f"{root}/data/ground_truth").read("conversions_truth")
    caused = conv[conv["in_window"].astype(bool) & (conv["cause"] == "creator")
                  & conv["cause_creator_id"].notna()]
    by = caused["cause_creator_id"].astype("str")
    vis = caused["creator_touch_visible"].astype(bool)
    return caused.groupby(by).size().astype(float), caused[vis].groupby(by[vis]).size().astype(float)


def load(root: str) -> dict:
    d = f"{root}/data"
    sessions = pd.read_parquet(f"{d}/02_intermediate/sessions.parquet",
                               columns=["user_pseudo_id", "session_start", "add_to_carts"])
    dd_touches, dd_journeys = frames_from_events(
        pd.read_parquet(f"{d}/03_primary/journeys.parquet"),
        pd.read_parquet(f"{d}/03_primary/journey_touches.parquet"),
        sessions[sessions["add_to_carts"] > 0], pd.read_parquet(f"{d}/02_intermediate/posts.parquet"),
        pd.read_parquet(f"{d}/02_intermediate/creators.parquet"), 20)
    entities = pd.read_parquet(f"{d}/05_model_input/attribution_entities.parquet")
    creator_of = entities[entities["kind"].isin(["post", "creator"])].set_index("entity")["creator_id"]
    return {"aj": pd.read_parquet(f"{d}/05_model_input/attribution_journeys.parquet"),
            "at": pd.read_parquet(f"{d}/05_model_input/attribution_touches.parquet"),
            "dt": dd_touches, "dj": dd_journeys, "creator_of": creator_of}


def _by_creator(credit: pd.DataFrame, creator_of: pd.Series) -> pd.Series:
    c = credit.assign(creator_id=credit["entity"].map(creator_of)).dropna(subset=["creator_id"])
    return c.groupby("creator_id")["conversions"].sum()


def one_window(data: dict, n: int | None, rng: np.random.Generator, dd_cfg: DataDrivenConfig) -> dict:
    aj, dj = data["aj"], data["dj"]
    conv_ids = aj.loc[aj["converted"], "journey_id"].to_numpy()
    if n is None or n >= len(conv_ids):
        keep_conv, frac = set(conv_ids), 1.0
    else:
        keep_conv, frac = set(rng.choice(conv_ids, n, replace=False)), n / len(conv_ids)
    # rule models: the sampled converting journeys; data_driven: the same plus a fraction of
    # the non-converting ones
    a = aj[aj["journey_id"].isin(keep_conv)]
    t = data["at"][data["at"]["journey_id"].isin(a["journey_id"])]
    out = {}
    for m in RULES:  # rule models only read converting journeys
        credit = credit_journeys(t, a, m, max_path_length=20)
        out[m] = _by_creator(credit, data["creator_of"])
    non = dj.loc[~dj["converted"], "journey_id"].to_numpy()
    keep_non = non if frac >= 1 else rng.choice(non, max(int(round(frac * len(non))), 1), replace=False)
    j = dj[dj["journey_id"].isin(keep_conv) | dj["journey_id"].isin(keep_non)]
    tt = data["dt"][data["dt"]["journey_id"].isin(j["journey_id"])]
    try:
        r = credit_data_driven(tt, j, dd_cfg)
        out["data_driven"] = _by_creator(r.credit, data["creator_of"])
    except ValueError:
        out["data_driven"] = out["linear"]
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("root", help="project directory with data/ (e.g. /tmp/eval_medium_1)")
    ap.add_argument("--sizes", nargs="+", default=["100", "300", "1000", "3000", "all"])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    data = load(args.root)
    true_all, true_vis = truth_shares(args.root)
    dd_cfg = DataDrivenConfig(n_bootstrap=0)
    rng = np.random.default_rng(args.seed)
    rows = []
    for size in args.sizes:
        n = None if size == "all" else int(size)
        for rep in range(1 if n is None else args.repeats):
            for model, est in one_window(data, n, rng, dd_cfg).items():
                rows.append({"conversions": size, "repeat": rep, "model": model,
                             "tvd": total_variation_distance(est, true_all),
                             "tvd_visible": total_variation_distance(est, true_vis)})
                print(rows[-1], flush=True)
    res = pd.DataFrame(rows).groupby(["conversions", "model"], sort=False)[["tvd", "tvd_visible"]].mean()
    print(res.round(3).to_string())
    print(json.dumps({f"{c}|{m}": v for (c, m), v in res["tvd_visible"].round(4).items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
