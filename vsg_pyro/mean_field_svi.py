"""The policy step of Algorithm 4 by SVI on :func:`vsg_pyro.models.mean_field.mean_field_model`.

:func:`svi_policy_step` returns a ``(prior, Q, beta) -> policy`` callable for
:func:`vsg_pyro.solvers.mean_field.solve_mean_field_exact`: it starts the guide at the prior
and runs natural-gradient SVI (each step ``pi <- pi^(1-a) (prior exp(beta Q))^a``) until the
policy moves less than ``tol``, so it reaches eq. (12) up to ``tol``.
"""

from __future__ import annotations

from collections.abc import Callable

import pyro
import torch
from pyro.infer import SVI

from vsg_pyro.elbo import EnumeratedGuideELBO
from vsg_pyro.games.registry import get_mean_field_game
from vsg_pyro.guides.mean_field import MeanFieldPolicyGuide
from vsg_pyro.metrics.exploitability import ExploitabilityReport
from vsg_pyro.metrics.mean_field import mf_exploitability
from vsg_pyro.models.mean_field import MeanFieldInputs, mean_field_model
from vsg_pyro.optim import natural_gradient
from vsg_pyro.solvers.mean_field import solve_mean_field_exact

__all__ = ["svi_policy_step", "solve_mean_field"]


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
        store = pyro.get_param_store()
        if guide.param_name in store:
            del store[guide.param_name]
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


def solve_mean_field(
    game,
    method: str = "svi",
    beta: float | Callable[[int], float] = 0.1,
    steps: int = 300,
    damping: float = 1.0,
    average: bool = False,
    target: float = 0.0,
    callback: Callable[[int, dict], None] | None = None,
    prior: str | torch.Tensor = "previous",
    optimistic: bool = False,
):
    """Algorithm 4 on a mean-field game, as a :class:`~vsg_pyro.equilibrium.SolveResult`.

    ``method="exact"``: eq. (12) in closed form; ``"svi"``: :func:`svi_policy_step`.
    ``steps``: iterations of Algorithm 4; stops early at exploitability <= ``target``.
    ``beta`` (a float or a schedule ``k -> beta_k``), ``damping``, ``average``, ``prior`` and
    ``optimistic``: as in :func:`~vsg_pyro.solvers.mean_field.solve_mean_field_exact`
    (``SolveResult.beta`` is the last iteration's).
    ``policies`` holds the one representative policy ``(T, S, A)``; ``report`` its exact
    mean-field exploitability (``values``: the policy's value, ``best_response_values``);
    ``trace``: per iteration ``exploitability`` and ``seconds``; ``joint``: the mean field
    ``(T, S, A)``.
    """
    from vsg_pyro.equilibrium import SolveResult  # an import cycle otherwise

    game = get_mean_field_game(game)
    if method not in ("svi", "exact"):
        raise ValueError(f"method: must be 'svi' or 'exact', got {method!r}")
    res = solve_mean_field_exact(game, beta=beta, iterations=steps, damping=damping,
                                 target=target, average=average, callback=callback,
                                 prior=prior, optimistic=optimistic,
                                 policy_step=svi_policy_step() if method == "svi" else None)
    rep = mf_exploitability(game, res.policy)
    one = torch.tensor([rep.value, rep.best_response_value, rep.exploitability],
                       dtype=torch.float64).reshape(3, 1)
    report = ExploitabilityReport(one[0], one[1], one[2], rep.exploitability, rep.exploitability)
    last_beta = res.trace[-1]["beta"]
    return SolveResult(game.name, "mean-field", "factorized", method, last_beta, [res.policy],
                       report, [[]], [[]], res.iterations, res.exploitability <= target,
                       res.seconds, None, rep.flow, value=rep.value, trace=res.trace)
