"""Logit QRE path following: the homotopy in beta from the prior (beta = 0) to the requested
beta, by predictor-corrector continuation with pseudo-arclength (issue 13, first stage: the
factorized family; normal-form games with N players, and stochastic games through the Markov
equations of :mod:`.markov_path`).

The soft Nash fixed point of the factorized family (Prop. 5.2 in a one-step game, the fixed
point of eq. (4)) is the logit quantal response equilibrium ``pi_i = softmax(log pi0_i + beta
u_i(., pi_-i))``.  With ``y_i = log pi_i`` it is the zero set of

    H_i,a(y, beta) = y_ia - y_i0 - (log pi0_ia - log pi0_i0) - beta (u_ia - u_i0),  a = 1..A_i-1
    H_i,0(y, beta) = sum_a exp(y_ia) - 1,

``n = sum_i A_i`` equations in ``n + 1`` unknowns ``z = (y, beta)``: a curve, which at
``beta = 0`` passes through ``y = log pi0`` exactly (the principal branch).  Each step:

1. **predictor**: the unit tangent ``t`` with ``J t = 0`` (``J = dH/dz``, ``n x (n + 1)``),
   oriented like the previous one (it solves ``[J; t_prev] x = e_last``), and ``z_pred = z +
   h t + h^2 k / 2`` with ``k`` the last step's change of tangent per arclength (second
   order).  ``J`` in closed form in numpy for normal-form games (:class:`.logit.LogitSystem`)
   and discounted games (:class:`.markov_path.DiscountedSystem`), else torch autograd;
2. **corrector**: Newton on ``[H(z) = 0, t . (z - z_pred) = 0]`` (pseudo-arclength: the
   curve is parametrised by its length, so turning points where beta decreases along the
   branch are passed, as Gambit's logit solver does); with autograd Jacobians the chord
   method (one Jacobian per corrector); it fails when an iteration does not halve the
   correction;
3. **step length**: halved when Newton fails or the tangent turns by more than 30 degrees;
   otherwise the next one is scaled, by a factor in [1/2, 2], so that the first correction
   (nominal 0.5), Newton's contraction rate (0.2) and the tangent's turn (10 degrees) would be
   near their nominal values (Allgower & Georg 1990, sec. 6.1); at most ``alpha`` (the
   protocol's step size);
4. when the branch crosses the requested beta, the crossing is corrected at that beta
   exactly (Newton in ``y`` with beta fixed, from the secant interpolation).

A sign change of ``det([J; t])`` along the branch (the orientation the tangent needs to keep
going forward) marks a bifurcation; it is recorded in the state's ``events`` with its beta.
The certificate is the logit residual ``max_i |pi_i - softmax(log pi0_i + beta u_i)|`` at the
requested beta (a stochastic game: the soft best-response residual of
:mod:`.certificate`), infinite until the branch has reached it.

Shapes: ``z`` ``(n + 1,)``; policies per agent ``(1, 1, A_i)`` (the tabular layout).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import scipy.linalg
import torch

from vsg_pyro.core.protocol import Certificate, Run, StepInfo
from vsg_pyro.core.soft_dp import uniform_log_prior
from vsg_pyro.equilibria.nash.certificate import soft_best_response_residual
from vsg_pyro.equilibria.nash.exact import exact_opponent_models
from vsg_pyro.equilibria.nash.logit import (
    LogitSystem,
    expected_payoffs,
    logit_equations,
    logit_residual,
    payoff_tensors,
)
from vsg_pyro.equilibria.nash.markov_path import (
    DiscountedSystem,
    markov_equations,
    split_policies,
)
from vsg_pyro.equilibria.results import NashSolution
from vsg_pyro.games.tabular import TabularGame, require_cpu_float64
from vsg_pyro.metrics.exploitability import exploitability

__all__ = ["PathState", "Solver", "expected_payoffs", "logit_equations", "logit_residual",
           "MAX_STEP"]

#: The default largest arclength step (the protocol's ``alpha``) of :func:`vsg_pyro.solve`.
MAX_STEP = 5.0

_NEWTON_TOL = 1e-13  # the point at a requested beta
#: the corrector's default relative tolerance on the branch's points between requested betas
#: (the predictor's next start): a residual this small, or a last Newton correction 1000
#: times this small in its quadratic regime
CORRECTOR_TOL = 1e-10
_NEWTON_ITER = 10
# step-length control: nominal first correction, contraction rate and tangent turn (radians),
# and the largest turn accepted
_DELTA, _KAPPA, _TURN, _MAX_TURN = 0.5, 0.2, math.pi / 18, math.pi / 6


class PathState(NamedTuple):
    """A point of the branch: ``z = (y, beta)`` ``(n + 1,)``, the unit ``tangent``, the next
    step length ``h``, ``done`` (the requested beta is reached), the branch so far
    (``betas`` and per-point probabilities ``points``, one ``(n,)`` tensor each), ``events``
    (``(kind, beta)``: bifurcations, step-length collapses), the iteration count and the sign
    of ``det([J; t])`` at ``z`` (0: not yet computed)."""

    z: torch.Tensor
    tangent: torch.Tensor
    h: float
    done: bool
    betas: tuple[float, ...]
    points: tuple[torch.Tensor, ...]
    events: tuple[tuple[str, float], ...]
    iteration: int
    orientation: float = 0.0
    curvature: torch.Tensor | None = None


def _solve(matrix: np.ndarray, rhs: np.ndarray) -> tuple[np.ndarray, float] | None:
    """``matrix^{-1} rhs`` and the sign of ``det(matrix)`` from one LU factorisation (LAPACK
    ``dgesv``: numpy's ``solve`` and ``slogdet`` would factorise twice, each with more
    overhead than the factorisation of these small matrices); ``None`` when it is singular."""
    lu, piv, x, info = scipy.linalg.lapack.dgesv(matrix, rhs)
    if info != 0:
        return None
    swaps = int(np.count_nonzero(piv != np.arange(len(piv))))
    negative = int(np.count_nonzero(np.diag(lu) < 0))
    return x, -1.0 if (swaps + negative) % 2 else 1.0


def _lu(matrix: np.ndarray):
    """scipy's LU factors of a square matrix, ``None`` when it is singular or not finite."""
    if not np.isfinite(matrix).all():
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("error", scipy.linalg.LinAlgWarning)
        try:
            lu = scipy.linalg.lu_factor(matrix, check_finite=False)
        except (scipy.linalg.LinAlgWarning, ValueError, np.linalg.LinAlgError):
            return None
    return lu if np.abs(np.diag(lu[0])).min() > 0 else None


class Solver:
    """Logit QRE path following behind the solver protocol (module docstring).

    Args:
        game: a tabular game; log_priors: per agent ``(S, A_i)`` log prior (uniform by
            default); certificate_tol: the residual's threshold;
        h0: the first arclength step; corrector_tol: the corrector's relative tolerance on
            the branch's points between requested betas (:data:`CORRECTOR_TOL`; the points
            at requested betas are always corrected to ~1e-13).

    ``step(state, beta, alpha)``: one predictor-corrector step towards the requested ``beta``
    with steps of at most ``alpha`` in arclength; ``change`` is the step's length.
    """

    concept = "nash"
    method = "path"
    family = "factorized"

    def __init__(self, game: TabularGame, log_priors: Sequence[torch.Tensor] | None = None,
                 certificate_tol: float = 1e-6, h0: float = 0.05,
                 corrector_tol: float = CORRECTOR_TOL) -> None:
        require_cpu_float64(game, "path following")
        self.game = game
        self.markov = not game.is_normal_form
        self.payoffs = payoff_tensors(game) if not self.markov else []
        counts = game.action_counts
        if log_priors is None:
            log_priors = [uniform_log_prior(game, i) for i in range(game.n_agents)]
        priors = [torch.as_tensor(lp, dtype=torch.float64) for lp in log_priors]
        if len(priors) != game.n_agents or [tuple(lp.shape[-1:]) for lp in priors] != [
                (a,) for a in counts]:
            raise ValueError(f"log_priors: need one (S, A_i) log prior per agent, {counts}")
        if not all(torch.isfinite(lp).all() for lp in priors):
            raise ValueError("log_priors: must be finite (the branch starts at the prior; a "
                             "prior of 0 has no logit)")
        # (S, A_i) per agent for the Markov equations; (A_i,) for a normal-form game
        self.state_priors = [lp.reshape(game.n_states, -1) for lp in priors]
        self.log_priors = [lp.reshape(-1) for lp in priors] if not self.markov else \
            self.state_priors
        if not certificate_tol > 0:
            raise ValueError(f"certificate_tol: must be > 0, got {certificate_tol}")
        self.certificate_tol = float(certificate_tol)
        # a discounted game's equations and Jacobian in closed form (numpy); finite horizon:
        # autograd through markov_equations
        self.system: LogitSystem | DiscountedSystem | None = None
        if not self.markov:
            self.system = LogitSystem(self.payoffs, self.log_priors)
        elif game.horizon is None:
            self.system = DiscountedSystem(game, self.state_priors)
        self.h0 = float(h0)
        if not 0 < corrector_tol < 1e-2:
            raise ValueError(f"corrector_tol: must lie in (0, 1e-2), got {corrector_tol}")
        self.corrector_tol = float(corrector_tol)
        self.n_agents = game.n_agents
        self.counts = list(counts)

    # ------------------------------------------------------------------ the curve
    # The hooks a subclass overrides (torch, ``z`` ``(n + 1,)``): the equations ``_h`` and
    # their Jacobian ``_jacobian``.  The continuation itself runs in numpy on ``(n + 1,)``
    # arrays (:meth:`_evaluate`): its matrices are small and dense, and torch's per-operation
    # overhead would dominate a step.
    def _h(self, z: torch.Tensor) -> torch.Tensor:
        if self.markov:
            return markov_equations(self.game, self.state_priors, z)
        return logit_equations(self.payoffs, self.log_priors, z)

    @property
    def chord(self) -> bool:
        """Whether the corrector reuses one Jacobian (it comes from autograd, the costly part
        of a step) rather than Newton's fresh one per iteration (the closed form)."""
        return self.system is None

    def _jacobian(self, z: torch.Tensor) -> torch.Tensor:
        return torch.autograd.functional.jacobian(self._h, z, vectorize=True)

    def _evaluate(self, z: np.ndarray, jacobian: bool = True
                  ) -> tuple[np.ndarray, np.ndarray | None]:
        """``H(z)`` ``(n,)`` and, if asked, ``J(z)`` ``(n, n + 1)`` as numpy arrays."""
        if self.system is not None:
            # a diverging Newton iterate overflows exp: the callers test for non-finite values
            with np.errstate(over="ignore", invalid="ignore"):
                return self.system.evaluate(z, jacobian)
        zt = torch.from_numpy(z)
        h = self._h(zt).detach().numpy()
        return h, self._jacobian(zt).detach().numpy() if jacobian else None

    def _tangent(self, z: np.ndarray, previous: np.ndarray | None,
                 jac: np.ndarray | None = None) -> tuple[np.ndarray, float]:
        """The unit tangent at ``z`` oriented like ``previous`` (at the start: beta
        increasing), and the sign of ``det([J; t])`` (the branch's orientation there).

        The tangent solves ``[J; previous] x = e_last`` (the null vector of ``J`` with
        ``previous . x = 1``), and ``det([J; x/|x|]) = |x| det([J; previous])``: one
        factorisation (an SVD where that matrix is singular)."""
        jac = self._evaluate(z)[1] if jac is None else jac
        last = np.zeros(len(z))
        last[-1] = 1.0
        reference = previous if previous is not None else last
        solved = _solve(np.vstack([jac, reference]), last)
        if solved is not None:
            x, sign = solved
            norm = math.sqrt(float(x @ x))
            if math.isfinite(norm) and norm > 0:
                return x / norm, sign
        # singular: the SVD below
        # The null vector of J (n x (n+1)): the last right-singular vector.
        t = np.linalg.svd(jac, full_matrices=True)[2][-1]
        t = t if float(t @ reference) >= 0 else -t
        return t, float(np.linalg.slogdet(np.vstack([jac, t]))[0])

    @staticmethod
    def _tolerance(z: np.ndarray, relative: float = _NEWTON_TOL) -> float:
        """Newton's stopping threshold, relative to the point's scale (far along the branch,
        ``|y| ~ beta |u|`` and an absolute 1e-13 is below the rounding error)."""
        return relative * (1.0 + float(np.abs(z).max()))

    def _correct(self, z_pred: np.ndarray, t: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray, float, float] | None:
        """Newton on the pseudo-arclength system ``[H(z) = 0, t . (z - z_pred) = 0]``; where
        the Jacobian comes from autograd (:attr:`chord`), the chord method: the Jacobian at
        the predicted point, factorised once, for every iteration (as continuation codes do).
        ``None`` when an iteration does not contract by half (unless already at the rounding
        floor).  Returns the corrected point, ``J`` there (the next tangent's), the first
        correction's length and the largest contraction ratio (the step-length control's
        measures of how far the predictor was off).

        Stops at a residual below ``corrector_tol`` (relative to the point's scale,
        :meth:`_tolerance`), or, with Newton's fresh Jacobians, after a correction below
        ``1e3 corrector_tol`` that contracted by 10 or more (the quadratic regime: the next
        residual is ~ its contraction times that correction)."""
        n = len(z_pred) - 1
        z, lu, previous, first, kappa = z_pred.copy(), None, math.inf, 0.0, 0.0
        residual, matrix = np.empty(n + 1), np.empty((n + 1, n + 1))
        for k in range(_NEWTON_ITER):
            fresh = k == 0 or not self.chord
            h, jac = self._evaluate(z, fresh)
            residual[:n] = h
            residual[n] = t @ (z - z_pred)
            worst = float(np.abs(residual).max())  # NaN when not finite
            if not worst < math.inf:
                return None
            scale = 1.0 + float(np.abs(z).max())  # _tolerance's, once per iteration
            if worst < self.corrector_tol * scale:
                return z, jac if fresh else self._evaluate(z)[1], first, kappa
            if not self.chord:  # Newton: a fresh Jacobian each iteration
                matrix[:n] = jac
                matrix[n] = t
                _, _, dz, info = scipy.linalg.lapack.dgesv(matrix, residual, overwrite_a=1)
                if info != 0:
                    return None
            else:  # the chord method: one factorisation
                if lu is None:
                    lu = _lu(np.vstack([jac, t]))
                    if lu is None:
                        return None
                dz = scipy.linalg.lu_solve(lu, residual, check_finite=False)
            size = float(np.abs(dz).max())
            if not (size <= 0.5 * previous and size < math.inf):
                # no longer contracting (or not finite): at the rounding floor (accept), or
                # diverging
                if worst < 1e4 * _NEWTON_TOL * scale:
                    return z, jac if fresh else self._evaluate(z)[1], first, kappa
                return None
            if previous < math.inf:
                kappa = max(kappa, size / previous)
            else:
                first = size
            if (not self.chord and previous < math.inf and size <= 0.1 * previous
                    and size < 1e3 * self.corrector_tol * scale):
                # Newton in its quadratic regime with a tiny last correction: the next residual
                # is ~ (its contraction) x (this step); J here serves the tangent (off by
                # O(step)); the branch's reported points are re-checked by their residuals
                return z - dz, jac, first, kappa
            z, previous = z - dz, size
        return None

    def newton_at_beta(self, z0: torch.Tensor, beta: float) -> torch.Tensor | None:
        """Newton in ``y`` with beta fixed, from ``z0 = (y0, beta)`` ``(n + 1,)``: the point
        of the curve at ``beta`` near ``y0`` (not necessarily on the principal branch), or
        ``None`` when Newton does not converge."""
        z = self._newton_at_beta(z0.detach().numpy(), beta)
        return None if z is None else torch.from_numpy(z)

    def _newton_at_beta(self, z0: np.ndarray, beta: float) -> np.ndarray | None:
        z = z0.copy()
        z[-1] = beta
        for _ in range(2 * _NEWTON_ITER):
            h, jac = self._evaluate(z)
            if not (np.isfinite(h).all() and np.isfinite(jac).all()):
                return None
            if float(np.abs(h).max()) < self._tolerance(z[:-1]):
                return z
            solved = _solve(jac[:, :-1], h)
            if solved is None:
                return None
            z[:-1] -= solved[0]
        h = self._evaluate(z, False)[0]
        return z if float(np.abs(h).max()) < 1e3 * self._tolerance(z) else None

    # ------------------------------------------------------------------ the protocol
    def init(self, seed: int = 0) -> PathState:
        """The branch's start at beta = 0: ``y = log pi0`` (``seed`` is not used)."""
        if self.markov:
            rows = self.game.row_shape
            y = torch.cat([lp.expand(*rows, lp.shape[-1]).reshape(-1)
                           for lp in self.state_priors])
        else:
            y = torch.cat(self.log_priors)
        return self._start(torch.cat([y, torch.zeros(1, dtype=y.dtype)]),
                           (torch.exp(y),))

    def _start(self, z: torch.Tensor, points: tuple[torch.Tensor, ...]) -> PathState:
        """The state at the branch's first point ``z`` (beta 0)."""
        t, _ = self._tangent(z.numpy(), None)
        return PathState(z, torch.from_numpy(t), self.h0, False, (0.0,), points, (), 0)

    def step(self, state: PathState, beta: float, alpha: float) -> tuple[PathState, StepInfo]:
        if state.done and abs(float(state.z[-1]) - beta) < 1e-15:
            return state._replace(iteration=state.iteration + 1), StepInfo(change=0.0)
        if state.done:  # a new target: continue the branch from here
            if beta < float(state.z[-1]):
                raise ValueError(f"beta: {beta} is below the branch's {float(state.z[-1]):.6g}; "
                                 "a trace follows increasing targets (init() to start again)")
            state = state._replace(done=False)
        z_old, t_old = state.z.detach().numpy(), state.tangent.detach().numpy()
        h, events = min(state.h, alpha), list(state.events)
        sign_old = state.orientation or self._tangent(z_old, t_old)[1]
        bend = 0.5 * (state.curvature.numpy() if state.curvature is not None else 0.0 * t_old)
        while True:
            corrected = self._correct(z_old + h * t_old + h * h * bend, t_old)
            if corrected is not None:
                z_new, jac, first, kappa = corrected
                t_new, sign_new = self._tangent(z_new, t_old, jac)
                cos = float(t_new @ t_old)
                if cos > math.cos(_MAX_TURN):
                    break
            h /= 2.0
            if h < 1e-12:
                events.append(("step collapsed", float(z_old[-1])))
                return state._replace(h=h, events=tuple(events),
                                      iteration=state.iteration + 1), StepInfo(change=0.0)
        # the next step length (Allgower & Georg 1990, sec. 6.1): scaled so that the
        # corrector's first correction, its contraction rate and the tangent's turn would
        # each be near their nominal values, by a factor in [1/2, 2]
        turn = math.acos(min(1.0, cos))
        slow = max(math.sqrt(kappa / _KAPPA), math.sqrt(first / _DELTA), turn / _TURN, 0.5)
        h_next = h * min(2.0, 1.0 / slow)
        if sign_old * sign_new < 0:
            events.append(("bifurcation", float(z_new[-1])))
        if float(t_old[-1]) * float(t_new[-1]) < 0:  # d beta / ds changed sign
            events.append(("turning point", float(z_new[-1])))
        b_old, b_new = float(z_old[-1]), float(z_new[-1])
        done = False
        if (b_old - beta) * (b_new - beta) <= 0 and b_new != b_old:
            w = (beta - b_old) / (b_new - b_old)
            z_hit = self._newton_at_beta((1 - w) * z_old + w * z_new, beta)
            if z_hit is not None:
                (z_new, done), (t_new, sign_new) = (z_hit, True), self._tangent(z_hit, t_new)
        z_out = torch.from_numpy(z_new)
        new = PathState(z_out, torch.from_numpy(t_new), min(h_next, alpha), done,
                        (*state.betas, float(z_new[-1])),
                        (*state.points, torch.from_numpy(np.exp(z_new[:-1]))), tuple(events),
                        state.iteration + 1, sign_new, torch.from_numpy((t_new - t_old) / h))
        change = z_new - z_old
        return new, StepInfo(change=math.sqrt(float(change @ change)))

    def row_policies(self, state: PathState) -> list[np.ndarray]:
        """Per agent ``(R, A_i)`` probabilities at the state, in numpy (rows: the (stage,)
        state pairs flattened; one row for a normal-form game): :meth:`policies` without
        torch, for the limit's hot loop."""
        probabilities = np.exp(state.z.numpy()[:-1])
        rows = math.prod(self.game.row_shape) if self.markov else 1
        sizes = np.cumsum([0, *[rows * a for a in self.counts]])
        out = []
        for k, a in enumerate(self.counts):
            p = probabilities[sizes[k]:sizes[k + 1]].reshape(-1, a)
            out.append(p / p.sum(-1, keepdims=True))
        return out

    def policies(self, state: PathState) -> list[torch.Tensor]:
        """Per agent ``(H?, S, A_i)`` probabilities at the state (``(1, 1, A_i)`` for a
        normal-form game)."""
        if self.markov:
            pis = [torch.exp(v) for v in split_policies(self.game, state.z[:-1])]
            return [p / p.sum(-1, keepdim=True) for p in pis]
        pis = torch.split(torch.exp(state.z[:-1]), self.counts)
        return [(p / p.sum()).reshape(1, 1, -1) for p in pis]

    def certificate(self, state: PathState, beta: float) -> Certificate:
        name = ("soft best-response residual (path)" if self.markov else
                "logit residual (path)")
        if not state.done or abs(float(state.z[-1]) - beta) > 1e-12:
            return Certificate(name, math.inf, self.certificate_tol)
        policies = self.policies(state)
        if self.markov:
            models = exact_opponent_models(policies)
            value = soft_best_response_residual(self.game, [torch.log(p) for p in policies],
                                                models, beta, self.state_priors)
        else:
            value = logit_residual(self.payoffs, self.log_priors,
                                   [p.reshape(-1) for p in policies], beta)
        return Certificate(name, value, self.certificate_tol)

    def result(self, state: PathState, run: Run, **fields) -> NashSolution:
        policies = self.policies(state)
        return NashSolution(
            game=self.game.name, concept=self.concept, method=self.method, family=self.family,
            beta=float(state.z[-1]), policies=policies,
            report=exploitability(self.game, policies), iterations=run.iterations,
            converged=run.converged, certificate=run.certificate, reason=run.reason,
            seconds=run.seconds, trace=run.trace, elbo=run.elbo,
            loss=[[] for _ in range(self.n_agents)], state=state, **fields)

