"""`roi-ml bench`: time and peak memory of simulating and running pipelines on one machine.

Each measured step runs in a fresh child process; its wall time is measured around it and its
peak memory is the child's maximum resident set size (getrusage). Results are printed as a
Markdown table row and, with --record, appended to docs/benchmarks.md under "Measurements".
"""

from __future__ import annotations

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
          record: bool) -> list[Measurement]:
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
    s, mb = _run_child(cmd, workdir, env)
    results.append(Measurement(f"kedro run {'--pipelines ' + pipelines if pipelines else '(default)'}",
                               size, s, mb,
                               f"roi-ml bench --size {size} --seed {seed}"
                               + (" --reuse" if reuse else "")
                               + (f" --pipelines {pipelines}" if pipelines else "")))
    print(f"\nmachine: {machine()}\n")
    print("| date | size | step | wall time | peak memory | command |")
    print("|---|---|---|---|---|---|")
    for r in results:
        print(r.row())
    if record:
        doc = REPO / "docs" / "benchmarks.md"
        text = doc.read_text() if doc.exists() else "# Benchmarks\n\n## Measurements\n\n"
        lines = "\n".join(f"{r.row()[:-1]} {machine()} |" for r in results)
        doc.write_text(text.rstrip("\n") + "\n" + lines + "\n")
    return results
