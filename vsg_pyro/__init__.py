"""vsg-pyro: equilibria of multi-agent games by variational inference (Variational Stochastic
Games) in Pyro.

Layers (README, "Architecture"): :mod:`vsg_pyro.core` (concept-free primitives, the solver
protocol and the one loop), :mod:`vsg_pyro.infer` (Pyro plumbing), :mod:`vsg_pyro.models` and
:mod:`vsg_pyro.guides` (the Pyro programs), :mod:`vsg_pyro.equilibria` (one package per
concept), :mod:`vsg_pyro.games` and :mod:`vsg_pyro.metrics` (games and exact measurements).
"""

import importlib as _importlib
import warnings as _warnings

__version__ = "0.2.0.dev0"

# The public names, imported on first use (PEP 562): ``import vsg_pyro`` (and ``vsg --help``,
# ``vsg --version``) does not pay for torch and Pyro until something needs them.
_EXPORTS = {
    "TabularGame": "vsg_pyro.games",
    "get_game": "vsg_pyro.games",
    "Solution": "vsg_pyro.equilibria",
    "NashSolution": "vsg_pyro.equilibria",
    "ZeroSumSolution": "vsg_pyro.equilibria",
    "CorrelatedSolution": "vsg_pyro.equilibria",
    "MeanFieldSolution": "vsg_pyro.equilibria",
    "solve": "vsg_pyro.equilibria",
    "Certificate": "vsg_pyro.core.protocol",
    "StepInfo": "vsg_pyro.core.protocol",
    "LoopOptions": "vsg_pyro.core.loop",
    "run_solver": "vsg_pyro.core.loop",
    "exploitability": "vsg_pyro.metrics",
    "entropy_bound": "vsg_pyro.metrics",
    "solve_vpg": "vsg_pyro.equilibria.nash.vpg_run",
    "qre_batch": "vsg_pyro.equilibria.nash.batch_path",
    "BatchQRE": "vsg_pyro.equilibria.nash.batch_path",
}

__all__ = [*_EXPORTS, "__version__"]


def __getattr__(name: str):
    if name in _EXPORTS:
        value = getattr(_importlib.import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    if name == "SolveResult":
        _warnings.warn("vsg_pyro.SolveResult is now vsg_pyro.Solution (one frozen result per "
                       "concept); the old name goes in the next release", DeprecationWarning,
                       stacklevel=2)
        return __getattr__("Solution")
    raise AttributeError(f"module 'vsg_pyro' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})
