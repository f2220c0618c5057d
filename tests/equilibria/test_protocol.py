"""Every concept x method behind the one protocol: ``init``/``step`` driven by hand, SVI iterates
equal to the exact iterates (1e-9), ``solve`` reaching each through the table, and the table
refusing options a concept does not take.

The exact solvers are the closed-form updates (eq. 4, eq. 12, the mediator's projection); the
SVI solvers run Pyro's SVI on the models and guides, so agreement checks one against the other.
"""

from __future__ import annotations

import dataclasses

import pytest
import torch

from vsg_pyro import solve
from vsg_pyro.core.protocol import Certificate, Solver, StepInfo
from vsg_pyro.equilibria import correlated, mean_field, nash, zero_sum
from vsg_pyro.equilibria.correlated.mediator import default_mediator
from vsg_pyro.equilibria.correlated.signals import SignalStructure
from vsg_pyro.equilibria.results import (
    CorrelatedSolution,
    MeanFieldSolution,
    NashSolution,
    ZeroSumSolution,
)
from vsg_pyro.games import get_game, get_mean_field_game, random_stochastic_game


def _pair(concept: str, name: str):
    """(exact solver, SVI solver, step size) of one concept on one game."""
    if concept == "nash":
        game = get_game(name) if isinstance(name, str) else name
        return nash.exact.Solver(game, "conditional", "random"), \
            nash.svi.Solver(game, "conditional", "random"), 0.5
    if concept == "nash-factorized":
        game = get_game(name) if isinstance(name, str) else name
        return nash.exact.Solver(game, "factorized", "random"), \
            nash.svi.Solver(game, "factorized", "random"), 0.3
    if concept == "zero-sum":
        game = get_game(name)
        return zero_sum.exact.Solver(game, init="random"), \
            zero_sum.svi.Solver(game, init="random"), 0.05
    if concept == "correlated":
        game = get_game(name)
        structure = SignalStructure.build("private", game.action_counts)
        mediator = default_mediator(game, None, 2.0, 0.5)
        return correlated.exact.Solver(game, structure, mediator=mediator, warmup=3), \
            correlated.svi.Solver(game, structure, mediator=mediator, warmup=3), 0.5
    game = get_mean_field_game(name)
    return mean_field.exact.Solver(game, optimistic=True), \
        mean_field.svi.Solver(game, optimistic=True, lr=1.0), 1.0


def _flat(state) -> list[torch.Tensor]:
    out = []
    for field in state:
        if isinstance(field, torch.Tensor):
            out.append(field)
        elif isinstance(field, tuple):
            out += [t for t in field if isinstance(t, torch.Tensor)]
    return out


CASES = [("nash", "chicken"), ("nash", "resource_commons"),
         ("nash-factorized", random_stochastic_game(2, [2, 3], seed=4, horizon=3)),
         ("zero-sum", "biased_rock_paper_scissors"), ("correlated", "chicken"),
         ("mean-field", "rps_mfg")]


@pytest.mark.parametrize("concept,name", CASES, ids=[f"{c}-{getattr(n, 'name', n)}"
                                                    for c, n in CASES])
def test_svi_iterates_equal_exact_iterates_through_the_protocol(concept, name):
    exact, svi, alpha = _pair(concept, name)
    assert isinstance(exact, Solver) and isinstance(svi, Solver)
    a, b = exact.init(3), svi.init(3)
    if hasattr(exact, "prepare"):
        a, b = exact.prepare(a, 2.0), svi.prepare(b, 2.0)
    worst = 0.0
    for _ in range(25):
        a, info_a = exact.step(a, 2.0, alpha)
        b, info_b = svi.step(b, 2.0, alpha)
        assert isinstance(info_a, StepInfo) and isinstance(info_b, StepInfo)
        assert type(a) is type(b)
        for x, y in zip(_flat(a), _flat(b), strict=True):
            finite = torch.isfinite(x)
            assert torch.equal(finite, torch.isfinite(y))
            worst = max(worst, (x[finite] - y[finite]).abs().max().item())
        assert info_a.change == pytest.approx(info_b.change, abs=1e-9)
        assert info_a.elbo == pytest.approx(info_b.elbo, abs=1e-9)
    assert worst < 1e-9
    ca, cb = exact.certificate(a, 2.0), svi.certificate(b, 2.0)
    assert isinstance(ca, Certificate) and ca.name == cb.name
    assert ca.value == pytest.approx(cb.value, abs=1e-9)


def test_svi_solver_continues_from_its_latest_state_only():
    solver = nash.svi.Solver(get_game("chicken"))
    first = solver.init(0)
    second, _ = solver.step(first, 1.0, 0.5)
    with pytest.raises(ValueError, match="latest state"):
        solver.step(first, 1.0, 0.5)
    solver.step(second, 1.0, 0.5)


RESULT_TYPES = {"nash": NashSolution, "zero-sum": ZeroSumSolution,
                "correlated": CorrelatedSolution, "mean-field": MeanFieldSolution}
GAMES = {"nash": "chicken", "zero-sum": "biased_rock_paper_scissors", "correlated": "chicken",
         "mean-field": "rps_mfg"}


@pytest.mark.parametrize("method", ["exact", "svi"])
@pytest.mark.parametrize("concept", sorted(RESULT_TYPES))
def test_every_concept_and_method_through_solve(concept, method):
    res = solve(GAMES[concept], concept=concept, method=method, steps=5)
    assert type(res) is RESULT_TYPES[concept]
    assert (res.concept, res.method, res.iterations) == (concept, method, 5)
    assert res.converged == res.certificate.holds
    assert isinstance(res.reason, str) and res.reason
    assert res.parameters["steps"] == 5 and "callback" not in res.parameters
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.converged = True  # type: ignore[misc]
    assert len(res.trace) == 5 and set(res.trace[0]) >= {"iteration", "beta", "alpha", "change"}


@pytest.mark.parametrize("concept,option", [
    ("mean-field", {"opponent": nash.ExactOpponent()}), ("mean-field", {"tol": 1e-3}),
    ("mean-field", {"family": "factorized"}), ("mean-field", {"seed": 1}),
    ("correlated", {"guides": []}), ("correlated", {"optimizer": "adam"}),
    ("zero-sum", {"opponent": nash.OptimisticOpponent()}), ("zero-sum", {"signal": "public"}),
    ("nash", {"damping": 0.5}), ("nash", {"margin": 1.0}), ("nash", {"typo_option": 1})])
def test_options_a_concept_does_not_take_are_refused(concept, option):
    (name,) = option
    with pytest.raises(TypeError, match=f"option\\(s\\) {name} do not apply"):
        solve(GAMES[concept], concept=concept, **option)


def test_inapplicable_values_are_refused():
    with pytest.raises(ValueError, match="guides"):
        solve("chicken", method="exact", guides=[None, None])
    with pytest.raises(ValueError, match="lr"):
        solve("chicken", lr=0.1)
    with pytest.raises(ValueError, match="adaptive_step"):
        solve("matching_pennies", concept="zero-sum", adaptive_step=True)
    with pytest.raises(ValueError, match="OptimisticOpponent"):
        solve("chicken", method="exact", opponent=nash.OptimisticOpponent())
    with pytest.raises(TypeError, match="OpponentModel"):
        solve("chicken", opponent="optimistic")
    with pytest.raises(ValueError, match="signal_size"):
        solve("chicken", concept="correlated", signal_size=3)
    with pytest.raises(ValueError, match="concept"):
        solve("chicken", concept="coarse")
    with pytest.raises(ValueError, match="method"):
        solve("chicken", method="mcmc")


def test_legacy_keywords_warn_and_match_the_new_ones():
    with pytest.warns(DeprecationWarning, match="correlated_options"):
        old = solve("chicken", concept="correlated", method="exact", steps=20,
                    correlated_options={"margin": 1.0, "warmup": 3})
    new = solve("chicken", concept="correlated", method="exact", steps=20, margin=1.0, warmup=3)
    assert torch.equal(old.joint, new.joint)
    with pytest.warns(DeprecationWarning, match="mean_field_options"):
        old = solve("rps_mfg", concept="mean-field", method="exact", steps=20, beta=0.5,
                    mean_field_options={"optimistic": True})
    new = solve("rps_mfg", concept="mean-field", method="exact", steps=20, beta=0.5,
                optimistic=True)
    assert torch.equal(old.policies[0], new.policies[0])
    with pytest.warns(DeprecationWarning, match="opponent_mode"):
        old = solve("chicken", steps=20, opponent_mode="optimistic", family="factorized")
    new = solve("chicken", steps=20, opponent=nash.OptimisticOpponent(), family="factorized")
    assert all(torch.equal(x, y) for x, y in zip(old.policies, new.policies, strict=True))
    with pytest.raises(ValueError, match="only for concept='mean-field'"):
        solve("chicken", mean_field_options={"damping": 0.5})
