"""The hyper-parameters of the baselines (:class:`BaselineConfig`): MAI's
:class:`~vsg_pyro.continuous.mai.MAIConfig` plus DDPG's exploration noise."""

from __future__ import annotations

from dataclasses import dataclass

from vsg_pyro.continuous.mai import MAIConfig

__all__ = ["BaselineConfig"]


@dataclass
class BaselineConfig(MAIConfig):
    """:class:`~vsg_pyro.continuous.mai.MAIConfig` plus ``noise``: the DDPG exploration standard
    deviation as a fraction of the action box's half-width.  MAI's ``opponent`` and
    ``opponent_samples`` do not apply (the baselines have no opponent prior) and are refused
    when changed."""

    noise: float = 0.1

    def __post_init__(self) -> None:
        super().__post_init__()
        defaults = MAIConfig()
        changed = [name for name in ("opponent", "opponent_samples")
                   if getattr(self, name) != getattr(defaults, name)]
        if changed:
            raise ValueError(f"{', '.join(changed)}: MAI's opponent-model options do not apply "
                             "to the baselines")
