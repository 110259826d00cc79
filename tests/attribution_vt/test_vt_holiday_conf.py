"""Holiday windows of the view-through baseline come from conf (view_through.holiday_windows):
day rules by hand, the conf at the code default, and malformed rules stopped with the conf key."""

from pathlib import Path

import pandas as pd
import pytest
from kedro.config import OmegaConfigLoader

from roi_ml.attribution.view_through import (
    DEFAULT_HOLIDAY_WINDOWS,
    ViewThroughConfig,
    baseline_design,
    day_rule,
    holiday_windows,
)

CONF = Path(__file__).resolve().parents[2] / "conf"


def test_day_rules_by_hand():
    # 1 Nov 2024 is a Friday: Thursdays 7, 14, 21, 28 → 4th Thursday 28 Nov, + 1 = Black Friday 29
    assert day_rule("4th thu nov", 2024) == pd.Timestamp("2024-11-28")
    assert day_rule("4th thu nov +1", 2024) == pd.Timestamp("2024-11-29")
    # 1 May 2025 is a Thursday: Sundays 4, 11 → 2nd Sunday 11 May; − 6 days = 5 May
    assert day_rule("2nd sun may", 2025) == pd.Timestamp("2025-05-11")
    assert day_rule("2nd sun may -6", 2025) == pd.Timestamp("2025-05-05")
    # 31 May 2026 is a Sunday: last Monday of May 2026 is 25 May (US Memorial Day)
    assert day_rule("last mon may", 2026) == pd.Timestamp("2026-05-25")
    assert day_rule("12-24", 2025) == pd.Timestamp("2025-12-24")
    assert day_rule(" 02-07 +3 ", 2025) == pd.Timestamp("2025-02-10")


@pytest.mark.parametrize("rule", ["13-01", "4th thursday nov", "5th mon feb", "xmas", "12-01 +x"])
def test_malformed_day_rule_names_the_conf_key(rule):
    # 5th Monday of February 2025 does not exist (Mondays 3, 10, 17, 24)
    with pytest.raises(ValueError, match="view_through.holiday_windows.*parameters_attribution.yml"):
        day_rule(rule, 2025)


def test_malformed_window_is_stopped_when_the_settings_are_read():
    with pytest.raises(ValueError, match="holiday_windows.sale.*first day, last day"):
        ViewThroughConfig.from_params({"holiday_windows": {"sale": "11-11"}})
    with pytest.raises(ValueError, match="cannot read the day rule"):
        ViewThroughConfig.from_params({"holiday_windows": {"sale": ["11-11", "11-31"]}})


def test_default_windows_by_hand_2025():
    # Thanksgiving 2025 is Thursday 27 Nov → bfcm 28 Nov … 1 Dec; Mother's Day 11 May → 5–11 May
    days = pd.date_range("2025-01-01", "2025-12-31", freq="D")
    h = holiday_windows(days)
    on = {k: (h.index[h[k] > 0].min().strftime("%m-%d"), h.index[h[k] > 0].max().strftime("%m-%d"),
              int(h[k].sum())) for k in h.columns}
    assert on == {"bfcm": ("11-28", "12-01", 4), "christmas": ("12-01", "12-24", 24),
                  "valentines": ("02-07", "02-14", 8), "mothers_day": ("05-05", "05-11", 7),
                  "prime_day": ("07-08", "07-17", 10)}


def test_custom_windows_replace_the_defaults_in_the_baseline():
    # a brand with only a Singles' Day sale (11 Nov, ± 0): one holiday column, on 1 day of 2025
    days = pd.date_range("2025-11-01", "2025-11-30", freq="D")
    cfg = ViewThroughConfig.from_params({"holiday_windows": {"singles_day": ["11-11", "11-11"]}})
    b = baseline_design(days, cfg)
    assert "singles_day" in b.columns and "bfcm" not in b.columns
    assert b["singles_day"].sum() == 1 and b.loc["2025-11-11", "singles_day"] == 1


def test_conf_holiday_windows_equal_the_code_default():
    params = OmegaConfigLoader(str(CONF), base_env="base", default_run_env="base")["parameters"]
    conf = params["attribution"]["data_driven"]["view_through"]["holiday_windows"]
    assert {k: list(v) for k, v in conf.items()} == DEFAULT_HOLIDAY_WINDOWS
    assert ViewThroughConfig().holiday_windows == DEFAULT_HOLIDAY_WINDOWS


def test_february_29_is_rejected_with_the_conf_key():
    # 02-29 exists only in leap years: it would pass a 2024-only check and crash in 2025
    with pytest.raises(ValueError, match="02-29 exists only in leap years.*parameters_attribution.yml"):
        day_rule("02-29", 2024)
    with pytest.raises(ValueError, match="holiday_windows.*02-29"):
        ViewThroughConfig.from_params({"holiday_windows": {"leap": ["02-28", "02-29"]}})


def test_a_rule_missing_in_some_years_is_stopped_when_the_settings_are_read():
    # 1 Feb 2025 is a Saturday: Saturdays 1, 8, 15, 22 — no 5th; it exists in 2020 (1, 8, …, 29)
    assert day_rule("5th sat feb", 2020) == pd.Timestamp("2020-02-29")
    with pytest.raises(ValueError, match="cannot read the day rule '5th sat feb'"):
        ViewThroughConfig.from_params({"holiday_windows": {"odd": ["5th sat feb", "03-01"]}})


def test_a_window_wrapping_the_year_end_by_hand():
    """["12-26", "01-02"]: 26–31 December and 1–2 January of the next year, 8 days per winter.
    Days 2024-12-20 … 2025-01-10: on from 12-26 to 01-02 (6 + 2 = 8 days); days of early January
    2025 belong to the window that started in 2024 (the year before the first day)."""
    days = pd.date_range("2024-12-20", "2025-01-10", freq="D")
    h = holiday_windows(days, None, {"new_year": ["12-26", "01-02"]})
    on = h.index[h["new_year"] > 0]
    assert on.min() == pd.Timestamp("2024-12-26") and on.max() == pd.Timestamp("2025-01-02")
    assert int(h["new_year"].sum()) == 8
    # only January in the data: still on for 1-2 January (window of the previous year)
    jan = holiday_windows(pd.date_range("2025-01-01", "2025-01-05"), None, {"new_year": ["12-26", "01-02"]})
    assert jan["new_year"].tolist() == [1.0, 1.0, 0.0, 0.0, 0.0]
    assert ViewThroughConfig.from_params({"holiday_windows": {"new_year": ["12-26", "01-02"]}})


def test_a_reversed_window_longer_than_a_quarter_names_the_conf_key():
    # ["12-24", "12-01"] would wrap to 24 Dec … 1 Dec of the next year: 343 days — a typo
    with pytest.raises(ValueError, match="holiday_windows.christmas.*343 days.*swap them"):
        ViewThroughConfig.from_params({"holiday_windows": {"christmas": ["12-24", "12-01"]}})
