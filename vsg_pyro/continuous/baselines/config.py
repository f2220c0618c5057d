"""The hyper-parameters of the baselines (:class:`BaselineConfig`): MAI's
:class:`~vsg_pyro.continuous.mai.MAIConfig` plus DDPG's exploration noise."""

from __future__ import annotations

from dataclasses import dataclass

from vsg_pyro.continuous.mai import MAIConfig

__all__ = ["BaselineConfig"]


@dataclass
class BaselineConfig(MAIConfig):
    """:class:`~vsg_pyro.continuous.mai.MAIConfig` plus ``noise``: the DDPG exploration standard
    deviation as a fraction of the action box's half-width."""

    noise: float = 0.1
