"""Gmsh builders of cracked electrolytes: edge cracks from the Li interface, internal cracks,
penny cracks (axisymmetric), with tagged faces and tips (SI units, metres).

Coordinates: the electrolyte occupies ``-width/2 <= x <= width/2``, ``0 <= y <= height``
(planar, unit depth) or ``0 <= r <= width``, ``0 <= z <= height`` (axisymmetric). ``y = 0`` is
the Li/electrolyte interface, ``y = height`` the counter-electrode side.

Kinds (:class:`CrackSpec`):

- ``edge``: a surface flaw of depth ``length`` from the mouth ``(position, 0)`` on the
  interface into the electrolyte, inclined by ``inclination`` from the interface normal (one
  tip). The crack coordinate ``s`` runs from the mouth (0) to the tip (``length``).
- ``internal``: a Griffith crack of half-length ``length`` centred at ``(position, depth)``,
  inclined by ``inclination`` from the interface (two tips). ``s`` runs from the centre
  (``|s| <= length``).
- ``penny``: an axisymmetric penny crack of radius ``length`` in the plane ``z = 0`` of the
  half-space ``z >= 0`` (the symmetric half: the crack face is ``z = 0, r < length``, the
  ligament ``z = 0, r > length`` is a symmetry plane). ``s = r``.

The crack is a curve embedded in the Gmsh surface; after meshing, Gmsh's ``Crack`` plugin
duplicates its nodes (except at the tips), so the two faces are distinct exterior facets
(:class:`~ssbx.meshes.tags.CrackTag` ``FACE_A``/``FACE_B``; the symmetric penny has ``FACE_A``
only). A mesh node sits at the end of the Li filling (``fill``), so a pressure on the filled
part is exact facet by facet. The mesh is graded from ``tip`` at the tips to ``far``.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Any, Literal

from mpi4py import MPI

import dolfinx
import numpy as np
from dolfinx.io import gmsh as gmshio

from ssbx.meshes.tags import CellTag, CrackTag

CrackKind = Literal["edge", "internal", "penny"]
CRACK_KINDS: tuple[str, ...] = ("edge", "internal", "penny")

UM = 1e-6
"""One micrometre in metres: the Gmsh model's length unit."""

_MODEL = "ssbx_crack"


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

    @property
    def axisymmetric(self) -> bool:
        """Whether the model is axisymmetric (x = r, y = z): the penny crack."""
        return self.kind == "penny"

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

    def arc_positions(self, points: np.ndarray) -> np.ndarray:
        """The crack coordinate s [m] of ``points`` (n, 2): arc length of their nearest point
        on the polyline, from the origin."""
        points = np.atleast_2d(np.asarray(points, dtype=float))[:, :2]
        vertices = self.polyline()
        cumulative, at_origin = self._arc()
        best = np.full(len(points), np.inf)
        s = np.zeros(len(points))
        for k in range(len(vertices) - 1):
            a, b = vertices[k], vertices[k + 1]
            seg = b - a
            t = np.clip((points - a) @ seg / (seg @ seg), 0.0, 1.0)
            dist = np.linalg.norm(points - (a + t[:, None] * seg), axis=1)
            closer = dist < best
            best[closer] = dist[closer]
            s[closer] = cumulative[k] + t[closer] * math.sqrt(seg @ seg)
        return s - at_origin

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
        points = np.atleast_2d(np.asarray(points, dtype=float))[:, :2]
        vertices = self.polyline()
        best = np.full(len(points), np.inf)
        normal = np.zeros((len(points), 2))
        for k in range(len(vertices) - 1):
            a, b = vertices[k], vertices[k + 1]
            seg = b - a
            t = np.clip((points - a) @ seg / (seg @ seg), 0.0, 1.0)
            dist = np.linalg.norm(points - (a + t[:, None] * seg), axis=1)
            closer = dist < best
            best[closer] = dist[closer]
            tangent = seg / np.linalg.norm(seg)
            normal[closer] = (-tangent[1], tangent[0])
        return normal

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


@dataclass
class CrackMesh:
    """A meshed cracked electrolyte (metres) with its tags and crack description."""

    mesh: dolfinx.mesh.Mesh
    cell_tags: dolfinx.mesh.MeshTags
    facet_tags: dolfinx.mesh.MeshTags
    spec: CrackSpec
    sizes: CrackMeshSizes
    tips: list[CrackTip] = field(default_factory=list)

    @property
    def comm(self) -> MPI.Comm:
        """The communicator the mesh is distributed on."""
        return self.mesh.comm

    @property
    def num_cells(self) -> int:
        """Global number of triangles."""
        return self.mesh.topology.index_map(self.mesh.topology.dim).size_global


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
        if spec.kind == "edge" and spec.path_behind:
            errors.append("an edge crack grows from its tip only: path_behind must be empty")
        vertices = spec.polyline()
        lengths = np.linalg.norm(np.diff(vertices, axis=0), axis=1)
        if np.any(lengths < 1e-3 * spec.length):
            errors.append("the crack path has a segment shorter than length/1000")
        for point in vertices[1:] if spec.kind == "edge" else vertices:
            x, y = point
            inside = (abs(x) < 0.5 * spec.width - margin and y < spec.height - margin
                      and (y > margin or spec.kind == "edge"))
            if not inside:
                errors.append(f"the crack end ({x:g}, {y:g}) m must lie inside the electrolyte, "
                              f"{margin:g} m from its boundary")
        if spec.kind == "edge" and not abs(spec.position) < 0.5 * spec.width - margin:
            errors.append("the mouth must lie on the interface away from the sides")
    if errors:
        raise ValueError("invalid crack: " + "; ".join(errors))


def _stations(spec: CrackSpec) -> list[np.ndarray]:
    """The crack's mesh stations [m]: the polyline vertices with the end(s) of the Li filling
    inserted (a node sits exactly where the Li ends)."""
    vertices = list(spec.polyline())
    positions = list(spec.arc_positions(np.array(vertices)))
    ahead, behind = spec.extents()
    fills = []
    if spec.filled_length < ahead * (1 - 1e-9):
        fills.append(spec.filled_length)
    if spec.kind == "internal" and spec.filled_length < behind * (1 - 1e-9):
        fills.append(-spec.filled_length)
    for f in fills:
        if min(abs(f - p) for p in positions) > 1e-6 * spec.length:
            k = int(np.searchsorted(positions, f))
            vertices.insert(k, spec.point_at(f))
            positions.insert(k, f)
    return vertices


def _build(gmsh: Any, spec: CrackSpec, sizes: CrackMeshSizes) -> None:
    """The Gmsh model in micrometres: geometry, physical groups, size fields, mesh, crack."""
    geo = gmsh.model.geo
    s = 1.0 / UM
    W, H = spec.width * s, spec.height * s
    x0 = 0.0 if spec.axisymmetric else -0.5 * W
    x1 = W if spec.axisymmetric else 0.5 * W
    a, fill = spec.length * s, spec.filled_length * s

    def point(x: float, y: float) -> int:
        return geo.addPoint(x, y, 0.0)

    corners = [point(x0, 0.0), point(x1, 0.0), point(x1, H), point(x0, H)]
    tip_points: list[int] = []
    crack_curves: list[int] = []
    mouth: int | None = None
    if spec.kind == "penny":
        tip = point(a, 0.0)
        tip_points.append(tip)
        bottom: list[int] = []
        if fill < a * (1 - 1e-9):
            f = point(fill, 0.0)
            bottom = [geo.addLine(corners[0], f), geo.addLine(f, tip)]
        else:
            bottom = [geo.addLine(corners[0], tip)]
        crack_curves = list(bottom)
        ligament = geo.addLine(tip, corners[1])
        outer = geo.addLine(corners[1], corners[2])
        top = geo.addLine(corners[2], corners[3])
        axis = geo.addLine(corners[3], corners[0])
        loop = geo.addCurveLoop([*bottom, ligament, outer, top, axis])
        surface = geo.addPlaneSurface([loop])
        geo.synchronize()
        groups = {CrackTag.FACE_A: crack_curves, CrackTag.SYMMETRY: [ligament],
                  CrackTag.SIDES: [outer], CrackTag.TOP: [top], CrackTag.AXIS: [axis]}
    else:
        stations = _stations(spec)
        points = [point(*(xy * s)) for xy in stations]
        if spec.kind == "edge":
            mouth = points[0]
            interface = [geo.addLine(corners[0], mouth), geo.addLine(mouth, corners[1])]
        else:
            interface = [geo.addLine(corners[0], corners[1])]
            tip_points.append(points[0])
        tip_points.append(points[-1])
        stations = points
        crack_curves = [geo.addLine(p, q) for p, q in itertools.pairwise(stations)]
        right = geo.addLine(corners[1], corners[2])
        top = geo.addLine(corners[2], corners[3])
        left = geo.addLine(corners[3], corners[0])
        loop = geo.addCurveLoop([*interface, right, top, left])
        surface = geo.addPlaneSurface([loop])
        geo.synchronize()
        gmsh.model.mesh.embed(1, crack_curves, 2, surface)
        groups = {CrackTag.FACE_A: crack_curves, CrackTag.INTERFACE: interface,
                  CrackTag.SIDES: [left, right], CrackTag.TOP: [top]}
    gmsh.model.addPhysicalGroup(2, [surface], int(CellTag.ELECTROLYTE), "electrolyte")
    for tag, curves in groups.items():
        gmsh.model.addPhysicalGroup(1, curves, int(tag), tag.name.lower())
    if mouth is not None:
        gmsh.model.addPhysicalGroup(0, [mouth], int(CrackTag.MOUTH), "mouth")

    fields = gmsh.model.mesh.field
    to_tips = fields.add("Distance")
    fields.setNumbers(to_tips, "PointsList", tip_points)
    near_tips = fields.add("MathEval")
    fields.setString(near_tips, "F", f"Min({sizes.far * s!r}, {sizes.tip * s!r} + "
                                     f"{sizes.growth!r} * Max(0, F{to_tips} - "
                                     f"{sizes.tip_zone * s!r}))")
    to_faces = fields.add("Distance")
    fields.setNumbers(to_faces, "CurvesList", crack_curves)
    fields.setNumber(to_faces, "Sampling", 400)
    near_faces = fields.add("MathEval")
    fields.setString(near_faces, "F", f"Min({sizes.far * s!r}, {sizes.face * s!r} + "
                                      f"{sizes.growth!r} * F{to_faces})")
    smallest = fields.add("Min")
    fields.setNumbers(smallest, "FieldsList", [near_tips, near_faces])
    fields.setAsBackgroundMesh(smallest)
    for option in ("MeshSizeExtendFromBoundary", "MeshSizeFromPoints", "MeshSizeFromCurvature"):
        gmsh.option.setNumber(f"Mesh.{option}", 0)
    gmsh.option.setNumber("Mesh.Algorithm", 6)
    gmsh.model.mesh.generate(2)

    if spec.kind != "penny":
        plugin = gmsh.plugin
        plugin.setNumber("Crack", "Dimension", 1)
        plugin.setNumber("Crack", "PhysicalGroup", int(CrackTag.FACE_A))
        plugin.setNumber("Crack", "NewPhysicalGroup", int(CrackTag.FACE_B))
        plugin.setNumber("Crack", "OpenBoundaryPhysicalGroup",
                         int(CrackTag.MOUTH) if mouth is not None else 0)
        plugin.setNumber("Crack", "NormalX", 0.0)
        plugin.setNumber("Crack", "NormalY", 0.0)
        plugin.setNumber("Crack", "NormalZ", 1.0)
        plugin.run("Crack")
        gmsh.model.mesh.renumberNodes()
        gmsh.model.mesh.renumberElements()


def build_crack_mesh(comm: MPI.Comm, spec: CrackSpec, sizes: CrackMeshSizes | None = None, *,
                     rank: int = 0) -> CrackMesh:
    """Mesh the cracked electrolyte on ``rank`` of ``comm`` with Gmsh and distribute it.

    Collective on ``comm``. Raises ``ValueError`` for an invalid crack and ``RuntimeError``
    (on every rank) if Gmsh fails.
    """
    validate_crack(spec)
    sizes = sizes or default_sizes(spec)
    import gmsh

    error = ""
    initialized_here = False
    previous = ""
    if comm.rank == rank:
        try:
            if not gmsh.isInitialized():
                gmsh.initialize(interruptible=False)
                initialized_here = True
            else:
                previous = gmsh.model.getCurrent()
            gmsh.option.setNumber("General.Terminal", 0)
            gmsh.option.setNumber("General.Verbosity", 1)
            gmsh.model.add(_MODEL)
            gmsh.model.setCurrent(_MODEL)
            _build(gmsh, spec, sizes)
        except Exception as err:  # reported on every rank below
            error = f"Gmsh failed to mesh the crack: {type(err).__name__}: {err}"
    error = comm.bcast(error, root=rank)
    try:
        if error:
            raise RuntimeError(error)
        partitioner = dolfinx.mesh.create_cell_partitioner(dolfinx.mesh.GhostMode.shared_facet, 2)
        data = gmshio.model_to_mesh(gmsh.model, comm, rank, gdim=2, partitioner=partitioner)
    finally:
        if comm.rank == rank:
            if initialized_here:
                gmsh.finalize()
            elif gmsh.isInitialized():
                if _MODEL in gmsh.model.list():
                    gmsh.model.setCurrent(_MODEL)
                    gmsh.model.remove()
                if previous and previous in gmsh.model.list():
                    gmsh.model.setCurrent(previous)
    mesh = data.mesh
    mesh.geometry.x[:] *= UM
    mesh.name = "mesh"
    data.cell_tags.name = "cell_tags"
    data.facet_tags.name = "facet_tags"
    mesh.topology.create_connectivity(1, 2)
    return CrackMesh(mesh, data.cell_tags, data.facet_tags, spec, sizes, spec.tips())


__all__ = [
    "CRACK_KINDS",
    "CrackKind",
    "CrackMesh",
    "CrackMeshSizes",
    "CrackSpec",
    "CrackTip",
    "build_crack_mesh",
    "default_sizes",
    "validate_crack",
]
