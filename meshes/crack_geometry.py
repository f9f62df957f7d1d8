"""Geometry of cracks in the electrolyte (numpy only, no Gmsh or dolfinx): the crack
specification, its tips, path and arc-length coordinate, mesh sizes and validation.

The meshes are built by :mod:`ssbx.meshes.cracks` (Gmsh); this module is what a case
validation needs before any mesh is built. Coordinates and kinds: see
:mod:`ssbx.meshes.cracks`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

CrackKind = Literal["edge", "internal", "penny"]
CRACK_KINDS: tuple[str, ...] = ("edge", "internal", "penny")

@dataclass(frozen=True)
class CrackSpec:
    """A crack in the electrolyte and the electrolyte around it (metres, radians).

    kind: ``"edge"``, ``"internal"`` or ``"penny"`` (see the module docstring).
    length: edge: depth c; internal: half-length a; penny: radius a [m].
    width, height: electrolyte width (planar, centred on ``x = 0``) or radius (axisymmetric),
        and thickness [m].
    inclination: edge: angle of the crack from the interface normal; internal: angle from the
        interface plane [rad] (planar only).
    position: edge: x of the mouth; internal: x of the centre [m].
    depth: internal: y of the centre [m] (default ``height / 2``).
    fill: Li-filled extent along the crack: edge: from the mouth; internal: half-length about
        the centre; penny: radius [m]. ``None``: the whole crack (with its extensions).
    path_ahead: further crack vertices (x, y) [m] beyond the tip of the straight crack (a
        kinked or grown crack, planar only): the crack is the polyline through them.
    path_behind: the same beyond the other tip of an internal crack.
    voids: x-intervals ``(x_min, x_max)`` [m] of the interface ``y = 0`` over interfacial voids
        (no Li contact: no stack pressure, no current; planar, or a ring crack: r-intervals).
        An edge crack's mouth may lie at a void's end, not inside it (the Li must reach the
        crack).
    ring: an edge crack in an axisymmetric model (x = r, y = z): a circumferential (ring)
        crack from the interface at radius ``position`` into the electrolyte cylinder of
        radius ``width`` (inclined: a conical crack). The penny crack is axisymmetric whatever
        this flag says.

    The crack coordinate ``s`` is the arc length along the polyline from :attr:`origin`
    (negative towards the other tip of an internal crack).
    """

    kind: CrackKind
    length: float
    width: float
    height: float
    inclination: float = 0.0
    position: float = 0.0
    depth: float | None = None
    fill: float | None = None
    path_ahead: tuple[tuple[float, float], ...] = ()
    path_behind: tuple[tuple[float, float], ...] = ()
    voids: tuple[tuple[float, float], ...] = ()
    ring: bool = False

    @property
    def axisymmetric(self) -> bool:
        """Whether the model is axisymmetric (x = r, y = z): the penny crack and a ring
        (axisymmetric edge) crack."""
        return self.kind == "penny" or (self.ring and self.kind == "edge")

    @property
    def x_range(self) -> tuple[float, float]:
        """The electrolyte's extent along x [m]: ``(-width/2, width/2)`` (planar) or
        ``(0, width)`` (axisymmetric, x = r)."""
        return (0.0, self.width) if self.axisymmetric else (-0.5 * self.width, 0.5 * self.width)

    @property
    def filled_length(self) -> float:
        """The Li-filled extent (``fill`` or the whole crack with its extensions) [m]."""
        if self.fill is not None:
            return self.fill
        ahead, behind = self.extents()
        return max(ahead, behind)

    def polyline(self) -> np.ndarray:
        """The crack's vertices from its s-minimal end to its s-maximal end, shape (n, 2)."""
        start, end = self.endpoints()
        behind = [np.asarray(p, dtype=float) for p in reversed(self.path_behind)]
        ahead = [np.asarray(p, dtype=float) for p in self.path_ahead]
        return np.array([*behind, start, end, *ahead])

    def _arc(self) -> tuple[np.ndarray, float]:
        """Cumulative arc length at each polyline vertex, and the value at the origin."""
        vertices = self.polyline()
        cumulative = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(vertices, axis=0),
                                                                     axis=1))])
        behind = cumulative[len(self.path_behind)]
        at_origin = behind + (self.length if self.kind == "internal" else 0.0)
        return cumulative, at_origin

    def extents(self) -> tuple[float, float]:
        """Arc lengths from the origin to the s-maximal tip and to the s-minimal end [m]."""
        cumulative, at_origin = self._arc()
        return float(cumulative[-1] - at_origin), float(at_origin)

    def _nearest_segments(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For each of ``points`` (n, 2): the index of the nearest polyline segment and the
        parameter ``t`` in [0, 1] of the nearest point on it (the first segment on ties)."""
        points = np.atleast_2d(np.asarray(points, dtype=float))[:, :2]
        vertices = self.polyline()
        best = np.full(len(points), np.inf)
        segment = np.zeros(len(points), dtype=int)
        param = np.zeros(len(points))
        for k in range(len(vertices) - 1):
            a, b = vertices[k], vertices[k + 1]
            seg = b - a
            t = np.clip((points - a) @ seg / (seg @ seg), 0.0, 1.0)
            dist = np.linalg.norm(points - (a + t[:, None] * seg), axis=1)
            closer = dist < best
            best[closer] = dist[closer]
            segment[closer] = k
            param[closer] = t[closer]
        return segment, param

    def arc_positions(self, points: np.ndarray) -> np.ndarray:
        """The crack coordinate s [m] of ``points`` (n, 2): arc length of their nearest point
        on the polyline, from the origin."""
        segment, t = self._nearest_segments(points)
        vertices = self.polyline()
        cumulative, at_origin = self._arc()
        lengths = np.linalg.norm(np.diff(vertices, axis=0), axis=1)
        return cumulative[segment] + t * lengths[segment] - at_origin

    def point_at(self, s: float) -> np.ndarray:
        """The point of the polyline at crack coordinate ``s`` [m]."""
        vertices = self.polyline()
        cumulative, at_origin = self._arc()
        target = min(max(s + at_origin, 0.0), cumulative[-1])
        k = int(np.clip(np.searchsorted(cumulative, target) - 1, 0, len(vertices) - 2))
        frac = (target - cumulative[k]) / (cumulative[k + 1] - cumulative[k])
        return vertices[k] + frac * (vertices[k + 1] - vertices[k])

    def segment_normal(self, points: np.ndarray) -> np.ndarray:
        """The unit normal (the tangent turned by +90 degrees) of the polyline segment nearest
        to each of ``points``, shape (n, 2)."""
        segment, _ = self._nearest_segments(points)
        tangents = np.diff(self.polyline(), axis=0)
        tangents /= np.linalg.norm(tangents, axis=1)[:, None]
        return np.column_stack([-tangents[segment, 1], tangents[segment, 0]])

    def tip_segment_lengths(self) -> list[float]:
        """Length of the straight segment ending at each tip (same order as :meth:`tips`)."""
        vertices = self.polyline()
        out = [float(np.linalg.norm(vertices[-1] - vertices[-2]))]
        if self.kind == "internal":
            out.append(float(np.linalg.norm(vertices[1] - vertices[0])))
        return out

    @property
    def centre_depth(self) -> float:
        """Y of an internal crack's centre [m]."""
        return 0.5 * self.height if self.depth is None else self.depth

    @property
    def origin(self) -> np.ndarray:
        """Where ``s = 0``: the mouth (edge), the centre (internal), the axis (penny) [m]."""
        if self.kind == "edge":
            return np.array([self.position, 0.0])
        if self.kind == "internal":
            return np.array([self.position, self.centre_depth])
        return np.zeros(2)

    @property
    def direction(self) -> np.ndarray:
        """Unit vector along the crack, towards increasing ``s``."""
        if self.kind == "edge":
            return np.array([math.sin(self.inclination), math.cos(self.inclination)])
        if self.kind == "internal":
            return np.array([math.cos(self.inclination), math.sin(self.inclination)])
        return np.array([1.0, 0.0])

    def tips(self) -> list[CrackTip]:
        """The crack tips (the s-maximal one first), each with the unit vector pointing ahead
        of it (along its last segment)."""
        vertices = self.polyline()

        def tip(end: np.ndarray, before: np.ndarray) -> CrackTip:
            ahead = (end - before) / np.linalg.norm(end - before)
            return CrackTip((float(end[0]), float(end[1])), (float(ahead[0]), float(ahead[1])))

        tips = [tip(vertices[-1], vertices[-2])]
        if self.kind == "internal":
            tips.append(tip(vertices[0], vertices[1]))
        return tips

    def endpoints(self) -> tuple[np.ndarray, np.ndarray]:
        """The two ends of the crack curve (s minimal, s maximal) [m]."""
        o, t = self.origin, self.direction
        start = o - self.length * t if self.kind == "internal" else o
        return start, o + self.length * t


@dataclass(frozen=True)
class CrackTip:
    """A crack tip: position [m] and the unit vector ``ahead`` (the direction of growth)."""

    position: tuple[float, float]
    ahead: tuple[float, float]

    @property
    def normal(self) -> tuple[float, float]:
        """The unit normal to the crack at the tip: ``ahead`` turned by +90 degrees."""
        return (-self.ahead[1], self.ahead[0])


@dataclass(frozen=True)
class CrackMeshSizes:
    """Element sizes [m]: ``tip`` within ``tip_zone`` of a tip, then growing by ``growth``
    times the distance (a geometric grading) up to ``far``; ``face`` along the crack faces,
    growing the same way away from them."""

    tip: float
    face: float
    far: float
    tip_zone: float
    growth: float = 0.25


def default_sizes(spec: CrackSpec, *, refinement: float = 1.0) -> CrackMeshSizes:
    """Sizes scaled on the crack length: tip ``length/60`` within ``length/10`` of a tip, faces
    ``length/15``, far ``max(width, height)/12``, growth 0.25; each divided by
    ``refinement``."""
    a = spec.length
    return CrackMeshSizes(tip=a / 60.0 / refinement, face=a / 15.0 / refinement,
                          far=max(spec.width, spec.height) / 12.0 / refinement,
                          tip_zone=0.1 * a, growth=0.25 / refinement)


def validate_crack(spec: CrackSpec) -> None:
    """Raise ``ValueError`` listing every problem of a crack the builder cannot mesh."""
    errors: list[str] = []
    if spec.kind not in CRACK_KINDS:
        errors.append(f"kind must be one of {CRACK_KINDS}, got {spec.kind!r}")
    for name in ("length", "width", "height"):
        if not getattr(spec, name) > 0.0:
            errors.append(f"{name} must be > 0, got {getattr(spec, name)!r}")
    if errors:
        raise ValueError("invalid crack: " + "; ".join(errors))
    fill = spec.filled_length
    reach = max(spec.extents())
    if not 0.0 < fill <= reach * (1 + 1e-12):
        errors.append(f"fill must be in (0, {reach:g}] (the crack's extent), got {fill:g}")
    if spec.ring and spec.kind != "edge":
        errors.append(f"ring = True needs an edge crack (a ring crack from the interface), got "
                      f"kind {spec.kind!r}")
    x_lo, x_hi = spec.x_range
    slack = 1e-9 * spec.width
    previous = None
    for k, (a, b) in enumerate(sorted(spec.voids)):
        if spec.kind == "penny":
            errors.append("voids need an edge or internal crack (interface intervals)")
            break
        apart = previous is None or a > previous
        if not (apart and x_lo - slack <= a < b <= x_hi + slack):
            where = "[0, width] (r)" if spec.axisymmetric else "[-width/2, width/2]"
            errors.append(f"void {k} ({a:g}, {b:g}) m must lie within {where} "
                          "with x_min < x_max, apart from the other voids")
        previous = b
        if spec.kind == "edge" and a + 1e-9 * spec.width < spec.position < b - 1e-9 * spec.width:
            errors.append(f"the mouth x = {spec.position:g} m lies inside void {k}: the Li "
                          "could not reach the crack (put it at the void's end or on contact)")
    if spec.ring and spec.kind == "edge" and spec.path_ahead:
        errors.append("a ring crack has no path_ahead (growth of ring cracks is not modelled)")
    if spec.kind == "penny":
        if spec.inclination != 0.0 or spec.path_ahead or spec.path_behind:
            errors.append("a penny crack lies in the plane z = 0: inclination must be 0 and it "
                          "has no path")
        if not spec.length < 0.9 * min(spec.width, spec.height):
            errors.append("a penny crack needs radius < 0.9 min(width, height)")
    else:
        if abs(spec.inclination) >= 0.45 * math.pi:
            errors.append(f"|inclination| must be < 81 degrees, got "
                          f"{math.degrees(spec.inclination):g}")
        margin = 0.05 * min(spec.width, spec.height)
        # a ring crack keeps a crack length (at most the margin) off the axis
        axis_margin = min(margin, spec.length) if spec.axisymmetric else margin
        if spec.kind == "edge" and spec.path_behind:
            errors.append("an edge crack grows from its tip only: path_behind must be empty")
        vertices = spec.polyline()
        lengths = np.linalg.norm(np.diff(vertices, axis=0), axis=1)
        if np.any(lengths < 1e-3 * spec.length):
            errors.append("the crack path has a segment shorter than length/1000")
        for point in vertices[1:] if spec.kind == "edge" else vertices:
            x, y = point
            inside = (x_lo + axis_margin < x < x_hi - margin and y < spec.height - margin
                      and (y > margin or spec.kind == "edge"))
            if spec.axisymmetric and x <= x_lo + axis_margin:
                errors.append(f"the ring crack reaches ({x:g}, {y:g}) m: it must stay "
                              f"{axis_margin:g} m off the axis r = 0 (it cannot cross the axis)")
            elif not inside:
                errors.append(f"the crack end ({x:g}, {y:g}) m must lie inside the electrolyte, "
                              f"{margin:g} m from its boundary")
        if spec.kind == "edge" and not x_lo + axis_margin < spec.position < x_hi - margin:
            where = ("at a radius 0 < r < width away from the axis and the outer radius"
                     if spec.axisymmetric else "away from the sides")
            errors.append(f"the mouth must lie on the interface {where}, {margin:g} m from "
                          f"them, got position {spec.position:g} m")
    if errors:
        raise ValueError("invalid crack: " + "; ".join(errors))


__all__ = [
    "CRACK_KINDS",
    "CrackKind",
    "CrackMeshSizes",
    "CrackSpec",
    "CrackTip",
    "default_sizes",
    "validate_crack",
]
