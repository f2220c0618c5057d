"""Exact VPG (Algorithm 1, eq. 4) cost per iteration against states, actions and agents.

Prints a table and writes ``benchmarks/results/bench_vpg.json``.  Run with ``make bench``.
Each cell: median over repeats of the wall time of one ``vpg_step`` (opponent-model update,
exact soft evaluation of every agent, NPG update), discounted random games, gamma = 0.9.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from pathlib import Path

import torch

from vsg_pyro.equilibria.nash.exact import vpg_init, vpg_step
from vsg_pyro.games import markov_congestion_game, random_stochastic_game

GRID = {
    "states": [(s, (3, 3)) for s in (1, 4, 16, 64, 256)],
    "actions": [(4, (a, a)) for a in (2, 4, 8, 16, 32)],
    "agents": [(4, (3,) * n) for n in (2, 3, 4, 5, 6)],
}


def time_step(n_states: int, counts: tuple[int, ...], family: str, repeats: int) -> float:
    game = random_stochastic_game(n_states, counts, seed=0, gamma=0.9)
    state = vpg_init(game, family, init="random", seed=0)
    state, _ = vpg_step(game, state, 1.0, 0.5)  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        state, _ = vpg_step(game, state, 1.0, 0.5)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", default=str(Path(__file__).parent / "results" / "bench_vpg.json"))
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    rows = []
    print(f"{'sweep':<8} {'states':>6} {'actions':>12} {'joint':>7} "
          f"{'conditional ms':>15} {'factorized ms':>14}")
    for sweep, cases in GRID.items():
        for n_states, counts in cases:
            ms = {f: 1e3 * time_step(n_states, counts, f, args.repeats)
                  for f in ("conditional", "factorized")}
            joint = 1
            for c in counts:
                joint *= c
            rows.append({"sweep": sweep, "states": n_states, "actions": list(counts),
                         "joint_actions": joint, "ms_per_iteration": ms})
            print(f"{sweep:<8} {n_states:>6} {'x'.join(map(str, counts)):>12} {joint:>7} "
                  f"{ms['conditional']:>15.3f} {ms['factorized']:>14.3f}")
    congestion = markov_congestion_game()
    ms = {}
    for family in ("conditional", "factorized"):
        state = vpg_init(congestion, family, init="random", seed=0)
        times = []
        for _ in range(max(3, args.repeats // 4)):
            start = time.perf_counter()
            state, _ = vpg_step(congestion, state, 1.0, 0.5)
            times.append(time.perf_counter() - start)
        ms[family] = 1e3 * statistics.median(times)
    rows.append({"sweep": "congestion", "states": 2, "actions": [4] * 8,
                 "joint_actions": 4**8, "ms_per_iteration": ms})
    print(f"{'congest.':<8} {2:>6} {'4^8':>12} {4**8:>7} "
          f"{ms['conditional']:>15.3f} {ms['factorized']:>14.3f}")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({
        "benchmark": "exact VPG step",
        "torch": torch.__version__,
        "threads": args.threads,
        "machine": platform.machine(),
        "python": platform.python_version(),
        "rows": rows,
    }, indent=1))
    print(f"\nwrote {out}")


if __name__ == "__main__":
    main()
