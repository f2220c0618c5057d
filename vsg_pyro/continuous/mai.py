"""Multi-agent Inference (MAI, Algorithm 2): variational actor-critic for continuous actions.

Every agent ``i`` keeps, named after itself (so all agents share one param store):

* the guide ``rho_phi(a_-i | s) pi_theta(a_i | s, a_-i)``
  (:class:`~vsg_pyro.guides.neural.ContinuousAgentGuide`);
* a soft critic ``Q_omega(s, a_i, a_-i)`` and a target copy (Polyak averaging, rate ``tau``);
* an opponent model ``P(a_-i | s)`` (the prior of the opponents' actions in the model), fitted
  by maximum likelihood to the replay buffer (``opponent="behaviour-cloning"``) or, as
  Algorithm 2 says, by Algorithm 3 (``opponent="reward-inference"``: an inferred objective of
  the opponents by eqs. 6-7 and eq. 5's soft-optimal model under it,
  :mod:`vsg_pyro.continuous.opponent_inference`).

One environment step: each agent samples ``a_-i ~ rho_phi(. | s)`` and ``a_i ~ pi_theta(. | s,
a_-i)`` (Algorithm 2) and the joint action is executed.  Then, every ``update_every`` steps,
per agent and for ``updates_per_step`` batches from the buffer:

1. critic, eq. (9): regress ``Q_omega(s, a)`` on ``r_i + gamma (1 - done) V'(s')`` with
   ``V'(s') = Q_target(s', a'_i, a'_-i) - (1/beta) [log pi(a'_i | s', a'_-i) + log rho(a'_-i | s')
   - log P(a'_-i | s')]``, ``a'_-i ~ rho``, ``a'_i ~ pi``;
2. ``P``: one maximum-likelihood step on the observed opponents' actions, or one step of
   eqs. (6)-(7) on the opponents' energy and one step of ``P`` towards eq. (5)'s model;
3. actor and opponent model, eqs. (8) and (10): one ``Trace_ELBO`` SVI step on
   :func:`~vsg_pyro.models.continuous.continuous_agent_model` over the batch's states.

``beta`` follows a schedule over episodes (geometric from ``beta_start`` to ``beta_end`` over
``anneal_episodes``).  :func:`train_mai` returns per-episode metrics; the mean reward of the
*deterministic* joint action (each guide's mode: ``rho``'s mode for ``a_-i``, then ``pi``'s
mode) is reported as ``eval_reward`` besides the sampled episode reward.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field

import pyro
import torch
from pyro.infer import SVI, Trace_ELBO

from vsg_pyro.continuous.episode_loop import run_episodes
from vsg_pyro.continuous.opponent_inference import OpponentEnergy
from vsg_pyro.continuous.transition_buffer import TransitionBatch
from vsg_pyro.core.schedules import geometric_beta
from vsg_pyro.games.continuous_base import ContinuousGame
from vsg_pyro.guides.neural import (
    ConditionalPolicy,
    ContinuousAgentGuide,
    OpponentModel,
    mlp,
    squashed_mode,
)
from vsg_pyro.models.continuous import ContinuousInputs, continuous_agent_model

__all__ = ["MAIConfig", "MAIAgent", "MAIResult", "train_mai", "deterministic_actions",
           "OPPONENT_METHODS"]

OPPONENT_METHODS: tuple[str, ...] = ("behaviour-cloning", "reward-inference")
"""How MAI fits its opponent prior ``P(a_-i | s)``: maximum likelihood on the observed actions,
or Algorithm 3 (an inferred objective, eqs. 6-7, and eq. 5's soft-optimal model under it,
:mod:`vsg_pyro.continuous.opponent_inference`)."""


@dataclass
class MAIConfig:
    """Hyper-parameters of :func:`train_mai` (defaults: the differential-game setting).
    ``opponent``: one of :data:`OPPONENT_METHODS`; ``opponent_samples``: the importance
    samples of eq. (7) (``"reward-inference"``)."""

    episodes: int = 200
    beta_start: float = 0.1
    beta_end: float = 1.0
    anneal_episodes: int = 100
    gamma: float = 0.0
    batch_size: int = 128
    buffer_size: int = 100_000
    updates_per_step: int = 1
    update_every: int = 1
    learning_starts: int = 64
    actor_lr: float = 3e-3
    critic_lr: float = 3e-3
    prior_lr: float = 3e-3
    tau: float = 0.05
    hidden: tuple[int, ...] = (64, 64)
    seed: int = 0
    opponent: str = "behaviour-cloning"
    opponent_samples: int = 16

    def __post_init__(self) -> None:
        for name in ("episodes", "batch_size", "buffer_size", "updates_per_step", "update_every"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name}: must be >= 1, got {getattr(self, name)}")
        if not (self.beta_start > 0 and self.beta_end > 0):
            raise ValueError("beta_start, beta_end: must be > 0")
        if not 0 <= self.gamma < 1:
            raise ValueError(f"gamma: must lie in [0, 1), got {self.gamma}")
        if not 0 < self.tau <= 1:
            raise ValueError(f"tau: must lie in (0, 1], got {self.tau}")
        if self.opponent not in OPPONENT_METHODS:
            raise ValueError(f"opponent: must be one of {OPPONENT_METHODS}, got "
                             f"{self.opponent!r}")
        if self.opponent_samples < 1:
            raise ValueError(f"opponent_samples: must be >= 1, got {self.opponent_samples}")
        self.hidden = tuple(self.hidden)

    def beta_schedule(self) -> Callable[[int], float]:
        """``beta`` per episode: geometric from ``beta_start`` to ``beta_end`` over
        ``anneal_episodes``, then constant (constant ``beta_end`` without annealing)."""
        if self.anneal_episodes < 1 or self.beta_start == self.beta_end:
            return lambda _episode: float(self.beta_end)
        return geometric_beta(self.beta_start, self.beta_end, self.anneal_episodes)


class MAIAgent:
    """Agent ``index``'s networks, optimisers and updates (module docstring)."""

    def __init__(self, game: ContinuousGame, index: int, config: MAIConfig) -> None:
        self.game, self.index, self.config = game, index, config
        self.name = f"agent{index}"
        store = pyro.get_param_store()  # a fresh start: drop this agent's networks of earlier runs
        for key in [k for k in store.keys() if k.startswith(f"{self.name}/guide.")
                    or k.startswith(f"{self.name}/prior.")]:
            del store[key]
        dims = game.action_dims
        self.own = slice(sum(dims[:index]), sum(dims[: index + 1]))
        self.others_idx = [k for k in range(sum(dims)) if not self.own.start <= k < self.own.stop]
        own_dim, others_dim, s_dim = dims[index], sum(dims) - dims[index], game.state_dim
        lows = [game.lows[j] for j in range(game.n_agents) if j != index]
        highs = [game.highs[j] for j in range(game.n_agents) if j != index]
        self.low, self.high = game.lows[index].float(), game.highs[index].float()
        o_low, o_high = torch.cat(lows).float(), torch.cat(highs).float()
        self.policy = ConditionalPolicy(s_dim, own_dim, others_dim, self.low, self.high, config.hidden)
        self.opponent = OpponentModel(s_dim, others_dim, o_low, o_high, config.hidden)
        self.prior = OpponentModel(s_dim, others_dim, o_low, o_high, config.hidden,
                                   name=f"{self.name}/prior")
        self.guide = ContinuousAgentGuide(self.name, self.policy, self.opponent)
        self.critic = mlp([s_dim + sum(dims), *config.hidden, 1])
        self.critic_target = copy.deepcopy(self.critic)
        for p in self.critic_target.parameters():
            p.requires_grad_(False)
        self.critic_optim = torch.optim.Adam(self.critic.parameters(), lr=config.critic_lr)
        self.prior_optim = torch.optim.Adam(self.prior.parameters(), lr=config.prior_lr)
        self.energy = None
        if config.opponent == "reward-inference":
            self.energy = OpponentEnergy(s_dim, others_dim, own_dim, o_low, o_high,
                                         config.hidden, config.opponent_samples)
            self.energy_optim = torch.optim.Adam(self.energy.parameters(), lr=config.prior_lr)
        self.svi = SVI(continuous_agent_model, self.guide,
                       pyro.optim.Adam({"lr": config.actor_lr}), loss=Trace_ELBO())

    def state_dict(self) -> dict:
        """Every network's parameters (for checkpoints)."""
        out = {"policy": self.policy.state_dict(), "opponent": self.opponent.state_dict(),
               "prior": self.prior.state_dict(), "critic": self.critic.state_dict(),
               "critic_target": self.critic_target.state_dict()}
        if self.energy is not None:
            out["opponent_energy"] = self.energy.state_dict()
        return out

    # ------------------------------------------------------------------ pieces
    def q(self, states: torch.Tensor, own: torch.Tensor, others: torch.Tensor,
          target: bool = False) -> torch.Tensor:
        """``Q_omega(s, a_i, a_-i)`` ``(B,)``."""
        net = self.critic_target if target else self.critic
        return net(torch.cat([states, own, others], -1)).squeeze(-1)

    def act(self, state: torch.Tensor) -> torch.Tensor:
        """Algorithm 2: ``a_-i ~ rho(. | s)``, then ``a_i ~ pi(. | s, a_-i)``: ``(own_dim,)``."""
        with torch.no_grad():
            s = state.reshape(1, -1).float()
            others = self.opponent(s).sample()
            return self.policy(s, others).sample()[0]

    def mode(self, state: torch.Tensor) -> torch.Tensor:
        """The deterministic action: ``rho``'s mode for ``a_-i``, then ``pi``'s mode."""
        with torch.no_grad():
            s = state.reshape(1, -1).float()
            others = squashed_mode(self.opponent(s))
            return squashed_mode(self.policy(s, others))[0]

    def inputs(self, states: torch.Tensor, beta: float) -> ContinuousInputs:
        """The inputs of :func:`~vsg_pyro.models.continuous.continuous_agent_model` for
        ``states`` ``(B, state_dim)``: this agent's critic, opponent prior and action box."""
        return ContinuousInputs(self.name, states, self.q, self.prior, self.low, self.high, beta)

    # ------------------------------------------------------------------ updates
    def update(self, batch: TransitionBatch, beta: float) -> dict:
        """Steps 1-3 of the module docstring on ``batch``; returns the critic loss, the prior's
        negative log-likelihood and the ELBO loss per state."""
        cfg = self.config
        own, others = batch.actions[:, self.own], batch.actions[:, self.others_idx]
        # 1. critic, eq. (9)
        target = batch.rewards[:, self.index]
        if cfg.gamma > 0:
            with torch.no_grad():
                rho = self.opponent(batch.next_states)
                o2 = rho.sample()
                pi = self.policy(batch.next_states, o2)
                a2 = pi.sample()
                v2 = self.q(batch.next_states, a2, o2, target=True) - (
                    pi.log_prob(a2) + rho.log_prob(o2) - self.prior(batch.next_states).log_prob(o2)
                ) / beta
                target = target + cfg.gamma * (1 - batch.done) * v2
        critic_loss = ((self.q(batch.states, own, others) - target) ** 2).mean()
        self.critic_optim.zero_grad()
        critic_loss.backward()
        self.critic_optim.step()
        with torch.no_grad():
            for p, t in zip(self.critic.parameters(), self.critic_target.parameters(), strict=True):
                t.mul_(1 - cfg.tau).add_(cfg.tau * p)
        # 2. the opponent prior P(a_-i | s): maximum likelihood on the observed actions, or
        #    Algorithm 3: the energy by eqs. (6)-(7), then P towards eq. (5)'s model under it
        if self.energy is None:
            prior_loss = -self.prior(batch.states).log_prob(others).mean()
        else:
            energy_loss = self.energy.loss(batch.states, others, own, beta, self.prior)
            self.energy_optim.zero_grad()
            energy_loss.backward()
            self.energy_optim.step()
            prior_loss = self.energy.prior_loss(self.prior, batch.states, own, beta)
        self.prior_optim.zero_grad()
        prior_loss.backward()
        self.prior_optim.step()
        # 3. actor + opponent model: one SVI step (eqs. 8, 10)
        for p in self.critic.parameters():
            p.requires_grad_(False)
        try:
            elbo_loss = self.svi.step(self.inputs(batch.states, beta)) / batch.states.shape[0]
        finally:
            for p in self.critic.parameters():
                p.requires_grad_(True)
        return {"critic_loss": critic_loss.item(), "prior_nll": prior_loss.item(),
                "actor_loss": float(elbo_loss)}


def deterministic_actions(agents: Sequence[MAIAgent], state: torch.Tensor) -> list[torch.Tensor]:
    """Every agent's deterministic action (:meth:`MAIAgent.mode`) in ``state``."""
    return [a.mode(state) for a in agents]


@dataclass
class MAIResult:
    """Per-episode ``metrics`` (``episode, beta, reward, eval_reward, critic_loss, actor_loss,
    seconds``), the trained ``agents`` and the ``config``."""

    metrics: list[dict]
    agents: list[MAIAgent]
    config: MAIConfig
    seconds: float = 0.0
    extra: dict = field(default_factory=dict)

    @property
    def final_eval_reward(self) -> float:
        """The last episode's reward of the deterministic joint action."""
        return self.metrics[-1]["eval_reward"]


def train_mai(
    game: ContinuousGame,
    config: MAIConfig | None = None,
    callback: Callable[[dict, list], None] | None = None,
) -> MAIResult:
    """Algorithm 2 on ``game`` (module docstring).  ``callback(metrics, agents)`` after each
    episode (e.g. to checkpoint)."""
    config = config or MAIConfig()
    pyro.set_rng_seed(config.seed)
    agents = [MAIAgent(game, i, config) for i in range(game.n_agents)]

    def update(batch, beta: float) -> dict:
        out = [a.update(batch, beta) for a in agents]
        return {key: sum(d[key] for d in out) / len(out) for key in ("critic_loss", "actor_loss")}

    metrics, seconds = run_episodes(
        game, config, agents, lambda s: [a.act(s) for a in agents], update,
        lambda s: deterministic_actions(agents, s), torch.Generator().manual_seed(config.seed),
        callback)
    return MAIResult(metrics, agents, config, seconds, {"config": asdict(config)})
