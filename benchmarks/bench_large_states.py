"""Exact VPG per iteration on large discounted games against a minimal dense implementation
of the same iteration written here in numpy (issue 14, large state spaces).

The reference does what one factorized eq. (4) iteration with the exact opponent model must
do: the joint policy, ``P_mu`` by one batched matrix-vector product per state, one dense LU
solve of ``(I - gamma P_mu) V = r_mu - KL / beta`` for every agent's right-hand side at once,
the action values, their expectation over the others, and the softmax update.  Its wall time
is the "dense LU limit" of the issue; the conditional family needs one LU per agent (each
agent's weights are its own), so it is compared with the same reference and one more solve.
Both run on random 2-player 3x3 games, gamma 0.9, 1 thread; ``vsg_pyro.equilibria.nash.exact
.vpg_step`` is checked against the reference's update (factorized) before it is timed.
Prints a table and writes ``benchmarks/results/bench_large_states.json``.
"""

from __future__ import annotations

import os

# one thread for numpy's BLAS too (set before numpy loads it), as for torch below
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

from vsg_pyro.equilibria.nash.exact import vpg_init, vpg_step  # noqa: E402
from vsg_pyro.games import random_stochastic_game  # noqa: E402

BETA, ALPHA = 1.0, 0.5


def reference_step(rewards: np.ndarray, trans: np.ndarray, gamma: float,
                   logs: list[np.ndarray], extra_solves: int = 0) -> list[np.ndarray]:
    """One factorized eq. (4) iteration, two agents, uniform priors (module docstring):
    ``rewards`` ``(2, S, J)``, ``trans`` ``(S, J, S)``, log-policies ``(S, A_i)``."""
    n_states = trans.shape[0]
    pis = [np.exp(v) for v in logs]
    joint = (pis[0][:, :, None] * pis[1][:, None, :]).reshape(n_states, -1)  # (S, J)
    p_mu = (joint[:, None, :] @ trans)[:, 0]
    rhs = np.stack([(joint * rewards[i]).sum(1)
                    - (pis[i] * (logs[i] + np.log(pis[i].shape[1]))).sum(1) / BETA
                    for i in range(2)], 1)  # (S, 2)
    matrix = np.eye(n_states) - gamma * p_mu
    v = np.linalg.solve(matrix, rhs)
    for _ in range(extra_solves):  # the conditional family: one factorisation per agent
        np.linalg.solve(matrix, rhs)
    out = []
    for i in range(2):
        q = (rewards[i] + gamma * trans @ v[:, i]).reshape(n_states, *[p.shape[1] for p in pis])
        qbar = (np.einsum("sab,sb->sa", q, pis[1]) if i == 0
                else np.einsum("sab,sa->sb", q, pis[0]))
        target = -np.log(pis[i].shape[1]) + BETA * qbar
        x = (1 - ALPHA) * logs[i] + ALPHA * target
        out.append(x - np.log(np.exp(x - x.max(1, keepdims=True)).sum(1, keepdims=True))
                   - x.max(1, keepdims=True))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--states", default="4,16,256,1024,4096")
    parser.add_argument("--repeats", type=int, default=3,
                        help="timed iterations per size (at least 50 below 256 states)")
    parser.add_argument("--out", default=str(Path(__file__).parent / "results"
                                             / "bench_large_states.json"))
    args = parser.parse_args()
    torch.set_num_threads(1)
    rows = []
    print(f"{'states':>6} {'family':>12} {'ours s':>8} {'reference s':>12} {'ratio':>6} "
          f"{'peak MB':>8}")
    for n_states in [int(s) for s in args.states.split(",")]:
        game = random_stochastic_game(n_states, (3, 3), seed=0, gamma=0.9)
        rewards = game.rewards.numpy().reshape(2, n_states, -1)
        trans = game.transitions.numpy().reshape(n_states, -1, n_states)
        for family in ("factorized", "conditional"):
            state = vpg_init(game, family, init="random", seed=0)
            state, _ = vpg_step(game, state, BETA, ALPHA)  # warm-up
            logs = [lp.numpy() for lp in state.log_policies]
            if family == "factorized":  # the two compute the same update
                ours = vpg_step(game, state, BETA, ALPHA)[0].log_policies
                mine = reference_step(rewards, trans, game.gamma, logs)
                error = max(float(np.abs(a.numpy() - b).max()) for a, b in zip(ours, mine, strict=True))
                assert error < 1e-9, f"the reference disagrees with vpg_step: {error}"
            # the conditional family's reference: the factorized iteration on marginals of its
            # shape, plus the second agent's factorisation
            ref_logs = logs if family == "factorized" else [np.full((n_states, 3),
                                                                    -np.log(3.0))] * 2
            extra = 0 if family == "factorized" else 1
            ours_t, ref_t = [], []
            for _ in range(args.repeats if n_states >= 256 else max(args.repeats, 50)):
                start = time.perf_counter()
                vpg_step(game, state, BETA, ALPHA)
                ours_t.append(time.perf_counter() - start)
                start = time.perf_counter()
                reference_step(rewards, trans, game.gamma, ref_logs, extra_solves=extra)
                ref_t.append(time.perf_counter() - start)
            ours_s, ref_s = statistics.median(ours_t), statistics.median(ref_t)
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            rows.append({"states": n_states, "family": family, "seconds_ours": ours_s,
                         "seconds_reference": ref_s, "ratio": ours_s / ref_s,
                         "peak_mb_so_far": peak})
            print(f"{n_states:>6} {family:>12} {ours_s:>8.2e} {ref_s:>12.2e} "
                  f"{ours_s / ref_s:>6.2f} {peak:>8.0f}")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"benchmark": "exact VPG iteration vs a minimal dense reference",
                               "torch": torch.__version__, "numpy": np.__version__,
                               "machine": platform.machine(), "threads": 1, "rows": rows},
                              indent=1))
    print(f"\nwrote {out}")


if __name__ == "__main__":
    main()
