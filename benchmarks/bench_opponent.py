"""Opponent modelling (§5.1.2): seconds and accuracy of the three reward-inference routes, and
of Algorithm 1 with learned opponent models against exact ones.

Inference: a 3-step, 2-state game, 4 reward parameters, 2,000 observed steps of a known
soft-optimal opponent (the scenario of ``tests/test_opponent_inference.py``).  Loop: resource
commons, horizon 4, beta 2, 50 rounds of 200 steps.  Prints two tables and writes
``benchmarks/results/bench_opponent.json``.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

import torch

from vsg_pyro import solve
from vsg_pyro.equilibria.nash import ExactOpponent, ExternalOpponent
from vsg_pyro.games.stochastic import random_stochastic_game, resource_commons
from vsg_pyro.models.opponent import linear_reward, soft_optimal_policy, tabular_reward_features
from vsg_pyro.opponent.inference import (
    infer_reward_nuts,
    infer_reward_svi,
    opponent_inputs,
    reward_point_estimate,
)
from vsg_pyro.opponent.play import simulate_play
from vsg_pyro.opponent.replay_model import ReplayOpponentModel


def scenario(seed: int):
    game = random_stochastic_game(2, (2, 3), seed=3, horizon=3)
    feats = tabular_reward_features(game, 1)
    psi = torch.randn(feats.shape[-1], generator=torch.Generator().manual_seed(100 + seed),
                      dtype=torch.float64)
    other = torch.tensor([0.7, 0.3], dtype=torch.float64).expand(3, 2, 2).clone()
    truth = soft_optimal_policy(game, 1, linear_reward(feats, psi), [other], 1.0)
    record = simulate_play(game, [other, truth], 2000, seed=seed)
    return psi, truth.reshape(-1, 3), record, opponent_inputs(game, 1, record, [other, truth], 1.0,
                                                              features=feats)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--out",
                        default=str(Path(__file__).parent / "results" / "bench_opponent.json"))
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    head = f"{'route':<34} {'seed':>4} {'seconds':>8} {'max |psi err|':>13} {'max |p err|':>11}"
    print(head)
    print("-" * len(head))
    rows = []
    for seed in range(args.seeds):
        psi, truth, record, inputs = scenario(seed)
        runs = {
            "NUTS 4 x 500 (warm-up 500)": lambda inputs=inputs, seed=seed: infer_reward_nuts(
                inputs, num_samples=500, warmup_steps=500, num_chains=4, seed=seed),
            "SVI AutoMVN 1500 steps + 2000 draws":
                lambda inputs=inputs, seed=seed: infer_reward_svi(inputs, seed=seed),
            "eqs. 6-7 point estimate, 300 steps":
                lambda inputs=inputs, record=record, seed=seed: reward_point_estimate(
                    inputs, record, steps=300, seed=seed),
        }
        for route, run in runs.items():
            start = time.perf_counter()
            out = run()
            seconds = time.perf_counter() - start
            if hasattr(out, "action_probs"):
                est, policy = out.psi.mean((0, 1)), out.action_probs.mean((0, 1))
            else:
                est, policy = out.psi, out.policy
            row = {"route": route, "seed": seed, "seconds": seconds,
                   "psi_error": float((est - psi).abs().max()),
                   "policy_error": float((policy - truth).abs().max())}
            rows.append(row)
            print(f"{route:<34} {seed:>4} {seconds:>8.2f} {row['psi_error']:>13.3f} "
                  f"{row['policy_error']:>11.3f}")

    print("\nAlgorithm 1 on resource commons (horizon 4, beta 2, 50 rounds)")
    head = f"{'opponent model':<16} {'seconds':>8} {'exploitability':>14} {'eps_p':>7}"
    print(head)
    print("-" * len(head))
    game = resource_commons(horizon=4)
    loop = []
    for method in ("exact", "counts", "reward"):
        model = None if method == "exact" else ReplayOpponentModel(
            game, method=method, steps_per_round=200, capacity=1000, beta=2.0, seed=0)
        start = time.perf_counter()
        res = solve(game, family="factorized", beta=2.0, steps=50, tol=0.0,
                    opponent=ExactOpponent() if model is None else ExternalOpponent(model))
        seconds = time.perf_counter() - start
        eps = None if model is None else model.history[-1]["eps_p"]
        loop.append({"opponent_model": method, "seconds": seconds,
                     "exploitability": res.exploitability, "eps_p": eps})
        print(f"{method:<16} {seconds:>8.2f} {res.exploitability:>14.4f} "
              f"{'-' if eps is None else f'{eps:.3f}':>7}")

    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"benchmark": "opponent modelling with reward inference",
                               "torch": torch.__version__, "threads": args.threads,
                               "machine": platform.machine(), "inference": rows, "loop": loop},
                              indent=1))
    print(f"\nwrote {out}")


if __name__ == "__main__":
    main()
