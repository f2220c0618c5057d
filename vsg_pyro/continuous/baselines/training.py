"""Training the baselines for MAI in the same harness (the paper's Figure 2): independent DDPG,
MADDPG and a MASQL-style ablation.  Plain torch (they are not inference programs); same replay
buffer, episodes, batch sizes and metrics as :func:`vsg_pyro.continuous.mai.train_mai`.

* ``"ddpg"`` (:mod:`.ddpg`, independent DDPG, Lillicrap et al. 2016): a deterministic actor
  ``mu_i(s)`` and a critic ``Q_i(s, a_i)`` of the agent's own action only; Gaussian
  exploration noise.
* ``"maddpg"`` (:mod:`.maddpg`, Lowe et al. 2017): the same actors with a centralised critic
  ``Q_i(s, a_1, ..., a_N)``; the actor gradient uses the other agents' actions from the batch,
  the critic target the target actors' actions.
* ``"masql"`` (:mod:`.masql`): soft actor-critic with a centralised critic and an
  *unconditional* stochastic policy ``pi_i(a_i | s)``, and no opponent model (``a_-i`` from the
  batch), under the same ``beta`` schedule as MAI.  This is the paper's reading of MASQL as
  "MAI without opponent modelling", not Wei et al.'s SVGD sampler.

With ``gamma > 0`` every critic bootstraps from the target actors' deterministic actions, with
no entropy term (for ``masql`` not a soft target); the paper's two experiments use
``gamma = 0``.

Shapes: states ``(B, state_dim)``, joint actions ``(B, sum_i d_i)``.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from vsg_pyro.continuous.baselines.agent import BaselineAgent, soft_update
from vsg_pyro.continuous.baselines.config import BaselineConfig
from vsg_pyro.continuous.baselines.ddpg import DDPGAgent
from vsg_pyro.continuous.baselines.maddpg import MADDPGAgent
from vsg_pyro.continuous.baselines.masql import MASQLAgent
from vsg_pyro.continuous.episode_loop import run_episodes
from vsg_pyro.continuous.mai import MAIResult
from vsg_pyro.continuous.transition_buffer import TransitionBatch
from vsg_pyro.games.continuous_base import ContinuousGame

__all__ = ["BASELINES", "BASELINE_AGENTS", "BaselineConfig", "train_baseline"]

#: Every baseline's agent class, by name.
BASELINE_AGENTS: dict[str, type[BaselineAgent]] = {
    "ddpg": DDPGAgent, "maddpg": MADDPGAgent, "masql": MASQLAgent}
BASELINES = tuple(BASELINE_AGENTS)


def _update(agents: list[BaselineAgent], batch: TransitionBatch, beta: float,
            config: BaselineConfig) -> float:
    """One critic and one actor step of every agent, then the targets' Polyak steps; returns
    the mean critic loss."""
    losses = []
    with torch.no_grad():
        if config.gamma > 0:
            next_joint = torch.cat([a.deterministic(batch.next_states, target=True) for a in agents], -1)
    for a in agents:
        target = batch.rewards[:, a.index]
        if config.gamma > 0:
            with torch.no_grad():
                target = target + config.gamma * (1 - batch.done) * a.q(batch.next_states, next_joint,
                                                                         target=True)
        loss = ((a.q(batch.states, batch.actions) - target) ** 2).mean()
        a.critic_optim.zero_grad()
        loss.backward()
        a.critic_optim.step()
        losses.append(loss.item())
        actor_loss = a.actor_loss(batch, beta)
        a.actor_optim.zero_grad()
        actor_loss.backward()
        a.actor_optim.step()
        soft_update(a.critic, a.critic_target, config.tau)
        soft_update(a.actor, a.actor_target, config.tau)
    return sum(losses) / len(losses)


def train_baseline(
    game: ContinuousGame,
    algo: str,
    config: BaselineConfig | None = None,
    callback: Callable[[dict, list], None] | None = None,
) -> MAIResult:
    """Train baseline ``algo`` (one of :data:`BASELINES`); metrics as
    :func:`~vsg_pyro.continuous.mai.train_mai` (``eval_reward``: every agent's deterministic
    action)."""
    if algo not in BASELINES:
        raise ValueError(f"algo: must be one of {BASELINES}, got {algo!r}")
    config = config or BaselineConfig()
    torch.manual_seed(config.seed)
    gen = torch.Generator().manual_seed(config.seed)
    agents = [BASELINE_AGENTS[algo](game, i, config) for i in range(game.n_agents)]

    def evaluate(state: torch.Tensor) -> list[torch.Tensor]:
        with torch.no_grad():
            return [a.deterministic(state.reshape(1, -1).float())[0] for a in agents]

    metrics, seconds = run_episodes(
        game, config, agents, lambda s: [a.act(s, gen) for a in agents],
        lambda batch, beta: {"critic_loss": _update(agents, batch, beta, config),
                             "actor_loss": float("nan")},
        evaluate, gen, callback)
    return MAIResult(metrics, agents, config, seconds, {"algo": algo})
