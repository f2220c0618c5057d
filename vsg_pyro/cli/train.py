"""``vsg train CONFIG.yaml``: MAI (Algorithm 2) or a baseline on a continuous-action game
(:func:`vsg_pyro.continuous.yaml_runner.train_from_config`)."""

from __future__ import annotations

import argparse
import json

from vsg_pyro.cli.commands import command_help

__all__ = ["add_parser", "run"]


def run(args: argparse.Namespace) -> int:
    """Run ``vsg train``; returns the exit status."""
    from vsg_pyro.continuous.yaml_runner import train_from_config

    result, out = train_from_config(args.config, out=args.out, seed=args.seed,
                                    progress=not args.json)
    last = result.metrics[-1]
    doc = {"out": str(out), "episodes": len(result.metrics), "final_reward": last["reward"],
           "final_eval_reward": last["eval_reward"], "seconds": result.seconds}
    if args.json:
        print(json.dumps(doc))
    else:
        print(f"{len(result.metrics)} episodes in {result.seconds:.1f} s: final episode reward "
              f"{last['reward']:.3f}, reward of the modes {last['eval_reward']:.3f}; wrote {out}")
    return 0


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``vsg train`` and its options on the subparsers ``sub``."""
    train = sub.add_parser("train", help=command_help("train"),
                            formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    train.add_argument("config", help="YAML file (see vsg_pyro.continuous.yaml_runner)")
    train.add_argument("--out", default=None, help="output directory (overrides the file)")
    train.add_argument("--seed", type=int, default=None, help="overrides config.seed")
    train.add_argument("--json", action="store_true", help="print one JSON document")
    train.set_defaults(func=run)
    return train
