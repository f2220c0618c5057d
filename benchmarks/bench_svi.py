"""SVI (Pyro programs, natural gradient) against exact VPG: wall time to the same fixed point.

Both runs start from the same policies and take the same steps (one natural-gradient SVI step
is one eq. (4) update), so the ratio is the per-step cost of running the Pyro model/guide
programs over exact tensor code.  Prints a table and writes ``benchmarks/results/bench_svi.json``.
Also times the ``TraceEnum_ELBO`` path on the smallest games.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

import torch
from pyro.infer import TraceEnum_ELBO

from vsg_pyro import get_game, solve
from vsg_pyro.infer.elbo import EnumeratedGuideELBO

LOSSES = {"enumerated": EnumeratedGuideELBO, "trace_enum": lambda: TraceEnum_ELBO(max_plate_nesting=1)}

GAMES = ["chicken", "rock_paper_scissors", "resource_commons", "random_sg4_3x3_s0",
         "random_sg16_3x3_s0", "random_sg64_3x3_s0", "random_sg256_3x3_s0"]


def run(name: str, family: str, method: str, elbo: str = "enumerated") -> tuple[float, int, bool]:
    start = time.perf_counter()
    loss = {"loss": LOSSES[elbo]()} if method == "svi" else {}
    res = solve(name, family=family, method=method, beta=2.0, init="random", seed=0,
                steps=3000, tol=1e-8, **loss)
    return time.perf_counter() - start, res.iterations, res.converged


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", default=str(Path(__file__).parent / "results" / "bench_svi.json"))
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    run("chicken", "factorized", "svi")  # warm-up (imports, first traces)
    rows = []
    head = (f"{'game':<22} {'states':>6} {'family':<12} {'steps':>6} {'exact s':>8} "
            f"{'svi s':>8} {'ratio':>6} {'svi steps/s':>11} {'trace_enum s':>12}")
    print(head)
    print("-" * len(head))
    for name in GAMES:
        game = get_game(name)
        for family in ("conditional", "factorized"):
            t_exact, n_exact, ok_exact = run(name, family, "exact")
            t_svi, n_svi, ok_svi = run(name, family, "svi")
            t_enum = run(name, family, "svi", "trace_enum")[0] if game.n_states <= 4 else None
            row = {"game": name, "states": game.n_states, "family": family,
                   "steps_exact": n_exact, "steps_svi": n_svi, "converged": ok_exact and ok_svi,
                   "seconds_exact": t_exact, "seconds_svi": t_svi, "ratio": t_svi / t_exact,
                   "svi_steps_per_second": n_svi / t_svi, "seconds_svi_trace_enum": t_enum}
            rows.append(row)
            enum = f"{t_enum:>12.2f}" if t_enum is not None else f"{'-':>12}"
            print(f"{name:<22} {game.n_states:>6} {family:<12} {n_svi:>6} {t_exact:>8.3f} "
                  f"{t_svi:>8.3f} {t_svi / t_exact:>6.1f} {n_svi / t_svi:>11.0f} {enum}")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"benchmark": "SVI vs exact VPG to the fixed point",
                               "torch": torch.__version__, "threads": args.threads,
                               "machine": platform.machine(), "rows": rows}, indent=1))
    print(f"\nwrote {out}")


if __name__ == "__main__":
    main()
