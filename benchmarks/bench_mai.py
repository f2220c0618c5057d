"""MAI (Algorithm 2) speed: one seed of the differential game (200 episodes x 25 steps, one
update per agent every second step, the Figure 2a setting) and of the Braess routing game, with
1 and 2 torch threads.  Prints a table and writes ``benchmarks/results/bench_mai.json``.
"""

from __future__ import annotations

import argparse
import json
import platform
from pathlib import Path

import torch

from vsg_pyro.continuous.mai import MAIConfig, train_mai
from vsg_pyro.games.continuous import differential_game
from vsg_pyro.games.routing import routing_game


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=200)
    parser.add_argument("--out", default=str(Path(__file__).parent / "results" / "bench_mai.json"))
    args = parser.parse_args()
    cases = [("differential_game", differential_game, {}),
             ("braess_routing", lambda: routing_game("braess"),
              {"beta_start": 1.0, "beta_end": 30.0})]
    head = f"{'game':<20} {'threads':>7} {'episodes':>8} {'seconds':>8} {'ms/step':>8} {'final modes':>11}"
    print(head)
    print("-" * len(head))
    rows = []
    for name, make, extra in cases:
        for threads in (1, 2):
            torch.set_num_threads(threads)
            game = make()
            res = train_mai(game, MAIConfig(seed=0, episodes=args.episodes, update_every=2, **extra))
            steps = args.episodes * game.episode_length
            row = {"game": name, "threads": threads, "episodes": args.episodes,
                   "seconds": res.seconds, "ms_per_env_step": 1e3 * res.seconds / steps,
                   "final_eval_reward": res.metrics[-1]["eval_reward"]}
            rows.append(row)
            print(f"{name:<20} {threads:>7} {args.episodes:>8} {res.seconds:>8.1f} "
                  f"{row['ms_per_env_step']:>8.2f} {row['final_eval_reward']:>11.3f}")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"benchmark": "MAI seconds per seed", "torch": torch.__version__,
                               "machine": platform.machine(), "cpus": torch.get_num_threads(),
                               "rows": rows}, indent=1))
    print(f"\nwrote {out}")


if __name__ == "__main__":
    main()
