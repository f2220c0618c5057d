"""Baselines for MAI in the same harness (the paper's Figure 2), one module per baseline:
:mod:`.ddpg` (independent DDPG), :mod:`.maddpg` (MADDPG), :mod:`.masql` (a MASQL-style
ablation), on the shared :mod:`.agent`; :mod:`.training` runs them
(:func:`train_baseline`), with :class:`BaselineConfig` (:mod:`.config`)."""

from vsg_pyro.continuous.baselines.agent import BaselineAgent
from vsg_pyro.continuous.baselines.config import BaselineConfig
from vsg_pyro.continuous.baselines.ddpg import DDPGAgent
from vsg_pyro.continuous.baselines.maddpg import MADDPGAgent
from vsg_pyro.continuous.baselines.masql import MASQLAgent
from vsg_pyro.continuous.baselines.training import BASELINE_AGENTS, BASELINES, train_baseline

__all__ = [
    "BASELINES",
    "BASELINE_AGENTS",
    "BaselineConfig",
    "BaselineAgent",
    "DDPGAgent",
    "MADDPGAgent",
    "MASQLAgent",
    "train_baseline",
]
