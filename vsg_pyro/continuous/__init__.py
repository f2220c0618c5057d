"""Multi-agent Inference for continuous actions (MAI, Algorithm 2) and its baselines.

* :mod:`.mai`: MAI's agents (guide, soft critic, opponent prior), :class:`MAIConfig` and
  :func:`train_mai`;
* :mod:`.baselines`: independent DDPG, MADDPG and a MASQL-style ablation, one module each,
  trained by :func:`train_baseline`;
* :mod:`.episode_loop`: the episode loop all of them share (:func:`run_episodes`);
* :mod:`.transition_buffer`: their replay buffer ``D`` of continuous transitions
  (:class:`ContinuousTransitionBuffer`);
* :mod:`.yaml_runner`: ``vsg train CONFIG.yaml`` (:func:`train_from_config`).

The games they play are in :mod:`vsg_pyro.games.continuous` and :mod:`vsg_pyro.games.routing`.
"""

from vsg_pyro.continuous.baselines import BASELINES, BaselineConfig, train_baseline
from vsg_pyro.continuous.episode_loop import run_episodes
from vsg_pyro.continuous.mai import MAIAgent, MAIConfig, MAIResult, deterministic_actions, train_mai
from vsg_pyro.continuous.transition_buffer import ContinuousTransitionBuffer, TransitionBatch
from vsg_pyro.continuous.yaml_runner import ALGOS, load_train_config, train_from_config

__all__ = [
    "MAIConfig",
    "MAIAgent",
    "MAIResult",
    "train_mai",
    "deterministic_actions",
    "BASELINES",
    "BaselineConfig",
    "train_baseline",
    "run_episodes",
    "ContinuousTransitionBuffer",
    "TransitionBatch",
    "ALGOS",
    "load_train_config",
    "train_from_config",
]
