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
- ``edge`` with ``ring=True``: the same crack in the axisymmetric model, a circumferential
  (ring) crack from the interface at radius ``position`` (inclined: a cone); the segment
  ``r = 0`` is the axis (:class:`~ssbx.meshes.tags.CrackTag` ``AXIS``), ``r = width`` the
  sides; ``voids`` are r-intervals (e.g. the bare surface beyond a Li disc electrode).
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
from dataclasses import dataclass, field
from typing import Any

from mpi4py import MPI

import dolfinx
import numpy as np

from ssbx.meshes.crack_geometry import (
    CRACK_KINDS,
    CrackKind,
    CrackMeshSizes,
    CrackSpec,
    CrackTip,
    default_sizes,
    validate_crack,
)
from ssbx.meshes.gmsh_session import mesh_on_rank
from ssbx.meshes.tags import CellTag, CrackTag

UM = 1e-6
"""One micrometre in metres: the Gmsh model's length unit."""

_MODEL = "ssbx_crack"


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


def _in_order(*groups: list[int]) -> list[int]:
    """Line tags of several groups, in creation (= left-to-right) order."""
    return sorted(tag for group in groups for tag in group)


def _build(gmsh: Any, spec: CrackSpec, sizes: CrackMeshSizes) -> None:
    """The Gmsh model in micrometres: geometry, physical groups, size fields, mesh, crack."""
    geo = gmsh.model.geo
    s = 1.0 / UM
    W, H = spec.width * s, spec.height * s
    x0, x1 = (x * s for x in spec.x_range)
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
        # the interface y = 0: split at the mouth and at the voids' ends; void segments carry
        # no Li (no contact: no stack pressure, no current)
        breaks = [(x0, corners[0]), (x1, corners[1])]
        if spec.kind == "edge":
            mouth = points[0]
            breaks.append((stations[0][0] * s, mouth))
        else:
            tip_points.append(points[0])
        for a_x, b_x in spec.voids:
            for xv in (a_x * s, b_x * s):
                if min(abs(xv - xb) for xb, _ in breaks) > 1e-9 * W:
                    breaks.append((xv, point(xv, 0.0)))
        breaks.sort()
        interface, void_lines = [], []
        for (xa, pa), (xb, pb) in itertools.pairwise(breaks):
            line = geo.addLine(pa, pb)
            middle = 0.5 * (xa + xb) / s
            inside = any(a_x < middle < b_x for a_x, b_x in spec.voids)
            (void_lines if inside else interface).append(line)
        tip_points.append(points[-1])
        stations = points
        crack_curves = [geo.addLine(p, q) for p, q in itertools.pairwise(stations)]
        right = geo.addLine(corners[1], corners[2])
        top = geo.addLine(corners[2], corners[3])
        left = geo.addLine(corners[3], corners[0])
        loop = geo.addCurveLoop([*[geo_line for geo_line in _in_order(interface, void_lines)],
                                 right, top, left])
        surface = geo.addPlaneSurface([loop])
        geo.synchronize()
        gmsh.model.mesh.embed(1, crack_curves, 2, surface)
        groups = {CrackTag.FACE_A: crack_curves, CrackTag.INTERFACE: interface,
                  CrackTag.SIDES: [left, right], CrackTag.TOP: [top]}
        if spec.axisymmetric:  # a ring crack: the left side is the axis
            groups[CrackTag.SIDES] = [right]
            groups[CrackTag.AXIS] = [left]
        if void_lines:
            groups[CrackTag.VOID] = void_lines
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
    data = mesh_on_rank(comm, lambda gmsh: _build(gmsh, spec, sizes), model=_MODEL,
                        what="the crack", rank=rank)
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
