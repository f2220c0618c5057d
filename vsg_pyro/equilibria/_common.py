"""What the concepts' ``solve`` functions share: checks of the method and of options that do not
apply, the SVI optimiser, the record of the call's parameters, and the run itself."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyro
import torch

from vsg_pyro.core.loop import LoopOptions, run_solver

__all__ = ["METHODS", "OPTIMIZERS", "check_method", "refuse", "svi_optim", "record", "run",
           "prefer_certified"]

METHODS: tuple[str, ...] = ("svi", "exact")
OPTIMIZERS: tuple[str, ...] = ("natural", "adam")


def check_method(method: str, methods: tuple[str, ...] = METHODS) -> None:
    if method not in methods:
        raise ValueError(f"method: must be one of {methods}, got {method!r}")


def refuse(why: str, **given: Any) -> None:
    """Raise ``ValueError`` naming every option of ``given`` that was set (not ``None``)."""
    names = [name for name, value in given.items() if value is not None]
    if names:
        raise ValueError(f"{', '.join(names)}: {why}")


def svi_optim(optimizer: str | None, lr: float | None, lr_decay: float | None,
              optim: Any, n_agents: int) -> Any:
    """The agents' ``pyro.optim`` optimiser: ``optim`` as given, ``None`` for natural gradients
    (the default; one step = eq. (4)), or ClippedAdam with ``lr`` (0.05) and ``lr_decay`` (1)."""
    if optimizer is not None and optimizer not in OPTIMIZERS:
        raise ValueError(f"optimizer: must be one of {OPTIMIZERS}, got {optimizer!r}")
    if optim is not None:
        refuse("give either optim (a pyro.optim optimiser) or optimizer/lr/lr_decay",
               optimizer=optimizer, lr=lr, lr_decay=lr_decay)
        return optim
    if optimizer in (None, "natural"):
        refuse("only for optimizer='adam' (the natural gradient's rate is alpha)", lr=lr,
               lr_decay=lr_decay)
        return None
    lr = 0.05 if lr is None else lr
    lr_decay = 1.0 if lr_decay is None else lr_decay
    if not lr > 0 or not 0 < lr_decay <= 1:
        raise ValueError(f"lr/lr_decay: need lr > 0 and 0 < lr_decay <= 1, got {lr}, {lr_decay}")
    return [pyro.optim.ClippedAdam({"lr": lr, "lrd": lr_decay}) for _ in range(n_agents)]


def record(arguments: dict[str, Any]) -> dict[str, Any]:
    """The call's parameters as plain values (tensors as lists, objects by ``repr``), for the
    result's ``parameters``."""
    out: dict[str, Any] = {}
    for name, value in arguments.items():
        if name in ("game", "callback") or name.startswith("_"):
            continue
        if value is None or isinstance(value, (bool, int, float, str)):
            out[name] = value
        elif isinstance(value, torch.Tensor):
            out[name] = value.tolist()
        elif isinstance(value, (list, tuple)) and all(isinstance(v, torch.Tensor) for v in value):
            out[name] = [v.tolist() for v in value]
        else:
            out[name] = repr(value)
    return out


def run(solver: Any, beta: float | Callable[[int], float], alpha: float | Callable[[float], float],
        options: LoopOptions, seed: int, callback: Callable[[int, dict], None] | None,
        parameters: dict[str, Any]) -> Any:
    """Drive ``solver`` in the one loop and return its result, with ``parameters`` recorded."""
    state, outcome = run_solver(solver, beta, alpha, options, seed, callback=callback)
    return solver.result(state, outcome, parameters=parameters)


def prefer_certified(result: Any, rescue: Any, what: str) -> Any:
    """A fall-back's outcome: ``rescue`` (its reason saying why it replaced ``result``, the two
    runs' seconds added) when it is certified, else the uncertified ``result`` with its reason
    extended.  ``what`` names the fall-back in the reason."""
    if not rescue.converged:
        return result._replace(reason=f"{result.reason}; {what} did not certify either "
                                      f"({rescue.reason})")
    return rescue._replace(reason=f"the {result.method} run did not certify ({result.reason}); "
                                  f"{what}: {rescue.reason}",
                           seconds=result.seconds + rescue.seconds)
