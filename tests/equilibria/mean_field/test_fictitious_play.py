"""Fictitious play (the mean-field baseline): the average flow is the flow of the policy it
reports where the dynamics ignore the mean field, it finds left-right's known equilibrium,
and its exploitability falls with the averaging on rock-paper-scissors."""

import pytest
import torch

from vsg_pyro.equilibria.mean_field.fictitious_play import fictitious_play
from vsg_pyro.games import beach_bar, left_right, rock_paper_scissors_mfg
from vsg_pyro.metrics.mean_field import mean_field_flow


@pytest.mark.parametrize("make", [left_right, rock_paper_scissors_mfg, beach_bar])
def test_reported_policy_generates_the_average_flow(make):
    game = make()
    result = fictitious_play(game, 20)
    # with mean-field-independent dynamics the flow is linear in the state-action measure:
    # a mixture of flows is the flow of the mixture's natural policy
    assert torch.allclose(mean_field_flow(game, result.policy), result.average_flow, atol=1e-12)


def test_left_right_reaches_the_even_split():
    result = fictitious_play(left_right(), 10)
    # provenance: left-right's equilibrium sends half the crowd each way (symmetry)
    assert result.trace[0] > 1.0 and result.exploitability <= 1e-12
    arrivals = result.average_flow[1::2].sum(-1)[:, 1:]
    assert torch.allclose(arrivals, torch.full_like(arrivals, 0.5), atol=1e-12)


def test_rock_paper_scissors_exploitability_falls_with_the_averaging():
    trace = fictitious_play(rock_paper_scissors_mfg(), 1000).trace
    # measured 2026-12-03: 4.0 / 1.55 / 0.545 / 0.167 at 1 / 10 / 100 / 1,000 iterations
    assert trace[9] < 0.5 * trace[0] and trace[99] < 0.5 * trace[9] and trace[999] < 0.5 * trace[99]


def test_bad_iterations_are_refused():
    with pytest.raises(ValueError, match="iterations"):
        fictitious_play(left_right(), 0)
