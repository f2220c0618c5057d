"""Decentralized SVI for Nash equilibrium: every agent runs its own SVI on its own model.

Agents share *executed* policies (read from each guide with :func:`~vsg_pyro.guide_tables.
guide_tables`), never parameters.  One round, for every agent ``i`` (Algorithm 1):

1. executed policy ``pi_bar_i = sum_{a_-i} p_i pi_i`` from its guide and current opponent model;
2. opponent model: ``exact`` -> ``prod_{j != i} pi_bar_j``; ``external`` -> supplied by a callable;
   ``optimistic`` -> the guide's own free parameters; ``zero_sum`` -> §5.4's soft response of the
   opponent to ``pi_i`` computed from agent ``i``'s own ``Q_i``
   (:func:`~vsg_pyro.solvers.zero_sum.zero_sum_response`; guides in ``external`` mode);
3. ``Q_i`` of Definition 5.1 under (``pi_i``, ``p_i``) by exact backward induction (detached);
4. one ``svi.step`` on :func:`~vsg_pyro.models.nash.nash_model` with the agent's guide.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pyro
import torch
from pyro.infer import SVI
from pyro.optim import PyroOptim

from vsg_pyro.elbo import EnumeratedGuideELBO
from vsg_pyro.games.tabular import TabularGame
from vsg_pyro.guide_tables import guide_tables
from vsg_pyro.joint import executed_marginal, product_of_marginals, sum_others
from vsg_pyro.models.nash import NashInputs, nash_model
from vsg_pyro.solvers.soft_dp import soft_evaluate, uniform_log_prior
from vsg_pyro.solvers.zero_sum import zero_sum_response

__all__ = ["ExternalOpponentModel", "DecentralizedNashSVI", "game_rows", "DRIVER_OPPONENT_MODES"]

DRIVER_OPPONENT_MODES: tuple[str, ...] = ("exact", "optimistic", "external", "zero_sum")

# (agent, executed policies (H?, S, A_j) of everyone) -> per opponent j != i, p_j (H?, S, A_j)
ExternalOpponentModel = Callable[[int, Sequence[torch.Tensor]], Sequence[torch.Tensor]]


def game_rows(game: TabularGame) -> tuple[int, ...]:
    """``(H, S)`` for a finite horizon, ``(S,)`` when discounted: rows fold back to this."""
    return game.row_shape


class DecentralizedNashSVI:
    """N independent SVI instances on one game (see module docstring).

    Args:
        game: the game.
        guides: one guide per agent (callables taking :class:`NashInputs`).
        optimizers: one ``pyro.optim`` optimiser per agent.
        opponent_mode: one of :data:`DRIVER_OPPONENT_MODES` (the driver's side of it).
        external_opponent_model: required for ``"external"``.
        log_priors: per agent ``(S, A_i)`` log prior; uniform by default.
        loss: the ELBO; default :class:`~vsg_pyro.elbo.EnumeratedGuideELBO` (exact); pass
            ``TraceEnum_ELBO(max_plate_nesting=1)`` for Pyro's general enumeration (same value).
    """

    def __init__(
        self,
        game: TabularGame,
        guides: Sequence[Callable[[NashInputs], object]],
        optimizers: Sequence[PyroOptim],
        opponent_mode: str = "exact",
        external_opponent_model: ExternalOpponentModel | None = None,
        log_priors: Sequence[torch.Tensor] | None = None,
        loss: pyro.infer.ELBO | None = None,
    ) -> None:
        n = game.n_agents
        if opponent_mode not in DRIVER_OPPONENT_MODES:
            raise ValueError(f"opponent_mode: must be one of {DRIVER_OPPONENT_MODES}, "
                             f"got {opponent_mode!r}")
        if opponent_mode == "zero_sum" and n != 2:
            raise ValueError(f"opponent_mode: 'zero_sum' needs 2 players, got {n}")
        if len(guides) != n or len(optimizers) != n:
            raise ValueError(f"guides/optimizers: need one per agent ({n})")
        if opponent_mode == "external" and external_opponent_model is None:
            raise ValueError("external_opponent_model: required when opponent_mode='external'")
        self.game, self.guides, self.opponent_mode = game, list(guides), opponent_mode
        self.external_opponent_model = external_opponent_model
        self.lead = game_rows(game)
        self.rows = 1
        for d in self.lead:
            self.rows *= d
        priors = log_priors or [uniform_log_prior(game, i) for i in range(n)]
        self.log_priors = [torch.as_tensor(p, dtype=torch.float64) for p in priors]
        loss = loss or EnumeratedGuideELBO()
        self.svis = [SVI(nash_model, g, o, loss=loss) for g, o in zip(guides, optimizers, strict=True)]
        uniform = [torch.full((self.rows, a), 1.0 / a, dtype=torch.float64)
                   for a in game.action_counts]
        self.inputs = [self._inputs(i, None, uniform, [u for j, u in enumerate(uniform) if j != i],
                                    1.0) for i in range(n)]
        executed = self.executed_policies()
        self.inputs = [self._inputs(i, None, executed, self._opponent_rows(i, executed), 1.0)
                       for i in range(n)]

    # ------------------------------------------------------------------ helpers
    def _rows(self, x: torch.Tensor) -> torch.Tensor:
        return x.reshape(self.rows, *x.shape[len(self.lead):])

    def _unrows(self, x: torch.Tensor) -> torch.Tensor:
        return x.reshape(*self.lead, *x.shape[1:])

    def _log_prior_rows(self, i: int) -> torch.Tensor:
        lp = self.log_priors[i]
        if self.game.horizon is not None:
            lp = lp.expand(self.game.horizon, *lp.shape)
        return self._rows(lp)

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

    def _opponent_rows(self, i: int, executed: Sequence[torch.Tensor]) -> list[torch.Tensor]:
        """The opponent model ``p_i`` per opponent, rows ``(M, A_j)``, for exact/external modes."""
        others = [j for j in range(self.game.n_agents) if j != i]
        if self.opponent_mode == "external":
            full = [self._unrows(e) for e in executed]
            supplied = self.external_opponent_model(i, full)  # type: ignore[misc]
            if len(supplied) != len(others):
                raise ValueError(f"external_opponent_model: returned {len(supplied)} "
                                 f"marginals for agent {i}, expected {len(others)}")
            return [self._rows(torch.as_tensor(p, dtype=torch.float64)) for p in supplied]
        return [executed[j] for j in others]

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

        ``alpha``: the step size, needed by the ``zero_sum`` mode (the opponent's predicted
        eq. (4) step, :func:`~vsg_pyro.solvers.zero_sum.zero_sum_response`)."""
        if self.opponent_mode == "zero_sum" and alpha is None:
            raise ValueError("alpha: required in the 'zero_sum' opponent mode")
        g, n = self.game, self.game.n_agents
        tables = self.tables()
        executed = self.executed_policies(tables)
        losses, elbos = [], []
        for i in range(n):
            others = [j for j in range(n) if j != i]
            if self.opponent_mode == "optimistic":
                opp = list(tables[i].opponent_marginals)
            else:
                opp = self._opponent_rows(i, executed)
            as_list = [opp[others.index(j)] if j != i else executed[i] for j in range(n)]
            model_joint = self._unrows(product_of_marginals(as_list, exclude=i))
            true_joint = self._unrows(product_of_marginals(executed, exclude=i))
            policy = self._unrows(tables[i].policy)
            if self.opponent_mode == "zero_sum":
                q = soft_evaluate(g, i, policy, model_joint, beta, self.log_priors[i]).q
                model_joint = zero_sum_response(g, i, policy, model_joint, q, beta, alpha,
                                                self.log_priors[1 - i])
                opp = [self._rows(sum_others(model_joint, 1 - i, n))]
                # p* is the opponent's predicted response, not an estimate of pi_-i: no KL term
                true_joint = None
            ev = soft_evaluate(g, i, policy, model_joint, beta, self.log_priors[i],
                               opponents_policy=true_joint)
            elbos.append(float(beta * ev.value))
            self.inputs[i] = self._inputs(i, self._rows(ev.q), executed, opp, beta)
            losses.append(float(self.svis[i].step(self.inputs[i])))
        return losses, elbos, executed
