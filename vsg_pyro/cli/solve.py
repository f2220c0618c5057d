"""``vsg solve GAME``: solve a game (built-in name, random spec, ``.nfg``/``.json``/``.npz``
file) for a concept (Nash, mean-field, correlated, zero-sum) by SVI or exact VPG, printed as text
or as one JSON document (:func:`result_to_json`)."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence

import torch

from vsg_pyro.equilibrium import CONCEPTS, METHODS, OPTIMIZERS, SolveResult, solve
from vsg_pyro.games import TabularGame, get_game, get_mean_field_game
from vsg_pyro.guides import OPPONENT_MODES
from vsg_pyro.metrics import entropy_bound
from vsg_pyro.schedules import geometric_beta
from vsg_pyro.signals import SIGNALS
from vsg_pyro.solvers import FAMILIES

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


def result_to_json(game: TabularGame, result: SolveResult) -> dict:
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
        "seconds": result.seconds,
    }
    if result.concept != "nash":
        doc.update({
            "joint": _joint_list(game, result.joint),  # type: ignore[arg-type]
            "ce_gap": result.ce_gap,
            "cce_gap": result.cce_gap,
            "welfare": result.welfare,
            "value": result.value,
            "reference": result.reference,
        })
    if result.signal is not None:
        sig = result.signal.reshape(-1).tolist() if game.is_normal_form else result.signal.tolist()
        doc["signal"] = sig
    return doc


def _print_result(game: TabularGame, result: SolveResult) -> None:
    """The text output of ``vsg solve``."""
    print(game.describe())
    print(f"{result.concept} by {result.method}, family {result.family}, beta {result.beta:g}: "
          f"{result.iterations} steps ({'converged' if result.converged else 'NOT converged'}) "
          f"in {result.seconds:.3f} s")
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


def _solve_mean_field(args: argparse.Namespace) -> int:
    """``vsg solve --concept mean-field``."""
    if args.learned_opponent is not None or (args.play_steps, args.buffer) != (200, 2000):
        raise ValueError("--learned-opponent/--play-steps/--buffer: not with --concept mean-field")
    if (args.signal, args.signal_size, args.mediator_beta, args.margin) != ("private", 4, None, 2.0):
        raise ValueError("--signal/--signal-size/--mediator-beta/--margin: only with "
                         "--concept correlated")
    if args.family not in (None, "factorized"):
        raise ValueError("--family: the mean-field policy is factorized (pi(a | s))")
    game = get_mean_field_game(args.game)
    beta = 0.1 if args.beta is None else args.beta
    schedule = None
    if args.anneal_from is not None:
        schedule = geometric_beta(args.anneal_from, beta, args.anneal_steps or args.steps // 2)
    result = solve(game, concept="mean-field", method=args.method, beta=beta, steps=args.steps,
                   beta_schedule=schedule,
                   mean_field_options={"damping": args.damping, "average": args.average,
                                       "target": args.target, "prior": args.prior,
                                       "optimistic": args.optimistic})
    if args.json:
        print(json.dumps({
            "game": game.name, "concept": "mean-field", "method": result.method,
            "beta": result.beta, "policy": result.policies[0].tolist(),
            "mean_field": result.joint.tolist(),  # type: ignore[union-attr]
            "exploitability": result.exploitability, "value": result.value,
            "exploitability_trace": [e["exploitability"] for e in result.trace or []],
            "iterations": result.iterations, "converged": result.converged,
            "seconds": result.seconds}))
        return 0
    print(game.describe())
    prior = "RelEnt iteration, uniform prior" if args.prior == "uniform" else (
        "optimistic mirror descent" if args.optimistic else "mirror descent, previous-policy prior")
    print(f"Algorithm 4 ({prior}) by {result.method}, final beta {result.beta:g}: "
          f"{result.iterations} iterations in {result.seconds:.3f} s")
    trace = [e["exploitability"] for e in result.trace or []]
    marks = sorted({0, len(trace) // 10, len(trace) // 2, len(trace) - 1})
    print("exploitability by iteration: " + ", ".join(f"{k + 1}: {trace[k]:.4g}" for k in marks))
    print(f"final exploitability {result.exploitability:.6g}, value {result.value:.6g}"
          f" ({'target reached' if result.converged else 'target not reached'})")
    return 0


def run(args: argparse.Namespace) -> int:
    """Run ``vsg solve``; returns the exit status."""
    if args.concept == "mean-field":
        return _solve_mean_field(args)
    if (args.damping, args.average, args.target, args.prior, args.optimistic) != (
            1.0, False, 0.0, "previous", False):
        raise ValueError("--damping/--average/--target/--prior/--optimistic: only with "
                         "--concept mean-field")
    if args.beta is None:
        args.beta = 1.0
    game = get_game(args.game)
    schedule = None
    if args.anneal_from is not None:
        schedule = geometric_beta(args.anneal_from, args.beta, args.anneal_steps or args.steps // 2)
    bar = None
    if not args.json:
        from tqdm import tqdm

        bar = tqdm(total=args.steps, desc=f"{args.method}", unit="step", leave=False)

    def tick(_step: int, _info: dict) -> None:
        if bar is not None:
            bar.update(1)

    options = None
    if args.concept == "correlated":
        if args.signal == "private" and args.signal_size != 4:
            raise ValueError("--signal-size: only for --signal public (private recommendations "
                             "have one signal per joint action)")
        options = {"signal": args.signal, "signal_size": args.signal_size,
                   "mediator_beta": args.mediator_beta, "margin": args.margin}
    elif (args.signal, args.signal_size, args.mediator_beta, args.margin) != (
            "private", 4, None, 2.0):
        raise ValueError("--signal/--signal-size/--mediator-beta/--margin: only with "
                         "--concept correlated")
    learned = None
    if args.learned_opponent is not None:
        from vsg_pyro.opponent.replay_model import ReplayOpponentModel

        if args.opponent_mode != "exact" or args.concept != "nash" or args.method != "svi":
            raise ValueError("--learned-opponent: with --concept nash, --method svi and the "
                             "default --opponent-mode only (it is the external opponent model)")
        learned = ReplayOpponentModel(game, method=args.learned_opponent,
                                      steps_per_round=args.play_steps, capacity=args.buffer,
                                      beta=args.beta, seed=args.seed)
    elif (args.play_steps, args.buffer) != (200, 2000):
        raise ValueError("--play-steps/--buffer: only with --learned-opponent")
    result = solve(game, concept=args.concept, family=args.family, method=args.method,
                   beta=args.beta, beta_schedule=schedule, steps=args.steps, seed=args.seed,
                   optimizer=args.optimizer, eta=args.eta, lr=args.lr,
                   opponent_mode="external" if learned else args.opponent_mode,
                   external_opponent_model=learned, init=args.init, tol=args.tol,
                   callback=tick, correlated_options=options)
    if bar is not None:
        bar.close()
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
    """Register ``vsg solve`` and its options on the subparsers ``sub``."""
    solve = sub.add_parser("solve", help="solve a game")
    solve.add_argument("game", help="built-in name, random spec, or .nfg/.json/.npz file")
    solve.add_argument("--concept", default="nash", choices=list(CONCEPTS),
                       help="nash (§5.1), mean-field (§5.2), correlated (§5.3, Fig. 3) or zero-sum (§5.4)")
    solve.add_argument("--family", default=None, choices=list(FAMILIES),
                       help="policy family (default: conditional for nash, factorized otherwise)")
    solve.add_argument("--method", default="svi", choices=list(METHODS),
                       help="svi: Pyro SVI per agent; exact: VPG with exact soft evaluation")
    solve.add_argument("--beta", type=float, default=None,
                       help="inverse temperature (> 0; default 1, mean-field 0.1)")
    solve.add_argument("--anneal-from", type=float, default=None,
                       help="anneal beta geometrically from this value to --beta")
    solve.add_argument("--anneal-steps", type=int, default=None,
                       help="steps of the annealing (default: half of --steps)")
    solve.add_argument("--optimizer", default="natural", choices=list(OPTIMIZERS))
    solve.add_argument("--eta", type=float, default=None,
                       help="NPG learning rate of eq. (4) (natural gradient / exact)")
    solve.add_argument("--lr", type=float, default=0.05, help="Adam learning rate")
    solve.add_argument("--opponent-mode", default="exact",
                       choices=[m for m in OPPONENT_MODES if m != "external"])
    solve.add_argument("--steps", type=int, default=2000, help="maximum steps")
    solve.add_argument("--tol", type=float, default=1e-8, help="stop when policies move less")
    solve.add_argument("--init", default=None, choices=["uniform", "random", "obedient"],
                       help="initial policies (default: uniform; obedient for correlated "
                            "equilibria with private signals, random with a public one)")
    solve.add_argument("--signal", default="private", choices=list(SIGNALS),
                       help="correlated: a mediator's private recommendations, or one public "
                            "signal (the paper's Fig. 3)")
    solve.add_argument("--signal-size", type=int, default=4, help="correlated: K of a public signal")
    solve.add_argument("--mediator-beta", type=float, default=None,
                       help="correlated: the signal distribution's inverse temperature")
    solve.add_argument("--margin", type=float, default=2.0,
                       help="correlated: obedience margin in nats (0: none)")
    solve.add_argument("--damping", type=float, default=1.0,
                       help="mean-field: weight of the new mean field per iteration")
    solve.add_argument("--average", action="store_true",
                       help="mean-field: report the average of the iterates")
    solve.add_argument("--target", type=float, default=0.0,
                       help="mean-field: stop at this exploitability")
    solve.add_argument("--prior", default="previous", choices=["previous", "uniform"],
                       help="mean-field: the previous policy (mirror descent) or uniform "
                            "(RelEnt iteration: entropy-regularised equilibrium)")
    solve.add_argument("--optimistic", action="store_true",
                       help="mean-field: optimistic mirror descent (2 Q^k - Q^(k-1))")
    solve.add_argument("--learned-opponent", default=None, choices=["counts", "reward"],
                       help="nash: learn opponent models from simulated play (replay buffer; "
                            "counts, or reward inference by eqs. 6-7 and eq. 5)")
    solve.add_argument("--play-steps", type=int, default=200,
                       help="--learned-opponent: transitions played per round")
    solve.add_argument("--buffer", type=int, default=2000,
                       help="--learned-opponent: replay buffer capacity")
    solve.add_argument("--seed", type=int, default=0)
    solve.add_argument("--json", action="store_true", help="print one JSON document")
    solve.set_defaults(func=run)
    return solve
