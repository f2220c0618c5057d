"""The paper's Figure 2a: MAI and baselines on the differential game, 200 episodes x 25 steps,
several seeds.  Writes a JSON of every run's per-episode metrics and a PNG of the learning
curves (mean and range over seeds), and prints how many seeds reach reward >= 9.5.

    python examples/fig2a_differential_game.py --seeds 10 --out runs/fig2a
    python examples/fig2a_differential_game.py --algos mai --seeds 10 --out runs/fig2a_mai
    python examples/fig2a_differential_game.py --algos mai --seeds 5 --beta-start 1 --beta-end 1
    python examples/fig2a_differential_game.py --out runs/fig2a \
        --merge runs/fig2a_mai/runs.json runs/fig2a_base/runs.json

"Reaches" uses the reward of the agents' *modes* (deterministic actions) at the last episode;
the sampled episode reward of a soft policy at beta = 1 stays about 1 below (its entropy).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch

from vsg_pyro.continuous.baselines import BaselineConfig, train_baseline
from vsg_pyro.continuous.mai import MAIConfig, train_mai
from vsg_pyro.games.continuous import differential_game

ALGOS = ("mai", "mai-ri", "maddpg", "ddpg", "masql")
# mai: MAI with behaviour-cloned opponent priors; mai-ri: with Algorithm 3 (reward inference)
THRESHOLD = 9.5


def run(algo: str, seed: int, episodes: int, beta_start: float = 0.1, beta_end: float = 1.0) -> dict:
    game = differential_game()
    betas = {"beta_start": beta_start, "beta_end": beta_end}
    if algo in ("mai", "mai-ri"):
        opponent = "reward-inference" if algo == "mai-ri" else "behaviour-cloning"
        res = train_mai(game, MAIConfig(seed=seed, episodes=episodes, update_every=2, opponent=opponent,
                                        **betas))
    else:
        res = train_baseline(game, algo, BaselineConfig(seed=seed, episodes=episodes, update_every=2,
                                                        **betas))
    return {"algo": algo, "seed": seed, "seconds": res.seconds, "metrics": res.metrics}


def summarize(runs: list[dict]) -> list[dict]:
    rows = []
    for algo in dict.fromkeys(r["algo"] for r in runs):
        mine = [r for r in runs if r["algo"] == algo]
        final = [r["metrics"][-1]["eval_reward"] for r in mine]
        rows.append({"algo": algo, "seeds": len(mine),
                     "reached": sum(f >= THRESHOLD for f in final),
                     "final_eval_mean": sum(final) / len(final),
                     "final_sampled_mean": sum(r["metrics"][-1]["reward"] for r in mine) / len(mine),
                     "seconds_mean": sum(r["seconds"] for r in mine) / len(mine)})
    return rows


def plot(runs: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4))
    for k, algo in enumerate(dict.fromkeys(r["algo"] for r in runs)):
        curves = torch.tensor([[m["eval_reward"] for m in r["metrics"]] for r in runs
                               if r["algo"] == algo])
        x = range(curves.shape[1])
        ax.plot(x, curves.mean(0), color=f"C{k}", label=f"{algo} ({curves.shape[0]} seeds)")
        ax.fill_between(x, curves.min(0).values, curves.max(0).values, color=f"C{k}", alpha=0.15)
    ax.axhline(THRESHOLD, color="grey", lw=0.8, ls="--")
    ax.set_xlabel("episode (25 steps)")
    ax.set_ylabel("reward of the modes")
    ax.set_title("Differential game (Figure 2a): mean and range over seeds")
    ax.set_ylim(-12, 11)
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--algos", nargs="+", default=list(ALGOS), choices=list(ALGOS))
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--episodes", type=int, default=200)
    parser.add_argument("--out", default="runs/fig2a")
    parser.add_argument("--merge", nargs="+", default=None, help="runs.json files to combine")
    parser.add_argument("--beta-start", type=float, default=0.1,
                        help="beta at episode 0 (equal to --beta-end: a fixed beta)")
    parser.add_argument("--beta-end", type=float, default=1.0, help="beta from episode 100 on")
    args = parser.parse_args()
    torch.set_num_threads(1)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if args.merge:
        runs = [r for f in args.merge for r in json.loads(Path(f).read_text())["runs"]]
    else:
        runs = []
        for algo in args.algos:
            for seed in range(args.seeds):
                runs.append(run(algo, seed, args.episodes, args.beta_start, args.beta_end))
                last = runs[-1]["metrics"][-1]
                print(f"{algo:<7} seed {seed}: reward of the modes {last['eval_reward']:.3f}, "
                      f"sampled {last['reward']:.3f}, {runs[-1]['seconds']:.1f} s", flush=True)
    rows = summarize(runs)
    (out / "runs.json").write_text(json.dumps({"runs": runs, "summary": rows}))
    plot(runs, out / "fig2a.png")
    print(f"\n{'algo':<8} {'reached >= 9.5':>15} {'final (modes)':>14} {'final (sampled)':>16} {'s/seed':>7}")
    for r in rows:
        print(f"{r['algo']:<8} {r['reached']:>8} of {r['seeds']:<4} {r['final_eval_mean']:>14.3f} "
              f"{r['final_sampled_mean']:>16.3f} {r['seconds_mean']:>7.1f}")
    print(f"wrote {out / 'runs.json'} and {out / 'fig2a.png'}")


if __name__ == "__main__":
    main()
