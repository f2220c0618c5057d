"""Mean-field games side by side with MFGLib (issue 14, item 5), in one run, on MFGLib's own
environments.

Run with ``make bench-peers`` (a separate virtualenv ``.venv-mfglib``: mfglib 0.3.0 needs
numpy >= 2, sgamesolver in ``.venv-peers`` numpy < 2; the project never depends on either).
Each MFGLib environment that does not depend on time is turned into a
:class:`vsg_pyro.games.MeanFieldGame` (the same reward and transition functions of the
state-action mean field, MFGLib's ``T + 1`` decision steps, its initial distribution), and
both libraries run the same number of iterations from the uniform policy:

* MFGLib: fictitious play, online mirror descent and prior descent with their default
  parameters;
* vsg-pyro: Algorithm 4 with exact steps (``solve(..., concept="mean-field",
  method="exact")``): mirror descent (previous-policy prior) and its optimistic variant, at
  the README's betas.

For every final policy: the exploitability by MFGLib's ``exploitability_score`` and by ours
(``vsg_pyro.metrics.mean_field.mf_exploitability``; the two must agree, else the adapter is
wrong), and the seconds per iteration.  Prints a table and writes
``benchmarks/results/bench_peers_mfglib.json``.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

import torch

from vsg_pyro import solve
from vsg_pyro.games import MeanFieldGame
from vsg_pyro.metrics.mean_field import mf_exploitability

ENVIRONMENTS = ["beach_bar", "left_right", "rock_paper_scissors", "susceptible_infected"]
OURS = {"mirror descent": {}, "optimistic": {"optimistic": True}}
BETAS = (0.1, 0.5, 2.0)


def adapted(env, name: str) -> MeanFieldGame | None:
    """MFGLib's ``env`` as a :class:`MeanFieldGame`, or ``None`` when its reward or
    transition depends on time (checked on two random mean fields)."""
    if len(env.S) != 1 or len(env.A) != 1:
        return None
    n_states, n_actions = int(env.S[0]), int(env.A[0])
    gen = torch.Generator().manual_seed(0)
    for _ in range(2):
        L = torch.rand(n_states, n_actions, generator=gen)
        L = L / L.sum()
        for t in range(1, env.T + 1):
            if not (torch.allclose(env.reward(t, L), env.reward(0, L))
                    and torch.allclose(env.prob(t, L), env.prob(0, L))):
                return None

    def reward(L: torch.Tensor) -> torch.Tensor:
        return env.reward(0, L.to(torch.get_default_dtype())).to(torch.float64)

    def transition(L: torch.Tensor) -> torch.Tensor:  # MFGLib: (S', S, A); ours (S, A, S')
        p = env.prob(0, L.to(torch.get_default_dtype())).to(torch.float64).permute(1, 2, 0)
        return p / p.sum(-1, keepdim=True)

    return MeanFieldGame(n_states, n_actions, env.T + 1, reward, transition,
                         env.mu0.to(torch.float64).reshape(-1), name=name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=100)
    parser.add_argument("--out", default=str(Path(__file__).parent / "results"
                                             / "bench_peers_mfglib.json"))
    args = parser.parse_args()
    torch.set_num_threads(1)
    import mfglib
    from mfglib.alg import FictitiousPlay, OnlineMirrorDescent, PriorDescent
    from mfglib.env import Environment
    from mfglib.scoring import exploitability_score

    algorithms = {"fictitious play": FictitiousPlay, "online mirror descent": OnlineMirrorDescent,
                  "prior descent": PriorDescent}
    rows = []
    print(f"{'environment':<22} {'solver':<34} {'expl (mfglib)':>13} {'expl (ours)':>11} "
          f"{'ms/it':>7}")
    for name in ENVIRONMENTS:
        env = getattr(Environment, name)()
        game = adapted(env, name)
        if game is None:
            print(f"{name:<22} skipped: its reward or transition depends on time")
            continue
        runs = []
        for label, cls in algorithms.items():
            start = time.perf_counter()
            policies, _, _ = cls().solve(env, max_iter=args.iterations, atol=None, rtol=None)
            seconds = time.perf_counter() - start
            # float32, and not always exactly on the simplex: projected as MFGLib's own
            # exploitability_score projects it (clip at 0, renormalise)
            policy = policies[-1].to(torch.float64).clamp_min(0.0)
            policy = policy / policy.sum(-1, keepdim=True)
            runs.append(("mfglib " + label, policy, seconds, len(policies) - 1))
        for label, options in OURS.items():
            for beta in BETAS:
                start = time.perf_counter()
                res = solve(game, concept="mean-field", method="exact", beta=beta,
                            steps=args.iterations, **options)
                seconds = time.perf_counter() - start
                runs.append((f"vsg {label}, beta {beta:g}", res.policies[0], seconds,
                             res.iterations))
        for label, policy, seconds, iterations in runs:
            theirs = float(exploitability_score(env, policy.to(torch.get_default_dtype())))
            ours = mf_exploitability(game, policy).exploitability
            per_it = 1e3 * seconds / max(iterations, 1)
            rows.append({"environment": name, "solver": label, "iterations": iterations,
                         "exploitability_mfglib": theirs, "exploitability_ours": ours,
                         "ms_per_iteration": per_it})
            print(f"{name:<22} {label:<34} {theirs:>13.4g} {ours:>11.4g} {per_it:>7.2f}")
    summary = {}
    for name in {r["environment"] for r in rows}:
        mine = [r for r in rows if r["environment"] == name and r["solver"].startswith("vsg")]
        peer = [r for r in rows if r["environment"] == name and r["solver"].startswith("mfglib")]
        best_mine = min(mine, key=lambda r: r["exploitability_ours"])
        best_peer = min(peer, key=lambda r: r["exploitability_ours"])
        summary[name] = {
            "best_ours": best_mine["solver"], "exploitability_ours": best_mine["exploitability_ours"],
            "best_mfglib": best_peer["solver"],
            "exploitability_mfglib": best_peer["exploitability_ours"],
            "ms_per_iteration_ratio": best_mine["ms_per_iteration"] / best_peer["ms_per_iteration"]}
        s = summary[name]
        print(f"{name}: best ours {s['exploitability_ours']:.4g} ({s['best_ours']}), best "
              f"MFGLib {s['exploitability_mfglib']:.4g} ({s['best_mfglib']}); time per "
              f"iteration ratio {s['ms_per_iteration_ratio']:.2f}")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"benchmark": "mean-field games vs MFGLib", "iterations":
                               args.iterations, "mfglib": getattr(mfglib, "__version__", "0.3.0"),
                               "torch": torch.__version__, "machine": platform.machine(),
                               "summary": summary, "rows": rows}, indent=1))
    print(f"\nwrote {out}")


if __name__ == "__main__":
    main()
