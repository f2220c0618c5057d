"""Non-atomic routing (the paper's Figure 2b): a network of edges with affine latencies
``l_e(x) = a_e + b_e x``, one origin-destination pair, a demand ``D`` routed over ``P`` paths,
and ``N`` agents who each control an equal share ``D / N`` and split it over the paths.

Agent ``i``'s cost is the total latency its flow experiences,
``C_i = sum_e x_e^i l_e(x_e)``.  Exact equilibria by convex optimisation (scipy, SLSQP on the
simplex; every program here is a convex quadratic):

* :func:`wardrop_equilibrium`: the non-atomic (Wardrop) equilibrium, the minimiser of the
  Beckmann potential ``sum_e int_0^{x_e} l_e``: every used path has the least latency;
* :func:`splittable_equilibrium`: the Nash equilibrium of the ``N`` agents, symmetric and
  unique, the minimiser of ``sum_e [(1 - 1/N) int_0^{x_e} l_e + (1/N) x_e l_e(x_e)]`` (the
  Wardrop condition for the marginal latencies ``l_e + (x_e / N) l_e'`` that agents with a
  share of the demand face).  As ``N`` grows it tends to the Wardrop equilibrium;
* :func:`best_response_cost` and :func:`routing_nash_conv`: each agent's exact best response
  against the others' splits and the sum of the gains (NashConv, in latency units per unit of
  demand).

:func:`braess` is the Braess network with ``l_sA = l_Bt = x / 2``, ``l_At = l_sB = 15 / 8`` and
``l_AB = 0``, demand 5: its Wardrop path flows are 1.25 / 1.25 / 2.5 (paths s-A-t, s-B-t,
s-A-B-t), every path costs 3.75, and removing the A-B link lowers the cost to 3.125 (Braess's
paradox).  :class:`RoutingGame` is the continuous-action game for MAI: actions are logits in
``[-5, 5]^P``, the split is their softmax, the reward minus the agent's mean latency per unit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from scipy.optimize import minimize

from vsg_pyro.games.continuous_base import ContinuousGame

__all__ = ["RoutingNetwork", "braess", "wardrop_equilibrium", "splittable_equilibrium",
           "best_response_cost", "routing_nash_conv", "RoutingGame", "routing_game"]


@dataclass(frozen=True)
class RoutingNetwork:
    """``incidence`` ``(P, E)`` 0/1 (path ``p`` uses edge ``e``), latencies ``a + b x`` per edge
    (``a``, ``b`` ``(E,)``, ``b >= 0``), ``demand`` > 0, ``path_names``."""

    incidence: np.ndarray
    a: np.ndarray
    b: np.ndarray
    demand: float
    path_names: tuple[str, ...]
    name: str = "routing"

    def __post_init__(self) -> None:
        inc = np.asarray(self.incidence, dtype=float)
        if inc.ndim != 2 or inc.shape[1] != len(self.a) or len(self.a) != len(self.b):
            raise ValueError("incidence must be (P, E) with E = len(a) = len(b)")
        if (np.asarray(self.b) < 0).any() or not self.demand > 0:
            raise ValueError("latency slopes must be >= 0 and the demand > 0")
        if len(self.path_names) != inc.shape[0]:
            raise ValueError("path_names: one per path")

    @property
    def n_paths(self) -> int:
        """The number of paths ``P``."""
        return int(np.asarray(self.incidence).shape[0])

    def edge_flows(self, path_flows: np.ndarray) -> np.ndarray:
        """Flow on every edge ``(E,)`` at path flows ``(P,)``."""
        return np.asarray(path_flows, dtype=float) @ np.asarray(self.incidence, dtype=float)

    def path_latencies(self, path_flows: np.ndarray) -> np.ndarray:
        """Latency of every path ``(P,)`` at total path flows ``(P,)``."""
        x = self.edge_flows(path_flows)
        return np.asarray(self.incidence, dtype=float) @ (self.a + self.b * x)


def braess() -> RoutingNetwork:
    """The Braess network of the module docstring (edges sA, At, sB, Bt, AB)."""
    inc = np.array([[1, 1, 0, 0, 0],   # s-A-t
                    [0, 0, 1, 1, 0],   # s-B-t
                    [1, 0, 0, 1, 1]])  # s-A-B-t
    return RoutingNetwork(inc, np.array([0.0, 15 / 8, 15 / 8, 0.0, 0.0]),
                          np.array([0.5, 0.0, 0.0, 0.5, 0.0]), 5.0, ("s-A-t", "s-B-t", "s-A-B-t"),
                          "braess")


def _simplex_minimize(fun, n: int, total: float) -> np.ndarray:
    x0 = np.full(n, total / n)
    res = minimize(fun, x0, method="SLSQP", bounds=[(0.0, total)] * n,
                   constraints=[{"type": "eq", "fun": lambda x: x.sum() - total}],
                   options={"ftol": 1e-14, "maxiter": 500})
    if not res.success:
        raise RuntimeError(f"scipy SLSQP failed: {res.message}")
    return np.clip(res.x, 0.0, None)


def wardrop_equilibrium(net: RoutingNetwork) -> np.ndarray:
    """Path flows ``(P,)`` of the Wardrop equilibrium (Beckmann potential minimiser)."""
    inc = np.asarray(net.incidence, dtype=float)

    def potential(f):
        x = f @ inc
        return float((net.a * x + 0.5 * net.b * x ** 2).sum())

    return _simplex_minimize(potential, net.n_paths, net.demand)


def splittable_equilibrium(net: RoutingNetwork, n_agents: int) -> np.ndarray:
    """Total path flows ``(P,)`` of the ``n_agents`` agents' symmetric Nash equilibrium (each
    agent routes ``1 / n_agents`` of them)."""
    if n_agents < 1:
        raise ValueError(f"n_agents: must be >= 1, got {n_agents}")
    inc = np.asarray(net.incidence, dtype=float)

    def potential(f):
        x = f @ inc
        integral = net.a * x + 0.5 * net.b * x ** 2
        return float(((1 - 1 / n_agents) * integral + (x * (net.a + net.b * x)) / n_agents).sum())

    return _simplex_minimize(potential, net.n_paths, net.demand)


def _agent_cost(net: RoutingNetwork, own: np.ndarray, others: np.ndarray) -> float:
    inc = np.asarray(net.incidence, dtype=float)
    x_own, x = own @ inc, (own + others) @ inc
    return float((x_own * (net.a + net.b * x)).sum())


def best_response_cost(net: RoutingNetwork, others: np.ndarray, share: float) -> float:
    """The least total latency an agent routing ``share`` can get against the others' total
    path flows ``others`` ``(P,)`` (a convex quadratic program)."""
    br = _simplex_minimize(lambda f: _agent_cost(net, f, others), net.n_paths, share)
    return _agent_cost(net, br, others)


def routing_nash_conv(net: RoutingNetwork, splits: np.ndarray) -> float:
    """``sum_i [C_i(split_i) - min C_i]`` per unit of demand, for ``splits`` ``(N, P)`` (each a
    probability vector over paths; agent ``i`` routes ``D / N``)."""
    splits = np.asarray(splits, dtype=float)
    n = splits.shape[0]
    share = net.demand / n
    flows = splits * share
    total = flows.sum(0)
    gain = 0.0
    for i in range(n):
        others = total - flows[i]
        gain += _agent_cost(net, flows[i], others) - best_response_cost(net, others, share)
    return gain / net.demand


@dataclass
class RoutingGame(ContinuousGame):
    """``n_agents`` agents splitting equal shares of ``network``'s demand (module docstring);
    stateless, ``episode_length`` plays per episode.  ``splits(actions)`` maps actions to path
    splits; rewards are minus each agent's mean latency per unit of its flow."""

    network: RoutingNetwork
    n_agents: int = 2
    episode_length: int = 25
    logit_range: float = 5.0

    def __post_init__(self) -> None:
        if self.n_agents < 1:
            raise ValueError(f"n_agents: must be >= 1, got {self.n_agents}")
        self.name = f"{self.network.name}_routing_{self.n_agents}"
        p = self.network.n_paths
        self.state_dim, self.action_dims = 0, (p,) * self.n_agents
        box = torch.full((p,), self.logit_range)
        self.lows, self.highs = (-box,) * self.n_agents, (box,) * self.n_agents
        self._inc = torch.as_tensor(np.asarray(self.network.incidence, dtype=float), dtype=torch.float32)
        self._a = torch.as_tensor(self.network.a, dtype=torch.float32)
        self._b = torch.as_tensor(self.network.b, dtype=torch.float32)

    def splits(self, actions: Sequence[torch.Tensor]) -> torch.Tensor:
        """``(N, P)`` path splits, the softmax of each agent's logits."""
        return torch.softmax(torch.stack([torch.as_tensor(a, dtype=torch.float32).reshape(-1)
                                          for a in actions]), -1)

    def reset(self, generator: torch.Generator | None = None) -> torch.Tensor:
        """The empty state ``(0,)`` (the game is stateless)."""
        return torch.zeros(0)

    def step(self, state: torch.Tensor, actions: Sequence[torch.Tensor]
             ) -> tuple[torch.Tensor, torch.Tensor, bool]:
        """Rewards ``(N,)``: minus each agent's mean latency per unit of its flow; never done."""
        share = self.network.demand / self.n_agents
        flows = self.splits(actions) * share  # (N, P)
        x = flows.sum(0) @ self._inc
        latency = self._inc @ (self._a + self._b * x)  # (P,)
        return state, -(flows @ latency) / share, False


def routing_game(network: str = "braess", n_agents: int = 2, episode_length: int = 25) -> RoutingGame:
    """:class:`RoutingGame` on a named network (``"braess"``)."""
    if network != "braess":
        raise ValueError(f"network: only 'braess' is built in, got {network!r}")
    return RoutingGame(braess(), n_agents, episode_length)
