"""The exact fast paths of the data-driven model (issue 8): Arrow `isin` and the creators of
each journey, against pandas and hand-written answers."""

from __future__ import annotations

import numpy as np
import pandas as pd

from roi_ml.attribution.data_driven import _creators_by_journey, isin


def test_isin_matches_pandas_for_text_and_other_types():
    s = pd.Series(["j1", "j2", None, "j3", "j1"], dtype="str")
    for allowed in (pd.Index(["j1", "j3"]), s.unique(), pd.Series(["j2"], dtype=object),
                    np.array(["j3"], dtype=object), ["nope"], pd.Index([], dtype="str")):
        np.testing.assert_array_equal(isin(s, allowed), s.isin(allowed).to_numpy())
    # j1 and j3 by hand
    assert isin(s, ["j1", "j3"]).tolist() == [True, False, False, True, True]
    assert isin(pd.Series([1, 2, 3]), [2]).tolist() == [False, True, False]  # not text: pandas


def test_creators_by_journey_sorted_and_distinct():
    t = pd.DataFrame({"journey_id": ["b", "a", "b", "b", "a", "c"],
                      "creator_id": ["CR2", "CR9", None, "CR1", "CR9", None]}, dtype="str")
    # journey a: CR9 twice -> [CR9]; b: CR2, CR1 -> sorted [CR1, CR2]; c: no creator -> absent
    assert _creators_by_journey(t) == [("a", ["CR9"]), ("b", ["CR1", "CR2"])]
    assert _creators_by_journey(t[t["creator_id"].isna()]) == []
