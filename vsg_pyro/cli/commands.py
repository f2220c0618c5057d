"""The ``vsg`` subcommands: name -> (module, one-line help), the single source of both.

Kept free of heavy imports, so that ``vsg --help`` and ``vsg --version`` list the commands
without importing torch or Pyro; a command's module (and its options) is imported only when
that command is given.
"""

from __future__ import annotations

import argparse
import sys

__all__ = ["COMMANDS", "command_help", "add_progress_flag", "show_progress"]

#: In the order ``vsg --help`` lists them.
COMMANDS: dict[str, tuple[str, str]] = {
    "solve": ("vsg_pyro.cli.solve", "solve a game"),
    "qre": ("vsg_pyro.cli.qre", "trace the logit QRE branch of a game, or follow it to a Nash "
                                "equilibrium (--limit)"),
    "qre-batch": ("vsg_pyro.cli.qre_batch", "the logit QRE at one lambda of many normal-form "
                                            "games of one shape, in one batched continuation"),
    "games": ("vsg_pyro.cli.games", "list built-in games"),
    "infer": ("vsg_pyro.cli.infer", "infer an opponent's reward from its simulated play "
                                    "(§5.1.2) into a run directory"),
    "train": ("vsg_pyro.cli.train", "train MAI or a baseline on a continuous-action game from a "
                                    "YAML config"),
    "diagnose": ("vsg_pyro.cli.diagnose", "ArviZ diagnostics of a run directory"),
    "demo": ("vsg_pyro.cli.demo", "quick demo on built-in games"),
}


def command_help(name: str) -> str:
    """The one-line help of command ``name``."""
    return COMMANDS[name][1]


def add_progress_flag(parser: argparse.ArgumentParser) -> None:
    """``--progress/--no-progress`` (default: a bar when stderr is a terminal and the output
    is not ``--json``)."""
    parser.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                        help="show a progress bar on stderr (default: when stderr is a "
                             "terminal and without --json)")


def show_progress(args: argparse.Namespace) -> bool:
    """Whether to show a progress bar (:func:`add_progress_flag`)."""
    given = getattr(args, "progress", None)
    if given is not None:
        return bool(given)
    return sys.stderr.isatty() and not getattr(args, "json", False)
