"""The mediator of a correlated equilibrium (§5.3, Figure 3): the score whose exponential its
signal distribution moves towards, and the incentive constraints of private recommendations.

The signal distribution ``sigma(omega | m)`` is the guide of a mediator whose
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

Shapes: ``M`` rows, ``W`` signals, ``J = (A_1, ..., A_N)``; multipliers ``(M, C)``, one per
constraint ``(i, recommended, deviation)``, ``C = sum_i A_i (A_i - 1)``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import torch
from scipy.optimize import linprog, minimize

from vsg_pyro.core.joint import joint_axis
from vsg_pyro.equilibria.correlated.signals import SignalStructure, play_tensor
from vsg_pyro.games.tabular import TabularGame

__all__ = [
    "MediatorSettings",
    "incentive_features",
    "recommendation_indicator",
    "max_obedience_margin",
    "obedience_margin",
    "project_signal",
    "mediator_scores",
    "default_mediator",
]


class MediatorSettings(NamedTuple):
    """The mediator's temperature ``beta_sigma``, its step ``alpha_sigma`` and the obedience
    ``margin`` (``kappa = margin / beta``, private signals)."""

    beta: float
    alpha: float
    margin: float


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


def mediator_scores(
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
