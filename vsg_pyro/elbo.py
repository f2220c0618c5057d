"""Deprecated: moved to :mod:`vsg_pyro.infer.elbo` (issue 12);
this path goes in the next release."""

from vsg_pyro._deprecated import moved

moved(__name__, "vsg_pyro.infer.elbo")
