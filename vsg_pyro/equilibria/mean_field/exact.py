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

:class:`Solver` puts one iteration behind the solver protocol (``alpha`` interpolates step 3,
``pi <- pi^(1 - alpha) (prior exp(beta Q))^alpha``; ``alpha = 1`` is eq. (12)); its certificate
is the exact mean-field exploitability of the reported policy against ``target``.

Shapes: policies ``(T, S, A)``, ``Q`` ``(T, S, A)``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import torch

from vsg_pyro.core.loop import LoopOptions, run_solver
from vsg_pyro.core.protocol import Certificate, Run, StepInfo
from vsg_pyro.equilibria.results import MeanFieldSolution
from vsg_pyro.games.mean_field import MeanFieldGame, pull
from vsg_pyro.metrics.mean_field import (
    FlowKernels,
    check_policy,
    evaluate_flow,
    mf_exploitability,
)

__all__ = ["MeanFieldResult", "MeanFieldState", "soft_q", "relative_entropy_step", "Solver",
           "iteration_callback", "solve_mean_field_exact"]

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


def soft_q(game: MeanFieldGame, flow: torch.Tensor, prior: torch.Tensor, beta: float,
           evaluated: FlowKernels | None = None) -> torch.Tensor:
    """Eq. (11): soft ``Q`` ``(T, S, A)`` against ``flow`` with the prior policy ``prior``
    (the rewards and kernels from ``evaluated``, :func:`~vsg_pyro.metrics.mean_field.
    evaluate_flow` of that flow, when given)."""
    if not beta > 0:
        raise ValueError(f"beta: must be > 0, got {beta}")
    v = torch.zeros(game.n_states, dtype=torch.float64)
    qs = []
    for t in reversed(range(game.horizon)):
        q = game.reward(flow[t]) if evaluated is None else evaluated.rewards[t]
        if t + 1 < game.horizon:
            kernel = game.transition(flow[t]) if evaluated is None else evaluated.kernels[t]
            q = q + pull(kernel, v)
        qs.append(q)
        v = torch.logsumexp(torch.log(prior[t]) + beta * q, -1) / beta
    return torch.stack(qs[::-1])


def relative_entropy_step(prior: torch.Tensor, q: torch.Tensor, beta: float) -> torch.Tensor:
    """Eq. (12): ``pi ∝ prior exp(beta Q)`` per ``(t, s)``."""
    return torch.softmax(torch.log(prior) + beta * q, -1)


PRIORS = ("previous", "uniform")


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


class MeanFieldState(NamedTuple):
    """Algorithm 4's iterate: ``policy`` ``pi^k`` ``(T, S, A)``; ``flow``: the (damped) mean
    field of the last iteration ``(T, S, A)``; ``q_previous``: ``Q^(k-1)`` (optimistic steps;
    ``None`` at first); ``flow_sum``: the sum of the iterates' mean fields (averaging);
    ``reported``: the policy the certificate and result use (the last iterate, or the
    flow-weighted average); ``iteration``: ``k``."""

    policy: torch.Tensor
    flow: torch.Tensor
    q_previous: torch.Tensor | None
    flow_sum: torch.Tensor
    reported: torch.Tensor
    iteration: int


class Solver:
    """Algorithm 4 with exact (or, in :mod:`.svi`, SVI) policy steps, behind the solver
    protocol.

    Args:
        game: the mean-field game.
        damping: weight of the new mean field in ``L <- (1 - damping) L + damping L^k``.
        prior: ``"previous"`` (mirror descent), ``"uniform"`` or a fixed ``(T, S, A)`` /
            ``(S, A)`` policy (RelEnt iteration); see the module docstring.
        optimistic: step 3 with ``2 Q^k - Q^(k-1)`` (only with ``prior="previous"``).
        average: report the *average* of the iterates, weighted by their mean fields (the
            policy that generates the average mean field, as in fictitious play) instead of
            the last iterate, which cycles in games like rock-paper-scissors.
        initial_policy: ``(T, S, A)`` or ``(S, A)``; uniform by default.
        target: the certificate's threshold on the exploitability (a negative target runs
            every iteration).
        policy_step: ``(prior, Q, beta) -> policy`` replacing the exact eq. (12) step.

    ``step`` reports ``change``: the largest change of a policy probability.
    """

    concept = "mean-field"
    method = "exact"
    n_agents = 1

    def __init__(
        self,
        game: MeanFieldGame,
        damping: float = 1.0,
        prior: str | torch.Tensor = "previous",
        optimistic: bool = False,
        average: bool = False,
        initial_policy: torch.Tensor | None = None,
        target: float = 0.0,
        policy_step: PolicyStep | None = None,
    ) -> None:
        if not 0 < damping <= 1:
            raise ValueError(f"damping: must lie in (0, 1], got {damping}")
        if not isinstance(target, (int, float)) or target != target:
            raise ValueError(f"target: must be a number (negative: run every step), got {target!r}")
        self.game, self.damping, self.optimistic, self.average = game, damping, optimistic, average
        self.target = float(target)
        shape = (game.horizon, game.n_states, game.n_actions)
        self._uniform = torch.full(shape, 1.0 / game.n_actions, dtype=torch.float64)
        self.fixed_prior = _fixed_prior(game, prior, self._uniform)
        if optimistic and self.fixed_prior is not None:
            raise ValueError("optimistic: only with prior='previous' (mirror descent)")
        self.initial_policy = check_policy(
            game, self._uniform if initial_policy is None else initial_policy).clone()
        self.policy_step = policy_step or relative_entropy_step
        # the last two policies whose own flows were evaluated, with them: the certificate's
        # policy is the next step's (with averaging: the iterate and the reported average),
        # so each flow's rewards and kernels are computed once
        self._evaluated: list[tuple[torch.Tensor, FlowKernels]] = []

    def _flow_of(self, policy: torch.Tensor) -> FlowKernels:
        """:func:`~vsg_pyro.metrics.mean_field.evaluate_flow` of ``policy``, reused while the
        same policy tensor comes back (iterates are new tensors, never changed in place)."""
        for known, evaluated in self._evaluated:
            if known is policy:
                return evaluated
        evaluated = evaluate_flow(self.game, policy)
        self._evaluated = [*self._evaluated[-1:], (policy, evaluated)]
        return evaluated

    def init(self, seed: int = 0) -> MeanFieldState:
        """The initial policy (deterministic: ``seed`` is not used)."""
        policy = self.initial_policy.clone()
        return MeanFieldState(policy, self._flow_of(policy).flow, None,
                              torch.zeros_like(policy), policy, 0)

    def step(self, state: MeanFieldState, beta: float,
             alpha: float = 1.0) -> tuple[MeanFieldState, StepInfo]:
        if not 0 < alpha <= 1:
            raise ValueError(f"alpha: must lie in (0, 1], got {alpha}")
        game, policy = self.game, state.policy
        evaluated = self._flow_of(policy)
        d = self.damping
        flow = evaluated.flow if d == 1 else (1 - d) * state.flow + d * evaluated.flow
        prior = policy if self.fixed_prior is None else self.fixed_prior
        q = soft_q(game, flow, prior, beta, evaluated if d == 1 else None)
        step_q = q if not self.optimistic or state.q_previous is None else 2 * q - state.q_previous
        if alpha != 1:  # pi^(1-a) (prior exp(beta Q))^a = (pi^(1-a) prior^a) exp(beta a Q)
            prior = torch.softmax((1 - alpha) * torch.log(policy) + alpha * torch.log(prior), -1)
            step_q = alpha * step_q
        new_policy = self.policy_step(prior, step_q, beta)
        reported, flow_sum = new_policy, state.flow_sum
        if self.average:
            flow_sum = flow_sum + self._flow_of(new_policy).flow
            mass = flow_sum.sum(-1, keepdim=True)
            reported = torch.where(mass > 0, flow_sum / mass.clamp_min(1e-300),
                                   torch.full_like(flow_sum, 1.0 / game.n_actions))
        change = (new_policy - policy).abs().max().item()
        return (MeanFieldState(new_policy, flow, q, flow_sum, reported, state.iteration + 1),
                StepInfo(change=change))

    def certificate(self, state: MeanFieldState, beta: float) -> Certificate:
        report = mf_exploitability(self.game, state.reported, self._flow_of(state.reported))
        return Certificate("mean-field exploitability", report.exploitability, self.target)

    def result(self, state: MeanFieldState, run: Run, **fields) -> MeanFieldSolution:
        report = mf_exploitability(self.game, state.reported, self._flow_of(state.reported))
        trace = [{**e, "exploitability": e["certificate"]} for e in run.trace]
        return MeanFieldSolution(
            game=self.game.name, concept=self.concept, method=self.method, family="factorized",
            beta=run.beta, policies=[state.reported], report=report, iterations=run.iterations,
            converged=run.converged, certificate=run.certificate, reason=run.reason,
            seconds=run.seconds, trace=trace, elbo=[[]], loss=[[]], state=state,
            flow=report.flow, value=report.value, **fields)


def _iteration_entry(info: dict) -> dict:
    return {"iteration": info["iteration"], "exploitability": info["certificate"],
            "beta": info["beta"], "seconds": info["seconds"]}


def iteration_callback(
    callback: Callable[[int, dict], None] | None,
) -> Callable[[int, dict], None] | None:
    """The loop's callback from one with the pre-issue-12 mean-field contract
    ``callback(k, {"iteration", "exploitability", "beta", "seconds"})``, ``k`` from 1."""
    if callback is None:
        return None
    return lambda _step, info: callback(info["iteration"], _iteration_entry(info))


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
    """Run Algorithm 4 (:class:`Solver` in the one loop) for ``iterations`` or until the
    exploitability is at most ``target``.

    Args:
        beta: a float, or a schedule ``k -> beta_k`` over iterations ``k = 0, 1, ...``
            (:mod:`vsg_pyro.core.schedules`) for annealing.
        callback: ``callback(k, entry)`` after iteration ``k = 1, 2, ...`` with ``entry``
            ``{"iteration", "exploitability", "beta", "seconds"}`` (this function's contract
            before issue 12; :func:`vsg_pyro.equilibria.mean_field.solve` uses the loop's).
        the others: as :class:`Solver`.
    """
    if iterations < 1:
        raise ValueError(f"iterations: must be >= 1, got {iterations}")
    solver = Solver(game, damping, prior, optimistic, average, initial_policy, target, policy_step)
    options = LoopOptions(steps=iterations, stop_on="certificate", adaptive_step=False)
    state, run = run_solver(solver, beta, 1.0, options, callback=iteration_callback(callback))
    report = mf_exploitability(game, state.reported)
    trace = [_iteration_entry(e) for e in run.trace]
    return MeanFieldResult(state.reported, report.flow, report.exploitability, run.iterations,
                           trace, run.seconds)
