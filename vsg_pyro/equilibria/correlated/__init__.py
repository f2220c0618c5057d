"""Correlated equilibrium (§5.3, Figure 3): agents act on a correlation signal whose
distribution a mediator learns (:mod:`.signals`, :mod:`.mediator`); :mod:`.exact`, :mod:`.svi`
and :mod:`.path` (the mediator's projection, then the agents' soft Bayes-Nash equilibrium by
Newton or path following; normal-form games) expose ``Solver``; :func:`solve` runs any of them
in the one loop."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch

from vsg_pyro.core.loop import LoopOptions
from vsg_pyro.equilibria._common import check_method, prefer_certified, record, refuse, run
from vsg_pyro.equilibria.correlated import exact, path, svi
from vsg_pyro.equilibria.correlated.mediator import default_mediator
from vsg_pyro.equilibria.correlated.signals import SIGNALS, SignalStructure
from vsg_pyro.equilibria.nash.exact import vpg_step_size
from vsg_pyro.equilibria.results import CorrelatedSolution
from vsg_pyro.games.registry import get_game
from vsg_pyro.games.tabular import TabularGame

CorrelatedExact = exact.Solver
CorrelatedSVI = svi.Solver
CorrelatedPath = path.Solver

#: The correlated concept's methods.
METHODS: tuple[str, ...] = ("svi", "exact", "path")

__all__ = ["solve", "exact", "svi", "path", "CorrelatedExact", "CorrelatedSVI",
           "CorrelatedPath", "METHODS", "SIGNALS", "SignalStructure"]


def solve(
    game: TabularGame | str,
    method: str = "svi",
    *,
    signal: str = "private",
    signal_size: int | None = None,
    family: str = "factorized",
    beta: float = 1.0,
    beta_schedule: Callable[[int], float] | None = None,
    steps: int | None = None,
    seed: int = 0,
    eta: float | None = None,
    init: str | None = None,
    tol: float | None = None,
    certificate_tol: float = 1e-9,
    mediator_beta: float | None = None,
    margin: float = 2.0,
    warmup: int | None = None,
    adaptive_step: bool = False,
    log_priors: Sequence[torch.Tensor] | None = None,
    mediator_name: str = "mediator",
    validate: bool | None = None,
    fallback: bool = True,
    callback: Callable[[int, dict], None] | None = None,
    progress: bool = False,
) -> CorrelatedSolution:
    """Correlated equilibrium of ``game`` (Figure 3), by SVI, by the exact updates, or
    (``method="path"``; normal-form games, private recommendations, the factorized family) by
    the mediator's projection followed by the agents' soft Bayes-Nash equilibrium, found by
    Newton from obedience or by path following from beta 0 (:mod:`.path`).

    Args:
        signal: ``"private"`` (a mediator's recommendations, one per agent; the default) or
            ``"public"`` (the paper's Figure 3: one signal everybody sees; only mixtures of Nash
            equilibria, see :mod:`vsg_pyro.equilibria.correlated.exact`).
        signal_size: ``K`` of a public signal (default 4; private recommendations have one
            signal per joint action).
        family: the agents' policy family; beta / beta_schedule: the agents' inverse
            temperature (annealing drives the CE gap to zero).
        eta: the agents' eq. (4) learning rate (``alpha = eta / (1 - gamma)``; default 0.5).
        init: agents' initial policies: ``"obedient"`` (default for private signals),
            ``"random"`` (default for public ones) or ``"uniform"``.
        steps: at most this many steps (default 2000; not with ``method="path"``).
        tol: stop when the step's change per unit step (change / alpha) is below ``tol``
            (default 1e-8; not with ``method="path"``).
        certificate_tol: ``converged`` needs the CE gap within ``H log max|A_i| / beta`` plus
            this.
        mediator_beta: ``beta_sigma`` (default ``10 / (max|r| H)``); margin: the obedience
            margin in nats (:func:`~vsg_pyro.equilibria.correlated.mediator.obedience_margin`;
            0 for none); warmup: at most this many mediator-only rounds first (default 200;
            not with ``method="path"``).
        adaptive_step: halve the agents' step when progress stalls at a settled beta (off by
            default).
        mediator_name: the mediator's site and parameter prefix (SVI).
        validate: SVI only: Pyro's argument validation during the steps (default off: the
            built-in guides' iterates do not change; :mod:`vsg_pyro.infer.validation`).
        fallback: when an ``"exact"`` or ``"svi"`` run on a normal-form game with private
            recommendations and the factorized family ends without its certificate, solve at
            the run's final beta by ``method="path"`` and return that if it is certified
            (``reason`` says so); ``False``: return the uncertified run.

    Returns:
        A :class:`~vsg_pyro.equilibria.results.CorrelatedSolution`.
    """
    parameters = record(locals())
    check_method(method, METHODS)
    if not isinstance(fallback, bool):
        raise ValueError(f"fallback: must be True or False, got {fallback!r}")
    game = get_game(game)
    if log_priors is not None:
        if len(log_priors) != game.n_agents:
            raise ValueError(f"log_priors: need one per agent ({game.n_agents}), "
                             f"got {len(log_priors)}")
        for i, lp in enumerate(log_priors):
            if not torch.isfinite(torch.as_tensor(lp)).all():
                raise ValueError(f"log_priors[{i}]: must be finite (a prior of 0 makes the "
                                 "initial policies' KL infinite; use a small probability)")
    if method != "svi" and mediator_name != "mediator":
        raise ValueError(f"mediator_name: only with method='svi' (it names the mediator's Pyro "
                         f"sites and parameters), not method={method!r}")
    if method != "svi":
        refuse(f"only with method='svi' (method={method!r} runs no Pyro program)",
               validate=validate)
    if signal == "private" and signal_size is not None:
        raise ValueError("signal_size: only for signal='public' (private recommendations have "
                         "one signal per joint action)")
    structure = SignalStructure.build(signal, game.action_counts,
                                      4 if signal_size is None else signal_size)
    alpha = vpg_step_size(game, eta)
    mediator = default_mediator(game, mediator_beta, margin, alpha)
    if method == "path":
        refuse("method='path' solves the mediator and the agents to their fixed points at "
               "beta (no steps, schedule or warm-up)", beta_schedule=beta_schedule, eta=eta,
               init=init, adaptive_step=adaptive_step or None, steps=steps, tol=tol,
               warmup=warmup)
        if family != "factorized":
            raise ValueError(f"family: method='path' is for the factorized family, got "
                             f"{family!r}")
        solver = path.Solver(game, structure, log_priors, mediator, certificate_tol)
        options = LoopOptions(steps=1, stop_on="certificate", progress=progress)
        return run(solver, beta, alpha, options, seed, callback, parameters)
    init = init or ("obedient" if signal == "private" else "random")
    steps = 2000 if steps is None else steps
    tol = 1e-8 if tol is None else tol
    warmup = 200 if warmup is None else warmup
    if method == "exact":
        solver = exact.Solver(game, structure, family, init, log_priors, mediator,  # type: ignore[arg-type]
                              warmup, tol, certificate_tol)
    else:
        solver = svi.Solver(game, structure, family, init, log_priors, mediator, warmup, tol,
                            certificate_tol, mediator_name, bool(validate))
    options = LoopOptions(steps=steps, tol=tol, stop_on="change_per_step",
                          adaptive_step=adaptive_step, progress=progress)
    result = run(solver, beta_schedule or beta, alpha, options, seed, callback, parameters)
    if result.converged or not fallback or family != "factorized" or signal != "private" or \
            not game.is_normal_form:
        return result
    try:
        rescue = run(path.Solver(game, structure, log_priors, mediator, certificate_tol),
                     result.beta, alpha, LoopOptions(steps=1, stop_on="certificate"), seed,
                     None, {**parameters, "fallback_from": method})
    except (ValueError, RuntimeError) as err:  # too large an agent normal form, a collapse
        return result._replace(reason=f"{result.reason}; the path method could not run: {err}")
    return prefer_certified(result, rescue, "the path method")
