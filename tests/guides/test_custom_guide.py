"""A user's own guide plugs into the same SVI call (examples/custom_guide.py)."""

import importlib.util
from pathlib import Path

import pytest

from vsg_pyro import get_game, solve

_spec = importlib.util.spec_from_file_location(
    "custom_guide", Path(__file__).parents[2] / "examples" / "custom_guide.py")
custom_guide = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(custom_guide)


def _guides(game):
    return [custom_guide.make_guide(game.agent_names[i], game.action_counts[i], game.n_states)
            for i in range(game.n_agents)]


def test_custom_guide_reaches_the_exact_factorized_fixed_point():
    game = get_game("resource_commons")
    mine = solve(game, family="factorized", beta=2.0, guides=_guides(game), optimizer="adam",
                 lr=0.1, lr_decay=0.999, steps=1500, tol=1e-9)
    exact = solve(game, family="factorized", beta=2.0, method="exact")
    assert mine.converged
    gap = max((a - b).abs().max().item() for a, b in zip(mine.policies, exact.policies,
                                                         strict=True))
    assert gap <= 1e-4
    assert mine.exploitability == pytest.approx(exact.exploitability, abs=1e-4)


def test_natural_gradient_needs_a_fisher_aware_guide():
    game = get_game("resource_commons")
    with pytest.raises(ValueError, match="fisher_diagonal"):
        solve(game, family="factorized", guides=_guides(game), optimizer="natural")
    with pytest.raises(ValueError, match="one per agent"):
        solve(game, family="factorized", guides=_guides(game)[:1], optimizer="adam")


def test_your_own_guides_name_their_family():
    # The certificate is the family's residual, and the solver cannot see a guide's family.
    game = get_game("resource_commons")
    with pytest.raises(ValueError, match="family: give family="):
        solve(game, guides=_guides(game), optimizer="adam")
