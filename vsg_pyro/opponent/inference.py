"""Opponent modelling with reward inference (§5.1.2, Algorithm 3): three routes to the reward
``psi`` an agent ascribes to an opponent, all on :mod:`vsg_pyro.models.opponent`.

* **Bayesian, NUTS** (:func:`infer_reward_nuts`): ``pyro.infer.MCMC`` on
  :func:`~vsg_pyro.models.opponent.opponent_reward_model`, several chains run one after another
  (seeded), so R-hat and ESS are meaningful.
* **Bayesian, SVI** (:func:`infer_reward_svi`): an AutoGuide (``AutoMultivariateNormal`` by
  default) fitted with ``Trace_ELBO``; posterior draws through ``Predictive``.
* **The paper's point estimate** (:func:`reward_point_estimate`): eq. (6)'s KL objective with
  eq. (7)'s importance-weighted gradient, then eq. (5) for the opponent model.

:func:`posterior_to_inference_data` turns a posterior into ArviZ data (posterior ``psi``,
posterior-predictive ``action_probs``, observed ``action_counts`` / ``action_frequencies``)
through :func:`vsg_pyro.diagnostics.to_inference_data`.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import pyro
import torch
from pyro.infer import MCMC, NUTS, SVI, Predictive, Trace_ELBO
from pyro.infer.autoguide import AutoDiagonalNormal, AutoMultivariateNormal

from vsg_pyro.diagnostics.arviz_io import InferenceDataLike, to_inference_data
from vsg_pyro.games.tabular import TabularGame
from vsg_pyro.metrics.exploitability import check_marginals
from vsg_pyro.models.opponent import (
    OpponentInputs,
    linear_reward,
    opponent_reward_model,
    policy_site,
    psi_site,
    soft_optimal_policy,
    tabular_reward_features,
)
from vsg_pyro.opponent.play import PlayRecord, action_counts, simulate_play

__all__ = [
    "RewardPosterior",
    "PointEstimate",
    "opponent_inputs",
    "infer_reward_nuts",
    "infer_reward_svi",
    "reward_point_estimate",
    "posterior_to_inference_data",
]


class RewardPosterior(NamedTuple):
    """Posterior draws: ``psi`` ``(chains, draws, d)``, the implied opponent policy rows
    ``action_probs`` ``(chains, draws, R, A_j)``, ``method`` (``"nuts"``/``"svi"``),
    ``seconds`` and method ``extra`` (NUTS: ``divergences`` per chain; SVI: ``losses``)."""

    method: str
    psi: torch.Tensor
    action_probs: torch.Tensor
    seconds: float
    extra: dict


class PointEstimate(NamedTuple):
    """Eqs. (6)-(7): ``psi`` ``(d,)``, the opponent model ``policy`` rows ``(R, A_j)`` of eq. (5)
    at ``psi``, per step the sample estimate of eq. (6) ``objective`` (up to a constant), and
    ``seconds``."""

    psi: torch.Tensor
    policy: torch.Tensor
    objective: list[float]
    seconds: float


def opponent_inputs(
    game: TabularGame,
    opponent: int,
    record: PlayRecord,
    policies: Sequence[torch.Tensor],
    beta: float,
    features: torch.Tensor | None = None,
    psi_scale: float = 1.0,
    name: str | None = None,
) -> OpponentInputs:
    """Inputs for modelling ``opponent`` from ``record`` (its actions are the observations).

    ``policies``: every agent's policy ``(H?, S, A_k)`` (the opponent's own entry is ignored:
    it is what is inferred); ``features``: default :func:`tabular_reward_features`; ``name``:
    the modelling agent (default: the first other agent)."""
    n = game.n_agents
    if not 0 <= opponent < n:
        raise ValueError(f"opponent: must be an agent index in [0, {n}), got {opponent}")
    if len(record) == 0:
        raise ValueError("record: no observations")
    policies = check_marginals(game, policies)
    feats = tabular_reward_features(game, opponent) if features is None else \
        torch.as_tensor(features, dtype=torch.float64)
    expected = (game.n_states, *game.action_counts)
    if tuple(feats.shape[:-1]) != expected:
        raise ValueError(f"features: expected shape {(*expected, 'd')}, got {tuple(feats.shape)}")
    if not psi_scale > 0:
        raise ValueError(f"psi_scale: must be > 0, got {psi_scale}")
    modeller = name or game.agent_names[1 if opponent == 0 else 0]
    return OpponentInputs(modeller, game, opponent, feats,
                          tuple(p for k, p in enumerate(policies) if k != opponent), float(beta),
                          record.rows, record.actions[:, opponent], float(psi_scale))


def _implied_policies(inputs: OpponentInputs, psi: torch.Tensor) -> torch.Tensor:
    """``(B, d)`` -> ``(B, R, A_j)``."""
    out = []
    with torch.no_grad():
        for p in psi:
            pol = soft_optimal_policy(inputs.game, inputs.opponent,
                                      linear_reward(inputs.features, p), inputs.others,
                                      inputs.beta, inputs.log_prior)
            out.append(pol.reshape(-1, pol.shape[-1]))
    return torch.stack(out)


def infer_reward_nuts(
    inputs: OpponentInputs,
    num_samples: int = 500,
    warmup_steps: int = 300,
    num_chains: int = 4,
    seed: int = 0,
    progress: bool = False,
) -> RewardPosterior:
    """NUTS on the opponent model; chain ``c`` is seeded with ``seed + c``."""
    if num_chains < 1 or num_samples < 1:
        raise ValueError("num_chains, num_samples: must be >= 1")
    start = time.perf_counter()
    site = psi_site(inputs.name, inputs.opponent_name)
    chains, divergences = [], []
    for c in range(num_chains):
        pyro.set_rng_seed(seed + c)
        mcmc = MCMC(NUTS(opponent_reward_model), num_samples=num_samples, warmup_steps=warmup_steps,
                    num_chains=1, disable_progbar=not progress)
        mcmc.run(inputs)
        chains.append(mcmc.get_samples()[site].detach())
        div = mcmc.diagnostics().get("divergences", {})
        divergences.append(int(sum(len(v) for v in div.values())))
    psi = torch.stack(chains)  # (C, D, d)
    probs = _implied_policies(inputs, psi.reshape(-1, psi.shape[-1]))
    return RewardPosterior("nuts", psi, probs.reshape(*psi.shape[:2], *probs.shape[1:]),
                           time.perf_counter() - start, {"divergences": divergences})


def infer_reward_svi(
    inputs: OpponentInputs,
    steps: int = 1500,
    lr: float = 0.05,
    num_chains: int = 4,
    num_samples: int = 500,
    guide: str = "multivariate",
    seed: int = 0,
    progress: bool = False,
) -> RewardPosterior:
    """SVI with an AutoGuide (``"multivariate"``: ``AutoMultivariateNormal``; ``"diagonal"``:
    ``AutoDiagonalNormal``) and ``Trace_ELBO``; ``num_chains x num_samples`` draws through
    ``Predictive`` (independent draws, split into chains for ArviZ); ``progress``: a tqdm bar
    over the SVI steps."""
    guides = {"multivariate": AutoMultivariateNormal, "diagonal": AutoDiagonalNormal}
    if steps < 1 or num_chains < 1 or num_samples < 1:
        raise ValueError("steps, num_chains, num_samples: must be >= 1")
    if guide not in guides:
        raise ValueError(f"guide: must be one of {tuple(guides)}, got {guide!r}")
    start = time.perf_counter()
    pyro.set_rng_seed(seed)
    auto = guides[guide](opponent_reward_model)
    # the guide's parameters carry the modeller's and the opponent's names in the param store
    # ("<name>/reward_guide/<opponent>.loc", ...); a new fit starts afresh
    prefix = f"{inputs.name}/reward_guide/{inputs.opponent_name}"
    auto._pyro_name = prefix
    store = pyro.get_param_store()
    for key in [k for k in store.keys() if k.startswith(prefix + ".")]:
        del store[key]
    svi = SVI(opponent_reward_model, auto, pyro.optim.ClippedAdam({"lr": lr, "lrd": 0.1 ** (1 / steps)}),
              loss=Trace_ELBO())
    from tqdm import trange

    losses = [svi.step(inputs) for _ in trange(steps, desc="svi", unit="step", leave=False,
                                                disable=not progress)]
    site = psi_site(inputs.name, inputs.opponent_name)
    pred = Predictive(opponent_reward_model, guide=auto, num_samples=num_chains * num_samples,
                      return_sites=[site, policy_site(inputs.name, inputs.opponent_name)])
    with torch.no_grad():
        draws = pred(inputs._replace(actions=None))
    psi = draws[site].reshape(num_chains, num_samples, -1)
    probs = draws[policy_site(inputs.name, inputs.opponent_name)]
    probs = probs.reshape(num_chains, num_samples, *probs.shape[-2:])
    return RewardPosterior("svi", psi.detach(), probs.detach(), time.perf_counter() - start,
                           {"losses": losses})


def reward_point_estimate(
    inputs: OpponentInputs,
    record: PlayRecord,
    steps: int = 300,
    samples: int = 256,
    lr: float = 0.1,
    seed: int | torch.Generator = 0,
    init: torch.Tensor | None = None,
) -> PointEstimate:
    """The paper's point estimate of ``psi`` (eqs. 6-7) for a finite-horizon game.

    Eq. (6): ``KL(P(tau_j) || p_j(tau_j)) = -E_data[sum_t beta r(s_t, a_t)]
    + log E_{tau ~ p}[exp(sum_t beta r(tau)) / p(tau)] + const``, over whole episodes.  Eq. (7)
    is its gradient with self-normalised importance weights
    ``w = exp(sum_t beta r) pi0_j(a_j) / p(tau)``, estimated from ``samples`` episodes drawn with
    the opponent playing its current model ``p_j`` (eq. 5 at the current ``psi``) and everyone
    else their known policies; ``p(tau)`` keeps only the opponent's factors (the dynamics and
    the others' factors cancel).  The episodes start from the data's initial states and the
    weights are normalised per initial state, each group weighted by its frequency in the data
    (the data's initial states are given, not explained by ``psi``).  Adam takes ``steps``
    steps on ``psi``, from ``init`` (default 0).

    With one step per episode and rewards on ``(s, a_j)`` this is maximum likelihood under
    eq. (5).  Otherwise its optimum is the *trajectory* maximum-entropy model
    ``P(tau | s_0) ∝ P_dynamics pi_-j pi0_j exp(sum beta r)``, not the soft-optimal policy of
    Prop. 5.9; the README reports the difference measured.
    """
    game, j = inputs.game, inputs.opponent
    if game.horizon is None:
        raise ValueError("reward_point_estimate: eqs. (6)-(7) need episodes (a finite-horizon "
                         "game); use infer_reward_nuts or infer_reward_svi")
    start = time.perf_counter()
    if steps < 1 or samples < 1:
        raise ValueError(f"steps, samples: must be >= 1, got {steps}, {samples}")
    gen = seed if isinstance(seed, torch.Generator) else torch.Generator().manual_seed(int(seed))
    feats = inputs.features
    n_episodes = int(torch.unique(record.episode).numel())
    observed = feats[(record.state, *record.actions.unbind(-1))].sum(0) / n_episodes  # (d,)
    starts = record.state[record.time == 0]
    if starts.numel() == 0:
        raise ValueError("record: no episode starts (t = 0) in the data")
    start_freq = torch.bincount(starts, minlength=game.n_states).to(torch.float64)
    start_freq = start_freq / start_freq.sum()  # (S,) the data's initial-state frequencies
    log_prior = None if inputs.log_prior is None else torch.log_softmax(
        torch.as_tensor(inputs.log_prior, dtype=torch.float64), -1)  # (S, A_j), normalised
    groups = torch.nonzero(start_freq > 0).reshape(-1)
    # episodes per observed initial state: proportional to the data, at least one each
    per_group = [max(1, round(samples * float(start_freq[g]))) for g in groups]
    samples = sum(per_group)
    psi = (torch.zeros(inputs.n_features, dtype=torch.float64) if init is None
           else torch.as_tensor(init, dtype=torch.float64).clone()).requires_grad_(True)
    optim = torch.optim.Adam([psi], lr=lr)
    others = list(inputs.others)
    objective = []
    for _ in range(steps):
        with torch.no_grad():
            policy = soft_optimal_policy(game, j, linear_reward(feats, psi), others, inputs.beta,
                                         inputs.log_prior)
        marginals = others[:j] + [policy] + others[j:]
        parts, offset = [], 0
        for g, k in zip(groups.tolist(), per_group, strict=True):
            one_hot = torch.zeros(game.n_states, dtype=torch.float64)
            one_hot[g] = 1.0
            parts.append(simulate_play(game, marginals, k * game.horizon, seed=gen, initial=one_hot,
                                       first_episode=offset))  # episodes offset .. offset + k - 1
            offset += k
        sim = PlayRecord.concat(parts)
        phi = feats[(sim.state, *sim.actions.unbind(-1))]  # (K H, d)
        own = sim.actions[:, j]
        log_p = torch.log(policy[sim.time, sim.state, own])
        if log_prior is not None:
            log_p = log_p - log_prior[sim.state, own]
        episode = sim.episode
        ret = inputs.beta * torch.zeros(samples, dtype=torch.float64).index_add(
            0, episode, phi @ psi)  # (K,) differentiable
        log_q = torch.zeros(samples, dtype=torch.float64).index_add(0, episode, log_p)
        log_w = ret.detach() - log_q
        group = sim.state[sim.time == 0]  # (K,) each sampled episode's initial state
        weights = torch.zeros(samples, dtype=torch.float64)
        log_z = torch.zeros((), dtype=torch.float64)
        for s0 in torch.unique(group):  # self-normalise per initial state, weight by the data
            mask = group == s0
            weights[mask] = start_freq[s0] * torch.softmax(log_w[mask], 0)
            log_z = log_z + start_freq[s0] * (torch.logsumexp(log_w[mask], 0)
                                              - np.log(int(mask.sum())))
        weights = weights / weights.sum()
        data_term = inputs.beta * observed @ psi
        surrogate = -data_term + (weights * ret).sum()  # gradient: eq. (7)
        optim.zero_grad()
        surrogate.backward()
        optim.step()
        objective.append(float(-data_term.detach() + log_z))
    psi = psi.detach()
    policy = soft_optimal_policy(game, j, linear_reward(feats, psi), others, inputs.beta,
                                 inputs.log_prior)
    return PointEstimate(psi, policy.reshape(-1, policy.shape[-1]), objective,
                         time.perf_counter() - start)


def posterior_to_inference_data(
    posterior: RewardPosterior,
    inputs: OpponentInputs,
    record: PlayRecord | None = None,
) -> InferenceDataLike:
    """ArviZ data of a reward posterior: ``posterior/psi`` ``(chain, draw, d)``,
    ``posterior_predictive/action_probs`` ``(chain, draw, row, action)``, and, from the
    observations, ``observed_data/action_counts`` and ``action_frequencies`` ``(row, action)``
    (NaN in rows never observed).  ``sample_stats/diverging`` for NUTS is not per draw here
    (chains are run separately), so the divergence counts go to the run metadata instead."""
    rows, a_j = posterior.action_probs.shape[-2:]
    if record is not None:
        counts = action_counts(record, inputs.opponent, rows, a_j)
    else:
        flat = inputs.rows * a_j + inputs.actions  # type: ignore[operator]
        counts = torch.bincount(flat, minlength=rows * a_j).reshape(rows, a_j).to(torch.float64)
    total = counts.sum(-1, keepdim=True)
    freq = torch.where(total > 0, counts / total.clamp_min(1), torch.full_like(counts, float("nan")))
    return to_inference_data(
        {"posterior": {"psi": posterior.psi},
         "posterior_predictive": {"action_probs": posterior.action_probs},
         "observed_data": {"action_counts": counts, "action_frequencies": freq}},
        dims={"psi": ["feature"], "action_probs": ["row", "action"],
              "action_counts": ["row", "action"], "action_frequencies": ["row", "action"]},
    )
