"""Response-curve and reach formulas shared by the simulator's truth and the models."""

from __future__ import annotations

import numpy as np


def hill(spend, vmax, ec50, slope):
    """Hill saturation: vmax · s^n / (s^n + ec50^n); 0 at zero spend, vmax/2 at s = ec50."""
    s = np.maximum(np.asarray(spend, dtype=float), 0.0)
    sn = s ** slope
    return vmax * sn / (sn + np.asarray(ec50, dtype=float) ** slope)
