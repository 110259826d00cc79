"""Test-wide settings: kedro never prompts or phones home during tests."""

import os

os.environ.setdefault("KEDRO_DISABLE_TELEMETRY", "true")
