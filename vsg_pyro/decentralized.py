"""Deprecated: moved to :mod:`vsg_pyro.equilibria.nash.svi` (issue 12); this path goes in the next
release.  :class:`DecentralizedNashSVI` here still takes the old ``opponent_mode`` strings and
``external_opponent_model`` (the new one takes an ``opponent=`` object)."""

import warnings

from vsg_pyro.equilibria.nash import svi as _svi
from vsg_pyro.equilibria.nash.opponents import (
    ExactOpponent,
    ExternalOpponent,
    ExternalOpponentModel,
    OptimisticOpponent,
)
from vsg_pyro.equilibria.zero_sum.response import ZeroSumOpponent

warnings.warn("vsg_pyro.decentralized moved to vsg_pyro.equilibria.nash.svi; the old path goes "
              "in the next release", DeprecationWarning, stacklevel=2)

__all__ = ["ExternalOpponentModel", "DecentralizedNashSVI", "game_rows", "DRIVER_OPPONENT_MODES"]

DRIVER_OPPONENT_MODES: tuple[str, ...] = ("exact", "optimistic", "external", "zero_sum")


def game_rows(game) -> tuple[int, ...]:
    """``(H, S)`` for a finite horizon, ``(S,)`` when discounted (``game.row_shape``)."""
    return game.row_shape


class DecentralizedNashSVI(_svi.DecentralizedNashSVI):
    """The old signature: ``(game, guides, optimizers, opponent_mode="exact",
    external_opponent_model=None, log_priors=None, loss=None)``."""

    def __init__(self, game, guides, optimizers, opponent_mode="exact",
                 external_opponent_model=None, log_priors=None, loss=None):
        if opponent_mode not in DRIVER_OPPONENT_MODES:
            raise ValueError(f"opponent_mode: must be one of {DRIVER_OPPONENT_MODES}, "
                             f"got {opponent_mode!r}")
        if opponent_mode == "external" and external_opponent_model is None:
            raise ValueError("external_opponent_model: required when opponent_mode='external'")
        opponent = {"exact": ExactOpponent, "optimistic": OptimisticOpponent,
                    "zero_sum": ZeroSumOpponent}.get(
            opponent_mode, lambda: ExternalOpponent(external_opponent_model))()
        self.opponent_mode = opponent_mode
        self.external_opponent_model = external_opponent_model
        super().__init__(game, guides, optimizers, opponent, log_priors, loss)
