"""The conf file lists every data-driven setting, at the value the code defaults to."""

from dataclasses import asdict
from pathlib import Path

from kedro.config import OmegaConfigLoader

from roi_ml.attribution.caused_clicks import CausedClickConfig
from roi_ml.attribution.view_through import ViewThroughConfig

CONF = Path(__file__).resolve().parents[2] / "conf"


def _data_driven_conf() -> dict:
    params = OmegaConfigLoader(str(CONF), base_env="base", default_run_env="base")["parameters"]
    return params["attribution"]["data_driven"]


def test_view_through_settings_are_all_in_conf_at_their_defaults():
    vt = dict(_data_driven_conf()["view_through"])
    assert vt.pop("enabled") is True
    assert set(vt) == set(ViewThroughConfig.__dataclass_fields__)
    assert ViewThroughConfig.from_params(vt) == ViewThroughConfig()


def test_caused_click_settings_are_all_in_conf_and_follow_the_events_lookback():
    cc = _data_driven_conf()["caused_clicks"]
    assert set(cc) == set(CausedClickConfig.__dataclass_fields__)
    params = OmegaConfigLoader(str(CONF), base_env="base", default_run_env="base")["parameters"]
    assert cc["lookback_days"] == params["events"]["lookback_days"]
    assert CausedClickConfig(**cc) == CausedClickConfig(**{**asdict(CausedClickConfig()),
                                                          "lookback_days": cc["lookback_days"]})
