"""Correlated equilibrium (Figure 3) against linear programs (HiGHS max-welfare CE) and the
regularisation bound; the Pyro programs against the exact updates."""

import math

import numpy as np
import pyro
import pytest
import torch

from vsg_pyro import solve
from vsg_pyro.core.schedules import geometric_beta
from vsg_pyro.equilibria.correlated.mediator import (
    incentive_features,
    max_obedience_margin,
    project_signal,
)
from vsg_pyro.games import get_game, random_stochastic_game
from vsg_pyro.guides import SignalGuide
from vsg_pyro.infer.elbo import EnumeratedGuideELBO
from vsg_pyro.infer.natural_gradient import natural_gradient
from vsg_pyro.metrics import entropy_bound, exploitability
from vsg_pyro.metrics.correlated import ce_gap, welfare
from vsg_pyro.models import MediatorInputs, mediator_model
from vsg_pyro.reference import max_welfare_correlated_equilibrium

RANDOM_GAMES = [f"random_{2 + s % 3}x{2 + (s // 3) % 3}_s{s}" for s in range(12)]  # 2x2 .. 4x4


def _correlated(game, beta, anneal=False, **kwargs):
    r = game.reward_range
    extra = dict(beta_schedule=geometric_beta(20 / r, beta / r, 300)) if anneal else {}
    return solve(game, concept="correlated", method=kwargs.pop("method", "exact"),
                 beta=beta / r, steps=kwargs.pop("steps", 1000), tol=1e-9, **extra, **kwargs)


SMALL_GAMES = {
    "stochastic": lambda: random_stochastic_game(2, [2, 3], seed=1, gamma=0.7),
    "finite_horizon": lambda: random_stochastic_game(2, [2, 2], seed=0, horizon=3),
}


@pytest.mark.parametrize("case", [("chicken", "private", "factorized"),
                                  ("chicken", "private", "conditional"),
                                  ("battle_of_the_sexes", "public", "factorized"),
                                  ("random_2x2x2_s1", "private", "factorized"),
                                  ("random_2x2x2_s1", "public", "conditional"),
                                  ("stochastic", "private", "factorized"),
                                  ("finite_horizon", "public", "conditional")], ids=str)
def test_svi_iterates_equal_the_exact_updates(case):
    name, signal, family = case
    game = SMALL_GAMES[name]() if name in SMALL_GAMES else get_game(name)
    size = dict(signal_size=3) if signal == "public" else {}
    kwargs = dict(concept="correlated", family=family, beta=1.5, steps=25, tol=0.0, seed=3,
                  signal=signal, warmup=5, **size)
    exact = solve(game, method="exact", **kwargs)
    svi = solve(game, method="svi", **kwargs)
    assert exact.iterations == svi.iterations == 25
    assert (exact.joint - svi.joint).abs().max().item() < 1e-9
    assert (exact.signal - svi.signal).abs().max().item() < 1e-9
    assert svi.elbo[0][-1] == pytest.approx(exact.elbo[0][-1], abs=1e-9)


def test_mediator_svi_step_is_the_mirror_step_to_the_projection():
    """One natural-gradient SVI step of the mediator program with rate 1 lands on the KL
    projection of exp(beta_sigma W) onto the correlated equilibria (its closed form)."""
    game = get_game("chicken")
    q = game.rewards.reshape(2, 1, 2, 2)  # (N, M, *J)
    score, _lam = project_signal(q.sum(0).reshape(1, -1), incentive_features(q), 0.5)
    pyro.clear_param_store()
    guide = SignalGuide("mediator", 1, 4)
    svi = pyro.infer.SVI(mediator_model, guide, natural_gradient([guide], 1.0),
                         loss=EnumeratedGuideELBO())
    svi.step(MediatorInputs("mediator", score, 0.5))
    expected = torch.softmax(0.5 * score, -1)
    np.testing.assert_allclose(guide.log_signal().exp().numpy(), expected.numpy(), atol=1e-12)
    joint = expected.reshape(2, 2)
    assert ce_gap(game, joint) < 1e-7  # the projection is a correlated equilibrium


def test_best_nash_welfare_of_chicken_by_hand():
    """Chicken's equilibria: the two pure ones (welfare 9) and the mixed one, P(D) = 1/3 for
    both (each earns 14/3: welfare 28/3); checked to be equilibria by exact exploitability."""
    game = get_game("chicken")
    mixed = torch.tensor([1 / 3, 2 / 3], dtype=torch.float64)
    pure = [torch.tensor([1.0, 0.0], dtype=torch.float64), torch.tensor([0.0, 1.0],
                                                                       dtype=torch.float64)]
    for profile in ([pure[0], pure[1]], [pure[1], pure[0]], [mixed, mixed]):
        assert exploitability(game, profile).exploitability < 1e-12
    assert welfare(game, mixed[:, None] * mixed[None, :]) == pytest.approx(28 / 3)


def test_chicken_private_recommendations_beat_every_nash_equilibrium():
    res = _correlated(get_game("chicken"), 2000.0, anneal=True)
    lp = max_welfare_correlated_equilibrium(get_game("chicken"))
    assert res.converged
    assert res.ce_gap <= 1e-3
    assert 28 / 3 < res.welfare <= lp.welfare + 1e-9  # measured 10.448 vs the LP's 10.5
    assert res.reference == pytest.approx(10.5)
    assert res.welfare > lp.welfare - 0.1


def test_chicken_public_signal_stays_within_the_nash_welfare():
    """The paper's Figure 3 (one public signal): play given the signal is a (quantal) Nash
    equilibrium, so the welfare cannot exceed the best Nash welfare 28/3."""
    game = get_game("chicken")
    for seed in range(3):
        res = _correlated(game, 20.0, signal="public", signal_size=4,
                          seed=seed)
        assert res.converged
        assert res.welfare <= 28 / 3 + 1e-9
        assert res.ce_gap <= math.log(2) / res.beta


@pytest.mark.parametrize("name", ["chicken", "battle_of_the_sexes"])
def test_classic_games_gap_within_the_bound_and_vanishing_under_annealing(name):
    game = get_game(name)
    fixed = _correlated(game, 20.0)
    assert fixed.converged
    assert fixed.ce_gap <= math.log(max(game.action_counts)) / fixed.beta
    annealed = _correlated(game, 2000.0, anneal=True)
    assert annealed.converged and annealed.ce_gap <= 1e-3 and annealed.cce_gap <= 1e-3


def test_random_games_gap_within_the_bound_and_vanishing_under_annealing():
    """12 seeded random two-player games (2x2 ... 4x4).  Measured (2026-12-01): the exact
    dynamics alone certify 9 (they cycle on seeds 4, 7, 11); with the fall-back to the path
    method all 12 certify.  Every run is counted; a converged run is within the bound, and
    within 1e-3 of a correlated equilibrium once beta is annealed, and never above the LP's
    welfare (HiGHS)."""
    converged, at_lp, rescued, fixed_converged = 0, 0, 0, 0
    for name in RANDOM_GAMES:
        game = get_game(name)
        bound = math.log(max(game.action_counts))
        fixed = _correlated(game, 20.0)
        annealed = _correlated(game, 2000.0, anneal=True)
        if fixed.converged:
            fixed_converged += 1
            assert fixed.ce_gap <= bound / fixed.beta, name
        if annealed.converged:
            converged += 1
            rescued += annealed.method == "path"
            assert annealed.ce_gap <= 1e-3, name
            assert annealed.welfare <= annealed.reference + 1e-3, name
            at_lp += annealed.welfare >= annealed.reference - 1e-3
    assert converged >= 11  # issue 13's acceptance; measured 12
    assert rescued >= 3 and at_lp >= 10
    assert fixed_converged >= 11  # every run counted; measured 12 (2026-12-03)


def test_stochastic_game_gap_within_the_entropy_bound():
    game = random_stochastic_game(3, [2, 2], seed=1, gamma=0.7)
    res = solve(game, concept="correlated", method="exact", beta=20.0, steps=2000, tol=1e-9)
    assert res.converged
    assert res.joint.shape == (3, 2, 2)
    assert res.ce_gap <= entropy_bound(game, 20.0)
    assert res.reference is None  # no LP reference for stochastic games


def test_largest_obedience_margin_by_hand():
    # chicken: recommended D needs sigma(D,C) >= (2 + kappa)/(1 - kappa) sigma(D,D) ...: at most 1
    q = get_game("chicken").rewards.reshape(2, 1, 2, 2)
    assert max_obedience_margin(q).item() == pytest.approx(1.0, abs=1e-6)
    # matching pennies: its only correlated equilibrium is uniform with every constraint binding
    q = get_game("matching_pennies").rewards.reshape(2, 1, 2, 2)
    assert max_obedience_margin(q).item() == pytest.approx(0.0, abs=1e-6)


def test_correlated_errors():
    with pytest.raises(ValueError, match="signal"):
        solve("chicken", concept="correlated", signal="telepathy")
    with pytest.raises(ValueError, match="signal_size"):
        solve("chicken", concept="correlated",
              signal="public", signal_size=0)
    with pytest.raises(ValueError, match="obedient"):
        solve("chicken", concept="correlated", init="obedient",
              signal="public")
    with pytest.raises(ValueError, match="margin"):
        solve("chicken", concept="correlated", margin=-1.0)
    for method in ("exact", "path"):  # the mediator's Pyro names: SVI only, never ignored
        with pytest.raises(ValueError, match="mediator_name: only with method='svi'"):
            solve("chicken", concept="correlated", method=method, mediator_name="m")
    with pytest.raises(ValueError, match="correlated_options"):
        solve("chicken", correlated_options=dict(margin=1.0))
    with pytest.raises(ValueError, match="log_priors"):
        zero = torch.log(torch.tensor([[1.0, 0.0]], dtype=torch.float64))
        solve("chicken", concept="correlated", log_priors=[zero, zero])
    with pytest.raises(TypeError, match="optimizer do not apply"):
        solve("chicken", concept="correlated", optimizer="adam")
    with pytest.raises(ValueError, match="signal_size: only for signal='public'"):
        solve("chicken", concept="correlated", signal_size=3)


def test_priors_reach_the_correlated_solver():
    prior = torch.log(torch.tensor([[0.999, 0.001]], dtype=torch.float64))
    res = solve("chicken", concept="correlated", method="exact", beta=0.5, log_priors=[prior] * 2)
    assert res.policies[0].reshape(-1)[0] > 0.99  # the prior dominates at this temperature


def test_conditional_family_with_a_sharp_mediator_stays_finite():
    """Regression: never-recommended actions left the conditional family's executed policy
    0/0 (NaN)."""
    res = solve("prisoners_dilemma", concept="correlated", family="conditional", method="exact",
                beta=5.0, steps=100, mediator_beta=1000.0)
    assert torch.isfinite(res.joint).all() and res.converged
    assert res.ce_gap <= math.log(2) / 5.0
