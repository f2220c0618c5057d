"""Stationary Nash equilibria of discounted stochastic games by the logit branch's limit, side
by side with sgamesolver's QRE homotopy (``sgamesolver.homotopy.QRE``, predictor-corrector
continuation to lambda -> infinity), in one run.

Run with ``make bench-peers`` (a separate virtualenv with sgamesolver 1.0.2; the project never
depends on it).  Test set (d) of issue 13 (the seeds are ours): 10 random games, 2 players, 3
states, 3x3 actions, gamma 0.9, Dirichlet(1) transitions, payoffs uniform in [0, 1].  Ours:
:func:`vsg_pyro.equilibria.nash.branch.limit_equilibrium` (the Markov branch, tested whenever
beta doubles: its point, then the equilibrium on its support by Newton, until exploitability
<= 1e-3 from every initial state).  For both answers: the
exploitability from every initial state (exact DP, :func:`vsg_pyro.metrics.state_exploitability`),
and the wall time.  The SVI path's limit too (``method="svi-path"``: the same branch on the
agents' Pyro programs, autograd Jacobians): its time, exploitability and distance to ours.
Prints a table and writes ``benchmarks/results/bench_peers_markov.json``.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

import numpy as np
import torch

from vsg_pyro.equilibria.nash.branch import limit_equilibrium
from vsg_pyro.games.tabular import TabularGame
from vsg_pyro.metrics import state_exploitability

COUNT, STATES, ACTIONS, GAMMA, SEED, TOL = 10, 3, 3, 0.9, 9300, 1e-3


def make(k: int) -> tuple[np.ndarray, np.ndarray]:
    """Rewards ``(2, S, A, A)`` and transitions ``(S, A, A, S')`` of game ``k``."""
    rng = np.random.default_rng(SEED + k)
    rewards = rng.uniform(0.0, 1.0, size=(2, STATES, ACTIONS, ACTIONS))
    transitions = rng.dirichlet(np.ones(STATES), size=(STATES, ACTIONS, ACTIONS))
    return rewards, transitions


def sgamesolver_policies(rewards: np.ndarray, transitions: np.ndarray):
    import sgamesolver

    game = sgamesolver.SGame([rewards[:, s] for s in range(STATES)],
                             [transitions[s] for s in range(STATES)], GAMMA)
    start = time.perf_counter()
    homotopy = sgamesolver.homotopy.QRE(game)
    homotopy.solver_setup()
    homotopy.solver.verbose = 0
    homotopy.solve()
    seconds = time.perf_counter() - start
    sigma = np.asarray(homotopy.equilibrium.strategies)  # (S, players, A)
    return [torch.as_tensor(sigma[:, i]) for i in range(2)], seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out",
                        default=str(Path(__file__).parent / "results" / "bench_peers_markov.json"))
    args = parser.parse_args()
    torch.set_num_threads(1)
    import sgamesolver

    # warm-up, both solvers, on a game outside the set (first-call costs: imports, caches)
    rewards, transitions = make(-1)
    warm = TabularGame(transitions=transitions, rewards=rewards,
                       initial=np.full(STATES, 1.0 / STATES), gamma=GAMMA, name="warm-up")
    limit_equilibrium(warm, tol=TOL)
    limit_equilibrium(warm, tol=TOL, method="svi-path")
    sgamesolver_policies(rewards, transitions)
    rows, ours_t, theirs_t, svi_t = [], 0.0, 0.0, 0.0
    print(f"{'game':>4} {'ours gap':>9} {'beta':>8} {'newton':>6} {'ours s':>7} {'sgs gap':>9} "
          f"{'sgs s':>7} {'svi gap':>9} {'svi s':>7} {'svi-ours':>8}")
    for k in range(COUNT):
        rewards, transitions = make(k)
        game = TabularGame(transitions=transitions, rewards=rewards,
                           initial=np.full(STATES, 1.0 / STATES), gamma=GAMMA, name=f"d{k}")
        start = time.perf_counter()
        point = limit_equilibrium(game, tol=TOL)
        seconds = time.perf_counter() - start
        ours_gap = float(state_exploitability(game, point.policies).max())
        policies, sgs_seconds = sgamesolver_policies(rewards, transitions)
        sgs_gap = float(state_exploitability(game, policies).max())
        start = time.perf_counter()
        svi = limit_equilibrium(game, tol=TOL, method="svi-path")
        svi_seconds = time.perf_counter() - start
        svi_gap = float(state_exploitability(game, svi.policies).max())
        svi_distance = max(float((a - b).abs().max())
                           for a, b in zip(svi.policies, point.policies, strict=True))
        ours_t, theirs_t = ours_t + seconds, theirs_t + sgs_seconds
        svi_t += svi_seconds
        rows.append({"game": k, "exploitability_ours": ours_gap, "beta_ours": point.beta,
                     "support_newton": point.support_newton,
                     "seconds_ours": seconds, "exploitability_sgamesolver": sgs_gap,
                     "seconds_sgamesolver": sgs_seconds, "exploitability_svi_path": svi_gap,
                     "seconds_svi_path": svi_seconds, "svi_path_distance_to_ours": svi_distance})
        print(f"{k:>4} {ours_gap:>9.1e} {point.beta:>8.4g} {'yes' if point.support_newton else 'no':>6} "
              f"{seconds:>7.3f} {sgs_gap:>9.1e} {sgs_seconds:>7.3f} {svi_gap:>9.1e} "
              f"{svi_seconds:>7.3f} {svi_distance:>8.1e}")
    solved = sum(r["exploitability_ours"] <= TOL for r in rows)
    solved_sgs = sum(r["exploitability_sgamesolver"] <= TOL for r in rows)
    solved_svi = sum(r["exploitability_svi_path"] <= TOL for r in rows)
    summary = {"games": COUNT, "solved_ours": solved, "solved_sgamesolver": solved_sgs,
               "solved_svi_path": solved_svi, "seconds_ours": ours_t,
               "seconds_sgamesolver": theirs_t, "seconds_svi_path": svi_t,
               "time_ratio": ours_t / theirs_t, "svi_path_time_ratio": svi_t / theirs_t}
    print(f"\nset (d): {solved}/{COUNT} games at exploitability <= {TOL:g} from every initial "
          f"state (sgamesolver {solved_sgs}/{COUNT}); {ours_t:.2f} s vs sgamesolver "
          f"{theirs_t:.2f} s (ratio {ours_t / theirs_t:.2f}); the SVI path {solved_svi}/{COUNT} "
          f"in {svi_t:.1f} s ({svi_t / theirs_t:.0f}x sgamesolver)")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"benchmark": "Markov logit branch limit vs sgamesolver QRE",
                               "sgamesolver": getattr(sgamesolver, "__version__", "1.0.2"),
                               "torch": torch.__version__, "machine": platform.machine(),
                               "summary": summary, "rows": rows}, indent=1))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
