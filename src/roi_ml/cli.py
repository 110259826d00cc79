"""The `roi-ml` command: simulate demo data, list outputs, run benchmarks."""

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

    args = parser.parse_args(argv)
    if args.command == "simulate":
        from roi_ml.simulator import simulate

        summary = simulate(size=args.size, seed=args.seed, raw_dir=args.raw_dir,
                           truth_dir=args.truth_dir)
        print(summary.describe())
        return 0
    if args.command == "outputs":
        from roi_ml.outputs import print_outputs

        print_outputs()
        return 0
    return 1


if __name__ == "__main__":
    sys.exit(main())
