"""Correlated equilibrium (§5.3, Figure 3) by exact updates: agents' eq. (4) steps on the state
augmented with a correlation signal, and a mediator that learns the signal distribution.

**Agents.**  Agent ``i`` acts on its observation ``o_i`` of the signal
(:mod:`vsg_pyro.equilibria.correlated.signals`): policy ``pi_i(a_i | m, o_i)`` (factorized) or
``pi_i(a_i | m, o_i, a_-i)`` (conditional, the paper's family), i.e. the Nash machinery of
Algorithm 1 on augmented rows ``(m, o_i)`` with the exact opponent model given the
observation, ``p_i(a_-i | m, o_i)``
(:func:`~vsg_pyro.equilibria.correlated.signals.signal_conditioned`).  One step
is eq. (4): ``pi_i <- pi_i^(1 - alpha) (pi0_i exp(beta Q_i))^alpha / Z`` (factorized:
``Q_i`` averaged over ``p_i``), with ``Q_i`` the soft action value of the joint play
(Definition 5.1; ``r_i`` in a normal-form game).

**Mediator.**  The signal distribution ``sigma(omega | m)`` is the guide of a mediator
(:mod:`vsg_pyro.equilibria.correlated.mediator`: its score, the incentive constraints of private
recommendations and the obedience margin).

At a fixed point, whatever ``sigma`` is, the agents' play is a soft Bayes-Nash equilibrium of
the game with signals, so the induced joint
``mu(a | m) = sum_omega sigma(omega | m) prod_i pi_bar_i(a_i | m, o_i)`` has CE gap at most
``H log max|A_i| / beta`` for the factorized family (soft best responses lose at most
``log|A_i| / beta`` per observation; stochastic games add the entropy in the continuation
values).  The agents' action values are those of the joint play ``mu`` (each agent's soft
values, with its own KL to the prior); with the conditional family this differs from the Nash
solver's Definition 5.1 values under the agent's own opponent model, so a one-signal run
reproduces Nash VPG exactly for the factorized family only.

Shapes: ``M`` rows (``S``, or ``H * S`` time-major), ``W`` signals, ``K_i`` observations,
``J = (A_1, ..., A_N)``.  Policies ``(M, K_i, A_i)`` or ``(M, K_i, *J)``; ``sigma`` ``(M, W)``;
multipliers ``(M, C)``, one per constraint ``(i, recommended, deviation)``,
``C = sum_i A_i (A_i - 1)``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import NamedTuple

import torch

from vsg_pyro.core.joint import agent_view, expect_over_others, joint_axis, sum_others
from vsg_pyro.core.loop import LoopOptions, run_solver
from vsg_pyro.core.protocol import Certificate, Run, StepInfo
from vsg_pyro.core.rows import log_prior_rows, unfold_rows
from vsg_pyro.core.soft_dp import Family, check_family
from vsg_pyro.equilibria.correlated.mediator import (
    MediatorSettings,
    default_mediator,
    mediator_scores,
)
from vsg_pyro.equilibria.correlated.signals import (
    SignalStructure,
    induced_joint,
    play_tensor,
    signal_conditioned,
)
from vsg_pyro.equilibria.correlated.state import (
    CorrelatedState,
    correlated_init,
    executed_signal_policies,
    largest_change,
    state_change,
)
from vsg_pyro.equilibria.results import CorrelatedSolution
from vsg_pyro.games.tabular import TabularGame, require_cpu_float64
from vsg_pyro.metrics.correlated import cce_gap, ce_gap, stage_payoffs, welfare
from vsg_pyro.metrics.exploitability import entropy_bound, exploitability
from vsg_pyro.reference import max_welfare_correlated_equilibrium

__all__ = [
    "CorrelatedState",
    "CorrelatedTargets",
    "CorrelatedResult",
    "correlated_init",
    "executed_signal_policies",
    "correlated_targets",
    "correlated_step",
    "state_change",
    "largest_change",
    "Solver",
    "solve_correlated_exact",
]


class CorrelatedTargets(NamedTuple):
    """What one step moves towards.  ``policy_targets``: per agent ``log pi0 + beta Q`` in the
    policy's shape; ``q``: per agent ``(M, *J)`` soft action values; ``opponent_models``:
    ``(M, K_i, *J)``; ``observation_weights``: per agent ``P(o_i | m)`` ``(M, K_i)``;
    ``signal_scores``: ``(M, W)`` the mediator's score (before ``beta_sigma``);
    ``multipliers``: ``(M, C)`` of the incentive constraints (private); ``joint``: ``(M, *J)``;
    ``soft_values``: ``(N,)`` agents' soft values at the initial distribution."""

    policy_targets: tuple[torch.Tensor, ...]
    q: tuple[torch.Tensor, ...]
    opponent_models: tuple[torch.Tensor, ...]
    observation_weights: tuple[torch.Tensor, ...]
    signal_scores: torch.Tensor
    multipliers: torch.Tensor
    joint: torch.Tensor
    soft_values: torch.Tensor


class CorrelatedResult(NamedTuple):
    """Outcome of :func:`solve_correlated_exact`: the final state, the signal-conditioned
    executed policies ``(H?, S, K_i, A_i)``, the signal distribution ``(H?, S, W)``, the induced
    joint ``(H?, S, *J)``, iterations, convergence, trace (one dict per step) and seconds."""

    state: CorrelatedState
    policies: list[torch.Tensor]
    signal: torch.Tensor
    joint: torch.Tensor
    iterations: int
    converged: bool
    trace: list[dict]
    seconds: float


def _kl_to_prior(policy: torch.Tensor, model: torch.Tensor, log_prior_b: torch.Tensor,
                 weights: torch.Tensor, agent: int, n: int) -> torch.Tensor:
    """``sum_o P(o | m) E[log pi_i - log pi0_i]``: ``(M,)`` (either family)."""
    pol_b = policy if policy.ndim == n + 2 else agent_view(policy, agent, n)
    w = pol_b * model  # (M, K, *J)
    terms = torch.special.xlogy(w, pol_b) - torch.where(w > 0, w * log_prior_b, 0.0)
    per_obs = terms.sum(list(range(-n, 0)))  # (M, K)
    return (weights * per_obs).sum(-1)


def correlated_targets(
    game: TabularGame,
    structure: SignalStructure,
    state: CorrelatedState,
    beta: float,
    mediator: MediatorSettings,
    log_priors: Sequence[torch.Tensor] | None = None,
    cache: dict | None = None,
) -> CorrelatedTargets:
    """Everything the agents and the mediator need for one step (module docstring).

    ``cache``: a dict the caller keeps between steps; it saves recomputing the largest
    obedience margin (:func:`max_obedience_margin`, a bisection of linear programs) while the
    action values move by less than 1% of their scale (they never move in a normal-form
    game)."""
    n = game.n_agents
    sigma = state.log_signal.exp()
    executed = executed_signal_policies(state, n)
    joint = induced_joint(structure, sigma, executed)  # (M, *J)
    models, weights, kls = [], [], []
    lps = [log_prior_rows(game, i, None if log_priors is None else log_priors[i])
           for i in range(n)]
    for i in range(n):
        model = signal_conditioned(structure, i, play_tensor(structure, sigma, executed, i), sigma)
        w = structure.observation_marginal(sigma, i)
        lp_b = agent_view(lps[i], i, n).unsqueeze(1)  # (M, 1, 1..A_i..1)
        models.append(model)
        weights.append(w)
        kls.append(_kl_to_prior(state.log_policies[i].exp(), model, lp_b, w, i, n))
    joint_full = unfold_rows(game, joint)
    bonus = -torch.stack([unfold_rows(game, k) for k in kls]) / beta  # (N, H?, S): -(1/beta) KL
    soft_q = _rows_q(game, stage_payoffs(game, joint_full, bonus))  # (N, M, *J)
    hard_q = _rows_q(game, stage_payoffs(game, joint_full))
    soft_v = _initial_values(game, joint, soft_q, bonus)
    targets = []
    for i in range(n):
        q = soft_q[i].unsqueeze(1)  # (M, 1, *J)
        if state.log_policies[i].ndim == n + 2:  # conditional
            targets.append(agent_view(lps[i], i, n).unsqueeze(1) + beta * q)
        else:
            targets.append(lps[i].unsqueeze(1) + beta * expect_over_others(q, models[i], i, n))
    scores, multipliers = mediator_scores(structure, sigma, executed, hard_q,
                                           state.multipliers, mediator, beta, cache)
    return CorrelatedTargets(tuple(targets), tuple(soft_q), tuple(models), tuple(weights),
                             scores, multipliers, joint, soft_v)


def _rows_q(game: TabularGame, q: torch.Tensor) -> torch.Tensor:
    """``(N, H?, S, *J) -> (N, M, *J)``."""
    lead = len(game.row_shape)
    return q.reshape(q.shape[0], -1, *q.shape[1 + lead:])


def _initial_values(game: TabularGame, joint: torch.Tensor, q: torch.Tensor,
                    bonus: torch.Tensor) -> torch.Tensor:
    """Soft values ``(N,)`` at the initial distribution (rows of the first step)."""
    n = game.n_agents
    stage = (joint.unsqueeze(0) * q).sum(list(range(-n, 0)))  # (N, M)
    stage = stage.reshape(n, *game.row_shape) + bonus
    first = stage[:, 0] if game.horizon is not None else stage
    return first @ game.initial


def correlated_step(
    structure: SignalStructure,
    state: CorrelatedState,
    targets: CorrelatedTargets,
    alpha: float,
    mediator: MediatorSettings,
    agents: bool = True,
) -> CorrelatedState:
    """One simultaneous step of every agent (eq. 4 on augmented rows) and of the mediator
    (``log sigma <- (1 - alpha_sigma) log sigma + alpha_sigma log sigma*``, the natural-gradient
    step of its program).  ``agents=False`` moves the mediator only (warm-up)."""
    n = len(state.log_policies)
    new_logs = []
    for i, (lp, target) in enumerate(zip(state.log_policies, targets.policy_targets, strict=True)):
        if not agents:
            new_logs.append(lp)
            continue
        axis = joint_axis(i, n) if lp.ndim == n + 2 else -1
        new_logs.append(torch.log_softmax((1.0 - alpha) * lp + alpha * target, dim=axis))
    a = mediator.alpha
    logits = (1.0 - a) * state.log_signal + a * (
        -math.log(structure.size) + mediator.beta * targets.signal_scores)
    new_signal = torch.log_softmax(logits, dim=-1)
    models = targets.opponent_models if agents else state.opponent_models
    return CorrelatedState(tuple(new_logs), tuple(models), new_signal, targets.multipliers,
                           state.iteration + (1 if agents else 0))


class Solver:
    """The exact correlated-equilibrium updates behind the solver protocol.

    Args:
        game, structure: the game and its signal structure.
        family: the agents' family; init: ``"obedient"``, ``"random"`` or ``"uniform"``
            (:func:`correlated_init`); log_priors: per agent ``(S, A_i)``.
        mediator: the mediator's settings (:func:`~vsg_pyro.equilibria.correlated.mediator.
            default_mediator`).
        warmup: at most this many mediator-only steps in :meth:`prepare` (agents frozen at
            their initial policies), stopping once ``sigma`` moves less than ``warmup_tol``, so
            that the signal is incentive-compatible before the agents respond to it.
        certificate_tol: slack added to the CE-gap bound.

    ``step`` reports ``change`` = the largest :func:`state_change` (the loop divides it by
    ``alpha``: ``stop_on="change_per_step"``).  The certificate: the induced joint's CE gap
    is within :meth:`ce_bound` (``H log max|A_i| / beta`` with uniform priors: the bound of
    soft Bayes-Nash play, module docstring) plus ``certificate_tol``.
    """

    concept = "correlated"
    method = "exact"

    def __init__(
        self,
        game: TabularGame,
        structure: SignalStructure,
        family: Family = "factorized",
        init: str = "obedient",
        log_priors: Sequence[torch.Tensor] | None = None,
        mediator: MediatorSettings | None = None,
        warmup: int = 0,
        warmup_tol: float = 1e-8,
        certificate_tol: float = 1e-9,
    ) -> None:
        require_cpu_float64(game, "the correlated solvers")
        check_family(family)
        if init not in ("obedient", "random", "uniform"):
            raise ValueError(f"init: must be 'obedient', 'random' or 'uniform', got {init!r}")
        if not isinstance(warmup, int) or warmup < 0:
            raise ValueError(f"warmup: must be an integer >= 0, got {warmup!r}")
        if not certificate_tol >= 0:
            raise ValueError(f"certificate_tol: must be >= 0, got {certificate_tol}")
        self.game, self.structure, self.family, self.init_kind = game, structure, family, init
        self.log_priors = log_priors
        self.mediator = mediator or default_mediator(game)
        self.warmup, self.warmup_tol = warmup, float(warmup_tol)
        self.certificate_tol = float(certificate_tol)
        self.n_agents = game.n_agents
        self._cache: dict = {}

    def init(self, seed: int = 0) -> CorrelatedState:
        self._cache = {}
        return correlated_init(self.game, self.structure, self.family, self.init_kind, seed)

    def prepare(self, state: CorrelatedState, beta: float) -> CorrelatedState:
        """The mediator's warm-up (see the class docstring)."""
        for _ in range(self.warmup):
            targets = correlated_targets(self.game, self.structure, state, beta, self.mediator,
                                         self.log_priors, self._cache)
            old = state
            state = correlated_step(self.structure, state, targets, 1.0, self.mediator,
                                    agents=False)
            if (state.log_signal.exp() - old.log_signal.exp()).abs().max().item() < self.warmup_tol:
                break
        return state

    def step(self, state: CorrelatedState, beta: float,
             alpha: float) -> tuple[CorrelatedState, StepInfo]:
        targets = correlated_targets(self.game, self.structure, state, beta, self.mediator,
                                     self.log_priors, self._cache)
        new = correlated_step(self.structure, state, targets, alpha, self.mediator)
        change = largest_change(state_change(self.structure, new, state))
        return new, StepInfo(change=change, elbo=tuple((beta * targets.soft_values).tolist()))

    def joint(self, state: CorrelatedState) -> torch.Tensor:
        """The induced joint ``(H?, S, *J)``."""
        executed = executed_signal_policies(state, self.n_agents)
        return unfold_rows(self.game, induced_joint(self.structure, state.log_signal.exp(),
                                                    executed))

    def ce_bound(self, beta: float) -> float:
        """The CE gap soft play can leave at ``beta``: ``H log max|A_i| / beta`` with uniform
        priors, ``H max_{i, s, a} (-log pi0_i(a | s)) / beta`` otherwise (a soft best response
        loses at most ``(1 / beta) KL(delta_a || pi0)`` per step)."""
        if self.log_priors is None:
            return entropy_bound(self.game, beta)
        worst = max(float(-torch.as_tensor(lp, dtype=torch.float64).min()) for lp in
                    self.log_priors)
        return self.game.effective_horizon * worst / beta

    def certificate(self, state: CorrelatedState, beta: float) -> Certificate:
        bound = self.ce_bound(beta)
        return Certificate(f"CE gap (soft-play bound {bound:.3g})",
                           ce_gap(self.game, self.joint(state)), bound + self.certificate_tol)

    def result(self, state: CorrelatedState, run: Run, **fields) -> CorrelatedSolution:
        game, n = self.game, self.n_agents
        joint = self.joint(state)
        marginals = [sum_others(joint, i, n) for i in range(n)]
        marginals = [m / m.sum(-1, keepdim=True) for m in marginals]
        reference = (max_welfare_correlated_equilibrium(game).welfare if game.is_normal_form
                     else None)
        return CorrelatedSolution(
            game=game.name, concept=self.concept, method=self.method, family=self.family,
            beta=run.beta, policies=marginals, report=exploitability(game, marginals),
            iterations=run.iterations, converged=run.converged, certificate=run.certificate,
            reason=run.reason, seconds=run.seconds, trace=run.trace, elbo=run.elbo,
            loss=run.loss if self.method == "svi" else [[] for _ in range(n)], state=state,
            joint=joint, ce_gap=ce_gap(game, joint), cce_gap=cce_gap(game, joint),
            welfare=welfare(game, joint), ce_bound=self.ce_bound(run.beta),
            signal=unfold_rows(game, state.log_signal.exp()), reference=reference, **fields)


def solve_correlated_exact(
    game: TabularGame,
    structure: SignalStructure,
    beta: float = 1.0,
    family: Family = "factorized",
    alpha: float = 0.5,
    mediator: MediatorSettings | None = None,
    max_iter: int = 5_000,
    tol: float = 1e-8,
    init: str = "obedient",
    seed: int = 0,
    log_priors: Sequence[torch.Tensor] | None = None,
    beta_schedule: Callable[[int], float] | None = None,
    warmup: int = 0,
    adaptive_step: bool = False,
    callback: Callable[[CorrelatedState, dict], None] | None = None,
) -> CorrelatedResult:
    """Iterate :func:`correlated_step` (:class:`Solver` in the one loop) until the step's
    change (:func:`state_change`) is below ``tol * alpha``; ``converged``: the CE-gap
    certificate holds.

    Args:
        warmup: at most this many mediator-only steps first (:meth:`Solver.prepare`).
        adaptive_step: halve the agents' ``alpha`` when progress stalls once beta has settled
            (as VPG; off by default).
    """
    if not beta > 0:
        raise ValueError(f"beta: must be > 0, got {beta}")
    if max_iter < 1:
        raise ValueError(f"max_iter: must be >= 1, got {max_iter}")
    mediator = mediator or default_mediator(game, alpha=alpha)
    solver = Solver(game, structure, family, init, log_priors, mediator, warmup, tol)
    trace: list[dict] = []

    def on_step(_step: int, info: dict) -> None:
        entry = {"iteration": info["iteration"], "delta": info["change"], "alpha": info["alpha"],
                 "beta": info["beta"], "soft_values": [e / info["beta"] for e in info["elbo"]]}
        trace.append(entry)
        if callback is not None:
            callback(info["state"], entry)

    options = LoopOptions(steps=max_iter, tol=tol, stop_on="change_per_step",
                          adaptive_step=adaptive_step)
    state, run = run_solver(solver, beta_schedule or beta, alpha, options, seed, callback=on_step)
    executed = executed_signal_policies(state, game.n_agents)
    return CorrelatedResult(state, [unfold_rows(game, e) for e in executed],
                            unfold_rows(game, state.log_signal.exp()), solver.joint(state),
                            state.iteration, run.converged, trace, run.seconds)
