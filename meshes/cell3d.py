"""Gmsh builder of the 3-D Li | solid-electrolyte cell (``geometry.dimension = 3``).

Coordinates: x, y lateral, z vertical; the Li/electrolyte interface is the plane ``z = 0``, the
electrolyte ``0 <= z <= h_se``, the Li ``-h_li <= z <= 0`` (the 2-D cell's y becomes z).

- ``kind = "planar"``: a box ``[0, width] x [0, depth]``. Every void is a pore of revolution
  about its own vertical axis through ``(center, center_y)``, with the 2-D void's section:
  ``ellipse`` a half spheroid (a hemisphere when ``height = width/2``), ``lens`` a spherical
  cap, ``rounded_rectangle`` a flat-bottomed cylinder with a rounded bottom edge. Pores may be
  listed or drawn at random (:mod:`ssbx.meshes.pores`).
- ``kind = "axisymmetric"``: the full cylinder of radius ``width`` whose every half-section is
  the 2-D axisymmetric cell: the void on the axis, ring voids and a void around the outer
  radius (a disk contact) are the 2-D profiles revolved about the z axis. It checks the
  axisymmetric solutions and is the 3-D body of the same case.

The model is built with Gmsh's OpenCASCADE kernel in micrometres: the Li block minus the void
solids, fragmented with the electrolyte block, so the contact is conforming. Tags are those of
the 2-D cell (:mod:`ssbx.meshes.tags`); the box's faces ``y = 0`` and ``y = depth`` are
``SIDE_FRONT`` and ``SIDE_BACK``, the cylinder's mantle ``SIDE_RIGHT``. Elements are linear
tetrahedra, graded from ``size_fine`` on the void rims (the Li/electrolyte/void triple lines) to
``size_coarse`` over ``grading_distance``.
"""

from __future__ import annotations

import math
from typing import Any

from ssbx.meshes.pores import cell_voids
from ssbx.meshes.spec import CellGeometrySpec, MeshSizeSpec, VoidSpec
from ssbx.meshes.tags import CellTag, FacetTag, physical_name
from ssbx.meshes.voids import on_axis, on_rim

UM = 1e-6
"""One micrometre in metres: the Gmsh model's length unit."""


def cell_extent(geometry: CellGeometrySpec) -> tuple[list[float], list[float]]:
    """Lower and upper corners [m] of the 3-D cell's bounding box."""
    w, hse, hli = geometry.width, geometry.h_se, geometry.h_li
    if geometry.kind == "axisymmetric":
        return [-w, -w, -hli], [w, w, hse]
    return [0.0, 0.0, -hli], [w, geometry.box_depth, hse]


def void_problems_3d(geometry: CellGeometrySpec, voids: tuple[VoidSpec, ...]) -> list[str]:
    """What keeps the voids of a 3-D box from being meshed: pores reaching a side, overlapping
    or touching (the cylinder's voids follow the 2-D axisymmetric rules)."""
    if geometry.kind == "axisymmetric":
        return []
    problems = []
    w, d = geometry.width, geometry.box_depth
    for k, v in enumerate(voids):
        r = 0.5 * v.width
        if not (r < v.center < w - r and r < v.center_y < d - r):
            problems.append(f"void {k}: its footprint (diameter {v.width * 1e6:.4g} um at x = "
                            f"{v.center * 1e6:.4g}, y = {v.center_y * 1e6:.4g} um) must lie "
                            f"inside the {w * 1e6:.4g} x {d * 1e6:.4g} um cell, off its sides")
        for j in range(k):
            u = voids[j]
            gap = math.hypot(v.center - u.center, v.center_y - u.center_y) - r - 0.5 * u.width
            if gap <= 0.0:
                problems.append(f"voids {j} and {k} overlap or touch")
    return problems


# --------------------------------------------------------------------------------------------
# void solids
# --------------------------------------------------------------------------------------------
def _section(occ: Any, v: VoidSpec, s: float, x0: float, x1: float) -> list[tuple[int, int]]:
    """The void's section [µm] in the xz plane, clipped to ``x0 <= x <= x1``, as OCC surfaces.

    Built in the xy plane (y standing for z) and rotated about the x axis. Symmetric about
    z = 0 where the shape allows (only the part below z = 0, in the Li, is cut)."""
    c, a, h = v.center * s, 0.5 * v.width * s, v.height * s
    if v.shape == "ellipse":
        if a >= h:
            shape = occ.addDisk(c, 0.0, 0.0, a, h)
        else:
            shape = occ.addDisk(c, 0.0, 0.0, h, a)
            occ.rotate([(2, shape)], c, 0.0, 0.0, 0.0, 0.0, 1.0, 0.5 * math.pi)
    elif v.shape == "lens":
        radius = (a * a + h * h) / (2.0 * h)
        shape = occ.addDisk(c, radius - h, 0.0, radius, radius)
    else:
        # a corner radius of min(h, a) would leave straight edges of zero length
        rc = min(max(v.corner_radius * s, 0.0), (1.0 - 1e-6) * min(h, a))
        shape = occ.addRectangle(c - a, -h, 0.0, 2.0 * a, 2.0 * h, roundedRadius=rc)
    clip = occ.addRectangle(x0, -h, 0.0, x1 - x0, 2.0 * h)
    section, _ = occ.intersect([(2, shape)], [(2, clip)])
    occ.rotate(section, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.5 * math.pi)
    return section


def _void_solid(occ: Any, v: VoidSpec, geometry: CellGeometrySpec,
                s: float) -> list[tuple[int, int]]:
    """The void as OCC volumes [µm]: its section revolved about its vertical axis (box pores
    and the cylinder's axis void) or about the cylinder's axis (rings, the rim void)."""
    c, a = v.center * s, 0.5 * v.width * s
    cylinder = geometry.kind == "axisymmetric"
    if cylinder and not on_axis(v, True):
        x1 = min(c + a, geometry.width * s * (1.0 + 1e-3)) if on_rim(
            v, True, geometry.width) else c + a
        section = _section(occ, v, s, c - a, x1)
        axis = (0.0, 0.0)
    else:
        section = _section(occ, v, s, c, c + a)
        axis = (c, 0.0 if cylinder else v.center_y * s)
        if not cylinder:
            occ.translate(section, 0.0, axis[1], 0.0)
    out = occ.revolve(section, axis[0], axis[1], 0.0, 0.0, 0.0, 1.0, 2.0 * math.pi)
    occ.remove(section, recursive=True)  # the section stays a free surface otherwise
    return [dt for dt in out if dt[0] == 3]


# --------------------------------------------------------------------------------------------
# model
# --------------------------------------------------------------------------------------------
def build_gmsh_model_3d(gmsh: Any, geometry: CellGeometrySpec, sizes: MeshSizeSpec,
                        *, generate: bool = True) -> dict[str, Any]:
    """Define (and with ``generate`` mesh) the 3-D cell in the current Gmsh model [µm].

    Returns ``{"voids": [...], "rim_curves": [...]}``: the voids meshed and the curve tags of
    the triple lines where the mesh is finest."""
    occ = gmsh.model.occ
    s = 1.0 / UM
    w, hse, hli = geometry.width * s, geometry.h_se * s, geometry.h_li * s
    cylinder = geometry.kind == "axisymmetric"
    if cylinder:
        li = occ.addCylinder(0.0, 0.0, -hli, 0.0, 0.0, hli, w)
        se = occ.addCylinder(0.0, 0.0, 0.0, 0.0, 0.0, hse, w)
    else:
        depth = geometry.box_depth * s
        li = occ.addBox(0.0, 0.0, -hli, w, depth, hli)
        se = occ.addBox(0.0, 0.0, 0.0, w, depth, hse)
    voids = cell_voids(geometry)
    li_parts = [(3, li)]
    solids = [dt for v in voids for dt in _void_solid(occ, v, geometry, s)]
    if solids:
        li_parts, _ = occ.cut(li_parts, solids)
    occ.fragment([(3, se)], li_parts)
    occ.synchronize()

    tol = 1e-6 * max(w, hse, hli)
    lithium, electrolyte = [], []
    for _, vol in gmsh.model.getEntities(3):
        z = occ.getCenterOfMass(3, vol)[2]
        (lithium if z < 0.0 else electrolyte).append(vol)

    facets: dict[FacetTag, list[int]] = {t: [] for t in FacetTag}
    for _, surf in gmsh.model.getEntities(2):
        up, _ = gmsh.model.getAdjacencies(2, surf)
        in_se = any(int(u) in electrolyte for u in up)
        in_li = any(int(u) in lithium for u in up)
        x0, y0, z0, x1, y1, z1 = gmsh.model.getBoundingBox(2, surf)
        level = next((z for z in (0.0, hse, -hli) if abs(z0 - z) < tol and abs(z1 - z) < tol),
                     None)
        if level == 0.0:
            facets[FacetTag.CONTACT if in_li and in_se else FacetTag.VOID_SE].append(surf)
        elif level == hse:
            facets[FacetTag.SE_TOP].append(surf)
        elif level == -hli:
            facets[FacetTag.LI_BOTTOM].append(surf)
        elif (side := _on_side(gmsh, surf, geometry, s, tol)) is not None:
            facets[side].append(surf)
        elif in_li:
            facets[FacetTag.VOID_LI].append(surf)
        else:
            raise RuntimeError(f"surface {surf} of the 3-D cell is not on any known boundary "
                               f"(bounding box {x0:.4g}..{x1:.4g}, {y0:.4g}..{y1:.4g}, "
                               f"{z0:.4g}..{z1:.4g} um)")
    groups: dict[CellTag | FacetTag, tuple[int, list[int]]] = {
        CellTag.ELECTROLYTE: (3, electrolyte), CellTag.LITHIUM: (3, lithium)}
    groups |= {tag: (2, surfaces) for tag, surfaces in facets.items()}
    for tag, (dim, entities) in groups.items():
        if entities:
            gmsh.model.addPhysicalGroup(dim, entities, int(tag), name=physical_name(tag))

    rims = sorted({abs(int(c)) for surf in facets[FacetTag.VOID_SE]
                   for _, c in gmsh.model.getBoundary([(2, surf)], oriented=False)})
    _size_fields(gmsh, rims, sizes, s)
    opt = gmsh.option
    opt.setNumber("Mesh.MeshSizeExtendFromBoundary", 0)
    opt.setNumber("Mesh.MeshSizeFromPoints", 0)
    opt.setNumber("Mesh.MeshSizeFromCurvature", 0)
    opt.setNumber("Mesh.Algorithm", 6)
    opt.setNumber("Mesh.Algorithm3D", 1)  # Delaunay: deterministic (HXT's threads are not)
    opt.setNumber("Mesh.ElementOrder", 1)
    opt.setNumber("Mesh.SaveAll", 0)
    if generate:
        gmsh.model.mesh.generate(3)
    return {"voids": voids, "rim_curves": rims}


def _on_side(gmsh: Any, surf: int, geometry: CellGeometrySpec, s: float,
             tol: float) -> FacetTag | None:
    """The lateral side a surface lies on, or ``None``."""
    x0, y0, _, x1, y1, _ = gmsh.model.getBoundingBox(2, surf)
    w = geometry.width * s
    if geometry.kind == "axisymmetric":
        lo, hi = gmsh.model.getParametrizationBounds(2, surf)
        uv = [(lo[0] + f * (hi[0] - lo[0]), lo[1] + g * (hi[1] - lo[1]))
              for f in (0.25, 0.5, 0.75) for g in (0.25, 0.5, 0.75)]
        points = gmsh.model.getValue(2, surf, [t for p in uv for t in p])
        radii = [math.hypot(points[3 * k], points[3 * k + 1]) for k in range(len(uv))]
        return FacetTag.SIDE_RIGHT if all(abs(r - w) < tol for r in radii) else None
    d = geometry.box_depth * s
    for value, lo, hi, tag in ((0.0, x0, x1, FacetTag.SIDE_LEFT), (w, x0, x1, FacetTag.SIDE_RIGHT),
                               (0.0, y0, y1, FacetTag.SIDE_FRONT),
                               (d, y0, y1, FacetTag.SIDE_BACK)):
        if abs(lo - value) < tol and abs(hi - value) < tol:
            return tag
    return None


def _size_fields(gmsh: Any, rims: list[int], sizes: MeshSizeSpec, s: float) -> None:
    """Background size [µm]: ``size_fine`` on the rim curves, growing linearly to
    ``size_coarse`` over ``grading_distance``."""
    field = gmsh.model.mesh.field
    fine, coarse = sizes.size_fine * s, sizes.size_coarse * s
    constant = field.add("MathEval")
    field.setString(constant, "F", repr(coarse))
    if not rims or fine >= coarse:
        field.setAsBackgroundMesh(constant)
        return
    length = sum(gmsh.model.occ.getMass(1, c) for c in rims)
    dist = field.add("Distance")
    field.setNumbers(dist, "CurvesList", rims)
    field.setNumber(dist, "Sampling", int(min(1e5, 2.0 * length / fine / len(rims) + 20)))
    thr = field.add("Threshold")
    field.setNumber(thr, "InField", dist)
    field.setNumber(thr, "SizeMin", fine)
    field.setNumber(thr, "SizeMax", coarse)
    field.setNumber(thr, "DistMin", 0.0)
    field.setNumber(thr, "DistMax", sizes.grading_distance * s)
    fmin = field.add("Min")
    field.setNumbers(fmin, "FieldsList", [constant, thr])
    field.setAsBackgroundMesh(fmin)


__all__ = ["UM", "build_gmsh_model_3d", "cell_extent", "void_problems_3d"]
