"""Record the golden trajectories of tests/regression/test_golden_trajectories.py.

Run once, on the code *before* the solver-core refactor (issue 12), as
``python tests/regression/record_golden.py``; it writes ``golden_2026-12-01.pt``: for each
concept x method on two games, the first 50 iterates of every solver state (policies,
opponent models, signal distribution, mean-field policy) as the pre-refactor code produced
them.  These are regression pins (the code's own output), not independent truths: they show
that moving the code changed no iterate.

Recorded 2026-12-01 on commit e748687 (main before issue 12), torch 2.13.0 CPU, 1 thread.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pyro
import torch

import vsg_pyro.mean_field_svi as mf_svi
import vsg_pyro.solvers.correlated as corr
import vsg_pyro.solvers.mean_field as mf_exact
import vsg_pyro.solvers.vpg as vpg
from vsg_pyro import solve
from vsg_pyro.joint import joint_axis
from vsg_pyro.schedules import geometric_beta

STEPS = 50
OUT = Path(__file__).with_name("golden_2026-12-01.pt")

# (key, solve kwargs): every run uses tol=0 so that none stops before STEPS iterations.
CASES = [
    ("nash/exact/chicken", dict(game="chicken", concept="nash", method="exact", beta=2.0)),
    ("nash/svi/chicken", dict(game="chicken", concept="nash", method="svi", beta=2.0)),
    ("nash/exact/resource_commons", dict(game="resource_commons", concept="nash",
                                         method="exact", family="factorized", beta=1.0)),
    ("nash/svi/resource_commons", dict(game="resource_commons", concept="nash",
                                       method="svi", family="factorized", beta=1.0)),
    ("nash/exact/random_4x4_s3_annealed", dict(game="random_4x4_s3", concept="nash",
                                               method="exact", family="factorized",
                                               beta_schedule=geometric_beta(1.0, 8.0, 30))),
    ("zero-sum/exact/biased_rock_paper_scissors", dict(
        game="biased_rock_paper_scissors", concept="zero-sum", method="exact", beta=5.0)),
    ("zero-sum/svi/biased_rock_paper_scissors", dict(
        game="biased_rock_paper_scissors", concept="zero-sum", method="svi", beta=5.0)),
    ("zero-sum/exact/zs_random_3x3_s1", dict(game="zs_random_3x3_s1", concept="zero-sum",
                                             method="exact", beta=3.0)),
    ("zero-sum/svi/zs_random_3x3_s1", dict(game="zs_random_3x3_s1", concept="zero-sum",
                                           method="svi", beta=3.0)),
    ("correlated/exact/chicken", dict(game="chicken", concept="correlated", method="exact",
                                      beta=4.0, correlated_options={"warmup": 5})),
    ("correlated/svi/chicken", dict(game="chicken", concept="correlated", method="svi",
                                    beta=4.0, correlated_options={"warmup": 5})),
    ("correlated/exact/battle_of_the_sexes_public", dict(
        game="battle_of_the_sexes", concept="correlated", method="exact", beta=2.0,
        correlated_options={"signal": "public", "signal_size": 2, "warmup": 0})),
    ("correlated/svi/battle_of_the_sexes_public", dict(
        game="battle_of_the_sexes", concept="correlated", method="svi", beta=2.0,
        correlated_options={"signal": "public", "signal_size": 2, "warmup": 0})),
    ("mean-field/exact/rps_mfg", dict(game="rps_mfg", concept="mean-field", method="exact",
                                      beta=0.5, mean_field_options={"optimistic": True})),
    ("mean-field/svi/rps_mfg", dict(game="rps_mfg", concept="mean-field", method="svi",
                                    beta=0.5, mean_field_options={"optimistic": True})),
    ("mean-field/exact/beach_bar", dict(game="beach_bar", concept="mean-field", method="exact",
                                        beta=0.1)),
    ("mean-field/svi/beach_bar", dict(game="beach_bar", concept="mean-field", method="svi",
                                      beta=0.1)),
]


def _param_log_policies(agent_names: tuple[str, ...], family: str) -> dict:
    """Normalised log-policies (and the signal) read from the param store after an SVI step:
    ``{agent}/policy_logits`` (Nash) or ``{agent}/signal_policy_logits`` (correlated),
    normalised along the agent's own axis; ``mediator/signal_logits`` along the last."""
    store = pyro.get_param_store()
    n, out = len(agent_names), {}
    for name in store.keys():
        value = store[name].detach().clone()
        owner = name.split("/")[0]
        if owner in agent_names and family == "conditional":
            axis = joint_axis(agent_names.index(owner), n)  # negative: counts from the end
        else:
            axis = -1
        out[name] = torch.log_softmax(value, dim=axis)
    return out



def record(key: str, kwargs: dict) -> list[dict]:
    pyro.clear_param_store()
    frames: list[dict] = []
    concept, method = kwargs["concept"], kwargs["method"]
    kwargs = dict(kwargs)
    game = kwargs.pop("game")
    from vsg_pyro.games import get_game, get_mean_field_game

    if concept == "mean-field":
        g = get_mean_field_game(game)
    else:
        g = get_game(game)
    family = kwargs.get("family") or ("conditional" if concept == "nash" else "factorized")
    originals = {}

    def patch(module, name, wrapper):
        originals[(module, name)] = getattr(module, name)
        setattr(module, name, wrapper(getattr(module, name)))

    if concept in ("nash", "zero-sum") and method == "exact":
        def wrap(fn):
            def step(game_, state, *a, **k):
                new, values = fn(game_, state, *a, **k)
                frames.append({"log_policies": [x.clone() for x in new.log_policies],
                               "opponent_models": [x.clone() for x in new.opponent_models]})
                return new, values
            return step
        patch(vpg, "vpg_step", wrap)
    elif concept == "correlated" and method == "exact":
        def wrap(fn):
            def step(structure, state, targets, alpha, mediator, agents=True):
                new = fn(structure, state, targets, alpha, mediator, agents)
                frames.append({"log_policies": [x.clone() for x in new.log_policies],
                               "opponent_models": [x.clone() for x in new.opponent_models],
                               "log_signal": new.log_signal.clone(),
                               "multipliers": new.multipliers.clone(), "agents": agents})
                return new
            return step
        patch(corr, "correlated_step", wrap)
    elif concept == "mean-field":
        def record_policy(fn):
            def step(prior, q, beta):
                policy = fn(prior, q, beta)
                frames.append({"policy": policy.clone()})
                return policy
            return step
        if method == "exact":
            patch(mf_exact, "relative_entropy_step", record_policy)
        else:
            original = mf_svi.svi_policy_step
            originals[(mf_svi, "svi_policy_step")] = original
            mf_svi.svi_policy_step = lambda *a, **k: record_policy(original(*a, **k))
    if method == "svi" and concept != "mean-field":
        def callback(step, info):
            frames.append({"params": _param_log_policies(tuple(g.agent_names), family),
                           "delta": info["delta"]})
        kwargs["callback"] = callback
    try:
        solve(game, steps=STEPS, tol=0.0, **kwargs)
    finally:
        for (module, name), fn in originals.items():
            setattr(module, name, fn)
    return frames[:STEPS + 10]


def main() -> None:
    torch.set_num_threads(1)
    data = {}
    for key, kwargs in CASES:
        data[key] = record(key, kwargs)
        print(f"{key}: {len(data[key])} frames", file=sys.stderr)
    torch.save(data, OUT)
    print(f"wrote {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
