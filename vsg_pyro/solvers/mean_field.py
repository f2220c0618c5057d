"""Mean-field Bayesian Q-learning (Algorithm 4, §5.2) with exact policy steps.

Iteration ``k``, with the previous policy ``pi^k`` as the relative-entropy prior:

1. mean field ``L^k`` of ``pi^k`` by the forward equation
   (:func:`~vsg_pyro.metrics.mean_field.mean_field_flow`), optionally damped
   ``L <- (1 - damping) L_old + damping L^k`` (``damping = 1``: none);
2. soft ``Q`` of eq. (11) by backward induction against ``L``:
   ``Q_t(s, a) = r(s, a, L_t) + sum_s' P(s' | s, a, L_t) V_{t+1}(s')``,
   ``V_t(s) = (1/beta) log sum_a pi^k_t(a | s) exp(beta Q_t(s, a))``, ``V_T = 0``;
3. eq. (12): ``pi^{k+1}_t(a | s) ∝ pi^k_t(a | s) exp(beta Q_t(s, a))``.

``beta`` is the inverse temperature of the optimality likelihood (the paper: 1).  The SVI
version of step 3 is :mod:`vsg_pyro.models.mean_field`.  Two choices of prior (Algorithm 4
leaves it open: "a prior distribution policy that uses information from past iterations"):

* ``prior="previous"`` (default): the prior is ``pi^k``, so step 3 is a mirror-descent step of
  size ``beta``; its fixed points with full support are exact (unregularised) mean-field
  equilibria (a policy that puts no mass on some actions is a fixed point as well, so start
  from a positive policy).
  ``optimistic=True`` replaces ``Q^k`` in step 3 by ``2 Q^k - Q^(k-1)`` (optimistic mirror
  descent), whose last iterate converges in monotone games such as rock-paper-scissors, where
  plain mirror descent cycles.
* ``prior="uniform"`` (or a fixed ``(T, S, A)`` policy): RelEnt iteration (Cui & Koeppl 2021,
  the paper's [5]).  Its fixed point is the *entropy-regularised* equilibrium at temperature
  ``1/beta``, whose unregularised exploitability is at most ``T log|A| / beta`` and shrinks as
  ``beta`` grows; the plain iteration stops converging at large ``beta``, so damp the mean field
  and anneal ``beta`` (``beta`` may be a schedule ``k -> beta_k``).

Shapes: policies ``(T, S, A)``, ``Q`` ``(T, S, A)``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import NamedTuple

import torch

from vsg_pyro.games.mean_field import MeanFieldGame, pull
from vsg_pyro.metrics.mean_field import check_policy, mean_field_flow, mf_exploitability

__all__ = ["MeanFieldResult", "soft_q", "relative_entropy_step", "solve_mean_field_exact"]

# (prior, Q, beta) -> next policy: the exact step, or an SVI run on the same target
PolicyStep = Callable[[torch.Tensor, torch.Tensor, float], torch.Tensor]


class MeanFieldResult(NamedTuple):
    """``policy`` ``(T, S, A)``, ``flow`` its mean field, ``exploitability`` (exact), and per
    iteration ``trace`` entries (``iteration``, ``exploitability``, ``seconds``)."""

    policy: torch.Tensor
    flow: torch.Tensor
    exploitability: float
    iterations: int
    trace: list[dict]
    seconds: float


def soft_q(game: MeanFieldGame, flow: torch.Tensor, prior: torch.Tensor, beta: float) -> torch.Tensor:
    """Eq. (11): soft ``Q`` ``(T, S, A)`` against ``flow`` with the prior policy ``prior``."""
    if not beta > 0:
        raise ValueError(f"beta: must be > 0, got {beta}")
    v = torch.zeros(game.n_states, dtype=torch.float64)
    qs = []
    for t in reversed(range(game.horizon)):
        q = game.reward(flow[t])
        if t + 1 < game.horizon:
            q = q + pull(game.transition(flow[t]), v)
        qs.append(q)
        v = torch.logsumexp(torch.log(prior[t]) + beta * q, -1) / beta
    return torch.stack(qs[::-1])


def relative_entropy_step(prior: torch.Tensor, q: torch.Tensor, beta: float) -> torch.Tensor:
    """Eq. (12): ``pi ∝ prior exp(beta Q)`` per ``(t, s)``."""
    return torch.softmax(torch.log(prior) + beta * q, -1)


PRIORS = ("previous", "uniform")


def solve_mean_field_exact(
    game: MeanFieldGame,
    beta: float | Callable[[int], float] = 1.0,
    iterations: int = 200,
    damping: float = 1.0,
    target: float = 0.0,
    policy_step: PolicyStep | None = None,
    initial_policy: torch.Tensor | None = None,
    callback: Callable[[int, dict], None] | None = None,
    average: bool = False,
    prior: str | torch.Tensor = "previous",
    optimistic: bool = False,
) -> MeanFieldResult:
    """Run Algorithm 4 (module docstring) for ``iterations`` or until the exploitability is at
    most ``target``.

    Args:
        beta: a float, or a schedule ``k -> beta_k`` over iterations ``k = 0, 1, ...``
            (:mod:`vsg_pyro.schedules`) for annealing.
        damping: weight of the new mean field in ``L <- (1 - damping) L + damping L^k``.
        prior: ``"previous"`` (mirror descent), ``"uniform"`` or a fixed ``(T, S, A)`` /
            ``(S, A)`` policy (RelEnt iteration); see the module docstring.
        optimistic: step 3 with ``2 Q^k - Q^(k-1)`` (only with ``prior="previous"``).
        policy_step: ``(prior, Q, beta) -> policy`` replacing the exact eq. (12) step (e.g. an
            SVI fit, :func:`vsg_pyro.mean_field_svi.svi_policy_step`).
        initial_policy: ``(T, S, A)`` or ``(S, A)``; uniform by default.
        average: report (and stop on) the *average* of the iterates, weighted by their mean
            fields (the policy that generates the average mean field, as in fictitious play)
            instead of the last iterate, which cycles in games like rock-paper-scissors.
    """
    if not 0 < damping <= 1:
        raise ValueError(f"damping: must lie in (0, 1], got {damping}")
    if iterations < 1:
        raise ValueError(f"iterations: must be >= 1, got {iterations}")
    start = time.perf_counter()
    shape = (game.horizon, game.n_states, game.n_actions)
    uniform = torch.full(shape, 1.0 / game.n_actions, dtype=torch.float64)
    fixed_prior = _fixed_prior(game, prior, uniform)
    if optimistic and fixed_prior is not None:
        raise ValueError("optimistic: only with prior='previous' (mirror descent)")
    beta_at = beta if callable(beta) else (lambda k: beta)
    policy = check_policy(game, uniform if initial_policy is None else initial_policy).clone()
    step = policy_step or relative_entropy_step
    flow = mean_field_flow(game, policy)
    trace: list[dict] = []
    report = mf_exploitability(game, policy)
    k = 0
    flow_sum = torch.zeros(shape, dtype=torch.float64)
    reported = policy
    q_previous = None
    for k in range(1, iterations + 1):
        beta_k = float(beta_at(k - 1))
        new_flow = mean_field_flow(game, policy)
        flow = new_flow if damping == 1 else (1 - damping) * flow + damping * new_flow
        prior_k = policy if fixed_prior is None else fixed_prior
        q = soft_q(game, flow, prior_k, beta_k)
        step_q = q if not optimistic or q_previous is None else 2 * q - q_previous
        q_previous = q
        policy = step(prior_k, step_q, beta_k)
        reported = policy
        if average:
            flow_sum = flow_sum + mean_field_flow(game, policy)
            mass = flow_sum.sum(-1, keepdim=True)
            reported = torch.where(mass > 0, flow_sum / mass.clamp_min(1e-300),
                                   torch.full_like(flow_sum, 1.0 / game.n_actions))
        report = mf_exploitability(game, reported)
        entry = {"iteration": k, "exploitability": report.exploitability, "beta": beta_k,
                 "seconds": time.perf_counter() - start}
        trace.append(entry)
        if callback is not None:
            callback(k, entry)
        if report.exploitability <= target:
            break
    return MeanFieldResult(reported, report.flow, report.exploitability, k, trace,
                           time.perf_counter() - start)


def _fixed_prior(game: MeanFieldGame, prior: str | torch.Tensor,
                 uniform: torch.Tensor) -> torch.Tensor | None:
    """``None`` for the previous-policy prior, else the fixed prior policy ``(T, S, A)``."""
    if isinstance(prior, str):
        if prior not in PRIORS:
            raise ValueError(f"prior: must be one of {PRIORS} or a policy tensor, got {prior!r}")
        return None if prior == "previous" else uniform
    fixed = check_policy(game, prior)
    if (fixed <= 0).any():
        raise ValueError("prior: a fixed prior policy must be positive everywhere")
    return fixed.contiguous()
