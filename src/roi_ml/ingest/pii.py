"""Pseudonymous keys for people: customers, leads and comment authors.

key = SHA-256 hex of (salt + normalised value), normalised = stripped and lower-cased, so the
same email with different case or spacing gives the same key, and a different salt gives
different keys. The salt comes from conf/local/credentials.yml through the `pii_salt` catalog
entry (see roi_ml.hooks) and never appears in outputs or parameters.
"""

from __future__ import annotations

import hashlib

import pandas as pd

from roi_ml.ingest.parsing import STRING


def normalise_identity(values: pd.Series) -> pd.Series:
    """Stripped, lower-cased text; blank -> <NA>."""
    s = values.astype(STRING).str.strip().str.lower()
    return s.mask(s.fillna("") == "")


def pseudonymise(values: pd.Series, salt: str) -> pd.Series:
    """Salted SHA-256 hex of each normalised value (<NA> stays <NA>), as StringDtype."""
    if not isinstance(salt, str) or not salt:
        raise ValueError("pii_salt is empty: the PII salt must be a non-empty string "
                         "(conf/local/credentials.yml, key pii_salt, created by roi_ml.hooks)")
    prefix = salt.encode("utf-8")
    norm = normalise_identity(values)

    def digest(v: str) -> str:
        return hashlib.sha256(prefix + v.encode("utf-8")).hexdigest()

    out = norm.astype(object).map(lambda v: v if v is pd.NA else digest(v))
    return out.astype(STRING)
