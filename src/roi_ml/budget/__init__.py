"""Per-creator response curves and the budget allocator (plain numpy / scipy, no Kedro).

- `roi_ml.budget.curves`: Hill curves with partial pooling toward tier × platform priors,
  bootstrap draws (`PooledHillCurves`).
- `roi_ml.budget.allocator`: SLSQP allocation over those curves with analytic gradients,
  bounds and a binding-constraint report (`allocate`, `HillSet`).
"""

from roi_ml.budget.allocator import Allocation, BudgetError, HillSet, allocate, binding_constraints
from roi_ml.budget.curves import CurveSettings, PooledHillCurves, hill_curve, hill_derivative

__all__ = ["Allocation", "BudgetError", "CurveSettings", "HillSet", "PooledHillCurves",
           "allocate", "binding_constraints", "hill_curve", "hill_derivative"]
