"""Deprecated path: the LP references moved to :mod:`vsg_pyro.reference`
(:mod:`~vsg_pyro.reference.correlated` and :mod:`~vsg_pyro.reference.minimax`)."""

from vsg_pyro._deprecated import moved

moved(__name__, "vsg_pyro.reference")
