"""Concept-free primitives and the solver machinery.

* :mod:`.joint`: the joint-action tensor layout (agent views, products of marginals);
* :mod:`.soft_dp`: exact soft dynamic programming (Definition 5.1, Prop. 5.2);
* :mod:`.rows`: folding (time, state) rows for the Pyro plates, in one place;
* :mod:`.step_control`: the step-size controller; :mod:`.schedules`: beta schedules;
* :mod:`.protocol`: the solver protocol (``init``/``step``/``certificate``/``result``,
  ``StepInfo``, ``Certificate``, ``Run``); :mod:`.loop`: the one loop, :func:`run_solver`.
"""

from vsg_pyro.core.loop import LoopOptions, run_solver
from vsg_pyro.core.protocol import Certificate, Run, Solver, StepInfo
from vsg_pyro.core.schedules import constant_beta, geometric_beta, linear_beta
from vsg_pyro.core.step_control import StepSizeController

__all__ = ["LoopOptions", "run_solver", "Certificate", "Run", "Solver", "StepInfo",
           "StepSizeController", "constant_beta", "geometric_beta", "linear_beta"]
