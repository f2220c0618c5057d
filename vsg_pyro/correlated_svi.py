"""Correlated equilibrium (§5.3, Figure 3) by decentralized SVI, and :func:`solve_correlated`.

Every agent runs its own SVI on :func:`~vsg_pyro.models.correlated.correlated_agent_model`
with a :class:`~vsg_pyro.guides.SignalPolicyGuide`; the mediator runs SVI on
:func:`~vsg_pyro.models.correlated.mediator_model` with a :class:`~vsg_pyro.guides.SignalGuide`,
so the signal distribution ``sigma`` is learned.  The detached inputs of one round (action
values, opponent models given the observation, the mediator's score) are those of the exact
solver (:func:`vsg_pyro.solvers.correlated.correlated_targets`), and with natural gradients one
SVI step equals one exact step, so both methods share iterates (tested).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence

import pyro
import torch
from pyro.infer import SVI

from vsg_pyro.elbo import EnumeratedGuideELBO
from vsg_pyro.games.tabular import TabularGame
from vsg_pyro.guides.correlated import SignalGuide, SignalPolicyGuide
from vsg_pyro.joint import sum_others
from vsg_pyro.metrics.correlated import cce_gap, ce_gap, welfare
from vsg_pyro.metrics.exploitability import exploitability
from vsg_pyro.models.correlated import (
    CorrelatedInputs,
    MediatorInputs,
    correlated_agent_model,
    mediator_model,
)
from vsg_pyro.optim import natural_gradient, set_learning_rate
from vsg_pyro.signals import SignalStructure
from vsg_pyro.solvers.correlated import (
    CorrelatedState,
    MediatorSettings,
    correlated_init,
    correlated_targets,
    default_mediator,
    executed_signal_policies,
    largest_change,
    log_prior_rows,
    solve_correlated_exact,
    state_change,
)
from vsg_pyro.solvers.lp import max_welfare_correlated_equilibrium
from vsg_pyro.solvers.soft_dp import check_family
from vsg_pyro.solvers.step_control import StepSizeController
from vsg_pyro.solvers.vpg import vpg_step_size

__all__ = ["DecentralizedCorrelatedSVI", "solve_correlated"]


class DecentralizedCorrelatedSVI:
    """N agents' SVI and the mediator's SVI on one game (module docstring).

    Args:
        game, structure: the game and its signal structure (:class:`~vsg_pyro.signals.
            SignalStructure`).
        initial: the starting :class:`~vsg_pyro.solvers.correlated.CorrelatedState` (its
            policies and signal become the guides' initial logits).
        mediator: the mediator's settings; alpha: the agents' natural-gradient step.
        log_priors: per agent ``(S, A_i)``; mediator_name: the mediator's site/param prefix.
    """

    def __init__(
        self,
        game: TabularGame,
        structure: SignalStructure,
        initial: CorrelatedState,
        mediator: MediatorSettings,
        alpha: float,
        log_priors: Sequence[torch.Tensor] | None = None,
        mediator_name: str = "mediator",
    ) -> None:
        if mediator_name in game.agent_names:  # type: ignore[operator]
            raise ValueError(f"mediator_name: {mediator_name!r} is also an agent's name")
        self.game, self.structure, self.mediator = game, structure, mediator
        self.log_priors = log_priors
        self.rows = math.prod(game.row_shape)
        n = game.n_agents
        family = "conditional" if initial.log_policies[0].ndim == n + 2 else "factorized"
        self.guides = [
            SignalPolicyGuide(game.agent_names[i], i, game.action_counts,  # type: ignore[index]
                              structure.observation_counts[i], self.rows, family, lp)
            for i, lp in enumerate(initial.log_policies)]
        self.signal_guide = SignalGuide(mediator_name, self.rows, structure.size,
                                        initial.log_signal)
        store = pyro.get_param_store()
        for g in [*self.guides, self.signal_guide]:
            for name in g.param_names():
                if name in store:
                    del store[name]
        loss = EnumeratedGuideELBO()
        self.agent_optims = [natural_gradient([g], alpha) for g in self.guides]
        self.mediator_optim = natural_gradient([self.signal_guide], mediator.alpha)
        self.svis = [SVI(correlated_agent_model, g, o, loss=loss)
                     for g, o in zip(self.guides, self.agent_optims, strict=True)]
        self.mediator_svi = SVI(mediator_model, self.signal_guide, self.mediator_optim, loss=loss)
        self._models = initial.opponent_models
        self._multipliers = initial.multipliers
        self._iteration = initial.iteration
        self._cache: dict = {}

    def state(self) -> CorrelatedState:
        """The current state, read from the guides' parameters."""
        return CorrelatedState(tuple(g.log_policy() for g in self.guides), self._models,
                               self.signal_guide.log_signal(), self._multipliers, self._iteration)

    def step(self, beta: float, alpha: float, agents: bool = True) -> tuple[list[float], list[float], float]:
        """One round: every agent's SVI step (unless ``agents=False``) and the mediator's.
        Returns (agents' losses, agents' eq. (3) ELBOs before the step, the state change)."""
        game, n = self.game, self.game.n_agents
        old = self.state()
        targets = correlated_targets(game, self.structure, old, beta, self.mediator,
                                     self.log_priors, self._cache)
        sigma = old.log_signal.exp()
        executed = executed_signal_policies(old, n)
        losses: list[float] = []
        if agents:
            for i in range(n):
                set_learning_rate(self.agent_optims[i], alpha)
                inputs = CorrelatedInputs(
                    agent=i, agent_names=game.agent_names,  # type: ignore[arg-type]
                    action_counts=game.action_counts, q=targets.q[i], signal_probs=sigma,
                    observations=self.structure.observations,
                    opponent_policies=tuple(executed[j] for j in range(n) if j != i),
                    log_prior=log_prior_rows(game, i, None if self.log_priors is None
                                             else self.log_priors[i]),
                    beta=float(beta), observation_weights=targets.observation_weights[i],
                    opponent_model=targets.opponent_models[i])
                losses.append(float(self.svis[i].step(inputs)))
            self._models = targets.opponent_models
            self._iteration += 1
        self.mediator_svi.step(MediatorInputs(self.signal_guide.agent_name, targets.signal_scores,
                                              self.mediator.beta))
        self._multipliers = targets.multipliers
        change = largest_change(state_change(self.structure, self.state(), old))
        return losses, (beta * targets.soft_values).tolist(), change


def solve_correlated(
    game: TabularGame,
    signal: str = "private",
    signal_size: int = 4,
    family: str = "factorized",
    method: str = "svi",
    beta: float = 1.0,
    beta_schedule: Callable[[int], float] | None = None,
    steps: int = 2000,
    seed: int = 0,
    eta: float | None = None,
    init: str | None = None,
    tol: float = 1e-8,
    callback: Callable[[int, dict], None] | None = None,
    mediator_beta: float | None = None,
    margin: float = 2.0,
    warmup: int = 200,
    adaptive_step: bool = False,
    log_priors: Sequence[torch.Tensor] | None = None,
    mediator_name: str = "mediator",
):
    """Correlated equilibrium of ``game`` (Figure 3), by SVI or by the exact updates.

    Args:
        signal: ``"private"`` (a mediator's recommendations, one per agent; the default) or
            ``"public"`` (the paper's Figure 3: one signal everybody sees; only mixtures of Nash
            equilibria, see :mod:`vsg_pyro.solvers.correlated`).
        signal_size: ``K`` of a public signal.
        family: the agents' policy family; beta / beta_schedule: the agents' inverse
            temperature (annealing drives the CE gap to zero).
        eta: the agents' eq. (4) learning rate (``alpha = eta / (1 - gamma)``; default 0.5).
        init: agents' initial policies: ``"obedient"`` (default for private signals),
            ``"random"`` (default for public ones) or ``"uniform"``.
        mediator_beta: ``beta_sigma`` (default ``10 / (max|r| H)``); margin: the obedience
            margin in nats (:func:`~vsg_pyro.solvers.correlated.obedience_margin`; 0 for none);
        warmup: at most this many mediator-only rounds first.
        adaptive_step: halve the agents' step when progress stalls after annealing (off by
            default).  Convergence is declared when the change per unit step (change / alpha)
            is below ``tol``, so a halved step cannot pass for a fixed point.

    Returns:
        A :class:`~vsg_pyro.equilibrium.SolveResult` with ``joint``, ``ce_gap``, ``cce_gap``,
        ``welfare``, ``signal`` and, for normal-form games, ``reference`` = the welfare of the
        max-welfare correlated equilibrium (HiGHS).  ``policies`` are the agents' marginal
        action distributions and ``report`` their Nash exploitability *as if played
        independently* (how much the correlation matters).
    """
    from vsg_pyro.equilibrium import SolveResult, _exact_callback  # an import cycle otherwise

    start = time.perf_counter()
    check_family(family)
    if method not in ("svi", "exact"):
        raise ValueError(f"method: must be 'svi' or 'exact', got {method!r}")
    if steps < 1:
        raise ValueError(f"steps: must be >= 1, got {steps}")
    if warmup < 0:
        raise ValueError(f"warmup: must be >= 0, got {warmup}")
    if log_priors is not None:
        if len(log_priors) != game.n_agents:
            raise ValueError(f"log_priors: need one per agent ({game.n_agents}), "
                             f"got {len(log_priors)}")
        for i, lp in enumerate(log_priors):
            if not torch.isfinite(torch.as_tensor(lp)).all():
                raise ValueError(f"log_priors[{i}]: must be finite (a prior of 0 makes the "
                                 "initial policies' KL infinite; use a small probability)")
    structure = SignalStructure.build(signal, game.action_counts, signal_size)
    init = init or ("obedient" if signal == "private" else "random")
    schedule = beta_schedule or (lambda _k: float(beta))
    if not schedule(0) > 0:
        raise ValueError(f"beta: must be > 0, got {schedule(0)}")
    alpha = vpg_step_size(game, eta)
    mediator = default_mediator(game, mediator_beta, margin, alpha)
    n = game.n_agents
    elbos: list[list[float]] = [[] for _ in range(n)]
    losses: list[list[float]] = [[] for _ in range(n)]
    if method == "exact":
        res = solve_correlated_exact(
            game, structure, beta=beta, family=family, alpha=alpha,  # type: ignore[arg-type]
            mediator=mediator, max_iter=steps, tol=tol, init=init, seed=seed,
            log_priors=log_priors, beta_schedule=beta_schedule, warmup=warmup,
            adaptive_step=adaptive_step,
            callback=None if callback is None else _exact_callback(callback))
        for entry in res.trace:
            for i in range(n):
                elbos[i].append(entry["beta"] * entry["soft_values"][i])
        joint, sig, iterations, converged = res.joint, res.signal, res.iterations, res.converged
    else:
        pyro.set_rng_seed(seed)
        runner = DecentralizedCorrelatedSVI(
            game, structure, correlated_init(game, structure, family, init, seed),  # type: ignore[arg-type]
            mediator, alpha, log_priors, mediator_name)
        for _ in range(warmup):
            *_ignored, change = runner.step(schedule(0), alpha, agents=False)
            if change < tol:
                break
        control = StepSizeController(alpha, 25, adaptive_step)
        converged, iterations = False, 0
        for step in range(steps):
            b = schedule(step)
            step_loss, step_elbo, change = runner.step(b, control.alpha)
            iterations = step + 1
            for i in range(n):
                losses[i].append(step_loss[i])
                elbos[i].append(step_elbo[i])
            if callback is not None:
                callback(step, {"beta": b, "delta": change, "elbo": step_elbo, "loss": step_loss})
            settled = schedule(step + 1) == b
            if change / control.alpha < tol and settled:
                converged = True
                break
            if settled:
                control.update(change)
        final = runner.state()
        targets = correlated_targets(game, structure, final, schedule(iterations), mediator,
                                     log_priors)
        lead = game.row_shape
        joint = targets.joint.reshape(*lead, *game.action_counts)
        sig = final.log_signal.exp().reshape(*lead, structure.size)
    marginals = [sum_others(joint, i, n) for i in range(n)]
    marginals = [m / m.sum(-1, keepdim=True) for m in marginals]
    reference = (max_welfare_correlated_equilibrium(game).welfare if game.is_normal_form
                 else None)
    return SolveResult(
        game.name, "correlated", family, method, float(schedule(max(iterations - 1, 0))),
        marginals, exploitability(game, marginals), elbos, losses, iterations, converged,
        time.perf_counter() - start, None, joint, ce_gap(game, joint), cce_gap(game, joint),
        welfare(game, joint), None, reference, sig)
