"""``vsg infer GAME --out RUN_DIR``: infer an opponent's reward from its simulated play (NUTS or
SVI, §5.1.2, :func:`vsg_pyro.opponent.experiment.infer_opponent_reward`) into a run directory."""

from __future__ import annotations

import argparse
import json

from vsg_pyro.cli.commands import add_progress_flag, command_help, show_progress

__all__ = ["add_parser", "run"]


def run(args: argparse.Namespace) -> int:
    """Run ``vsg infer``; returns the exit status."""
    from vsg_pyro.opponent.experiment import infer_opponent_reward

    run = infer_opponent_reward(args.game, opponent=args.opponent, observations=args.observations,
                                method=args.method, beta=args.beta, others=args.others,
                                chains=args.chains, samples=args.samples, warmup=args.warmup,
                                svi_steps=args.svi_steps, seed=args.seed, out_dir=args.out,
                                progress=show_progress(args))
    mean = run.posterior.psi.mean((0, 1))
    if args.json:
        print(json.dumps({"out": str(run.out_dir), "psi_mean": mean.tolist(), **run.run}))
        return 0
    print(f"{run.run['game']}: {run.run['modeller']} inferred the reward of agent "
          f"{args.opponent} from {args.observations} observed steps by {args.method} in "
          f"{run.posterior.seconds:.1f} s")
    print("posterior mean psi: " + ", ".join(f"{x:.3f}" for x in mean.tolist()))
    if "truth" in run.run:
        print("true psi:           " + ", ".join(f"{x:.3f}" for x in run.run["truth"]["psi"]))
    print(f"wrote {run.out_dir} (run `vsg diagnose {run.out_dir}`)")
    return 0


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``vsg infer`` and its options on the subparsers ``sub``."""
    infer = sub.add_parser("infer", help=command_help("infer"),
                            formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    infer.add_argument("game", help="built-in name, random spec, or game file")
    infer.add_argument("--out", required=True, help="run directory to write")
    infer.add_argument("--opponent", type=int, default=1, help="index of the modelled agent")
    infer.add_argument("--observations", type=int, default=2000, help="observed steps of play")
    infer.add_argument("--method", default="nuts", choices=["nuts", "svi"],
                       help="NUTS (Pyro's MCMC) or SVI with an AutoGuide")
    infer.add_argument("--beta", type=float, default=1.0, help="the opponent's inverse temperature")
    infer.add_argument("--others", default="equilibrium", choices=["equilibrium", "uniform"],
                       help="what the other agents play")
    infer.add_argument("--chains", type=int, default=4, help="chains (SVI: groups of draws)")
    infer.add_argument("--samples", type=int, default=500, help="draws per chain")
    infer.add_argument("--warmup", type=int, default=300, help="NUTS warm-up steps per chain")
    infer.add_argument("--svi-steps", type=int, default=1500, help="SVI steps (--method svi)")
    infer.add_argument("--seed", type=int, default=0, help="seed of the play and the inference")
    infer.add_argument("--json", action="store_true", help="print one JSON document")
    add_progress_flag(infer)
    infer.set_defaults(func=run)
    return infer
