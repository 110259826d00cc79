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
