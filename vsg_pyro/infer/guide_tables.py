"""Read a guide's policy and opponent model as exact tables, for any guide with the Nash sites.

A guide is run once under ``poutine.enum`` (every opponent site enumerated in parallel) and its
trace is read: each opponent site's ``Categorical`` gives ``p_j(a_j | s)`` ``(M, A_j)``; the action
site's ``Categorical``, batched over the enumerated opponent values, gives the policy table
``pi_i(a_i | s, a_-i)`` ``(M, A_1, ..., A_N)`` (a factorized guide gives a table constant along the
opponent axes).  This is how the decentralized driver shares *executed* policies without reading
another agent's parameters, and how a user's own guide plugs in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import pyro.distributions as dist
import torch
from pyro import poutine
from pyro.infer import config_enumerate

from vsg_pyro.models.nash import NashInputs, action_site, opponent_site

__all__ = ["GuideTables", "guide_tables"]


class GuideTables(NamedTuple):
    """``policy``: ``(M, *J)``; ``opponent_marginals``: per opponent ``(M, A_j)``."""

    policy: torch.Tensor
    opponent_marginals: tuple[torch.Tensor, ...]


def _categorical_probs(site: dict, site_name: str) -> torch.Tensor:
    fn = site["fn"]
    while isinstance(fn, dist.MaskedDistribution | dist.Independent):
        fn = fn.base_dist
    if not isinstance(fn, dist.Categorical):
        raise ValueError(f"guide: site {site_name!r} must be a Categorical, got {type(fn).__name__}")
    return fn.probs


def guide_tables(guide: Callable[[NashInputs], object], inputs: NashInputs) -> GuideTables:
    """Exact tables of ``guide`` at ``inputs`` (detached)."""
    name, m = inputs.name, inputs.rows
    enumerated = poutine.enum(config_enumerate(guide, "parallel"), first_available_dim=-2)
    with torch.no_grad():
        trace = poutine.trace(enumerated).get_trace(inputs)
    marginals, enum_dims = [], {}
    for j in inputs.others:
        site_name = opponent_site(name, inputs.agent_names[j])
        if site_name not in trace.nodes:
            raise ValueError(f"guide: missing opponent site {site_name!r}")
        probs = _categorical_probs(trace.nodes[site_name], site_name)
        if probs.shape[:-2].numel() > 1:
            raise ValueError(
                f"guide: the opponent model at {site_name!r} must be a product of per-opponent "
                "distributions (it may not depend on other sampled actions)"
            )
        marginals.append(probs.reshape(-1, probs.shape[-1]).expand(m, -1).clone())
        value = trace.nodes[site_name]["value"]  # (A_j, 1, ..., 1): A_j at batch dim d < -1
        enum_dims[j] = -value.dim()
    own_name = action_site(name)
    if own_name not in trace.nodes:
        raise ValueError(f"guide: missing action site {own_name!r}")
    probs = _categorical_probs(trace.nodes[own_name], own_name)  # (*E, M, A_i)
    k = max((-d for d in enum_dims.values()), default=1) - 1  # number of enumeration dims
    if probs.dim() - 2 > k:
        raise ValueError("guide: the action site depends on sampled variables other than the "
                         "opponents' actions")
    probs = probs.reshape((1,) * (k + 2 - probs.dim()) + probs.shape)
    shape = list(probs.shape)
    shape[k] = m
    for j, d in enum_dims.items():
        shape[k + 1 + d] = inputs.action_counts[j]
    full = probs.expand(shape)
    order = [k] + [k + 1 if j == inputs.agent else k + 1 + enum_dims[j]
                   for j in range(len(inputs.agent_names))]
    return GuideTables(full.permute(order).clone(), tuple(marginals))
