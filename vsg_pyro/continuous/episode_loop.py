"""The episode loop shared by MAI (:func:`vsg_pyro.continuous.mai.train_mai`) and the baselines
(:func:`vsg_pyro.continuous.baselines.train_baseline`): act, store the transition, update every
``update_every`` steps once the buffer holds ``learning_starts`` transitions, and score the
agents' deterministic actions after each episode.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import torch

from vsg_pyro.continuous.transition_buffer import ContinuousTransitionBuffer, TransitionBatch
from vsg_pyro.games.continuous_base import ContinuousGame

if TYPE_CHECKING:  # for the annotation only: vsg_pyro.continuous.mai imports this module
    from vsg_pyro.continuous.mai import MAIConfig

__all__ = ["run_episodes"]


def run_episodes(
    game: ContinuousGame,
    config: MAIConfig,
    agents: Sequence[object],
    act: Callable[[torch.Tensor], list[torch.Tensor]],
    update: Callable[[TransitionBatch, float], dict],
    evaluate: Callable[[torch.Tensor], list[torch.Tensor]],
    generator: torch.Generator,
    callback: Callable[[dict, list], None] | None = None,
) -> tuple[list[dict], float]:
    """Run ``config.episodes`` episodes (fields of :class:`~vsg_pyro.continuous.mai.MAIConfig`).

    ``act(state)``: every agent's action; ``update(batch, beta)``: one update of every agent,
    returning ``{"critic_loss": ..., "actor_loss": ...}``; ``evaluate(state)``: every agent's
    deterministic action.  Returns the per-episode metrics (``episode, beta, reward,
    eval_reward, critic_loss, actor_loss, seconds``) and the total seconds."""
    start = time.perf_counter()
    buffer = ContinuousTransitionBuffer(config.buffer_size, game.state_dim,
                                        sum(game.action_dims), game.n_agents)
    schedule = config.beta_schedule()
    metrics: list[dict] = []
    steps = 0
    for episode in range(config.episodes):
        beta = schedule(episode)
        state = game.reset(generator)
        rewards, losses = [], []
        for _ in range(game.episode_length):
            steps += 1
            actions = act(state)
            next_state, r, done = game.step(state, actions)
            buffer.add(state, torch.cat(actions), r, next_state, done)
            rewards.append(r)
            state = game.reset(generator) if done else next_state
            if len(buffer) >= config.learning_starts and steps % config.update_every == 0:
                for _ in range(config.updates_per_step):
                    losses.append(update(buffer.sample(config.batch_size, generator), beta))
        eval_state = game.reset(generator)
        _, eval_r, _ = game.step(eval_state, evaluate(eval_state))
        entry = {"episode": episode, "beta": beta, "reward": float(torch.stack(rewards).mean()),
                 "eval_reward": float(eval_r.mean()),
                 "critic_loss": _mean(losses, "critic_loss"), "actor_loss": _mean(losses, "actor_loss"),
                 "seconds": time.perf_counter() - start}
        metrics.append(entry)
        if callback is not None:
            callback(entry, list(agents))
    return metrics, time.perf_counter() - start


def _mean(losses: list[dict], key: str) -> float:
    """The mean of ``key`` over the episode's updates (NaN before the first update)."""
    values = [d[key] for d in losses]
    return sum(values) / len(values) if values else math.nan
