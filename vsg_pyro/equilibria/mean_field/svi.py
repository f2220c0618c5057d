"""The policy step of Algorithm 4 by SVI on :func:`vsg_pyro.models.mean_field.mean_field_model`.

:func:`svi_policy_step` returns a ``(prior, Q, beta) -> policy`` callable for the exact
:class:`~vsg_pyro.equilibria.mean_field.exact.Solver`: it starts the guide at the prior and runs
natural-gradient SVI (each step ``pi <- pi^(1-a) (prior exp(beta Q))^a``) until the policy
moves less than ``tol``, so it reaches eq. (12) up to ``tol``.  :class:`Solver` is Algorithm 4
with that step.
"""

from __future__ import annotations

from collections.abc import Callable

import pyro
import torch
from pyro.infer import SVI

from vsg_pyro.equilibria.mean_field import exact
from vsg_pyro.games.mean_field import MeanFieldGame
from vsg_pyro.guides.mean_field import MeanFieldPolicyGuide
from vsg_pyro.infer.elbo import EnumeratedGuideELBO
from vsg_pyro.infer.natural_gradient import natural_gradient
from vsg_pyro.infer.param_store import clear_params
from vsg_pyro.infer.validation import check_validate
from vsg_pyro.models.mean_field import MeanFieldInputs, mean_field_model

__all__ = ["svi_policy_step", "Solver"]


def svi_policy_step(
    name: str = "representative", lr: float = 0.5, max_steps: int = 200, tol: float = 1e-10
) -> Callable[[torch.Tensor, torch.Tensor, float], torch.Tensor]:
    """An SVI replacement for the exact eq. (12) step (module docstring).

    Args:
        name: the agent's name (prefix of its site and parameter).
        lr: the natural-gradient rate in (0, 1]; max_steps, tol: the stopping rule.
    """
    if not 0 < lr <= 1:
        raise ValueError(f"lr: must lie in (0, 1], got {lr}")

    def step(prior: torch.Tensor, q: torch.Tensor, beta: float) -> torch.Tensor:
        shape = prior.shape
        log_prior = torch.log(prior).reshape(-1, shape[-1])
        guide = MeanFieldPolicyGuide(name, log_prior.shape[0], shape[-1], log_prior.clone())
        clear_params(guide.param_names())
        svi = SVI(mean_field_model, guide, natural_gradient([guide], lr),
                  loss=EnumeratedGuideELBO())
        inputs = MeanFieldInputs(name, q.reshape(-1, shape[-1]), log_prior, float(beta))
        policy = guide.policy()
        for _ in range(max_steps):
            svi.step(inputs)
            new = guide.policy()
            done = (new - policy).abs().max().item() < tol
            policy = new
            if done:
                break
        return policy.reshape(shape)

    return step


class Solver(exact.Solver):
    """Algorithm 4 with its policy step (eq. 12) taken by SVI (:func:`svi_policy_step`) on
    :func:`~vsg_pyro.models.mean_field.mean_field_model`; otherwise the exact
    :class:`~vsg_pyro.equilibria.mean_field.exact.Solver` (same arguments, plus the SVI
    step's ``name``, ``lr``, ``max_steps`` and ``svi_tol``, and ``validate``: Pyro's argument
    validation during the steps, :mod:`vsg_pyro.infer.validation`)."""

    method = "svi"

    def __init__(self, game: MeanFieldGame, damping: float = 1.0,
                 prior: str | torch.Tensor = "previous", optimistic: bool = False,
                 average: bool = False, initial_policy: torch.Tensor | None = None,
                 target: float = 0.0, name: str = "representative", lr: float = 0.5,
                 max_steps: int = 200, svi_tol: float = 1e-10, validate: bool = False) -> None:
        super().__init__(game, damping, prior, optimistic, average, initial_policy, target,
                         svi_policy_step(name, lr, max_steps, svi_tol))
        # Pyro's argument validation during the steps (the built-in guide: off by default;
        # vsg_pyro.infer.validation)
        self.validate = check_validate(validate, False)

    def step(self, state, beta: float, alpha: float):
        with pyro.validation_enabled(self.validate):
            return super().step(state, beta, alpha)
