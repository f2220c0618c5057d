"""The state of the correlated-equilibrium solvers (§5.3, Figure 3), its initial value, the
agents' executed policies given their observation of the signal, and the step's change.

Shapes: ``M`` rows, ``W`` signals, ``K_i`` observations, ``J = (A_1, ..., A_N)``; policies
``(M, K_i, A_i)`` (factorized) or ``(M, K_i, *J)`` (conditional); ``sigma`` ``(M, W)``;
multipliers ``(M, C)``.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import torch

from vsg_pyro.core.joint import agent_view, expect_over_others, joint_axis
from vsg_pyro.core.rows import n_rows
from vsg_pyro.core.soft_dp import Family, check_family
from vsg_pyro.equilibria.correlated.signals import SignalStructure
from vsg_pyro.games.tabular import TabularGame

__all__ = ["CorrelatedState", "correlated_init", "executed_signal_policies", "state_change",
           "largest_change"]


class CorrelatedState(NamedTuple):
    """Per agent normalised log-policies and opponent models given the observation
    ``(M, K_i, *J)`` (1 at ``i``); the log signal distribution ``(M, W)``; the mediator's
    multipliers ``(M, C)`` (:func:`incentive_features`; ``C = 0`` for public signals); the
    iteration."""

    log_policies: tuple[torch.Tensor, ...]
    opponent_models: tuple[torch.Tensor, ...]
    log_signal: torch.Tensor
    multipliers: torch.Tensor
    iteration: int


def correlated_init(
    game: TabularGame,
    structure: SignalStructure,
    family: Family = "factorized",
    init: str = "obedient",
    seed: int = 0,
) -> CorrelatedState:
    """Initial state: a uniform signal distribution, zero multipliers and policies

    * ``"obedient"`` (private signals only): ``pi_i(a_i | o_i) = 0.9`` at ``a_i = o_i``;
    * ``"random"``: standard-normal logits (public signals need them: identical policies for
      every observation make the signal useless);
    * ``"uniform"``.
    """
    check_family(family)
    if init not in ("obedient", "random", "uniform"):
        raise ValueError(f"init: must be 'obedient', 'random' or 'uniform', got {init!r}")
    if init == "obedient" and structure.kind != "private":
        raise ValueError("init: 'obedient' needs private signals (recommendations)")
    n, counts = game.n_agents, game.action_counts
    m = n_rows(game)
    gen = torch.Generator().manual_seed(seed)
    logs, models = [], []
    for i in range(n):
        k = structure.observation_counts[i]
        shape = (m, k, *counts) if family == "conditional" else (m, k, counts[i])
        axis = joint_axis(i, n) if family == "conditional" else -1
        if init == "random":
            logits = torch.randn(shape, generator=gen, dtype=torch.float64)
        elif init == "obedient":
            a = counts[i]
            obey = torch.full((k, a), 0.1 / max(a - 1, 1), dtype=torch.float64)
            obey.fill_diagonal_(0.9 if a > 1 else 1.0)
            if family == "conditional":
                view = obey.reshape(k, *[a if j == i else 1 for j in range(n)])
                logits = torch.log(view).expand(shape)
            else:
                logits = torch.log(obey).expand(shape)
        else:
            logits = torch.zeros(shape, dtype=torch.float64)
        logs.append(torch.log_softmax(logits, dim=axis))
        uniform = [torch.full((m, k, c), 1.0 / c, dtype=torch.float64) for c in counts]
        model = torch.ones(m, k, *[1 if j == i else c for j, c in enumerate(counts)],
                           dtype=torch.float64)
        for j, u in enumerate(uniform):
            if j != i:
                model = model * agent_view(u, j, n)
        models.append(model)
    log_signal = torch.full((m, structure.size), -math.log(structure.size), dtype=torch.float64)
    n_constraints = sum(c * (c - 1) for c in counts) if structure.kind == "private" else 0
    multipliers = torch.zeros(m, n_constraints, dtype=torch.float64)
    return CorrelatedState(tuple(logs), tuple(models), log_signal, multipliers, 0)


def executed_signal_policies(state: CorrelatedState, n_agents: int) -> list[torch.Tensor]:
    """``pi_bar_i(a_i | m, o_i)`` ``(M, K_i, A_i)``: a conditional policy averaged over the
    agent's opponent model given its observation (Algorithm 1), renormalised (uniform at an
    observation of probability 0)."""
    out = []
    for i, lp in enumerate(state.log_policies):
        pol = lp.exp()
        if pol.ndim == n_agents + 2:  # conditional (M, K, *J)
            pol = expect_over_others(pol, state.opponent_models[i], i, n_agents)
        total = pol.sum(-1, keepdim=True)
        # An observation the signal never sends has an empty opponent model: play uniformly
        # there (it carries no probability, but must stay a distribution).
        out.append(torch.where(total > 0, pol / total.clamp_min(torch.finfo(pol.dtype).tiny),
                               torch.full_like(pol, 1.0 / pol.shape[-1])))
    return out


def largest_change(changes: list[float]) -> float:
    """``max(changes)``, refusing NaN (Python's ``max`` would skip it and pass for converged)."""
    if any(math.isnan(c) for c in changes):
        raise FloatingPointError("the correlated-equilibrium updates produced NaN; check "
                                 "log_priors and beta for infinite or invalid values")
    return max(changes)


def state_change(
    structure: SignalStructure, new: CorrelatedState, old: CorrelatedState
) -> list[float]:
    """Largest changes of one step: the signal's probabilities; the policies' *log*-
    probabilities (a saturated softmax hardly moves in probability while its logits still
    travel, which would pass for convergence), weighted by ``P(o_i | m)`` (an observation the
    signal never sends does not affect play); the opponent models' probabilities, so weighted."""
    sigma = old.log_signal.exp()
    out = [(new.log_signal.exp() - sigma).abs().max().item()]
    for i, (a, b) in enumerate(zip(new.log_policies, old.log_policies, strict=True)):
        w = structure.observation_marginal(sigma, i)  # (M, K_i)
        diff = torch.where(a == b, 0.0, a - b).abs()  # -inf (a zero prior) does not move
        change = diff.reshape(*w.shape, -1).amax(-1)
        dm = (new.opponent_models[i] - old.opponent_models[i]).abs().reshape(*w.shape, -1)
        out += [(w * change).max().item(), (w * dm.amax(-1)).max().item()]
    return out
