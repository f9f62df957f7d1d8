"""Void geometry on a flat reference interface: the initial gap a void opens between the Li and
the electrolyte surface, and the small-slope limits of the flat-reference model.

A void of :class:`~ssbx.meshes.spec.VoidSpec` is an initial gap ``g0(x) >= 0`` [m] on the plane
``y = 0`` (the flat-interface mesh of :mod:`ssbx.meshes.flat_cell` has no hole; the contact
model of :mod:`ssbx.physics.contact` measures gaps from that plane).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np

from ssbx.meshes.spec import VoidSpec


def on_axis(void: VoidSpec, axisymmetric: bool) -> bool:
    """Whether ``void`` is the void on the axis of an axisymmetric cell (centre 0); a void off
    the axis is a ring (its section a full planar profile)."""
    return axisymmetric and void.x_min < 0.0


def on_rim(void: VoidSpec, axisymmetric: bool, width: float) -> bool:
    """Whether ``void`` is centred on the outer radius ``width`` of an axisymmetric cell (half
    of it meshed): the contact inside it is a disk."""
    return axisymmetric and void.x_max > width


def void_gap(x: np.ndarray, void: VoidSpec, axisymmetric: bool = False) -> np.ndarray:
    """Initial gap [m] of one void at lateral positions x [m] (radius r in axisymmetry).

    ``ellipse``: ``h sqrt(1 - s^2)`` with ``s = (x - c) / (width/2)``; ``lens``: the circular
    cap through the rims and the bottom, radius ``R = (a^2 + h^2) / (2 h)`` (``a = width/2``),
    gap ``sqrt(R^2 - d^2) - (R - h)``; ``rounded_rectangle``:
    depth h with quarter-circle corners of radius ``corner_radius`` (clipped to the depth), i.e.
    a flat-bottomed void whose walls rise over the corner radius. In axisymmetry ``x`` is the
    radius and the void is centred on the axis (centre 0) or a ring around it.
    """
    a = 0.5 * void.width
    c = void.center
    d = np.abs(np.asarray(x, dtype=float) - c)
    h = void.height
    g = np.zeros_like(d)
    inside = d < a
    if void.shape == "ellipse":
        g[inside] = h * np.sqrt(1.0 - (d[inside] / a) ** 2)
    elif void.shape == "lens":
        R = lens_radius(void)
        g[inside] = np.sqrt(np.clip(R * R - d[inside] ** 2, 0.0, None)) - (R - h)
    else:
        rc = min(max(void.corner_radius, 0.0), h, a)
        flat = d <= a - rc
        g[inside & flat] = h
        edge = inside & ~flat
        if rc > 0.0:
            s = (d[edge] - (a - rc)) / rc  # 0 at the corner start, 1 at the void edge
            g[edge] = (h - rc) + rc * np.sqrt(np.clip(1.0 - s * s, 0.0, None))
    return g


def lens_radius(void: VoidSpec) -> float:
    """Radius [m] of the circular cap of a ``lens`` void: ``(a^2 + h^2) / (2 h)``."""
    a = 0.5 * void.width
    return (a * a + void.height**2) / (2.0 * void.height)


def _dense_outline(void: VoidSpec, axisymmetric: bool, samples: int) -> np.ndarray:
    """The Li-side void surface as a dense polyline (samples + 1 points) from the right rim
    ``(c + a, 0)`` to the left rim (planar, a ring) or the axis point ``(0, -h)`` (the void on
    the axis)."""
    a, h = 0.5 * void.width, void.height
    c = void.center
    half = 0.5 if on_axis(void, axisymmetric) else 1.0  # of the full rim-to-rim outline
    t = np.linspace(0.0, half, samples + 1)
    if void.shape == "ellipse":
        ang = np.pi * t
        return np.column_stack([c + a * np.cos(ang), -h * np.sin(ang)])
    if void.shape == "lens":
        R = lens_radius(void)
        phi0 = float(np.arcsin(min(a / R, 1.0)))
        phi = phi0 * (1.0 - 2.0 * t)
        return np.column_stack([c + R * np.sin(phi), (R - h) - R * np.cos(phi)])
    # rounded rectangle whose corner radius is the depth (no vertical wall): quarter circle,
    # flat bottom, quarter circle
    r = min(h, a)
    arc = 0.5 * np.pi * r
    flat = 2.0 * (a - r)
    s = t * (2.0 * arc + flat)
    pts = np.empty((t.size, 2))
    first = s <= arc
    ang = s[first] / r
    pts[first] = np.column_stack([c + a - r + r * np.cos(ang), -h + r - r * np.sin(ang)])
    mid = (s > arc) & (s <= arc + flat)
    pts[mid] = np.column_stack([c + a - r - (s[mid] - arc), np.full(mid.sum(), -h)])
    last = s > arc + flat
    ang = (s[last] - arc - flat) / r
    pts[last] = np.column_stack([c - a + r - r * np.sin(ang), -h + r - r * np.cos(ang)])
    return pts


def void_outline(void: VoidSpec, axisymmetric: bool, spacing: float) -> np.ndarray:
    """Points (k, 2) [m] of the Li-side surface of an explicit void, about ``spacing`` apart in
    arc length, from the right rim ``(c + a, 0)`` to the left rim ``(c - a, 0)`` (planar) or the
    axis point ``(0, -h)`` (axisymmetric); their x strictly decreases (no vertical wall), so
    each point faces its own point of the flat electrolyte surface straight above it.

    A ``rounded_rectangle`` must have ``corner_radius = height`` here (a slit with rounded
    ends): a vertical wall would put several surface points over one electrolyte point.
    """
    if void.shape == "rounded_rectangle" and void.corner_radius < void.height * (1.0 - 1e-9):
        raise ValueError(f"an explicit rounded_rectangle void needs corner_radius = height "
                         f"({void.height:g} m), got {void.corner_radius:g} m (a vertical wall)")
    dense = _dense_outline(void, axisymmetric, 20000)
    seg = np.linalg.norm(np.diff(dense, axis=0), axis=1)
    arc = np.concatenate([[0.0], np.cumsum(seg)])
    n = max(4, int(np.ceil(arc[-1] / spacing - 1e-9)))
    s = np.linspace(0.0, arc[-1], n + 1)
    pts = np.column_stack([np.interp(s, arc, dense[:, 0]), np.interp(s, arc, dense[:, 1])])
    pts[0] = dense[0]
    pts[-1] = dense[-1]
    pts[0, 1] = 0.0
    if on_axis(void, axisymmetric):
        pts[-1, 0] = 0.0
    else:
        pts[-1, 1] = 0.0
    if not np.all(np.diff(pts[:, 0]) < 0.0):
        raise ValueError("the void outline is not single-valued over the interface")
    return pts


def initial_gap(x: np.ndarray, voids: Sequence[VoidSpec], axisymmetric: bool = False) -> np.ndarray:
    """Initial gap [m] of all (non-overlapping) voids at positions x [m]: lateral positions
    (n,), or points (n, 2) of the plane z = 0 of a 3-D box, where every void is a pore of
    revolution about the vertical axis through (``center``, ``center_y``): its profile
    :func:`void_gap` at the distance from that axis."""
    x = np.asarray(x, dtype=float)
    if x.ndim == 2:
        g = np.zeros(x.shape[0])
        for void in voids:
            rho = np.hypot(x[:, 0] - void.center, x[:, 1] - void.center_y)
            g = np.maximum(g, void_gap(rho, dataclasses.replace(void, center=0.0)))
        return g
    g = np.zeros(x.shape, dtype=float)
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


__all__ = ["initial_gap", "lens_radius", "small_slope_check", "void_gap", "void_outline"]
