"""Temperature (beta) schedules: callables ``step -> beta`` for ``solve(..., beta_schedule=...)``."""

from __future__ import annotations

import math
from collections.abc import Callable

__all__ = ["constant_beta", "geometric_beta", "linear_beta"]


def _check(start: float, end: float, steps: int) -> None:
    if not (start > 0 and end > 0):
        raise ValueError(f"beta_schedule: start and end must be > 0, got {start}, {end}")
    if steps < 1:
        raise ValueError(f"beta_schedule: steps must be >= 1, got {steps}")


def constant_beta(beta: float) -> Callable[[int], float]:
    _check(beta, beta, 1)
    return lambda step: float(beta)


def geometric_beta(start: float, end: float, steps: int) -> Callable[[int], float]:
    """``beta_k = start * (end / start)^(min(k, steps) / steps)``: anneal over ``steps``, then
    hold at exactly ``end`` (not its floating-point reconstruction)."""
    _check(start, end, steps)
    ratio = math.log(end / start)
    return lambda step: float(end) if step >= steps else float(
        start * math.exp(ratio * step / steps))


def linear_beta(start: float, end: float, steps: int) -> Callable[[int], float]:
    """``beta_k = start + (end - start) min(k, steps) / steps``."""
    _check(start, end, steps)
    return lambda step: float(start + (end - start) * min(step, steps) / steps)
