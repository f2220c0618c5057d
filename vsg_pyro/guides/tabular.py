"""Tabular softmax guide: agent i's policy and opponent model (the paper's variational family).

``q(a_-i, a_i | s) = p(a_-i | s) pi_i(a_i | s, a_-i)`` with ``p(a_-i | s) = prod_j p_j(a_j | s)``
(§4, below eq. 2).  Parameters (names carry the agent's name, so several agents share one param
store):

* ``"{agent}/policy_logits"``: ``(M, A_1, ..., A_N)`` (conditional, normalised along the agent's
  own axis) or ``(M, A_i)`` (factorized), ``M`` = rows of :class:`~vsg_pyro.models.NashInputs`;
* ``"{agent}/opponent_logits/{other}"``: ``(M, A_j)``, only in the ``optimistic`` mode.

Opponent-model modes:

* ``exact``: ``p_j`` = the others' executed policies (``inputs.opponent_model``), fixed;
* ``optimistic``: ``p_j`` is a free guide parameter.  Maximising the joint ELBO over it gives
  ``p ∝ pi_-i exp(beta Q)``-like *optimistic* opponents (control-as-inference optimism, as in
  ROMMEO), not the real opponents' behaviour;
* ``external``: ``p_j`` is supplied by another component (an opponent-modelling module) through
  ``inputs.opponent_model``; identical to ``exact`` inside the guide, different in the driver.

Every call records, detached, the probability of each parameter cell under the guide (the
diagonal Fisher preconditioner of
:class:`~vsg_pyro.infer.natural_gradient.TabularNaturalGradient`); SVI runs the
guide before the optimiser step, so the preconditioner is the pre-step snapshot.
"""

from __future__ import annotations

import pyro
import pyro.distributions as dist
import torch
from pyro import poutine
from pyro.ops.indexing import Vindex

from vsg_pyro.core.joint import agent_view, joint_axis
from vsg_pyro.infer.guide_tables import GuideTables
from vsg_pyro.models.nash import NashInputs, action_site, opponent_site, plate_name, state_site

__all__ = ["OPPONENT_MODES", "TabularPolicyGuide"]

OPPONENT_MODES: tuple[str, ...] = ("exact", "optimistic", "external")
_ENUM = {"enumerate": "parallel"}


class TabularPolicyGuide:
    """Agent ``agent_name``'s tabular guide (a plain callable taking :class:`NashInputs`).

    Args:
        agent_name: the agent's name (prefix of every parameter and site).
        agent: the agent's index; ``action_counts``: ``(A_1, ..., A_N)``; ``rows``: ``M``.
        family: ``"conditional"`` or ``"factorized"``.
        opponent_mode: one of :data:`OPPONENT_MODES`.
        init_logits: optional initial policy logits of the family's shape.
    """

    def __init__(
        self,
        agent_name: str,
        agent: int,
        action_counts: tuple[int, ...],
        rows: int,
        family: str = "conditional",
        opponent_mode: str = "exact",
        init_logits: torch.Tensor | None = None,
    ) -> None:
        if family not in ("conditional", "factorized"):
            raise ValueError(f"family: must be 'conditional' or 'factorized', got {family!r}")
        if opponent_mode not in OPPONENT_MODES:
            raise ValueError(f"opponent_mode: must be one of {OPPONENT_MODES}, got {opponent_mode!r}")
        self.agent_name = agent_name
        self.agent = agent
        self.action_counts = tuple(action_counts)
        self.rows = rows
        self.family = family
        self.opponent_mode = opponent_mode
        shape = (rows, *action_counts) if family == "conditional" else (rows, action_counts[agent])
        if init_logits is None:
            init_logits = torch.zeros(shape, dtype=torch.float64)
        elif tuple(init_logits.shape) != shape:
            raise ValueError(f"init_logits: expected shape {shape}, got {tuple(init_logits.shape)}")
        self._init_logits = init_logits.detach().clone()
        self._fisher: dict[str, torch.Tensor] = {}

    # ------------------------------------------------------------------ parameters
    @property
    def policy_param_name(self) -> str:
        return f"{self.agent_name}/policy_logits"

    def opponent_param_name(self, other_name: str) -> str:
        return f"{self.agent_name}/opponent_logits/{other_name}"

    def param_names(self, agent_names: tuple[str, ...]) -> list[str]:
        names = [self.policy_param_name]
        if self.opponent_mode == "optimistic":
            names += [self.opponent_param_name(o) for k, o in enumerate(agent_names)
                      if k != self.agent]
        return names

    def _policy_axis(self) -> int:
        n = len(self.action_counts)
        return joint_axis(self.agent, n) if self.family == "conditional" else -1

    def policy_logits(self) -> torch.Tensor:
        return pyro.param(self.policy_param_name, self._init_logits.clone())

    def policy_probs(self) -> torch.Tensor:
        """``pi_i``: ``(M, *J)`` (conditional) or ``(M, A_i)`` (factorized), detached."""
        return torch.softmax(self.policy_logits().detach(), dim=self._policy_axis())

    def opponent_probs(self, inputs: NashInputs) -> list[torch.Tensor]:
        """``p_j(a_j | s)`` per opponent ``(M, A_j)``."""
        if self.opponent_mode != "optimistic":
            return list(inputs.opponent_model)
        out = []
        for k, j in enumerate(inputs.others):
            init = torch.log(inputs.opponent_policies[k].clamp_min(1e-12)).detach().clone()
            logits = pyro.param(self.opponent_param_name(inputs.agent_names[j]), init)
            out.append(torch.softmax(logits, -1))
        return out

    def tables(self, inputs: NashInputs) -> GuideTables:
        """Fast path of :func:`~vsg_pyro.infer.guide_tables.guide_tables` (same result): the policy
        ``(M, *J)`` and opponent marginals, read from the parameters without tracing."""
        n = len(self.action_counts)
        with torch.no_grad():
            pi = self.policy_probs()
            if self.family == "factorized":
                pi = agent_view(pi, self.agent, n).expand(inputs.rows, *self.action_counts)
            opp = tuple(p.detach() for p in self.opponent_probs(inputs))
        return GuideTables(pi.contiguous(), opp)

    def fisher_diagonal(self, param_name: str) -> torch.Tensor:
        """Probability of each cell of ``param_name`` under the guide at its last call."""
        if param_name not in self._fisher:
            raise KeyError(f"{param_name!r}: the guide has not been run yet")
        return self._fisher[param_name]

    # ------------------------------------------------------------------ the program
    def __call__(self, inputs: NashInputs) -> None:
        name = inputs.name
        if name != self.agent_name:
            raise ValueError(f"inputs: for agent {name!r}, but this guide is {self.agent_name!r}")
        logits = self.policy_logits()
        opp = self.opponent_probs(inputs)
        scale = 1.0 if inputs.row_weights is None else inputs.row_weights
        rows = torch.arange(inputs.rows)
        with pyro.plate(plate_name(name), inputs.rows), poutine.scale(scale=scale):
            acts: dict[int, torch.Tensor] = {}
            for k, j in enumerate(inputs.others):
                acts[j] = pyro.sample(opponent_site(name, inputs.agent_names[j]),
                                      dist.Categorical(probs=opp[k]), infer=_ENUM)
            if self.family == "conditional":
                index = [acts.get(j, slice(None)) for j in range(len(self.action_counts))]
                own_logits = Vindex(logits)[(rows, *index)]
            else:
                own_logits = logits
            pyro.sample(action_site(name), dist.Categorical(logits=own_logits), infer=_ENUM)
        self._record_fisher(inputs, logits.detach(), [p.detach() for p in opp])

    def trajectory(self, inputs: NashInputs) -> None:
        """Guide for :func:`~vsg_pyro.models.nash.nash_trajectory_model` (finite horizon):
        states follow the game's dynamics (as in the model, so their KL is zero), opponents
        ``p(. | t, s_t)``, own action ``pi_i(. | t, s_t, a_-i)``; rows are (t, s) time-major."""
        game = inputs.game
        name, n_states = inputs.name, game.n_states  # type: ignore[attr-defined]
        logits = self.policy_logits()
        opp = self.opponent_probs(inputs)
        state = pyro.sample(state_site(name, 0), dist.Categorical(probs=game.initial),  # type: ignore[attr-defined]
                            infer=_ENUM)
        for t in range(game.horizon):  # type: ignore[attr-defined]
            row = t * n_states + state
            acts: dict[int, torch.Tensor] = {}
            for k, j in enumerate(inputs.others):
                acts[j] = pyro.sample(f"{opponent_site(name, inputs.agent_names[j])}_{t}",
                                      dist.Categorical(probs=Vindex(opp[k])[row, :]), infer=_ENUM)
            if self.family == "conditional":
                index = [acts.get(j, slice(None)) for j in range(len(self.action_counts))]
                own_logits = Vindex(logits)[(row, *index)]
            else:
                own_logits = Vindex(logits)[row, :]
            own = pyro.sample(f"{action_site(name)}_{t}", dist.Categorical(logits=own_logits),
                              infer=_ENUM)
            if t + 1 < game.horizon:  # type: ignore[attr-defined]
                joint = [own if j == inputs.agent else acts[j] for j in range(len(self.action_counts))]
                nxt = Vindex(game.transitions)[(state, *joint, slice(None))]  # type: ignore[attr-defined]
                state = pyro.sample(state_site(name, t + 1), dist.Categorical(probs=nxt),
                                    infer=_ENUM)

    def _record_fisher(
        self, inputs: NashInputs, logits: torch.Tensor, opp: list[torch.Tensor]
    ) -> None:
        n = len(self.action_counts)
        w = torch.ones(inputs.rows, dtype=torch.float64)
        if inputs.row_weights is not None:
            w = w * inputs.row_weights
        pi = torch.softmax(logits, dim=self._policy_axis())
        if self.family == "conditional":
            joint = pi * w.reshape(-1, *([1] * n))
            for k, j in enumerate(inputs.others):
                joint = joint * agent_view(opp[k], j, n)
            self._fisher[self.policy_param_name] = joint
        else:
            self._fisher[self.policy_param_name] = pi * w[:, None]
        if self.opponent_mode == "optimistic":
            for k, j in enumerate(inputs.others):
                self._fisher[self.opponent_param_name(inputs.agent_names[j])] = opp[k] * w[:, None]
