"""Natural-gradient optimiser for tabular softmax guides, usable through ``pyro.optim``.

For a softmax parameter ``theta`` whose cell ``c`` (a row of conditioning variables and an
action) has probability ``w_c`` under the guide, the Fisher information of the guide in
``theta`` is diagonal-plus-rank-one per row, and ``grad / w`` is a natural gradient (Kakade 2001;
the rank-one part only shifts each row by a constant, which the softmax ignores).  For the ELBO of
:func:`vsg_pyro.models.nash.nash_model` the gradient of cell ``(s, a_-i, a_i)`` is
``-w (A - E_pi A)`` with ``A = beta Q + log pi0 - log pi``, so one step with learning rate
``alpha`` gives

    theta <- (1 - alpha) theta + alpha (beta Q + log pi0) + const,
    i.e.  pi <- pi^(1 - alpha) (pi0 exp(beta Q))^alpha / Z,

exactly the NPG update of eq. (4) with ``alpha = eta / (1 - gamma)``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from functools import partial

import torch
from pyro.optim import PyroOptim

__all__ = ["TabularNaturalGradient", "NaturalGradientOptim", "natural_gradient", "set_learning_rate"]

_FLOOR = {torch.float64: 1e-280, torch.float32: 1e-30}


class TabularNaturalGradient(torch.optim.Optimizer):
    """``theta <- theta - lr * grad / fisher()`` (``fisher``: cell probabilities, same shape);
    cells with probability below 1e-280 (float64) are not moved."""

    def __init__(
        self, params: Iterable[torch.Tensor], lr: float, fisher: Callable[[], torch.Tensor]
    ) -> None:
        if not lr > 0:
            raise ValueError(f"lr: must be > 0, got {lr}")
        super().__init__(params, {"lr": lr})
        self.fisher = fisher

    @torch.no_grad()
    def step(self, closure: Callable[[], float] | None = None) -> None:  # type: ignore[override]
        weights = self.fisher()
        # A cell whose probability is (nearly) subnormal has a gradient of no precision left:
        # dividing two underflowed numbers gave steps of 1e21.  Such cells carry no probability;
        # they are left where they are.
        floor = _FLOOR.get(weights.dtype, torch.finfo(weights.dtype).tiny * 1e28)
        safe = weights > floor
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    step = torch.where(safe, p.grad / torch.where(safe, weights, 1.0), 0.0)
                    p.add_(step, alpha=-group["lr"])


class NaturalGradientOptim(PyroOptim):
    """The ``pyro.optim`` wrapper of :class:`TabularNaturalGradient` built by
    :func:`natural_gradient`; its rate :attr:`lr` also applies to parameters whose optimiser
    Pyro creates later (at their first step)."""

    def __init__(self, guides: Sequence[object], lr: float) -> None:
        self.lr = float(lr)
        self.guides = list(guides)
        super().__init__(TabularNaturalGradient, self._optim_args)

    def _optim_args(self, param_name: str) -> dict:
        for guide in self.guides:
            if param_name.startswith(f"{guide.agent_name}/"):  # type: ignore[attr-defined]
                return {"lr": self.lr, "fisher": partial(guide.fisher_diagonal, param_name)}  # type: ignore[attr-defined]
        raise KeyError(f"{param_name!r}: no guide owns this parameter")


def natural_gradient(guides: Sequence[object], lr: float) -> PyroOptim:
    """A ``pyro.optim`` optimiser applying :class:`TabularNaturalGradient` to the parameters of
    ``guides`` (objects with ``fisher_diagonal(param_name)``, e.g.
    :class:`~vsg_pyro.guides.TabularPolicyGuide`)."""
    return NaturalGradientOptim(guides, lr)


def set_learning_rate(optim: PyroOptim, lr: float) -> None:
    """Set the learning rate of every parameter's optimiser created so far by ``optim`` (and,
    for a :class:`NaturalGradientOptim`, of those it creates later)."""
    if isinstance(optim, NaturalGradientOptim):
        optim.lr = float(lr)
    for torch_optim in optim.optim_objs.values():
        for group in torch_optim.param_groups:
            group["lr"] = lr
