"""Variational policy gradient (Algorithm 1) with the exact NPG update of eq. (4).

Every agent keeps a tabular softmax policy and an opponent model.  One iteration:

1. each agent's *executed* policy ``pi_bar_j(a_j | s) = sum_{a_-j} p_j(a_-j | s) pi_j(a_j | s, a_-j)``
   (Algorithm 1: sample a~_-j from the opponent model, then act);
2. "update opponent model": the exact model ``p_i = prod_{j != i} pi_bar_j``;
3. "compute the best response using eq. (4)": with ``Q_i`` of Definition 5.1 under
   ``(pi_i, p_i)`` (exact soft evaluation, :mod:`vsg_pyro.solvers.soft_dp`),

       pi_i <- pi_i^(1 - alpha) (pi0_i exp(beta Q_i))^alpha / Z,   alpha = eta / (1 - gamma),

   (``alpha = eta`` for a finite horizon), which is eq. (4) with the optimality likelihood
   ``exp(beta r)`` and prior ``pi0_i``; ``alpha = 1`` is soft policy iteration.  For the factorized
   family ``Q_i`` is replaced by ``E_{a_-i ~ p_i} Q_i``.

The functions are pure: :func:`vpg_init` builds a :class:`VPGState`, :func:`vpg_step` maps a state
to the next, :func:`solve_vpg` iterates to a fixed point.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import NamedTuple

import torch

from vsg_pyro.games.tabular import TabularGame
from vsg_pyro.joint import (
    agent_view,
    executed_marginal,
    expect_over_others,
    joint_axis,
    product_of_marginals,
)
from vsg_pyro.metrics.exploitability import ExploitabilityReport, exploitability
from vsg_pyro.solvers.lp import check_zero_sum
from vsg_pyro.solvers.soft_dp import Family, check_family, soft_evaluate, uniform_log_prior
from vsg_pyro.solvers.step_control import StepSizeController
from vsg_pyro.solvers.zero_sum import zero_sum_response

__all__ = [
    "VPGState",
    "VPGResult",
    "vpg_step_size",
    "vpg_init",
    "executed_policies",
    "exact_opponent_models",
    "vpg_step",
    "solve_vpg",
]


class VPGState(NamedTuple):
    """Per agent: normalised log-policies ``(H?, S, *J)`` (conditional) or ``(H?, S, A_i)``
    (factorized), opponent models ``(H?, S, *J)`` with size 1 at the agent's axis, and the
    iteration count."""

    log_policies: tuple[torch.Tensor, ...]
    opponent_models: tuple[torch.Tensor, ...]
    iteration: int


class VPGResult(NamedTuple):
    """Outcome of :func:`solve_vpg`.

    ``policies``: executed marginals ``(H?, S, A_i)`` per agent; ``state``: the final
    :class:`VPGState`; ``soft_values``: ``(N,)`` each agent's ELBO / beta at the initial
    distribution; ``report``: exact exploitability of the executed policies; ``trace``: one dict
    per iteration (``iteration``, ``delta`` = max policy change, ``soft_values``, and
    ``exploitability`` every ``trace_exploitability_every`` iterations).
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


def vpg_step_size(game: TabularGame, eta: float | None) -> float:
    """``alpha = eta / (1 - gamma)`` (``eta`` for a finite horizon); ``None`` gives alpha = 0.5."""
    if eta is None:
        return 0.5
    if not eta > 0:
        raise ValueError(f"eta: must be > 0, got {eta}")
    alpha = eta / (1.0 - game.gamma) if game.gamma is not None else eta
    if alpha > 1.0:
        limit = "1 - gamma" if game.gamma is not None else "1"
        raise ValueError(f"eta: eta / (1 - gamma) = {alpha:.3g} > 1; use eta <= {limit}")
    return alpha


def vpg_init(
    game: TabularGame,
    family: Family = "conditional",
    init: str = "uniform",
    seed: int = 0,
) -> VPGState:
    """Initial policies (``"uniform"`` or ``"random"`` standard-normal logits) and the exact
    opponent models they induce (uniform opponent models are used to marginalise a random
    conditional initialisation)."""
    check_family(family)
    if init not in ("uniform", "random"):
        raise ValueError(f"init: must be 'uniform' or 'random', got {init!r}")
    gen = torch.Generator().manual_seed(seed)
    n, counts, lead = game.n_agents, game.action_counts, game.row_shape
    logs = []
    for i in range(n):
        shape = (*lead, *counts) if family == "conditional" else (*lead, counts[i])
        logits = torch.zeros(shape, dtype=torch.float64)
        if init == "random":
            logits = torch.randn(shape, generator=gen, dtype=torch.float64)
        axis = joint_axis(i, n) if family == "conditional" else -1
        logs.append(torch.log_softmax(logits, dim=axis))
    uniform = [torch.full((*lead, c), 1.0 / c, dtype=torch.float64) for c in counts]
    models = tuple(product_of_marginals(uniform, exclude=i) for i in range(n))
    state = VPGState(tuple(logs), models, 0)
    return state._replace(opponent_models=exact_opponent_models(executed_policies(state)))


def executed_policies(state: VPGState) -> list[torch.Tensor]:
    """Each agent's executed marginal ``(H?, S, A_i)`` under its own current opponent model.

    Renormalised: a product of N - 1 marginals loses ~N ulp of mass per iteration otherwise,
    and that loss compounds geometrically over iterations.
    """
    n = len(state.log_policies)
    out = []
    for i, lp in enumerate(state.log_policies):
        m = executed_marginal(lp.exp(), state.opponent_models[i], i, n)
        out.append(m / m.sum(-1, keepdim=True))
    return out


def exact_opponent_models(marginals: Sequence[torch.Tensor]) -> tuple[torch.Tensor, ...]:
    """``p_i = prod_{j != i} pi_bar_j`` for every agent: ``(H?, S, *J)`` with 1 at ``i``."""
    return tuple(product_of_marginals(marginals, exclude=i) for i in range(len(marginals)))


OPPONENT_RESPONSES = ("exact", "zero_sum")


def vpg_step(
    game: TabularGame,
    state: VPGState,
    beta: float,
    alpha: float,
    log_priors: Sequence[torch.Tensor] | None = None,
    opponent_response: str = "exact",
) -> tuple[VPGState, torch.Tensor]:
    """One iteration of Algorithm 1 (eq. (4) update).

    ``opponent_response="exact"``: the opponent model is the others' executed policies;
    ``"zero_sum"``: §5.4's soft response of the opponent to ``pi_i``
    (:func:`~vsg_pyro.solvers.zero_sum.zero_sum_response`), two-player zero-sum games only.
    Returns the next state and the soft values ``(N,)`` of the *current* policies (ELBO / beta).
    """
    if opponent_response not in OPPONENT_RESPONSES:
        raise ValueError(f"opponent_response: must be one of {OPPONENT_RESPONSES}, "
                         f"got {opponent_response!r}")
    n = game.n_agents
    models = list(exact_opponent_models(executed_policies(state)))
    new_logs, values = [], []
    for i, log_pi in enumerate(state.log_policies):
        lp = uniform_log_prior(game, i) if log_priors is None else log_priors[i]
        ev = soft_evaluate(game, i, log_pi.exp(), models[i], beta, lp)
        values.append(ev.value)
        if opponent_response == "zero_sum":
            other_prior = None if log_priors is None else log_priors[1 - i]
            models[i] = zero_sum_response(game, i, log_pi.exp(), models[i], ev.q, beta, alpha,
                                          other_prior)
            ev = soft_evaluate(game, i, log_pi.exp(), models[i], beta, lp)
        conditional = log_pi.ndim == ev.q.ndim
        if conditional:
            target, axis = agent_view(lp, i, n) + beta * ev.q, joint_axis(i, n)
        else:
            target, axis = lp + beta * expect_over_others(ev.q, models[i], i, n), -1
        new_logs.append(torch.log_softmax((1.0 - alpha) * log_pi + alpha * target, dim=axis))
    return VPGState(tuple(new_logs), tuple(models), state.iteration + 1), torch.stack(values)


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
    opponent_response: str = "exact",
    alpha: float | None = None,
    step_size: Callable[[float], float] | None = None,
) -> VPGResult:
    """Run VPG (Algorithm 1) until neither the policies nor the opponent models move more than
    ``tol`` (max abs probability) in an iteration.

    Args:
        beta: inverse temperature of the optimality likelihood ``exp(beta r)`` (> 0).
        family: ``"conditional"`` (the paper's ``pi_i(a_i | s, a_-i)``) or ``"factorized"``.
        eta: NPG learning rate of eq. (4); ``alpha = eta / (1 - gamma)`` must be <= 1.
        log_priors: per agent ``(S, A_i)`` log prior policies (uniform by default).
        trace_exploitability_every: also record exact exploitability every k iterations (0: never).
        callback: called as ``callback(state, trace_entry)`` after every iteration.
        adaptive_step: halve ``alpha`` when the policy change stalls
            (:class:`~vsg_pyro.solvers.step_control.StepSizeController`).  The update is eq. (4)
            throughout, only its learning rate is scheduled; the trace records ``alpha``.
        beta_schedule: optional ``iteration -> beta`` (overrides ``beta``); convergence is only
            declared once beta has stopped changing.
        opponent_response: ``"exact"`` (Nash) or ``"zero_sum"`` (§5.4; see :func:`vpg_step`).
        alpha: the step of eq. (4) directly (overrides ``eta``).
        step_size: ``beta -> alpha``, the step at each iteration's beta (overrides ``eta``,
            ``alpha`` and ``adaptive_step``); e.g. :func:`~vsg_pyro.solvers.zero_sum.
            zero_sum_step_size` keeps ``alpha * beta * max|r|`` fixed along a beta schedule.
    """
    if not beta > 0:
        raise ValueError(f"beta: must be > 0, got {beta}")
    if max_iter < 1:
        raise ValueError(f"max_iter: must be >= 1, got {max_iter}")
    alpha = vpg_step_size(game, eta) if alpha is None else float(alpha)
    if not 0 < alpha <= 1:
        raise ValueError(f"alpha: must lie in (0, 1], got {alpha}")
    if opponent_response == "zero_sum":
        check_zero_sum(game)
    start = time.perf_counter()
    state = vpg_init(game, family, init, seed)
    trace: list[dict] = []
    converged = False
    control = StepSizeController(alpha, patience, adaptive_step)
    schedule = beta_schedule or (lambda _k: float(beta))
    for _ in range(max_iter):
        beta = schedule(state.iteration)
        if not beta > 0:
            raise ValueError(f"beta_schedule: beta must be > 0, got {beta}")
        if step_size is not None:
            alpha = float(step_size(beta))
        new_state, values = vpg_step(game, state, beta, alpha, log_priors, opponent_response)
        # Both the policies and the opponent models must have settled: a conditional policy can
        # be stationary while the executed marginals (and so the opponent models) still move.
        delta = max(
            (a.exp() - b.exp()).abs().max().item()
            for a, b in zip(new_state.log_policies, state.log_policies, strict=True)
        )
        delta = max(delta, max(
            (a - b).abs().max().item()
            for a, b in zip(new_state.opponent_models, state.opponent_models, strict=True)
        ))
        state = new_state
        entry = {"iteration": state.iteration, "delta": delta, "alpha": alpha, "beta": beta,
                 "soft_values": values.tolist()}
        if trace_exploitability_every and state.iteration % trace_exploitability_every == 0:
            entry["exploitability"] = exploitability(game, executed_policies(state)).exploitability
        trace.append(entry)
        if callback is not None:
            callback(state, entry)
        if delta < tol and schedule(state.iteration) == beta:
            converged = True
            break
        alpha = control.update(delta)
    # Refresh the opponent models so that the reported policies are mutually consistent.
    if opponent_response == "exact":
        state = state._replace(opponent_models=exact_opponent_models(executed_policies(state)))
    policies = executed_policies(state)
    soft_values = torch.stack([
        soft_evaluate(
            game, i, lp.exp(), state.opponent_models[i], beta,
            None if log_priors is None else log_priors[i],
        ).value
        for i, lp in enumerate(state.log_policies)
    ])
    return VPGResult(
        policies=policies,
        state=state,
        soft_values=soft_values,
        report=exploitability(game, policies),
        iterations=state.iteration,
        converged=converged,
        trace=trace,
        seconds=time.perf_counter() - start,
        family=family,
        beta=float(beta),
    )
