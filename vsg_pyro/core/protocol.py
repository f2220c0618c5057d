"""The solver protocol every concept and method implements (exact and SVI alike).

In the style of NumPyro's ``SVIState`` + ``update`` and BlackJAX's ``init``/``step``:

* ``solver.init(seed) -> State``: the initial iterate, a ``NamedTuple`` of tensors;
* ``solver.step(state, beta, alpha) -> (State, StepInfo)``: one iteration at inverse
  temperature ``beta`` and step size ``alpha`` (eq. (4)'s ``eta / (1 - gamma)`` for the policy
  solvers); an SVI solver's state is the *same* ``NamedTuple`` as its exact twin's, read from
  its guides, so the two paths' iterates can be compared;
* ``solver.certificate(state, beta) -> Certificate``: the concept's certificate of
  equilibrium (a fixed-point residual, a CE gap against its bound, an exploitability);
* ``solver.result(state, run) -> Solution``: the frozen result, given the loop's
  :class:`Run` record.

Optionally ``solver.prepare(state, beta) -> State`` runs once before the first step (the
correlated mediator's warm-up).  :func:`vsg_pyro.core.loop.run_solver` is the one loop that
drives any solver; a user can equally drive ``init``/``step`` by hand
(``examples/step_by_step.py``).
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple, Protocol, TypeVar, runtime_checkable

__all__ = ["StepInfo", "Certificate", "Run", "Solver"]

State = TypeVar("State")


class StepInfo(NamedTuple):
    """What one step reports.

    Attributes:
        change: the solver's measure of how far the step moved (its docstring says which);
            the loop's stopping rule compares it with ``tol``.
        elbo: per agent, the eq. (3) ELBO of the policies *before* the step.
        loss: per agent, the SVI loss of the step (``()`` for an exact solver).
        certificate: the certificate's value at the state *before* the step where the step
            computes it anyway (``None`` otherwise); the loop's verdict always uses
            :meth:`Solver.certificate` on the final state.
    """

    change: float
    elbo: tuple[float, ...] = ()
    loss: tuple[float, ...] = ()
    certificate: float | None = None


class Certificate(NamedTuple):
    """A certificate of equilibrium: ``name`` (what is measured), its ``value`` and the
    ``threshold`` it must not exceed.  :attr:`holds` is the verdict."""

    name: str
    value: float
    threshold: float

    @property
    def holds(self) -> bool:
        return math.isfinite(self.value) and self.value <= self.threshold


class Run(NamedTuple):
    """The loop's record of a run, handed to :meth:`Solver.result`.

    ``iterations``: steps taken; ``beta``/``alpha``: the last step's; ``converged``: the
    certificate holds at the final state; ``certificate``: its value there; ``reason``: why
    the run stopped (and, when not converged, why not); ``trace``: one dict per step
    (``iteration``, ``beta``, ``alpha``, ``change``, ``elbo``, ``loss``, ``certificate``,
    ``seconds``); ``elbo``/``loss``: per agent, per step; ``seconds``: wall time.
    """

    iterations: int
    beta: float
    alpha: float
    converged: bool
    certificate: Certificate
    reason: str
    trace: list[dict]
    elbo: list[list[float]]
    loss: list[list[float]]
    seconds: float


@runtime_checkable
class Solver(Protocol[State]):
    """What :func:`~vsg_pyro.core.loop.run_solver` needs (module docstring)."""

    concept: str
    method: str

    def init(self, seed: int) -> State: ...

    def step(self, state: State, beta: float, alpha: float) -> tuple[State, StepInfo]: ...

    def certificate(self, state: State, beta: float) -> Certificate: ...

    def result(self, state: State, run: Run) -> Any: ...
