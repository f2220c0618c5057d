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
:mod:`.demo`, :mod:`.infer`, :mod:`.train`, :mod:`.diagnose`), each with ``add_parser(sub)``
and ``run(args)``, listed in :mod:`.commands`; this module holds the top parser and
:func:`main`, the console script ``vsg``.  Only the module of the command given is imported:
``vsg --help`` and ``vsg --version`` import neither torch nor Pyro.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Iterable, Sequence

from vsg_pyro import __version__
from vsg_pyro.cli.commands import COMMANDS

__all__ = ["main", "build_parser", "result_to_json", "COMMANDS"]


def build_parser(load: Iterable[str] | None = None) -> argparse.ArgumentParser:
    """The ``vsg`` parser.  Commands in ``load`` (default: all) get their full options (their
    modules are imported); the others are listed with their help only."""
    load = set(COMMANDS) if load is None else set(load)
    parser = argparse.ArgumentParser(prog="vsg", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, (module, help_) in COMMANDS.items():
        if name in load:
            importlib.import_module(module).add_parser(sub)
        else:
            sub.add_parser(name, help=help_, add_help=False)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``vsg`` on ``argv`` (default: the command line); returns the exit status (2 and a
    ``vsg: error: ...`` line on stderr for a bad input)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    chosen = [a for a in argv[:1] if a in COMMANDS]  # the command, when one is given
    args = build_parser(load=chosen).parse_args(argv)
    import torch

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


def __getattr__(name: str):
    if name == "result_to_json":  # the JSON form of a result, from the solve command
        from vsg_pyro.cli.solve import result_to_json

        return result_to_json
    raise AttributeError(f"module 'vsg_pyro.cli' has no attribute {name!r}")
