"""The ArviZ converter: groups, shapes and diagnostics on draws with a known answer."""

import numpy as np
import pytest
import torch

from vsg_pyro.diagnostics import to_inference_data


def test_posterior_and_observed_groups_reach_arviz():
    import arviz as az

    rng = np.random.default_rng(0)
    data = to_inference_data({
        "posterior": {"psi": torch.as_tensor(rng.normal(size=(4, 500, 3))),
                      "tau": rng.normal(size=(4, 500))},
        "observed_data": {"actions": np.array([0, 1, 1, 2])},
    }, dims={"psi": ["feature"]}, coords={"feature": ["a", "b", "c"]})
    summary = az.summary(data)
    assert len(summary) == 4  # psi[a], psi[b], psi[c], tau
    rhat = np.asarray(az.rhat(data)["tau"])
    assert abs(float(rhat) - 1.0) < 0.02  # independent standard-normal chains mix perfectly
    assert np.asarray(data["observed_data"]["actions"]).tolist() == [0, 1, 1, 2]


def test_bad_shapes_are_refused():
    with pytest.raises(ValueError, match="chain, draw"):
        to_inference_data({"posterior": {"x": np.zeros(10)}})
    with pytest.raises(ValueError, match="at least one group"):
        to_inference_data({})
