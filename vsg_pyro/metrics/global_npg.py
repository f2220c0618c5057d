"""Prop. 5.6: VPG against the global natural policy gradient on the potential (issue 15).

The joint policy of factorized agents is ``pi_theta(a | s) = prod_i pi_i(a_i | s)`` with
softmax logits ``theta = (theta_1, ..., theta_N)``, ``theta_i`` ``(S, A_i)``.  The global NPG on
the entropy-regularised potential (in ELBO units, ``J(theta) = beta rho^T Phi_beta``, with
``Phi_beta`` of :func:`vsg_pyro.metrics.potential.potential`) is

    theta <- theta + alpha F(theta)^+ grad J(theta),
    F(theta) = sum_s d(s) sum_a pi(a | s) grad log pi(a | s) grad log pi(a | s)^T,

with the (unnormalised) discounted occupancy ``d = rho^T (I - gamma P_pi)^{-1}``, so that for
one agent the step is ``theta <- theta + alpha A(s, a)``, eq. (4)'s ``alpha``.  Everything here
is computed by autograd on small games (``F`` is ``D x D`` with ``D = S sum_i A_i``):

* :func:`joint_fisher`: ``F``; its blocks between two agents vanish (the scores of independent
  agents have zero mean), which :func:`fisher_off_diagonal` measures;
* :func:`global_npg_step`: the new log-policies, to compare with
  :func:`vsg_pyro.equilibria.nash.exact.vpg_step` (the factorized family).

On a one-state potential game the two steps coincide (``Phi_beta``'s gradient in ``theta_i`` is
agent ``i``'s soft-value gradient); in a stochastic game the other agents' entropy terms move
with the state distribution, and the two differ by O(1/beta) (measured in the tests and the
README).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from vsg_pyro.core.joint import product_of_marginals
from vsg_pyro.games.tabular import TabularGame
from vsg_pyro.metrics.potential import potential

__all__ = ["occupancy", "joint_fisher", "fisher_off_diagonal", "global_npg_step"]


def _policies(logits: Sequence[torch.Tensor]) -> list[torch.Tensor]:
    return [torch.softmax(t, -1) for t in logits]


def occupancy(game: TabularGame, policies: Sequence[torch.Tensor]) -> torch.Tensor:
    """``d = rho^T (I - gamma P_pi)^{-1}`` ``(S,)`` (discounted, unnormalised: sums to
    ``1 / (1 - gamma)``)."""
    s = game.n_states
    joint = product_of_marginals(list(policies)).reshape(s, -1, 1)
    chain = (joint * game.transitions.reshape(s, -1, s)).sum(1)
    eye = torch.eye(s, dtype=chain.dtype)
    return torch.linalg.solve((eye - game.gamma * chain).T, game.initial)


def joint_fisher(game: TabularGame, logits: Sequence[torch.Tensor]) -> torch.Tensor:
    """``F(theta)`` ``(D, D)`` (module docstring), by autograd on ``log pi(a | s)``."""
    sizes = [t.numel() for t in logits]
    flat = torch.cat([t.reshape(-1) for t in logits]).detach()

    def log_joint(x: torch.Tensor) -> torch.Tensor:
        parts = torch.split(x, sizes)
        logs = [torch.log_softmax(p.reshape(t.shape), -1) for p, t in zip(parts, logits, strict=True)]
        n = len(logs)
        total = 0.0
        for i, lp in enumerate(logs):
            shape = [lp.shape[0]] + [1] * n
            shape[1 + i] = lp.shape[1]
            total = total + lp.reshape(shape)
        return total.reshape(-1)  # (S * prod J,)

    scores = torch.autograd.functional.jacobian(log_joint, flat)  # (S J, D)
    with torch.no_grad():
        pols = _policies([t.detach() for t in logits])
        weights = (occupancy(game, pols)[:, None]
                   * product_of_marginals(pols).reshape(game.n_states, -1)).reshape(-1)
    return scores.T @ (weights[:, None] * scores)


def fisher_off_diagonal(game: TabularGame, logits: Sequence[torch.Tensor]) -> float:
    """The largest entry of ``F`` between two different agents' parameters."""
    fisher = joint_fisher(game, logits)
    sizes = [t.numel() for t in logits]
    owner = torch.repeat_interleave(torch.arange(len(sizes)), torch.tensor(sizes))
    return float(fisher[owner[:, None] != owner[None, :]].abs().max()) if len(sizes) > 1 else 0.0


def global_npg_step(game: TabularGame, logits: Sequence[torch.Tensor], beta: float,
                    alpha: float, stage_potential: torch.Tensor | None = None
                    ) -> list[torch.Tensor]:
    """One global NPG step on ``J = beta rho^T Phi_beta`` (uniform priors); returns the new
    normalised log-policies ``(S, A_i)`` per agent."""
    params = [t.detach().clone().requires_grad_(True) for t in logits]
    objective = beta * (game.initial @ potential(game, _policies(params), stage_potential,
                                                 beta=beta))
    grads = torch.autograd.grad(objective, params)
    gradient = torch.cat([g.reshape(-1) for g in grads])
    direction = torch.linalg.pinv(joint_fisher(game, params), hermitian=True) @ gradient
    sizes = [t.numel() for t in logits]
    out = []
    for t, d in zip(logits, torch.split(direction, sizes), strict=True):
        out.append(torch.log_softmax(t.detach() + alpha * d.reshape(t.shape), -1))
    return out
