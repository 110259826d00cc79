"""Project hooks: the PII salt, quiet third-party loggers."""

from __future__ import annotations

import logging
import secrets
from pathlib import Path
from typing import Any

import yaml
from kedro.framework.hooks import hook_impl

log = logging.getLogger(__name__)

SALT_KEY = "pii_salt"


def ensure_pii_salt(credentials_path: Path) -> str:
    """Return the salt stored under `pii_salt` in credentials_path, creating it if missing.

    The file lives in conf/local (git-ignored), so the salt never reaches the repository.
    """
    credentials_path = Path(credentials_path)
    data: dict[str, Any] = {}
    if credentials_path.exists():
        data = yaml.safe_load(credentials_path.read_text()) or {}
    salt = data.get(SALT_KEY)
    if not salt:
        salt = secrets.token_hex(32)
        data[SALT_KEY] = salt
        credentials_path.parent.mkdir(parents=True, exist_ok=True)
        credentials_path.write_text(yaml.safe_dump(data, sort_keys=True))
        credentials_path.chmod(0o600)
        log.info("Created a new PII salt in %s (keep this file private)", credentials_path)
    return str(salt)


def silence_noisy_loggers() -> None:
    """cmdstanpy resets its own level on first use: a NullHandler and no propagation stop it."""
    for name in ("cmdstanpy", "prophet", "prophet.plot"):
        logger = logging.getLogger(name)
        logger.handlers = [logging.NullHandler()]
        logger.propagate = False
        logger.setLevel(logging.WARNING)


class RoiMlHooks:
    """Makes the PII salt available to nodes as the `pii_salt` dataset (never as a parameter,
    so it is never logged to MLflow)."""

    def __init__(self) -> None:
        self._salt: str | None = None

    @hook_impl
    def after_context_created(self, context) -> None:
        silence_noisy_loggers()
        conf_root = Path(context.project_path) / "conf"
        self._salt = ensure_pii_salt(conf_root / "local" / "credentials.yml")

    @hook_impl
    def after_catalog_created(self, catalog) -> None:
        if self._salt is not None:
            catalog["pii_salt"] = self._salt
