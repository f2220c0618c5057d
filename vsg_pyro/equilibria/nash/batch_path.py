"""Logit QRE path following for many normal-form games at once (issue 14, batched solving:
first stage, the factorized family's path in normal-form games of one shape).

The branch of each game is :mod:`.path`'s: the zero set of the logit equations
(:mod:`.logit`) followed from beta = 0 by a predictor (the tangent, plus the last step's
change of tangent) and a Newton corrector on the pseudo-arclength system, with the same
step-length control (Allgower & Georg's: the corrector's first correction, its contraction
and the tangent's turn near their nominal values).  Here every array carries a leading game
axis ``K``: the equations and their closed-form Jacobian are evaluated for all active games
in one set of numpy calls (:class:`BatchLogitSystem`), and the linear systems are solved by
one batched LAPACK call, so a step of K games costs about what one game's step costs in the
scalar solver while K is small against the per-call overhead.  Each game keeps its own step
length and point; a game that has reached the requested beta (corrected there exactly by
Newton in ``y``) or whose step length collapses drops out of the batch.

Not here (the scalar :class:`~.path.Solver` has them): events (turning points and
bifurcations are passed, not reported), stochastic games, the conditional family.  Games
whose branch does not reach beta here are re-solved by the scalar solver, so every returned
point carries its own certificate, the logit residual ``max_i |pi_i - softmax(log pi0_i +
beta u_i)|``.

Shapes: payoffs per agent ``(K, A_1, ..., A_N)``; ``z`` ``(K, n + 1)`` with ``n = sum_i
A_i``; policies per agent ``(K, A_i)``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import torch

from vsg_pyro.core.joint import expect_except
from vsg_pyro.equilibria.nash.branch import qre_at
from vsg_pyro.equilibria.nash.logit import difference_rows

# the scalar follower's tolerances and step-length control, shared (one branch, one rule)
from vsg_pyro.equilibria.nash.path import (
    _DELTA,
    _KAPPA,
    _MAX_TURN,
    _NEWTON_ITER,
    _NEWTON_TOL,
    _TURN,
    CORRECTOR_TOL,
)
from vsg_pyro.games.normal_form import normal_form_game
from vsg_pyro.games.tabular import TabularGame, require_cpu_float64

__all__ = ["BatchLogitSystem", "BatchQRE", "qre_batch"]

_H0 = 0.05  # the first arclength step, as path.Solver's default h0


class BatchLogitSystem:
    """The logit equations ``H`` ``(K, n)`` and their Jacobian ``(K, n, n + 1)`` of K games
    of one shape (:class:`~.logit.LogitSystem`'s closed form with a leading game axis).

    Args:
        payoffs: per agent ``(K, A_1, ..., A_N)``; log_priors: per agent ``(K, A_i)``."""

    def __init__(self, payoffs: Sequence[np.ndarray], log_priors: Sequence[np.ndarray]) -> None:
        self.payoffs = [np.ascontiguousarray(p, dtype=np.float64) for p in payoffs]
        self.counts = tuple(int(p.shape[1 + i]) for i, p in enumerate(self.payoffs))
        self.prior_gaps = [lp[:, 1:] - lp[:, :1] for lp in log_priors]
        self.offsets = np.cumsum([0, *self.counts])
        self.base = difference_rows(self.counts)

    def evaluate(self, z: np.ndarray, games: np.ndarray, jacobian: bool = True
                 ) -> tuple[np.ndarray, np.ndarray | None]:
        """``H`` and (if asked) ``J`` at ``z`` ``(k, n + 1)`` for the games ``games``
        ``(k,)`` (indices into the batch)."""
        off, beta = self.offsets, z[:, -1]
        ys = [z[:, off[i]:off[i + 1]] for i in range(len(self.counts))]
        pis = [np.exp(v) for v in ys]
        h = np.empty((len(games), int(off[-1])))
        jac = np.repeat(self.base[None], len(games), 0) if jacobian else None
        for i, v in enumerate(ys):
            pay = self.payoffs[i][games]
            u = expect_except(pay, pis, (i,))  # (k, A_i)
            start, stop = int(off[i]), int(off[i + 1])
            h[:, start] = pis[i].sum(1) - 1.0
            h[:, start + 1:stop] = (v[:, 1:] - v[:, :1] - self.prior_gaps[i][games]
                                    - beta[:, None] * (u[:, 1:] - u[:, :1]))
            if jac is None:
                continue
            jac[:, start, start:stop] = pis[i]
            jac[:, start + 1:stop, -1] = -(u[:, 1:] - u[:, :1])
            for j in range(len(self.counts)):
                if j == i:
                    continue
                pair = expect_except(pay, pis, (min(i, j), max(i, j)))
                pair = pair if i < j else pair.transpose(0, 2, 1)  # (k, A_i, A_j)
                d = pair * pis[j][:, None, :]  # d u_i(a) / d y_j(b)
                jac[:, start + 1:stop, off[j]:off[j + 1]] = -beta[:, None, None] * (
                    d[:, 1:] - d[:, :1])
        return h, jac


class BatchQRE(NamedTuple):
    """The principal branch's points at ``beta`` of K games: per agent ``policies``
    ``(K, A_i)``, the logit ``residuals`` ``(K,)``, ``converged`` ``(K,)`` (residual <=
    ``tol``), the predictor-corrector ``steps`` per game ``(K,)`` and ``rescued`` ``(K,)``:
    the games the batch did not finish, solved by the scalar path follower instead."""

    beta: float
    policies: list[torch.Tensor]
    residuals: torch.Tensor
    converged: torch.Tensor
    steps: torch.Tensor
    rescued: torch.Tensor


def _solve(matrices: np.ndarray, rhs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Batched ``matrices^{-1} rhs`` ``(k, m)`` and whether each system was regular
    ``(k,)`` (singular or non-finite systems: NaN solutions, ``False``)."""
    ok = np.isfinite(matrices).all((1, 2)) & np.isfinite(rhs).all(1)
    out = np.full(rhs.shape, np.nan)
    if ok.any():
        try:
            out[ok] = np.linalg.solve(matrices[ok], rhs[ok][..., None])[..., 0]
        except np.linalg.LinAlgError:  # one singular system: solve them one by one
            for k in np.flatnonzero(ok):
                try:
                    out[k] = np.linalg.solve(matrices[k], rhs[k])
                except np.linalg.LinAlgError:
                    ok[k] = False
    return out, ok & np.isfinite(out).all(1)


def _tangent(jac: np.ndarray, reference: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unit tangents ``(k, n + 1)`` with ``J t = 0`` oriented like ``reference``, and
    whether each was found."""
    last = np.zeros(jac.shape[2])
    last[-1] = 1.0
    x, ok = _solve(np.concatenate([jac, reference[:, None]], 1),
                   np.broadcast_to(last, reference.shape))
    norm = np.sqrt((x * x).sum(1))
    ok &= np.isfinite(norm) & (norm > 0)
    return x / np.where(ok, norm, 1.0)[:, None], ok


class _Corrected(NamedTuple):
    z: np.ndarray
    jac: np.ndarray
    ok: np.ndarray
    first: np.ndarray
    kappa: np.ndarray


def _correct(system: BatchLogitSystem, games: np.ndarray, z_pred: np.ndarray,
             t: np.ndarray) -> _Corrected:
    """Newton on ``[H(z) = 0, t . (z - z_pred) = 0]`` for every game at once (each game
    stops on its own test, :meth:`~.path.Solver._correct`'s)."""
    k, width = z_pred.shape
    z, jac_out = z_pred.copy(), np.full((k, width - 1, width), np.nan)
    live, ok = np.ones(k, bool), np.zeros(k, bool)
    previous, first, kappa = np.full(k, np.inf), np.zeros(k), np.zeros(k)
    for _ in range(_NEWTON_ITER):
        rows = np.flatnonzero(live)
        if not len(rows):
            break
        h, jac = system.evaluate(z[rows], games[rows])
        residual = np.concatenate([h, ((z[rows] - z_pred[rows]) * t[rows]).sum(1)[:, None]], 1)
        worst = np.abs(residual).max(1)
        scale = 1.0 + np.abs(z[rows]).max(1)
        done = worst < CORRECTOR_TOL * scale
        finite = np.isfinite(worst)
        dz, solved = _solve(np.concatenate([jac, t[rows][:, None]], 1), residual)
        size = np.abs(dz).max(1)
        diverging = ~done & (~finite | ~solved | ~(size <= 0.5 * previous[rows]))
        floor = diverging & finite & (worst < 1e4 * _NEWTON_TOL * scale)
        accept = done | floor
        quadratic = (~accept & ~diverging & (previous[rows] < np.inf)
                     & (size <= 0.1 * previous[rows]) & (size < 1e3 * CORRECTOR_TOL * scale))
        stepped = ~accept & ~diverging
        # record the contraction and the first correction
        has_prev = stepped & (previous[rows] < np.inf)
        kappa[rows[has_prev]] = np.maximum(kappa[rows[has_prev]],
                                           size[has_prev] / previous[rows[has_prev]])
        first[rows[stepped & ~has_prev]] = size[stepped & ~has_prev]
        z[rows[stepped]] -= dz[stepped]
        previous[rows[stepped]] = size[stepped]
        finished = accept | quadratic
        jac_out[rows[finished]] = jac[finished]
        ok[rows[finished]] = True
        live[rows[finished | (diverging & ~floor)]] = False
    return _Corrected(z, jac_out, ok, first, kappa)


def _newton_at_beta(system: BatchLogitSystem, games: np.ndarray, z0: np.ndarray,
                    beta: float) -> tuple[np.ndarray, np.ndarray]:
    """Newton in ``y`` with beta fixed from ``z0`` ``(k, n + 1)``: the points and whether
    each converged."""
    z = z0.copy()
    z[:, -1] = beta
    ok, live = np.zeros(len(z), bool), np.ones(len(z), bool)
    for _ in range(2 * _NEWTON_ITER):
        rows = np.flatnonzero(live)
        if not len(rows):
            break
        h, jac = system.evaluate(z[rows], games[rows])
        worst = np.abs(h).max(1)
        good = worst < _NEWTON_TOL * (1.0 + np.abs(z[rows, :-1]).max(1))
        ok[rows[good]], live[rows[good]] = True, False
        rest = ~good
        dy, solved = _solve(jac[rest][:, :, :-1], h[rest])
        live[rows[rest][~solved]] = False
        step = rows[rest][solved]
        z[step, :-1] -= dy[solved]
    rows = np.flatnonzero(live)  # the last iterates: accept at 1000x the tolerance
    if len(rows):
        h, _ = system.evaluate(z[rows], games[rows], jacobian=False)
        ok[rows] = np.abs(h).max(1) < 1e3 * _NEWTON_TOL * (1.0 + np.abs(z[rows]).max(1))
    return z, ok


def _stacked(games: Sequence[TabularGame] | Sequence[np.ndarray]) -> list[np.ndarray]:
    """Per agent ``(K, A_1..A_N)`` payoffs from normal-form games of one shape, or from
    payoff arrays ``(N, A_1..A_N)`` each."""
    arrays = []
    for g in games:
        if isinstance(g, TabularGame):
            if not g.is_normal_form:
                raise ValueError(f"qre_batch: normal-form games only, got {g.name}")
            require_cpu_float64(g, "qre_batch")
            arrays.append(g.rewards.detach().numpy().reshape(g.n_agents, *g.action_counts))
        else:
            arrays.append(np.asarray(g, dtype=np.float64))
    if not arrays:
        raise ValueError("qre_batch: no games")
    shape = arrays[0].shape
    if any(a.shape != shape for a in arrays) or len(shape) != shape[0] + 1:
        raise ValueError("qre_batch: every game needs the same shape (N, A_1, ..., A_N), got "
                         f"{sorted({a.shape for a in arrays})}")
    if not all(np.isfinite(a).all() for a in arrays):
        raise ValueError("qre_batch: payoffs must be finite")
    stacked = np.stack(arrays)  # (K, N, A_1..A_N)
    return [np.ascontiguousarray(stacked[:, i]) for i in range(shape[0])]


def qre_batch(games: Sequence[TabularGame] | Sequence[np.ndarray], beta: float,
              tol: float = 1e-6, max_step: float = 5.0, steps: int = 100_000) -> BatchQRE:
    """The logit QRE at ``beta`` on the principal branch of each of K normal-form games of
    one shape (uniform priors), by one batched continuation (module docstring).

    Args:
        games: normal-form :class:`~vsg_pyro.games.TabularGame` s, or payoff arrays ``(N,
            A_1, ..., A_N)``, all of one shape.
        beta: the requested inverse temperature (> 0); tol: the certificate's threshold on
            the logit residual; max_step: the largest arclength step; steps: the most
            predictor-corrector steps of the batch.
    """
    if not beta > 0 or not math.isfinite(beta):
        raise ValueError(f"beta: must be finite and > 0, got {beta}")
    if not tol > 0:
        raise ValueError(f"tol: must be > 0, got {tol}")
    if not max_step > 0:
        raise ValueError(f"max_step: must be > 0, got {max_step}")
    payoffs = _stacked(games)
    K, counts = payoffs[0].shape[0], tuple(payoffs[0].shape[1:])
    priors = [np.full((K, a), -math.log(a)) for a in counts]
    system = BatchLogitSystem(payoffs, priors)
    everyone = np.arange(K)
    z = np.concatenate([*priors, np.zeros((K, 1))], 1)
    start = np.zeros_like(z)
    start[:, -1] = 1.0
    t, ok = _tangent(system.evaluate(z, everyone)[1], start)
    bend = np.zeros_like(z)
    h = np.full(K, _H0)
    done, failed, taken = np.zeros(K, bool), ~ok, np.zeros(K, int)
    for _ in range(steps):
        act = np.flatnonzero(~done & ~failed)
        if not len(act):
            break
        hs = np.minimum(h[act], max_step)[:, None]
        z_old, t_old = z[act], t[act]
        corrected = _correct(system, act, z_old + hs * t_old + 0.5 * hs * hs * bend[act], t_old)
        good = corrected.ok.copy()
        t_new = np.zeros_like(t_old)
        if good.any():
            t_new[good], found = _tangent(corrected.jac[good], t_old[good])
            good[np.flatnonzero(good)[~found]] = False
        cos = (t_new * t_old).sum(1)
        good &= cos > math.cos(_MAX_TURN)
        # rejected steps: halve (a collapsed step length fails the game)
        bad = act[~good]
        h[bad] = hs[~good, 0] / 2.0
        failed[bad[h[bad] < 1e-12]] = True
        acc, rows = act[good], np.flatnonzero(good)
        if not len(acc):
            continue
        hg = hs[good, 0]
        turn = np.arccos(np.clip(cos[good], -1.0, 1.0))
        slow = np.maximum.reduce([np.sqrt(corrected.kappa[good] / _KAPPA),
                                  np.sqrt(corrected.first[good] / _DELTA), turn / _TURN,
                                  np.full(len(acc), 0.5)])
        h[acc] = hg * np.minimum(2.0, 1.0 / slow)
        z_new, t_acc = corrected.z[good], t_new[good]
        bend[acc] = (t_acc - t_old[good]) / hg[:, None]
        taken[acc] += 1
        b_old, b_new = z_old[rows, -1], z_new[:, -1]
        cross = ((b_old - beta) * (b_new - beta) <= 0) & (b_new != b_old)
        if cross.any():
            w = ((beta - b_old[cross]) / (b_new[cross] - b_old[cross]))[:, None]
            hit, hit_ok = _newton_at_beta(system, acc[cross],
                                          (1 - w) * z_old[rows[cross]] + w * z_new[cross], beta)
            idx = np.flatnonzero(cross)[hit_ok]
            z_new[idx] = hit[hit_ok]
            done[acc[idx]] = True
            failed[acc[np.flatnonzero(cross)[~hit_ok]]] = True  # the scalar solver's, below
        z[acc], t[acc] = z_new, t_acc
    pis = [np.exp(z[:, system.offsets[i]:system.offsets[i + 1]]) for i in range(len(counts))]
    pis = [p / p.sum(1, keepdims=True) for p in pis]
    rescued = ~done
    for k in np.flatnonzero(rescued):  # the scalar solver, with its own step control
        game = normal_form_game(np.stack([p[k] for p in payoffs]), f"batch game {k}")
        (_, single, _), = qre_at(game, [beta], max_step=max_step)
        for i, p in enumerate(single):
            pis[i][k] = p.numpy()
    residuals = _residuals(payoffs, pis, beta)
    return BatchQRE(float(beta), [torch.from_numpy(p) for p in pis],
                    torch.from_numpy(residuals), torch.from_numpy(residuals <= tol),
                    torch.from_numpy(taken), torch.from_numpy(rescued))


def _residuals(payoffs: Sequence[np.ndarray], pis: Sequence[np.ndarray], beta: float
               ) -> np.ndarray:
    """The logit residual of every game ``(K,)`` (uniform priors)."""
    worst = np.zeros(len(pis[0]))
    for i, pay in enumerate(payoffs):
        logits = beta * expect_except(pay, pis, (i,))
        br = np.exp(logits - logits.max(1, keepdims=True))
        br /= br.sum(1, keepdims=True)
        worst = np.maximum(worst, np.abs(pis[i] - br).max(1))
    return worst
