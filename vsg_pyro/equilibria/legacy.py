"""The keyword arguments :func:`vsg_pyro.solve` took before issue 12, translated (with a
``DeprecationWarning``) for one release: ``correlated_options`` / ``mean_field_options`` (now
plain keywords of their concepts), ``opponent_mode`` / ``external_opponent_model`` (now
``opponent=`` objects) and ``elbo="enumerated" | "trace_enum"`` (now ``loss=`` instances)."""

from __future__ import annotations

import warnings
from typing import Any

from pyro.infer import TraceEnum_ELBO

from vsg_pyro.equilibria.nash.opponents import ExactOpponent, ExternalOpponent, OptimisticOpponent
from vsg_pyro.infer.elbo import EnumeratedGuideELBO

__all__ = ["translate_legacy_options", "OPPONENT_MODES", "ELBOS"]

OPPONENT_MODES: tuple[str, ...] = ("exact", "optimistic", "external")
ELBOS = {"enumerated": EnumeratedGuideELBO,
         "trace_enum": lambda: TraceEnum_ELBO(max_plate_nesting=1)}


def _warn(old: str, new: str, stacklevel: int = 4) -> None:
    """Warn at the user's call of ``solve`` (user -> solve -> translate -> _warn -> warn)."""
    warnings.warn(f"solve({old}) is deprecated; use {new} (the old form goes in the next "
                  "release)", DeprecationWarning, stacklevel=stacklevel)


def _merge(options: dict[str, Any], key: str) -> None:
    extra = options.pop(key)
    if extra is None:
        return
    _warn(f"{key}={{...}}", "its keys as plain keyword arguments", stacklevel=5)
    clash = sorted(set(extra) & set(options))
    if clash:
        raise ValueError(f"{key}: {clash} also given as keyword arguments")
    options.update(extra)


def translate_legacy_options(concept: str, options: dict[str, Any]) -> dict[str, Any]:
    """``options`` with the old keywords replaced by the new ones (module docstring)."""
    options = dict(options)
    for key, owner in (("correlated_options", "correlated"), ("mean_field_options", "mean-field")):
        if key in options:
            if concept != owner and options[key]:
                raise ValueError(f"{key}: only for concept={owner!r}")
            _merge(options, key)
    if "opponent_mode" in options or "external_opponent_model" in options:
        mode = options.pop("opponent_mode", "exact")
        model = options.pop("external_opponent_model", None)
        if concept != "nash":
            if mode != "exact" or model is not None:
                raise ValueError(f"opponent_mode: {concept!r} sets its own opponent model; "
                                 f"got {mode!r}")
        else:
            if mode not in OPPONENT_MODES:
                raise ValueError(f"opponent_mode: must be one of {OPPONENT_MODES}, got {mode!r}")
            if mode == "external" and model is None:
                raise ValueError("external_opponent_model: required when opponent_mode='external'")
            if model is not None and mode != "external":
                raise ValueError("external_opponent_model: only with opponent_mode='external'")
            _warn(f"opponent_mode={mode!r}", "opponent=ExactOpponent() / OptimisticOpponent() / "
                  "ExternalOpponent(fn) from vsg_pyro.equilibria.nash")
            if "opponent" in options:
                raise ValueError("opponent_mode: give either opponent= or opponent_mode=")
            options["opponent"] = {"exact": ExactOpponent, "optimistic": OptimisticOpponent}.get(
                mode, lambda: ExternalOpponent(model))()  # type: ignore[arg-type]
    if "elbo" in options:
        name = options.pop("elbo")
        if name not in ELBOS:
            raise ValueError(f"elbo: must be one of {tuple(ELBOS)}, got {name!r}")
        _warn(f"elbo={name!r}", "loss=EnumeratedGuideELBO() or loss=TraceEnum_ELBO(...)")
        if concept in ("nash", "zero-sum"):
            if "loss" in options:
                raise ValueError("elbo: give either loss= or elbo=")
            options["loss"] = ELBOS[name]()
        elif name != "enumerated":
            raise ValueError(f"elbo: {concept!r} runs the enumerated ELBO only")
    return options
