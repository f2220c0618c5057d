"""MADDPG (Lowe et al. 2017) as a baseline for MAI: DDPG's deterministic actors with a
centralised critic ``Q_i(s, a_1, ..., a_N)``; the actor gradient uses the other agents'
actions from the batch, the critic target the target actors' actions."""

from __future__ import annotations

from vsg_pyro.continuous.baselines.ddpg import DDPGAgent

__all__ = ["MADDPGAgent"]


class MADDPGAgent(DDPGAgent):
    """Agent ``index`` of MADDPG: :class:`~vsg_pyro.continuous.baselines.ddpg.DDPGAgent` with a
    centralised critic."""

    algo = "maddpg"
    centralised_critic = True
