"""The PII salt: created on first use, reused after, private."""

from __future__ import annotations

import stat

import yaml

from roi_ml.hooks import ensure_pii_salt


def test_salt_is_created_once_and_kept(tmp_path):
    path = tmp_path / "conf" / "local" / "credentials.yml"
    first = ensure_pii_salt(path)
    assert len(first) == 64 and path.exists()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert ensure_pii_salt(path) == first  # the next run reuses it: customer ids stay stable


def test_existing_credentials_are_kept(tmp_path):
    path = tmp_path / "credentials.yml"
    path.write_text(yaml.safe_dump({"mlflow_creds": {"TOKEN": "x"}}))
    salt = ensure_pii_salt(path)
    data = yaml.safe_load(path.read_text())
    assert data["mlflow_creds"] == {"TOKEN": "x"} and data["pii_salt"] == salt
    path.write_text(yaml.safe_dump({"pii_salt": "given-salt"}))
    assert ensure_pii_salt(path) == "given-salt"
