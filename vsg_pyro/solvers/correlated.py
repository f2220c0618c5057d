"""Correlated equilibrium (§5.3, Figure 3) by exact updates: agents' eq. (4) steps on the state
augmented with a correlation signal, and a mediator that learns the signal distribution.

**Agents.**  Agent ``i`` acts on its observation ``o_i`` of the signal
(:mod:`vsg_pyro.signals`): policy ``pi_i(a_i | m, o_i)`` (factorized) or
``pi_i(a_i | m, o_i, a_-i)`` (conditional, the paper's family), i.e. the Nash machinery of
Algorithm 1 on augmented rows ``(m, o_i)`` with the exact opponent model given the
observation, ``p_i(a_-i | m, o_i)`` (:func:`~vsg_pyro.signals.signal_conditioned`).  One step
is eq. (4): ``pi_i <- pi_i^(1 - alpha) (pi0_i exp(beta Q_i))^alpha / Z`` (factorized:
``Q_i`` averaged over ``p_i``), with ``Q_i`` the soft action value of the joint play
(Definition 5.1; ``r_i`` in a normal-form game).

**Mediator.**  The signal distribution ``sigma(omega | m)`` is the guide of a mediator whose
model draws ``omega`` from a uniform prior and scores it by ``beta_sigma`` times

* ``private`` signals (recommendations ``omega = a``): the welfare of obedient play minus the
  agents' incentive constraints, ``W(a) - sum_i sum_d lambda_i(a_i, d) (Q_i(d, a_-i) - Q_i(a))``.
  The multipliers ``lambda >= 0`` ascend the constraint violations
  ``G_i(r, d) + kappa P(omega_i = r) <= 0`` (:func:`incentive_features`): the mediator's
  target is the entropy-regularised max-welfare correlated equilibrium
  ``sigma* = argmax_{sigma in CE_kappa} E_sigma[W] + H(sigma) / beta_sigma``, the KL projection
  of ``∝ exp(beta_sigma W)`` onto the constraint set (posterior regularisation), solved on its
  convex dual (:func:`project_signal`).  The margin ``kappa`` (:func:`obedience_margin`,
  capped at half the largest margin any signal distribution achieves,
  :func:`max_obedience_margin`) makes obedience strictly better, which soft (quantal) agents
  need: at a binding constraint they are indifferent and mix, their mixing can unravel the
  others' incentives, and play falls to a babbling (signal-ignoring) equilibrium.  Where
  every correlated equilibrium binds (matching pennies) the margin is 0;
* ``public`` signals: the welfare of the agents' play given ``omega`` (no incentive terms: play
  given a public signal is a Nash equilibrium of the stage game, so the induced joint is a
  mixture of (quantal) Nash equilibria and its welfare is at most the best one's).

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
import time
from collections.abc import Callable, Sequence
from typing import NamedTuple

import numpy as np
import torch
from scipy.optimize import linprog, minimize

from vsg_pyro.games.tabular import TabularGame
from vsg_pyro.joint import agent_view, expect_over_others, joint_axis
from vsg_pyro.metrics.correlated import stage_payoffs
from vsg_pyro.signals import SignalStructure, induced_joint, play_tensor, signal_conditioned
from vsg_pyro.solvers.soft_dp import Family, check_family, uniform_log_prior
from vsg_pyro.solvers.step_control import StepSizeController

__all__ = [
    "CorrelatedState",
    "CorrelatedTargets",
    "CorrelatedResult",
    "MediatorSettings",
    "incentive_features",
    "recommendation_indicator",
    "max_obedience_margin",
    "obedience_margin",
    "project_signal",
    "default_mediator",
    "correlated_init",
    "executed_signal_policies",
    "correlated_targets",
    "correlated_step",
    "state_change",
    "largest_change",
    "log_prior_rows",
    "solve_correlated_exact",
]


class MediatorSettings(NamedTuple):
    """The mediator's temperature ``beta_sigma``, its step ``alpha_sigma`` and the obedience
    ``margin`` (``kappa = margin / beta``, private signals)."""

    beta: float
    alpha: float
    margin: float


class CorrelatedState(NamedTuple):
    """Per agent normalised log-policies and opponent models given the observation
    ``(M, K_i, *J)`` (1 at ``i``); the log signal distribution ``(M, W)``; the mediator's
    multipliers ``(M, C)`` (:func:`incentive_features`; ``C = 0`` for public signals); the
    iteration."""

    log_policies: tuple[torch.Tensor, ...]
    opponent_models: tuple[torch.Tensor, ...]
    log_signal: torch.Tensor
    multipliers: torch.Tensor
    iteration: int


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


def _rows(game: TabularGame, x: torch.Tensor) -> torch.Tensor:
    lead = game.row_shape
    return x.reshape(math.prod(lead), *x.shape[len(lead):])


def _unrows(game: TabularGame, x: torch.Tensor) -> torch.Tensor:
    return x.reshape(*game.row_shape, *x.shape[1:])


def log_prior_rows(game: TabularGame, agent: int, log_prior: torch.Tensor | None) -> torch.Tensor:
    """``log pi0_i`` per row ``(M, A_i)`` from ``(S, A_i)`` (uniform when ``None``)."""
    lp = uniform_log_prior(game, agent) if log_prior is None else torch.as_tensor(
        log_prior, dtype=torch.float64)
    if game.horizon is not None:
        lp = lp.expand(game.horizon, *lp.shape)
    return _rows(game, lp)  # (M, A_i)


def correlated_init(
    game: TabularGame,
    structure: SignalStructure,
    family: Family = "factorized",
    init: str = "obedient",
    seed: int = 0,
) -> CorrelatedState:
    """Initial state: a uniform signal distribution, zero multipliers and policies

    * ``"obedient"`` (private signals only): ``pi_i(a_i | o_i) = 0.9`` at ``a_i = o_i``;
    * ``"random"``: standard-normal logits (public signals need them: identical policies for
      every observation make the signal useless);
    * ``"uniform"``.
    """
    check_family(family)
    if init not in ("obedient", "random", "uniform"):
        raise ValueError(f"init: must be 'obedient', 'random' or 'uniform', got {init!r}")
    if init == "obedient" and structure.kind != "private":
        raise ValueError("init: 'obedient' needs private signals (recommendations)")
    n, counts = game.n_agents, game.action_counts
    m = math.prod(game.row_shape)
    gen = torch.Generator().manual_seed(seed)
    logs, models = [], []
    for i in range(n):
        k = structure.observation_counts[i]
        shape = (m, k, *counts) if family == "conditional" else (m, k, counts[i])
        axis = joint_axis(i, n) if family == "conditional" else -1
        if init == "random":
            logits = torch.randn(shape, generator=gen, dtype=torch.float64)
        elif init == "obedient":
            a = counts[i]
            obey = torch.full((k, a), 0.1 / max(a - 1, 1), dtype=torch.float64)
            obey.fill_diagonal_(0.9 if a > 1 else 1.0)
            if family == "conditional":
                view = obey.reshape(k, *[a if j == i else 1 for j in range(n)])
                logits = torch.log(view).expand(shape)
            else:
                logits = torch.log(obey).expand(shape)
        else:
            logits = torch.zeros(shape, dtype=torch.float64)
        logs.append(torch.log_softmax(logits, dim=axis))
        uniform = [torch.full((m, k, c), 1.0 / c, dtype=torch.float64) for c in counts]
        model = torch.ones(m, k, *[1 if j == i else c for j, c in enumerate(counts)],
                           dtype=torch.float64)
        for j, u in enumerate(uniform):
            if j != i:
                model = model * agent_view(u, j, n)
        models.append(model)
    log_signal = torch.full((m, structure.size), -math.log(structure.size), dtype=torch.float64)
    n_constraints = sum(c * (c - 1) for c in counts) if structure.kind == "private" else 0
    multipliers = torch.zeros(m, n_constraints, dtype=torch.float64)
    return CorrelatedState(tuple(logs), tuple(models), log_signal, multipliers, 0)


def executed_signal_policies(state: CorrelatedState, n_agents: int) -> list[torch.Tensor]:
    """``pi_bar_i(a_i | m, o_i)`` ``(M, K_i, A_i)``: a conditional policy averaged over the
    agent's opponent model given its observation (Algorithm 1), renormalised (uniform at an
    observation of probability 0)."""
    out = []
    for i, lp in enumerate(state.log_policies):
        pol = lp.exp()
        if pol.ndim == n_agents + 2:  # conditional (M, K, *J)
            pol = expect_over_others(pol, state.opponent_models[i], i, n_agents)
        total = pol.sum(-1, keepdim=True)
        # An observation the signal never sends has an empty opponent model: play uniformly
        # there (it carries no probability, but must stay a distribution).
        out.append(torch.where(total > 0, pol / total.clamp_min(torch.finfo(pol.dtype).tiny),
                               torch.full_like(pol, 1.0 / pol.shape[-1])))
    return out


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
    joint_full = _unrows(game, joint)
    bonus = -torch.stack([_unrows(game, k) for k in kls]) / beta  # (N, H?, S): -(1/beta) KL
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
    scores, multipliers = _mediator_scores(structure, sigma, executed, hard_q,
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


def _constraints(counts: Sequence[int]) -> list[tuple[int, int, int]]:
    """Constraint order ``c = (i, r, d)``: agent, recommended action, deviation ``d != r``."""
    return [(i, r, d) for i, a in enumerate(counts) for r in range(a) for d in range(a) if d != r]


def recommendation_indicator(counts: Sequence[int]) -> torch.Tensor:
    """``1{omega_i = r}`` per constraint ``(i, r, d)``: ``(C, W)`` (``W = prod A_i``, C order)."""
    obs = torch.unravel_index(torch.arange(math.prod(counts)), tuple(counts))
    rows = [(obs[i] == r).to(torch.float64) for i, r, _ in _constraints(counts)]
    return torch.stack(rows) if rows else torch.zeros(0, math.prod(counts), dtype=torch.float64)


def incentive_features(q: torch.Tensor, kappa: torch.Tensor | float = 0.0) -> torch.Tensor:
    """Obedience constraints of private recommendations, ``Phi[m, c, omega]`` ``(M, C, W)``.

    One constraint ``c = (i, r, d)`` per agent, recommended action ``r`` and deviation
    ``d != r``: ``Phi = 1{omega_i = r} (Q_i(m, d, omega_-i) - Q_i(m, omega) + kappa_m)``;
    ``sigma`` satisfies them when ``E_sigma[Phi[m, c]] <= 0`` for every ``c`` (``kappa = 0``:
    the correlated-equilibrium inequalities).  ``q``: ``(N, M, *J)``; ``kappa``: scalar or ``(M,)``.
    """
    n, m = q.shape[0], q.shape[1]
    counts = tuple(q.shape[2:])
    rows = []
    for i, _r, d in _constraints(counts):
        rows.append((q[i].narrow(joint_axis(i, n), d, 1) - q[i]).reshape(m, -1))
    if not rows:
        return torch.zeros(m, 0, math.prod(counts), dtype=torch.float64)
    kappa = torch.as_tensor(kappa, dtype=torch.float64).reshape(-1, 1, 1)
    return (torch.stack(rows, 1) + kappa) * recommendation_indicator(counts)


def max_obedience_margin(q: torch.Tensor, iterations: int = 20) -> torch.Tensor:
    """The largest ``kappa`` per row for which some ``sigma`` satisfies the constraints of
    :func:`incentive_features`: bisection on ``kappa`` with a HiGHS feasibility LP per trial.
    ``q``: ``(N, M, *J)``; returns ``(M,)`` (0 where every correlated equilibrium has a binding
    constraint, e.g. matching pennies)."""
    features = incentive_features(q).numpy()
    indicator = recommendation_indicator(tuple(q.shape[2:])).numpy()
    out = torch.zeros(q.shape[1], dtype=torch.float64)
    if features.shape[1] == 0:
        return out
    for row, phi in enumerate(features):
        lo, hi = 0.0, 2.0 * float(np.abs(phi).max()) + 1e-12
        if _feasible(phi + hi * indicator):
            out[row] = hi
            continue
        for _ in range(iterations):
            mid = 0.5 * (lo + hi)
            lo, hi = (mid, hi) if _feasible(phi + mid * indicator) else (lo, mid)
        out[row] = lo
    return out


def _feasible(a_ub: np.ndarray) -> bool:
    """Is there a distribution ``sigma`` with ``a_ub @ sigma <= 0``?"""
    w = a_ub.shape[1]
    res = linprog(np.zeros(w), A_ub=a_ub, b_ub=np.zeros(len(a_ub)), A_eq=np.ones((1, w)),
                  b_eq=[1.0], bounds=[(0, None)] * w, method="highs")
    return res.status == 0


def project_signal(
    welfare: torch.Tensor,
    features: torch.Tensor,
    beta_sigma: float,
    start: torch.Tensor | None = None,
    max_multiplier: float = 1e6,
) -> tuple[torch.Tensor, torch.Tensor]:
    """The mediator's target: ``sigma* = argmax_{E_sigma[Phi] <= 0} E_sigma[W] + H(sigma) / beta_sigma``
    per row, i.e. the KL projection of ``∝ exp(beta_sigma W)`` onto the constraint set
    (posterior regularisation), by L-BFGS-B (scipy) on the convex dual.

    Args:
        welfare: ``(M, W)``; features: ``(M, C, W)`` (:func:`incentive_features`).
        start: ``(M, C)`` multipliers to warm-start from.
        max_multiplier: upper bound on the multipliers (an empty constraint set, e.g. a margin
            no equilibrium has, then gives the least-violating ``sigma`` instead of diverging).

    Returns:
        ``(score, multipliers)``: ``W - lambda . Phi`` ``(M, W)`` (``sigma* ∝ exp(beta_sigma
        score)``) and ``lambda`` ``(M, C)``.
    """
    m, c, w = features.shape
    if c == 0:
        return welfare, torch.zeros(m, 0, dtype=torch.float64)
    log_w = -math.log(w)

    def dual(x: np.ndarray) -> tuple[float, np.ndarray]:
        lam = torch.as_tensor(x, dtype=torch.float64).reshape(m, c)
        score = welfare - (lam.unsqueeze(-1) * features).sum(1)
        logits = log_w + beta_sigma * score
        lse = torch.logsumexp(logits, -1)
        sig = torch.exp(logits - lse.unsqueeze(-1))
        grad = -(sig.unsqueeze(1) * features).sum(-1)  # -E_sigma[Phi]
        return float(lse.sum() / beta_sigma), grad.reshape(-1).numpy()

    x0 = np.zeros(m * c) if start is None else start.reshape(-1).clamp(0, max_multiplier).numpy()
    res = minimize(dual, x0, jac=True, method="L-BFGS-B", bounds=[(0.0, max_multiplier)] * (m * c),
                   options={"maxiter": 5000, "ftol": 1e-15, "gtol": 1e-12})
    lam = torch.as_tensor(res.x, dtype=torch.float64).reshape(m, c)
    return welfare - (lam.unsqueeze(-1) * features).sum(1), lam


def _mediator_scores(
    structure: SignalStructure,
    sigma: torch.Tensor,
    executed: Sequence[torch.Tensor],
    q: torch.Tensor,
    multipliers: torch.Tensor,
    mediator: MediatorSettings,
    beta: float,
    cache: dict | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """The mediator's score ``(M, W)`` (its target is ``∝ exp(beta_sigma score)``) and the
    multipliers ``(M, C)`` (module docstring)."""
    n = q.shape[0]
    if structure.kind == "public":
        play = play_tensor(structure, torch.ones_like(sigma), executed)  # (M, W, *J)
        welfare = (play * q.sum(0).unsqueeze(1)).sum(list(range(-n, 0)))
        return welfare, multipliers
    welfare = q.sum(0).reshape(q.shape[1], -1)  # obedient play: omega is the joint action
    kappa = torch.zeros(q.shape[1], dtype=torch.float64)
    if mediator.margin > 0:
        # The cap is a safeguard, not a target: a row's cap is recomputed (a bisection of
        # linear programs) only when its action values have moved by more than 1% of their
        # scale since the last computation (never, in a normal-form game).
        ref = None if cache is None else cache.get("margin_q")
        scale = float(q.abs().max()) + 1e-12
        if ref is None or ref.shape != q.shape:
            stale = torch.ones(q.shape[1], dtype=torch.bool)
            cap = torch.zeros(q.shape[1], dtype=torch.float64)
        else:
            stale = (q - ref).abs().flatten(2).amax(-1).amax(0) > 0.01 * scale  # per row
            cap = cache["margin_cap"].clone()  # type: ignore[index]
        if stale.any():
            cap[stale] = 0.5 * max_obedience_margin(q[:, stale])
            if cache is not None:
                ref = q.clone() if ref is None or ref.shape != q.shape else ref.clone()
                ref[:, stale] = q[:, stale]
                cache["margin_q"], cache["margin_cap"] = ref, cap
        kappa = torch.clamp(cap, max=obedience_margin(mediator.margin, beta))
    return project_signal(welfare, incentive_features(q, kappa), mediator.beta, multipliers)


def obedience_margin(margin: float, beta: float) -> float:
    """``kappa = margin (1 + log beta) / beta`` (``beta >= 1``): soft agents then prefer the
    recommended action by ``beta kappa = margin (1 + log beta)`` nats, which grows with beta
    (so their disobedience vanishes), while ``kappa -> 0`` (so the constraint set grows to the
    correlated equilibria)."""
    return margin * (1.0 + math.log(max(beta, 1.0))) / beta


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


def default_mediator(
    game: TabularGame, beta_sigma: float | None = None, margin: float = 0.0, alpha: float = 0.5
) -> MediatorSettings:
    """Defaults: ``beta_sigma = 10 / R`` with ``R = max|r| * H`` the action-value scale."""
    scale = max(game.reward_range, 1e-12) * game.effective_horizon
    b = 10.0 / scale if beta_sigma is None else float(beta_sigma)
    if not b > 0:
        raise ValueError(f"mediator_beta: must be > 0, got {beta_sigma}")
    if not margin >= 0:
        raise ValueError(f"margin: must be >= 0, got {margin}")
    if not 0 < alpha <= 1:
        raise ValueError(f"mediator alpha: must lie in (0, 1], got {alpha}")
    return MediatorSettings(b, float(alpha), float(margin))


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
    """Iterate :func:`correlated_step` until the step's change (:func:`state_change`) is below
    ``tol * alpha`` (module docstring).

    Args:
        warmup: at most this many mediator-only steps first (agents frozen at their initial
            policies; stops early once ``sigma`` moves less than ``tol``), so that the signal
            distribution is incentive-compatible before the agents respond to it.
        adaptive_step: halve the agents' ``alpha`` when progress stalls once beta has settled
            (as VPG; off by default).
    """
    if not beta > 0:
        raise ValueError(f"beta: must be > 0, got {beta}")
    if max_iter < 1:
        raise ValueError(f"max_iter: must be >= 1, got {max_iter}")
    mediator = mediator or default_mediator(game, alpha=alpha)
    start = time.perf_counter()
    state = correlated_init(game, structure, family, init, seed)
    schedule = beta_schedule or (lambda _k: float(beta))
    control = StepSizeController(alpha, 25, adaptive_step)
    cache: dict = {}
    for _ in range(warmup):
        targets = correlated_targets(game, structure, state, schedule(0), mediator, log_priors,
                                     cache)
        old = state
        state = correlated_step(structure, state, targets, alpha, mediator, agents=False)
        if (state.log_signal.exp() - old.log_signal.exp()).abs().max().item() < tol:
            break
    trace: list[dict] = []
    converged = False
    for _ in range(max_iter):
        b = schedule(state.iteration)
        if not b > 0:
            raise ValueError(f"beta_schedule: beta must be > 0, got {b}")
        targets = correlated_targets(game, structure, state, b, mediator, log_priors, cache)
        new = correlated_step(structure, state, targets, control.alpha, mediator)
        delta = largest_change(state_change(structure, new, state))
        state = new
        entry = {"iteration": state.iteration, "delta": delta, "alpha": control.alpha,
                 "beta": b, "soft_values": targets.soft_values.tolist()}
        trace.append(entry)
        if callback is not None:
            callback(state, entry)
        # Stationarity: the change per unit step (a halved step cannot pass for convergence).
        settled = schedule(state.iteration) == b
        if delta / entry["alpha"] < tol and settled:
            converged = True
            break
        if settled:  # while beta is annealed, changes need not shrink
            control.update(delta)
    final = correlated_targets(game, structure, state, schedule(state.iteration), mediator,
                               log_priors, cache)
    executed = executed_signal_policies(state, game.n_agents)
    return CorrelatedResult(state, [_unrows(game, e) for e in executed],
                            _unrows(game, state.log_signal.exp()), _unrows(game, final.joint),
                            state.iteration, converged, trace, time.perf_counter() - start)


def largest_change(changes: list[float]) -> float:
    """``max(changes)``, refusing NaN (Python's ``max`` would skip it and pass for converged)."""
    if any(math.isnan(c) for c in changes):
        raise FloatingPointError("the correlated-equilibrium updates produced NaN; check "
                                 "log_priors and beta for infinite or invalid values")
    return max(changes)


def state_change(
    structure: SignalStructure, new: CorrelatedState, old: CorrelatedState
) -> list[float]:
    """Largest changes of one step: the signal's probabilities; the policies' *log*-
    probabilities (a saturated softmax hardly moves in probability while its logits still
    travel, which would pass for convergence), weighted by ``P(o_i | m)`` (an observation the
    signal never sends does not affect play); the opponent models' probabilities, so weighted."""
    sigma = old.log_signal.exp()
    out = [(new.log_signal.exp() - sigma).abs().max().item()]
    for i, (a, b) in enumerate(zip(new.log_policies, old.log_policies, strict=True)):
        w = structure.observation_marginal(sigma, i)  # (M, K_i)
        diff = torch.where(a == b, 0.0, a - b).abs()  # -inf (a zero prior) does not move
        change = diff.reshape(*w.shape, -1).amax(-1)
        dm = (new.opponent_models[i] - old.opponent_models[i]).abs().reshape(*w.shape, -1)
        out += [(w * change).max().item(), (w * dm.amax(-1)).max().item()]
    return out
