"""Batched logit-QRE path following (vsg_pyro.equilibria.nash.batch_path), issue 14.

Independent truths: the logit fixed point pi_i = softmax(beta u_i(pi_-i)) recomputed here in
numpy; the scalar path follower (vsg_pyro.equilibria.nash.path, itself tested against a
numpy continuation in test_path.py), game by game; the scalar closed-form LogitSystem for
the batched equations; and the S-shaped branch of test_path.py's folding game.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from vsg_pyro import qre_batch
from vsg_pyro.equilibria.nash.batch_path import BatchLogitSystem
from vsg_pyro.equilibria.nash.branch import qre_at
from vsg_pyro.equilibria.nash.logit import LogitSystem
from vsg_pyro.games import get_game, normal_form_game


def _np_residual(pay: np.ndarray, xs: list[np.ndarray], beta: float) -> float:
    """max_i |x_i - softmax(beta u_i(x_-i))| for one game ``pay`` ``(N, A_1..A_N)``."""
    out = 0.0
    for i, x in enumerate(xs):
        t = pay[i]
        for j in reversed(range(len(xs))):
            if j != i:
                t = np.tensordot(t, xs[j], axes=([j], [0]))
        z = beta * t
        br = np.exp(z - z.max())
        out = max(out, float(np.abs(x - br / br.sum()).max()))
    return out


@pytest.mark.parametrize("shape, count, beta", [((2, 3, 3), 200, 5.0), ((2, 10, 10), 8, 3.0),
                                                ((3, 3, 3, 3), 12, 4.0)])
def test_batch_equals_the_scalar_path_and_is_a_fixed_point(shape, count, beta):
    rng = np.random.default_rng(sum(shape) + count)
    pays = [rng.integers(-9, 10, size=shape).astype(float) for _ in range(count)]
    res = qre_batch(pays, beta)
    assert res.beta == beta and bool(res.converged.all()) and not bool(res.rescued.any())
    assert [tuple(p.shape) for p in res.policies] == [(count, a) for a in shape[1:]]
    for k in range(count):
        xs = [p[k].numpy() for p in res.policies]
        assert _np_residual(pays[k], xs, beta) <= 1e-10
        assert float(res.residuals[k]) == pytest.approx(_np_residual(pays[k], xs, beta),
                                                        abs=1e-14)
    for k in range(0, count, max(1, count // 6)):  # the scalar follower, game by game
        (_, single, _), = qre_at(normal_form_game(pays[k], f"g{k}"), [beta])
        for a, b in zip(single, res.policies, strict=True):
            np.testing.assert_allclose(a.numpy(), b[k].numpy(), atol=1e-8)


def test_the_folding_branch_is_followed_in_a_batch():
    # test_path.py's S-shaped game (folds at beta ~1.18 and ~1.07) next to two plain games:
    # the batch passes both folds itself (no game handed to the scalar solver; Newton in beta
    # alone is singular at a fold) and returns the scalar follower's point at beta 3.
    fold = np.random.default_rng(20).integers(-9, 10, size=(2, 3, 3)).astype(float)
    others = [np.random.default_rng(s).integers(-9, 10, size=(2, 3, 3)).astype(float)
              for s in (1, 2)]
    res = qre_batch([others[0], fold, others[1]], 3.0)
    assert bool(res.converged.all()) and not bool(res.rescued.any())
    (_, single, _), = qre_at(normal_form_game(fold, "fold"), [3.0])
    for a, b in zip(single, res.policies, strict=True):
        np.testing.assert_allclose(a.numpy(), b[1].numpy(), atol=1e-8)


def test_batched_equations_and_jacobian_equal_the_scalar_system():
    rng = np.random.default_rng(3)
    pays = rng.uniform(-1, 1, (4, 3, 2, 3, 2))  # 4 three-player games
    priors = [np.log(rng.dirichlet(np.ones(a), 4)) for a in (2, 3, 2)]
    system = BatchLogitSystem([pays[:, i] for i in range(3)], priors)
    z = np.concatenate([np.log(rng.uniform(0.1, 0.9, (4, 7))), rng.uniform(0, 3, (4, 1))], 1)
    h, jac = system.evaluate(z, np.arange(4))
    for k in range(4):
        single = LogitSystem([torch.from_numpy(pays[k, i]) for i in range(3)],
                             [torch.from_numpy(p[k]) for p in priors])
        h1, j1 = single.evaluate(z[k])
        np.testing.assert_allclose(h[k], h1, atol=1e-14)
        np.testing.assert_allclose(jac[k], j1, atol=1e-14)


def test_bad_input_is_refused_and_games_are_accepted():
    with pytest.raises(ValueError, match="same shape"):
        qre_batch([np.zeros((2, 2, 2)), np.zeros((2, 3, 3))], 1.0)
    with pytest.raises(ValueError, match="beta"):
        qre_batch([np.zeros((2, 2, 2))], 0.0)
    with pytest.raises(ValueError, match="finite"):
        qre_batch([np.full((2, 2, 2), np.nan)], 1.0)
    with pytest.raises(ValueError, match="no games"):
        qre_batch([], 1.0)
    with pytest.raises(ValueError, match="normal-form"):
        qre_batch([get_game("resource_commons")], 1.0)
    res = qre_batch([get_game("chicken"), get_game("matching_pennies")], 2.0)
    np.testing.assert_allclose(res.policies[0][1].numpy(), [0.5, 0.5], atol=1e-12)  # symmetric


def test_cli_qre_batch(capsys):
    import json

    from vsg_pyro.cli import main

    assert main(["qre-batch", "chicken", "battle_of_the_sexes", "--lambda", "2", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [g["game"] for g in doc["games"]] == ["chicken", "battle_of_the_sexes"]
    for g in doc["games"]:
        pay = get_game(g["game"]).rewards.numpy().reshape(2, 2, 2)
        assert g["converged"] and _np_residual(pay, [np.array(p) for p in g["policies"]],
                                               2.0) <= 1e-10
    assert main(["qre-batch", "chicken", "random_3x3_s0", "--lambda", "2"]) == 2
    assert "same shape" in capsys.readouterr().err
