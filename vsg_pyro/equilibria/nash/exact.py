"""Variational policy gradient (Algorithm 1) with the exact NPG update of eq. (4).

Every agent keeps a tabular softmax policy and an opponent model.  One iteration:

1. each agent's *executed* policy ``pi_bar_j(a_j | s) = sum_{a_-j} p_j(a_-j | s) pi_j(a_j | s, a_-j)``
   (Algorithm 1: sample a~_-j from the opponent model, then act);
2. "update opponent model": the exact model ``p_i = prod_{j != i} pi_bar_j``;
3. "compute the best response using eq. (4)": with ``Q_i`` of Definition 5.1 under
   ``(pi_i, p_i)`` (exact soft evaluation, :mod:`vsg_pyro.core.soft_dp`),

       pi_i <- pi_i^(1 - alpha) (pi0_i exp(beta Q_i))^alpha / Z,   alpha = eta / (1 - gamma),

   (``alpha = eta`` for a finite horizon), which is eq. (4) with the optimality likelihood
   ``exp(beta r)`` and prior ``pi0_i``; ``alpha = 1`` is soft policy iteration.  For the factorized
   family ``Q_i`` is replaced by ``E_{a_-i ~ p_i} Q_i``.

The functions are pure: :func:`vpg_init` builds a :class:`VPGState`, :func:`vpg_step` maps a state
to the next.  :class:`Solver` puts them behind the protocol of :mod:`vsg_pyro.core.protocol`
(its certificate: :mod:`vsg_pyro.equilibria.nash.certificate`);
:func:`vsg_pyro.equilibria.nash.vpg_run.solve_vpg` runs it in the one loop.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

import torch

from vsg_pyro.core.absorbing import INFINITE_HORIZONS, absorbing_soft_evaluate
from vsg_pyro.core.joint import (
    agent_view,
    executed_marginal,
    expect_over_others,
    joint_axis,
    product_of_marginals,
)
from vsg_pyro.core.protocol import Certificate, Run, StepInfo
from vsg_pyro.core.soft_dp import (
    Family,
    SoftEvaluation,
    check_family,
    soft_evaluate,
    uniform_log_prior,
)
from vsg_pyro.equilibria.nash.agents_step import (
    conditional_discounted_step,
    factorized_discounted_step,
)
from vsg_pyro.equilibria.nash.certificate import (
    model_consistency,
    residual_name,
    soft_best_response_residual,
)
from vsg_pyro.equilibria.nash.opponents import ExactOpponent, OpponentModel
from vsg_pyro.equilibria.results import NashSolution
from vsg_pyro.games.tabular import TabularGame, require_cpu_float64
from vsg_pyro.metrics.exploitability import exploitability

__all__ = [
    "VPGState",
    "vpg_step_size",
    "vpg_init",
    "executed_policies",
    "exact_opponent_models",
    "vpg_step",
    "state_change",
    "check_solver_options",
    "nash_certificate",
    "nash_solution",
    "Solver",
]


class VPGState(NamedTuple):
    """Per agent: normalised log-policies ``(H?, S, *J)`` (conditional) or ``(H?, S, A_i)``
    (factorized), opponent models ``(H?, S, *J)`` with size 1 at the agent's axis, and the
    iteration count."""

    log_policies: tuple[torch.Tensor, ...]
    opponent_models: tuple[torch.Tensor, ...]
    iteration: int


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
        logits = game.rewards.new_zeros(shape)
        if init == "random":  # drawn in float64 on the CPU: the same start on every device
            logits = torch.randn(shape, generator=gen, dtype=torch.float64).to(game.rewards)
        axis = joint_axis(i, n) if family == "conditional" else -1
        logs.append(torch.log_softmax(logits, dim=axis))
    uniform = [game.rewards.new_full((*lead, c), 1.0 / c) for c in counts]
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


def vpg_step(
    game: TabularGame,
    state: VPGState,
    beta: float,
    alpha: float,
    log_priors: Sequence[torch.Tensor] | None = None,
    opponent: OpponentModel | None = None,
    evaluate: Callable[..., SoftEvaluation] | None = None,
) -> tuple[VPGState, torch.Tensor]:
    """One iteration of Algorithm 1 (eq. (4) update).

    ``opponent``: :class:`~vsg_pyro.equilibria.nash.opponents.ExactOpponent` (default: the
    opponent model is the others' executed policies) or
    :class:`~vsg_pyro.equilibria.zero_sum.ZeroSumOpponent` (§5.4's soft response of the
    opponent to ``pi_i``; two-player zero-sum games).
    Returns the next state and the soft values ``(N,)`` of the *current* policies (ELBO / beta)
    against the opponent model the step used (for a responding model, such as zero-sum's, the
    response: the objective of the agent's Pyro program).
    ``evaluate``: the soft policy evaluation (default
    :func:`~vsg_pyro.core.soft_dp.soft_evaluate`; e.g.
    :func:`~vsg_pyro.core.absorbing.absorbing_soft_evaluate`), per agent.
    """
    opponent = _check_opponent(opponent)
    n = game.n_agents
    if evaluate is None and (game.horizon is None and type(opponent).respond is OpponentModel.respond
            and all(lp.ndim == 2 for lp in state.log_policies)):  # factorized (S, A_i)
        # every agent's weights are the joint policy: one system, N right-hand sides
        logs, models_, values_ = factorized_discounted_step(game, state.log_policies,
                                                            log_priors, beta, alpha)
        return VPGState(tuple(logs), tuple(models_), state.iteration + 1), values_
    if evaluate is None and (game.horizon is None
                             and type(opponent).respond is OpponentModel.respond
                             and all(lp.ndim == n + 1 for lp in state.log_policies)):
        logs, models_, values_ = conditional_discounted_step(
            game, state.log_policies, state.opponent_models, log_priors, beta, alpha)
        return VPGState(tuple(logs), tuple(models_), state.iteration + 1), values_
    evaluate = soft_evaluate if evaluate is None else evaluate
    executed = executed_policies(state)
    models = list(exact_opponent_models(executed))
    new_logs, values = [], []
    for i, log_pi in enumerate(state.log_policies):
        lp = uniform_log_prior(game, i) if log_priors is None else log_priors[i]
        ev = evaluate(game, i, log_pi.exp(), models[i], beta, lp)
        other_prior = None if log_priors is None or n != 2 else log_priors[1 - i]
        response = opponent.respond(game, i, log_pi.exp(), models[i], ev.q, beta, alpha,
                                    other_prior)
        if response is not None:
            models[i] = response
            ev = evaluate(game, i, log_pi.exp(), models[i], beta, lp)
        values.append(ev.value)
        conditional = log_pi.ndim == ev.q.ndim
        if conditional:
            target, axis = agent_view(lp, i, n) + beta * ev.q, joint_axis(i, n)
        else:
            target, axis = lp + beta * expect_over_others(ev.q, models[i], i, n), -1
        new_logs.append(torch.log_softmax((1.0 - alpha) * log_pi + alpha * target, dim=axis))
    return VPGState(tuple(new_logs), tuple(models), state.iteration + 1), torch.stack(values)


def _check_opponent(opponent: OpponentModel | None, exact_solver: bool = True) -> OpponentModel:
    if opponent is None:
        return ExactOpponent()
    if not isinstance(opponent, OpponentModel):
        raise TypeError(f"opponent: must be an OpponentModel (ExactOpponent(), "
                        f"ZeroSumOpponent(), ...), got {opponent!r}")
    if exact_solver and not opponent.exact_solver:
        raise ValueError(f"opponent: {opponent!r} needs guides (method='svi'); the exact solver "
                         "takes ExactOpponent() or ZeroSumOpponent()")
    return opponent


def check_solver_options(game: TabularGame, family: str, init: str,
                         opponent: OpponentModel | None, certificate_tol: float,
                         exact_solver: bool = True) -> OpponentModel:
    """The checks the exact and SVI Nash solvers share; returns the opponent model (default
    :class:`ExactOpponent`)."""
    check_family(family)
    if init not in ("uniform", "random"):
        raise ValueError(f"init: must be 'uniform' or 'random', got {init!r}")
    if not certificate_tol > 0:
        raise ValueError(f"certificate_tol: must be > 0, got {certificate_tol}")
    opponent = _check_opponent(opponent, exact_solver)
    if opponent.n_players is not None and game.n_agents != opponent.n_players:
        raise ValueError(f"opponent: {opponent!r} needs {opponent.n_players} players, "
                         f"got {game.n_agents}")
    return opponent


def state_change(new: VPGState, old: VPGState) -> float:
    """The stopping measure of a step: the largest change of any policy probability or
    opponent-model probability (a conditional policy can be stationary while the executed
    marginals, and so the opponent models, still move)."""
    delta = max((a.exp() - b.exp()).abs().max().item()
                for a, b in zip(new.log_policies, old.log_policies, strict=True))
    return max(delta, max((a - b).abs().max().item()
                          for a, b in zip(new.opponent_models, old.opponent_models, strict=True)))


class Solver:
    """Algorithm 1 with exact soft evaluation, behind the solver protocol.

    Args:
        game: the game; family: ``"conditional"`` or ``"factorized"``; init: ``"uniform"`` or
            ``"random"`` (:func:`vpg_init`); log_priors: per agent ``(S, A_i)`` log prior.
        opponent: the opponent model object (:func:`vpg_step`).
        certificate_tol: the certificate's threshold on the soft best-response residual.
        infinite_horizon: a discounted game's values by ``"discount"`` (default) or by §4's
            ``"absorbing"``-state construction (:mod:`vsg_pyro.core.absorbing`; the same
            fixed points, with the exact opponent model only).

    ``step`` reports ``change`` = :func:`state_change` and ``elbo`` = ``beta`` x the soft
    values of the policies before the step; the certificate is evaluated by
    :meth:`certificate` (the loop calls it where its stopping rule needs it).
    """

    concept = "nash"
    method = "exact"

    def __init__(
        self,
        game: TabularGame,
        family: Family = "conditional",
        init: str = "uniform",
        log_priors: Sequence[torch.Tensor] | None = None,
        opponent: OpponentModel | None = None,
        certificate_tol: float = 1e-6,
        infinite_horizon: str = "discount",
    ) -> None:
        self.opponent = check_solver_options(game, family, init, opponent, certificate_tol)
        if type(self.opponent) is not ExactOpponent:
            require_cpu_float64(game, f"the exact solver with {self.opponent!r}")
        if infinite_horizon not in INFINITE_HORIZONS:
            raise ValueError(f"infinite_horizon: must be one of {INFINITE_HORIZONS}, got "
                             f"{infinite_horizon!r}")
        self.evaluate = None
        if infinite_horizon == "absorbing":
            if game.gamma is None:
                raise ValueError("infinite_horizon: 'absorbing' is for discounted games; this "
                                 f"one has horizon {game.horizon}")
            if type(self.opponent) is not ExactOpponent:
                raise ValueError("infinite_horizon: 'absorbing' evaluates the exact opponent "
                                 f"model only, got {self.opponent!r}")
            self.evaluate = absorbing_soft_evaluate
        self.infinite_horizon = infinite_horizon
        self.game, self.family, self.init_kind = game, family, init
        self.log_priors = log_priors
        self.certificate_tol = float(certificate_tol)
        self.n_agents = game.n_agents

    def init(self, seed: int = 0) -> VPGState:
        return vpg_init(self.game, self.family, self.init_kind, seed)

    def step(self, state: VPGState, beta: float, alpha: float) -> tuple[VPGState, StepInfo]:
        new, values = vpg_step(self.game, state, beta, alpha, self.log_priors, self.opponent,
                               self.evaluate)
        return new, StepInfo(change=state_change(new, state),
                             elbo=tuple((beta * values).tolist()))

    def certificate(self, state: VPGState, beta: float) -> Certificate:
        return nash_certificate(self, state, beta)

    def final_state(self, state: VPGState) -> VPGState:
        """The state with its opponent models refreshed from its own executed policies, so
        that the reported policies are mutually consistent (exact opponent model only)."""
        if type(self.opponent) is ExactOpponent:
            return state._replace(opponent_models=exact_opponent_models(executed_policies(state)))
        return state

    def result(self, state: VPGState, run: Run, **fields) -> NashSolution:
        """The result; its ``policies`` are read after :meth:`final_state` (as the exact solver
        always did), its ``state`` is the loop's (continue from it with :meth:`step`)."""
        return nash_solution(self, executed_policies(self.final_state(state)), state, run,
                             **fields)


def nash_certificate(solver, state: VPGState, beta: float) -> Certificate:
    """The Nash certificate of ``state`` (:mod:`vsg_pyro.equilibria.nash.certificate`) for a
    solver with ``game``, ``family``, ``log_priors`` and ``certificate_tol`` (exact or SVI)."""
    models = exact_opponent_models(executed_policies(state))
    value = max(soft_best_response_residual(solver.game, state.log_policies, models, beta,
                                            solver.log_priors,
                                            getattr(solver, "evaluate", None)),
                model_consistency(state.opponent_models, models))
    return Certificate(residual_name(solver.game, solver.family), value, solver.certificate_tol)


def nash_solution(solver, policies: list[torch.Tensor], state: VPGState, run: Run,
                  **fields) -> NashSolution:
    """The :class:`NashSolution` of a run of ``solver`` (exact or SVI) with these policies."""
    fields.setdefault("loss", [[] for _ in range(solver.n_agents)])
    return NashSolution(
        game=solver.game.name, concept=solver.concept, method=solver.method,
        family=solver.family, beta=run.beta, policies=policies,
        report=exploitability(solver.game, policies), iterations=run.iterations,
        converged=run.converged, certificate=run.certificate, reason=run.reason,
        seconds=run.seconds, trace=run.trace, elbo=run.elbo, state=state, **fields)
