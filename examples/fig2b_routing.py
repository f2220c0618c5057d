"""The paper's Figure 2b: MAI and baselines on the non-atomic routing game (Braess network, two
agents each routing half the demand).  Every ``--eval-every`` episodes the agents' *modes*
are scored by the exact NashConv (best responses by convex optimisation,
:func:`vsg_pyro.games.routing.routing_nash_conv`) and by their distance to the exact Nash
equilibrium (path flows 2.5 / 2.5 / 0).  Writes ``runs.json`` and ``fig2b.png``.

    python examples/fig2b_routing.py --seeds 5 --out runs/fig2b
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import torch

from vsg_pyro.continuous.baselines import BaselineConfig, train_baseline
from vsg_pyro.continuous.mai import MAIConfig, train_mai
from vsg_pyro.games.routing import routing_game, routing_nash_conv, splittable_equilibrium

ALGOS = ("mai", "mai-ri", "maddpg", "ddpg", "masql")
# mai: MAI with behaviour-cloned opponent priors; mai-ri: with Algorithm 3 (reward inference)
# rewards (minus latency per unit) differ by tenths, so the temperature must end low
SCHEDULE = {"beta_start": 1.0, "beta_end": 30.0, "anneal_episodes": 100}


def modes(agents, state) -> list[torch.Tensor]:
    with torch.no_grad():
        return [a.mode(state) if hasattr(a, "mode") else a.deterministic(state.reshape(1, -1))[0]
                for a in agents]


def run(algo: str, seed: int, episodes: int, eval_every: int) -> dict:
    game = routing_game("braess", n_agents=2)
    equilibrium = splittable_equilibrium(game.network, 2)
    curve: list[dict] = []

    def on_episode(entry: dict, agents: list) -> None:
        if (entry["episode"] + 1) % eval_every and entry["episode"] + 1 != episodes:
            return
        splits = game.splits(modes(agents, game.reset())).numpy().astype(float)
        flows = splits.sum(0) * game.network.demand / 2
        curve.append({"episode": entry["episode"], "reward": entry["reward"],
                      "nash_conv": routing_nash_conv(game.network, splits),
                      "flow_error": float(np.abs(flows - equilibrium).max())})

    if algo in ("mai", "mai-ri"):
        opponent = "reward-inference" if algo == "mai-ri" else "behaviour-cloning"
        res = train_mai(game, MAIConfig(seed=seed, episodes=episodes, update_every=2, opponent=opponent,
                                        **SCHEDULE),
                        on_episode)
    else:
        res = train_baseline(game, algo, BaselineConfig(seed=seed, episodes=episodes, update_every=2,
                                                        **SCHEDULE), on_episode)
    return {"algo": algo, "seed": seed, "seconds": res.seconds, "curve": curve}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--algos", nargs="+", default=list(ALGOS), choices=list(ALGOS))
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--episodes", type=int, default=200)
    parser.add_argument("--eval-every", type=int, default=10)
    parser.add_argument("--out", default="runs/fig2b")
    parser.add_argument("--merge", nargs="+", default=None, help="runs.json files to combine")
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
                runs.append(run(algo, seed, args.episodes, args.eval_every))
                last = runs[-1]["curve"][-1]
                print(f"{algo:<7} seed {seed}: NashConv {last['nash_conv']:.4f}, flow error "
                      f"{last['flow_error']:.3f}, {runs[-1]['seconds']:.1f} s", flush=True)
    rows = []
    for algo in dict.fromkeys(r["algo"] for r in runs):
        finals = [r["curve"][-1] for r in runs if r["algo"] == algo]
        rows.append({"algo": algo, "seeds": len(finals),
                     "nash_conv_median": float(np.median([f["nash_conv"] for f in finals])),
                     "nash_conv_max": max(f["nash_conv"] for f in finals),
                     "flow_error_median": float(np.median([f["flow_error"] for f in finals]))})
    (out / "runs.json").write_text(json.dumps({"runs": runs, "summary": rows}))
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4))
    for k, algo in enumerate(dict.fromkeys(r["algo"] for r in runs)):
        curves = np.array([[c["nash_conv"] for c in r["curve"]] for r in runs if r["algo"] == algo])
        x = [c["episode"] + 1 for c in runs[[r["algo"] for r in runs].index(algo)]["curve"]]
        ax.plot(x, np.median(curves, 0), color=f"C{k}", label=f"{algo} ({len(curves)} seeds)")
        ax.fill_between(x, curves.min(0), curves.max(0), color=f"C{k}", alpha=0.15)
    ax.set_yscale("symlog", linthresh=1e-3)
    ax.set_xlabel("episode (25 steps)")
    ax.set_ylabel("NashConv of the modes (exact)")
    ax.set_title("Braess routing, 2 agents (Figure 2b): median and range over seeds")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out / "fig2b.png", dpi=100)
    plt.close(fig)
    print(f"\n{'algo':<8} {'NashConv median':>16} {'max':>8} {'flow error median':>18}")
    for r in rows:
        print(f"{r['algo']:<8} {r['nash_conv_median']:>16.4f} {r['nash_conv_max']:>8.4f} "
              f"{r['flow_error_median']:>18.3f}")


if __name__ == "__main__":
    main()
