"""Posterior summaries and convergence checks of ArviZ data: R-hat, bulk and tail ESS, and
highest-density intervals (``az.summary``), for ArviZ 0.x and 1.x alike.

Where the two ArviZ APIs differ the code branches on
:data:`~vsg_pyro.diagnostics.arviz_io.ARVIZ_MAJOR`; the ``ARVIZ_MAJOR >= 1`` branches are small,
commented, and **untested here** (Python 3.11 resolves ArviZ 0.23).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import arviz as az
import pandas as pd

from vsg_pyro.diagnostics.arviz_io import ARVIZ_MAJOR, InferenceDataLike, get_group

__all__ = ["DEFAULT_HDI_PROB", "convergence_checks", "summarize"]

#: Probability mass of the highest-density intervals in summaries, plots and ``covered``.
DEFAULT_HDI_PROB = 0.9

_SUMMARY_COLUMNS = ("mean", "sd", "hdi_lower", "hdi_upper", "ess_bulk", "ess_tail", "r_hat")


def summarize(
    idata: InferenceDataLike,
    var_names: Sequence[str] | None = None,
    hdi_prob: float = DEFAULT_HDI_PROB,
) -> pd.DataFrame:
    """Posterior summary table from ``az.summary``, unrounded.

    One row per scalar element of each posterior variable, indexed like ``psi[0]``, ``psi[1]``
    (``m[0, 1]`` for two dimensions; coordinate names replace the integers where the data has
    coordinates).  Columns, in this order: ``mean``, ``sd``, ``hdi_lower``, ``hdi_upper`` (the
    ``hdi_prob`` highest-density interval; ArviZ 0.x calls them e.g. ``hdi_5%``/``hdi_95%``, 1.x
    ``hdi90_lb``/``hdi90_ub``: renamed here so callers need not know which), ``ess_bulk``,
    ``ess_tail``, ``r_hat``, then whatever else ArviZ adds (``mcse_mean``, ``mcse_sd``).
    ``r_hat`` is NaN with a single chain (ArviZ 0.x).  ``DataFrame.attrs["hdi_prob"]`` records
    ``hdi_prob``.
    """
    if not 0.0 < hdi_prob < 1.0:
        raise ValueError(f"hdi_prob: expected a probability in (0, 1), got {hdi_prob}")
    names = list(var_names) if var_names is not None else None
    if ARVIZ_MAJOR >= 1:
        # ArviZ 1.x (untested here): hdi_prob became ci_prob, and the default interval is an ETI.
        table = az.summary(idata, var_names=names, kind="all", ci_kind="hdi", ci_prob=hdi_prob,
                           round_to="none")
    else:
        table = az.summary(idata, var_names=names, kind="all", hdi_prob=hdi_prob, round_to="none")
    hdi_columns = [column for column in table.columns if str(column).startswith("hdi")]
    if len(hdi_columns) != 2:
        raise RuntimeError(f"az.summary: expected two HDI columns, got {list(table.columns)}")
    table = table.rename(columns={hdi_columns[0]: "hdi_lower", hdi_columns[1]: "hdi_upper"})
    missing = [column for column in _SUMMARY_COLUMNS if column not in table.columns]
    if missing:
        raise RuntimeError(f"az.summary: columns {missing} missing from {list(table.columns)}")
    rest = [column for column in table.columns if column not in _SUMMARY_COLUMNS]
    table = table[list(_SUMMARY_COLUMNS) + rest].astype(float)
    table.attrs["hdi_prob"] = float(hdi_prob)
    return table


def convergence_checks(
    idata: InferenceDataLike,
    var_names: Sequence[str] | None = None,
    *,
    summary: pd.DataFrame | None = None,
) -> dict[str, float | int | None]:
    """Worst-case convergence diagnostics over the posterior's scalar elements.

    Returns ``{"max_r_hat": float | None, "min_ess_bulk": float | None, "min_ess_tail":
    float | None, "n_chains": int, "n_draws": int}`` (draws per chain).  ``max_r_hat`` is
    ``None`` when there is a single chain (R-hat compares chains; ArviZ 0.x gives NaN there) or
    when ArviZ returns no finite R-hat; the ESS entries are ``None`` when no finite value exists.
    Pass ``summary`` (from :func:`summarize`) to reuse a table already computed.
    """
    if summary is None:
        summary = summarize(idata, var_names)
    n_chains, n_draws = _chain_draw_sizes(idata)
    max_r_hat = _finite_extreme(summary["r_hat"], max) if n_chains >= 2 else None
    return {
        "max_r_hat": max_r_hat,
        "min_ess_bulk": _finite_extreme(summary["ess_bulk"], min),
        "min_ess_tail": _finite_extreme(summary["ess_tail"], min),
        "n_chains": n_chains,
        "n_draws": n_draws,
    }


def _finite_extreme(values: pd.Series, pick) -> float | None:
    """``pick`` (``min``/``max``) of the finite ``values``, or None if there are none."""
    finite = [float(value) for value in values if math.isfinite(float(value))]
    return float(pick(finite)) if finite else None


def _chain_draw_sizes(idata: InferenceDataLike) -> tuple[int, int]:
    """``(chains, draws per chain)`` of the posterior."""
    posterior = get_group(idata, "posterior")
    if posterior is None:
        raise ValueError("the data has no 'posterior' group")
    sizes = posterior.sizes
    return int(sizes["chain"]), int(sizes["draw"])
