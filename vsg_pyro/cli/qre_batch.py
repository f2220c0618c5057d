"""``vsg qre-batch GAME [GAME ...] --lambda L``: the logit QRE at lambda L of many normal-form
games of one shape, by one batched continuation
(:func:`vsg_pyro.equilibria.nash.batch_path.qre_batch`), one line (or JSON object) per game
with its logit residual and whether it is certified."""

from __future__ import annotations

import argparse
import json

from vsg_pyro.cli.commands import command_help
from vsg_pyro.equilibria.nash.batch_path import qre_batch
from vsg_pyro.games import get_game

__all__ = ["add_parser", "run"]


def run(args: argparse.Namespace) -> int:
    """Run ``vsg qre-batch``; returns the exit status."""
    games = [get_game(name) for name in args.games]
    result = qre_batch(games, args.lam, tol=args.tol)
    rows = [{"game": g.name, "lambda": result.beta,
             "policies": [p[k].tolist() for p in result.policies],
             "logit_residual": float(result.residuals[k]),
             "converged": bool(result.converged[k]), "steps": int(result.steps[k]),
             "rescued": bool(result.rescued[k])} for k, g in enumerate(games)]
    if args.json:
        print(json.dumps({"lambda": result.beta, "games": rows}))
        return 0
    for row in rows:
        probs = "  ".join("[" + ", ".join(f"{x:.4f}" for x in p) + "]" for p in row["policies"])
        print(f"{row['game']}: {probs}  (logit residual {row['logit_residual']:.1e}"
              f"{'' if row['converged'] else ', NOT certified'})")
    print(f"{int(result.converged.sum())}/{len(games)} certified at lambda {result.beta:g}")
    return 0


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``vsg qre-batch`` and its options on the subparsers ``sub``."""
    batch = sub.add_parser("qre-batch", help=command_help("qre-batch"),
                            formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    batch.add_argument("games", nargs="+",
                       help="built-in names, random specs or .nfg/.json/.npz files")
    batch.add_argument("--lambda", dest="lam", type=float, required=True,
                       help="the inverse temperature")
    batch.add_argument("--tol", type=float, default=1e-6,
                       help="the certificate's threshold on the logit residual")
    batch.add_argument("--json", action="store_true", help="one JSON document")
    batch.set_defaults(func=run)
    return batch
