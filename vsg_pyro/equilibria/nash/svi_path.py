"""Logit-QRE path following on the Pyro programs (issue 13, item 3: the factorized family;
normal-form games, and finite-horizon and discounted stochastic games).

The branch is the same as :mod:`.path`'s, but its equations are the stationarity of every
agent's ELBO (eq. 3), computed on the agent's Pyro model
(:func:`~vsg_pyro.models.nash.nash_model`: opponents drawn from their policies, own action from
the prior, ``pyro.factor(beta * r_i)``) and its tabular guide
(:class:`~vsg_pyro.guides.TabularPolicyGuide`, factorized, exact opponent model) with the
enumerated ELBO (:class:`~vsg_pyro.infer.elbo.EnumeratedGuideELBO`, or any differentiable ELBO
instance):

    F_i(theta, beta) = d(-ELBO_i) / d theta_i = 0,

with ``theta_i`` agent ``i``'s policy logits, the first one pinned at 0 (softmax's gauge),
substituted into the guide's parameter by ``poutine.substitute``, and the opponents' policies
``softmax(theta_j)`` fed to agent ``i``'s model and guide *without* detaching, so that the
Jacobian ``dF/dz`` (by autograd through the ELBO) has the cross-agent terms.  ``F_i = pi_i
(A_i - E_pi A_i)`` with ``A_i = beta u_i + log pi0_i - log pi_i`` vanishes exactly at the logit
QRE, so both solvers trace one branch (tested to 1e-6).  The equations solved are
``F_i(a) / pi_i(a) - F_i(0) / pi_i(0)`` for ``a = 1..A_i-1`` (the gradient taken for every
logit, the pinned one included): ``A_i(a) - A_i(0)``, the same zero set, O(1) however
unlikely an action is.  Unscaled, the equations of unlikely actions shrink like ``pi_i(a)`` as
beta grows and Newton stalls (measured: a 10x10 game stuck at beta 5.08); scaled but compared
with ``E A_i`` instead of action 0's, the pinned action's equation vanishes when it is unlikely
and Newton finds spurious points (measured: logit residual 0.67 on 13 of 20 10x10 games).
The predictor, corrector, step-length control, events and certificate are
:class:`~vsg_pyro.equilibria.nash.path.Solver`'s.

**Stochastic games.**  The model is the one-step soft-Bellman program of every row (a state;
a finite horizon: a (stage, state) pair) under one ``pyro.plate``, whose factor ``beta
Q_i(row, a)`` (Definition 5.1, the action value of the current policies with their KL terms)
is given as ``W_i = beta Q_i`` (:mod:`.markov_path`: smooth at beta = 0, where ``Q_i``'s
``KL / beta`` is 0/0), i.e. ``NashInputs.q = W_i`` with ``NashInputs.beta = 1``.  ``W_i``
depends on ``z`` (every agent's policy, its own included, and beta) and is *not* detached:
the gradient is taken with respect to the logits the guide sees, while ``W_i`` and the
opponents' policies are computed from a second copy of them, so that ``F_i`` is the
stationarity of the ELBO at fixed action values (Prop. 5.2's fixed point, per row:
``A_i = Wbar_i + log pi0_i - log pi_i``) and its Jacobian still has every path through the
values.  The branch is :mod:`.markov_path`'s (tested to 1e-6 against it).

Shapes: ``z = (theta_1[:, 1:], ..., theta_N[:, 1:], beta)`` ``(R sum_i (A_i - 1) + 1,)``
with ``R`` rows (1 in a normal-form game), each agent's block row-major.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pyro
import torch
from pyro import poutine

from vsg_pyro.core.joint import product_of_marginals
from vsg_pyro.equilibria.nash import path
from vsg_pyro.equilibria.nash.markov_path import scaled_values
from vsg_pyro.equilibria.nash.path import PathState
from vsg_pyro.games.tabular import TabularGame
from vsg_pyro.guides.tabular import TabularPolicyGuide
from vsg_pyro.infer.elbo import EnumeratedGuideELBO
from vsg_pyro.models.nash import NashInputs, nash_model

__all__ = ["Solver"]


class Solver(path.Solver):
    """Path following with equations from the agents' ELBOs (module docstring).

    Args: those of :class:`~vsg_pyro.equilibria.nash.path.Solver`, and ``loss``: the ELBO
    instance (default :class:`~vsg_pyro.infer.elbo.EnumeratedGuideELBO`; it must be
    differentiable, e.g. ``TraceEnum_ELBO(max_plate_nesting=1)``)."""

    method = "svi-path"

    def __init__(self, game: TabularGame, log_priors: Sequence[torch.Tensor] | None = None,
                 certificate_tol: float = 1e-6, h0: float = 0.05,
                 loss: pyro.infer.ELBO | None = None,
                 corrector_tol: float = path.CORRECTOR_TOL) -> None:
        super().__init__(game, log_priors, certificate_tol, h0, corrector_tol)
        self.system = None  # the equations are the ELBO's (_h, _jacobian below)
        self.loss = loss or EnumeratedGuideELBO()
        self.rows = math.prod(game.row_shape) if self.markov else 1
        names = game.agent_names
        self.guides = [TabularPolicyGuide(names[i], i, game.action_counts, self.rows,
                                          "factorized", "exact") for i in range(game.n_agents)]
        # per agent (R, A_i): the log prior of every row (a state's repeated over stages)
        self.row_priors = [lp.expand(*game.row_shape, lp.shape[-1]).reshape(self.rows, -1)
                           if self.markov else lp.reshape(1, -1) for lp in self.state_priors]
        # a normal-form game's factor: beta r_i (stochastic games: _action_values)
        self.q = [] if self.markov else [game.rewards[i].reshape(1, *game.action_counts)
                                         for i in range(game.n_agents)]

    def _logits(self, z: torch.Tensor) -> list[torch.Tensor]:
        """Per agent ``(R, A_i)`` logits, the first of each row pinned at 0."""
        free = torch.split(z[:-1], [self.rows * (a - 1) for a in self.counts])
        return [torch.cat([torch.zeros(self.rows, 1, dtype=z.dtype), f.reshape(self.rows, -1)],
                          1) for f in free]

    def _action_values(self, logits: list[torch.Tensor], beta: torch.Tensor
                       ) -> tuple[list[torch.Tensor], torch.Tensor | float]:
        """Each agent's factor as ``(q_i (R, *J), beta)`` of ``pyro.factor(beta * q_i)``: the
        rewards and beta in a normal-form game; ``W_i = beta Q_i`` and 1 in a stochastic
        one (module docstring)."""
        if not self.markov:
            return self.q, beta
        lead = self.game.row_shape
        logs = [torch.log_softmax(t, -1).reshape(*lead, -1) for t in logits]
        pis = [torch.exp(v) for v in logs]
        joint = product_of_marginals(pis)
        out = []
        for i, (v, lp) in enumerate(zip(logs, self.state_priors, strict=True)):
            kl = (pis[i] * (v - lp)).sum(-1)  # (H?, S)
            w = scaled_values(self.game, i, joint, kl, beta)  # (H?, S, *J)
            out.append(w.reshape(self.rows, *self.game.action_counts))
        return out, 1.0

    def _h(self, z: torch.Tensor) -> torch.Tensor:
        if not z.requires_grad:
            z = z.detach().requires_grad_(True)
        logits = self._logits(z)  # what the guides see: the gradient's variables
        values_logits = self._logits(z)  # the same numbers, for the values and the opponents
        pis = [torch.softmax(t, -1) for t in values_logits]
        qs, beta = self._action_values(values_logits, z[-1])
        names = self.game.agent_names
        out = []
        for i, guide in enumerate(self.guides):
            others = tuple(pis[j] for j in range(self.n_agents) if j != i)
            inputs = NashInputs(
                agent=i, agent_names=names, action_counts=self.game.action_counts,  # type: ignore[arg-type]
                q=qs[i], opponent_policies=others, opponent_model=others,
                log_prior=self.row_priors[i], beta=beta, row_weights=None,  # type: ignore[arg-type]
                game=self.game, horizon_rows=self.game.row_shape)
            program = poutine.substitute(guide, data={guide.policy_param_name: logits[i]})
            loss = self.loss.differentiable_loss(nash_model, program, inputs)
            # d(-ELBO_i) / d theta_i(r, a) = -pi_i(a | r) (A_i(r, a) - E A_i(r, .)) for every
            # action a, the pinned one included; divided by pi_i(a | r) and differenced against
            # action 0: A_i(r, a) - A_i(r, 0), O(1) however unlikely an action is (the
            # natural-gradient scaling; unscaled, or against E A_i, the equations of unlikely
            # actions vanish)
            grad = torch.autograd.grad(loss, logits[i], create_graph=True)[0]
            scaled = grad / pis[i]
            out.append((scaled[:, 1:] - scaled[:, :1]).reshape(-1))
        return torch.cat(out)

    chord = True  # the Jacobian is autograd's, through the ELBO

    def _jacobian(self, z: torch.Tensor) -> torch.Tensor:
        return torch.autograd.functional.jacobian(self._h, z)

    def init(self, seed: int = 0) -> PathState:
        """The branch's start at beta = 0: the prior's logits (``seed`` is not used)."""
        free = [(lp[:, 1:] - lp[:, :1]).reshape(-1) for lp in self.row_priors]
        z = torch.cat([*free, torch.zeros(1, dtype=torch.float64)])
        return self._start(z, (torch.cat([p.reshape(-1) for p in self._probabilities(z)]),))

    def _probabilities(self, z: torch.Tensor) -> list[torch.Tensor]:
        """Per agent ``(R, A_i)`` probabilities."""
        return [torch.softmax(t, -1).detach() for t in self._logits(z.detach())]

    def step(self, state: PathState, beta: float, alpha: float):
        new, info = super().step(state, beta, alpha)
        if new.points and new is not state and len(new.points) > len(state.points):
            # the base class stores exp(z[:-1]); here z holds logits: store probabilities
            new = new._replace(points=(*state.points, torch.cat(
                [p.reshape(-1) for p in self._probabilities(new.z)])))
        return new, info

    def row_policies(self, state: PathState):
        return [p.numpy() for p in self._probabilities(state.z)]

    def policies(self, state: PathState) -> list[torch.Tensor]:
        lead = self.game.row_shape if self.markov else (1, 1)
        return [p.reshape(*lead, -1) for p in self._probabilities(state.z)]
