"""Mean-field Bayesian Q-learning (Algorithm 4): iterations and seconds to an exploitability
target on every built-in, exact and SVI policy steps, and scaling with the number of states on
the grid crowd (25 to 10,000 states).

Each iteration is one forward (Kolmogorov) pass, one backward soft-Q pass (eq. 11), one policy
step (eq. 12, exact or by SVI) and one exact exploitability evaluation (a further forward and
two backward passes), so the seconds include measuring the exploitability every iteration.
Prints two tables and writes ``benchmarks/results/bench_mean_field.json``.
"""

from __future__ import annotations

import argparse
import json
import platform
from pathlib import Path

import torch

from vsg_pyro.core.schedules import geometric_beta
from vsg_pyro.equilibria.mean_field.exact import solve_mean_field_exact
from vsg_pyro.equilibria.mean_field.svi import svi_policy_step
from vsg_pyro.games import get_mean_field_game

LEFT_START = torch.tensor([[0.9, 0.1]] * 3, dtype=torch.float64)

# (built-in, description of the setting, options of solve_mean_field_exact, target, SVI too?)
CASES = [
    ("left_right", "MD beta 1, start 90% left",
     dict(beta=1.0, iterations=200, initial_policy=LEFT_START), 1e-4, True),
    ("rps_mfg", "optimistic MD beta 0.5", dict(beta=0.5, iterations=400, optimistic=True), 1e-3, True),
    ("sis_epidemic", "RelEnt beta 10->25, damping 0.1",
     dict(beta=geometric_beta(10.0, 25.0, 200), iterations=400, damping=0.1, prior="uniform"),
     0.15, False),
    ("beach_bar", "MD beta 0.1", dict(beta=0.1, iterations=400), 0.1, True),
    ("grid_crowd", "MD beta 0.1", dict(beta=0.1, iterations=400), 0.2, False),
]
GRID_SIDES = (5, 10, 20, 32, 50, 71, 100)


def run(name: str, options: dict, target: float, method: str) -> dict:
    game = get_mean_field_game(name)
    step = svi_policy_step() if method == "svi" else None
    res = solve_mean_field_exact(game, target=target, policy_step=step, **options)
    return {"game": game.name, "states": game.n_states, "actions": game.n_actions,
            "horizon": game.horizon, "method": method, "target": target,
            "reached": res.exploitability <= target, "iterations": res.iterations,
            "seconds": res.seconds, "ms_per_iteration": 1e3 * res.seconds / res.iterations,
            "first_exploitability": res.trace[0]["exploitability"],
            "exploitability": res.exploitability}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out",
                        default=str(Path(__file__).parent / "results" / "bench_mean_field.json"))
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    run("left_right", dict(beta=1.0, iterations=3), -1.0, "svi")  # warm-up (imports, traces)

    head = (f"{'game':<20} {'setting':<32} {'method':<6} {'target':>7} {'its':>5} {'seconds':>8} "
            f"{'ms/it':>7} {'first':>8} {'final':>9}")
    print(head)
    print("-" * len(head))
    rows = []
    for name, setting, options, target, with_svi in CASES:
        for method in ("exact", "svi") if with_svi else ("exact",):
            row = run(name, options, target, method) | {"setting": setting}
            rows.append(row)
            flag = "" if row["reached"] else "  (target not reached)"
            print(f"{row['game']:<20} {setting:<32} {method:<6} {target:>7.2g} "
                  f"{row['iterations']:>5} {row['seconds']:>8.2f} {row['ms_per_iteration']:>7.2f} "
                  f"{row['first_exploitability']:>8.3g} {row['exploitability']:>9.3g}{flag}")

    print("\nscaling: grid crowd, horizon 20, 5 actions, MD beta 0.1, exact steps, target 0.2")
    head = f"{'states':>7} {'its':>5} {'seconds':>8} {'ms/it':>8} {'us/it/state':>11} {'final':>7}"
    print(head)
    print("-" * len(head))
    scaling = []
    for side in GRID_SIDES:
        row = run(f"grid_crowd_{side}", dict(beta=0.1, iterations=400), 0.2, "exact")
        scaling.append(row)
        print(f"{row['states']:>7} {row['iterations']:>5} {row['seconds']:>8.2f} "
              f"{row['ms_per_iteration']:>8.2f} {1e3 * row['ms_per_iteration'] / row['states']:>11.2f}"
              f" {row['exploitability']:>7.3f}")

    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"benchmark": "mean-field Algorithm 4: iterations and seconds to "
                               "exploitability targets", "torch": torch.__version__,
                               "threads": args.threads, "machine": platform.machine(),
                               "built_ins": rows, "grid_scaling": scaling}, indent=1))
    print(f"\nwrote {out}")


if __name__ == "__main__":
    main()
