"""The one loop (vsg_pyro.core.loop): stopping rules, step control composed with beta schedules,
certified convergence, the callback contract.

Known values come from arithmetic on toy solvers whose steps are written in the test, from a
numpy re-implementation of the logit residual, and (for the annealing comparison) from a
measurement of the pre-refactor code recorded below.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import pytest

from vsg_pyro import solve
from vsg_pyro.core.loop import LoopOptions, run_solver
from vsg_pyro.core.protocol import Certificate, StepInfo
from vsg_pyro.core.schedules import geometric_beta
from vsg_pyro.games import get_game


class Toy(NamedTuple):
    k: int


class ToySolver:
    """``change(k)`` and ``residual(k)`` written by the test; n_agents = 1."""

    concept, method, n_agents = "toy", "exact", 1

    def __init__(self, change, residual, threshold=1e-6):
        self.change, self.residual, self.threshold = change, residual, threshold
        self.calls: list[tuple[float, float]] = []

    def init(self, seed):
        return Toy(0)

    def step(self, state, beta, alpha):
        self.calls.append((beta, alpha))
        return Toy(state.k + 1), StepInfo(change=self.change(state.k, alpha), elbo=(beta,))

    def certificate(self, state, beta):
        return Certificate("toy residual", self.residual(state.k), self.threshold)

    def result(self, state, run):
        return state, run


def test_change_rule_stops_at_the_first_small_change_and_certifies():
    # change 2^-k: the first below 1e-3 is 2^-10 at step index 10, i.e. 11 steps.
    solver = ToySolver(lambda k, a: 2.0 ** -k, lambda k: 1e-9)
    state, run = run_solver(solver, 1.0, 0.5, LoopOptions(steps=100, tol=1e-3))
    assert run.iterations == 11 and state.k == 11
    assert run.converged and run.reason.startswith("certified")
    assert run.certificate == Certificate("toy residual", 1e-9, 1e-6)


def test_a_stall_is_not_convergence():
    # The step stops moving but the residual stays at 0.3: stopped, not converged, and why.
    solver = ToySolver(lambda k, a: 0.0, lambda k: 0.3)
    _, run = run_solver(solver, 1.0, 0.5, LoopOptions(steps=100, tol=1e-8))
    assert run.iterations == 1 and not run.converged
    assert run.reason.startswith("stalled") and "0.3 > 1e-06" in run.reason


def test_step_limit_verdict_is_the_certificate():
    solver = ToySolver(lambda k, a: 1.0, lambda k: 1e-7 if k >= 5 else 1.0)
    _, run = run_solver(solver, 1.0, 0.5, LoopOptions(steps=7))
    assert run.iterations == 7 and run.converged and run.reason.startswith("step limit")
    solver = ToySolver(lambda k, a: 1.0, lambda k: 1.0)
    _, run = run_solver(solver, 1.0, 0.5, LoopOptions(steps=7))
    assert not run.converged


def test_change_per_step_divides_by_alpha():
    # change = alpha * 2^-k with alpha = 1e-3: the plain rule (tol 1e-4) would stop at k = 4
    # (1e-3 / 16 < 1e-4); per unit step it needs 2^-k < 1e-4, k = 14, i.e. 15 steps.
    solver = ToySolver(lambda k, a: a * 2.0 ** -k, lambda k: 0.0)
    _, run = run_solver(solver, 1.0, 1e-3, LoopOptions(steps=100, tol=1e-4, adaptive_step=False,
                                                       stop_on="change_per_step"))
    assert run.iterations == 15
    _, run = run_solver(solver, 1.0, 1e-3, LoopOptions(steps=100, tol=1e-4, adaptive_step=False))
    assert run.iterations == 5


def test_certificate_rule_stops_when_it_holds_even_while_beta_moves():
    solver = ToySolver(lambda k, a: 1.0, lambda k: 10.0 / (k + 1), threshold=1.0)
    _, run = run_solver(solver, geometric_beta(1.0, 8.0, 100), 1.0,
                        LoopOptions(steps=50, stop_on="certificate", adaptive_step=False))
    # residual after step k (state.k = k + 1) is 10 / (k + 2) <= 1 first at k = 8: 9 steps.
    assert run.iterations == 9 and run.converged
    assert [e["certificate"] for e in run.trace][-1] == pytest.approx(1.0)


def test_step_control_waits_for_beta_to_settle():
    # Constant change 1.0 never shrinks, so the controller halves alpha once it has seen
    # patience + 1 = 26 settled steps.  The schedule ramps over 40 steps: steps k = 0..39 are
    # not settled (beta(k + 1) != beta(k)), k = 40 is the first settled one, so the 26th
    # settled update is at k = 65 and alpha halves from k = 66 on -- never during the ramp.
    solver = ToySolver(lambda k, a: 1.0, lambda k: 1.0)
    _, run = run_solver(solver, geometric_beta(1.0, 8.0, 40), 0.5, LoopOptions(steps=80))
    alphas = [e["alpha"] for e in run.trace]
    assert alphas[:66] == [0.5] * 66
    assert alphas[66:] == [0.25] * 14
    # A fixed beta: settled from the start, so the first halving is at k = 26.
    _, run = run_solver(ToySolver(lambda k, a: 1.0, lambda k: 1.0), 8.0, 0.5,
                        LoopOptions(steps=30))
    assert [e["alpha"] for e in run.trace].index(0.25) == 26


def test_alpha_as_a_function_of_beta_disables_control():
    solver = ToySolver(lambda k, a: 1.0, lambda k: 1.0)
    run_solver(solver, geometric_beta(1.0, 4.0, 10), lambda b: 0.1 / b, LoopOptions(steps=40))
    assert all(a == pytest.approx(0.1 / b) for b, a in solver.calls)


def test_callback_contract_is_the_same_for_every_solver():
    seen = []
    solver = ToySolver(lambda k, a: 2.0 ** -k, lambda k: 0.0)
    run_solver(solver, 2.0, 0.5, LoopOptions(steps=3, tol=0.0),
               callback=lambda step, info: seen.append((step, info)))
    assert [s for s, _ in seen] == [0, 1, 2]
    step, info = seen[1]
    assert info["iteration"] == 2 and info["beta"] == 2.0 and info["alpha"] == 0.5
    assert info["change"] == info["delta"] == 0.5 and info["elbo"] == [2.0]
    assert info["state"] == Toy(2) and info["loss"] == []


def test_bad_input_is_refused():
    solver = ToySolver(lambda k, a: float("nan"), lambda k: 0.0)
    with pytest.raises(FloatingPointError, match="NaN"):
        run_solver(solver, 1.0, 0.5)
    with pytest.raises(ValueError, match="beta"):
        run_solver(ToySolver(lambda k, a: 1.0, lambda k: 0.0), 0.0, 0.5)
    with pytest.raises(ValueError, match="beta_schedule"):
        run_solver(ToySolver(lambda k, a: 1.0, lambda k: 0.0), lambda k: 1.0 if k < 3 else -1.0,
                   0.5, LoopOptions(steps=10, tol=0.0))
    for bad in (dict(steps=0), dict(tol=-1.0), dict(stop_on="vibes"), dict(patience=0),
                dict(steps=True)):
        with pytest.raises(ValueError):
            LoopOptions(**bad)


def _logit_residual(game, policies, beta):
    """max_i |x_i - softmax(beta u_i(., x_-i))| of a two-player normal-form game (numpy)."""
    x = [p.reshape(-1).numpy() for p in policies]
    r = game.rewards.numpy().reshape(2, *game.action_counts)
    u = [r[0] @ x[1], r[1].T @ x[0]]
    out = 0.0
    for i in range(2):
        z = np.exp(beta * u[i] - (beta * u[i]).max())
        out = max(out, np.abs(x[i] - z / z.sum()).max())
    return out


@pytest.mark.parametrize("family", ["factorized", "conditional"])
@pytest.mark.parametrize("seed", [0, 3, 5])
def test_annealed_run_converges_where_the_fixed_beta_run_does(seed, family):
    # Measured on the pre-refactor code (e748687), default options, beta 1 -> 8 over 200 steps:
    # of random_4x4_s0..s5 the fixed-beta run converged on all 12 (seed x family), the
    # annealed one on 1 (the controller had shrunk the step during the ramp).
    game = get_game(f"random_4x4_s{seed}")
    fixed = solve(game, method="exact", family=family, beta=8.0, steps=3000)
    annealed = solve(game, method="exact", family=family, beta=8.0, steps=3000,
                     beta_schedule=geometric_beta(1.0, 8.0, 200))
    assert fixed.converged and annealed.converged
    assert annealed.beta == 8.0 and annealed.iterations > 200
    if family == "factorized":  # the certificate is the logit residual: check it by numpy
        for res in (fixed, annealed):
            assert res.certificate.value == pytest.approx(
                _logit_residual(game, res.policies, 8.0), abs=1e-12)
            assert res.certificate.value <= 1e-6


def test_annealed_svi_run_converges_too():
    game = get_game("random_4x4_s0")
    res = solve(game, method="svi", family="factorized", beta=8.0, steps=1000,
                beta_schedule=geometric_beta(1.0, 8.0, 200))
    assert res.converged and _logit_residual(game, res.policies, 8.0) <= 1e-6


def test_a_collapsed_step_reports_not_converged():
    # random_10x10_s1 at beta 15: the adaptive step halves down to 1.2e-4 and the change falls
    # below tol, but the logit residual (numpy) is 6.5e-5 > 1e-6.  Before issue 12 this run
    # reported converged=True (the flag meant "probabilities moved less than tol").
    game = get_game("random_10x10_s1")
    res = solve(game, method="exact", family="factorized", beta=15.0, steps=3000, fallback=False)
    residual = _logit_residual(game, res.policies, 15.0)
    assert not res.converged
    assert res.reason.startswith("stalled") and "the step shrank from 0.5" in res.reason
    assert res.trace[-1]["alpha"] < 1e-3 and res.trace[-1]["change"] < 1e-8
    assert residual > 1e-5 and res.certificate.value == pytest.approx(residual, abs=1e-12)
    assert not math.isnan(res.certificate.value)
    # By default the uncertified run falls back to path following, which certifies it.
    rescued = solve(game, method="exact", family="factorized", beta=15.0, steps=3000)
    assert rescued.method == "path" and rescued.converged
    assert rescued.reason.startswith("the exact run did not certify (stalled")
    assert _logit_residual(game, rescued.policies, 15.0) <= 1e-8
