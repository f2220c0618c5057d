"""The one converter to ArviZ data used by vsg-pyro, for ArviZ 0.2x and 1.x alike.

It also holds what every diagnostics module needs of the ArviZ data: the type
:data:`InferenceDataLike`, :func:`get_group` and :func:`coordinate_labels`.

ArviZ resolves to 0.23.x on Python 3.11 and to 1.x on 3.12+.  Their ``from_dict`` differ: 0.x
takes one keyword per group (``from_dict(posterior=..., observed_data=...)``) and returns an
``InferenceData``; 1.x takes a single ``{group: {variable: array}}`` mapping and returns a
``DataTree`` (and has no ``from_pyro``).  :func:`to_inference_data` takes the 1.x form and calls
whichever ArviZ is installed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import arviz as az
import numpy as np

__all__ = ["ARVIZ_MAJOR", "InferenceDataLike", "to_inference_data", "get_group", "coordinate_labels"]

ARVIZ_MAJOR = int(az.__version__.split(".")[0])
InferenceDataLike = Any
"""``arviz.InferenceData`` (ArviZ 0.x) or ``xarray.DataTree`` (ArviZ 1.x)."""

_SAMPLED = ("posterior", "posterior_predictive", "prior", "prior_predictive", "sample_stats",
            "log_likelihood")


def to_inference_data(
    groups: Mapping[str, Mapping[str, object]],
    coords: Mapping[str, object] | None = None,
    dims: Mapping[str, list[str]] | None = None,
) -> InferenceDataLike:
    """ArviZ data from ``{group: {variable: array}}``.

    Sampled groups (``posterior``, ``posterior_predictive``, ``prior``, ...) hold arrays shaped
    ``(chain, draw, *variable_shape)``; ``observed_data`` / ``constant_data`` hold plain arrays.
    Arrays may be numpy arrays or torch tensors.  Returns an ``InferenceData`` (ArviZ 0.x) or a
    ``DataTree`` (1.x); both work with ``az.summary``, ``az.rhat``, ``az.ess`` and the plots.
    """
    if not groups:
        raise ValueError("groups: need at least one group, e.g. {'posterior': {...}}")
    clean: dict[str, dict[str, np.ndarray]] = {}
    for group, variables in groups.items():
        clean[group] = {}
        for name, value in variables.items():
            array = np.asarray(value.detach().cpu().numpy() if hasattr(value, "detach") else value)
            if group in _SAMPLED and array.ndim < 2:
                raise ValueError(f"groups[{group!r}][{name!r}]: expected (chain, draw, ...), "
                                 f"got shape {array.shape}")
            clean[group][name] = array
    if ARVIZ_MAJOR >= 1:
        return az.from_dict(clean, coords=coords, dims=dims)
    return az.from_dict(**clean, coords=coords, dims=dims)


def get_group(idata: InferenceDataLike, name: str) -> Any:
    """The group ``name`` (a Dataset, or a DataTree node under ArviZ 1.x), or None if absent."""
    try:
        return idata[name]
    except KeyError:
        return None


def coordinate_labels(array: Any, dim: str, size: int) -> list[str]:
    """The labels of dimension ``dim`` (``size`` long) of a DataArray: its coordinate values as
    strings, or ``"0"``, ``"1"``, ... without coordinates."""
    if dim in array.coords:
        return [str(value) for value in np.asarray(array.coords[dim].values)]
    return [str(index) for index in range(size)]
