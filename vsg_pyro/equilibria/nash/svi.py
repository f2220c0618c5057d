"""Decentralized SVI for Nash equilibrium: every agent runs its own SVI on its own model.

Agents share *executed* policies (read from each guide with :func:`~vsg_pyro.infer.guide_tables.
guide_tables`), never parameters.  One round, for every agent ``i`` (Algorithm 1):

1. executed policy ``pi_bar_i = sum_{a_-i} p_i pi_i`` from its guide and current opponent model;
2. opponent model ``p_i`` from the opponent-model object
   (:mod:`vsg_pyro.equilibria.nash.opponents`: exact, optimistic, external, or §5.4's zero-sum
   response computed from agent ``i``'s own ``Q_i``);
3. ``Q_i`` of Definition 5.1 under (``pi_i``, ``p_i``) by exact backward induction (detached);
4. one ``svi.step`` on :func:`~vsg_pyro.models.nash.nash_model` with the agent's guide.

:class:`Solver` puts this behind the solver protocol (:mod:`vsg_pyro.core.protocol`); its state
is the exact solver's :class:`~vsg_pyro.equilibria.nash.exact.VPGState`, read from the guides,
so that SVI and exact iterates can be compared (with natural gradients they agree to 1e-9).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pyro
import torch
from pyro.infer import SVI
from pyro.optim import PyroOptim

from vsg_pyro.core.joint import executed_marginal, product_of_marginals, sum_others
from vsg_pyro.core.protocol import Certificate, Run, StepInfo
from vsg_pyro.core.rows import fold_rows, log_prior_rows, n_rows, unfold_rows
from vsg_pyro.core.soft_dp import Family, soft_evaluate, uniform_log_prior
from vsg_pyro.equilibria.nash.exact import (
    VPGState,
    check_solver_options,
    executed_policies,
    nash_certificate,
    nash_solution,
    state_change,
    vpg_init,
)
from vsg_pyro.equilibria.nash.opponents import ExactOpponent, OpponentModel
from vsg_pyro.equilibria.results import NashSolution
from vsg_pyro.games.tabular import TabularGame, require_cpu_float64
from vsg_pyro.guides.tabular import TabularPolicyGuide
from vsg_pyro.infer.elbo import EnumeratedGuideELBO
from vsg_pyro.infer.guide_tables import guide_tables
from vsg_pyro.infer.natural_gradient import natural_gradient, set_learning_rate
from vsg_pyro.infer.param_store import clear_params
from vsg_pyro.infer.validation import check_validate
from vsg_pyro.models.nash import NashInputs, nash_model

__all__ = ["DecentralizedNashSVI", "Solver", "tabular_guides"]


def tabular_guides(game: TabularGame, family: str, opponent: OpponentModel, init: str,
                   seed: int) -> list[TabularPolicyGuide]:
    """One :class:`~vsg_pyro.guides.TabularPolicyGuide` per agent, starting at the exact
    solver's initial policies (:func:`~vsg_pyro.equilibria.nash.exact.vpg_init`)."""
    state = vpg_init(game, family, init, seed)  # type: ignore[arg-type]
    rows = n_rows(game)
    return [
        TabularPolicyGuide(game.agent_names[i], i, game.action_counts, rows, family,  # type: ignore[index]
                           opponent.guide_mode, fold_rows(game, lp))
        for i, lp in enumerate(state.log_policies)
    ]


class DecentralizedNashSVI:
    """N independent SVI instances on one game (see module docstring).

    Args:
        game: the game.
        guides: one guide per agent (callables taking :class:`NashInputs`).
        optimizers: one ``pyro.optim`` optimiser per agent.
        opponent: the opponent-model object (:mod:`vsg_pyro.equilibria.nash.opponents`);
            its ``guide_mode`` must match the tabular guides' ``opponent_mode``.
        log_priors: per agent ``(S, A_i)`` log prior; uniform by default.
        loss: the ELBO; default :class:`~vsg_pyro.infer.elbo.EnumeratedGuideELBO` (exact); pass
            ``TraceEnum_ELBO(max_plate_nesting=1)`` for Pyro's general enumeration (same value).
    """

    def __init__(
        self,
        game: TabularGame,
        guides: Sequence[Callable[[NashInputs], object]],
        optimizers: Sequence[PyroOptim],
        opponent: OpponentModel | None = None,
        log_priors: Sequence[torch.Tensor] | None = None,
        loss: pyro.infer.ELBO | None = None,
    ) -> None:
        n = game.n_agents
        opponent = ExactOpponent() if opponent is None else opponent
        if not isinstance(opponent, OpponentModel):
            raise TypeError(f"opponent: must be an OpponentModel (ExactOpponent(), "
                            f"OptimisticOpponent(), ExternalOpponent(fn), ZeroSumOpponent()), "
                            f"got {opponent!r}")
        if opponent.n_players is not None and n != opponent.n_players:
            raise ValueError(f"opponent: {opponent!r} needs {opponent.n_players} players, got {n}")
        if len(guides) != n or len(optimizers) != n:
            raise ValueError(f"guides/optimizers: need one per agent ({n})")
        self.game, self.guides, self.opponent = game, list(guides), opponent
        self.lead = game.row_shape
        self.rows = n_rows(game)
        priors = log_priors or [uniform_log_prior(game, i) for i in range(n)]
        self.log_priors = [torch.as_tensor(p, dtype=torch.float64) for p in priors]
        loss = loss or EnumeratedGuideELBO()
        self.optimizers = list(optimizers)
        self.iteration = 0  # rounds taken (the state's iteration count)
        self.svis = [SVI(nash_model, g, o, loss=loss) for g, o in zip(guides, optimizers, strict=True)]
        uniform = [torch.full((self.rows, a), 1.0 / a, dtype=torch.float64)
                   for a in game.action_counts]
        self.inputs = [self._inputs(i, None, uniform, [u for j, u in enumerate(uniform) if j != i],
                                    1.0) for i in range(n)]
        executed = self.executed_policies()
        self.inputs = [self._inputs(i, None, executed, self._initial_rows(i, executed), 1.0)
                       for i in range(n)]

    def _initial_rows(self, i: int, executed: Sequence[torch.Tensor]) -> list[torch.Tensor]:
        """The guides' first opponent model: the others' executed policies, except for an
        external model, which is asked from the start."""
        if self.opponent.guide_mode == "external":
            return self._opponent_rows(i, executed)
        return [e for j, e in enumerate(executed) if j != i]

    # ------------------------------------------------------------------ helpers
    def _rows(self, x: torch.Tensor) -> torch.Tensor:
        return fold_rows(self.game, x)

    def _unrows(self, x: torch.Tensor) -> torch.Tensor:
        return unfold_rows(self.game, x)

    def _log_prior_rows(self, i: int) -> torch.Tensor:
        return log_prior_rows(self.game, i, self.log_priors[i])

    def _inputs(self, i, q, executed, opponent_model, beta) -> NashInputs:
        g = self.game
        others = [j for j in range(g.n_agents) if j != i]
        if q is None:
            q = torch.zeros(self.rows, *g.action_counts, dtype=torch.float64)
        return NashInputs(
            agent=i, agent_names=g.agent_names, action_counts=g.action_counts, q=q,  # type: ignore[arg-type]
            opponent_policies=tuple(executed[j] for j in others),
            opponent_model=tuple(opponent_model[k] for k in range(len(others))),
            log_prior=self._log_prior_rows(i), beta=float(beta), row_weights=None, game=g,
            horizon_rows=self.lead,
        )

    def _opponent_rows(self, i: int, executed: Sequence[torch.Tensor],
                       guide_rows: Sequence[torch.Tensor] = ()) -> list[torch.Tensor]:
        """The opponent model ``p_i`` per opponent, rows ``(M, A_j)``."""
        return self.opponent.rows(i, executed, guide_rows, self._unrows, self._rows)

    def tables(self) -> list:
        """Every guide's exact tables at its current inputs (a guide's own ``tables`` method
        when it has one, else read from its enumerated trace)."""
        return [g.tables(inp) if hasattr(g, "tables") else guide_tables(g, inp)  # type: ignore[attr-defined]
                for g, inp in zip(self.guides, self.inputs, strict=True)]

    def executed_policies(self, tables: list | None = None) -> list[torch.Tensor]:
        """Rows ``(M, A_i)`` of every agent's executed policy (renormalised)."""
        tables = tables or self.tables()
        n, out = self.game.n_agents, []
        for i, tab in enumerate(tables):
            others = [j for j in range(n) if j != i]
            model = product_of_marginals(
                [tab.opponent_marginals[others.index(j)] if j != i else
                 torch.ones(self.rows, self.game.action_counts[i], dtype=torch.float64)
                 for j in range(n)], exclude=i)
            m = executed_marginal(tab.policy, model, i, n)
            out.append(m / m.sum(-1, keepdim=True))
        return out

    # ------------------------------------------------------------------ one round
    def step(
        self, beta: float, alpha: float | None = None
    ) -> tuple[list[float], list[float], torch.Tensor]:
        """One round of every agent's SVI.  Returns (losses, eq. (3) ELBOs of the policies
        before the step, the new executed policies ``(M, A_i)`` per agent stacked in a list).

        ``alpha``: the step size, needed by a responding opponent model (zero-sum: the
        opponent's predicted eq. (4) step,
        :func:`~vsg_pyro.equilibria.zero_sum.response.zero_sum_response`)."""
        g, n = self.game, self.game.n_agents
        tables = self.tables()
        executed = self.executed_policies(tables)
        losses, elbos = [], []
        responds = type(self.opponent).respond is not OpponentModel.respond
        if responds and alpha is None:
            raise ValueError(f"alpha: required by the opponent model {self.opponent!r}")
        for i in range(n):
            others = [j for j in range(n) if j != i]
            opp = self._opponent_rows(i, executed, tables[i].opponent_marginals)
            as_list = [opp[others.index(j)] if j != i else executed[i] for j in range(n)]
            model_joint = self._unrows(product_of_marginals(as_list, exclude=i))
            true_joint = self._unrows(product_of_marginals(executed, exclude=i))
            policy = self._unrows(tables[i].policy)
            if responds:
                q = soft_evaluate(g, i, policy, model_joint, beta, self.log_priors[i]).q
                other_prior = self.log_priors[1 - i] if n == 2 else None
                response = self.opponent.respond(g, i, policy, model_joint, q, beta, alpha,
                                                 other_prior)
                if response is not None:
                    model_joint = response
                    opp = [self._rows(sum_others(model_joint, j, n)) for j in others]
            if not self.opponent.kl_to_opponents:
                # e.g. zero-sum's p* is the opponent's predicted response, not an estimate of
                # pi_-i: no KL term
                true_joint = None
            ev = soft_evaluate(g, i, policy, model_joint, beta, self.log_priors[i],
                               opponents_policy=true_joint)
            elbos.append(float(beta * ev.value))
            self.inputs[i] = self._inputs(i, self._rows(ev.q), executed, opp, beta)
            losses.append(float(self.svis[i].step(self.inputs[i])))
        return losses, elbos, executed

    def state(self) -> VPGState:
        """The current iterate as the exact solver's state: per agent the normalised
        log-policy (a tabular factorized guide's ``(H?, S, A_i)``, otherwise the conditional
        table ``(H?, S, *J)``) and the opponent model ``(H?, S, *J)`` the guide holds."""
        n, logs, models = self.game.n_agents, [], []
        for i, (g, tab) in enumerate(zip(self.guides, self.tables(), strict=True)):
            if isinstance(g, TabularPolicyGuide) and g.family == "factorized":
                logs.append(self._unrows(torch.log(g.policy_probs())))
            else:
                logs.append(self._unrows(torch.log(tab.policy)))
            others = [j for j in range(n) if j != i]
            marginals = [tab.opponent_marginals[others.index(j)] if j != i else
                         torch.ones(self.rows, self.game.action_counts[i], dtype=torch.float64)
                         for j in range(n)]
            models.append(self._unrows(product_of_marginals(marginals, exclude=i)))
        return VPGState(tuple(logs), tuple(models), self.iteration)


class Solver:
    """Nash SVI behind the solver protocol (module docstring).

    Args:
        game: the game; family: the guides' family (default tabular guides);
        init: ``"uniform"`` or ``"random"`` initial policies (the exact solver's);
        log_priors: per agent ``(S, A_i)`` log prior.
        opponent: the opponent-model object (default :class:`ExactOpponent`).
        guides: your own guides, one per agent (same sites as
            :class:`~vsg_pyro.guides.TabularPolicyGuide`); default tabular guides, whose stale
            parameters are cleared at ``init``.
        loss: the ELBO instance (default :class:`~vsg_pyro.infer.elbo.EnumeratedGuideELBO`).
        optim: a ``pyro.optim`` optimiser shared by the agents, or one per agent; default a
            natural-gradient optimiser per agent whose rate is set to ``alpha`` at every step
            (so a step is eq. (4)); with your own optimiser ``alpha`` only reaches a
            responding opponent model.
        certificate_tol: the certificate's threshold (:mod:`~vsg_pyro.equilibria.nash.
            certificate`).
        validate: Pyro's argument validation during the steps
            (:mod:`vsg_pyro.infer.validation`; default: on with your own guides only).

    ``step`` continues from the latest state only (the parameters live in Pyro's param
    store); it reports ``change`` = :func:`~vsg_pyro.equilibria.nash.exact.state_change`, the
    ELBO of the policies before the step and the agents' losses.
    """

    concept = "nash"
    method = "svi"

    def __init__(
        self,
        game: TabularGame,
        family: Family = "conditional",
        init: str = "uniform",
        log_priors: Sequence[torch.Tensor] | None = None,
        opponent: OpponentModel | None = None,
        guides: Sequence[Callable] | None = None,
        loss: pyro.infer.ELBO | None = None,
        optim: PyroOptim | Sequence[PyroOptim] | None = None,
        certificate_tol: float = 1e-6,
        validate: bool | None = None,
    ) -> None:
        require_cpu_float64(game, "SVI")
        opponent = check_solver_options(game, family, init, opponent, certificate_tol,
                                        exact_solver=False)
        if guides is not None:
            guides = list(guides)
            if len(guides) != game.n_agents:
                raise ValueError(f"guides: need one per agent ({game.n_agents}), got {len(guides)}")
            if optim is None:
                missing = [g for g in guides if not hasattr(g, "fisher_diagonal")]
                if missing:
                    raise ValueError("optim: the natural gradient needs guides with "
                                     "fisher_diagonal(name); pass optim=pyro.optim.ClippedAdam(...) "
                                     "for other guides")
        if optim is not None and not isinstance(optim, PyroOptim):
            optim = list(optim)
            if len(optim) != game.n_agents or not all(isinstance(o, PyroOptim) for o in optim):
                raise ValueError(f"optim: a pyro.optim optimiser or one per agent "
                                 f"({game.n_agents})")
        self.game, self.family, self.init_kind = game, family, init
        self.log_priors, self.opponent, self.loss = log_priors, opponent, loss
        self.user_guides, self.optim = guides, optim
        self.certificate_tol = float(certificate_tol)
        # Pyro's argument validation during the steps: on for your own guides (it checks
        # them), off for the built-in tabular ones (valid by construction; the same iterates)
        self.validate = check_validate(validate, guides is not None)
        self.n_agents = game.n_agents
        self.runner: DecentralizedNashSVI | None = None
        self._latest: VPGState | None = None

    def init(self, seed: int = 0) -> VPGState:
        pyro.set_rng_seed(seed)
        if self.user_guides is None:
            guides = tabular_guides(self.game, self.family, self.opponent, self.init_kind, seed)
            clear_params(n for g in guides for n in g.param_names(self.game.agent_names))  # type: ignore[arg-type]
        else:
            guides = self.user_guides
        if self.optim is None:
            optims = [natural_gradient([g], 0.5) for g in guides]
        elif isinstance(self.optim, PyroOptim):
            optims = [self.optim] * len(guides)
        else:
            optims = list(self.optim)
        self._natural = self.optim is None
        self.runner = DecentralizedNashSVI(self.game, guides, optims, self.opponent,
                                           self.log_priors, self.loss)
        self._latest = self._read_state()
        return self._latest

    def _read_state(self) -> VPGState:
        """The runner's state; with your own guides and ``family="factorized"``, the policies
        are read as the guides' executed marginals ``(H?, S, A_i)`` (a factorized guide's
        table does not depend on ``a_-i``), so that the factorized certificate applies."""
        state = self.runner.state()  # type: ignore[union-attr]
        if self.user_guides is not None and self.family == "factorized":
            logs = tuple(torch.log(p) for p in executed_policies(state))
            state = state._replace(log_policies=logs)
        return state

    def step(self, state: VPGState, beta: float, alpha: float) -> tuple[VPGState, StepInfo]:
        if self.runner is None or state is not self._latest:
            raise ValueError("state: an SVI solver keeps its parameters in Pyro's param store "
                             "and continues from its latest state only (call init(seed) to "
                             "start again)")
        if self._natural:
            for optim in self.runner.optimizers:
                set_learning_rate(optim, alpha)
        with pyro.validation_enabled(self.validate):
            losses, elbos, _executed = self.runner.step(beta, alpha)
        self.runner.iteration += 1
        new = self._read_state()
        self._latest = new
        return new, StepInfo(change=state_change(new, state), elbo=tuple(elbos),
                             loss=tuple(losses))

    def certificate(self, state: VPGState, beta: float) -> Certificate:
        return nash_certificate(self, state, beta)

    def result(self, state: VPGState, run: Run, **fields) -> NashSolution:
        runner = self.runner
        policies = [runner._unrows(e) for e in runner.executed_policies()]  # type: ignore[union-attr]
        return nash_solution(self, policies, state, run, loss=run.loss,
                             guides=list(runner.guides), **fields)  # type: ignore[union-attr]
