"""`roi-ml bench`: time and peak memory of simulating and running pipelines on one machine.

Each measured step runs in a fresh child process; its wall time is measured around it and its
peak memory is the child's maximum resident set size (getrusage). Results are printed as a
Markdown table row and, with --record, appended to docs/benchmarks.md under "Measurements".

The measured `kedro run` also records every node's wall time and memory (roi_ml.profiling,
switched on by the ROI_ML_NODE_TIMINGS environment variable): bench prints the time per stage
(pipeline) and the slowest nodes, and --record appends them to docs/benchmarks.md under
"Per-node measurements", keeping earlier runs for comparison.
"""

from __future__ import annotations

import csv
import os
import platform
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DATA_LAYERS = ("01_raw", "02_intermediate", "03_primary", "04_feature", "05_model_input",
               "06_models", "07_model_output", "08_reporting")


@dataclass
class Measurement:
    step: str
    size: str
    seconds: float
    peak_rss_mb: float
    command: str

    def row(self) -> str:
        return (f"| {time.strftime('%Y-%m-%d')} | {self.size} | {self.step} | {self.seconds:,.1f} s "
                f"| {self.peak_rss_mb:,.0f} MB | `{self.command}` |")


def _run_child(cmd: list[str], cwd: Path, env: dict) -> tuple[float, float]:
    """Run cmd in a fresh process; return (wall seconds, peak RSS MB of that process tree)."""
    # ru_maxrss of RUSAGE_CHILDREN is the max over waited-for children, so run through a
    # wrapper process whose own children are only this command.
    wrapper = [sys.executable, "-c",
               "import resource,subprocess,sys;"
               "r=subprocess.run(sys.argv[1:]);"
               "print('PEAK_RSS_KB', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr);"
               "sys.exit(r.returncode)", *cmd]
    t0 = time.perf_counter()
    proc = subprocess.run(wrapper, cwd=cwd, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-4000:] + proc.stderr[-4000:])
        raise SystemExit(f"bench: {' '.join(cmd)} failed with exit code {proc.returncode}")
    peak_kb = max(int(line.split()[1]) for line in proc.stderr.splitlines() if line.startswith("PEAK_RSS_KB"))
    return seconds, peak_kb / 1024


def machine() -> str:
    cpus = os.cpu_count()
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{platform.machine()}, {cpus} cores, {mem:.0f} GiB RAM, Python {platform.python_version()}"


def make_project(workdir: Path) -> Path:
    """A throw-away copy of the project (conf + pyproject) whose data/ and mlflow.db are its own."""
    if (workdir / "conf").exists():
        shutil.rmtree(workdir / "conf")
    shutil.copytree(REPO / "conf" / "base", workdir / "conf" / "base")
    (workdir / "conf" / "local").mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "pyproject.toml", workdir / "pyproject.toml")
    if not (workdir / "src").exists():  # Kedro checks the source dir exists; the code is installed
        (workdir / "src").mkdir()
    for layer in DATA_LAYERS:
        (workdir / "data" / layer).mkdir(parents=True, exist_ok=True)
    return workdir


def bench(size: str, seed: int, pipelines: str | None, workdir: Path, reuse: bool,
          record: bool, doc: Path | None = None) -> list[Measurement]:
    """Simulate (unless reusing), run kedro in a fresh process, print (and with `record`
    append to `doc`, default docs/benchmarks.md) the wall time, peak memory and per-node table."""
    workdir.mkdir(parents=True, exist_ok=True)
    make_project(workdir)
    env = {**os.environ, "KEDRO_DISABLE_TELEMETRY": "true", "DO_NOT_TRACK": "1"}
    bin_dir = Path(sys.executable).parent
    results = []
    raw = workdir / "data" / "01_raw"
    if not (reuse and (raw / "creator_roster.csv").exists()):
        for sub in ("data", "mlflow.db"):
            p = workdir / sub
            if p.is_dir():
                shutil.rmtree(p)
            elif p.exists():
                p.unlink()
        cmd = [str(bin_dir / "roi-ml"), "simulate", "--size", size, "--seed", str(seed),
               "--raw-dir", "data/01_raw", "--truth-dir", "data/ground_truth"]
        s, mb = _run_child(cmd, workdir, env)
        results.append(Measurement("simulate", size, s, mb,
                                   f"roi-ml simulate --size {size} --seed {seed}"))
    make_project(workdir)  # the layer folders again, after a fresh simulation
    cmd = [str(bin_dir / "kedro"), "run"] + (["--pipelines", pipelines] if pipelines else [])
    timings_path = workdir / "node_timings.csv"
    timings_path.unlink(missing_ok=True)
    s, mb = _run_child(cmd, workdir, {**env, "ROI_ML_NODE_TIMINGS": str(timings_path)})
    results.append(Measurement(f"kedro run {'--pipelines ' + pipelines if pipelines else '(default)'}",
                               size, s, mb,
                               f"roi-ml bench --size {size} --seed {seed}"
                               + (" --reuse" if reuse else "")
                               + (f" --pipelines {pipelines}" if pipelines else "")))
    nodes = read_node_timings(timings_path)
    events = count_ga4_events(workdir / "data" / "01_raw" / "ga4_events")
    report = node_report(nodes, size=size, events=events, total_seconds=s, peak_mb=mb,
                         command=results[-1].command)
    print(f"\nmachine: {machine()}\n")
    print("| date | size | step | wall time | peak memory | command |")
    print("|---|---|---|---|---|---|")
    for r in results:
        print(r.row())
    print("\n" + report)
    if record:
        doc = doc or REPO / "docs" / "benchmarks.md"
        text = doc.read_text() if doc.exists() else "# Benchmarks\n\n## Measurements\n\n"
        lines = "\n".join(f"{r.row()} {machine()} |" for r in results)
        text = _insert_after_table(text, "## Measurements", lines)
        if PER_NODE_HEADING not in text:
            text = text.rstrip("\n") + f"\n\n{PER_NODE_HEADING}\n\n{PER_NODE_INTRO}\n"
        doc.write_text(text.rstrip("\n") + "\n\n" + report + "\n")
    return results


PER_NODE_HEADING = "## Per-node measurements"
PER_NODE_INTRO = ("Written by `roi-ml bench --record` (newest last; earlier runs are kept for "
                  "comparison). Stage = the pipeline a node belongs to. A node's time = loading "
                  "its inputs + running it + saving its outputs (lazy Ibis nodes compute on "
                  "save); Kedro and MLflow start-up are outside every node, so the stages sum to "
                  "less than the run's wall time. \"Raised the run's peak\" = how much the "
                  "process's high-water resident memory grew while the node ran.")


def _insert_after_table(text: str, heading: str, lines: str) -> str:
    """Append rows to the end of the Markdown table that follows `heading` (or a new section)."""
    if heading not in text:
        return text.rstrip("\n") + f"\n\n{heading}\n\n| date | size | step | wall time | peak memory "\
            f"| command | machine |\n|---|---|---|---|---|---|---|\n{lines}\n"
    head, tail = text.split(heading, 1)
    out, in_table, done = [], False, False
    for line in tail.split("\n"):
        if not done and line.startswith("|"):
            in_table = True
        elif not done and in_table:
            out.append(lines)
            done = True
        out.append(line)
    if not done:
        out.append(lines)
    return head + heading + "\n".join(out)


def read_node_timings(path: Path) -> list[dict]:
    """Rows written by roi_ml.profiling.NodeTimingHook (empty when the run wrote none)."""
    if not path.exists():
        return []
    with path.open() as fh:
        return [{**r, **{k: float(r[k]) for k in r if k not in ("order", "node", "stage")}}
                for r in csv.DictReader(fh)]


def count_ga4_events(folder: Path) -> int | None:
    """Number of GA4 events in the raw export (DuckDB reads only the Parquet footers)."""
    files = sorted(folder.glob("*.parquet")) if folder.exists() else []
    if not files:
        return None
    import duckdb

    con = duckdb.connect()
    try:
        return int(con.execute("SELECT count(*) FROM read_parquet(?)",
                               [[str(f) for f in files]]).fetchone()[0])
    finally:
        con.close()


def node_report(nodes: list[dict], size: str, events: int | None, total_seconds: float,
                peak_mb: float, command: str, top: int = 12) -> str:
    """Markdown: one heading line, time per stage, and the slowest nodes."""
    ev = f"{events:,} GA4 events" if events is not None else "GA4 events unknown"
    lines = [f"### {time.strftime('%Y-%m-%d')} · {size} ({ev}) · {total_seconds:,.1f} s end to end, "
             f"peak {peak_mb:,.0f} MB", "", f"`{command}` on {machine()}", ""]
    if not nodes:
        lines.append("(no per-node timings were recorded)")
        return "\n".join(lines)
    stages: dict[str, list[dict]] = {}
    for r in nodes:
        stages.setdefault(r["stage"] or "(unknown)", []).append(r)
    lines += ["| stage | nodes | node time | s per million events | highest peak after a node |",
              "|---|---|---|---|---|"]
    for stage, rows in sorted(stages.items(), key=lambda kv: -sum(r["seconds"] for r in kv[1])):
        secs = sum(r["seconds"] for r in rows)
        per_m = f"{secs / (events / 1e6):,.1f}" if events else "–"
        lines.append(f"| {stage} | {len(rows)} | {secs:,.1f} s | {per_m} | "
                     f"{max(r['peak_rss_mb'] for r in rows):,.0f} MB |")
    lines += ["", f"Slowest {min(top, len(nodes))} nodes:", "",
              "| node | stage | time (load + run + save) | raised the run's peak by |",
              "|---|---|---|---|"]
    for r in sorted(nodes, key=lambda r: -r["seconds"])[:top]:
        split = ""
        if "run_seconds" in r:
            split = (f" ({r['load_seconds']:,.1f} + {r['run_seconds']:,.1f} + "
                     f"{r['save_seconds']:,.1f})")
        lines.append(f"| {r['node']} | {r['stage']} | {r['seconds']:,.1f} s{split} | "
                     f"{r['raised_peak_mb']:,.0f} MB |")
    return "\n".join(lines)
