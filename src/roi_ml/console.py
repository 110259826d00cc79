"""The `roi-ml` command: simulate demo data, list outputs, run benchmarks.

(Not named cli.py: Kedro reserves `<package>.cli` for project CLI commands.)
"""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="roi-ml", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    sim = sub.add_parser("simulate", help="write realistic raw exports plus the ground truth")
    sim.add_argument("--size", choices=["tiny", "small", "medium", "large"], default="small")
    sim.add_argument("--seed", type=int, default=42)
    sim.add_argument("--raw-dir", default="data/01_raw")
    sim.add_argument("--truth-dir", default="data/ground_truth")

    sub.add_parser("outputs", help="print where the outputs of the last run are")

    b = sub.add_parser("bench", help="time and peak memory of simulate + kedro run, in fresh processes")
    b.add_argument("--size", choices=["tiny", "small", "medium", "large"], default="small")
    b.add_argument("--seed", type=int, default=42)
    b.add_argument("--pipelines", default=None, help="comma-separated pipelines (default: all)")
    b.add_argument("--workdir", default=None, help="default: /tmp/roi_ml_bench/<size>-<seed>")
    b.add_argument("--reuse", action="store_true", help="reuse simulated data in the workdir")
    b.add_argument("--record", action="store_true", help="append the rows to docs/benchmarks.md")

    args = parser.parse_args(argv)
    if args.command == "simulate":
        from roi_ml.simulator import simulate

        summary = simulate(size=args.size, seed=args.seed, raw_dir=args.raw_dir,
                           truth_dir=args.truth_dir)
        print(summary.describe())
        return 0
    if args.command == "bench":
        from pathlib import Path

        from roi_ml.bench import bench

        workdir = Path(args.workdir or f"/tmp/roi_ml_bench/{args.size}-{args.seed}")
        bench(args.size, args.seed, args.pipelines, workdir, args.reuse, args.record)
        return 0
    if args.command == "outputs":
        from roi_ml.outputs import print_outputs

        print_outputs()
        return 0
    return 1


if __name__ == "__main__":
    sys.exit(main())
