"""clear_agent_params drops exactly the named agents' parameters (``"{agent}/..."``)."""

import pyro
import torch

from vsg_pyro.infer.param_store import clear_agent_params


def test_clears_only_the_named_agents():
    for name in ("agent0/policy_logits", "agent0/opponent_logits/agent1", "agent1/policy_logits",
                 "agent01/policy_logits", "mediator/signal_logits", "mine"):
        pyro.param(name, torch.zeros(2))
    dropped = clear_agent_params(["agent0", "mediator"])
    assert sorted(dropped) == ["agent0/opponent_logits/agent1", "agent0/policy_logits",
                               "mediator/signal_logits"]
    assert sorted(pyro.get_param_store().keys()) == ["agent01/policy_logits",
                                                     "agent1/policy_logits", "mine"]
