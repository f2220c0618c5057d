"""solve(): one entry point for every equilibrium method (the CLI's ``vsg solve`` calls it)."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from functools import partial
from typing import NamedTuple

import pyro
import torch
from pyro.infer import TraceEnum_ELBO

from vsg_pyro.decentralized import DecentralizedNashSVI, ExternalOpponentModel, game_rows
from vsg_pyro.elbo import EnumeratedGuideELBO
from vsg_pyro.games.mean_field import MeanFieldGame
from vsg_pyro.games.registry import get_game
from vsg_pyro.games.tabular import TabularGame
from vsg_pyro.guides.tabular import OPPONENT_MODES, TabularPolicyGuide
from vsg_pyro.joint import product_of_marginals
from vsg_pyro.metrics.correlated import cce_gap, ce_gap, welfare
from vsg_pyro.metrics.exploitability import ExploitabilityReport, exploitability
from vsg_pyro.optim import natural_gradient, set_learning_rate
from vsg_pyro.solvers.lp import check_zero_sum, shapley_value_iteration
from vsg_pyro.solvers.soft_dp import check_family
from vsg_pyro.solvers.step_control import StepSizeController
from vsg_pyro.solvers.vpg import solve_vpg, vpg_init, vpg_step_size
from vsg_pyro.solvers.zero_sum import zero_sum_step_size

__all__ = ["SolveResult", "solve", "CONCEPTS", "METHODS", "OPTIMIZERS"]

CONCEPTS = ("nash", "correlated", "zero-sum", "mean-field")
METHODS = ("svi", "exact")
ELBOS = {"enumerated": EnumeratedGuideELBO,
         "trace_enum": lambda: TraceEnum_ELBO(max_plate_nesting=1)}
OPTIMIZERS = ("natural", "adam")


class SolveResult(NamedTuple):
    """What :func:`solve` returns.

    ``policies``: executed policies per agent ``(H?, S, A_i)``; ``report``: exact exploitability
    (:class:`~vsg_pyro.metrics.ExploitabilityReport`); ``elbo``: per agent, the eq. (3) ELBO
    (``beta`` x soft value at the initial distribution) of the policies at every step;
    ``loss``: per agent, the SVI loss of every step (empty for ``method="exact"``);
    ``guides``: the guides (``method="svi"``).

    Correlated and zero-sum concepts also fill: ``joint``, the joint action distribution
    ``(H?, S, A_1..A_N)`` the agents induce (product of the executed policies, or the mixture
    over correlation signals); ``ce_gap`` / ``cce_gap`` / ``welfare``
    (:mod:`vsg_pyro.metrics.correlated`); ``value``: agent 0's unregularised value
    (zero-sum); ``reference``: the linear-programming reference (max-welfare CE welfare of a
    normal-form game, or the Shapley minimax value), ``None`` where there is none;
    ``signal``: the learned signal distribution (correlated).  Mean-field games: ``joint`` is
    the mean field ``(T, S, A)``, ``value`` the policy's value, ``trace`` the exploitability per
    iteration, and ``converged`` means the exploitability reached the target.
    """

    game: str
    concept: str
    family: str
    method: str
    beta: float
    policies: list[torch.Tensor]
    report: ExploitabilityReport
    elbo: list[list[float]]
    loss: list[list[float]]
    iterations: int
    converged: bool
    seconds: float
    guides: list | None = None
    joint: torch.Tensor | None = None
    ce_gap: float | None = None
    cce_gap: float | None = None
    welfare: float | None = None
    value: float | None = None
    reference: float | None = None
    signal: torch.Tensor | None = None
    trace: list[dict] | None = None

    @property
    def exploitability(self) -> float:
        return self.report.exploitability

    @property
    def nash_conv(self) -> float:
        return self.report.nash_conv


def _tabular_guides(game: TabularGame, family: str, opponent_mode: str, init: str, seed: int):
    state = vpg_init(game, family, init, seed)  # the same initial policies as method="exact"
    rows = 1
    for d in game_rows(game):
        rows *= d
    return [
        TabularPolicyGuide(game.agent_names[i], i, game.action_counts, rows, family,  # type: ignore[index]
                           opponent_mode, lp.reshape(rows, *lp.shape[len(game_rows(game)):]))
        for i, lp in enumerate(state.log_policies)
    ]


def solve(
    game: TabularGame | MeanFieldGame | str,
    concept: str = "nash",
    family: str | None = None,
    method: str = "svi",
    beta: float = 1.0,
    beta_schedule: Callable[[int], float] | None = None,
    steps: int = 2000,
    seed: int = 0,
    optimizer: str = "natural",
    eta: float | None = None,
    lr: float = 0.05,
    lr_decay: float = 1.0,
    opponent_mode: str = "exact",
    external_opponent_model: ExternalOpponentModel | None = None,
    guides: Sequence[Callable] | None = None,
    init: str | None = None,
    tol: float = 1e-8,
    log_priors: Sequence[torch.Tensor] | None = None,
    adaptive_step: bool = True,
    elbo: str = "enumerated",
    callback: Callable[[int, dict], None] | None = None,
    correlated_options: dict | None = None,
    mean_field_options: dict | None = None,
) -> SolveResult:
    """Solve ``game`` for an equilibrium ``concept``.

    Args:
        concept: ``"nash"`` (§5.1), ``"mean-field"`` (§5.2, Algorithm 4), ``"zero-sum"``
            (§5.4: two players; the opponent model is the opponent's soft response computed
            from the agent's own ``Q``; the step follows beta,
            :func:`~vsg_pyro.solvers.zero_sum.zero_sum_step_size`, unless ``eta`` is given)
            or ``"correlated"`` (§5.3, Figure 3; see
            :func:`vsg_pyro.correlated_svi.solve_correlated`, which takes ``signal`` /
            ``signal_size`` / ``mediator_beta`` / ``margin`` / ``warmup`` through
            ``correlated_options``).
        method: ``"svi"`` (each agent runs SVI on its Pyro model) or ``"exact"`` (the same
            updates with exact soft evaluation, e.g. :func:`~vsg_pyro.solvers.solve_vpg`).
        family: ``"conditional"`` (the paper's ``pi_i(a_i | s, a_-i)``; the default for Nash) or
            ``"factorized"`` (the default for zero-sum and correlated equilibria, where the
            conditional family's executed policies measurably miss the equilibrium; README).
        beta / beta_schedule: inverse temperature, or a callable ``step -> beta``
            (:mod:`vsg_pyro.schedules`); annealing drives the regularisation gaps to zero.
        optimizer: ``"natural"`` (one step = eq. (4) with ``alpha = eta / (1 - gamma)``, default
            ``alpha = 0.5``) or ``"adam"`` (``pyro.optim.ClippedAdam``, ``lr``, ``lr_decay`` per step).
        opponent_mode: ``"exact"``, ``"optimistic"`` or ``"external"`` (svi, Nash only).
        guides: your own guides, one per agent (same site names as the tabular guide); default
            :class:`~vsg_pyro.guides.TabularPolicyGuide` (Nash and zero-sum).
        tol: stop when no executed policy probability moves more than ``tol`` in a step
            (correlated: when the step's change per unit step size is below ``tol``,
            :func:`~vsg_pyro.solvers.correlated.state_change`).
        adaptive_step: halve the natural-gradient rate when progress stalls (as ``solve_vpg``).
        elbo: ``"enumerated"`` (:class:`~vsg_pyro.elbo.EnumeratedGuideELBO`, exact, fast) or
            ``"trace_enum"`` (``TraceEnum_ELBO`` with guide-side enumeration; same value).
        init: initial policies, ``"uniform"`` (default) or ``"random"``; correlated
            equilibria also take ``"obedient"`` (their default with private signals).
        callback: ``callback(step, info)`` after every step (``info``: ``beta``, ``delta``,
            ``elbo``, ``loss``).
        mean_field_options: ``damping``, ``average``, ``target``, ``prior``, ``optimistic`` of
            :func:`vsg_pyro.mean_field_svi.solve_mean_field` (``concept="mean-field"``, where
            ``game`` is a :class:`~vsg_pyro.games.MeanFieldGame` or a mean-field built-in and
            ``steps`` counts Algorithm 4's iterations).
        correlated_options: keyword arguments of
            :func:`vsg_pyro.correlated_svi.solve_correlated` (``adaptive_step`` is off there
            unless given here).
    """
    start = time.perf_counter()
    if concept not in CONCEPTS:
        raise ValueError(f"concept: must be one of {CONCEPTS}, got {concept!r}")
    if concept == "mean-field":
        from vsg_pyro.mean_field_svi import solve_mean_field

        return solve_mean_field(game, method=method, beta=beta_schedule or beta, steps=steps,
                                callback=callback, **(mean_field_options or {}))
    if mean_field_options:
        raise ValueError("mean_field_options: only for concept='mean-field'")
    game = get_game(game)
    family = family or ("conditional" if concept == "nash" else "factorized")
    check_family(family)
    if method not in METHODS:
        raise ValueError(f"method: must be one of {METHODS}, got {method!r}")
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"optimizer: must be one of {OPTIMIZERS}, got {optimizer!r}")
    if opponent_mode not in OPPONENT_MODES:
        raise ValueError(f"opponent_mode: must be one of {OPPONENT_MODES}, got {opponent_mode!r}")
    if steps < 1:
        raise ValueError(f"steps: must be >= 1, got {steps}")
    if elbo not in ELBOS:
        raise ValueError(f"elbo: must be one of {tuple(ELBOS)}, got {elbo!r}")
    schedule = beta_schedule or (lambda _step: float(beta))
    if not schedule(0) > 0:
        raise ValueError(f"beta: must be > 0, got {schedule(0)}")
    if concept != "correlated":
        init = init or "uniform"
    if concept != "nash" and opponent_mode != "exact":
        raise ValueError(f"opponent_mode: {concept!r} sets its own opponent model; "
                         f"got {opponent_mode!r}")
    if correlated_options and concept != "correlated":
        raise ValueError("correlated_options: only for concept='correlated'")
    if concept == "correlated":
        from vsg_pyro.correlated_svi import solve_correlated

        if guides is not None:
            raise ValueError("guides: concept='correlated' uses its own signal-policy guides")
        if optimizer != "natural" or external_opponent_model is not None or elbo != "enumerated":
            raise ValueError("optimizer/external_opponent_model/elbo: concept='correlated' runs "
                             "natural-gradient SVI with the enumerated ELBO only")
        options = {"adaptive_step": False, **(correlated_options or {})}
        return solve_correlated(
            game, family=family, method=method, beta=beta, beta_schedule=beta_schedule,
            steps=steps, seed=seed, eta=eta, init=init, tol=tol, callback=callback,
            log_priors=log_priors, **options)
    step_size = None
    if concept == "zero-sum":
        check_zero_sum(game)
        if eta is None:
            step_size = partial(zero_sum_step_size, game)
            adaptive_step = False
    if method == "exact":
        if opponent_mode != "exact" or guides is not None:
            raise ValueError("method='exact' uses exact opponent models and tabular policies")
        res = solve_vpg(game, beta=beta, family=family, eta=eta, max_iter=steps, tol=tol,  # type: ignore[arg-type]
                        init=init, seed=seed, log_priors=log_priors, beta_schedule=beta_schedule,
                        adaptive_step=adaptive_step, step_size=step_size,
                        opponent_response="zero_sum" if concept == "zero-sum" else "exact",
                        callback=None if callback is None else _exact_callback(callback))
        elbo = [[e["beta"] * v for e in res.trace for v in [e["soft_values"][i]]]
                for i in range(game.n_agents)]
        result = SolveResult(game.name, concept, family, method, res.beta, res.policies,
                             res.report, elbo, [[] for _ in range(game.n_agents)],
                             res.iterations, res.converged, time.perf_counter() - start)
        return _with_joint_metrics(game, result)
    pyro.set_rng_seed(seed)
    guide_mode = "external" if concept == "zero-sum" else opponent_mode
    if guides is None:
        guides = _tabular_guides(game, family, guide_mode, init, seed)
        store = pyro.get_param_store()
        for g in guides:  # a fresh start: drop this game's agents' parameters from earlier runs
            for name in g.param_names(game.agent_names):  # type: ignore[arg-type]
                if name in store:
                    del store[name]
    elif len(guides) != game.n_agents:
        raise ValueError(f"guides: need one per agent ({game.n_agents}), got {len(guides)}")
    if optimizer == "natural":
        missing = [g for g in guides if not hasattr(g, "fisher_diagonal")]
        if missing:
            raise ValueError("optimizer: 'natural' needs guides with fisher_diagonal(name); "
                             "use optimizer='adam' for other guides")
        first = vpg_step_size(game, eta) if step_size is None else step_size(schedule(0))
        control = StepSizeController(first, enabled=adaptive_step)
        optims = [natural_gradient([g], control.alpha) for g in guides]
    else:
        control = None
        optims = [pyro.optim.ClippedAdam({"lr": lr, "lrd": lr_decay}) for _ in guides]
    driver_mode = "zero_sum" if concept == "zero-sum" else opponent_mode
    runner = DecentralizedNashSVI(game, guides, optims, driver_mode, external_opponent_model,
                                  log_priors, ELBOS[elbo]())
    elbos: list[list[float]] = [[] for _ in range(game.n_agents)]
    losses: list[list[float]] = [[] for _ in range(game.n_agents)]
    converged, iterations, previous = False, 0, None
    alpha = control.alpha if control is not None else vpg_step_size(game, eta)
    for step in range(steps):
        b = schedule(step)
        if step_size is not None:
            alpha = step_size(b)
            if control is not None:
                _set_lr(optims, alpha)
        step_loss, step_elbo, executed = runner.step(b, alpha)
        iterations = step + 1
        for i in range(game.n_agents):
            losses[i].append(step_loss[i])
            elbos[i].append(step_elbo[i])
        delta = float("inf") if previous is None else max(
            (a - p).abs().max().item() for a, p in zip(executed, previous, strict=True))
        previous = executed
        if control is not None and step_size is None and delta != float("inf"):
            alpha = control.update(delta)
            _set_lr(optims, alpha)
        if callback is not None:
            callback(step, {"beta": b, "delta": delta, "elbo": step_elbo, "loss": step_loss})
        if delta < tol and schedule(step + 1) == b:
            converged = True
            break
    final = [runner._unrows(e) for e in runner.executed_policies()]
    result = SolveResult(game.name, concept, family, method, float(schedule(iterations - 1)),
                         final, exploitability(game, final), elbos, losses, iterations, converged,
                         time.perf_counter() - start, list(guides))
    return _with_joint_metrics(game, result)


def _exact_callback(callback: Callable[[int, dict], None]) -> Callable[[object, dict], None]:
    """``solve``'s callback signature on top of the exact solvers' ``(state, trace entry)``."""

    def call(_state: object, entry: dict) -> None:
        callback(entry["iteration"] - 1, {
            "beta": entry["beta"], "delta": entry["delta"],
            "elbo": [entry["beta"] * v for v in entry["soft_values"]], "loss": []})

    return call


def _set_lr(optims: Sequence[pyro.optim.PyroOptim], lr: float) -> None:
    for optim in optims:
        set_learning_rate(optim, lr)


def _with_joint_metrics(game: TabularGame, result: SolveResult) -> SolveResult:
    """Fill the zero-sum fields (joint, gaps, welfare, value, Shapley reference)."""
    if result.concept != "zero-sum":
        return result
    joint = product_of_marginals(result.policies)
    return result._replace(
        joint=joint, ce_gap=ce_gap(game, joint), cce_gap=cce_gap(game, joint),
        welfare=welfare(game, joint), value=float(result.report.values[0]),
        reference=shapley_value_iteration(game).value)
