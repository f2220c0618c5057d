"""Zero-sum (§5.4) and correlated (§5.3) equilibria: SVI vs the exact updates, wall time to the
same annealed fixed point, and the accuracy reached against the HiGHS references.

Both methods take the same steps (one natural-gradient SVI step is one exact update), so the
time ratio is the cost of running the Pyro programs.  Prints a table and writes
``benchmarks/results/bench_concepts.json``.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

import torch

from vsg_pyro import get_game, solve
from vsg_pyro.core.schedules import geometric_beta

# (game, concept, final beta * max|r|, annealing steps, max steps)
CASES = [
    ("biased_rock_paper_scissors", "zero-sum", 300.0, 500, 6000),
    ("zs_random_4x4_s3", "zero-sum", 300.0, 500, 20000),
    ("zs_random_sg3_2x3_s2", "zero-sum", 300.0, 500, 40000),
    ("chicken", "correlated", 2000.0, 300, 1000),
    ("random_4x3_s5", "correlated", 2000.0, 300, 1000),
    ("random_sg3_2x2_s1", "correlated", 20.0, 0, 3000),
]


def run(name: str, concept: str, scale: float, anneal: int, steps: int, method: str):
    game = get_game(name)
    r = game.reward_range
    start_beta = 1.0 if concept == "zero-sum" else 20.0
    schedule = geometric_beta(start_beta / r, scale / r, anneal) if anneal else None
    t0 = time.perf_counter()
    res = solve(game, concept=concept, method=method, beta=scale / r, beta_schedule=schedule,
                steps=steps, tol=1e-7 if concept == "zero-sum" else 1e-9,
                init="random" if concept == "zero-sum" else None, seed=0)
    return time.perf_counter() - t0, res


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out",
                        default=str(Path(__file__).parent / "results" / "bench_concepts.json"))
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    run("chicken", "correlated", 20.0, 0, 5, "svi")  # warm-up (imports, first traces)
    head = (f"{'game':<28} {'concept':<11} {'steps':>6} {'exact s':>8} {'svi s':>8} {'ratio':>6} "
            f"{'svi steps/s':>11} {'accuracy':>34} {'converged':>10}")
    print(head)
    print("-" * len(head))
    rows = []
    for name, concept, scale, anneal, steps in CASES:
        t_exact, exact = run(name, concept, scale, anneal, steps, "exact")
        t_svi, svi = run(name, concept, scale, anneal, steps, "svi")
        if concept == "zero-sum":
            accuracy = f"|value - LP| {abs(svi.value - svi.reference):.1e}"
        else:
            ref = "" if svi.reference is None else f" / LP {svi.reference:.3f}"
            accuracy = f"CE gap {svi.ce_gap:.1e}, W {svi.welfare:.3f}{ref}"
        rows.append({"game": name, "concept": concept, "steps_exact": exact.iterations,
                     "steps_svi": svi.iterations, "converged": exact.converged and svi.converged,
                     "seconds_exact": t_exact, "seconds_svi": t_svi, "ratio": t_svi / t_exact,
                     "svi_steps_per_second": svi.iterations / t_svi, "value": getattr(svi, "value", None),
                     "certificate_exact": exact.certificate.value,
                     "certificate_svi": svi.certificate.value,
                     "reference": svi.reference, "ce_gap": svi.ce_gap, "welfare": svi.welfare})
        print(f"{name:<28} {concept:<11} {svi.iterations:>6} {t_exact:>8.2f} {t_svi:>8.2f} "
              f"{t_svi / t_exact:>6.1f} {svi.iterations / t_svi:>11.0f} {accuracy:>34} "
              f"{str(exact.converged) + '/' + str(svi.converged):>10}")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"benchmark": "zero-sum and correlated: SVI vs exact",
                               "torch": torch.__version__, "threads": args.threads,
                               "machine": platform.machine(), "rows": rows}, indent=1))
    print(f"\nwrote {out}")


if __name__ == "__main__":
    main()
