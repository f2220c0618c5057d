"""Long experiments (``make test-slow``; not run in CI)."""

import numpy as np
import pytest
import torch

from vsg_pyro import solve
from vsg_pyro.games import markov_congestion_game, random_normal_form_game, random_stochastic_game
from vsg_pyro.metrics import entropy_bound, vpg_epsilon

pytestmark = pytest.mark.slow


def test_theorem_4_2_on_200_games():
    """Theorem 4.2 speaks of fixed points, so only converged runs count (non-converged runs are
    reported: at beta = 20 simultaneous NPG does not settle on some games).  Factorized family:
    never above the bound.  Conditional family: measured and printed (the default suite records
    its violations on 3x3 games); its executed policies are more exploitable."""
    worst = {(f, b): 0.0 for f in ("factorized", "conditional") for b in (1.0, 5.0, 20.0)}
    violations = dict.fromkeys(worst, 0)
    unconverged = dict.fromkeys(worst, 0)
    for seed in range(100):
        games = [random_normal_form_game([3, 4], seed),
                 random_stochastic_game(3, [2, 3], seed=seed, gamma=0.9)]
        for game in games:
            for family, beta in worst:
                r = solve(game, method="exact", family=family, beta=beta, init="random",
                          seed=seed, steps=5000)
                if not r.converged:
                    unconverged[family, beta] += 1
                    continue
                ratio = r.exploitability / entropy_bound(game, beta)
                worst[family, beta] = max(worst[family, beta], ratio)
                violations[family, beta] += ratio > 1.0
    print(f"\nworst exploitability / bound: {worst}\nviolations out of 200: {violations}"
          f"\nnot converged: {unconverged}")
    for beta in (1.0, 5.0, 20.0):
        assert violations["factorized", beta] == 0
        assert worst["conditional", beta] > worst["factorized", beta]


def test_svi_on_the_eight_agent_congestion_game():
    """65,536 joint actions: the Pyro programs reach the exact fixed point."""
    torch.set_num_threads(2)
    game = markov_congestion_game(reward_scale=1 / 48)
    kwargs = dict(family="factorized", beta=10.0, init="random", steps=100, tol=1e-8)
    exact = solve(game, method="exact", **kwargs)
    svi = solve(game, method="svi", **kwargs)
    assert exact.converged and svi.converged
    gap = max((a - b).abs().max().item() for a, b in zip(exact.policies, svi.policies,
                                                         strict=True))
    assert gap < 1e-6
    assert svi.exploitability <= vpg_epsilon(game, 10.0)
    assert np.isclose(svi.exploitability, exact.exploitability, atol=1e-6)
