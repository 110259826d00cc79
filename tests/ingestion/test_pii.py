"""Customer keys: salted SHA-256 of the normalised value."""

import hashlib

import pandas as pd
import pytest

from roi_ml.ingest.pii import pseudonymise


def test_same_email_in_any_case_or_spacing_gives_the_same_key():
    keys = pseudonymise(pd.Series(["Ann@Example.com", "  ann@example.COM ", "ann@example.com"]),
                        "test-salt")
    assert keys.nunique() == 1
    assert keys.iloc[0] == hashlib.sha256(b"test-saltann@example.com").hexdigest()


def test_the_salt_changes_the_key_and_other_emails_differ():
    email = pd.Series(["ann@example.com", "bob@example.com"])
    a = pseudonymise(email, "salt-a")
    b = pseudonymise(email, "salt-b")
    assert a.iloc[0] != b.iloc[0]
    assert a.iloc[0] != a.iloc[1]
    assert a.str.fullmatch(r"[0-9a-f]{64}").all()


def test_blank_stays_missing_and_empty_salt_is_refused():
    keys = pseudonymise(pd.Series(["", None, " "], dtype="string"), "s")
    assert keys.isna().all()
    assert keys.dtype == pd.StringDtype()
    with pytest.raises(ValueError, match="pii_salt"):
        pseudonymise(pd.Series(["a@b.c"]), "")
