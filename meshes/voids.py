"""Void geometry on a flat reference interface: the initial gap a void opens between the Li and
the electrolyte surface, and the small-slope limits of the flat-reference model.

A void of :class:`~ssbx.meshes.spec.VoidSpec` is an initial gap ``g0(x) >= 0`` [m] on the plane
``y = 0`` (the flat-interface mesh of :mod:`ssbx.meshes.flat_cell` has no hole; the contact
model of :mod:`ssbx.physics.contact` measures gaps from that plane).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ssbx.meshes.spec import VoidSpec


def void_gap(x: np.ndarray, void: VoidSpec, axisymmetric: bool = False) -> np.ndarray:
    """Initial gap [m] of one void at lateral positions x [m] (radius r in axisymmetry).

    ``ellipse``: ``h sqrt(1 - s^2)`` with ``s = (x - c) / (width/2)``; ``rounded_rectangle``:
    depth h with quarter-circle corners of radius ``corner_radius`` (clipped to the depth), i.e.
    a flat-bottomed void whose walls rise over the corner radius. In axisymmetry the void is
    centred on the axis and ``x`` is the radius.
    """
    a = 0.5 * void.width
    c = 0.0 if axisymmetric else void.center
    d = np.abs(np.asarray(x, dtype=float) - c)
    h = void.height
    g = np.zeros_like(d)
    inside = d < a
    if void.shape == "ellipse":
        g[inside] = h * np.sqrt(1.0 - (d[inside] / a) ** 2)
    else:
        rc = min(max(void.corner_radius, 0.0), h, a)
        flat = d <= a - rc
        g[inside & flat] = h
        edge = inside & ~flat
        if rc > 0.0:
            s = (d[edge] - (a - rc)) / rc  # 0 at the corner start, 1 at the void edge
            g[edge] = (h - rc) + rc * np.sqrt(np.clip(1.0 - s * s, 0.0, None))
    return g


def initial_gap(x: np.ndarray, voids: Sequence[VoidSpec], axisymmetric: bool = False) -> np.ndarray:
    """Initial gap [m] of all (non-overlapping) voids at positions x [m]."""
    g = np.zeros(np.asarray(x).shape, dtype=float)
    for void in voids:
        g = np.maximum(g, void_gap(x, void, axisymmetric))
    return g


def small_slope_check(voids: Sequence[VoidSpec], h_li: float,
                      limit: float = 0.2) -> list[str]:
    """Violations of the small-slope assumption (depth <= ``limit`` x width and x Li thickness),
    one message per void; empty when it holds."""
    problems = []
    for k, v in enumerate(voids):
        if v.height > limit * v.width or v.height > limit * h_li:
            problems.append(
                f"void {k}: depth {v.height * 1e6:.3g} um against width {v.width * 1e6:.3g} um "
                f"and Li thickness {h_li * 1e6:.3g} um: the flat-reference contact model needs "
                f"depth <= {limit:g} x both")
    return problems


__all__ = ["initial_gap", "small_slope_check", "void_gap"]
