"""Open a dashboard in headless Chromium and return the DOM after its scripts ran.

Used by the tests (and handy by hand) to check that every Plotly chart really rendered:
a rendered chart has a `plot-container plotly` div with `main-svg` layers; an unrendered one
is only its empty `plotly-graph-div`. Network access is refused (every host resolves to
nothing), so a page that needs the network shows it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")


def find_chromium() -> str | None:
    """$CHROMIUM if set, else the first system Chromium/Chrome found, else None."""
    env = os.environ.get("CHROMIUM")
    if env:
        return env if Path(env).exists() else None
    for c in CANDIDATES:
        if Path(c).exists():
            return c
    return shutil.which("chromium") or shutil.which("chromium-browser")


def dump_dom(html_path: str | Path, chromium: str, timeout_s: float = 180.0,
             virtual_time_ms: int = 20000) -> tuple[str, str]:
    """(DOM after scripts ran, Chromium's stderr incl. console messages) of a local HTML file."""
    with tempfile.TemporaryDirectory(prefix="roi_ml_chromium_") as profile:
        cmd = [chromium, "--headless", "--no-sandbox", "--disable-gpu",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--no-first-run", "--disable-extensions", f"--user-data-dir={profile}",
               "--host-resolver-rules=MAP * ~NOTFOUND", "--enable-logging=stderr", "--v=0",
               f"--virtual-time-budget={virtual_time_ms}", "--window-size=1400,1000",
               "--dump-dom", Path(html_path).resolve().as_uri()]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s, check=False)
    if done.returncode != 0 or "</html>" not in done.stdout:
        raise RuntimeError(f"chromium failed (exit {done.returncode}) on {html_path}: {done.stderr[-2000:]}")
    return done.stdout, done.stderr
