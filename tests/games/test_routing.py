"""The non-atomic routing game (Figure 2b) and its exact equilibria by convex optimisation."""

import numpy as np
import pytest
import torch

from vsg_pyro.games.continuous import get_continuous_game
from vsg_pyro.games.routing import (
    RoutingNetwork,
    best_response_cost,
    braess,
    routing_nash_conv,
    splittable_equilibrium,
    wardrop_equilibrium,
)


def test_braess_wardrop_equilibrium_by_hand():
    """By hand: with all three paths used and f1 = f2 = a, f3 = 5 - 2a, the latencies are
    (5 - a)/2 + 15/8 and 5 - a; equal at a = 1.25, cost 3.75."""
    net = braess()
    flows = wardrop_equilibrium(net)
    assert np.allclose(flows, [1.25, 1.25, 2.5], atol=1e-6)
    assert np.allclose(net.path_latencies(flows), 3.75, atol=1e-6)
    # Braess's paradox: without the A-B link (path 3 unusable) the equilibrium cost is 3.125
    two = RoutingNetwork(net.incidence[:2], net.a, net.b, 5.0, net.path_names[:2])
    assert np.allclose(two.path_latencies(wardrop_equilibrium(two)), 3.125, atol=1e-6)


def test_splittable_equilibrium_is_a_nash_equilibrium_and_tends_to_wardrop():
    net = braess()
    for n in (2, 5):
        flows = splittable_equilibrium(net, n)
        splits = np.tile(flows / net.demand, (n, 1))
        assert routing_nash_conv(net, splits) < 1e-6
    # two agents internalise the congestion: the system optimum (2.5, 2.5, 0), cost 3.125
    assert np.allclose(splittable_equilibrium(net, 2), [2.5, 2.5, 0.0], atol=1e-6)
    assert np.allclose(splittable_equilibrium(net, 400), wardrop_equilibrium(net), atol=0.02)
    # the Wardrop flows are not a Nash equilibrium of two agents: each gains by leaving path 3
    assert routing_nash_conv(net, np.tile(wardrop_equilibrium(net) / 5, (2, 1))) > 0.3


def test_best_response_cost_by_brute_force():
    net = braess()
    others = np.array([1.0, 0.5, 1.0])
    grid = [(x, y, 2.5 - x - y) for x in np.linspace(0, 2.5, 101) for y in np.linspace(0, 2.5, 101)
            if x + y <= 2.5 + 1e-12]
    inc = np.asarray(net.incidence, dtype=float)

    def cost(f):
        f = np.array(f)
        x = (f + others) @ inc
        return float(((f @ inc) * (net.a + net.b * x)).sum())

    brute = min(cost(f) for f in grid)
    assert best_response_cost(net, others, 2.5) <= brute + 1e-9
    assert best_response_cost(net, others, 2.5) == pytest.approx(brute, abs=1e-3)


def test_routing_game_rewards():
    game = get_continuous_game("braess_routing", n_agents=2)
    big = torch.tensor([5.0, 5.0, -5.0])  # almost all on paths 1 and 2
    _, r, _ = game.step(game.reset(), [big, big])
    splits = game.splits([big, big]).numpy()
    flows = splits.sum(0) * 2.5
    expected = -(splits[0] * 2.5) @ braess().path_latencies(flows) / 2.5
    assert r[0].item() == pytest.approx(expected, rel=1e-5)
    assert game.action_dims == (3, 3)
    with pytest.raises(ValueError, match="n_agents"):
        get_continuous_game("braess_routing", n_agents=0)
