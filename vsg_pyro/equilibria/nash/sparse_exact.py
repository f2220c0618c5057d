"""Algorithm 1 (VPG, eq. (4)) on a sparse kernel: Nash equilibria of discounted games with
~10^5 states (:class:`~vsg_pyro.games.sparse.SparseTabularGame`).

The update is :mod:`vsg_pyro.equilibria.nash.exact`'s for the factorized family with the exact
opponent model (every agent's weights are the joint policy ``mu = prod_j pi_j``):

    c_i(s)   = E_mu[r_i(s, a)] - (1/beta) KL(pi_i(. | s) || pi0_i(. | s)),
    V_i      = (I - gamma P_mu)^{-1} c_i                    (Definition 5.1),
    Q_i(s,a) = r_i(s, a) + gamma sum_s' P(s' | s, a) V_i(s'),
    pi_i    <- pi_i^(1 - alpha) (pi0_i exp(beta E_{a_-i ~ mu_-i} Q_i))^alpha / Z,

with ``P_mu`` one sparse matrix per iteration, shared by the agents
(:class:`~vsg_pyro.core.sparse_dp.SparseKernel`), and ``V_i`` by a checked iterative solve
warm-started from the previous iteration's values (the state keeps them).

**Certificate.**  The factorized soft best-response residual of
:mod:`vsg_pyro.equilibria.nash.certificate`, ``max_i max |pi_i - softmax(log pi0_i + beta E Q_i)|``,
plus the effect of the evaluation's certified error ``e`` (``||V_i - V_i*||_inf <= e``): the
softmax is 1/2-Lipschitz from the sup norm to the sup norm, so the exact residual is at most
the computed one plus ``beta gamma e / 2``.  The result's exploitability is the exact
unregularised best response by sparse policy iteration
(:mod:`vsg_pyro.metrics.sparse_exploitability`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

import torch

from vsg_pyro.core.joint import expect_over_others, product_of_marginals
from vsg_pyro.core.protocol import Certificate, Run, StepInfo
from vsg_pyro.core.sparse_dp import SparseKernel
from vsg_pyro.equilibria.results import NashSolution
from vsg_pyro.games.sparse import SparseTabularGame
from vsg_pyro.metrics.sparse_exploitability import sparse_exploitability

__all__ = ["SparseVPGState", "Solver", "CERTIFICATE_NAME"]

CERTIFICATE_NAME = "soft best-response residual (factorized, sparse evaluation)"


class SparseVPGState(NamedTuple):
    """Per agent: normalised log-policies ``(S, A_i)`` and the soft values ``(S,)`` of the
    latest evaluation (a warm start only); the iteration count."""

    log_policies: tuple[torch.Tensor, ...]
    values: tuple[torch.Tensor, ...]
    iteration: int


class Solver:
    """VPG on a sparse game behind the solver protocol (module docstring).

    Args:
        game: a :class:`~vsg_pyro.games.sparse.SparseTabularGame`.
        init: ``"uniform"`` or ``"random"`` (standard-normal logits, seeded) initial policies.
        log_priors: per agent ``(S, A_i)`` log prior (uniform by default).
        certificate_tol: the certificate's threshold.
        evaluation_tol: the certified error of every policy evaluation, relative to the
            values' scale ``max(max |c|, max |r|) / (1 - gamma)`` (default 1e-11).
    """

    concept = "nash"
    method = "exact"
    family = "factorized"

    def __init__(self, game: SparseTabularGame, init: str = "uniform",
                 log_priors: Sequence[torch.Tensor] | None = None,
                 certificate_tol: float = 1e-6, evaluation_tol: float = 1e-11) -> None:
        if not isinstance(game, SparseTabularGame):
            raise TypeError(f"game: must be a SparseTabularGame, got {type(game).__name__}")
        if init not in ("uniform", "random"):
            raise ValueError(f"init: must be 'uniform' or 'random', got {init!r}")
        if not certificate_tol > 0 or not evaluation_tol > 0:
            raise ValueError(f"certificate_tol/evaluation_tol: must be > 0, got "
                             f"{certificate_tol}, {evaluation_tol}")
        self.game, self.init_kind = game, init
        self.n_agents = game.n_agents
        self.certificate_tol, self.evaluation_tol = float(certificate_tol), float(evaluation_tol)
        self.log_priors = self._priors(log_priors)
        self.kernel = SparseKernel(game.next_states, game.next_probs, game.gamma)
        self.evaluation_error = 0.0  # the largest certified evaluation error so far

    def _priors(self, log_priors: Sequence[torch.Tensor] | None) -> list[torch.Tensor]:
        g = self.game
        if log_priors is None:
            return [torch.full((g.n_states, a), -math.log(a), dtype=torch.float64)
                    for a in g.action_counts]
        if len(log_priors) != g.n_agents:
            raise ValueError(f"log_priors: need one per agent ({g.n_agents})")
        out = []
        for i, lp in enumerate(log_priors):
            lp = torch.as_tensor(lp, dtype=torch.float64)
            if tuple(lp.shape) != (g.n_states, g.action_counts[i]):
                raise ValueError(f"log_priors[{i}]: expected shape "
                                 f"({g.n_states}, {g.action_counts[i]}), got {tuple(lp.shape)}")
            out.append(torch.log_softmax(lp, -1))
        return out

    # ------------------------------------------------------------------ protocol
    def init(self, seed: int = 0) -> SparseVPGState:
        g = self.game
        gen = torch.Generator().manual_seed(seed)
        logs = []
        for a in g.action_counts:
            logits = torch.zeros(g.n_states, a, dtype=torch.float64)
            if self.init_kind == "random":
                logits = torch.randn(g.n_states, a, generator=gen, dtype=torch.float64)
            logs.append(torch.log_softmax(logits, -1))
        zeros = tuple(torch.zeros(g.n_states, dtype=torch.float64) for _ in logs)
        return SparseVPGState(tuple(logs), zeros, 0)

    def evaluate(self, state: SparseVPGState, beta: float
                 ) -> tuple[list[torch.Tensor], list[torch.Tensor], list[torch.Tensor], float]:
        """Per agent ``E_{a_-i} Q_i`` ``(S, A_i)``, the soft values ``V_i`` ``(S,)`` and the
        opponent models ``(S, *J)``, with the largest certified evaluation error."""
        g, n = self.game, self.n_agents
        policies = [lp.exp() for lp in state.log_policies]
        joint = product_of_marginals(policies)
        p_mu = self.kernel.matrix(joint)
        qbars, values, models, worst = [], [], [], 0.0
        for i, pi in enumerate(policies):
            model = product_of_marginals(policies, exclude=i)
            kl = (torch.special.xlogy(pi, pi) - pi * self.log_priors[i]).sum(-1)
            expected_r = (joint * g.rewards[i]).reshape(g.n_states, -1).sum(-1)
            c = expected_r - kl / beta
            # the values' scale (at least the rewards'; 1 for an all-zero problem)
            scale = max(float(c.abs().max()), g.reward_range) / (1.0 - g.gamma) or 1.0
            ev = self.kernel.solve(p_mu, c, state.values[i], self.evaluation_tol * scale)
            worst = max(worst, ev.error_bound)
            q = g.rewards[i] + g.gamma * self.kernel.expected_next(ev.values)
            qbars.append(expect_over_others(q, model, i, n))
            values.append(ev.values)
            models.append(model)
        return qbars, values, models, worst

    def _residual(self, state: SparseVPGState, qbars: list[torch.Tensor], beta: float,
                  error: float) -> float:
        worst = 0.0
        for log_pi, lp, qbar in zip(state.log_policies, self.log_priors, qbars, strict=True):
            br = torch.softmax(lp + beta * qbar, -1)
            worst = max(worst, (log_pi.exp() - br).abs().max().item())
        return worst + 0.5 * beta * self.game.gamma * error

    def step(self, state: SparseVPGState, beta: float, alpha: float
             ) -> tuple[SparseVPGState, StepInfo]:
        qbars, values, _models, error = self.evaluate(state, beta)
        self.evaluation_error = max(self.evaluation_error, error)
        new_logs = tuple(
            torch.log_softmax((1.0 - alpha) * log_pi + alpha * (lp + beta * qbar), -1)
            for log_pi, lp, qbar in zip(state.log_policies, self.log_priors, qbars, strict=True))
        change = max((a.exp() - b.exp()).abs().max().item()
                     for a, b in zip(new_logs, state.log_policies, strict=True))
        elbo = tuple(beta * float(self.game.initial @ v) for v in values)
        new = SparseVPGState(new_logs, tuple(values), state.iteration + 1)
        return new, StepInfo(change=change, elbo=elbo,
                             certificate=self._residual(state, qbars, beta, error))

    def certificate(self, state: SparseVPGState, beta: float) -> Certificate:
        qbars, _values, _models, error = self.evaluate(state, beta)
        return Certificate(CERTIFICATE_NAME, self._residual(state, qbars, beta, error),
                           self.certificate_tol)

    def result(self, state: SparseVPGState, run: Run, **fields) -> NashSolution:
        policies = [lp.exp() for lp in state.log_policies]
        return NashSolution(
            game=self.game.name, concept=self.concept, method=self.method, family=self.family,
            beta=run.beta, policies=policies,
            report=sparse_exploitability(self.game, policies, kernel=self.kernel),
            iterations=run.iterations, converged=run.converged, certificate=run.certificate,
            reason=run.reason, seconds=run.seconds, trace=run.trace, elbo=run.elbo,
            loss=[[] for _ in range(self.n_agents)], state=state, **fields)
