"""Deprecated path: this module moved to :mod:`vsg_pyro.continuous.transition_buffer`."""

from vsg_pyro._deprecated import moved

moved(__name__, "vsg_pyro.continuous.transition_buffer")
