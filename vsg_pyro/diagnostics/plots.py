"""Diagnostic plots of ArviZ data as PNGs: trace, posterior densities, and posterior-predictive
action probabilities against the observed frequencies.

Where the two ArviZ APIs differ the code branches on
:data:`~vsg_pyro.diagnostics.arviz_io.ARVIZ_MAJOR`; the ``ARVIZ_MAJOR >= 1`` branches are small,
commented, and **untested here** (Python 3.11 resolves ArviZ 0.23).
"""

from __future__ import annotations

import math
import os
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path

import arviz as az
import numpy as np

from vsg_pyro.diagnostics.arviz_io import (
    ARVIZ_MAJOR,
    InferenceDataLike,
    coordinate_labels,
    get_group,
)
from vsg_pyro.diagnostics.summaries import DEFAULT_HDI_PROB

__all__ = ["MAX_PREDICTIVE_ROWS", "save_plots"]

#: At most this many rows (the first ones with observations) get a posterior-predictive panel.
MAX_PREDICTIVE_ROWS = 12


def save_plots(
    idata: InferenceDataLike,
    out_dir: str | os.PathLike[str],
    var_names: Sequence[str] | None = None,
) -> list[Path]:
    """Write diagnostic PNGs into ``out_dir`` (created if needed) and return their paths.

    * ``trace.png``: ArviZ trace plot of the posterior (``var_names`` or all variables).
    * ``posterior.png``: ArviZ posterior densities with 90% HDIs.
    * ``posterior_predictive.png``, only when the data has ``posterior_predictive/action_probs``
      shaped ``(chain, draw, row, action)`` and ``observed_data/action_frequencies`` shaped
      ``(row, action)``: one panel per row with observations (at most the first
      :data:`MAX_PREDICTIVE_ROWS`), showing each action's posterior-predictive median probability
      with its 90% equal-tailed interval against the observed frequency.  Rows "with observations"
      are those with a positive total in ``observed_data/action_counts`` (``(row, action)``) when
      present, otherwise those whose frequencies are finite and not all zero.

    Figures are closed after saving.  If ``matplotlib.pyplot`` has not been imported yet (and
    ``MPLBACKEND`` is unset) the non-interactive Agg backend is selected; a backend already in use
    is left alone, since switching would close the user's figures.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    plt = _pyplot()
    names = list(var_names) if var_names is not None else None
    written = [
        _save_arviz_plot(plt, idata, "trace", names, out_dir / "trace.png"),
        _save_arviz_plot(plt, idata, "posterior", names, out_dir / "posterior.png"),
    ]
    predictive = _save_predictive_plot(plt, idata, out_dir / "posterior_predictive.png")
    if predictive is not None:
        written.append(predictive)
    return written


def _pyplot():
    """``matplotlib.pyplot``, selecting Agg first if no backend can be in use yet."""
    if "matplotlib.pyplot" not in sys.modules and not os.environ.get("MPLBACKEND"):
        import matplotlib

        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save_arviz_plot(plt, idata: InferenceDataLike, kind: str, var_names: list[str] | None,
                     path: Path) -> Path:
    """ArviZ's trace (``kind="trace"``) or posterior plot saved to ``path``."""
    if get_group(idata, "posterior") is None:
        raise ValueError("save_plots: the data has no 'posterior' group")
    before = set(plt.get_fignums())
    try:
        if ARVIZ_MAJOR >= 1:
            # ArviZ 1.x (untested here): plot_trace became plot_trace_dist, plot_posterior
            # became plot_dist; both return a PlotCollection, which saves itself.
            if kind == "trace":
                collection = az.plot_trace_dist(idata, var_names=var_names, backend="matplotlib")
            else:
                collection = az.plot_dist(idata, var_names=var_names, ci_kind="hdi",
                                          ci_prob=DEFAULT_HDI_PROB, backend="matplotlib")
            collection.savefig(path)
        else:
            with warnings.catch_warnings():
                # ArviZ 0.x's matplotlib backend calls an API that matplotlib >= 3.11 deprecates;
                # nothing a caller can act on.
                warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"arviz\.")
                if kind == "trace":
                    axes = az.plot_trace(idata, var_names=var_names)
                else:
                    axes = az.plot_posterior(idata, var_names=var_names, hdi_prob=DEFAULT_HDI_PROB)
            figure = np.atleast_1d(axes).ravel()[0].figure
            figure.savefig(path, dpi=100)
    finally:
        for number in set(plt.get_fignums()) - before:
            plt.close(number)
    return path


def _save_predictive_plot(plt, idata: InferenceDataLike, path: Path) -> Path | None:
    """The posterior-predictive panels of :func:`save_plots`, or None without the data."""
    predictive = get_group(idata, "posterior_predictive")
    observed = get_group(idata, "observed_data")
    if predictive is None or observed is None:
        return None
    if "action_probs" not in predictive.data_vars or "action_frequencies" not in observed.data_vars:
        return None
    probs_da = predictive["action_probs"]
    probs = np.asarray(probs_da.values, dtype=float)
    frequencies = np.asarray(observed["action_frequencies"].values, dtype=float)
    if probs.ndim != 4 or frequencies.shape != probs.shape[2:]:
        raise ValueError(
            "save_plots: expected posterior_predictive/action_probs (chain, draw, row, action) and "
            f"observed_data/action_frequencies (row, action), got {probs.shape} and "
            f"{frequencies.shape}")
    counts = None
    if "action_counts" in observed.data_vars:
        counts = np.asarray(observed["action_counts"].values, dtype=float)
        if counts.shape != frequencies.shape:
            raise ValueError(f"save_plots: observed_data/action_counts has shape {counts.shape}, "
                             f"action_frequencies {frequencies.shape}")
        has_data = counts.sum(axis=-1) > 0
    else:
        has_data = np.isfinite(frequencies).all(axis=-1) & (np.nansum(frequencies, axis=-1) > 0)
    rows = np.flatnonzero(has_data)[:MAX_PREDICTIVE_ROWS]
    if rows.size == 0:
        return None

    row_dim, action_dim = probs_da.dims[2], probs_da.dims[3]
    row_labels = coordinate_labels(probs_da, row_dim, probs.shape[2])
    action_labels = coordinate_labels(probs_da, action_dim, probs.shape[3])
    draws = probs.reshape(-1, *probs.shape[2:])[:, rows]  # (chain * draw, len(rows), action)
    low, median, high = np.quantile(draws, [0.05, 0.5, 0.95], axis=0)

    n_cols = min(4, rows.size)
    n_rows = math.ceil(rows.size / n_cols)
    before = set(plt.get_fignums())
    try:
        size = (max(3.2 * n_cols, 6.0), 2.6 * n_rows + 0.4)
        figure, axes = plt.subplots(n_rows, n_cols, figsize=size, squeeze=False, sharey=True)
        x = np.arange(probs.shape[3])
        for panel, (ax, row) in enumerate(zip(axes.ravel(), rows, strict=False)):
            ax.errorbar(x, median[panel], yerr=[median[panel] - low[panel], high[panel] - median[panel]],
                        fmt="o", color="C0", capsize=3, label="predictive median, 90% interval")
            ax.scatter(x, frequencies[row], marker="x", s=50, color="C3", zorder=3,
                       label="observed frequency")
            title = f"{_dim_title(row_dim, 'row')} {row_labels[row]}"
            if counts is not None:
                title += f" (n={counts[row].sum():g})"
            ax.set_title(title, fontsize=9)
            ax.set_xticks(x, action_labels, fontsize=8)
            ax.set_ylim(-0.02, 1.02)
        for ax in axes.ravel()[rows.size:]:
            ax.set_visible(False)
        for ax in axes[:, 0]:
            ax.set_ylabel("probability")
        for ax in axes.ravel()[max(0, rows.size - n_cols):rows.size]:
            ax.set_xlabel(_dim_title(action_dim, "action"))
        axes[0, 0].legend(fontsize=7, loc="upper right")
        figure.suptitle("Posterior predictive action probabilities vs observed frequencies",
                        fontsize=10)
        figure.tight_layout()
        figure.savefig(path, dpi=100)
    finally:
        for number in set(plt.get_fignums()) - before:
            plt.close(number)
    return path


def _dim_title(dim: str, default: str) -> str:
    """``default`` for ArviZ's generated names (``action_probs_dim_2``), else the dimension's name."""
    return default if dim.startswith("action_probs_dim_") else dim
