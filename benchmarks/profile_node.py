"""Profile one node of a finished run with pyinstrument (issue 8).

    pip install pyinstrument
    python benchmarks/profile_node.py /tmp/roi_ml_bench/medium-1 kpis build_kpi_platform

Loads the node's inputs from the project's catalog (running upstream nodes of the same pipeline
in memory for inputs that are not persisted), then profiles only the node's function.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def main(project: str, pipeline_name: str, node_name: str) -> None:
    os.environ.setdefault("KEDRO_DISABLE_TELEMETRY", "true")
    from kedro.framework.project import pipelines
    from kedro.framework.session import KedroSession
    from kedro.framework.startup import bootstrap_project
    from pyinstrument import Profiler

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
        profiler = Profiler()
        profiler.start()
        node.run(inputs)
        profiler.stop()
        print(profiler.output_text(unicode=False, color=False))


if __name__ == "__main__":
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    main(*sys.argv[1:])
