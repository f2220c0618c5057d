"""Logit QRE by path following, side by side with Gambit's (pygambit ``logit_solve_lambda``,
which follows the principal branch by predictor-corrector continuation), in one run.

Run with ``make bench-peers`` (a separate virtualenv with pygambit; the project never depends
on it).  Test sets (issue 13; the seeds are ours): (a) 20 random 10x10 games, integer payoffs
in [-9, 9], lambda in {1, 3, 10}; (b) 5 random 25x25 games, uniform payoffs in [-1, 1],
lambda in {5, 20}; (c) 5 random 3-player 4x4x4 games, integers in [-5, 5], lambda in {1, 4}.
For every point: both answers' logit residual (numpy, here), whether ours is Gambit's point
(max |difference| <= 1e-4), and the wall time of each solver for the whole lambda list of a
game (one trace each).  The batched follower too (:func:`vsg_pyro.qre_batch`, issue 14: all
of a set's games in one continuation per lambda), and set (e): 1,000 random 3x3 games,
integers in [-9, 9], at lambda 5, batched against Gambit game by game.  Prints a table and
writes ``benchmarks/results/bench_peers_qre.json``.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

import numpy as np
import torch

from vsg_pyro import qre_batch
from vsg_pyro.equilibria.nash import svi_path
from vsg_pyro.equilibria.nash.branch import qre_at
from vsg_pyro.equilibria.nash.path import MAX_STEP
from vsg_pyro.games import normal_form_game

SETS = {
    "a": dict(count=20, shape=(10, 10), ints=(-9, 9), lambdas=[1.0, 3.0, 10.0], seed=9000),
    "b": dict(count=5, shape=(25, 25), uniform=(-1.0, 1.0), lambdas=[5.0, 20.0], seed=9100),
    "c": dict(count=5, shape=(4, 4, 4), ints=(-5, 5), lambdas=[1.0, 4.0], seed=9200),
}
# batched only (and Gambit game by game): many small games
BATCH_SET = dict(count=1000, shape=(3, 3), ints=(-9, 9), lambdas=[5.0], seed=9400)


def payoffs(spec: dict, k: int) -> np.ndarray:
    rng = np.random.default_rng(spec["seed"] + k)
    size = (len(spec["shape"]), *spec["shape"])
    if "ints" in spec:
        lo, hi = spec["ints"]
        return rng.integers(lo, hi + 1, size=size).astype(float)
    lo, hi = spec["uniform"]
    return rng.uniform(lo, hi, size=size)


def residual(pay: np.ndarray, xs: list[np.ndarray], lam: float) -> float:
    worst = 0.0
    for i, x in enumerate(xs):
        t = pay[i]
        for j in reversed(range(len(xs))):
            if j != i:
                t = np.tensordot(t, xs[j], axes=([j], [0]))
        z = lam * t
        br = np.exp(z - z.max())
        worst = max(worst, float(np.abs(x - br / br.sum()).max()))
    return worst


def gambit_points(pay: np.ndarray, lambdas: list[float]):
    import pygambit as gbt

    game = gbt.Game.from_arrays(*[pay[i] for i in range(pay.shape[0])])
    start = time.perf_counter()
    results = gbt.qre.logit_solve_lambda(game, lam=lambdas)
    seconds = time.perf_counter() - start
    points = [[np.array([float(r.profile[s]) for s in player.strategies])
               for player in game.players] for r in results]
    return points, seconds


def svi_path_points(game, lambdas: list[float]) -> list[list[np.ndarray]]:
    """The SVI path's points (equations from the agents' ELBOs) at each lambda, one trace."""
    solver = svi_path.Solver(game)
    state, out, budget = solver.init(), [], 2000
    for lam in lambdas:
        while not (state.done and float(state.z[-1]) == lam):
            state, _ = solver.step(state, lam, MAX_STEP)
            budget -= 1
            if budget == 0 or (state.events and state.events[-1][0] == "step collapsed"):
                break  # counted below: the point's residual is not a QRE's
        out.append([p.reshape(-1).numpy() for p in solver.policies(state)])
    return out


def batched(spec: dict, gambit: list[list[list[np.ndarray]]]) -> dict:
    """All of a set's games by :func:`qre_batch`, one call per lambda: wall time, valid
    points (our residual, here) and Gambit's points (``gambit[k][index]``)."""
    pays = [payoffs(spec, k) for k in range(spec["count"])]
    seconds, valid, same, rescued = 0.0, 0, 0, 0
    for index, lam in enumerate(spec["lambdas"]):
        start = time.perf_counter()
        result = qre_batch(pays, lam)
        seconds += time.perf_counter() - start
        rescued += int(result.rescued.sum())
        for k, pay in enumerate(pays):
            xs = [p[k].numpy() for p in result.policies]
            valid += residual(pay, xs, lam) <= 1e-6
            same += max(float(np.abs(a - b).max())
                        for a, b in zip(xs, gambit[k][index], strict=True)) <= 1e-4
    return {"batched_seconds": seconds, "batched_valid": valid, "batched_same_as_gambit": same,
            "batched_rescued": rescued}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default="abc")
    parser.add_argument("--svi-sets", default="a",
                        help="sets whose points the SVI path also computes (slower)")
    parser.add_argument("--no-batch-set", action="store_true",
                        help="skip set (e), 1,000 3x3 games batched")
    parser.add_argument("--out",
                        default=str(Path(__file__).parent / "results" / "bench_peers_qre.json"))
    args = parser.parse_args()
    torch.set_num_threads(1)
    import pygambit

    qre_at(normal_form_game(payoffs(SETS["a"], 0), "warm-up"), [1.0])
    qre_batch([payoffs(SETS["a"], 0)], 1.0)
    rows, summary = [], {}
    print(f"{'set':<4} {'game':>4} {'lambda':>7} {'ours resid':>11} {'gambit resid':>12} "
          f"{'same point':>10}")
    for name in args.sets:
        spec = SETS[name]
        ours_t = gambit_t = svi_t = 0.0
        valid = same = total = svi_valid = svi_same = 0
        gambit_all = []
        for k in range(spec["count"]):
            pay = payoffs(spec, k)
            game = normal_form_game(pay, f"{name}{k}")
            start = time.perf_counter()
            mine = qre_at(game, spec["lambdas"])
            ours_t += time.perf_counter() - start
            theirs, seconds = gambit_points(pay, spec["lambdas"])
            gambit_t += seconds
            gambit_all.append(theirs)
            if name in args.svi_sets:
                start = time.perf_counter()
                svi = svi_path_points(game, spec["lambdas"])
                svi_t += time.perf_counter() - start
                for lam, xs, gp in zip(spec["lambdas"], svi, theirs, strict=True):
                    svi_valid += residual(pay, xs, lam) <= 1e-6
                    svi_same += max(float(np.abs(a - b).max()) for a, b in
                                    zip(xs, gp, strict=True)) <= 1e-4
            for (lam, pis, _), gp in zip(mine, theirs, strict=True):
                xs = [p.numpy() for p in pis]
                r_ours, r_gambit = residual(pay, xs, lam), residual(pay, gp, lam)
                diff = max(float(np.abs(a - b).max()) for a, b in zip(xs, gp, strict=True))
                total += 1
                valid += r_ours <= 1e-6
                same += diff <= 1e-4
                rows.append({"set": name, "game": k, "lambda": lam, "residual_ours": r_ours,
                             "residual_gambit": r_gambit, "max_difference": diff})
                print(f"{name:<4} {k:>4} {lam:>7g} {r_ours:>11.1e} {r_gambit:>12.1e} "
                      f"{'yes' if diff <= 1e-4 else f'no ({diff:.2g})':>10}")
        summary[name] = {"points": total, "valid_ours": valid, "same_as_gambit": same,
                         "seconds_ours": ours_t, "seconds_gambit": gambit_t,
                         "time_ratio": ours_t / gambit_t, **batched(spec, gambit_all)}
        summary[name]["batched_time_ratio"] = summary[name]["batched_seconds"] / gambit_t
        if name in args.svi_sets:
            summary[name].update(svi_path_valid=svi_valid, svi_path_same_as_gambit=svi_same,
                                 seconds_svi_path=svi_t, svi_path_time_ratio=svi_t / gambit_t)
    if not args.no_batch_set:
        gambit_t, gambit_all = 0.0, []
        for k in range(BATCH_SET["count"]):
            theirs, seconds = gambit_points(payoffs(BATCH_SET, k), BATCH_SET["lambdas"])
            gambit_t += seconds
            gambit_all.append(theirs)
        found = batched(BATCH_SET, gambit_all)
        summary["e"] = {"points": BATCH_SET["count"], "seconds_gambit": gambit_t, **found,
                        "batched_time_ratio": found["batched_seconds"] / gambit_t}
    print()
    for name, s in summary.items():
        if name == "e":
            print(f"set (e), 1,000 3x3 games at lambda 5, batched: {s['batched_valid']}/1000 "
                  f"valid, {s['batched_same_as_gambit']}/1000 Gambit's point; "
                  f"{s['batched_seconds']:.2f} s vs Gambit game by game "
                  f"{s['seconds_gambit']:.2f} s (ratio {s['batched_time_ratio']:.2f})")
            continue
        print(f"set ({name}): {s['valid_ours']}/{s['points']} valid QREs (residual <= 1e-6), "
              f"{s['same_as_gambit']}/{s['points']} Gambit's point; {s['seconds_ours']:.2f} s "
              f"vs Gambit {s['seconds_gambit']:.2f} s (ratio {s['time_ratio']:.2f}); batched "
              f"{s['batched_valid']}/{s['points']} valid, {s['batched_same_as_gambit']}/"
              f"{s['points']} Gambit's point in {s['batched_seconds']:.2f} s (ratio "
              f"{s['batched_time_ratio']:.2f}; {s['batched_rescued']} handed to the scalar "
              "follower)")
        if "seconds_svi_path" in s:
            print(f"  SVI path: {s['svi_path_valid']}/{s['points']} valid, "
                  f"{s['svi_path_same_as_gambit']}/{s['points']} Gambit's point; "
                  f"{s['seconds_svi_path']:.2f} s (ratio {s['svi_path_time_ratio']:.1f})")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"benchmark": "logit QRE path following vs Gambit",
                               "gambit": pygambit.__version__, "torch": torch.__version__,
                               "machine": platform.machine(), "summary": summary,
                               "rows": rows}, indent=1))
    print(f"\nwrote {out}")


if __name__ == "__main__":
    main()
