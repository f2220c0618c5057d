"""Agent i's model of an opponent j's play with an unknown reward (§5.1.2, Prop. 5.9).

Agent ``i`` does not know ``r_j``.  It writes ``r_j(s, a; psi) = phi(s, a) . psi`` with known
features ``phi`` ``(S, A_1, ..., A_N, d)`` (:func:`tabular_reward_features` gives the tabular
case) and assumes ``j`` is soft-optimal against the other agents' policies ``pi_-j`` (Prop. 5.9,
eq. 5):

    p_j(a_j | s) ∝ pi0_j(a_j | s) exp(beta E_{a_-j ~ pi_-j}[Q^j(s, a_j, a_-j; psi)]),

with ``Q^j`` the soft action value of Definition 5.1 under ``(p_j, pi_-j)``
(:func:`soft_optimal_policy`: backward induction for a finite horizon, soft value iteration
when discounted; differentiable in ``psi``).

:func:`opponent_reward_model` is the Pyro program: ``psi ~ Normal(0, psi_scale)`` (the fully
Bayesian route; NUTS or SVI with an AutoGuide fit it), the policy above, and every observed
action of ``j`` as ``Categorical(p_j(. | row))`` with ``obs=``.  The paper's point estimate
(eqs. 6-7) is :func:`vsg_pyro.opponent.inference.reward_point_estimate`.

Rows: a finite-horizon game indexes ``p_j`` by ``(t, s)``, flattened as ``t * S + s``; a
discounted game by ``s``.  Site names carry the modelling agent's name and the opponent's
(:func:`psi_site`, :func:`opponent_action_site`), so one agent can model several opponents and
several agents can share one param store.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

import pyro
import pyro.distributions as dist
import torch

from vsg_pyro.core.joint import product_of_marginals, sum_others
from vsg_pyro.games.tabular import TabularGame

__all__ = [
    "OpponentInputs",
    "psi_site",
    "policy_site",
    "opponent_action_site",
    "tabular_reward_features",
    "linear_reward",
    "soft_optimal_policy",
    "opponent_reward_model",
]


def psi_site(name: str, opponent: str) -> str:
    """Site of the reward parameters ``psi`` that agent ``name`` infers for ``opponent``."""
    return f"{name}/reward/{opponent}"


def policy_site(name: str, opponent: str) -> str:
    """Deterministic site of the implied opponent policy rows ``(R, A_j)``."""
    return f"{name}/opponent_policy/{opponent}"


def opponent_action_site(name: str, opponent: str) -> str:
    """Site of ``opponent``'s observed actions."""
    return f"{name}/observed/{opponent}"


class OpponentInputs(NamedTuple):
    """Inputs of :func:`opponent_reward_model`.

    Args:
        name: the modelling agent's name (prefix of every site).
        game: the game (dynamics known to the modeller; ``rewards[opponent]`` is *not* used).
        opponent: index ``j`` of the modelled agent.
        features: ``(S, A_1, ..., A_N, d)``; ``r_j = features @ psi``.
        others: per agent ``k != j`` (in agent order) its policy ``(H, S, A_k)`` (finite
            horizon) or ``(S, A_k)`` (discounted).
        beta: inverse temperature of ``j``'s optimality likelihood.
        rows: ``(N,)`` long, the row of each observation (``t * S + s`` or ``s``).
        actions: ``(N,)`` long, ``j``'s observed actions, or ``None`` to sample them.
        psi_scale: standard deviation of the Normal prior on each component of ``psi``.
        log_prior: ``(S, A_j)`` log prior policy of ``j``; uniform by default.
    """

    name: str
    game: TabularGame
    opponent: int
    features: torch.Tensor
    others: tuple[torch.Tensor, ...]
    beta: float
    rows: torch.Tensor
    actions: torch.Tensor | None
    psi_scale: float = 1.0
    log_prior: torch.Tensor | None = None

    @property
    def opponent_name(self) -> str:
        return self.game.agent_names[self.opponent]

    @property
    def n_features(self) -> int:
        return int(self.features.shape[-1])


def tabular_reward_features(game: TabularGame, opponent: int, joint: bool = False) -> torch.Tensor:
    """One-hot reward features with the opponent's action 0 as the reference (reward 0).

    ``joint=False``: features of ``(s, a_j)``, ``d = S (A_j - 1)``; ``joint=True``: of the joint
    action ``(s, a_j, a_-j)``, ``d = S (A_j - 1) |A_-j|`` (a fully tabular ``r_j``).  Returns
    ``(S, A_1, ..., A_N, d)``.  A softmax policy is unchanged by adding the same constant to
    every own action's reward, so pinning action 0 keeps ``psi`` identifiable in one-step games
    with ``joint=False``.  With ``joint=True`` only the expectation over ``a_-j`` reaches the
    likelihood, so ``psi`` is identified only up to the prior (fine for prediction and MAP).
    """
    s, counts, n = game.n_states, game.action_counts, game.n_agents
    if counts[opponent] < 2:
        raise ValueError(f"opponent: agent {opponent} has one action; nothing to infer")
    shape = (s, *counts)
    cells = torch.arange(math.prod(shape)).reshape(shape)
    own = torch.arange(counts[opponent]).reshape([1] * (1 + opponent) + [-1] + [1] * (n - 1 - opponent))
    if joint:
        key = cells
    else:  # (s, a_j) only
        key = (torch.arange(s).reshape(-1, *[1] * n) * counts[opponent] + own).expand(shape)
    keep = torch.unique(key[(own != 0).expand(shape)])
    return (key.unsqueeze(-1) == keep).to(torch.float64)


def linear_reward(features: torch.Tensor, psi: torch.Tensor) -> torch.Tensor:
    """``r_j = features @ psi``: ``(S, *J, d)`` x ``(d,)`` -> ``(S, *J)``."""
    return features @ psi


def _others_joint(game: TabularGame, opponent: int, others: Sequence[torch.Tensor]) -> torch.Tensor:
    """``prod_{k != j} pi_k`` ``(H?, S, *J)`` with size 1 at ``j``'s axis."""
    n = game.n_agents
    if len(others) != n - 1:
        raise ValueError(f"others: need one policy per agent other than {opponent} ({n - 1}), "
                         f"got {len(others)}")
    lead = (game.horizon, game.n_states) if game.horizon is not None else (game.n_states,)
    full, k = [], 0
    for i in range(n):
        if i == opponent:
            full.append(torch.ones(*lead, game.action_counts[i], dtype=torch.float64))
            continue
        pol = torch.as_tensor(others[k], dtype=torch.float64)
        if tuple(pol.shape) != (*lead, game.action_counts[i]):
            raise ValueError(f"others[{k}]: expected shape {(*lead, game.action_counts[i])} for "
                             f"agent {i}, got {tuple(pol.shape)}")
        full.append(pol)
        k += 1
    return product_of_marginals(full, exclude=opponent)


def soft_optimal_policy(
    game: TabularGame,
    opponent: int,
    reward: torch.Tensor,
    others: Sequence[torch.Tensor],
    beta: float,
    log_prior: torch.Tensor | None = None,
    tol: float = 1e-10,
    max_iter: int = 100_000,
) -> torch.Tensor:
    """Prop. 5.9 / eq. (5): ``j``'s soft-optimal policy given its reward ``(S, *J)``.

    Returns ``(H, S, A_j)`` (finite horizon) or ``(S, A_j)`` (discounted), differentiable in
    ``reward``.  Discounted games run soft value iteration to ``tol`` without gradients and then
    ``ceil(log tol / log gamma)`` differentiable sweeps from that fixed point, so the gradient is
    the fixed point's up to ``tol``.
    """
    if not beta > 0:
        raise ValueError(f"beta: must be > 0, got {beta}")
    n = game.n_agents
    joint = _others_joint(game, opponent, others)
    a_j = game.action_counts[opponent]
    lp = torch.full((game.n_states, a_j), -math.log(a_j), dtype=torch.float64) \
        if log_prior is None else log_prior

    def improve(q: torch.Tensor, weights: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        logits = lp + beta * sum_others(q * weights, opponent, n)  # (S, A_j)
        lse = torch.logsumexp(logits, -1)
        return torch.exp(logits - lse.unsqueeze(-1)), lse / beta

    if game.horizon is not None:
        v = torch.zeros(game.n_states, dtype=torch.float64)
        policies = []
        for t in reversed(range(game.horizon)):
            pol, v = improve(reward + game.transitions @ v, joint[t])
            policies.append(pol)
        return torch.stack(policies[::-1])
    gamma = float(game.gamma)  # type: ignore[arg-type]
    with torch.no_grad():
        v = torch.zeros(game.n_states, dtype=torch.float64)
        for _ in range(max_iter):
            new = improve(reward + gamma * (game.transitions @ v), joint)[1]
            done = (new - v).abs().max().item() < tol
            v = new
            if done:
                break
    sweeps = max(1, math.ceil(math.log(tol) / math.log(gamma))) if gamma > 0 else 1
    for _ in range(sweeps):
        pol, v = improve(reward + gamma * (game.transitions @ v), joint)
    return pol


def opponent_reward_model(inputs: OpponentInputs) -> torch.Tensor:
    """Agent ``inputs.name``'s Pyro program for opponent ``j``'s observed actions (module
    docstring).  Returns the implied policy rows ``(R, A_j)``."""
    d, j = inputs.n_features, inputs.opponent
    psi = pyro.sample(psi_site(inputs.name, inputs.opponent_name),
                      dist.Normal(torch.zeros(d, dtype=torch.float64),
                                  torch.full((d,), float(inputs.psi_scale), dtype=torch.float64))
                      .to_event(1))
    policy = soft_optimal_policy(inputs.game, j, linear_reward(inputs.features, psi),
                                 inputs.others, inputs.beta, inputs.log_prior)
    rows = pyro.deterministic(policy_site(inputs.name, inputs.opponent_name),
                              policy.reshape(-1, policy.shape[-1]))
    n_obs = int(inputs.rows.shape[0])
    with pyro.plate(f"{inputs.name}/observations/{inputs.opponent_name}", n_obs):
        pyro.sample(opponent_action_site(inputs.name, inputs.opponent_name),
                    dist.Categorical(probs=rows[inputs.rows]), obs=inputs.actions)
    return rows
