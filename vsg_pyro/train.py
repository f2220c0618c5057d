"""Deprecated path: this module moved to :mod:`vsg_pyro.continuous.yaml_runner`."""

from vsg_pyro._deprecated import moved

moved(__name__, "vsg_pyro.continuous.yaml_runner")
