"""One reward-inference experiment end to end (``vsg infer``): a known soft-optimal opponent
plays, agent i infers its reward from the observed actions, and the run is written to a run
directory that ``vsg diagnose`` (:func:`vsg_pyro.diagnostics.diagnose_run`) reads.

The opponent ``j`` plays the soft-optimal policy of Prop. 5.9 for its *true* reward
``game.rewards[j]`` against the others' policies (``others="equilibrium"``: the factorized
soft-Nash equilibrium at the same ``beta``, by exact VPG; ``"uniform"``).  Agent i models it
with tabular ``(s, a_j)`` reward features (:func:`~vsg_pyro.models.opponent.tabular_reward_features`).
In a one-state, one-step game these represent the truth exactly:
``psi(s, a_j) = E_{a_-j}[r_j(s, a_j, a_-j)] - E_{a_-j}[r_j(s, 0, a_-j)]``, which is written
to ``run.json`` as ``truth`` (so ``diagnose`` reports coverage).  In longer games they do not
in general; the true opponent policy is always written, and the posterior-predictive plot
compares against the observed frequencies.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import NamedTuple

import torch

from vsg_pyro.core.joint import product_of_marginals, sum_others
from vsg_pyro.diagnostics.netcdf_io import save_inference_data
from vsg_pyro.diagnostics.report import POSTERIOR_FILE, RUN_FILE
from vsg_pyro.equilibria.nash.vpg_run import solve_vpg
from vsg_pyro.games.registry import get_game
from vsg_pyro.games.tabular import TabularGame
from vsg_pyro.models.opponent import soft_optimal_policy
from vsg_pyro.opponent.inference import (
    RewardPosterior,
    infer_reward_nuts,
    infer_reward_svi,
    opponent_inputs,
    posterior_to_inference_data,
)
from vsg_pyro.opponent.play import simulate_play

__all__ = ["RewardInferenceRun", "infer_opponent_reward", "INFERENCE_METHODS", "OTHERS"]

INFERENCE_METHODS = ("nuts", "svi")
OTHERS = ("equilibrium", "uniform")


class RewardInferenceRun(NamedTuple):
    """``posterior`` draws, ArviZ ``idata``, ``run`` metadata (as written to ``run.json``),
    ``out_dir`` (``None`` if not written)."""

    posterior: RewardPosterior
    idata: object
    run: dict
    out_dir: Path | None


def infer_opponent_reward(
    game: TabularGame | str,
    opponent: int = 1,
    observations: int = 2000,
    method: str = "nuts",
    beta: float = 1.0,
    others: str = "equilibrium",
    chains: int = 4,
    samples: int = 500,
    warmup: int = 300,
    svi_steps: int = 1500,
    psi_scale: float = 2.0,
    seed: int = 0,
    out_dir: str | Path | None = None,
    progress: bool = False,
) -> RewardInferenceRun:
    """Simulate ``observations`` steps of play, infer the opponent's reward (``method``:
    ``"nuts"`` or ``"svi"``), and write ``posterior.nc`` and ``run.json`` to ``out_dir``;
    ``progress``: Pyro's NUTS progress bar per chain, or a tqdm bar over the SVI steps."""
    game = get_game(game)
    if method not in INFERENCE_METHODS:
        raise ValueError(f"method: must be one of {INFERENCE_METHODS}, got {method!r}")
    if others not in OTHERS:
        raise ValueError(f"others: must be one of {OTHERS}, got {others!r}")
    if not 0 <= opponent < game.n_agents:
        raise ValueError(f"opponent: must be an agent index in [0, {game.n_agents}), got {opponent}")
    lead = game.row_shape
    if others == "uniform":
        policies = [torch.full((*lead, a), 1.0 / a, dtype=torch.float64) for a in game.action_counts]
    else:
        policies = list(solve_vpg(game, beta=beta, family="factorized", max_iter=5000).policies)
    rest = [p for k, p in enumerate(policies) if k != opponent]
    truth_policy = soft_optimal_policy(game, opponent, game.rewards[opponent], rest, beta)
    policies[opponent] = truth_policy
    record = simulate_play(game, policies, observations, seed=seed)
    inputs = opponent_inputs(game, opponent, record, policies, beta, psi_scale=psi_scale)
    if method == "nuts":
        posterior = infer_reward_nuts(inputs, num_samples=samples, warmup_steps=warmup,
                                      num_chains=chains, seed=seed, progress=progress)
    else:
        posterior = infer_reward_svi(inputs, steps=svi_steps, num_chains=chains,
                                     num_samples=samples, seed=seed, progress=progress)
    idata = posterior_to_inference_data(posterior, inputs, record)
    run = {
        "game": game.name, "opponent": opponent, "modeller": inputs.name, "method": method,
        "beta": beta, "others": others, "observations": observations, "seed": seed,
        "features": "tabular (s, a_j), action 0 as reference", "psi_scale": psi_scale,
        "seconds": posterior.seconds,
        "true_policy": truth_policy.reshape(-1, truth_policy.shape[-1]).tolist(),
        "posterior_mean_policy": posterior.action_probs.mean((0, 1)).tolist(),
        **({"divergences": posterior.extra["divergences"]} if method == "nuts" else {}),
    }
    truth = _representable_truth(game, opponent, rest)
    if truth is not None:
        run["truth"] = {"psi": truth.tolist()}
    path = None
    if out_dir is not None:
        path = Path(out_dir)
        path.mkdir(parents=True, exist_ok=True)
        save_inference_data(idata, path / POSTERIOR_FILE)
        (path / RUN_FILE).write_text(json.dumps(run, indent=1))
    return RewardInferenceRun(posterior, idata, run, path)


def _representable_truth(game: TabularGame, opponent: int, rest) -> torch.Tensor | None:
    """The true ``psi`` for tabular ``(s, a_j)`` features in a one-step game (module docstring);
    ``None`` for longer games."""
    if not game.is_normal_form:
        return None
    full = rest[:opponent] + [torch.ones(*rest[0].shape[:-1], game.action_counts[opponent],
                                         dtype=torch.float64)] + rest[opponent:]
    joint = product_of_marginals(full, exclude=opponent)[0]  # (S, *J) at t = 0
    expected = sum_others(game.rewards[opponent] * joint, opponent, game.n_agents)  # (S, A_j)
    # the order of tabular_reward_features: state-major, then a_j = 1 .. A_j - 1
    return (expected[:, 1:] - expected[:, :1]).reshape(-1)
