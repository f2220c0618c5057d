"""``vsg qre GAME --max-lambda L``: the principal branch of the logit QRE from lambda (beta) = 0
to L, by path following (:func:`vsg_pyro.equilibria.nash.branch.trace_branch`), printed as a
table (as ``gambit-logit`` does), one JSON document, CSV, or a PNG plot of the probabilities
against lambda."""

from __future__ import annotations

import argparse
import csv
import json
import sys

from vsg_pyro.cli.commands import command_help
from vsg_pyro.equilibria.nash.branch import METHODS, limit_equilibrium, trace_branch
from vsg_pyro.equilibria.nash.path import MAX_STEP
from vsg_pyro.games import get_game

__all__ = ["add_parser", "run"]


def _columns(game) -> list[str]:
    return [f"{game.agent_names[i]}:{a}" for i in range(game.n_agents)
            for a in game.action_names[i]]


def _limit(game, args: argparse.Namespace) -> int:
    """``vsg qre GAME --limit``: the branch's limit, the Nash equilibrium it selects."""
    if args.max_lambda is not None or args.csv or args.plot:
        raise ValueError("--limit: not with --max-lambda/--csv/--plot (it chooses how far to go)")
    kwargs = {} if args.max_step is None else {"max_step": args.max_step}
    point = limit_equilibrium(game, tol=args.tol, progress=not args.json, method=args.method,
                              **kwargs)
    names = None
    if point.pure is not None and game.is_normal_form:
        names = [game.action_names[i][a] for i, a in enumerate(point.pure)]
    elif point.pure is not None:  # per agent, one action per state (and stage)
        names = [[game.action_names[i][a] for a in rows] for i, rows in enumerate(point.pure)]
    doc = {"game": game.name, "method": args.method, "lambda": point.beta,
           "exploitability": point.exploitability,
           "policies": [p.tolist() for p in point.policies], "pure": names,
           "support_newton": point.support_newton}
    if args.json:
        print(json.dumps(doc))
        return 0
    print(game.describe())
    kind = f"the pure equilibrium {names}" if names else "a mixed equilibrium"
    how = " (Newton on the branch's support)" if point.support_newton else ""
    print(f"the branch reaches exploitability {point.exploitability:.2e} <= {args.tol:g} at "
          f"lambda {point.beta:g}{how}: it selects {kind}")
    for name, p in zip(game.agent_names, point.policies, strict=True):
        for row in p.reshape(-1, p.shape[-1]):
            print(f"  {name}: " + "  ".join(f"{x:.6f}" for x in row.tolist()))
    return 0


def run(args: argparse.Namespace) -> int:
    """Run ``vsg qre``; returns the exit status."""
    game = get_game(args.game)
    if sum(bool(x) for x in (args.json, args.csv)) > 1:
        raise ValueError("--json/--csv: choose one output format")
    if args.max_step is not None and not args.max_step > 0:
        raise ValueError(f"--max-step: must be > 0, got {args.max_step}")
    if args.limit:  # any tabular game: a stochastic game's limit is a Markov Nash equilibrium
        return _limit(game, args)
    if not game.is_normal_form:
        raise ValueError("vsg qre: the branch table/plot is for normal-form games (a stochastic "
                         "game: --limit, or vsg solve GAME --method path --beta B)")
    if args.max_lambda is None:
        raise ValueError("--max-lambda: required (or --limit)")
    branch = trace_branch(game, args.max_lambda,
                          max_step=MAX_STEP if args.max_step is None else args.max_step,
                          method=args.method)
    rows = [[float(b), *[float(x) for p in branch.policies for x in p[k]]]
            for k, b in enumerate(branch.betas)]
    names = _columns(game)
    if args.plot:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(7, 4))
        for c, name in enumerate(names):
            ax.plot([r[0] for r in rows], [r[1 + c] for r in rows], label=name)
        for _kind, beta in branch.events:
            ax.axvline(beta, color="grey", ls=":", lw=0.8)
        ax.set_xlabel("lambda (beta)")
        ax.set_ylabel("probability")
        ax.set_title(f"logit QRE principal branch: {game.name}")
        ax.legend(fontsize=7, ncol=2)
        fig.tight_layout()
        fig.savefig(args.plot, dpi=120)
        plt.close(fig)
    if args.json:
        print(json.dumps({"game": game.name, "columns": ["lambda", *names], "points": rows,
                          "max_residual": float(branch.residuals.max()),
                          "events": [{"kind": k, "lambda": b} for k, b in branch.events]}))
    elif args.csv:
        writer = csv.writer(sys.stdout)
        writer.writerow(["lambda", *names])
        writer.writerows(rows)
    else:
        print(game.describe())
        print(f"principal branch to lambda {args.max_lambda:g}: {len(rows)} points, largest "
              f"logit residual {float(branch.residuals.max()):.2e}")
        for kind, beta in branch.events:
            print(f"  {kind} at lambda {beta:.6g}")
        print("  ".join(["lambda", *names]))
        for r in rows:
            print("  ".join(f"{x:.6f}" for x in r))
    return 0


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``vsg qre`` and its options on the subparsers ``sub``."""
    qre = sub.add_parser("qre", help=command_help("qre"),
                            formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    qre.add_argument("game", help="built-in name, random spec, or .nfg/.json/.npz file")
    qre.add_argument("--max-lambda", type=float, default=None, help="follow the branch to here")
    qre.add_argument("--limit", action="store_true",
                     help="follow the branch until its exploitability is <= --tol and report "
                          "the Nash equilibrium it selects")
    qre.add_argument("--tol", type=float, default=1e-3, help="--limit: the exploitability")
    qre.add_argument("--max-step", type=float, default=None,
                     help=f"the largest arclength step (default {MAX_STEP:g}; --limit: 50)")
    qre.add_argument("--method", choices=list(METHODS), default="path",
                     help="path: the closed-form equations; svi-path: the agents' ELBOs on "
                          "their Pyro programs (the same branch, autograd's cost)")
    qre.add_argument("--json", action="store_true", help="one JSON document")
    qre.add_argument("--csv", action="store_true", help="CSV: lambda, then the probabilities")
    qre.add_argument("--plot", default=None, help="write a PNG plot of the branch here")
    qre.set_defaults(func=run)
    return qre
