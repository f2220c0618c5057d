"""vsg-pyro: equilibria of multi-agent games by variational inference (Variational Stochastic
Games) in Pyro.

Layers (README, "Architecture"): :mod:`vsg_pyro.core` (concept-free primitives, the solver
protocol and the one loop), :mod:`vsg_pyro.infer` (Pyro plumbing), :mod:`vsg_pyro.models` and
:mod:`vsg_pyro.guides` (the Pyro programs), :mod:`vsg_pyro.equilibria` (one package per
concept), :mod:`vsg_pyro.games` and :mod:`vsg_pyro.metrics` (games and exact measurements).
"""

import warnings as _warnings

from vsg_pyro.core.loop import LoopOptions, run_solver
from vsg_pyro.core.protocol import Certificate, StepInfo
from vsg_pyro.equilibria import (
    CorrelatedSolution,
    MeanFieldSolution,
    NashSolution,
    Solution,
    ZeroSumSolution,
    solve,
)
from vsg_pyro.equilibria.nash.batch_path import BatchQRE, qre_batch
from vsg_pyro.equilibria.nash.exact import solve_vpg
from vsg_pyro.games import TabularGame, get_game
from vsg_pyro.metrics import entropy_bound, exploitability

__version__ = "0.2.0.dev0"

__all__ = [
    "TabularGame",
    "Solution",
    "NashSolution",
    "ZeroSumSolution",
    "CorrelatedSolution",
    "MeanFieldSolution",
    "Certificate",
    "StepInfo",
    "LoopOptions",
    "run_solver",
    "get_game",
    "exploitability",
    "entropy_bound",
    "solve",
    "solve_vpg",
    "qre_batch",
    "BatchQRE",
    "__version__",
]


def __getattr__(name: str):
    if name == "SolveResult":
        _warnings.warn("vsg_pyro.SolveResult is now vsg_pyro.Solution (one frozen result per "
                       "concept); the old name goes in the next release", DeprecationWarning,
                       stacklevel=2)
        return Solution
    raise AttributeError(f"module 'vsg_pyro' has no attribute {name!r}")
