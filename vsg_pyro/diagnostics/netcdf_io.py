"""netCDF I/O of ArviZ data (engine h5netcdf), for ArviZ 0.x and 1.x alike.

Where the two ArviZ APIs differ the code branches on
:data:`~vsg_pyro.diagnostics.arviz_io.ARVIZ_MAJOR`; the ``ARVIZ_MAJOR >= 1`` branches are small,
commented, and **untested here** (Python 3.11 resolves ArviZ 0.23).
"""

from __future__ import annotations

import os
from pathlib import Path

import arviz as az

from vsg_pyro.diagnostics.arviz_io import ARVIZ_MAJOR, InferenceDataLike

__all__ = ["load_inference_data", "save_inference_data"]

_ENGINE = "h5netcdf"  # netCDF4 is not a dependency; h5netcdf is (through ArviZ)


def save_inference_data(idata: InferenceDataLike, path: str | os.PathLike[str]) -> Path:
    """Write ArviZ data to a netCDF file (engine h5netcdf) and return its path.

    All groups are written with their variables' full shapes, e.g. ``posterior/psi`` shaped
    ``(chain, draw, *psi_shape)`` and ``observed_data/action_frequencies`` shaped ``(row, action)``.
    An existing file at ``path`` is replaced; missing parent directories are created.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if ARVIZ_MAJOR >= 1:
        # ArviZ 1.x (untested here): the data is an xarray.DataTree, which writes itself.
        idata.to_netcdf(path, engine=_ENGINE)
    else:
        idata.to_netcdf(str(path), engine=_ENGINE)
    return path


def load_inference_data(path: str | os.PathLike[str]) -> InferenceDataLike:
    """Read ArviZ data written by :func:`save_inference_data`, eagerly.

    Every group is loaded into memory and the file is closed before returning, so the same path
    can be overwritten afterwards.  Returns an ``InferenceData`` (ArviZ 0.x) or a ``DataTree``
    (1.x) with the groups and shapes that were saved.  Raises ``FileNotFoundError`` for a
    missing file.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such netCDF file")
    if ARVIZ_MAJOR >= 1:
        # ArviZ 1.x (untested here): its data is a plain xarray.DataTree, so read it with xarray;
        # load_datatree (xarray >= 2025.1) opens, loads into memory and closes.
        import xarray as xr

        if hasattr(xr, "load_datatree"):
            return xr.load_datatree(path, engine=_ENGINE)
        with xr.open_datatree(path, engine=_ENGINE) as tree:
            return tree.load().copy()
    # ArviZ 0.x opens lazily unless rcParams["data.load"] is "eager"; eager loads each group
    # inside a `with` block, which closes the file.
    with az.rc_context(rc={"data.load": "eager"}):
        return az.from_netcdf(str(path), engine=_ENGINE)
