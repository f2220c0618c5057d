"""The logit QRE's principal branch as a result (issue 13): the whole branch
(:func:`trace_branch`, as ``gambit-logit`` prints it), its points at several betas from one
trace (:func:`qre_at`), and its limit as beta grows, a Nash equilibrium (:func:`limit_equilibrium`;
the logit branch's equilibrium selection, McKelvey & Palfrey 1995), all by
:class:`~vsg_pyro.equilibria.nash.path.Solver`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import torch

from vsg_pyro.equilibria.nash import svi_path
from vsg_pyro.equilibria.nash.path import CORRECTOR_TOL, MAX_STEP, Solver, logit_residual
from vsg_pyro.equilibria.nash.support_newton import (
    StageValues,
    branch_support,
    support_newton,
)
from vsg_pyro.games.tabular import TabularGame

__all__ = ["Branch", "trace_branch", "qre_at", "LimitPoint", "limit_equilibrium", "METHODS"]

#: how a branch is followed: ``"path"``, the closed-form (or autograd) equations of
#: :class:`~.path.Solver`; ``"svi-path"``, the agents' ELBO stationarity on their Pyro
#: programs (:class:`~.svi_path.Solver`, the factorized family; the same branch)
METHODS = ("path", "svi-path")


def _follower(game: TabularGame, method: str, log_priors: Sequence[torch.Tensor] | None = None,
              corrector_tol: float = CORRECTOR_TOL) -> Solver:
    """The path follower ``method`` names (:data:`METHODS`)."""
    if method == "path":
        return Solver(game, log_priors, corrector_tol=corrector_tol)
    if method == "svi-path":
        return svi_path.Solver(game, log_priors, corrector_tol=corrector_tol)
    raise ValueError(f"method: one of {METHODS}, got {method!r}")


class Branch(NamedTuple):
    """The principal branch from beta = 0: ``betas`` ``(K,)``, per agent ``policies``
    ``(K, A_i)``, ``residuals`` ``(K,)`` (the logit residual of each point at its own beta) and
    the ``events`` met (:class:`PathState`)."""

    betas: torch.Tensor
    policies: list[torch.Tensor]
    residuals: torch.Tensor
    events: tuple[tuple[str, float], ...]


def trace_branch(game: TabularGame, max_beta: float,
                 log_priors: Sequence[torch.Tensor] | None = None, max_step: float = MAX_STEP,
                 steps: int = 100_000, method: str = "path") -> Branch:
    """Follow the principal branch from beta = 0 until it reaches ``max_beta`` (as
    ``gambit-logit`` prints it; ``method``: :data:`METHODS`); raises ``RuntimeError`` if
    ``steps`` predictor-corrector steps do not get there, or the step length collapses."""
    if not max_beta > 0:
        raise ValueError(f"max_beta: must be > 0, got {max_beta}")
    if not game.is_normal_form:
        raise ValueError("trace_branch: normal-form games (a stochastic game's branch: qre_at "
                         "at a list of betas, or limit_equilibrium)")
    solver = _follower(game, method, log_priors)
    state = solver.init()
    for _ in range(steps):
        if state.done:
            break
        state, _ = solver.step(state, float(max_beta), max_step)
        if state.events and state.events[-1][0] == "step collapsed":
            raise RuntimeError(f"the branch's step length collapsed at beta "
                               f"{state.events[-1][1]:.6g}")
    else:
        raise RuntimeError(f"the branch did not reach beta {max_beta} in {steps} steps")
    points = torch.stack(state.points)  # (K, n)
    per_agent = list(torch.split(points, solver.counts, dim=1))
    residuals = torch.tensor([
        logit_residual(solver.payoffs, solver.log_priors,
                       [p[k] for p in per_agent], b) for k, b in enumerate(state.betas)],
        dtype=torch.float64)
    return Branch(torch.tensor(state.betas, dtype=torch.float64), per_agent, residuals,
                  state.events)


def qre_at(game: TabularGame, betas: Sequence[float],
           log_priors: Sequence[torch.Tensor] | None = None, max_step: float = MAX_STEP,
           steps: int = 100_000, method: str = "path"
           ) -> list[tuple[float, list[torch.Tensor], float]]:
    """The principal branch's first point at each of ``betas`` (increasing), from one trace
    (``method``: :data:`METHODS`): ``(beta, policies per agent, residual)`` each, with
    policies ``(A_i,)`` and the logit residual in a normal-form game, ``(H?, S, A_i)`` and
    the soft best-response residual in a stochastic one (the solver's certificate)."""
    targets = [float(b) for b in betas]
    if not targets or any(b <= 0 for b in targets) or targets != sorted(targets):
        raise ValueError(f"betas: need increasing values > 0, got {list(betas)}")
    solver = _follower(game, method, log_priors)
    state, out, budget = solver.init(), [], steps
    for beta in targets:
        while not (state.done and float(state.z[-1]) == beta):
            if budget == 0:
                raise RuntimeError(f"the branch did not reach beta {beta} in {steps} steps")
            state, _ = solver.step(state, beta, max_step)
            budget -= 1
        policies = solver.policies(state)
        pis = [p.reshape(-1) for p in policies] if game.is_normal_form else policies
        out.append((beta, pis, solver.certificate(state, beta).value))
    return out


class LimitPoint(NamedTuple):
    """Where the branch's points become an (unregularised) Nash equilibrium: ``beta`` reached,
    per agent ``policies`` (``(A_i,)``; a stochastic game: ``(H?, S, A_i)``), their exact
    ``exploitability`` (a stochastic game: the largest over initial states and agents), and
    ``pure``: each agent's most likely action (a stochastic game: per row, flattened) when
    that pure profile is itself a Nash equilibrium (the one the logit branch selects; McKelvey
    & Palfrey 1995), else ``None`` (a mixed limit).  ``support_newton``: whether the policies
    are the branch's point itself (``False``) or the equilibrium on its support found by
    Newton from it (:mod:`.support_newton`; exploitability at the rounding level)."""

    beta: float
    policies: list[torch.Tensor]
    exploitability: float
    pure: tuple[int, ...] | tuple[tuple[int, ...], ...] | None
    support_newton: bool = False


def _worst_gain(values: StageValues, rows: Sequence[np.ndarray]) -> float:
    """Exploitability from every initial state (one state: the plain exploitability) of
    policies ``(R, A_i)``, exact (:meth:`StageValues.state_gains`, tested against
    :func:`~vsg_pyro.metrics.state_exploitability`)."""
    return float(values.state_gains(rows).max())


def _limit_point(game: TabularGame, values: StageValues, beta: float,
                 rows: list[np.ndarray], gap: float, polished: bool) -> LimitPoint:
    """The result for policies ``rows`` (per agent ``(R, A_i)``)."""
    greedy = [p.argmax(-1) for p in rows]
    onehot = [np.eye(p.shape[-1])[a] for a, p in zip(greedy, rows, strict=True)]
    # first-stage one-shot gain <= exploitability <= one-shot gain x factor: exact only when
    # the bounds do not decide
    every_row, first_stage = values.one_shot_gains(onehot)
    if every_row * values.upper_bound_factor() <= 1e-12:
        is_nash = True
    elif first_stage > 1e-12:
        is_nash = False
    else:
        is_nash = _worst_gain(values, onehot) <= 1e-12
    if game.is_normal_form:
        pure = tuple(int(a[0]) for a in greedy)
        return LimitPoint(beta, [torch.from_numpy(p.reshape(-1)) for p in rows], gap,
                          pure if is_nash else None, polished)
    pure_rows = tuple(tuple(int(x) for x in a) for a in greedy)
    policies = [torch.from_numpy(p.reshape(*game.row_shape, -1)) for p in rows]
    return LimitPoint(beta, policies, gap, pure_rows if is_nash else None, polished)


#: how close (largest probability difference) the support's equilibrium must be to the
#: branch's point to count as the branch's limit
LIMIT_DISTANCE = 0.05
#: the corrector's relative tolerance on the way to the limit: the branch's points there are
#: only the next predictor's start and the support's guess (what is returned is certified
#: by its exact exploitability), so looser than :data:`~.path.CORRECTOR_TOL`; measured on
#: set (d) of issue 13: 11% fewer Jacobian evaluations than 1e-10, the same limits
LIMIT_CORRECTOR_TOL = 1e-7
# Newton on the support is tried once the exploitability's upper bound (one-shot gain times
# 1 / (1 - gamma) or H) is below this many times the tolerance
_SUPPORT_FROM = 100.0


def limit_equilibrium(game: TabularGame, tol: float = 1e-3, max_beta: float = 1e5,
                      max_step: float = 50.0, progress: bool = False,
                      method: str = "path") -> LimitPoint:
    """Follow the principal branch until it yields a ``tol``-Nash equilibrium (a stochastic
    game: from every initial state, a stationary or Markov equilibrium;
    :func:`~vsg_pyro.metrics.state_exploitability`), the logit branch's equilibrium
    selection.

    Arclength steps are at most ``max(max_step, |z|)`` (``z = (log pi, beta)``; far along the
    branch it is nearly straight and grows linearly in beta).  Whenever beta has doubled (from
    1), the branch's point is tested: first itself, then the Nash equilibrium on its support
    found by Newton from it (:mod:`.support_newton`, taken only within :data:`LIMIT_DISTANCE`
    of the point); the first whose exact exploitability is ``<= tol`` is returned.  Raises
    ``RuntimeError`` past ``max_beta`` or when the branch's step length collapses.
    ``progress``: a tqdm bar of the steps, with beta and the latest one-shot gain.
    ``method``: how the branch is followed (:data:`METHODS`; ``"svi-path"`` on the agents'
    Pyro programs, the same branch at autograd's cost)."""
    if not tol > 0:
        raise ValueError(f"tol: must be > 0, got {tol}")
    if not max_beta >= 1:
        raise ValueError(f"max_beta: must be >= 1, got {max_beta}")
    if not max_step > 0:
        raise ValueError(f"max_step: must be > 0, got {max_step}")
    solver = _follower(game, method, corrector_tol=LIMIT_CORRECTOR_TOL)
    values = StageValues(game)
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(desc=f"branch of {game.name}", unit="step", leave=False)
    try:
        return _follow_to_the_limit(game, tol, max_beta, max_step, solver, values, bar)
    finally:
        if bar is not None:
            bar.close()


def _follow_to_the_limit(game: TabularGame, tol: float, max_beta: float, max_step: float,
                         solver: Solver, values: StageValues, bar) -> LimitPoint:
    """:func:`limit_equilibrium`'s loop."""
    state, check_at, found, previous = solver.init(), 1.0, {}, None
    factor = values.upper_bound_factor()
    while True:
        scale = float(np.abs(state.z.numpy()).max())
        state, _ = solver.step(state, float(max_beta), max(max_step, scale))
        if state.events and state.events[-1][0] == "step collapsed":
            raise RuntimeError(f"the branch's step length collapsed at beta "
                               f"{state.events[-1][1]:.6g}")
        beta = float(state.z[-1])
        if bar is not None:
            bar.update(1)
            bar.set_postfix(beta=f"{beta:.4g}", refresh=False)
        if beta < check_at and not state.done:
            continue
        check_at = 2.0 * beta
        flat = solver.row_policies(state)
        one_shot, first_stage = values.one_shot_gains(flat)
        if bar is not None:
            bar.set_postfix(beta=f"{beta:.4g}", one_shot_gain=f"{one_shot:.2e}")
        if first_stage <= tol:  # else the exploitability is > tol too
            gap = _worst_gain(values, flat)
            if gap <= tol:
                return _limit_point(game, values, beta, flat, gap, False)
        half, previous = previous, flat  # the points at about beta / 2 and beta
        if one_shot * factor > _SUPPORT_FROM * tol and not state.done:
            continue  # too early on the branch for its support to be the limit's
        masks = branch_support(flat, half)
        key = tuple(np.flatnonzero(np.concatenate([m.reshape(-1) for m in masks])))
        if key not in found:  # one Newton solve per support seen
            found[key] = None
            polished = support_newton(values, flat, masks)
            if polished is not None and values.one_shot_gain(polished, first_stage=True) <= tol:
                found[key] = (polished, _worst_gain(values, polished))
        if found[key] is not None:  # the support's equilibrium: is the branch near it yet?
            candidate, gap = found[key]
            near = max(float(np.abs(c - p).max()) for c, p in zip(candidate, flat, strict=True))
            if gap <= tol and near <= LIMIT_DISTANCE:
                return _limit_point(game, values, beta, candidate, gap, True)
        if state.done:
            raise RuntimeError(f"the branch's exploitability stayed above {tol} up to beta "
                               f"{max_beta:g}")
