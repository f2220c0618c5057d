"""The Nash equilibrium at the logit branch's limit, by Newton on the branch's support
(issue 13: :func:`~vsg_pyro.equilibria.nash.branch.limit_equilibrium`).

Far along the principal branch the logit QRE's probabilities converge to a Nash equilibrium
of the unregularised game, at a rate ~1/beta on its support and ~exp(-beta gap) off it.  Once
the support is visible (:func:`branch_support`), the equilibrium it converges to solves,
with probability 0 off the support,

    sum_{a in supp_i(row)} pi_i(a | row) = 1,
    Qbar_i(row, a) = Qbar_i(row, a0)        for a in supp_i(row) \\ {a0},

per agent ``i`` and row (a state; a finite horizon: a (stage, state) pair), where
``Qbar_i(row, a_i) = E_{a_-i ~ pi_-i} Q_i(row, a)`` and ``Q_i = r_i + gamma P V_i`` with
``V_i = (I - gamma P_mu)^{-1} r_mu,i`` (discounted; stationary policies) or by backward
induction from ``V_H = 0`` (finite horizon; Markov policies).  As many equations as unknowns;
:func:`support_newton` solves them by Newton from the branch's point (the Jacobian of the
values in closed form when discounted, :meth:`StageValues.jacobian`; forward differences for
a finite horizon).  The answer is accepted by the caller only when its exact exploitability
(:func:`~vsg_pyro.metrics.state_exploitability`) is within the tolerance: the support
equations do not check that off-support actions are no better (a wrong support guess gives
a point that fails that check, or negative probabilities, or no convergence).

:class:`StageValues` also gives the one-shot deviation gain ``g = max_{i, row} (max_a
Qbar_i(row, a) - V_i(row))``: ``g / (1 - gamma)`` (discounted) or ``H g`` (finite horizon) is
an upper bound on the exploitability (the one-shot deviation principle), and ``g`` over the
rows of the first stage a lower bound on the exploitability from every initial state (the
deviation at the start); a cheap test of whether the exact one is worth computing.

Shapes: per agent policies ``(H?, S, A_i)``; internally rows flattened, ``(R, A_i)``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from vsg_pyro.core.joint import JointIndex, expect_except
from vsg_pyro.games.tabular import TabularGame

__all__ = ["StageValues", "branch_support", "support_newton"]

_ITERATIONS = 12
_BACKTRACK = 4
_FD_STEP = 1e-7


class StageValues:
    """Action values of the unregularised game under stationary (discounted) or Markov
    (finite-horizon) policies, in numpy (module docstring)."""

    def __init__(self, game: TabularGame) -> None:
        self.trans = game.transitions.detach().numpy()  # (S, *J, S')
        self.rewards = game.rewards.detach().numpy()  # (N, S, *J)
        self.gamma = None if game.gamma is None else float(game.gamma)
        self.horizon = game.horizon
        self.counts = tuple(game.action_counts)
        self.n_states = game.n_states
        self.scale = 1.0 + float(np.abs(self.rewards).max()) * game.effective_horizon
        # discounted games: the joint action flattened (as DiscountedSystem does), so that
        # values() is a few array operations for every agent at once
        n, S = len(self.counts), self.n_states
        self.index = JointIndex(self.counts)
        J = self.index.onehot.shape[0]
        self.flat_trans = self.trans.reshape(S, J, S)  # (S, J, S')
        self.flat_rewards = np.ascontiguousarray(
            self.rewards.reshape(n, S, J).transpose(1, 0, 2))  # (S, N, J)
        # for each agent, the other agents (N, N - 1)
        self.excluded = np.array([[k for k in range(n) if k != i] for i in range(n)],
                                 dtype=np.intp).reshape(n, n - 1)
        self.splits = np.cumsum(self.counts)[:-1]

    def values(self, pis: Sequence[np.ndarray]) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Per agent ``Qbar_i`` ``(R, A_i)`` and ``V_i`` ``(R,)`` of policies ``(R, A_i)``
        (probabilities, or any real numbers: Newton's iterates may leave the simplex)."""
        n, S = len(self.counts), self.n_states
        if self.horizon is None:
            index = self.index
            own = np.concatenate(pis, axis=1)[:, index.own]  # pi_k(s, a_k of j) (S, N, J)
            mu = own.prod(1)  # (S, J)
            others = own[:, self.excluded].prod(2)  # prod_{k != i} (S, N, J)
            v = np.linalg.solve(np.eye(S) - self.gamma * (mu[:, None, :] @ self.flat_trans)[:, 0],
                                (self.flat_rewards @ mu[:, :, None])[..., 0])  # V (S, N)
            q = self.flat_rewards + self.gamma * (self.flat_trans @ v).transpose(0, 2, 1)
            qbar = ((q * others)[:, index.agent] * index.onehot.T).sum(-1)  # (S, A)
            return np.split(qbar, self.splits, axis=1), list(v.T)
        rows = [p.reshape(self.horizon, S, -1) for p in pis]
        v = np.zeros((n, S))
        qbars, vs = [[] for _ in range(n)], [[] for _ in range(n)]
        for t in reversed(range(self.horizon)):
            stage = [p[t] for p in rows]
            qs = [self.rewards[i] + self.trans @ v[i] for i in range(n)]
            v = np.stack([expect_except(q, stage, ()) for q in qs])
            for i, q in enumerate(qs):
                qbars[i].append(expect_except(q, stage, (i,)))
                vs[i].append(v[i])
        return ([np.concatenate(q[::-1]) for q in qbars], [np.concatenate(x[::-1]) for x in vs])

    def jacobian(self, pis: Sequence[np.ndarray]) -> np.ndarray:
        """Discounted games: ``d Qbar_i(s, a) / d pi_j(s0, b)`` ``(m, m)``, ``m = S sum_i A_i``
        (rows and columns per agent, state-major), in closed form:
        ``Q_i(s, a, s0) E_{a_-j} W_i(s0, b, .) + [s = s0, j != i] E_{a_-ij} W_i(s, a, b, .)``
        with ``W_i = r_i + gamma P V_i`` and ``Q_i`` the ``E_{a_-i}`` of ``gamma P M^{-1}``
        (the same algebra as :class:`~.markov_path.DiscountedSystem`, without the entropy)."""
        if self.horizon is not None:
            raise ValueError("jacobian: discounted games only")
        n, S, counts = len(self.counts), self.n_states, self.counts
        minv = np.linalg.inv(np.eye(S) - self.gamma * expect_except(self.trans, pis, (), "Z"))
        c = self.gamma * (self.trans @ minv)  # (S, *J, S0)
        offsets = np.cumsum([0, *[S * a for a in counts]])
        out = np.empty((offsets[-1], offsets[-1]))
        rows = np.arange(S)
        for i in range(n):
            w = self.rewards[i] + self.gamma * (self.trans @ (minv @ expect_except(
                self.rewards[i], pis, ())))  # W_i (S, *J)
            q = expect_except(c, pis, (i,), "Z")  # (S, A_i, S0)
            for j in range(n):
                d = q[:, :, :, None] * expect_except(w, pis, (j,))  # (S, A_i, S0, A_j)
                if j != i:
                    pair = expect_except(w, pis, (min(i, j), max(i, j)))
                    d[rows, :, rows, :] += pair if i < j else pair.transpose(0, 2, 1)
                out[offsets[i]:offsets[i + 1], offsets[j]:offsets[j + 1]] = d.reshape(
                    S * counts[i], S * counts[j])
        return out

    def one_shot_gains(self, pis: Sequence[np.ndarray]) -> tuple[float, float]:
        """``g`` of the module docstring for policies ``(R, A_i)``, from one evaluation: over
        every row (times :meth:`upper_bound_factor`, an upper bound on the exploitability),
        and over the rows of stage 0 (a lower bound on the exploitability from every initial
        state; discounted games: the same rows)."""
        qbars, vs = self.values(pis)
        gains = [q.max(-1) - v for q, v in zip(qbars, vs, strict=True)]  # (R,) per agent
        first = self.n_states  # stage 0 comes first (state-major)
        return (max(float(g.max()) for g in gains), max(float(g[:first].max()) for g in gains))

    def one_shot_gain(self, pis: Sequence[np.ndarray], first_stage: bool = False) -> float:
        """One of :meth:`one_shot_gains`: every row's, or with ``first_stage`` stage 0's."""
        return self.one_shot_gains(pis)[1 if first_stage else 0]

    def state_gains(self, pis: Sequence[np.ndarray]) -> np.ndarray:
        """The exact best-response gain of every agent from every initial state ``(N, S)``
        (at stage 0) against policies ``(R, A_i)``: the numpy counterpart of
        :func:`~vsg_pyro.metrics.state_exploitability` for the limit's hot loop.  Each agent's
        best response in the MDP the others induce: backward induction (finite horizon), or
        policy iteration from the greedy policy of ``Qbar_i`` (discounted; exact, finite)."""
        n, S = len(self.counts), self.n_states
        qbars, vs = self.values(pis)
        gains = np.empty((n, S))
        if self.horizon is not None:
            rows = [p.reshape(self.horizon, S, -1) for p in pis]
            for i in range(n):
                best = np.zeros(S)
                for t in reversed(range(self.horizon)):
                    stage = [p[t] for p in rows]
                    q = expect_except(self.rewards[i] + self.trans @ best, stage, (i,))
                    best = q.max(-1)
                gains[i] = best - vs[i][:S]
            return np.clip(gains, 0.0, None)
        rows = np.arange(S)
        for i in range(n):
            reward = expect_except(self.rewards[i], pis, (i,))  # (S, A_i)
            trans = expect_except(self.trans, pis, (i,), "Z")  # (S, A_i, S')
            greedy, best = qbars[i].argmax(-1), vs[i]
            for _ in range(10_000):
                best = np.linalg.solve(np.eye(S) - self.gamma * trans[rows, greedy],
                                       reward[rows, greedy])
                q = reward + self.gamma * trans @ best
                current = q[rows, greedy]
                improvable = q.max(-1) > current + 1e-12 * (1.0 + np.abs(current))
                if not improvable.any():
                    break
                greedy = np.where(improvable, q.argmax(-1), greedy)
            gains[i] = best - vs[i]
        return np.clip(gains, 0.0, None)

    def upper_bound_factor(self) -> float:
        """``1 / (1 - gamma)`` or ``H``: the one-shot gain times this bounds the exploitability."""
        return float(self.horizon) if self.horizon is not None else 1.0 / (1.0 - self.gamma)


def _newton_on(values: StageValues, pis: Sequence[np.ndarray], masks: list[np.ndarray]
               ) -> list[np.ndarray] | None:
    """Newton on the support equations for supports ``masks`` ``(R, A_i)`` (bool) from
    ``pis`` restricted to them; the solution (off-support probabilities 0, possibly negative
    ones), or ``None`` when Newton does not contract."""
    firsts = [m.argmax(-1) for m in masks]  # (R,): the pinned action a0 per row
    others = []
    for m, f in zip(masks, firsts, strict=True):
        o = m.copy()
        o[np.arange(len(f)), f] = False
        others.append(o)
    offsets = np.cumsum([0, *[int(m.sum()) for m in masks]])

    def unpack(x: np.ndarray) -> list[np.ndarray]:
        out = []
        for i, m in enumerate(masks):
            p = np.zeros(m.shape)
            p[m] = x[offsets[i]:offsets[i + 1]]
            out.append(p)
        return out

    def equations(x: np.ndarray) -> np.ndarray:
        ps = unpack(x)
        qbars, _ = values.values(ps)
        eqs = []
        for p, q, f, o in zip(ps, qbars, firsts, others, strict=True):
            eqs.append(p.sum(-1) - 1.0)
            eqs.append((q - q[np.arange(len(f)), f][:, None])[o])
        return np.concatenate(eqs)

    columns = np.concatenate([m.reshape(-1) for m in masks])  # the unknowns among all p
    rows = [(m.shape[0], f, o) for m, f, o in zip(masks, firsts, others, strict=True)]

    def jacobian(x: np.ndarray, f: np.ndarray) -> np.ndarray:
        """dF/dx: closed form (discounted), else forward differences (finite horizon)."""
        if values.horizon is None:
            d = values.jacobian(unpack(x))[:, columns]  # (m, unknowns)
            blocks, start = [], 0
            for i, (n_rows, first, other) in enumerate(rows):
                a_i = masks[i].shape[1]
                di = d[start:start + n_rows * a_i].reshape(n_rows, a_i, -1)
                start += n_rows * a_i
                own = np.zeros((n_rows, len(x)))
                own[:, offsets[i]:offsets[i + 1]] = (
                    np.arange(n_rows)[:, None] == np.repeat(np.arange(n_rows),
                                                            masks[i].sum(-1))[None])
                blocks.append(own)
                blocks.append((di - di[np.arange(n_rows), first][:, None])[other])
            return np.concatenate(blocks)
        jac = np.empty((len(f), len(x)))
        for col in range(len(x)):
            shifted = x.copy()
            shifted[col] += _FD_STEP
            jac[:, col] = (equations(shifted) - f) / _FD_STEP
        return jac

    start = [p * m for p, m in zip(pis, masks, strict=True)]
    x = np.concatenate([(p / p.sum(-1, keepdims=True))[m] for p, m in zip(start, masks,
                                                                          strict=True)])
    tol = 1e-12 * values.scale
    f = equations(x)
    size = float(np.abs(f).max())
    for iteration in range(_ITERATIONS):
        if not math.isfinite(size):
            return None
        if size < tol:
            return unpack(x)
        jac = jacobian(x, f)
        try:
            dx = np.linalg.solve(jac, f)
        except np.linalg.LinAlgError:
            return None
        for _ in range(_BACKTRACK):  # damped: halve the step until |f| decreases
            f_new = equations(x - dx)
            size_new = float(np.abs(f_new).max())
            if size_new < size:
                break
            dx = dx / 2.0
        else:
            return None
        if iteration >= 2 and size_new > 0.25 * size:
            # Newton's convergence near a regular root is quadratic; linear (typically by
            # halves) means a singular Jacobian there: a continuum of equilibria on this
            # support (a non-quasi-strict limit), or none
            return None
        x, f, size = x - dx, f_new, size_new
    return None


def branch_support(pis: Sequence[np.ndarray], previous: Sequence[np.ndarray] | None = None,
                   support_tol: float = 1e-2) -> list[np.ndarray]:
    """The support the branch's point ``pis`` ``(R, A_i)`` shows, per agent ``(R, A_i)``
    (bool): probabilities ``>= support_tol``, and, given the point at half its beta
    (``previous``), those that fell by at most a factor 4 meanwhile (``~1/beta``: a best
    response the limit plays with probability 0, whose indifference the equilibrium needs;
    the others fall as ``exp(-beta gap)``)."""
    if previous is None:
        return [p >= support_tol for p in pis]
    return [(p >= support_tol) | ((p >= 0.25 * q) & (p >= 1e-12))
            for p, q in zip(pis, previous, strict=True)]


def support_newton(values: StageValues, pis: Sequence[np.ndarray],
                   masks: Sequence[np.ndarray] | None = None, rounds: int = 4
                   ) -> list[np.ndarray] | None:
    """The Nash equilibrium on a support of policies ``pis`` ``(R, A_i)`` (a point of the
    branch), by Newton from them (module docstring).  The support (``masks``, per agent
    ``(R, A_i)`` bool; default :func:`branch_support`) is revised up to ``rounds`` times: an
    action whose probability comes out negative leaves it (the most negative per agent), an
    off-support action that is a better one-shot deviation joins it (the most profitable per
    agent).  Returns the policies ``(R, A_i)``, or ``None`` when Newton does not converge or
    the revisions do not settle."""
    masks = [np.array(m, dtype=bool) for m in (branch_support(pis) if masks is None
                                                else masks)]
    if not all(m.any(-1).all() for m in masks):
        return None
    tol = 1e-9 * values.scale
    for _ in range(rounds):
        found = _newton_on(values, pis, masks)
        if found is None:
            return None
        changed = False
        for i, p in enumerate(found):
            if p.min() < -1e-9:
                r, a = np.unravel_index(p.argmin(), p.shape)
                if masks[i][r].sum() > 1:
                    masks[i] = masks[i].copy()
                    masks[i][r, a], changed = False, True
        if changed:
            continue
        qbars, vs = values.values(found)
        for i, (q, v) in enumerate(zip(qbars, vs, strict=True)):
            gain = np.where(masks[i], -np.inf, q - v[:, None])
            if gain.max() > tol:
                r, a = np.unravel_index(gain.argmax(), gain.shape)
                masks[i] = masks[i].copy()
                masks[i][r, a], changed = True, True
        if not changed:
            return [np.clip(p, 0.0, None) / np.clip(p, 0.0, None).sum(-1, keepdims=True)
                    for p in found]
    return None
