"""Plug your own variational family into the same SVI call.

A guide for agent i is any callable taking :class:`vsg_pyro.models.NashInputs` that samples the
Nash sites inside the agent's plate: one ``Categorical`` per opponent at
``opponent_site(i, j)`` (its opponent model) and the agent's own ``Categorical`` at
``action_site(i)`` (its policy).  Here: a plain-function guide whose policy is a softmax of a
per-state *score plus an action bias shared by all states*, i.e. a different (factorized)
parameterisation from the built-in tabular guide, trained with Adam.

Run:  python examples/custom_guide.py
"""

from __future__ import annotations

import pyro
import pyro.distributions as dist
import torch

from vsg_pyro import get_game, solve
from vsg_pyro.models import NashInputs, action_site, opponent_site, plate_name


def make_guide(agent_name: str, n_actions: int, rows: int):
    """A factorized softmax guide: logits[m, a] = scores[m, a] + bias[a]."""

    def guide(inputs: NashInputs) -> None:
        scores = pyro.param(f"{agent_name}/scores", torch.zeros(rows, n_actions,
                                                                dtype=torch.float64))
        bias = pyro.param(f"{agent_name}/bias", torch.zeros(n_actions, dtype=torch.float64))
        with pyro.plate(plate_name(agent_name), inputs.rows):
            for k, j in enumerate(inputs.others):  # opponent model: the given (exact) one
                pyro.sample(opponent_site(agent_name, inputs.agent_names[j]),
                            dist.Categorical(probs=inputs.opponent_model[k]))
            pyro.sample(action_site(agent_name), dist.Categorical(logits=scores + bias))

    return guide


def main() -> None:
    torch.set_num_threads(1)
    game = get_game("resource_commons")
    guides = [make_guide(game.agent_names[i], game.action_counts[i], game.n_states)
              for i in range(game.n_agents)]
    mine = solve(game, family="factorized", beta=2.0, guides=guides, optimizer="adam", lr=0.1,
                 lr_decay=0.999, steps=1500, tol=1e-9)
    exact = solve(game, family="factorized", beta=2.0, method="exact")
    gap = max((a - b).abs().max().item()
              for a, b in zip(mine.policies, exact.policies, strict=True))
    print(f"custom guide + Adam: {mine.iterations} steps, exploitability {mine.exploitability:.5f}")
    print(f"exact VPG:           {exact.iterations} steps, exploitability {exact.exploitability:.5f}")
    print(f"max |policy difference| = {gap:.2e}")


if __name__ == "__main__":
    main()
