"""Correlated equilibrium (§5.3, Figure 3) by decentralized SVI.

Every agent runs its own SVI on :func:`~vsg_pyro.models.correlated.correlated_agent_model`
with a :class:`~vsg_pyro.guides.SignalPolicyGuide`; the mediator runs SVI on
:func:`~vsg_pyro.models.correlated.mediator_model` with a :class:`~vsg_pyro.guides.SignalGuide`,
so the signal distribution ``sigma`` is learned.  The detached inputs of one round (action
values, opponent models given the observation, the mediator's score) are those of the exact
solver (:func:`vsg_pyro.equilibria.correlated.exact.correlated_targets`), and with natural
gradients one SVI step equals one exact step, so both methods share iterates (tested).
:class:`Solver` is the exact :class:`~vsg_pyro.equilibria.correlated.exact.Solver` with its
step taken by these SVI programs; its state is read from the guides.
"""

from __future__ import annotations

from collections.abc import Sequence

import pyro
import torch
from pyro.infer import SVI

from vsg_pyro.core.protocol import StepInfo
from vsg_pyro.core.rows import log_prior_rows, n_rows
from vsg_pyro.equilibria.correlated import exact
from vsg_pyro.equilibria.correlated.exact import (
    CorrelatedState,
    correlated_init,
    correlated_targets,
    executed_signal_policies,
    largest_change,
    state_change,
)
from vsg_pyro.equilibria.correlated.mediator import MediatorSettings
from vsg_pyro.equilibria.correlated.signals import SignalStructure
from vsg_pyro.games.tabular import TabularGame
from vsg_pyro.guides.correlated import SignalGuide, SignalPolicyGuide
from vsg_pyro.infer.elbo import EnumeratedGuideELBO
from vsg_pyro.infer.natural_gradient import natural_gradient, set_learning_rate
from vsg_pyro.infer.param_store import clear_params
from vsg_pyro.infer.validation import check_validate
from vsg_pyro.models.correlated import (
    CorrelatedInputs,
    MediatorInputs,
    correlated_agent_model,
    mediator_model,
)

__all__ = ["DecentralizedCorrelatedSVI", "Solver"]


class DecentralizedCorrelatedSVI:
    """N agents' SVI and the mediator's SVI on one game (module docstring).

    Args:
        game, structure: the game and its signal structure (:class:`~vsg_pyro.equilibria.correlated.signals.
            SignalStructure`).
        initial: the starting :class:`~vsg_pyro.equilibria.correlated.exact.CorrelatedState` (its
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
        self.rows = n_rows(game)
        n = game.n_agents
        family = "conditional" if initial.log_policies[0].ndim == n + 2 else "factorized"
        self.guides = [
            SignalPolicyGuide(game.agent_names[i], i, game.action_counts,  # type: ignore[index]
                              structure.observation_counts[i], self.rows, family, lp)
            for i, lp in enumerate(initial.log_policies)]
        self.signal_guide = SignalGuide(mediator_name, self.rows, structure.size,
                                        initial.log_signal)
        clear_params(n for g in [*self.guides, self.signal_guide] for n in g.param_names())
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


class Solver(exact.Solver):
    """Correlated SVI behind the solver protocol: the exact solver's state, certificate and
    result; ``init`` builds the guides at the exact initial state, ``prepare`` runs the
    mediator's warm-up by SVI and ``step`` one round of every agent's and the mediator's
    SVI.  Continues from its latest state only (the parameters live in the param store).

    Args: those of :class:`~vsg_pyro.equilibria.correlated.exact.Solver`, and
        ``mediator_name``: the mediator's site and parameter prefix; ``validate``: Pyro's
        argument validation during the steps (:mod:`vsg_pyro.infer.validation`).
    """

    method = "svi"

    def __init__(self, game: TabularGame, structure: SignalStructure, family: str = "factorized",
                 init: str = "obedient", log_priors: Sequence[torch.Tensor] | None = None,
                 mediator: MediatorSettings | None = None, warmup: int = 0,
                 warmup_tol: float = 1e-8, certificate_tol: float = 1e-9,
                 mediator_name: str = "mediator", validate: bool = False) -> None:
        super().__init__(game, structure, family, init, log_priors, mediator, warmup,  # type: ignore[arg-type]
                         warmup_tol, certificate_tol)
        self.mediator_name = mediator_name
        # Pyro's argument validation during the steps (built-in guides: off by default;
        # vsg_pyro.infer.validation)
        self.validate = check_validate(validate, False)
        self.runner: DecentralizedCorrelatedSVI | None = None
        self._latest: CorrelatedState | None = None

    def init(self, seed: int = 0) -> CorrelatedState:
        pyro.set_rng_seed(seed)
        initial = correlated_init(self.game, self.structure, self.family, self.init_kind,  # type: ignore[arg-type]
                                  seed)
        self.runner = DecentralizedCorrelatedSVI(self.game, self.structure, initial,
                                                 self.mediator, self.mediator.alpha,
                                                 self.log_priors, self.mediator_name)
        self._latest = self.runner.state()
        return self._latest

    def _check(self, state: CorrelatedState) -> DecentralizedCorrelatedSVI:
        if self.runner is None or state is not self._latest:
            raise ValueError("state: an SVI solver keeps its parameters in Pyro's param store "
                             "and continues from its latest state only (call init(seed) to "
                             "start again)")
        return self.runner

    def prepare(self, state: CorrelatedState, beta: float) -> CorrelatedState:
        runner = self._check(state)
        with pyro.validation_enabled(self.validate):
            for _ in range(self.warmup):
                *_ignored, change = runner.step(beta, self.mediator.alpha, agents=False)
                if change < self.warmup_tol:
                    break
        self._latest = runner.state()
        return self._latest

    def step(self, state: CorrelatedState, beta: float,
             alpha: float) -> tuple[CorrelatedState, StepInfo]:
        runner = self._check(state)
        with pyro.validation_enabled(self.validate):
            losses, elbos, change = runner.step(beta, alpha)
        self._latest = runner.state()
        return self._latest, StepInfo(change=change, elbo=tuple(elbos), loss=tuple(losses))
