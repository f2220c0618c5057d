"""Joint-action tensor algebra shared by the exact solvers, metrics and Pyro programs.

Layout convention (used everywhere in vsg-pyro): a quantity over joint actions of an
``N``-agent game keeps one axis per agent, in agent order, as the **last N axes** of the
tensor, behind arbitrary leading batch axes (time, state, ...):

* rewards ``R[i]``: ``(S, A_1, ..., A_N)``;
* a conditional policy ``pi_i(a_i | s, a_-i)`` (the paper's family, Prop. 5.2): ``(S, A_1, ..., A_N)``,
  normalised along agent ``i``'s axis;
* a factorised policy ``pi_i(a_i | s)``: ``(S, A_i)``; :func:`agent_view` lifts it to
  ``(S, 1, ..., A_i, ..., 1)`` so that both families broadcast against joint tensors;
* agent ``i``'s opponent model ``p_i(a_-i | s)``: ``(S, A_1, ..., A_N)`` with agent ``i``'s axis of
  size 1 (a joint distribution over the others, possibly correlated).
"""

from __future__ import annotations

import string
from collections.abc import Sequence
from functools import cache

import numpy as np
import torch

__all__ = [
    "agent_view",
    "joint_axis",
    "product_of_marginals",
    "sum_others",
    "executed_marginal",
    "expect_over_others",
    "expect_except",
    "JointIndex",
]


def joint_axis(agent: int, n_agents: int) -> int:
    """Negative index of ``agent``'s axis among the last ``n_agents`` axes."""
    return agent - n_agents


def agent_view(x: torch.Tensor, agent: int, n_agents: int) -> torch.Tensor:
    """Reshape ``(..., A_i)`` to ``(..., 1, ..., A_i, ..., 1)`` with ``A_i`` at agent ``agent``'s axis."""
    shape = list(x.shape[:-1]) + [1] * n_agents
    shape[len(shape) + joint_axis(agent, n_agents)] = x.shape[-1]
    return x.reshape(shape)


def product_of_marginals(
    marginals: Sequence[torch.Tensor], exclude: int | None = None
) -> torch.Tensor:
    """Joint distribution ``prod_j pi_j(a_j | s)`` of independent agents.

    Args:
        marginals: per agent ``j`` a tensor ``(..., A_j)`` (shared leading axes).
        exclude: an agent left out; its axis is kept with size 1 (an opponent model).

    Returns:
        ``(..., A_1, ..., A_N)`` (size 1 at ``exclude``).
    """
    n = len(marginals)
    out: torch.Tensor | None = None
    for j, m in enumerate(marginals):
        if j == exclude:
            continue
        view = agent_view(m, j, n)
        out = view if out is None else out * view
    if out is None:  # a one-agent game: the opponent model is the point mass on "nobody"
        lead = marginals[0].shape[:-1]
        return torch.ones(*lead, *([1] * n), dtype=marginals[0].dtype)
    return out


def sum_others(x: torch.Tensor, agent: int, n_agents: int) -> torch.Tensor:
    """Sum a joint tensor ``(..., A_1, ..., A_N)`` over every agent axis but ``agent``'s.

    Returns ``(..., A_agent)``.
    """
    axes = [joint_axis(j, n_agents) for j in range(n_agents) if j != agent]
    out = x.sum(dim=axes, keepdim=True) if axes else x
    return out.reshape(*x.shape[: x.ndim - n_agents], x.shape[joint_axis(agent, n_agents)])


def expect_over_others(
    x: torch.Tensor, opponent_model: torch.Tensor, agent: int, n_agents: int
) -> torch.Tensor:
    """``E_{a_-i ~ p_i}[x(..., a_i, a_-i)]``: ``(..., A_1..A_N)`` x ``(..., 1@i..)`` -> ``(..., A_i)``."""
    return sum_others(x * opponent_model, agent, n_agents)


def executed_marginal(
    policy: torch.Tensor, opponent_model: torch.Tensor, agent: int, n_agents: int
) -> torch.Tensor:
    """The policy agent ``i`` actually executes (Algorithm 1: sample a~_-i ~ p, then a_i ~ pi_i).

    ``pi_bar_i(a_i | s) = sum_{a_-i} p_i(a_-i | s) pi_i(a_i | s, a_-i)`` for a conditional policy
    ``(..., A_1..A_N)``; a factorised policy ``(..., A_i)`` is returned unchanged.
    """
    if policy.ndim == opponent_model.ndim:
        return expect_over_others(policy, opponent_model, agent, n_agents)
    return policy


@cache
def _except_subscripts(n: int, keep: tuple[int, ...], trail: str) -> str:
    letters = string.ascii_lowercase[:n]
    inputs = ["R" + letters + trail] + [f"R{letters[k]}" for k in range(n) if k not in keep]
    return ",".join(inputs) + "->R" + "".join(letters[k] for k in keep) + trail


def expect_except(x: np.ndarray, marginals: Sequence[np.ndarray], keep: tuple[int, ...],
                  trail: str = "") -> np.ndarray:
    """numpy, one row axis: ``E_{a_j ~ pi_j, j not in keep} x(r, a_1..a_N, ...)``.

    Args:
        x: ``(R, A_1, ..., A_N, *T)`` with ``len(trail)`` trailing axes ``T`` (``trail``:
            their einsum letters, upper case but ``R``; up to 26 agents).
        marginals: per agent ``(R, A_j)``.
        keep: the agents (increasing) whose axes stay.

    Returns ``(R, A_keep..., *T)``.  (For the small dense systems of path following, where
    torch's per-operation overhead dominates.)
    """
    return np.einsum(_except_subscripts(len(marginals), tuple(keep), trail), x,
                     *[m for k, m in enumerate(marginals) if k not in keep])


class JointIndex:
    """The joint-action layout of agents with ``counts`` actions, flattened (numpy): joint
    action ``j`` (``J = prod A_i``, C order: the last agent's action fastest) and the agents'
    own actions side by side in ``A = sum A_i`` columns (agent ``i``'s at ``start[i] +
    a_i``).

    ``onehot`` ``(J, A)``: 1 where column ``c`` is an action of joint action ``j``;
    ``own`` ``(N, J)``: the column of agent ``i``'s action in ``j``; ``agent`` ``(A,)``: the
    agent of each column.  With per-row log-probabilities ``Y`` ``(R, A)``, ``Y @ onehot.T``
    is the log of the product of marginals ``(R, J)`` and ``Y[:, own]`` ``(R, N, J)`` each
    agent's own term in it (for the others' product ``exp(L - Y[:, own])`` without dividing by
    a probability that may have underflowed)."""

    def __init__(self, counts: Sequence[int]) -> None:
        self.counts = tuple(int(a) for a in counts)
        if not self.counts or min(self.counts) < 1:
            raise ValueError(f"counts: need at least one agent with >= 1 action, {counts}")
        self.start = np.cumsum([0, *self.counts])
        joint = np.indices(self.counts).reshape(len(self.counts), -1)  # (N, J)
        self.own = joint + self.start[:-1, None]
        self.onehot = np.zeros((joint.shape[1], int(self.start[-1])))
        self.onehot[np.arange(joint.shape[1])[None, :], self.own] = 1.0
        self.agent = np.repeat(np.arange(len(self.counts)), self.counts)
