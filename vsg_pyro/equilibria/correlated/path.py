"""Correlated equilibrium by Newton and path following instead of the simultaneous dynamics
(issue 13, item 4): normal-form games, private recommendations, the factorized family.

The exact updates of :mod:`.exact` move the agents and the mediator together; on games whose
only correlated equilibria bind (rock-paper-scissors, Shapley's game) soft agents are
indifferent between obeying and deviating and the dynamics collapse to a signal-ignoring pure
profile (CE gap 1.0), and on some random games they cycle.  Here the two parts are solved one
after the other, each to its fixed point:

1. **The mediator.**  In a normal-form game the mediator's target does not depend on the
   agents' play: ``sigma* = argmax_{sigma in CE_kappa} E_sigma[W] + H(sigma) / beta_sigma``
   (:func:`~vsg_pyro.equilibria.correlated.mediator.project_signal`, with the obedience margin
   ``kappa(beta)`` of :func:`~vsg_pyro.equilibria.correlated.mediator.obedience_margin`), the
   fixed point of the mediator's step whatever the agents do.
2. **The agents.**  Given ``sigma*``, the agents' fixed point of eq. (4) on the augmented rows
   is a soft (logit) Bayes-Nash equilibrium: ``pi_i(. | r) = softmax(log pi0_i + beta
   E[r_i(., a_-i) | omega_i = r])``.  It is the logit QRE of the *agent normal form*, a
   normal-form game whose players are the pairs ``(i, r)`` (agent, recommendation) with payoff

       U_(i,r)(a) = sum_{omega: omega_i = r} sigma*(omega | r) r_i(a_(i,r), (a_(j, omega_j))_j),

   ``sigma*(omega | r) = sigma*(omega) / P(omega_i = r)``.  Newton (:meth:`~vsg_pyro.equilibria.
   nash.path.Solver.newton_at_beta`) starts from the soft best response to obedience, the
   equilibrium the margin makes strict; if it does not converge (or the margin is 0), the
   principal branch of the agent normal form is followed from beta = 0
   (:class:`~vsg_pyro.equilibria.nash.path.Solver`, pseudo-arclength).

The certificate is the exact solver's: the induced joint's CE gap within ``log max|A_i| /
beta`` (a soft best response per recommendation loses at most that; a deviation by action is
one by recommendation).

Shapes: ``sigma`` ``(W,)`` over joint recommendations (C order over ``J = (A_1, .., A_N)``);
agent-normal-form payoffs ``(P, A_(1,1), ..., A_(N,A_N))`` with ``P = sum_i A_i`` players,
agents' types in order; per agent policies ``(1, A_i, A_i)`` (row, recommendation, action).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import NamedTuple

import torch

from vsg_pyro.core.protocol import StepInfo
from vsg_pyro.equilibria.correlated import exact
from vsg_pyro.equilibria.correlated.mediator import MediatorSettings, mediator_scores
from vsg_pyro.equilibria.correlated.signals import (
    SignalStructure,
    play_tensor,
    signal_conditioned,
)
from vsg_pyro.equilibria.correlated.state import (
    CorrelatedState,
    largest_change,
    state_change,
)
from vsg_pyro.equilibria.nash import path as nash_path
from vsg_pyro.games.normal_form import normal_form_game
from vsg_pyro.games.tabular import TabularGame

__all__ = ["AgentForm", "agent_form_payoffs", "soft_bayes_nash", "Solver", "MAX_ENTRIES"]

#: The largest agent-normal-form payoff tensor built (entries over all players).
MAX_ENTRIES = 20_000_000


def agent_form_payoffs(game: TabularGame, sigma: torch.Tensor) -> torch.Tensor:
    """The agent normal form's payoffs ``(P, *A_p)`` given the recommendation distribution
    ``sigma`` ``(W,)`` (module docstring); a recommendation never sent gets payoff 0."""
    counts = list(game.action_counts)
    n = len(counts)
    starts = [sum(counts[:i]) for i in range(n)]
    players = sum(counts)
    shape = [counts[i] for i in range(n) for _ in range(counts[i])]
    entries = players * math.prod(shape)
    if entries > MAX_ENTRIES:
        raise ValueError(f"method='path' (correlated): the agent normal form has {players} "
                         f"players and {entries:,} payoff entries (limit {MAX_ENTRIES:,}); use "
                         "method='exact' or 'svi'")
    rewards = game.rewards.reshape(n, *counts)
    joint = sigma.reshape(counts)
    out = torch.zeros(players, *shape, dtype=torch.float64)
    for i in range(n):
        others = [j for j in range(n) if j != i]
        marginal = joint.sum(others) if others else joint  # P(omega_i = r)
        for omega in itertools.product(*map(range, counts)):  # C order
            weight = float(joint[omega])
            r = omega[i]
            if weight == 0.0 or float(marginal[r]) == 0.0:
                continue
            view = [1] * players
            for j in range(n):
                view[starts[j] + omega[j]] = counts[j]
            out[starts[i] + r] += (weight / float(marginal[r])) * rewards[i].reshape(view)
    return out


class AgentForm(NamedTuple):
    """The agents' soft Bayes-Nash equilibrium given ``sigma``: per agent ``policies``
    ``(A_i, A_i)`` (recommendation, action), the logit ``residual`` of the agent normal form,
    and ``how`` it was found (``"newton from obedience"`` or ``"branch from beta 0"``)."""

    policies: list[torch.Tensor]
    residual: float
    how: str


def soft_bayes_nash(game: TabularGame, sigma: torch.Tensor, beta: float,
                    log_priors: Sequence[torch.Tensor] | None = None) -> AgentForm:
    """The agents' fixed point given ``sigma`` (module docstring, step 2)."""
    counts = list(game.action_counts)
    payoffs = agent_form_payoffs(game, sigma)
    form = normal_form_game(payoffs, f"agent form of {game.name}")
    priors = [torch.zeros(c, dtype=torch.float64) - math.log(c) for c in counts] \
        if log_priors is None else [torch.as_tensor(lp, dtype=torch.float64).reshape(-1)
                                    for lp in log_priors]
    type_priors = [priors[i] for i in range(len(counts)) for _ in range(counts[i])]
    solver = nash_path.Solver(form, [lp.reshape(1, -1) for lp in type_priors])
    # The soft best response of every type to obedient others (payoffs at the recommendation
    # profile where every other type plays its own recommendation).
    obedient = [torch.nn.functional.one_hot(torch.tensor(r), counts[i]).to(torch.float64)
                for i in range(len(counts)) for r in range(counts[i])]
    start = [torch.log_softmax(lp + beta * nash_path.expected_payoffs(solver.payoffs, obedient,
                                                                       p), 0)
             for p, lp in enumerate(type_priors)]
    z = solver.newton_at_beta(torch.cat([*start, torch.tensor([beta], dtype=torch.float64)]),
                              beta)
    how = "newton from obedience"
    if z is None:
        state = solver.init()
        while not (state.done and float(state.z[-1]) == beta):
            state, _ = solver.step(state, beta, nash_path.MAX_STEP)
            if state.events and state.events[-1][0] == "step collapsed":
                raise RuntimeError(f"the agent normal form's branch collapsed at beta "
                                   f"{state.events[-1][1]:.6g}")
        z, how = state.z, "branch from beta 0"
    pis = list(torch.split(torch.exp(z[:-1]), [c for c in counts for _ in range(c)]))
    pis = [p / p.sum() for p in pis]
    residual = nash_path.logit_residual(solver.payoffs, solver.log_priors, pis, beta)
    starts = [sum(counts[:i]) for i in range(len(counts))]
    policies = [torch.stack(pis[s:s + c]) for s, c in zip(starts, counts, strict=True)]
    return AgentForm(policies, residual, how)


class Solver(exact.Solver):
    """The correlated equilibrium of a normal-form game by the mediator's projection and the
    agents' soft Bayes-Nash equilibrium (module docstring), behind the solver protocol: one
    ``step`` solves both at the requested beta (``alpha`` is not used); the certificate and
    the result are :class:`~vsg_pyro.equilibria.correlated.exact.Solver`'s."""

    method = "path"

    def __init__(self, game: TabularGame, structure: SignalStructure,
                 log_priors: Sequence[torch.Tensor] | None = None,
                 mediator: MediatorSettings | None = None, certificate_tol: float = 1e-9
                 ) -> None:
        if not game.is_normal_form:
            raise ValueError("method='path' (correlated): normal-form games only (stochastic "
                             "games: method='exact' or 'svi')")
        if structure.kind != "private":
            raise ValueError("method='path' (correlated): private recommendations only "
                             "(signal='private')")
        super().__init__(game, structure, "factorized", "obedient", log_priors, mediator, 0,
                         certificate_tol=certificate_tol)
        self.how = ""

    def step(self, state: CorrelatedState, beta: float,
             alpha: float) -> tuple[CorrelatedState, StepInfo]:
        n = self.n_agents
        q = self.game.rewards.reshape(n, 1, *self.game.action_counts)
        scores, multipliers = mediator_scores(self.structure, state.log_signal.exp(), [], q,
                                              state.multipliers, self.mediator, beta,
                                              self._cache)
        log_sigma = torch.log_softmax(self.mediator.beta * scores, -1)  # (1, W)
        form = soft_bayes_nash(self.game, log_sigma.exp().reshape(-1), beta, self.log_priors)
        self.how = form.how
        logs = tuple(torch.log(p).unsqueeze(0) for p in form.policies)  # (1, A_i, A_i)
        sigma = log_sigma.exp()
        executed = [p.unsqueeze(0) for p in form.policies]
        models = tuple(signal_conditioned(self.structure, i,
                                          play_tensor(self.structure, sigma, executed, i), sigma)
                       for i in range(n))
        new = CorrelatedState(logs, models, log_sigma, multipliers, state.iteration + 1)
        return new, StepInfo(change=largest_change(state_change(self.structure, new, state)))
