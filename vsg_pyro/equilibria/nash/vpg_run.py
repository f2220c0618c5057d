"""``solve_vpg``: Algorithm 1 (:mod:`vsg_pyro.equilibria.nash.exact`) run in the one loop with
the per-iteration trace of the original VPG driver (soft values, optional exploitability)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

import torch

from vsg_pyro.core.loop import LoopOptions, run_solver
from vsg_pyro.core.protocol import Certificate
from vsg_pyro.core.soft_dp import Family, soft_evaluate
from vsg_pyro.equilibria.nash.exact import (
    Solver,
    VPGState,
    executed_policies,
    vpg_step_size,
)
from vsg_pyro.equilibria.nash.opponents import OpponentModel
from vsg_pyro.games.tabular import TabularGame
from vsg_pyro.metrics.exploitability import ExploitabilityReport, exploitability

__all__ = ["VPGResult", "solve_vpg"]


class VPGResult(NamedTuple):
    """Outcome of :func:`solve_vpg`.

    ``policies``: executed marginals ``(H?, S, A_i)`` per agent; ``state``: the final
    :class:`VPGState`; ``soft_values``: ``(N,)`` each agent's ELBO / beta at the initial
    distribution; ``report``: exact exploitability of the executed policies; ``trace``: one dict
    per iteration (``iteration``, ``delta`` = max policy change, ``soft_values``, and
    ``exploitability`` every ``trace_exploitability_every`` iterations); ``converged``: the
    certificate holds at the final policies; ``certificate``/``reason``: its value and why the
    run stopped.
    """

    policies: list[torch.Tensor]
    state: VPGState
    soft_values: torch.Tensor
    report: ExploitabilityReport
    iterations: int
    converged: bool
    trace: list[dict]
    seconds: float
    family: str
    beta: float
    certificate: Certificate | None = None
    reason: str = ""


def solve_vpg(
    game: TabularGame,
    beta: float = 1.0,
    family: Family = "conditional",
    eta: float | None = None,
    max_iter: int = 5_000,
    tol: float = 1e-10,
    init: str = "uniform",
    seed: int = 0,
    log_priors: Sequence[torch.Tensor] | None = None,
    trace_exploitability_every: int = 0,
    callback: Callable[[VPGState, dict], None] | None = None,
    adaptive_step: bool = True,
    patience: int = 25,
    beta_schedule: Callable[[int], float] | None = None,
    opponent: OpponentModel | None = None,
    alpha: float | None = None,
    step_size: Callable[[float], float] | None = None,
    certificate_tol: float = 1e-6,
) -> VPGResult:
    """Run VPG (Algorithm 1) until neither the policies nor the opponent models move more than
    ``tol`` (max abs probability) in an iteration; ``converged`` is the certificate
    (:mod:`vsg_pyro.equilibria.nash.certificate`) at the final policies.

    Args:
        beta: inverse temperature of the optimality likelihood ``exp(beta r)`` (> 0).
        family: ``"conditional"`` (the paper's ``pi_i(a_i | s, a_-i)``) or ``"factorized"``.
        eta: NPG learning rate of eq. (4); ``alpha = eta / (1 - gamma)`` must be <= 1.
        log_priors: per agent ``(S, A_i)`` log prior policies (uniform by default).
        trace_exploitability_every: also record exact exploitability every k iterations (0: never).
        callback: called as ``callback(state, trace_entry)`` after every iteration.
        adaptive_step: halve ``alpha`` when the policy change stalls at a settled beta
            (:class:`~vsg_pyro.core.step_control.StepSizeController`).  The update is eq. (4)
            throughout, only its learning rate is scheduled; the trace records ``alpha``.
        beta_schedule: optional ``iteration -> beta`` (overrides ``beta``); convergence is only
            declared once beta has stopped changing.
        opponent: :class:`~vsg_pyro.equilibria.nash.opponents.ExactOpponent` (default) or
            :class:`~vsg_pyro.equilibria.zero_sum.ZeroSumOpponent` (§5.4; see :func:`vpg_step`).
        alpha: the step of eq. (4) directly (overrides ``eta``).
        step_size: ``beta -> alpha``, the step at each iteration's beta (overrides ``eta``,
            ``alpha`` and ``adaptive_step``); e.g. :func:`~vsg_pyro.equilibria.zero_sum.
            zero_sum_step_size` keeps ``alpha * beta * max|r|`` fixed along a beta schedule.
        certificate_tol: the certificate's threshold.
    """
    if not beta > 0:
        raise ValueError(f"beta: must be > 0, got {beta}")
    if max_iter < 1:
        raise ValueError(f"max_iter: must be >= 1, got {max_iter}")
    alpha = vpg_step_size(game, eta) if alpha is None else float(alpha)
    if not 0 < alpha <= 1:
        raise ValueError(f"alpha: must lie in (0, 1], got {alpha}")
    solver = Solver(game, family, init, log_priors, opponent, certificate_tol)

    def on_step(_step: int, info: dict) -> None:
        entry = {"iteration": info["iteration"], "delta": info["change"], "alpha": info["alpha"],
                 "beta": info["beta"], "soft_values": [e / info["beta"] for e in info["elbo"]]}
        if trace_exploitability_every and info["iteration"] % trace_exploitability_every == 0:
            entry["exploitability"] = exploitability(
                game, executed_policies(info["state"])).exploitability
        trace.append(entry)
        if callback is not None:
            callback(info["state"], entry)

    trace: list[dict] = []
    options = LoopOptions(steps=max_iter, tol=tol, adaptive_step=adaptive_step, patience=patience)
    state, run = run_solver(solver, beta_schedule or beta, step_size or alpha, options, seed,
                            callback=on_step)
    state = solver.final_state(state)
    policies = executed_policies(state)
    soft_values = torch.stack([
        soft_evaluate(game, i, lp.exp(), state.opponent_models[i], run.beta,
                      None if log_priors is None else log_priors[i]).value
        for i, lp in enumerate(state.log_policies)])
    return VPGResult(policies=policies, state=state, soft_values=soft_values,
                     report=exploitability(game, policies), iterations=state.iteration,
                     converged=run.converged, trace=trace, seconds=run.seconds, family=family,
                     beta=run.beta, certificate=run.certificate, reason=run.reason)
