"""Nash equilibrium (§5.1): Algorithm 1 with exact soft evaluation (:mod:`.exact`) or with every
agent running SVI on its Pyro model (:mod:`.svi`).  Both modules expose ``Solver`` (the protocol
of :mod:`vsg_pyro.core.protocol`); the opponent model is an object (:mod:`.opponents`);
:func:`solve` runs either in the one loop."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pyro
import torch
from pyro.optim import PyroOptim

from vsg_pyro.core.loop import LoopOptions
from vsg_pyro.equilibria._common import (
    check_method,
    prefer_certified,
    record,
    refuse,
    run,
    svi_optim,
)
from vsg_pyro.equilibria.nash import conditional_path, exact, path, sparse_exact, svi, svi_path
from vsg_pyro.equilibria.nash.exact import VPGState, vpg_step_size
from vsg_pyro.equilibria.nash.opponents import (
    ExactOpponent,
    ExternalOpponent,
    OpponentModel,
    OptimisticOpponent,
)
from vsg_pyro.equilibria.nash.vpg_run import solve_vpg
from vsg_pyro.equilibria.results import NashSolution
from vsg_pyro.games.registry import get_game
from vsg_pyro.games.sparse import SparseTabularGame
from vsg_pyro.games.tabular import TabularGame

NashExact = exact.Solver
NashSVI = svi.Solver
NashPath = path.Solver
NashSVIPath = svi_path.Solver
NashSparse = sparse_exact.Solver
METHODS: tuple[str, ...] = ("svi", "exact", "path", "svi-path")

__all__ = ["solve", "family_of", "exact", "svi", "path", "svi_path", "sparse_exact", "NashExact",
           "NashSVI", "NashPath", "NashSVIPath", "NashSparse",
           "METHODS", "VPGState", "solve_vpg", "vpg_step_size", "OpponentModel", "ExactOpponent",
           "OptimisticOpponent", "ExternalOpponent"]


def family_of(family: str | None, guides: Sequence[Callable] | None, default: str) -> str:
    """The family: as given; required with a user's own guides (whose family the solver
    cannot see, and the certificate depends on it)."""
    if family is None and guides is not None:
        raise ValueError("family: give family='conditional' or 'factorized' with your own "
                         "guides (the certificate is the family's soft best-response residual)")
    return default if family is None else family


def solve(
    game: TabularGame | SparseTabularGame | str,
    method: str = "svi",
    *,
    family: str | None = None,
    beta: float = 1.0,
    beta_schedule: Callable[[int], float] | None = None,
    steps: int = 2000,
    seed: int = 0,
    tol: float | None = None,
    certificate_tol: float | None = None,
    eta: float | None = None,
    adaptive_step: bool | None = None,
    init: str = "uniform",
    log_priors: Sequence[torch.Tensor] | None = None,
    opponent: OpponentModel | None = None,
    guides: Sequence[Callable] | None = None,
    loss: pyro.infer.ELBO | None = None,
    optim: PyroOptim | Sequence[PyroOptim] | None = None,
    optimizer: str | None = None,
    lr: float | None = None,
    lr_decay: float | None = None,
    fallback: bool = True,
    validate: bool | None = None,
    infinite_horizon: str | None = None,
    callback: Callable[[int, dict], None] | None = None,
    progress: bool = False,
) -> NashSolution:
    """Nash equilibrium of ``game`` by Algorithm 1 (``method="exact"``), decentralized SVI
    (``"svi"``), or logit-QRE path following from beta = 0 (``"path"``, the factorized
    family, normal-form and stochastic games: :mod:`vsg_pyro.equilibria.nash.path`; the
    conditional family: :mod:`.conditional_path`;
    ``"svi-path"``: the same branch with equations from the agents' ELBOs on their Pyro
    programs, the factorized family, normal-form and stochastic games,
    :mod:`vsg_pyro.equilibria.nash.svi_path`; partial, see the README).

    Args:
        family: ``"conditional"`` (the paper's ``pi_i(a_i | s, a_-i)``; the default) or
            ``"factorized"``; required with your own ``guides`` (the certificate is the
            family's).
        beta / beta_schedule: inverse temperature, or ``step -> beta`` (annealing).
        steps, tol: at most ``steps`` steps; stop when no probability moves more than ``tol``
            (default 1e-8; the path follower stops on its certificate).
        certificate_tol: ``converged`` needs the soft best-response residual below this
            (default 1e-6; 1e-5 for a float32 game, whose residuals bottom out near 1e-6).
        eta: eq. (4)'s rate (``alpha = eta / (1 - gamma)``; default ``alpha = 0.5``).
        adaptive_step: halve ``alpha`` when progress stalls at a settled beta (default on;
            natural gradients only).
        init: ``"uniform"`` or ``"random"`` initial policies.
        opponent: an opponent-model object (default ``ExactOpponent()``; SVI also takes
            ``OptimisticOpponent()`` and ``ExternalOpponent(fn)``).
        guides, loss, optim: SVI only: your guides (one per agent), the ELBO instance
            (default :class:`~vsg_pyro.infer.elbo.EnumeratedGuideELBO`) and a ``pyro.optim``
            optimiser; or ``optimizer="adam"`` with ``lr``/``lr_decay`` (ClippedAdam).
        fallback: when an ``"exact"`` or ``"svi"`` run of the factorized or conditional
            family, with the exact opponent model and the
            built-in guides, ends without its certificate, follow the family's branch from
            beta 0 to the run's final beta instead (``method="path"``)
            and return that result if it is certified (``reason`` says so); ``False``: return
            the uncertified run as it is.
        validate: SVI only: Pyro's argument validation during the steps (``None``: on with
            your own guides, off with the built-in ones, whose iterates it does not change;
            :mod:`vsg_pyro.infer.validation`).
        infinite_horizon: ``method="exact"`` on a discounted game: its values by
            ``"discount"`` (the default) or by §4's ``"absorbing"``-state construction
            (:mod:`vsg_pyro.core.absorbing`; the same fixed points under the prior-play
            condition; the exact opponent model only).
        callback: ``callback(step, info)`` after every step (:func:`vsg_pyro.core.loop.run_solver`;
            the fall-back's path steps are not reported).
        progress: a tqdm progress bar.

    A :class:`~vsg_pyro.games.sparse.SparseTabularGame` (large discounted games) is solved by
    ``method="exact"`` with the factorized family and the exact opponent model
    (:mod:`vsg_pyro.equilibria.nash.sparse_exact`); options that do not apply are refused,
    and there is no path-following ``fallback`` for it.
    """
    parameters = record(locals())
    check_method(method, METHODS)
    if isinstance(game, SparseTabularGame):
        certificate_tol = 1e-6 if certificate_tol is None else certificate_tol
        return _solve_sparse(game, method, parameters, family=family, beta=beta,
                             beta_schedule=beta_schedule, steps=steps, seed=seed, tol=tol,
                             certificate_tol=certificate_tol, eta=eta,
                             adaptive_step=adaptive_step, init=init, log_priors=log_priors,
                             opponent=opponent, guides=guides, loss=loss, optim=optim,
                             optimizer=optimizer, lr=lr, lr_decay=lr_decay, validate=validate,
                             callback=callback, progress=progress,
                             infinite_horizon=infinite_horizon)
    game = get_game(game)
    if certificate_tol is None:
        certificate_tol = 1e-6 if game.dtype == torch.float64 else 1e-5
    if method in ("path", "svi-path"):
        refuse(f"method={method!r} follows the factorized logit-QRE branch from beta = 0 with "
               "its own step length and stopping rule", beta_schedule=beta_schedule, tol=tol,
               eta=eta, adaptive_step=adaptive_step, opponent=opponent, guides=guides,
               optim=optim, optimizer=optimizer, lr=lr, lr_decay=lr_decay,
               loss=loss if method == "path" else None, validate=validate,
               infinite_horizon=infinite_horizon)
        if family not in (None, "factorized", "conditional") or (
                family == "conditional" and method == "svi-path"):
            raise ValueError(f"family: method={method!r} is for the factorized family"
                             f"{' (or the conditional one)' if method == 'path' else ''}, "
                             f"got {family!r}")
        if method == "svi-path":
            solver = svi_path.Solver(game, log_priors, certificate_tol, loss=loss)
        else:
            solver = _path_solver(game, family or "factorized", log_priors, certificate_tol)
        options = LoopOptions(steps=steps, stop_on="certificate", adaptive_step=False,
                              progress=progress)
        return run(solver, beta, path.MAX_STEP, options, seed, callback, parameters)
    if method != "exact":
        refuse("only method='exact' takes the absorbing-state construction",
               infinite_horizon=infinite_horizon)
    family = family_of(family, guides, "conditional")
    # float32 resolves about 1e-7: a step change of 1e-8 is not a fixed point's signature
    tol = (1e-8 if game.dtype == torch.float64 else 1e-6) if tol is None else tol
    alpha = vpg_step_size(game, eta)
    if method == "exact":
        refuse("method='exact' uses tabular policies and exact soft evaluation", guides=guides,
               loss=loss, optim=optim, optimizer=optimizer, lr=lr, lr_decay=lr_decay,
               validate=validate)
        solver = exact.Solver(game, family, init, log_priors, opponent, certificate_tol,  # type: ignore[arg-type]
                              infinite_horizon or "discount")
        adaptive = True if adaptive_step is None else adaptive_step
    else:
        agents_optim = svi_optim(optimizer, lr, lr_decay, optim, game.n_agents)
        if agents_optim is not None and adaptive_step:
            raise ValueError("adaptive_step: only with the natural-gradient optimiser")
        adaptive = agents_optim is None if adaptive_step is None else adaptive_step
        solver = svi.Solver(game, family, init, log_priors, opponent, guides, loss,  # type: ignore[arg-type]
                            agents_optim, certificate_tol, validate)
    if not isinstance(fallback, bool):
        raise ValueError(f"fallback: must be True or False, got {fallback!r}")
    options = LoopOptions(steps=steps, tol=tol, adaptive_step=adaptive, progress=progress)
    result = run(solver, beta_schedule or beta, alpha, options, seed, callback, parameters)
    exact_model = opponent is None or type(opponent) is ExactOpponent
    if result.converged or not fallback or not exact_model or guides is not None or \
            not game.is_cpu_float64:  # the path followers run in float64 on the CPU
        return result  # the path solves the exact-opponent equilibrium of the tabular family
    return _path_fallback(game, result, family, log_priors, certificate_tol, steps, parameters)


def _path_solver(game: TabularGame, family: str, log_priors, certificate_tol: float):
    """The path follower of ``family``."""
    if family == "conditional":
        return conditional_path.Solver(game, log_priors, certificate_tol)
    return path.Solver(game, log_priors, certificate_tol)


def _path_fallback(game: TabularGame, result: NashSolution, family: str, log_priors,
                   certificate_tol: float, steps: int, parameters: dict) -> NashSolution:
    """The certified path-following point at ``result.beta`` in place of an uncertified run,
    or the run itself (its reason extended) when the path does not certify either."""
    options = LoopOptions(steps=steps, stop_on="certificate", adaptive_step=False)
    rescue = run(_path_solver(game, family, log_priors, certificate_tol), result.beta,
                 path.MAX_STEP, options, 0, None, {**parameters, "fallback_from": result.method})
    return prefer_certified(result, rescue, "path following from beta 0")


def _solve_sparse(game: SparseTabularGame, method: str, parameters: dict, *, family, beta,
                  beta_schedule, steps, seed, tol, certificate_tol, eta, adaptive_step, init,
                  log_priors, opponent, guides, loss, optim, optimizer, lr, lr_decay, validate,
                  callback, progress, infinite_horizon) -> NashSolution:
    """A sparse game: VPG with sparse evaluation (:mod:`.sparse_exact`)."""
    if method != "exact":
        raise ValueError(f"method: a SparseTabularGame is solved by method='exact' (VPG with "
                         f"sparse policy evaluation), got {method!r}")
    if family not in (None, "factorized"):
        raise ValueError(f"family: a SparseTabularGame takes the factorized family, got "
                         f"{family!r}")
    if opponent is not None and type(opponent) is not ExactOpponent:
        raise ValueError(f"opponent: a SparseTabularGame takes the exact opponent model, got "
                         f"{opponent!r}")
    refuse("method='exact' uses tabular policies and exact soft evaluation", guides=guides,
           loss=loss, optim=optim, optimizer=optimizer, lr=lr, lr_decay=lr_decay,
           validate=validate)
    refuse("a SparseTabularGame is evaluated by discounting", infinite_horizon=infinite_horizon)
    solver = sparse_exact.Solver(game, init, log_priors, certificate_tol)
    options = LoopOptions(steps=steps, tol=1e-8 if tol is None else tol,
                          adaptive_step=True if adaptive_step is None else adaptive_step,
                          progress=progress)
    return run(solver, beta_schedule or beta, vpg_step_size(game, eta), options, seed, callback,
               parameters)  # type: ignore[arg-type]
