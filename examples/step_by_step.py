"""Own the loop: drive a Nash SVI solver's ``init``/``step`` by hand (as OpenSpiel's examples
drive their solvers), printing the exact exploitability and the certificate every 50 steps.

    python examples/step_by_step.py [--game resource_commons] [--beta 2] [--steps 400]

The solver is :class:`vsg_pyro.equilibria.nash.svi.Solver`: every agent runs SVI on its Pyro
model (Figure 1) with a tabular guide; one natural-gradient step is eq. (4).  Its state is the
exact solver's ``VPGState``, so the same loop runs ``vsg_pyro.equilibria.nash.exact.Solver``.
"""

from __future__ import annotations

import argparse

import torch

from vsg_pyro.equilibria.nash import ExactOpponent, svi
from vsg_pyro.equilibria.nash.exact import executed_policies
from vsg_pyro.games import get_game
from vsg_pyro.metrics import exploitability


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--game", default="resource_commons")
    parser.add_argument("--beta", type=float, default=2.0)
    parser.add_argument("--alpha", type=float, default=0.5, help="eq. (4)'s step")
    parser.add_argument("--steps", type=int, default=400)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(1)
    game = get_game(args.game)
    solver = svi.Solver(game, family="factorized", init="random", opponent=ExactOpponent())
    state = solver.init(args.seed)
    print(f"{game.describe()}\nNash SVI by hand, beta {args.beta:g}, alpha {args.alpha:g}")
    print(f"{'step':>5} {'exploitability':>15} {'certificate':>12} {'change':>10}  ELBO per agent")
    for step in range(1, args.steps + 1):
        state, info = solver.step(state, args.beta, args.alpha)
        if step % 50 == 0 or step == 1:
            gap = exploitability(game, executed_policies(state)).exploitability
            cert = solver.certificate(state, args.beta)
            elbo = ", ".join(f"{e:.4f}" for e in info.elbo)
            print(f"{step:>5} {gap:>15.6g} {cert.value:>12.3g} {info.change:>10.3g}  [{elbo}]")
    cert = solver.certificate(state, args.beta)
    print(f"{cert.name}: {cert.value:.3g} ({'holds' if cert.holds else 'does not hold'} at "
          f"{cert.threshold:g})")


if __name__ == "__main__":
    main()
