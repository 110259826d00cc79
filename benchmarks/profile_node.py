"""Profile one node of a finished run with pyinstrument (issue 8).

    (pyinstrument comes with the dev extras: make install)
    python benchmarks/profile_node.py /tmp/roi_ml_bench/medium-1 kpis build_kpi_platform
    python benchmarks/profile_node.py <project> <pipeline> <node> --no-profile --save out.pkl

Loads the node's inputs from the project's catalog (running upstream nodes of the same pipeline
in memory for inputs that are not persisted), then runs only the node's function (nothing is
saved to the catalog) and prints its wall time and the process CPU time (user + sys, all
threads) spent in it. By default it runs under pyinstrument and prints the profile;
`--no-profile` times it bare. `--save FILE` pickles the node's outputs (to compare the outputs
of two versions of the code, e.g. with benchmarks/compare_outputs.py).
"""

from __future__ import annotations

import argparse
import os
import pickle
import resource
import time
from pathlib import Path


def _cpu_seconds() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main(project: str, pipeline_name: str, node_name: str, profile: bool = True,
         save: str | None = None) -> None:
    os.environ.setdefault("KEDRO_DISABLE_TELEMETRY", "true")
    from kedro.framework.project import pipelines
    from kedro.framework.session import KedroSession
    from kedro.framework.startup import bootstrap_project

    root = Path(project).resolve()
    os.chdir(root)
    bootstrap_project(root)
    with KedroSession.create(project_path=root) as session:
        catalog = session.load_context().catalog
        pipe = pipelines[pipeline_name]
        node = next(n for n in pipe.nodes if n.name == node_name)
        memory: dict = {}

        def value(name: str):
            if name in memory:
                return memory[name]
            try:
                return catalog.load(name)
            except Exception:  # noqa: BLE001 - not persisted: compute it from its producer
                producer = next(n for n in pipe.nodes if name in n.outputs)
                memory.update(producer.run({i: value(i) for i in producer.inputs}))
                return memory[name]

        inputs = {i: value(i) for i in node.inputs}
        profiler = None
        if profile:
            from pyinstrument import Profiler
            profiler = Profiler()
            profiler.start()
        cpu0, wall0 = _cpu_seconds(), time.perf_counter()
        outputs = node.run(inputs)
        wall, cpu = time.perf_counter() - wall0, _cpu_seconds() - cpu0
        if profiler is not None:
            profiler.stop()
            print(profiler.output_text(unicode=False, color=False))
        print(f"NODE {node_name}: wall {wall:.1f} s, CPU {cpu:.1f} s (user+sys), "
              f"load average {os.getloadavg()[0]:.1f}")
        if save:
            with open(save, "wb") as f:
                pickle.dump(outputs, f)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("project")
    ap.add_argument("pipeline")
    ap.add_argument("node")
    ap.add_argument("--no-profile", dest="profile", action="store_false")
    ap.add_argument("--save", default=None)
    a = ap.parse_args()
    main(a.project, a.pipeline, a.node, a.profile, a.save)
