"""Pyro guide programs (installed as ``vsg_pyro.guides``).

* :class:`TabularPolicyGuide`: the agent's tabular softmax policy ``pi_i`` (``conditional``:
  ``pi_i(a_i | s, a_-i)``, the paper's family; ``factorized``: ``pi_i(a_i | s)``) with its opponent
  model ``p(a_-i | s)`` in one of three modes: ``exact``, ``optimistic``, ``external``.

A user's own guide plugs into the same SVI call if it samples the same sites (see
:mod:`vsg_pyro.models.nash`): one ``Categorical`` per opponent at ``opponent_site(i, j)`` and the
agent's ``Categorical`` at ``action_site(i)``, inside the plate ``plate_name(i)``.
"""

from vsg_pyro.guides.correlated import SignalGuide, SignalPolicyGuide
from vsg_pyro.guides.mean_field import MeanFieldPolicyGuide
from vsg_pyro.guides.tabular import OPPONENT_MODES, TabularPolicyGuide

__all__ = ["OPPONENT_MODES", "TabularPolicyGuide", "SignalPolicyGuide", "SignalGuide",
           "MeanFieldPolicyGuide"]
