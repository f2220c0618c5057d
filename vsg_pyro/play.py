"""Deprecated path: this module moved to :mod:`vsg_pyro.opponent.play`."""

from vsg_pyro._deprecated import moved

moved(__name__, "vsg_pyro.opponent.play")
