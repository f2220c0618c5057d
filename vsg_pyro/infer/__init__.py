"""Pyro plumbing shared by the SVI solvers: the exact ELBO of fully enumerated guides
(:mod:`.elbo`), the natural-gradient ``pyro.optim`` optimiser whose step is eq. (4)
(:mod:`.natural_gradient`), exact policy tables of any guide (:mod:`.guide_tables`) and
param-store scoping (:mod:`.param_store`), and the steps' validation setting
(:mod:`.validation`)."""

from vsg_pyro.infer.elbo import EnumeratedGuideELBO
from vsg_pyro.infer.guide_tables import GuideTables, guide_tables
from vsg_pyro.infer.natural_gradient import (
    NaturalGradientOptim,
    TabularNaturalGradient,
    natural_gradient,
    set_learning_rate,
)
from vsg_pyro.infer.param_store import clear_params
from vsg_pyro.infer.validation import check_validate

__all__ = ["EnumeratedGuideELBO", "GuideTables", "guide_tables", "NaturalGradientOptim",
           "TabularNaturalGradient", "natural_gradient", "set_learning_rate",
           "clear_params", "check_validate"]
