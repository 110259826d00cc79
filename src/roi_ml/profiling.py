"""Per-node wall time and memory of a `kedro run`, for `roi-ml bench` (issue 8).

`NodeTimingHook` is registered in settings.py but does nothing unless the environment variable
`ROI_ML_NODE_TIMINGS` names a CSV file: then, for every node, it records its wall time, the
process's resident memory after it ran, the run's peak resident memory so far (ru_maxrss: a
high-water mark, so a node that raised it is the one that needed the memory), and the pipeline
(stage) the node belongs to, and writes the table when the run ends. `roi-ml bench` sets the
variable for the run it measures and reads the file back.
"""

from __future__ import annotations

import csv
import os
import resource
import time
from pathlib import Path

from kedro.framework.hooks import hook_impl

ENV_VAR = "ROI_ML_NODE_TIMINGS"
COLUMNS = ("order", "node", "stage", "seconds", "load_seconds", "run_seconds", "save_seconds",
           "rss_mb", "peak_rss_mb", "raised_peak_mb")


def _rss_mb() -> float:
    """Current resident set size of this process, from /proc (Linux); 0 where unavailable."""
    try:
        with open("/proc/self/statm") as fh:
            pages = int(fh.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return 0.0


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


def stage_of_nodes() -> dict[str, str]:
    """node name -> the registered pipeline (other than __default__) it belongs to."""
    from kedro.framework.project import pipelines

    stages: dict[str, str] = {}
    for name, pipe in pipelines.items():
        if name == "__default__":
            continue
        for node in pipe.nodes:
            stages.setdefault(node.name, name)
    return stages


class NodeTimingHook:
    """Record every node's wall time and memory when ROI_ML_NODE_TIMINGS is set.

    A node's time is loading its inputs + running its function + saving its outputs: lazy
    Ibis nodes do their real work when their output is saved, so the save belongs to them.
    """

    def __init__(self) -> None:
        self._nodes: dict[str, dict] = {}
        self._open: dict[tuple[str, str, str], float] = {}

    @staticmethod
    def _target() -> Path | None:
        value = os.environ.get(ENV_VAR)
        return Path(value) if value else None

    def _row(self, node) -> dict:
        row = self._nodes.get(node.name)
        if row is None:
            row = self._nodes[node.name] = {
                "order": len(self._nodes) + 1, "node": node.name, "load_seconds": 0.0,
                "run_seconds": 0.0, "save_seconds": 0.0, "peak_before": _peak_mb(),
                "peak_rss_mb": 0.0, "rss_mb": 0.0}
        return row

    def _start(self, kind: str, node, name: str = "") -> None:
        if self._target() is not None and node is not None:
            self._row(node)
            self._open[(kind, node.name, name)] = time.perf_counter()

    def _stop(self, kind: str, node, name: str = "") -> None:
        if self._target() is None or node is None:
            return
        t0 = self._open.pop((kind, node.name, name), None)
        if t0 is None:
            return
        row = self._row(node)
        row[f"{kind}_seconds"] += time.perf_counter() - t0
        row["peak_rss_mb"] = _peak_mb()
        row["rss_mb"] = _rss_mb()

    @hook_impl
    def before_dataset_loaded(self, dataset_name, node) -> None:
        self._start("load", node, dataset_name)

    @hook_impl
    def after_dataset_loaded(self, dataset_name, node) -> None:
        self._stop("load", node, dataset_name)

    @hook_impl
    def before_node_run(self, node) -> None:
        self._start("run", node)

    @hook_impl
    def after_node_run(self, node) -> None:
        self._stop("run", node)

    @hook_impl
    def before_dataset_saved(self, dataset_name, node) -> None:
        self._start("save", node, dataset_name)

    @hook_impl
    def after_dataset_saved(self, dataset_name, node) -> None:
        self._stop("save", node, dataset_name)

    @hook_impl
    def after_pipeline_run(self) -> None:
        target = self._target()
        if target is None:
            return
        try:
            stages = stage_of_nodes()
        except Exception:  # noqa: BLE001 - timings are still useful without stage names
            stages = {}
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("w", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=COLUMNS)
            writer.writeheader()
            for row in self._nodes.values():
                secs = row["load_seconds"] + row["run_seconds"] + row["save_seconds"]
                writer.writerow({
                    "order": row["order"], "node": row["node"], "stage": stages.get(row["node"], ""),
                    "seconds": round(secs, 3), "load_seconds": round(row["load_seconds"], 3),
                    "run_seconds": round(row["run_seconds"], 3),
                    "save_seconds": round(row["save_seconds"], 3), "rss_mb": round(row["rss_mb"], 1),
                    "peak_rss_mb": round(row["peak_rss_mb"], 1),
                    "raised_peak_mb": round(max(row["peak_rss_mb"] - row["peak_before"], 0.0), 1)})
        self._nodes.clear()
