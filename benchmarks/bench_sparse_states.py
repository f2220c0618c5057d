"""A 100,000-state game solved on one machine: VPG with sparse policy evaluation on the grid
pursuit game (issue 14, item 3), with its wall time, peak memory and certificate.

Two parts, one run:

1. per-iteration cost of the sparse solver against the dense exact solver (factorized family)
   on the same games at 256 and 1,296 states (``grid_pursuit_game(4)``, ``(6)``; the dense
   form of the larger one has 1,296^2 x 25 = 42 M transition entries);
2. ``grid_pursuit_game(18)`` (104,976 states, 25 joint actions, 4 successors each): solved
   to its certificate at ``--beta`` (default 5), reporting iterations, seconds, the
   certificate, the exact exploitability (sparse policy iteration) and the process's peak
   resident memory (``ru_maxrss``, which includes Python and torch, ~250 MB at start).

Prints a table and writes ``benchmarks/results/bench_sparse_states.json``.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import time
from pathlib import Path

import torch

from vsg_pyro import solve
from vsg_pyro.equilibria.nash import exact, sparse_exact
from vsg_pyro.games.grid_pursuit import grid_pursuit_game


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def per_iteration(solver, beta: float, steps: int) -> float:
    state = solver.init(0)
    state, _ = solver.step(state, beta, 0.5)  # warm-up
    start = time.perf_counter()
    for _ in range(steps):
        state, _ = solver.step(state, beta, 0.5)
    return (time.perf_counter() - start) / steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=18, help="grid side (size^4 states)")
    parser.add_argument("--beta", type=float, default=5.0)
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", default=str(Path(__file__).parent / "results"
                                             / "bench_sparse_states.json"))
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    start_mb = peak_mb()
    rows = []
    print(f"{'states':>8} {'dense ms/it':>12} {'sparse ms/it':>13} {'ratio':>6}")
    for size, steps in ((4, 20), (6, 5)):
        game = grid_pursuit_game(size)
        sparse = per_iteration(sparse_exact.Solver(game), args.beta, steps)
        dense = per_iteration(exact.Solver(game.to_dense(), family="factorized"), args.beta,
                              steps)
        rows.append({"states": game.n_states, "dense_seconds_per_iteration": dense,
                     "sparse_seconds_per_iteration": sparse, "ratio": sparse / dense})
        print(f"{game.n_states:>8} {dense * 1e3:>12.2f} {sparse * 1e3:>13.2f} "
              f"{sparse / dense:>6.2f}")
    before_mb = peak_mb()
    t0 = time.perf_counter()
    game = grid_pursuit_game(args.size)
    built = time.perf_counter() - t0
    result = solve(game, method="exact", beta=args.beta, steps=args.steps, progress=False)
    t1 = time.perf_counter()
    large = {
        "game": game.describe(), "states": game.n_states, "game_megabytes": game.nbytes / 2**20,
        "beta": args.beta, "seconds_build": built, "seconds_solve": result.seconds,
        "seconds_total_with_exploitability": t1 - t0, "iterations": result.iterations,
        "seconds_per_iteration": result.seconds / max(result.iterations, 1),
        "converged": result.converged, "certificate": result.certificate.value,
        "certificate_name": result.certificate.name, "reason": result.reason,
        "exploitability": result.exploitability, "values": result.report.values.tolist(),
        "peak_rss_megabytes": peak_mb(), "peak_rss_megabytes_before_large_game": before_mb,
        "peak_rss_megabytes_at_start": start_mb,
    }
    print(f"\n{large['game']}\n  {large['iterations']} iterations in "
          f"{large['seconds_solve']:.1f} s ({large['seconds_per_iteration']:.2f} s each), "
          f"converged={large['converged']} ({large['certificate_name']} "
          f"{large['certificate']:.2e}); exploitability {large['exploitability']:.4f}; "
          f"game {large['game_megabytes']:.0f} MB, peak RSS {large['peak_rss_megabytes']:.0f} MB "
          f"(process at start {start_mb:.0f} MB)")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"benchmark": "sparse VPG on grid pursuit", "torch": torch.__version__,
                               "threads": args.threads, "machine": platform.machine(),
                               "per_iteration": rows, "large": large}, indent=1))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
