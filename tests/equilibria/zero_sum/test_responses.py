"""§5.4's two opponent responses by name: the paper's literal formula against a closed form
written here, and where each certifies (measured; non-converged runs are asserted as such)."""

import numpy as np
import pytest
import torch

from vsg_pyro import solve
from vsg_pyro.equilibria.zero_sum.response import RESPONSES, ZeroSumOpponent
from vsg_pyro.games import get_game


def test_literal_response_is_the_soft_best_response_to_the_prior():
    game = get_game("rock_paper_scissors")
    gen = torch.Generator().manual_seed(0)
    # a normal-form game is one step of one state: shapes (H=1, S=1, ...)
    policy = torch.softmax(torch.randn(1, 1, 3, generator=gen, dtype=torch.float64), -1)
    current = torch.softmax(torch.randn(1, 1, 3, generator=gen, dtype=torch.float64), -1)
    joint = current.reshape(1, 1, 1, 3)
    q = game.rewards[0][None]  # Q_0 = r_0, (1, 1, 3, 3)
    got = ZeroSumOpponent("literal").respond(game, 0, policy, joint, q, 4.0, 0.1, None)
    # closed form (numpy): p* ∝ pi0 exp(-beta E_{a_0 ~ pi_0} r_0(a_0, .)), pi0 uniform
    qbar = policy.numpy()[0, 0] @ game.rewards[0, 0].numpy()
    expected = np.exp(-4.0 * (qbar - qbar.min()))
    np.testing.assert_allclose(got.reshape(-1).numpy(), expected / expected.sum(), atol=1e-15)
    # the tempered response at alpha = 1 is the same formula
    tempered = ZeroSumOpponent("tempered").respond(game, 0, policy, joint, q, 4.0, 1.0, None)
    np.testing.assert_allclose(tempered.numpy(), got.numpy(), atol=1e-15)


def test_unknown_response_is_refused():
    assert RESPONSES == ("tempered", "literal")
    with pytest.raises(ValueError, match="response"):
        ZeroSumOpponent("paper")
    with pytest.raises(ValueError, match="response"):
        solve("matching_pennies", concept="zero-sum", method="exact", response="paper")


@pytest.mark.parametrize("name, beta", [("matching_pennies", 5.0), ("matching_pennies", 20.0),
                                        ("rock_paper_scissors", 20.0)])
def test_tempered_certifies_where_the_literal_cycles(name, beta):
    tempered = solve(name, concept="zero-sum", method="exact", beta=beta, init="random",
                     steps=3000)
    literal = solve(name, concept="zero-sum", method="exact", beta=beta, init="random",
                    steps=3000, response="literal")
    # provenance: both games' unique equilibrium is uniform play, exploitability 0
    assert tempered.converged and tempered.exploitability <= 1e-7
    for p in tempered.policies:
        assert torch.allclose(p, torch.full_like(p, 1 / p.numel()), atol=1e-7)
    # measured: the literal run's certificate stays at 0.2-0.6 (exploitability 0.04-0.24)
    assert not literal.converged and literal.certificate.value > 0.05
    assert literal.exploitability > 0.01


@pytest.mark.parametrize("name, beta", [("matching_pennies", 1.0), ("rock_paper_scissors", 5.0)])
def test_literal_certifies_at_small_beta(name, beta):
    result = solve(name, concept="zero-sum", method="exact", beta=beta, init="random",
                   steps=3000, response="literal")
    assert result.converged and result.exploitability <= 1e-7  # uniform play, as above
