"""The one iteration loop: beta schedule, step-size control, stopping, certificate, trace and
callback for every solver of :mod:`vsg_pyro.core.protocol`.

One run::

    state = solver.init(seed); state = solver.prepare(state, beta_0)   # if the solver has it
    for k in 0, 1, ..., steps - 1:
        beta_k = schedule(k); alpha_k = step_size(beta_k) or the controller's alpha
        state, info = solver.step(state, beta_k, alpha_k)
        stop when the stopping rule fires and beta has settled (schedule(k + 1) == beta_k)
        halve alpha when progress stalls, only once beta has settled

The differences between the solvers' former loops are explicit options of
:class:`LoopOptions`:

* ``stop_on="change"``: stop when the step's change is below ``tol`` (Nash, zero-sum);
  ``"change_per_step"``: when ``change / alpha`` is below ``tol`` (correlated: a halved step
  cannot pass for a fixed point); ``"certificate"``: when the certificate holds, evaluated
  after every step (mean field, whose certificate is the exploitability it computes anyway);
  this rule stops as soon as the certificate holds, also while beta is being annealed.
* ``adaptive_step``: :class:`~vsg_pyro.core.step_control.StepSizeController`; off when
  ``alpha`` is a function of beta (zero-sum's ``beta -> alpha``).

**Schedules and step control compose.**  The controller is fed and can halve only while beta
is constant; whenever beta changes it forgets its history and returns to the initial step, so
an annealed run enters its final beta with the initial step and then behaves as a fixed-beta
run started there (also after intermediate plateaus).

**Convergence is certified.**  Stopping is not convergence: whatever stopped the run,
``Run.converged`` is ``solver.certificate(final state).holds``, and ``Run.reason`` says why the
run stopped and, when the certificate fails, by how much (e.g. a step that collapsed).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from vsg_pyro.core.protocol import Run, Solver, StepInfo
from vsg_pyro.core.step_control import StepSizeController

__all__ = ["LoopOptions", "STOP_RULES", "run_solver", "as_schedule"]

StopRule = Literal["change", "change_per_step", "certificate"]
STOP_RULES: tuple[str, ...] = ("change", "change_per_step", "certificate")
Schedule = Callable[[int], float]
Callback = Callable[[int, dict], None]


@dataclass(frozen=True)
class LoopOptions:
    """How :func:`run_solver` iterates (module docstring).

    Attributes:
        steps: at most this many steps (>= 1).
        tol: the stopping tolerance of ``stop_on="change"`` / ``"change_per_step"`` (>= 0).
        stop_on: one of :data:`STOP_RULES`.
        adaptive_step: halve ``alpha`` when the change stalls (ignored, and refused by the
            callers, when ``alpha`` is a function of beta).
        patience: the controller's window (steps).
        certificate_every: also evaluate the certificate every k steps into the trace
            (0: only where the stopping rule needs it).
        progress: show a tqdm progress bar.
    """

    steps: int = 2000
    tol: float = 1e-8
    stop_on: StopRule = "change"
    adaptive_step: bool = True
    patience: int = 25
    certificate_every: int = 0
    progress: bool = False

    def __post_init__(self) -> None:
        if isinstance(self.steps, bool) or not isinstance(self.steps, int) or self.steps < 1:
            raise ValueError(f"steps: must be an integer >= 1, got {self.steps!r}")
        if not (isinstance(self.tol, (int, float)) and self.tol >= 0):
            raise ValueError(f"tol: must be a number >= 0, got {self.tol!r}")
        if self.stop_on not in STOP_RULES:
            raise ValueError(f"stop_on: must be one of {STOP_RULES}, got {self.stop_on!r}")
        if not isinstance(self.patience, int) or self.patience < 1:
            raise ValueError(f"patience: must be an integer >= 1, got {self.patience!r}")
        if not isinstance(self.certificate_every, int) or self.certificate_every < 0:
            raise ValueError(f"certificate_every: must be an integer >= 0, "
                             f"got {self.certificate_every!r}")


def as_schedule(beta: float | Schedule) -> Schedule:
    """A schedule ``step -> beta`` from a float or a callable (checked at step 0)."""
    if callable(beta):
        schedule = beta
    else:
        value = float(beta)
        schedule = lambda _step: value  # noqa: E731
    _beta(schedule(0), "beta")
    return schedule


def _beta(value: Any, where: str) -> float:
    """``value`` as a float (numpy scalars and 0-d tensors too), refusing what is not > 0."""
    try:
        beta = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{where}: beta must be a finite number > 0, got {value!r}") from None
    if not (beta > 0 and math.isfinite(beta)):
        raise ValueError(f"{where}: beta must be a finite number > 0, got {value!r}")
    return beta


def run_solver(
    solver: Solver,
    beta: float | Schedule,
    alpha: float | Callable[[float], float],
    options: LoopOptions = LoopOptions(),
    seed: int = 0,
    state: Any = None,
    callback: Callback | None = None,
) -> tuple[Any, Run]:
    """Drive ``solver`` from ``solver.init(seed)`` (or from ``state``) to a stop.

    Args:
        beta: inverse temperature, or a schedule ``step -> beta`` (:mod:`vsg_pyro.core.schedules`).
        alpha: the step size, or a function ``beta -> alpha`` (then no adaptive control).
        callback: ``callback(step, info)`` after every step, ``step`` counting from 0 for every
            concept; ``info``: ``iteration`` (= step + 1), ``beta``, ``alpha``, ``change``
            (also as ``delta``), ``elbo``, ``loss``, ``certificate`` (float or ``None``) and
            ``state`` (the new state).

    Returns:
        ``(final state, Run)``.
    """
    start = time.perf_counter()
    schedule = as_schedule(beta)
    step_size = alpha if callable(alpha) else None
    alpha0 = float(step_size(schedule(0)) if step_size is not None else alpha)
    if not (alpha0 > 0 and math.isfinite(alpha0)):
        raise ValueError(f"alpha: must be a finite number > 0, got {alpha0!r}")
    # Without adaptive control alpha is whatever the solver takes (a path solver's step length
    # may exceed 1); the controller checks 0 < alpha <= 1 itself.
    adaptive = options.adaptive_step and step_size is None
    control = StepSizeController(alpha0, options.patience) if adaptive else None
    prepare = getattr(solver, "prepare", None)
    if state is None:
        state = solver.init(seed)
        if prepare is not None:  # once, before the first step (not when continuing a state)
            state = prepare(state, schedule(0))
    n_agents = getattr(solver, "n_agents", 0)
    elbo: list[list[float]] = [[] for _ in range(n_agents)]
    loss: list[list[float]] = [[] for _ in range(n_agents)]
    trace: list[dict] = []
    verdict, reason, a, b = None, "", alpha0, schedule(0)
    steps = range(options.steps)
    if options.progress:
        from tqdm.auto import tqdm

        steps = tqdm(steps, desc=f"{solver.concept} ({solver.method})", leave=False)
    iterations = 0
    for k in steps:
        b = _beta(schedule(k), f"beta_schedule: at step {k}")
        a = float(step_size(b)) if step_size is not None else (
            control.alpha if control is not None else alpha0)
        state, info = solver.step(state, b, a)
        iterations = k + 1
        if math.isnan(info.change):
            raise FloatingPointError(f"step {k}: the update produced NaN; check log_priors and "
                                     "beta for infinite or invalid values")
        for i, value in enumerate(info.elbo[:n_agents]):
            elbo[i].append(value)
        for i, value in enumerate(info.loss[:n_agents]):
            loss[i].append(value)
        settled = _beta(schedule(k + 1), f"beta_schedule: at step {k + 1}") == b
        cert_value = info.certificate
        if options.stop_on == "certificate" or (
                options.certificate_every and iterations % options.certificate_every == 0):
            verdict = solver.certificate(state, b)
            cert_value = verdict.value
        entry = {"iteration": iterations, "beta": b, "alpha": a, "change": info.change,
                 "elbo": list(info.elbo), "loss": list(info.loss), "certificate": cert_value,
                 "seconds": time.perf_counter() - start}
        trace.append(entry)
        if callback is not None:
            callback(k, {**entry, "delta": info.change, "state": state})
        # A certificate that holds is final whatever beta does next (mean field's exploitability
        # is beta-free); the change rules wait for beta to settle.
        if (settled or options.stop_on == "certificate") and _fires(options, info, a, verdict):
            if options.stop_on != "certificate":
                verdict = solver.certificate(state, b)
            reason = _stop_reason(options, verdict, a, alpha0)
            break
        verdict = None
        if control is not None:
            if not settled:
                control.reset()
            elif math.isfinite(info.change):
                control.update(info.change)
    else:
        verdict = solver.certificate(state, b)
        reason = (f"step limit ({options.steps}) reached; {verdict.name} {verdict.value:.3g} "
                  f"{'<=' if verdict.holds else '>'} {verdict.threshold:.3g}")
    run = Run(iterations=iterations, beta=float(b), alpha=float(a), converged=verdict.holds,
              certificate=verdict, reason=reason, trace=trace, elbo=elbo, loss=loss,
              seconds=time.perf_counter() - start)
    return state, run


def _fires(options: LoopOptions, info: StepInfo, alpha: float, verdict) -> bool:
    if options.stop_on == "certificate":
        return verdict is not None and verdict.holds
    change = info.change / alpha if options.stop_on == "change_per_step" else info.change
    return change < options.tol


def _stop_reason(options: LoopOptions, verdict, alpha: float, alpha0: float) -> str:
    measure = "change / alpha" if options.stop_on == "change_per_step" else "change"
    if options.stop_on == "certificate":
        return f"certified: {verdict.name} {verdict.value:.3g} <= {verdict.threshold:.3g}"
    if verdict.holds:
        return (f"certified: the step's {measure} fell below tol={options.tol:g} and "
                f"{verdict.name} {verdict.value:.3g} <= {verdict.threshold:.3g}")
    shrunk = f" (the step shrank from {alpha0:.3g})" if alpha < alpha0 else ""
    return (f"stalled: the step's {measure} fell below tol={options.tol:g} at alpha "
            f"{alpha:.3g}{shrunk}, but {verdict.name} {verdict.value:.3g} > "
            f"{verdict.threshold:.3g}: not an equilibrium")
