"""Command-line interface ``vsg`` (the same operations as the Python API).

* ``vsg games``: list built-in games;
* ``vsg solve GAME``: solve a game (built-in name, random spec, ``.nfg``/``.json``/``.npz`` file);
* ``vsg qre GAME --max-lambda L``: the logit QRE's principal branch by path following;
* ``vsg qre-batch GAME [GAME ...] --lambda L``: the QRE of many games of one shape at once;
* ``vsg demo``: a quick tour on built-in games, checked against exact exploitability;
* ``vsg infer GAME --out RUN_DIR``: infer an opponent's reward from its simulated play (NUTS or
  SVI, :func:`vsg_pyro.opponent.experiment.infer_opponent_reward`) into a run directory;
* ``vsg train CONFIG.yaml``: MAI (Algorithm 2) or a baseline on a continuous-action game
  (:func:`vsg_pyro.continuous.yaml_runner.train_from_config`);
* ``vsg diagnose RUN_DIR``: ArviZ summary (R-hat, ESS), plots and truth coverage of a run
  (:func:`vsg_pyro.diagnostics.diagnose_run`).

One module per subcommand (:mod:`.games`, :mod:`.solve`, :mod:`.qre`, :mod:`.qre_batch`,
:mod:`.demo`, :mod:`.infer`,
:mod:`.train`, :mod:`.diagnose`), each with ``add_parser(sub)`` and ``run(args)``; this module
holds the top parser and :func:`main`, the console script ``vsg``.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

import torch

from vsg_pyro.cli import demo, diagnose, games, infer, qre, qre_batch, solve, train
from vsg_pyro.cli.solve import result_to_json

__all__ = ["main", "build_parser", "result_to_json"]

#: The subcommands, in the order ``vsg --help`` lists them.
SUBCOMMANDS = (solve, qre, qre_batch, games, infer, train, diagnose, demo)


def build_parser() -> argparse.ArgumentParser:
    """The ``vsg`` parser with every subcommand of :data:`SUBCOMMANDS`."""
    parser = argparse.ArgumentParser(prog="vsg", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for command in SUBCOMMANDS:
        command.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``vsg`` on ``argv`` (default: the command line); returns the exit status (2 and a
    ``vsg: error: ...`` line on stderr for a bad input)."""
    args = build_parser().parse_args(argv)
    torch.set_num_threads(1)  # tabular games are small: thread start-up costs more than it saves
    try:
        return int(args.func(args))
    except (ValueError, FileNotFoundError, RuntimeError) as err:
        print(f"vsg: error: {err}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # the reader went away (``vsg qre ... | head``): stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # no second error when Python flushes stdout
        return 1
