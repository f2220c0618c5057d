"""clear_params drops exactly the named parameters, and a solver's run leaves a user's own
parameters (and other runs' guides) alone."""

import pyro
import torch

from vsg_pyro import solve
from vsg_pyro.infer.param_store import clear_params


def test_clears_only_the_named_parameters():
    for name in ("agent0/policy_logits", "agent0/my_extra", "agent1/policy_logits", "mine"):
        pyro.param(name, torch.zeros(2))
    assert clear_params(["agent0/policy_logits", "agent0/policy_logits", "absent"]) == [
        "agent0/policy_logits"]
    assert sorted(pyro.get_param_store().keys()) == ["agent0/my_extra", "agent1/policy_logits",
                                                     "mine"]


def test_a_run_keeps_other_parameters():
    pyro.param("agent0/my_extra", torch.ones(3))
    nash = solve("chicken", family="factorized", steps=30)
    before = nash.guides[0].policy_probs().clone()
    solve("chicken", concept="correlated", steps=3, warmup=1)  # its own guides' names only
    assert torch.equal(pyro.param("agent0/my_extra"), torch.ones(3))
    assert torch.equal(nash.guides[0].policy_probs(), before)
