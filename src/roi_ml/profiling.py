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
COLUMNS = ("order", "node", "stage", "seconds", "rss_mb", "peak_rss_mb", "raised_peak_mb")


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
    """Record every node's wall time and memory when ROI_ML_NODE_TIMINGS is set."""

    def __init__(self) -> None:
        self._rows: list[dict] = []
        self._started: dict[str, tuple[float, float]] = {}

    @staticmethod
    def _target() -> Path | None:
        value = os.environ.get(ENV_VAR)
        return Path(value) if value else None

    @hook_impl
    def before_node_run(self, node) -> None:
        if self._target() is not None:
            self._started[node.name] = (time.perf_counter(), _peak_mb())

    @hook_impl
    def after_node_run(self, node) -> None:
        if self._target() is None or node.name not in self._started:
            return
        t0, peak_before = self._started.pop(node.name)
        peak = _peak_mb()
        self._rows.append({"order": len(self._rows) + 1, "node": node.name,
                           "seconds": round(time.perf_counter() - t0, 3),
                           "rss_mb": round(_rss_mb(), 1), "peak_rss_mb": round(peak, 1),
                           "raised_peak_mb": round(max(peak - peak_before, 0.0), 1)})

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
            for row in self._rows:
                writer.writerow({**row, "stage": stages.get(row["node"], "")})
        self._rows.clear()
