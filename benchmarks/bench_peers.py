"""vsg-pyro side by side with its peers in one command (issue 14, item 5): ratios and one JSON.

Run by ``make bench-peers`` in the peers' virtualenv (``.venv-peers``: pygambit and
sgamesolver; the project never depends on them).  Parts:

1. **Gambit, QRE at a fixed lambda, by size** (here): random games with payoffs uniform in
   [-1, 1] at lambda 5, two players 2x2, 5x5, 10x10, 20x20, 50x50 and three players 3x3x3,
   5x5x5.  Per size: Gambit's ``logit_solve_lambda`` game by game, ours by the scalar path
   follower (:func:`vsg_pyro.equilibria.nash.branch.qre_at`) and batched
   (:func:`vsg_pyro.qre_batch`, all of a size's games in one continuation); per game seconds
   and ratios to Gambit, and how many answers are valid QREs (logit residual <= 1e-6, numpy,
   here) and Gambit's point (max difference <= 1e-4).
2. **Gambit, test sets (a)-(c) and 1,000 3x3 games**: ``bench_peers_qre.py``.
3. **sgamesolver, random discounted stochastic games**: ``bench_peers_markov.py``.
4. **MFGLib, its environments at equal iterations**: ``bench_peers_mfglib.py``, in
   ``--mfglib-python`` (its own virtualenv, ``.venv-mfglib``: MFGLib needs numpy >= 2,
   sgamesolver numpy < 2).

Parts 2-4 run as subprocesses; their JSON files are merged into
``benchmarks/results/bench_peers.json`` with part 1, and a summary of ratios is printed.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import torch
from bench_peers_qre import residual  # the numpy logit residual (same directory)

HERE = Path(__file__).parent
LAMBDA = 5.0
SIZES = [((2, 2), 200), ((5, 5), 100), ((10, 10), 50), ((20, 20), 20), ((50, 50), 5),
         ((3, 3, 3), 50), ((5, 5, 5), 20)]


def payoffs(shape: tuple[int, ...], k: int) -> np.ndarray:
    rng = np.random.default_rng(9500 + 97 * k + sum(shape))
    return rng.uniform(-1.0, 1.0, size=(len(shape), *shape))


def gambit(pay: np.ndarray) -> tuple[list[np.ndarray], float]:
    import pygambit as gbt

    game = gbt.Game.from_arrays(*[pay[i] for i in range(pay.shape[0])])
    start = time.perf_counter()
    result = gbt.qre.logit_solve_lambda(game, lam=[LAMBDA])[0]
    seconds = time.perf_counter() - start
    return [np.array([float(result.profile[s]) for s in p.strategies]) for p in game.players], \
        seconds


def size_sweep() -> list[dict]:
    from vsg_pyro import qre_batch
    from vsg_pyro.equilibria.nash.branch import qre_at
    from vsg_pyro.games import normal_form_game

    qre_at(normal_form_game(payoffs((3, 3), 0), "warm-up"), [1.0])
    qre_batch([payoffs((3, 3), 0)], 1.0)
    rows = []
    print(f"{'size':<8} {'games':>5} {'gambit ms/game':>14} {'ours ms/game':>12} "
          f"{'ratio':>6} {'batched ms/game':>15} {'ratio':>6} {'valid ours/batched':>18} "
          f"{'Gambit point ours/batched':>25}")
    for shape, count in SIZES:
        pays = [payoffs(shape, k) for k in range(count)]
        t_gambit = t_ours = 0.0
        valid = same = valid_b = same_b = 0
        theirs_all = []
        for k, pay in enumerate(pays):
            theirs, seconds = gambit(pay)
            t_gambit += seconds
            theirs_all.append(theirs)
            start = time.perf_counter()
            (_, pis, _), = qre_at(normal_form_game(pay, f"g{k}"), [LAMBDA])
            t_ours += time.perf_counter() - start
            xs = [p.numpy() for p in pis]
            valid += residual(pay, xs, LAMBDA) <= 1e-6
            same += max(float(np.abs(a - b).max()) for a, b in zip(xs, theirs, strict=True)) <= 1e-4
        start = time.perf_counter()
        batch = qre_batch(pays, LAMBDA)
        t_batch = time.perf_counter() - start
        for k, pay in enumerate(pays):
            xs = [p[k].numpy() for p in batch.policies]
            valid_b += residual(pay, xs, LAMBDA) <= 1e-6
            same_b += max(float(np.abs(a - b).max())
                          for a, b in zip(xs, theirs_all[k], strict=True)) <= 1e-4
        label = "x".join(map(str, shape))
        row = {"size": label, "games": count, "lambda": LAMBDA,
               "gambit_seconds_per_game": t_gambit / count,
               "ours_seconds_per_game": t_ours / count, "ours_ratio": t_ours / t_gambit,
               "batched_seconds_per_game": t_batch / count, "batched_ratio": t_batch / t_gambit,
               "valid_ours": valid, "valid_batched": valid_b, "gambit_point_ours": same,
               "gambit_point_batched": same_b}
        rows.append(row)
        print(f"{label:<8} {count:>5} {1e3 * t_gambit / count:>14.3f} {1e3 * t_ours / count:>12.3f} "
              f"{t_ours / t_gambit:>6.2f} {1e3 * t_batch / count:>15.3f} {t_batch / t_gambit:>6.2f} "
              f"{f'{valid}/{valid_b}':>18} {f'{same}/{same_b}':>25}")
    return rows


def run_part(python: str, script: str, out: Path, extra: list[str] | None = None) -> dict | None:
    """Run one peer script in ``python``; its JSON, or ``None`` (reason printed) on failure."""
    command = [python, str(HERE / script), "--out", str(out), *(extra or [])]
    print(f"\n$ {' '.join(command)}", flush=True)
    done = subprocess.run(command, check=False)
    if done.returncode != 0 or not out.exists():
        print(f"{script}: failed (exit {done.returncode}); its part is left out")
        return None
    return json.loads(out.read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mfglib-python", default=str(HERE.parent / ".venv-mfglib" / "bin"
                                                       / "python"),
                        help="the Python of MFGLib's virtualenv")
    parser.add_argument("--parts", default="1234", help="which parts to run (module docstring)")
    parser.add_argument("--out", default=str(HERE / "results" / "bench_peers.json"))
    args = parser.parse_args()
    torch.set_num_threads(1)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    merged: dict = {"benchmark": "vsg-pyro vs Gambit, sgamesolver and MFGLib",
                    "torch": torch.__version__, "machine": platform.machine(), "threads": 1}
    if "1" in args.parts:
        import pygambit

        merged["gambit"] = pygambit.__version__
        merged["qre_by_size"] = size_sweep()
    parts = {"2": ("qre_sets", sys.executable, "bench_peers_qre.py", ["--svi-sets", ""]),
             "3": ("markov", sys.executable, "bench_peers_markov.py", None),
             "4": ("mean_field", args.mfglib_python, "bench_peers_mfglib.py", None)}
    for key, (name, python, script, extra) in parts.items():
        if key in args.parts:
            if not Path(python).exists():
                print(f"\n{script}: skipped, no Python at {python} (make bench-peers builds it)")
                continue
            merged[name] = run_part(python, script, out.parent / f"{Path(script).stem}.json",
                                    extra)
    print("\nsummary (time ratios: ours / peer; below 1 is faster)")
    for row in merged.get("qre_by_size", []):
        print(f"  Gambit QRE {row['size']}: scalar {row['ours_ratio']:.2f}, batched "
              f"{row['batched_ratio']:.2f}; valid {row['valid_ours']}/{row['games']}, "
              f"Gambit's point {row['gambit_point_ours']}/{row['games']}")
    sets = (merged.get("qre_sets") or {}).get("summary", {})
    for name, row in sets.items():
        if name == "e":
            print(f"  Gambit 1,000 3x3 games, batched: {row['batched_time_ratio']:.2f}; valid "
                  f"{row['batched_valid']}/1000")
        else:
            print(f"  Gambit set ({name}): scalar {row['time_ratio']:.2f}, batched "
                  f"{row['batched_time_ratio']:.2f}; valid {row['valid_ours']}/{row['points']}")
    markov = (merged.get("markov") or {}).get("summary")
    if markov:
        print(f"  sgamesolver, {markov['games']} discounted stochastic games: "
              f"{markov['time_ratio']:.2f}; solved {markov['solved_ours']} vs "
              f"{markov['solved_sgamesolver']}")
    for env, row in ((merged.get("mean_field") or {}).get("summary") or {}).items():
        print(f"  MFGLib {env}: time per iteration {row['ms_per_iteration_ratio']:.2f}; "
              f"best exploitability ours {row['exploitability_ours']:.3g} vs "
              f"{row['exploitability_mfglib']:.3g}")
    out.write_text(json.dumps(merged, indent=1))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
