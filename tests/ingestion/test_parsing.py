"""Cell parsers: typed values plus a mask of non-blank cells that failed."""

import pandas as pd

from roi_ml.ingest.parsing import (
    clean_text,
    parse_bool,
    parse_date,
    parse_number,
    parse_timestamp,
    utm_parameters,
)


def s(*values):
    return pd.Series(values, dtype="string")


def test_clean_text_strips_and_blanks_become_na():
    out = clean_text(s(" a ", "", "   ", "b"))
    assert out.dtype == pd.StringDtype()
    assert out.tolist() == ["a", pd.NA, pd.NA, "b"]


def test_parse_integers_flags_text_and_fractions_but_not_blanks():
    values, bad = parse_number(s("12", " 3.0 ", "", "1.5", "abc", "-4"), integer=True)
    assert values.dtype == "Int64"
    assert values.tolist() == [12, 3, pd.NA, pd.NA, pd.NA, -4]
    assert bad.tolist() == [False, False, False, True, True, False]


def test_parse_floats():
    values, bad = parse_number(s("1.25", "", "x", "inf"), integer=False)
    assert values.dtype == "float64"
    assert values.iloc[0] == 1.25 and values.iloc[1:].isna().all()
    assert bad.tolist() == [False, False, True, True]


def test_parse_date_is_naive_microsecond_midnight():
    values, bad = parse_date(s("03/05/2024", "", "n/a", "13/45/2024"), "%m/%d/%Y")
    assert values.dtype == "datetime64[us]"
    assert values.iloc[0] == pd.Timestamp("2024-03-05")
    assert bad.tolist() == [False, False, True, True]


def test_parse_timestamp_local_time_to_utc_across_dst():
    # Los Angeles: PST (UTC-8) before 2024-03-10 02:00, PDT (UTC-7) after
    values, bad = parse_timestamp(s("03/09/2024 10:00", "03/10/2024 10:00", "", "n/a"),
                                  "%m/%d/%Y %H:%M", "America/Los_Angeles")
    assert str(values.dtype) == "datetime64[us, UTC]"
    assert values.iloc[0] == pd.Timestamp("2024-03-09 18:00", tz="UTC")
    assert values.iloc[1] == pd.Timestamp("2024-03-10 17:00", tz="UTC")
    assert bad.tolist() == [False, False, False, True]


def test_parse_timestamp_with_offsets():
    values, bad = parse_timestamp(s("2024-03-09 11:01:00 -0500", "2024-07-01 12:00:00 -0400"),
                                  "%Y-%m-%d %H:%M:%S %z", "America/New_York")
    assert values.tolist() == [pd.Timestamp("2024-03-09 16:01", tz="UTC"),
                               pd.Timestamp("2024-07-01 16:00", tz="UTC")]
    assert not bad.any()


def test_parse_timestamp_iso8601_mixed_offsets_and_naive():
    values, bad = parse_timestamp(
        s("2024-03-05T19:00:00Z", "2024-03-05T21:00:00+02:00", "2024-03-05T19:00:00", "nope"),
        "ISO8601", "UTC")
    expected = pd.Timestamp("2024-03-05 19:00", tz="UTC")
    assert values.iloc[:3].tolist() == [expected] * 3
    assert bad.tolist() == [False, False, False, True]


def test_parse_timestamp_ambiguous_and_missing_local_times():
    # 2024-11-03 01:30 happens twice in New York: read as standard time (EST, UTC-5);
    # 2024-03-10 02:30 never happens: moved forward to 03:00 EDT (07:00 UTC).
    values, bad = parse_timestamp(s("2024-11-03 01:30", "2024-03-10 02:30"), "%Y-%m-%d %H:%M",
                                  "America/New_York")
    assert values.tolist() == [pd.Timestamp("2024-11-03 06:30", tz="UTC"),
                               pd.Timestamp("2024-03-10 07:00", tz="UTC")]
    assert not bad.any()


def test_parse_bool():
    values, bad = parse_bool(s("Yes", "no", "", "maybe", "TRUE"), ("yes", "true"), ("no", "false"))
    assert values.tolist() == [True, False, pd.NA, pd.NA, True]
    assert bad.tolist() == [False, False, False, True, False]


def test_utm_parameters_from_urls_and_paths():
    out = utm_parameters(s(
        "https://x.example/p?utm_source=ig&utm_medium=influencer&utm_campaign=cmp1&utm_content=P1",
        "/p?utm_source=google&utm_medium=cpc",
        "/", ""))
    assert out.iloc[0].tolist() == ["ig", "influencer", "cmp1", "P1"]
    assert out.iloc[1].tolist()[:2] == ["google", "cpc"] and out.iloc[1].isna().tolist()[2:] == [
        True, True]
    assert out.iloc[2:].isna().all().all()
    assert (out.dtypes == pd.StringDtype()).all()
