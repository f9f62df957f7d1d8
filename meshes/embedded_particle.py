"""Gmsh builders of a spherical particle embedded in a solid-electrolyte matrix, in axisymmetry
(the meridian plane, x = r, y = z; symmetric about z = 0 through the particle's centre).

Two matrices around the particle of radius R:

- a concentric spherical shell ``R <= rho <= outer_radius`` (the closed-form verification body,
  and the dilute limit of a composite as outer_radius / R grows);
- a cylindrical unit cell ``r <= width, 0 <= z <= height`` (a composite cathode layer: the cell
  is repeated by its symmetry about z = 0 and approximated laterally by rollers at r = width;
  particle volume fraction ``2 R^3 / (3 width^2 height)``).

The particle and the matrix share the interface's nodes (one conforming mesh); the problem puts
a displacement field on each so that the interface may open
(:mod:`ssbx.problems.embedded_particle`). Cells: ``PARTICLE``, ``MATRIX``; facets:
:class:`EmbeddedTag`. The model is built in micrometres, the mesh returned in metres;
``order = 2`` gives curved 6-node triangles (no O(h^2) error of the circle).
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from mpi4py import MPI

from ssbx.meshes.gmsh_session import mesh_on_rank

UM = 1e-6


class EmbeddedTag(IntEnum):
    """Tags of the embedded particle's meridian: cells of the particle and of the matrix; the
    particle-matrix interface, the axis (r = 0), the symmetry plane (z = 0), the loaded outer
    boundary (the shell's outer sphere, or the cell's top) and the cell's side (r = width)."""

    PARTICLE = 1
    MATRIX = 2
    OUTER = 32
    EQUATOR = 35
    AXIS = 36
    SIDE = 37
    INTERFACE = 40


def build_particle_in_shell(comm: MPI.Comm, radius: float, outer_radius: float, size: float,
                            *, interface_size: float | None = None, order: int = 2) -> Any:
    """A particle of ``radius`` [m] in a concentric spherical matrix shell up to
    ``outer_radius`` [m] (meridian quarter disk and quarter annulus): ``.mesh``, ``.cell_tags``,
    ``.facet_tags``. Triangles of ``size`` [m], graded to ``interface_size`` at the interface.
    Collective; Gmsh runs on rank 0."""
    _check_sizes(radius, size, interface_size, outer_radius=outer_radius)

    def outline(occ: Any, b: float) -> list[tuple[int, int]]:
        disk = occ.addDisk(0.0, 0.0, 0.0, b, b)
        quarter, _ = occ.intersect([(2, disk)], [(2, occ.addRectangle(0.0, 0.0, 0.0, b, b))])
        return quarter

    return _build(comm, radius, outer_radius / UM, outline, size, interface_size, order,
                  model="ssbx_particle_in_shell", what="the particle in a shell")


def build_particle_in_cell(comm: MPI.Comm, radius: float, width: float, height: float,
                           size: float, *, interface_size: float | None = None,
                           order: int = 2) -> Any:
    """A particle of ``radius`` [m] in a cylindrical unit cell ``r <= width``, ``0 <= z <=
    height`` [m] (meridian rectangle): ``.mesh``, ``.cell_tags``, ``.facet_tags``. Triangles of
    ``size`` [m], graded to ``interface_size`` at the interface. Collective; Gmsh runs on
    rank 0."""
    _check_sizes(radius, size, interface_size, width=width, height=height)

    def outline(occ: Any, _b: float) -> list[tuple[int, int]]:
        return [(2, occ.addRectangle(0.0, 0.0, 0.0, width / UM, height / UM))]

    return _build(comm, radius, max(width, height) / UM, outline, size, interface_size, order,
                  model="ssbx_particle_in_cell", what="the particle in a unit cell")


def _check_sizes(radius: float, size: float, interface_size: float | None,
                 **outer: float) -> None:
    values = {"radius": radius, "size": size, **outer}
    if interface_size is not None:
        values["interface_size"] = interface_size
    bad = {k: v for k, v in values.items() if not v > 0.0}
    if bad:
        raise ValueError(f"need positive lengths, got {bad}")
    small = {k: v for k, v in outer.items() if not v > radius * (1.0 + 1e-9)}
    if small:
        raise ValueError(f"the matrix must enclose the particle: {small} not > radius "
                         f"{radius!r}")


def _build(comm: MPI.Comm, radius: float, extent: float, outline: Any, size: float,
           interface_size: float | None, order: int, *, model: str, what: str) -> Any:
    def build(gmsh: Any) -> None:
        occ = gmsh.model.occ
        a = radius / UM
        outer = outline(occ, extent)
        disk = occ.addDisk(0.0, 0.0, 0.0, a, a)
        particle, _ = occ.intersect([(2, disk)], [(2, occ.addRectangle(0.0, 0.0, 0.0, a, a))])
        pieces, _ = occ.fragment(outer, particle)
        occ.synchronize()
        tol = 1e-6 * extent
        surfaces = {EmbeddedTag.PARTICLE: [], EmbeddedTag.MATRIX: []}
        for _, s in pieces:
            box = gmsh.model.getBoundingBox(2, s)
            inside = max(box[3], box[4]) < a + tol
            surfaces[EmbeddedTag.PARTICLE if inside else EmbeddedTag.MATRIX].append(s)
        groups: dict[EmbeddedTag, list[int]] = {tag: [] for tag in (
            EmbeddedTag.OUTER, EmbeddedTag.EQUATOR, EmbeddedTag.AXIS, EmbeddedTag.SIDE,
            EmbeddedTag.INTERFACE)}
        particle_curves = {c for s in surfaces[EmbeddedTag.PARTICLE]
                           for _, c in gmsh.model.getBoundary([(2, s)], oriented=False)}
        matrix_curves = {c for s in surfaces[EmbeddedTag.MATRIX]
                         for _, c in gmsh.model.getBoundary([(2, s)], oriented=False)}
        for curve in particle_curves | matrix_curves:
            x0, y0, _, x1, y1, _ = gmsh.model.getBoundingBox(1, curve)
            if abs(x0) < tol and abs(x1) < tol:
                groups[EmbeddedTag.AXIS].append(curve)
            elif abs(y0) < tol and abs(y1) < tol:
                groups[EmbeddedTag.EQUATOR].append(curve)
            elif curve in particle_curves and curve in matrix_curves:
                groups[EmbeddedTag.INTERFACE].append(curve)
            elif abs(x0 - x1) < tol:
                groups[EmbeddedTag.SIDE].append(curve)
            else:
                groups[EmbeddedTag.OUTER].append(curve)
        for tag, group in surfaces.items():
            gmsh.model.addPhysicalGroup(2, group, int(tag), name=tag.name.lower())
        for tag, curves in groups.items():
            if curves:
                gmsh.model.addPhysicalGroup(1, curves, int(tag), name=tag.name.lower())
        fine = size / UM if interface_size is None else min(size, interface_size) / UM
        distance = gmsh.model.mesh.field.add("Distance")
        gmsh.model.mesh.field.setNumbers(distance, "CurvesList", groups[EmbeddedTag.INTERFACE])
        threshold = gmsh.model.mesh.field.add("Threshold")
        gmsh.model.mesh.field.setNumber(threshold, "InField", distance)
        gmsh.model.mesh.field.setNumber(threshold, "SizeMin", fine)
        gmsh.model.mesh.field.setNumber(threshold, "SizeMax", size / UM)
        gmsh.model.mesh.field.setNumber(threshold, "DistMin", 0.0)
        gmsh.model.mesh.field.setNumber(threshold, "DistMax", 0.5 * a)
        gmsh.model.mesh.field.setAsBackgroundMesh(threshold)
        for name in ("MeshSizeExtendFromBoundary", "MeshSizeFromPoints", "MeshSizeFromCurvature"):
            gmsh.option.setNumber(f"Mesh.{name}", 0)
        gmsh.option.setNumber("Mesh.MeshSizeMax", size / UM)
        gmsh.model.mesh.generate(2)
        if order > 1:
            gmsh.model.mesh.setOrder(order)

    data = mesh_on_rank(comm, build, model=model, what=what, gdim=2)
    data.mesh.geometry.x[:] *= UM
    return data


__all__ = ["EmbeddedTag", "build_particle_in_cell", "build_particle_in_shell"]
