"""``vsg diagnose RUN_DIR``: ArviZ summary (R-hat, ESS), plots and truth coverage of a run
directory (:func:`vsg_pyro.diagnostics.diagnose_run`)."""

from __future__ import annotations

import argparse
import json

from vsg_pyro.cli.commands import command_help

__all__ = ["add_parser", "run"]


def run(args: argparse.Namespace) -> int:
    """Run ``vsg diagnose``; returns the exit status."""
    from vsg_pyro.diagnostics import diagnose_run, format_report, report_to_json

    report = diagnose_run(args.run_dir)
    print(json.dumps(report_to_json(report)) if args.json else format_report(report))
    return 0


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``vsg diagnose`` and its options on the subparsers ``sub``."""
    diagnose = sub.add_parser("diagnose", help=command_help("diagnose"),
                            formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    diagnose.add_argument("run_dir", help="directory with posterior.nc and run.json")
    diagnose.add_argument("--json", action="store_true", help="print one JSON document")
    diagnose.set_defaults(func=run)
    return diagnose
