"""``vsg solve GAME``: solve a game (built-in name, random spec, ``.nfg``/``.json``/``.npz``
file) for a concept (Nash, mean-field, correlated, zero-sum) by SVI or exact VPG, printed as text
or as one JSON document (:func:`result_to_json`).

The options are those of the concept's ``solve`` (:mod:`vsg_pyro.equilibria`): each flag's
destination is the keyword it sets, its default is the keyword's default (written once, in the
signature), and a flag the chosen concept does not take is refused with one message naming it
(the check reads :func:`vsg_pyro.equilibria.solve.concept_options`, not a copy of the defaults).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence

import torch

from vsg_pyro.cli.commands import add_progress_flag, command_help, show_progress
from vsg_pyro.core.schedules import geometric_beta
from vsg_pyro.core.soft_dp import FAMILIES
from vsg_pyro.equilibria._common import METHODS, OPTIMIZERS
from vsg_pyro.equilibria.correlated.signals import SIGNALS
from vsg_pyro.equilibria.nash.opponents import ExactOpponent, ExternalOpponent, OptimisticOpponent
from vsg_pyro.equilibria.results import Solution
from vsg_pyro.equilibria.solve import CONCEPTS, concept_options, solve
from vsg_pyro.games import TabularGame, get_game, get_mean_field_game
from vsg_pyro.metrics import entropy_bound

__all__ = ["add_parser", "result_to_json", "run"]


def _policy_lists(game: TabularGame, policies: Sequence[torch.Tensor]) -> list:
    """Per agent: ``[action]`` (normal form), ``[state][action]`` (discounted), or
    ``[t][state][action]`` (finite horizon)."""
    out = []
    for p in policies:
        if game.is_normal_form:
            out.append(p.reshape(-1).tolist())
        else:
            out.append(p.tolist())
    return out


def _joint_list(game: TabularGame, joint: torch.Tensor) -> list:
    """``[a_1][a_2]...`` (normal form), ``[state][a_1]...`` or ``[t][state][a_1]...``."""
    if game.is_normal_form:
        return joint.reshape(game.action_counts).tolist()
    return joint.tolist()


def result_to_json(game: TabularGame, result: Solution) -> dict:
    """The JSON document of ``vsg solve --json``."""
    doc = {
        "game": game.name,
        "concept": result.concept,
        "family": result.family,
        "beta": result.beta,
        "method": result.method,
        "policies": _policy_lists(game, result.policies),
        "exploitability": result.exploitability,
        "nash_conv": result.nash_conv,
        "elbo": [trace[-1] if trace else None for trace in result.elbo],
        "iterations": result.iterations,
        "converged": result.converged,
        "certificate": {"name": result.certificate.name, "value": result.certificate.value,
                        "threshold": result.certificate.threshold},
        "reason": result.reason,
        "seconds": result.seconds,
    }
    if result.concept != "nash":
        doc.update({
            "joint": _joint_list(game, result.joint),  # type: ignore[attr-defined]
            "ce_gap": result.ce_gap,  # type: ignore[attr-defined]
            "cce_gap": result.cce_gap,  # type: ignore[attr-defined]
            "welfare": result.welfare,  # type: ignore[attr-defined]
            "value": getattr(result, "value", None),
            "reference": result.reference,  # type: ignore[attr-defined]
        })
    if getattr(result, "signal", None) is not None:
        sig = result.signal.reshape(-1).tolist() if game.is_normal_form else result.signal.tolist()
        doc["signal"] = sig
    return doc


def _print_result(game: TabularGame, result: Solution) -> None:
    """The text output of ``vsg solve``."""
    print(game.describe())
    print(f"{result.concept} by {result.method}, family {result.family}, beta {result.beta:g}: "
          f"{result.iterations} steps ({'converged' if result.converged else 'NOT converged'}) "
          f"in {result.seconds:.3f} s")
    print(f"  {result.reason}")
    for i, pol in enumerate(result.policies):
        print(f"  {game.agent_names[i]}:")  # type: ignore[index]
        rows = pol.reshape(-1, pol.shape[-1])
        labels = game.action_names[i]  # type: ignore[index]
        for r, row in enumerate(rows[: min(len(rows), 12)]):
            probs = "  ".join(f"{a}={p:.4f}" for a, p in zip(labels, row.tolist(), strict=True))
            where = "" if game.is_normal_form else f"row {r}: "
            print(f"    {where}{probs}")
        if len(rows) > 12:
            print(f"    ... {len(rows) - 12} more rows")
    rep = result.report
    elbo = ", ".join(f"{t[-1]:.6g}" for t in result.elbo if t)
    if result.concept == "correlated":
        if game.is_normal_form:
            print(f"joint action distribution: {_joint_list(game, result.joint)}")  # type: ignore[arg-type]
        else:
            print("joint action distribution per state: see --json")
        ref = "" if result.reference is None else f" (LP max-welfare CE: {result.reference:.6g})"
        print(f"CE gap {result.ce_gap:.6g}  CCE gap {result.cce_gap:.6g}  "
              f"bound H log max|A_i| / beta {entropy_bound(game, result.beta):.6g}  "
              f"welfare {result.welfare:.6g}{ref}")
        print(f"(Nash exploitability of the marginals played independently: "
              f"{rep.exploitability:.6g})")
        return
    if result.concept == "zero-sum":
        print(f"value {result.value:.6g} (Shapley/LP minimax value {result.reference:.6g})")
    print(f"exploitability {rep.exploitability:.6g}  NashConv {rep.nash_conv:.6g}  "
          f"Theorem 4.2 bound {entropy_bound(game, result.beta):.6g}  ELBO per agent [{elbo}]")


def _print_mean_field(game, args: argparse.Namespace, result) -> None:
    """The text output of ``vsg solve --concept mean-field``."""
    print(game.describe())
    prior = "RelEnt iteration, uniform prior" if getattr(args, "prior", None) == "uniform" else (
        "optimistic mirror descent" if getattr(args, "optimistic", False)
        else "mirror descent, previous-policy prior")
    print(f"Algorithm 4 ({prior}) by {result.method}, final beta {result.beta:g}: "
          f"{result.iterations} iterations in {result.seconds:.3f} s")
    trace = [e["exploitability"] for e in result.trace]
    marks = sorted({0, len(trace) // 10, len(trace) // 2, len(trace) - 1})
    print("exploitability by iteration: " + ", ".join(f"{k + 1}: {trace[k]:.4g}" for k in marks))
    print(f"final exploitability {result.exploitability:.6g}, value {result.value:.6g}"
          f" ({'target reached' if result.converged else 'target not reached'})")


def _mean_field_json(game, result) -> dict:
    return {"game": game.name, "concept": "mean-field", "method": result.method,
            "beta": result.beta, "policy": result.policies[0].tolist(),
            "mean_field": result.flow.tolist(), "exploitability": result.exploitability,
            "value": result.value,
            "exploitability_trace": [e["exploitability"] for e in result.trace],
            "iterations": result.iterations, "converged": result.converged,
            "certificate": {"name": result.certificate.name,
                            "value": result.certificate.value,
                            "threshold": result.certificate.threshold},
            "reason": result.reason, "seconds": result.seconds}


#: Flags that are not one keyword of the concept's solve: flag dest -> the keyword they set.
_DERIVED = {"anneal_from": "beta_schedule", "anneal_steps": "beta_schedule",
            "opponent_mode": "opponent", "learned_opponent": "opponent",
            "play_steps": "opponent", "buffer": "opponent"}
_NOT_OPTIONS = {"command", "func", "game", "concept", "json", "flags", "beta_list", "progress"}
_OPPONENTS = {"exact": ExactOpponent, "optimistic": OptimisticOpponent}


def _flag(dest: str) -> str:
    return "--" + dest.replace("_", "-")


def _options(args: argparse.Namespace) -> dict:
    """The concept's keyword options from the flags given, refusing those it does not take."""
    given = {k: v for k, v in vars(args).items() if k not in _NOT_OPTIONS}
    known = {**concept_options(args.concept), "method": None}
    refused = [k for k in given if _DERIVED.get(k, k) not in known]
    if refused:
        where = "; ".join(
            f"{_flag(k)} only with " + " or ".join(
                f"--concept {c}" for c in CONCEPTS if _DERIVED.get(k, k) in concept_options(c))
            for k in refused)
        takes = ", ".join(_flag(k) for k in args.flags if _DERIVED.get(k, k) in known)
        raise ValueError(f"{', '.join(map(_flag, refused))}: not an option of --concept "
                         f"{args.concept} ({where}; --concept {args.concept} takes {takes})")
    if "anneal_steps" in given and "anneal_from" not in given:
        raise ValueError("--anneal-steps: only with --anneal-from")
    if ("play_steps" in given or "buffer" in given) and "learned_opponent" not in given:
        raise ValueError("--play-steps/--buffer: only with --learned-opponent")
    return {k: v for k, v in given.items() if k not in _DERIVED}


def _beta_list(args: argparse.Namespace, options: dict) -> int:
    """``vsg solve GAME --method path --beta-list 0.5,1,2``: the branch's points at each beta,
    from one trace (:func:`vsg_pyro.equilibria.nash.path.qre_at`)."""
    from vsg_pyro.equilibria.nash.branch import qre_at

    if args.concept != "nash" or args.method not in ("path", "svi-path"):
        raise ValueError("--beta-list: only with --method path or svi-path (one trace of the "
                         "QRE branch)")
    extra = sorted(set(options) - {"method", "log_priors"})
    if extra:
        raise ValueError(f"{', '.join(map(_flag, extra))}: not with --beta-list")
    try:
        betas = [float(b) for b in args.beta_list.split(",") if b.strip()]
    except ValueError:
        raise ValueError(f"--beta-list: comma-separated numbers, got {args.beta_list!r}") from None
    game = get_game(args.game)
    points = qre_at(game, betas, options.get("log_priors"), method=args.method)
    key = "logit_residual" if game.is_normal_form else "soft_best_response_residual"
    if args.json:
        print(json.dumps({"game": game.name, "method": args.method, "points": [
            {"beta": b, "policies": [p.tolist() for p in pis], key: r,
             "converged": r <= 1e-6} for b, pis, r in points]}))
        return 0
    print(game.describe())
    what = "logit residual" if game.is_normal_form else "soft best-response residual"
    for b, pis, r in points:
        probs = "  ".join("[" + ", ".join(f"{x:.4f}" for x in row) + "]"
                          for p in pis for row in p.reshape(-1, p.shape[-1]).tolist())
        print(f"beta {b:g}: {probs}  ({what} {r:.2e})")
    return 0


def run(args: argparse.Namespace) -> int:
    """Run ``vsg solve``; returns the exit status."""
    options = _options(args)
    if getattr(args, "beta_list", None) is not None:
        if "beta" in options:
            raise ValueError("--beta-list: give either --beta or --beta-list")
        return _beta_list(args, options)
    mean_field = args.concept == "mean-field"
    game = get_mean_field_game(args.game) if mean_field else get_game(args.game)
    beta = options.get("beta", concept_options(args.concept)["beta"].default)
    steps = options.get("steps", concept_options(args.concept)["steps"].default)
    if getattr(args, "anneal_from", None) is not None:
        options["beta_schedule"] = geometric_beta(args.anneal_from, beta,
                                                  getattr(args, "anneal_steps", None) or steps // 2)
    learned = None
    if getattr(args, "learned_opponent", None) is not None:
        from vsg_pyro.opponent.replay_model import ReplayOpponentModel

        if getattr(args, "opponent_mode", "exact") != "exact" or args.method != "svi":
            raise ValueError("--learned-opponent: with --method svi and the default "
                             "--opponent-mode only (it is the external opponent model)")
        learned = ReplayOpponentModel(game, method=args.learned_opponent,
                                      steps_per_round=getattr(args, "play_steps", 200),
                                      capacity=getattr(args, "buffer", 2000), beta=beta,
                                      seed=options.get("seed", 0))
        options["opponent"] = ExternalOpponent(learned)
    elif getattr(args, "opponent_mode", None) is not None:
        options["opponent"] = _OPPONENTS[args.opponent_mode]()
    bars: list = []  # the progress bar, made at the first step: none for a refused option
    if show_progress(args):
        from tqdm import tqdm

        def tick(_step: int, _info: dict) -> None:
            if not bars:
                bars.append(tqdm(total=steps, desc=f"{args.method}", unit="step", leave=False))
            bars[0].update(1)

        options["callback"] = tick
    try:
        result = solve(game, concept=args.concept, **options)
    finally:
        for bar in bars:
            bar.close()
    if mean_field:
        if args.json:
            print(json.dumps(_mean_field_json(game, result)))
        else:
            _print_mean_field(game, args, result)
        return 0
    learned_doc = None
    if learned is not None:
        from vsg_pyro.metrics.exploitability import opponent_error_bound

        last = learned.history[-1]
        learned_doc = {"method": learned.method, **last,
                       "prop_5_5_delta": opponent_error_bound(game, last["eps_p"])}
    if args.json:
        doc = result_to_json(game, result)
        if learned_doc is not None:
            doc["opponent_model"] = learned_doc
        print(json.dumps(doc))
    else:
        _print_result(game, result)
        if learned_doc is not None:
            print(f"learned opponent models ({learned_doc['method']}, {learned_doc['transitions']} "
                  f"transitions in the buffer): eps_p = max KL(p || pi_-i) "
                  f"{learned_doc['eps_p']:.4g} (visited rows {learned_doc['eps_p_visited']:.4g}), "
                  f"Prop. 5.5 delta {learned_doc['prop_5_5_delta']:.4g}")
    return 0


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``vsg solve`` and its options on the subparsers ``sub``: one option group per
    concept; every option but the game, --concept, --method and --json is left out of the
    namespace unless given (``argparse.SUPPRESS``), so that :func:`run` passes on exactly the
    options given and the concept's own defaults apply."""
    solve_ = sub.add_parser("solve", help=command_help("solve"),
                            argument_default=argparse.SUPPRESS)
    solve_.add_argument("game", help="built-in name, random spec, or .nfg/.json/.npz file")
    solve_.add_argument("--concept", default="nash", choices=list(CONCEPTS),
                        help="nash (§5.1), mean-field (§5.2), correlated (§5.3, Fig. 3) or "
                             "zero-sum (§5.4)")
    solve_.add_argument("--method", default="svi", choices=[*METHODS, "path", "svi-path"],
                        help="svi: Pyro SVI per agent; exact: the same updates with exact "
                             "soft evaluation; path: logit-QRE path following from beta 0 "
                             "(nash: the factorized or conditional family); "
                             "svi-path: the same on the ELBOs of the Pyro programs "
                             "(factorized)")
    solve_.add_argument("--json", action="store_true", default=False,
                        help="print one JSON document")
    add_progress_flag(solve_)
    common = solve_.add_argument_group("every concept")
    common.add_argument("--beta", type=float,
                        help="inverse temperature (> 0; default 1, mean-field 0.1)")
    common.add_argument("--beta-list", default=None,
                        help="--method path: the QRE at each of these betas (comma-separated, "
                             "increasing) from one trace of the branch")
    common.add_argument("--anneal-from", type=float,
                        help="anneal beta geometrically from this value to --beta")
    common.add_argument("--anneal-steps", type=int,
                        help="steps of the annealing (default: half of --steps)")
    common.add_argument("--steps", type=int, help="maximum steps (default 2000)")
    common.add_argument("--validate", action=argparse.BooleanOptionalAction,
                        help="--method svi: Pyro's argument validation during the steps (off "
                             "by default with the built-in guides: the same iterates, less "
                             "time)")
    tabular = solve_.add_argument_group("nash, zero-sum and correlated")
    tabular.add_argument("--family", choices=list(FAMILIES),
                         help="policy family (default: conditional for nash, factorized "
                              "otherwise)")
    tabular.add_argument("--eta", type=float, help="NPG learning rate of eq. (4)")
    tabular.add_argument("--tol", type=float,
                         help="stop when the step's change is below this (default 1e-8)")
    tabular.add_argument("--certificate-tol", type=float,
                         help="the certificate's threshold (residual; correlated: slack on the "
                              "CE-gap bound)")
    tabular.add_argument("--adaptive-step", action=argparse.BooleanOptionalAction,
                         help="halve the step when progress stalls at a settled beta")
    tabular.add_argument("--init", choices=["uniform", "random", "obedient"],
                         help="initial policies (default: uniform; obedient for correlated "
                              "equilibria with private signals, random with a public one)")
    tabular.add_argument("--seed", type=int, help="seed of random initial policies (default 0)")
    nash = solve_.add_argument_group("nash and zero-sum (svi)")
    nash.add_argument("--optimizer", choices=list(OPTIMIZERS),
                      help="natural gradient (one step = eq. 4; default) or Adam")
    nash.add_argument("--lr", type=float, help="Adam's learning rate (--optimizer adam)")
    nash.add_argument("--lr-decay", type=float, help="Adam's learning-rate decay per step")
    only_nash = solve_.add_argument_group("nash")
    only_nash.add_argument("--opponent-mode", choices=list(_OPPONENTS),
                           help="exact (the others' executed policies) or optimistic (free "
                                "guide parameters)")
    only_nash.add_argument("--fallback", action=argparse.BooleanOptionalAction,
                           help="runs that do not certify fall back to path following from "
                                "beta 0 (factorized or conditional family; default "
                                "on)")
    only_nash.add_argument("--infinite-horizon", choices=["discount", "absorbing"],
                           help="a discounted game's values by discounting (default) or by §4's "
                                "absorbing-state construction (--method exact)")
    only_nash.add_argument("--learned-opponent", choices=["counts", "reward"],
                           help="learn opponent models from simulated play (replay buffer; "
                                "counts, or reward inference by eqs. 6-7 and eq. 5)")
    only_nash.add_argument("--play-steps", type=int,
                           help="--learned-opponent: transitions played per round (200)")
    only_nash.add_argument("--buffer", type=int,
                           help="--learned-opponent: replay buffer capacity (2000)")
    zs = solve_.add_argument_group("zero-sum")
    zs.add_argument("--response", choices=["tempered", "literal"],
                    help="the opponent model: the predicted eq. (4) step (tempered, default) or "
                         "§5.4's formula as printed (literal)")
    corr = solve_.add_argument_group("correlated")
    corr.add_argument("--signal", choices=list(SIGNALS),
                      help="a mediator's private recommendations (default), or one public "
                           "signal (the paper's Fig. 3)")
    corr.add_argument("--signal-size", type=int, help="K of a public signal (4)")
    corr.add_argument("--mediator-beta", type=float,
                      help="the signal distribution's inverse temperature")
    corr.add_argument("--margin", type=float, help="obedience margin in nats (2; 0: none)")
    corr.add_argument("--warmup", type=int, help="mediator-only rounds first (200)")
    mf = solve_.add_argument_group("mean-field")
    mf.add_argument("--damping", type=float, help="weight of the new mean field per iteration")
    mf.add_argument("--average", action="store_true", help="report the average of the iterates")
    mf.add_argument("--target", type=float, help="stop at this exploitability (the certificate)")
    mf.add_argument("--prior", choices=["previous", "uniform"],
                    help="the previous policy (mirror descent) or uniform (RelEnt iteration: "
                         "entropy-regularised equilibrium)")
    mf.add_argument("--optimistic", action="store_true",
                    help="optimistic mirror descent (2 Q^k - Q^(k-1))")
    dests = [a.dest for a in solve_._actions if a.option_strings and a.dest != "help"]
    solve_.set_defaults(func=run, flags=tuple(d for d in dests if d not in _NOT_OPTIONS))
    return solve_
