"""Test-wide settings: kedro never prompts or phones home during tests."""

import os
import sys

os.environ.setdefault("KEDRO_DISABLE_TELEMETRY", "true")

_exit_status = {"code": None}


def pytest_sessionfinish(session, exitstatus):
    _exit_status["code"] = int(exitstatus)


def pytest_unconfigure(config):
    """End the process as soon as pytest is done.

    DuckDB 2's nanobind bindings print dozens of "leaked instance" lines at interpreter shutdown
    (a known binding issue, harmless). They would bury pytest's summary line, which is what
    people and CI read, so after pytest has printed everything we exit without the shutdown.
    """
    code = _exit_status["code"]
    if code is None or os.environ.get("ROI_ML_TEST_NORMAL_EXIT"):
        return
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
