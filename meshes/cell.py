"""Gmsh builders of the 2-D Li | solid-electrolyte cell (planar and axisymmetric); the 3-D cell
(``geometry.dimension = 3``) is built by :mod:`ssbx.meshes.cell3d` through the same
:func:`build_cell_mesh`, cache and XDMF files.

The geometry (see :mod:`ssbx.meshes.spec`) is assembled with Gmsh's built-in kernel from shared
points and curves, so the Li/electrolyte interface is conforming by construction: each contact
segment of ``y = 0`` is one curve bounding both surfaces. The model is built in micrometres (Gmsh
tolerances are absolute) on one rank of the communicator, distributed with shared-facet ghosting,
and the dolfinx mesh coordinates are scaled to metres. Written ``.msh`` files are in metres too.

Tags (:mod:`ssbx.meshes.tags`): cells ``ELECTROLYTE``, ``LITHIUM``; facets ``CONTACT`` (interior
facets of the whole mesh, measure with ``dS``), ``VOID_SE`` and ``VOID_LI`` (exterior, ``ds``),
``SE_TOP``, ``LI_BOTTOM``, ``SIDE_LEFT`` (axisymmetric: the axis), ``SIDE_RIGHT``.
"""

from __future__ import annotations

import itertools
import math
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mpi4py import MPI

import dolfinx
import numpy as np
from dolfinx.io import XDMFFile

from ssbx.meshes.cache import cache_directory, cached_build, mesh_key
from ssbx.meshes.cell3d import build_gmsh_model_3d, cell_extent, void_problems_3d
from ssbx.meshes.gmsh_session import mesh_on_rank
from ssbx.meshes.pores import cell_voids
from ssbx.meshes.refine import refine_uniformly
from ssbx.meshes.sizing import effective_sizes
from ssbx.meshes.spec import CellGeometrySpec, MeshSizeSpec, VoidSpec
from ssbx.meshes.tags import CellTag, FacetTag, physical_name
from ssbx.meshes.user_mesh import read_user_mesh
from ssbx.meshes.voids import on_axis, on_rim, void_outline

UM = 1e-6
"""One micrometre in metres: the Gmsh model's length unit."""

GMSH_FILE = "mesh.msh"
"""The Gmsh file a mesh-cache entry keeps beside its XDMF mesh."""
MESH_NAME = "mesh"
CELL_TAGS_NAME = "cell_tags"
FACET_TAGS_NAME = "facet_tags"


@dataclass
class CellMesh:
    """A meshed cell: the dolfinx mesh (metres) with its cell and facet tags.

    num_cells_electrolyte, num_cells_lithium: global numbers of triangles of each material.
    """

    mesh: dolfinx.mesh.Mesh
    cell_tags: dolfinx.mesh.MeshTags
    facet_tags: dolfinx.mesh.MeshTags
    geometry: CellGeometrySpec
    num_cells_electrolyte: int
    num_cells_lithium: int
    from_cache: bool = False
    """Read from the mesh cache (:mod:`ssbx.meshes.cache`) instead of built."""

    @property
    def comm(self) -> MPI.Comm:
        """The communicator the mesh is distributed on."""
        return self.mesh.comm


# --------------------------------------------------------------------------------------------
# validation and derived sizes
# --------------------------------------------------------------------------------------------


def validate_geometry(geometry: CellGeometrySpec) -> None:
    """Raise ``ValueError`` listing every problem of a geometry the builder cannot mesh."""
    errors: list[str] = []
    g = geometry
    if g.kind not in ("planar", "axisymmetric"):
        errors.append(f"kind must be 'planar' or 'axisymmetric', got {g.kind!r}")
    if g.void_model not in ("gap", "explicit"):
        errors.append(f"void_model must be 'gap' or 'explicit', got {g.void_model!r}")
    for name in ("h_se", "h_li", "width"):
        if not getattr(g, name) > 0.0:
            errors.append(f"{name} must be > 0, got {getattr(g, name)!r}")
    if errors:
        raise ValueError("invalid cell geometry: " + "; ".join(errors))
    if g.dimension not in (2, 3):
        raise ValueError(f"invalid cell geometry: dimension must be 2 or 3, got {g.dimension!r}")
    box = g.dimension == 3 and g.kind == "planar"
    voids = cell_voids(g) if g.dimension == 3 else g.voids
    tol = 1e-9 * g.width
    for i, v in enumerate(voids):
        label = f"void {i}"
        if v.shape not in ("ellipse", "lens", "rounded_rectangle"):
            errors.append(f"{label}: shape must be 'ellipse', 'lens' or 'rounded_rectangle', "
                          f"got {v.shape!r}")
        if v.shape == "lens" and v.height > 0.5 * v.width * (1.0 + 1e-9):
            errors.append(f"{label}: a lens is at most a hemisphere: height {v.height:g} m must "
                          f"be <= width/2 = {0.5 * v.width:g} m")
        if (g.void_model == "explicit" and v.shape == "rounded_rectangle"
                and v.corner_radius < v.height * (1.0 - 1e-9)):
            errors.append(f"{label}: an explicit rounded_rectangle needs corner_radius = height "
                          f"= {v.height:g} m (a slit with rounded ends; a vertical wall has no "
                          f"single gap), got {v.corner_radius:g} m")
        if not v.width > 0.0:
            errors.append(f"{label}: width must be > 0, got {v.width!r}")
        if not v.height > 0.0:
            errors.append(f"{label}: height must be > 0, got {v.height!r}")
        elif not v.height < g.h_li - tol:
            errors.append(f"{label}: height {v.height:g} m must be < h_li = {g.h_li:g} m")
        if v.shape == "rounded_rectangle":
            r_max = min(v.height, 0.5 * v.width)
            if v.corner_radius < 0.0 or v.corner_radius > r_max * (1.0 + 1e-9):
                errors.append(
                    f"{label}: corner_radius must be in [0, min(height, width/2) = {r_max:g}] m,"
                    f" got {v.corner_radius!r}"
                )
        if box:  # pores in a 3-D box: void_problems_3d below
            continue
        if g.kind == "axisymmetric" and abs(v.center) <= tol:  # the void on the axis
            if not v.x_max < g.width - tol:
                errors.append(f"{label}: void radius {v.x_max:g} m must be < width = {g.width:g} m")
        elif g.kind == "axisymmetric" and abs(v.center - g.width) <= tol:  # around the rim
            if not v.x_min > tol:
                errors.append(f"{label}: a void on the outer radius must leave a contact disk "
                              f"(width/2 = {0.5 * v.width:g} m < geometry width {g.width:g} m)")
            if g.void_model == "explicit":
                errors.append(f"{label}: a void on the outer radius cannot be explicit")
        else:  # planar, or a ring around the axis
            if g.kind == "axisymmetric" and g.void_model == "explicit":
                errors.append(f"{label}: a ring void (center > 0) cannot be explicit")
            if not (v.x_min > tol and v.x_max < g.width - tol):
                errors.append(
                    f"{label}: spans x = [{v.x_min:g}, {v.x_max:g}] m, must lie strictly inside"
                    f" (0, width = {g.width:g}) m"
                    + (" (a ring around the axis; center = 0 for the void on the axis)"
                       if g.kind == "axisymmetric" else "")
                )
    if g.kind == "axisymmetric" and sum(abs(v.center) <= tol for v in g.voids) > 1:
        errors.append("an axisymmetric cell has at most one void on the axis (center = 0)")
    errors += void_problems_3d(g, voids) if box else []
    for a, b in itertools.pairwise([] if box else sorted(voids, key=lambda v: v.center)):
        if not b.x_min > a.x_max + tol:
            errors.append(f"voids at x = {a.center:g} m and x = {b.center:g} m overlap or touch")
    if errors:
        raise ValueError("invalid cell geometry: " + "; ".join(errors))


def validate_sizes(sizes: MeshSizeSpec) -> None:
    """Raise ``ValueError`` if the mesh sizes are not positive and ordered."""
    errors = []
    for name in ("size_fine", "size_coarse", "grading_distance"):
        if not getattr(sizes, name) > 0.0:
            errors.append(f"{name} must be > 0, got {getattr(sizes, name)!r}")
    if not errors and sizes.size_fine > sizes.size_coarse:
        errors.append(
            f"size_fine {sizes.size_fine:g} m must be <= size_coarse {sizes.size_coarse:g} m"
        )
    if errors:
        raise ValueError("invalid mesh sizes: " + "; ".join(errors))


# --------------------------------------------------------------------------------------------
# Gmsh model (built-in kernel, micrometres)
# --------------------------------------------------------------------------------------------


class _Geo:
    """Points and curves of the built-in kernel with de-duplicated points (coordinates in µm)."""

    def __init__(self, gmsh_module: Any, tol: float) -> None:
        self.geo = gmsh_module.model.geo
        self.tol = tol
        self.points: dict[tuple[int, int], int] = {}

    def point(self, x: float, y: float) -> int:
        key = (round(x / self.tol), round(y / self.tol))
        if key not in self.points:
            self.points[key] = self.geo.addPoint(x, y, 0.0)
        return self.points[key]

    def line(self, p: int, q: int) -> list[int]:
        """A line from point p to q, or nothing if they coincide."""
        return [] if p == q else [self.geo.addLine(p, q)]

    def circle_arc(self, p: int, center: int, q: int) -> list[int]:
        return [] if p == q else [self.geo.addCircleArc(p, center, q)]

    def ellipse_arc(self, p: int, center: int, major: int, q: int) -> list[int]:
        return [] if p == q else [self.geo.addEllipseArc(p, center, major, q)]


def _void_profile(g: _Geo, v: VoidSpec, axisymmetric: bool, s: float,
                  rim: bool = False) -> tuple[int, int, list[int]]:
    """The Li-side surface of one void (µm), oriented in the Li's counter-clockwise sense.

    Planar (a ring): from ``(x_max, 0)`` below the interface back to ``(x_min, 0)``. The void on
    the axis (``axisymmetric``): from ``(x_max, 0)`` to the axis point ``(0, -height)``. A void
    on the outer radius (``rim``): its left half, from ``(center, -height)`` to ``(x_min, 0)``.
    Returns (start point, end point, curves).
    """
    if rim:
        return _left_half_profile(g, v, s)
    c, a, h = v.center * s, 0.5 * v.width * s, v.height * s
    if axisymmetric:
        c = 0.0
    start = g.point(c + a, 0.0)
    curves: list[int] = []
    if v.shape == "ellipse":
        center = g.point(c, 0.0)
        bottom = g.point(c, -h)
        end = bottom if axisymmetric else g.point(c - a, 0.0)
        if math.isclose(a, h, rel_tol=1e-12):
            curves += g.circle_arc(start, center, bottom)
            if not axisymmetric:
                curves += g.circle_arc(bottom, center, end)
        else:
            major = start if a > h else bottom
            curves += g.ellipse_arc(start, center, major, bottom)
            if not axisymmetric:
                curves += g.ellipse_arc(bottom, center, major, end)
        return start, end, curves
    if v.shape == "lens":  # the circular cap through the rims and the bottom (<= a hemisphere)
        radius = (a * a + h * h) / (2.0 * h)
        center = g.point(c, radius - h)
        bottom = g.point(c, -h)
        end = bottom if axisymmetric else g.point(c - a, 0.0)
        curves += g.circle_arc(start, center, bottom)
        if not axisymmetric:
            curves += g.circle_arc(bottom, center, end)
        return start, end, curves
    # rounded rectangle [c - a, c + a] x [-h, 0], bottom corners rounded with radius r
    r = min(v.corner_radius * s, a, h)
    if r < 1e-9 * a:
        r = 0.0
    b1 = g.point(c + a, -h + r)
    b2 = g.point(c + a - r, -h)
    curves += g.line(start, b1)
    if r > 0.0:
        curves += g.circle_arc(b1, g.point(c + a - r, -h + r), b2)
    if axisymmetric:
        end = g.point(0.0, -h)
        curves += g.line(b2, end)
        return start, end, curves
    a2 = g.point(c - a + r, -h)
    a1 = g.point(c - a, -h + r)
    end = g.point(c - a, 0.0)
    curves += g.line(b2, a2)
    if r > 0.0:
        curves += g.circle_arc(a2, g.point(c - a + r, -h + r), a1)
    curves += g.line(a1, end)
    return start, end, curves


def _left_half_profile(g: _Geo, v: VoidSpec, s: float) -> tuple[int, int, list[int]]:
    """The left half of a void's Li-side surface (µm): from its bottom ``(c, -h)`` to
    ``(c - a, 0)`` (a void centred on the outer radius ``c``)."""
    c, a, h = v.center * s, 0.5 * v.width * s, v.height * s
    bottom = g.point(c, -h)
    end = g.point(c - a, 0.0)
    if v.shape == "ellipse":
        center = g.point(c, 0.0)
        if math.isclose(a, h, rel_tol=1e-12):
            return bottom, end, g.circle_arc(bottom, center, end)
        major = g.point(c - a, 0.0) if a > h else bottom
        return bottom, end, g.ellipse_arc(bottom, center, major, end)
    if v.shape == "lens":
        radius = (a * a + h * h) / (2.0 * h)
        return bottom, end, g.circle_arc(bottom, g.point(c, radius - h), end)
    r = min(v.corner_radius * s, a, h)
    if r < 1e-9 * a:
        r = 0.0
    a2 = g.point(c - a + r, -h)
    a1 = g.point(c - a, -h + r)
    curves = g.line(bottom, a2)
    if r > 0.0:
        curves += g.circle_arc(a2, g.point(c - a + r, -h + r), a1)
    curves += g.line(a1, end)
    return bottom, end, curves


def _matched_void_profile(g: _Geo, v: VoidSpec, axisymmetric: bool, s: float,
                          spacing: float) -> tuple[int, int, list[int], list[int]]:
    """The Li-side surface of an explicit void (µm) as a polyline of one-element lines, from
    :func:`~ssbx.meshes.voids.void_outline` (oriented as :func:`_void_profile`), and the points
    of the flat electrolyte surface straight above its interior nodes (right to left): the Li
    and electrolyte nodes of a void then pair up by x (P1 geometry: the edge midpoints, where
    P2 puts its nodes, pair up too). Returns (start, end, curves, top points)."""
    pts = void_outline(v, axisymmetric, spacing / s) * s
    chain = [g.point(float(x), float(y)) for x, y in pts]
    curves: list[int] = []
    for a, b in itertools.pairwise(chain):
        curves += g.line(a, b)
    for curve in curves:
        g.geo.mesh.setTransfiniteCurve(curve, 2)
    top = [g.point(float(x), 0.0) for x in pts[1:-1, 0]]  # the axis point's partner: (0, 0)
    return chain[0], chain[-1], curves, top


def _build_gmsh_model(gmsh: Any, geometry: CellGeometrySpec, sizes: MeshSizeSpec) -> dict[str, Any]:
    """Create and mesh the current Gmsh model (µm); return curve groups and size info."""
    s = 1.0 / UM
    W, hse, hli = geometry.width * s, geometry.h_se * s, geometry.h_li * s
    axisym = geometry.kind == "axisymmetric"
    voids = sorted(geometry.voids, key=lambda v: v.center)
    g = _Geo(gmsh, tol=1e-9 * W)

    # interface y = 0, left to right: contact and void (electrolyte-side) segments
    p_left, p_right = g.point(0.0, 0.0), g.point(W, 0.0)
    contact: list[int] = []
    void_se: list[int] = []
    void_li: list[int] = []
    li_top: list[int] = []  # the Li's upper boundary, traversed from x = W to x = 0
    triple: list[int] = []
    x_pts = [p_left]
    kinds: list[str] = []
    profiles: list[tuple[int, int, list[int]]] = []
    explicit = geometry.void_model == "explicit"
    eff = effective_sizes(geometry, sizes)
    tops: list[list[int]] = []  # explicit voids: the electrolyte points above each outline
    rim_start = None  # a void on the outer radius: where its profile meets the Li's side
    for v in voids:
        axis = on_axis(v, axisym)  # the void on the axis: a half profile; rings: a full one
        rim = on_rim(v, axisym, geometry.width)  # on the outer radius: the other half
        if explicit:
            start, end, curves, top = _matched_void_profile(g, v, axis, s, eff["fine"] * s)
            tops.append(top)
        else:
            start, end, curves = _void_profile(g, v, axis, s, rim=rim)
        profiles.append((start, end, curves))
        if axis:
            x_pts.append(start)
            kinds.append("void")
            triple.append(start)
        elif rim:
            x_pts.append(end)  # (x_min, 0); the void runs from there to the outer radius
            kinds.append("contact")
            triple.append(end)
            rim_start = start
        else:
            x_pts += [end, start]  # (x_min, 0) then (x_max, 0)
            kinds += ["contact", "void"]
            triple += [end, start]
        void_li += curves
    x_pts.append(p_right)
    kinds.append("void" if rim_start is not None else "contact")
    segments: list[int] = []
    seg_kinds: list[str] = []
    top_iter = iter(tops)
    for p, q, kind in zip(x_pts[:-1], x_pts[1:], kinds, strict=True):
        chain = [p, q]
        if kind == "void" and explicit:  # a node above each outline node, left to right
            chain = [p, *next(top_iter)[::-1], q]
        for a, b in itertools.pairwise(chain):
            (curve,) = g.line(a, b)
            if explicit and kind == "void":
                g.geo.mesh.setTransfiniteCurve(curve, 2)
            segments.append(curve)
            seg_kinds.append(kind)
            (contact if kind == "contact" else void_se).append(curve)

    # the Li's top, right to left: reversed contact segments and void profiles
    profile_iter = iter(reversed(profiles))
    previous = ""
    for curve, kind in zip(reversed(segments), reversed(seg_kinds), strict=True):
        if kind == "contact":
            li_top.append(-curve)
        elif previous != "void":
            li_top += next(profile_iter)[2]
        previous = kind

    # outer boundary
    p_se_tl, p_se_tr = g.point(0.0, hse), g.point(W, hse)
    p_li_bl, p_li_br = g.point(0.0, -hli), g.point(W, -hli)
    (se_right,) = g.line(p_right, p_se_tr)
    (se_top,) = g.line(p_se_tr, p_se_tl)
    (se_left,) = g.line(p_se_tl, p_left)
    (li_bottom,) = g.line(p_li_bl, p_li_br)
    (li_right,) = g.line(p_li_br, p_right if rim_start is None else rim_start)
    li_left_start = profiles[0][1] if voids and on_axis(voids[0], axisym) else p_left
    (li_left,) = g.line(li_left_start, p_li_bl)

    se_loop = g.geo.addCurveLoop([*segments, se_right, se_top, se_left])
    li_loop = g.geo.addCurveLoop([li_bottom, li_right, *li_top, li_left])
    se_surf = g.geo.addPlaneSurface([se_loop])
    li_surf = g.geo.addPlaneSurface([li_loop])
    g.geo.synchronize()

    # physical groups
    groups: dict[CellTag | FacetTag, tuple[int, list[int]]] = {
        CellTag.ELECTROLYTE: (2, [se_surf]),
        CellTag.LITHIUM: (2, [li_surf]),
        FacetTag.CONTACT: (1, contact),
        FacetTag.VOID_LI: (1, void_li),
        FacetTag.VOID_SE: (1, void_se),
        FacetTag.SE_TOP: (1, [se_top]),
        FacetTag.LI_BOTTOM: (1, [li_bottom]),
        FacetTag.SIDE_LEFT: (1, [se_left, li_left]),
        FacetTag.SIDE_RIGHT: (1, [se_right, li_right]),
    }
    for tag, (dim, entities) in groups.items():
        if entities:
            gmsh.model.addPhysicalGroup(dim, entities, int(tag), name=physical_name(tag))

    # mesh-size fields (µm)
    coarse, fine = eff["coarse"] * s, eff["fine"] * s
    grading = max(sizes.grading_distance * s, 1e-9 * W)
    slope = (coarse - fine) / grading  # size growth per unit distance
    field = gmsh.model.mesh.field
    minimum = [field.add("MathEval")]
    field.setString(minimum[0], "F", repr(coarse))
    if triple:
        dist = field.add("Distance")
        field.setNumbers(dist, "PointsList", triple)
        thr = field.add("Threshold")
        field.setNumber(thr, "InField", dist)
        field.setNumber(thr, "SizeMin", fine)
        field.setNumber(thr, "SizeMax", coarse)
        field.setNumber(thr, "DistMin", 0.0)
        field.setNumber(thr, "DistMax", grading)
        minimum.append(thr)
    for v, (_, _, curves), s_void_m in zip(voids, profiles, eff["void"], strict=True):
        s_void = (eff["fine"] if explicit else s_void_m) * s
        if s_void >= coarse:
            continue
        x0 = 0.0 if on_axis(v, axisym) else v.x_min * s
        x1 = min(v.x_max * s, W)
        se_curves = [c for c in void_se if _curve_in_span(gmsh, c, x0, x1)]
        length = 2.0 * (x1 - x0) + 2.0 * v.height * s
        dist = field.add("Distance")
        field.setNumbers(dist, "CurvesList", curves + se_curves)
        field.setNumber(dist, "Sampling", int(min(2.0e4, 4.0 * length / s_void + 20)))
        thr = field.add("Threshold")
        field.setNumber(thr, "InField", dist)
        field.setNumber(thr, "SizeMin", s_void)
        field.setNumber(thr, "SizeMax", coarse)
        field.setNumber(thr, "DistMin", 0.0)
        field.setNumber(
            thr, "DistMax", max((coarse - s_void) / slope, 1e-9 * W) if slope > 0 else grading
        )
        minimum.append(thr)
    fmin = field.add("Min")
    field.setNumbers(fmin, "FieldsList", minimum)
    field.setAsBackgroundMesh(fmin)

    opt = gmsh.option
    opt.setNumber("Mesh.MeshSizeExtendFromBoundary", 0)
    opt.setNumber("Mesh.MeshSizeFromPoints", 0)
    opt.setNumber("Mesh.MeshSizeFromCurvature", 0)
    opt.setNumber("Mesh.Algorithm", 6)  # Frontal-Delaunay
    opt.setNumber("Mesh.ElementOrder", 1)
    opt.setNumber("Mesh.SaveAll", 0)
    gmsh.model.mesh.generate(2)
    return {"triple_points": triple, "sizes": eff}


def _curve_in_span(gmsh: Any, curve: int, x0: float, x1: float) -> bool:
    xmin, _, _, xmax, _, _ = gmsh.model.getBoundingBox(1, abs(curve))
    tol = 1e-9 * max(abs(x1), 1.0)
    return xmin >= x0 - tol and xmax <= x1 + tol


def _count_cells(
    comm: MPI.Comm, mesh: dolfinx.mesh.Mesh, cell_tags: dolfinx.mesh.MeshTags
) -> dict[int, int]:
    """Global number of cells per cell-tag value (owned cells only)."""
    n_owned = mesh.topology.index_map(mesh.topology.dim).size_local
    values = cell_tags.values[cell_tags.indices < n_owned]
    local = {int(t): int(np.count_nonzero(values == int(t))) for t in CellTag}
    return {t: comm.allreduce(n, op=MPI.SUM) for t, n in local.items()}


def _make_cell_mesh(
    mesh: dolfinx.mesh.Mesh,
    cell_tags: dolfinx.mesh.MeshTags,
    facet_tags: dolfinx.mesh.MeshTags,
    geometry: CellGeometrySpec,
) -> CellMesh:
    mesh.name = MESH_NAME
    cell_tags.name = CELL_TAGS_NAME
    facet_tags.name = FACET_TAGS_NAME
    tdim = mesh.topology.dim
    mesh.topology.create_connectivity(tdim - 1, tdim)
    counts = _count_cells(mesh.comm, mesh, cell_tags)
    return CellMesh(
        mesh=mesh,
        cell_tags=cell_tags,
        facet_tags=facet_tags,
        geometry=geometry,
        num_cells_electrolyte=counts[int(CellTag.ELECTROLYTE)],
        num_cells_lithium=counts[int(CellTag.LITHIUM)],
    )


def build_cell_mesh(
    comm: MPI.Comm,
    geometry: CellGeometrySpec,
    sizes: MeshSizeSpec,
    *,
    msh_path: Path | None = None,
    rank: int = 0,
    cache: bool = True,
) -> CellMesh:
    """Mesh the cell on ``rank`` of ``comm`` with Gmsh and distribute it (shared-facet ghosts).

    Collective on ``comm``. Lengths in the specs and in the returned mesh are in metres; the Gmsh
    model itself is in micrometres. ``msh_path``: also write the Gmsh mesh there (in metres,
    physical groups only) from ``rank``. ``cache``: read and store the mesh in the mesh cache
    when one is set (:mod:`ssbx.meshes.cache`; the entry keeps the Gmsh file too).
    Raises ``ValueError`` for an invalid geometry or sizes and ``RuntimeError`` (on every rank)
    if Gmsh fails.
    """
    if geometry.mesh_file:
        return _make_cell_mesh(*read_user_mesh(comm, Path(geometry.mesh_file), geometry,
                                               scale=geometry.mesh_unit, msh_path=msh_path))
    validate_geometry(geometry)
    validate_sizes(sizes)
    if cache and cache_directory() is not None:
        def copy_gmsh_file(folder: Path) -> None:
            if msh_path is not None and comm.rank == rank:
                Path(msh_path).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(folder / GMSH_FILE, msh_path)

        def build_into(folder: Path | None) -> CellMesh:
            if folder is None:
                return build_cell_mesh(comm, geometry, sizes, rank=rank, cache=False,
                                       msh_path=msh_path)
            built = build_cell_mesh(comm, geometry, sizes, rank=rank, cache=False,
                                    msh_path=folder / GMSH_FILE)
            copy_gmsh_file(folder)
            return built

        cell_mesh, entry = cached_build(
            comm, mesh_key("cell", geometry, sizes), build_into, write_cell_mesh_xdmf,
            lambda path: read_cell_mesh_xdmf(comm, path, geometry))
        cell_mesh.from_cache = entry is not None
        if entry is not None:
            copy_gmsh_file(entry)
        comm.barrier()
        return cell_mesh

    def build(gmsh: Any) -> None:
        if geometry.dimension == 3:
            build_gmsh_model_3d(gmsh, geometry, sizes)
        else:
            _build_gmsh_model(gmsh, geometry, sizes)
        if msh_path is not None:
            path = Path(msh_path)
            path.parent.mkdir(parents=True, exist_ok=True)
            gmsh.option.setNumber("Mesh.ScalingFactor", UM)
            try:
                gmsh.write(str(path))
            finally:
                gmsh.option.setNumber("Mesh.ScalingFactor", 1.0)

    data = mesh_on_rank(comm, build, model="ssbx_cell", what="the cell", rank=rank,
                        gdim=geometry.dimension)
    mesh = data.mesh
    mesh.geometry.x[:] *= UM
    return refined_cell_mesh(_make_cell_mesh(mesh, data.cell_tags, data.facet_tags, geometry),
                             sizes.refinements)


def refined_cell_mesh(cell_mesh: CellMesh, times: int) -> CellMesh:
    """``cell_mesh`` refined ``times`` times uniformly on its ranks, with its tags rebuilt
    (:mod:`ssbx.meshes.refine`; ``times = 0``: the mesh itself). Collective."""
    if times <= 0:
        return cell_mesh
    geometry = cell_mesh.geometry
    return _make_cell_mesh(*refine_uniformly(cell_mesh.mesh, geometry, times), geometry)


# --------------------------------------------------------------------------------------------
# XDMF
# --------------------------------------------------------------------------------------------


def write_cell_mesh_xdmf(cell_mesh: CellMesh, path: Path) -> None:
    """Write the mesh (metres), its cell tags and facet tags into one XDMF file (+ .h5).

    Collective. Grid names: ``mesh``, ``cell_tags``, ``facet_tags``.
    """
    path = Path(path)
    if cell_mesh.comm.rank == 0:
        path.parent.mkdir(parents=True, exist_ok=True)
    cell_mesh.comm.barrier()
    mesh = cell_mesh.mesh
    tdim = mesh.topology.dim
    mesh.topology.create_connectivity(tdim - 1, tdim)
    cell_mesh.cell_tags.name = CELL_TAGS_NAME
    cell_mesh.facet_tags.name = FACET_TAGS_NAME
    with XDMFFile(cell_mesh.comm, str(path), "w") as xdmf:
        xdmf.write_mesh(mesh)
        xdmf.write_meshtags(cell_mesh.cell_tags, mesh.geometry)
        xdmf.write_meshtags(cell_mesh.facet_tags, mesh.geometry)


def read_cell_mesh_xdmf(comm: MPI.Comm, path: Path, geometry: CellGeometrySpec) -> CellMesh:
    """Read a mesh written by :func:`write_cell_mesh_xdmf` (shared-facet ghosting). Collective.

    ``geometry`` is the spec the mesh was built from; its extents are checked against the mesh.
    """
    with XDMFFile(comm, str(path), "r") as xdmf:
        mesh = xdmf.read_mesh(ghost_mode=dolfinx.mesh.GhostMode.shared_facet, name=MESH_NAME)
        tdim = mesh.topology.dim
        mesh.topology.create_connectivity(tdim - 1, tdim)
        cell_tags = xdmf.read_meshtags(mesh, name=CELL_TAGS_NAME)
        facet_tags = xdmf.read_meshtags(mesh, name=FACET_TAGS_NAME)
    x = mesh.geometry.x
    gdim = geometry.dimension
    lo = np.array([comm.allreduce(float(x[:, i].min()) if len(x) else math.inf, op=MPI.MIN)
                   for i in range(gdim)])
    hi = np.array([comm.allreduce(float(x[:, i].max()) if len(x) else -math.inf, op=MPI.MAX)
                   for i in range(gdim)])
    if gdim == 3:
        expected_lo, expected_hi = map(np.array, cell_extent(geometry))
    else:
        expected_lo = np.array([0.0, -geometry.h_li])
        expected_hi = np.array([geometry.width, geometry.h_se])
    scale = max(geometry.width, geometry.h_se, geometry.h_li)
    atol = np.full(gdim, 1e-9 * scale)
    if gdim == 3 and geometry.kind == "axisymmetric":
        atol[:2] = 0.05 * geometry.width  # the mantle's nodes: a polygon inscribed in the circle
    if not (np.all(np.abs(lo - expected_lo) <= atol) and np.all(np.abs(hi - expected_hi) <= atol)):
        raise ValueError(
            f"mesh in {path} spans {lo.tolist()}..{hi.tolist()} m, the geometry spec"
            f" {expected_lo.tolist()}..{expected_hi.tolist()} m"
        )
    return _make_cell_mesh(mesh, cell_tags, facet_tags, geometry)


# --------------------------------------------------------------------------------------------
# statistics
# --------------------------------------------------------------------------------------------


def mesh_statistics(cell_mesh: CellMesh) -> dict[str, Any]:
    """Global mesh statistics (collective).

    Keys: ``num_cells``, ``num_cells_electrolyte``, ``num_cells_lithium``, ``num_vertices``,
    ``h_min``/``h_max`` (cell diameter, longest edge [m]), ``quality_min`` and the smallest cell:
    triangles ``area_min`` [m²], quality ``4√3·area / Σ edge²``; tetrahedra ``volume_min`` [m³],
    quality ``6√2·volume / l_rms³`` (1 for the regular cell, 0 for a degenerate one).
    """
    comm = cell_mesh.comm
    mesh = cell_mesh.mesh
    tdim = mesh.topology.dim
    n_owned = mesh.topology.index_map(tdim).size_local
    x = mesh.geometry.x[:, : mesh.geometry.dim]
    nodes = mesh.geometry.dofmaps[0][:n_owned, : tdim + 1]
    p = [x[nodes[:, k]] for k in range(tdim + 1)]
    edges = np.stack([np.linalg.norm(p[j] - p[i], axis=1)
                      for i, j in itertools.combinations(range(tdim + 1), 2)])
    d1, d2 = p[1] - p[0], p[2] - p[0]
    if tdim == 3:
        size_name = "volume_min"
        size = np.abs(np.einsum("ij,ij->i", p[3] - p[0], np.cross(d1, d2))) / 6.0
        quality = 6.0 * math.sqrt(2.0) * size / np.sqrt(np.mean(edges**2, axis=0)) ** 3
    else:
        size_name = "area_min"
        size = 0.5 * np.abs(d1[:, 0] * d2[:, 1] - d1[:, 1] * d2[:, 0])
        quality = 4.0 * math.sqrt(3.0) * size / np.sum(edges**2, axis=0)
    h = edges.max(axis=0) if n_owned else np.ones(0)
    inf = math.inf
    return {
        "num_cells": mesh.topology.index_map(tdim).size_global,
        "num_cells_electrolyte": cell_mesh.num_cells_electrolyte,
        "num_cells_lithium": cell_mesh.num_cells_lithium,
        "num_vertices": mesh.topology.index_map(0).size_global,
        "h_min": comm.allreduce(float(h.min()) if n_owned else inf, op=MPI.MIN),
        "h_max": comm.allreduce(float(h.max()) if n_owned else -inf, op=MPI.MAX),
        size_name: comm.allreduce(float(size.min()) if n_owned else inf, op=MPI.MIN),
        "quality_min": comm.allreduce(float(quality.min()) if n_owned else inf, op=MPI.MIN),
    }
