"""Pyro's argument validation on the SVI solvers' hot path (vsg_pyro.infer.validation),
issue 14.

Independent truths: the same solver run with validation on (Pyro's default) is the
reference; with it off the iterates must be bit-identical (validation only checks, it does
not compute).  Whether validation was on during a step is read from Pyro itself
(``pyro.infer.util.is_validation_enabled``) inside the step.
"""

from __future__ import annotations

import pytest
import torch
from pyro.infer.util import is_validation_enabled

from vsg_pyro import get_game, solve
from vsg_pyro.equilibria.nash import svi as nash_svi
from vsg_pyro.infer.validation import check_validate


def test_check_validate():
    assert check_validate(None, user_guides=False) is False
    assert check_validate(None, user_guides=True) is True
    assert check_validate(True, user_guides=False) is True
    assert check_validate(False, user_guides=True) is False
    with pytest.raises(ValueError, match="validate"):
        check_validate("yes", user_guides=False)  # type: ignore[arg-type]


def _seen_during_steps(monkeypatch) -> list[bool]:
    seen: list[bool] = []
    step = nash_svi.DecentralizedNashSVI.step

    def spy(self, *args, **kwargs):
        seen.append(is_validation_enabled())
        return step(self, *args, **kwargs)

    monkeypatch.setattr(nash_svi.DecentralizedNashSVI, "step", spy)
    return seen


@pytest.mark.parametrize("game", ["chicken", "resource_commons"])
def test_nash_svi_iterates_do_not_depend_on_validation(game, monkeypatch):
    seen = _seen_during_steps(monkeypatch)
    runs = {}
    for validate in (True, False, None):
        seen.clear()
        runs[validate] = solve(game, method="svi", family="factorized", beta=2.0,
                               validate=validate, fallback=False)
        assert seen and set(seen) == {bool(validate)}  # None: off with the built-in guides
    assert is_validation_enabled()  # the global setting is left as it was
    for validate in (False, None):
        assert runs[validate].iterations == runs[True].iterations
        for a, b in zip(runs[validate].policies, runs[True].policies, strict=True):
            assert torch.equal(a, b)
        assert [e["change"] for e in runs[validate].trace] == \
            [e["change"] for e in runs[True].trace]


def test_own_guides_are_validated_by_default(monkeypatch):
    from vsg_pyro.equilibria.nash.opponents import ExactOpponent

    seen = _seen_during_steps(monkeypatch)
    game = get_game("chicken")
    guides = nash_svi.tabular_guides(game, "factorized", ExactOpponent(), "uniform", 0)
    solve(game, method="svi", family="factorized", guides=guides, steps=3)
    assert seen and all(seen)


def test_correlated_and_mean_field_svi_are_unchanged_without_validation():
    a = solve("chicken", concept="correlated", method="svi", beta=3.0, steps=30,
              validate=True)
    b = solve("chicken", concept="correlated", method="svi", beta=3.0, steps=30)
    assert torch.equal(a.joint, b.joint) and a.iterations == b.iterations
    a = solve("left_right", concept="mean-field", method="svi", steps=5, validate=True)
    b = solve("left_right", concept="mean-field", method="svi", steps=5)
    assert torch.equal(a.policies[0], b.policies[0])


def test_validate_is_refused_where_no_pyro_program_runs():
    for concept in ("nash", "zero-sum", "correlated"):
        with pytest.raises(ValueError, match="validate"):
            solve("matching_pennies", concept=concept, method="exact", validate=False)
    with pytest.raises(ValueError, match="validate"):
        solve("chicken", method="path", validate=True)
    with pytest.raises(ValueError, match="validate"):
        solve("left_right", concept="mean-field", method="exact", validate=True)
