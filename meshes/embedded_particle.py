"""Gmsh builders of a spherical particle embedded in a solid-electrolyte matrix, in axisymmetry
(the meridian plane, x = r, y = z; symmetric about z = 0 through the particle's centre) or in
3-D (the octant x, y, z >= 0, symmetric about the three planes through the centre).

Two matrices around the particle of radius R (3-D: a box instead of the cylinder):

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
    """Tags of the embedded particle: cells of the particle and of the matrix; the
    particle-matrix interface, the symmetry plane z = 0 (``EQUATOR``) and the loaded outer
    boundary (the shell's outer sphere, or the cell's top). Meridian: the axis (r = 0) and the
    cell's side (r = width). 3-D box: the symmetry planes x = 0 and y = 0 and the sides
    x = width and y = width."""

    PARTICLE = 1
    MATRIX = 2
    OUTER = 32
    SYMMETRY_X = 33
    SYMMETRY_Y = 34
    EQUATOR = 35
    AXIS = 36
    SIDE = 37
    SIDE_X = 38
    SIDE_Y = 39
    INTERFACE = 40


def build_particle_in_shell(comm: MPI.Comm, radius: float, outer_radius: float, size: float,
                            *, interface_size: float | None = None, order: int = 2) -> Any:
    """A particle of ``radius`` [m] in a concentric spherical matrix shell up to
    ``outer_radius`` [m] (meridian quarter disk and quarter annulus): ``.mesh``, ``.cell_tags``,
    ``.facet_tags``. Triangles of ``size`` [m], graded to ``interface_size`` at the interface.
    Collective; Gmsh runs on rank 0."""
    _check_sizes(radius, size, interface_size, outer_radius=outer_radius)
    b = outer_radius / UM
    return _build(comm, 2, radius, lambda occ: _quarter(occ, 2, b), 2.0 * b, 2.0 * b, size,
                  interface_size, order, model="ssbx_particle_in_shell",
                  what="the particle in a shell")


def build_particle_in_cell(comm: MPI.Comm, radius: float, width: float, height: float,
                           size: float, *, interface_size: float | None = None,
                           order: int = 2) -> Any:
    """A particle of ``radius`` [m] in a cylindrical unit cell ``r <= width``, ``0 <= z <=
    height`` [m] (meridian rectangle): ``.mesh``, ``.cell_tags``, ``.facet_tags``. Triangles of
    ``size`` [m], graded to ``interface_size`` at the interface. Collective; Gmsh runs on
    rank 0."""
    _check_sizes(radius, size, interface_size, width=width, height=height)
    w, h = width / UM, height / UM
    return _build(comm, 2, radius,
                  lambda occ: [(2, occ.addRectangle(0.0, 0.0, 0.0, w, h))], w, h, size,
                  interface_size, order, model="ssbx_particle_in_cell",
                  what="the particle in a unit cell")


def build_particle_in_box(comm: MPI.Comm, radius: float, width: float, height: float,
                          size: float, *, interface_size: float | None = None) -> Any:
    """3-D: the octant ``x, y, z >= 0`` of a particle of ``radius`` [m] at the centre of a
    rectangular unit cell of half-widths ``width`` (x, y) and half-height ``height`` (z) [m]: a
    simple-cubic (or tetragonal) array of particles, each cell symmetric about its three mid
    planes. Linear tetrahedra of ``size`` [m], graded to ``interface_size`` at the interface.
    ``.mesh``, ``.cell_tags``, ``.facet_tags``; collective, Gmsh on rank 0."""
    _check_sizes(radius, size, interface_size, width=width, height=height)
    w, h = width / UM, height / UM
    return _build(comm, 3, radius, lambda occ: [(3, occ.addBox(0.0, 0.0, 0.0, w, w, h))], w,
                  h, size, interface_size, 1, model="ssbx_particle_in_box",
                  what="the particle in a 3-D unit cell")


def build_particle_in_shell_3d(comm: MPI.Comm, radius: float, outer_radius: float,
                               size: float, *, interface_size: float | None = None) -> Any:
    """3-D: the octant of a particle of ``radius`` [m] in a concentric spherical matrix shell up
    to ``outer_radius`` [m] (the closed-form body in 3-D). Linear tetrahedra; collective."""
    _check_sizes(radius, size, interface_size, outer_radius=outer_radius)
    b = outer_radius / UM
    return _build(comm, 3, radius, lambda occ: _quarter(occ, 3, b), 2.0 * b, 2.0 * b, size,
                  interface_size, 1, model="ssbx_particle_in_shell_3d",
                  what="the particle in a 3-D shell")


def _quarter(occ: Any, dim: int, radius_um: float) -> list[tuple[int, int]]:
    """The part ``x, y (, z) >= 0`` of a disk (dim 2) or a sphere (dim 3) of ``radius_um``."""
    r = radius_um
    if dim == 2:
        return occ.intersect([(2, occ.addDisk(0.0, 0.0, 0.0, r, r))],
                             [(2, occ.addRectangle(0.0, 0.0, 0.0, r, r))])[0]
    return occ.intersect([(3, occ.addSphere(0.0, 0.0, 0.0, r))],
                         [(3, occ.addBox(0.0, 0.0, 0.0, r, r, r))])[0]


def _grade_to_interface(gmsh: Any, entities: list[int], kind: str, size: float,
                        interface_size: float | None, radius_um: float) -> None:
    """Element size ``interface_size`` at the interface growing to ``size`` over R/2."""
    fine = size / UM if interface_size is None else min(size, interface_size) / UM
    distance = gmsh.model.mesh.field.add("Distance")
    gmsh.model.mesh.field.setNumbers(distance, kind, entities)
    threshold = gmsh.model.mesh.field.add("Threshold")
    gmsh.model.mesh.field.setNumber(threshold, "InField", distance)
    gmsh.model.mesh.field.setNumber(threshold, "SizeMin", fine)
    gmsh.model.mesh.field.setNumber(threshold, "SizeMax", size / UM)
    gmsh.model.mesh.field.setNumber(threshold, "DistMin", 0.0)
    gmsh.model.mesh.field.setNumber(threshold, "DistMax", 0.5 * radius_um)
    gmsh.model.mesh.field.setAsBackgroundMesh(threshold)
    for name in ("MeshSizeExtendFromBoundary", "MeshSizeFromPoints", "MeshSizeFromCurvature"):
        gmsh.option.setNumber(f"Mesh.{name}", 0)
    gmsh.option.setNumber("Mesh.MeshSizeMax", size / UM)


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


def _build(comm: MPI.Comm, dim: int, radius: float, outer_body: Any, w: float, h: float,
           size: float, interface_size: float | None, order: int, *, model: str,
           what: str) -> Any:
    """The part ``x, y (, z) >= 0`` of a particle of ``radius`` [m] inside ``outer_body(occ)``
    (its OpenCASCADE dim-tags), meshed conformingly in ``dim`` dimensions. Boundary entities
    on the planes through the centre are the symmetry planes (2-D: the axis and the equator),
    those on x (, y) = ``w`` the sides and on the last coordinate = ``h`` the top (``OUTER``)
    [um]; the particle-matrix boundary is the interface and any other matrix boundary (a
    shell's outer sphere) ``OUTER``."""
    a = radius / UM
    if dim == 2:
        planes = ((0, 0.0, EmbeddedTag.AXIS), (1, 0.0, EmbeddedTag.EQUATOR),
                  (0, w, EmbeddedTag.SIDE), (1, h, EmbeddedTag.OUTER))
    else:
        planes = ((0, 0.0, EmbeddedTag.SYMMETRY_X), (1, 0.0, EmbeddedTag.SYMMETRY_Y),
                  (2, 0.0, EmbeddedTag.EQUATOR), (0, w, EmbeddedTag.SIDE_X),
                  (1, w, EmbeddedTag.SIDE_Y), (2, h, EmbeddedTag.OUTER))

    def build(gmsh: Any) -> None:
        occ = gmsh.model.occ
        outer = outer_body(occ)
        pieces, _ = occ.fragment(outer, _quarter(occ, dim, a))
        occ.synchronize()
        tol = 1e-6 * max(w, h)
        regions = {EmbeddedTag.PARTICLE: [], EmbeddedTag.MATRIX: []}
        for _, entity in pieces:
            top = max(gmsh.model.getBoundingBox(dim, entity)[3:])
            regions[EmbeddedTag.PARTICLE if top < a + tol else EmbeddedTag.MATRIX].append(entity)
        boundaries = {tag: {b for e in entities
                            for _, b in gmsh.model.getBoundary([(dim, e)], oriented=False)}
                      for tag, entities in regions.items()}
        groups: dict[EmbeddedTag, list[int]] = {tag: [] for *_, tag in planes}
        groups[EmbeddedTag.INTERFACE] = []
        both = boundaries[EmbeddedTag.PARTICLE] & boundaries[EmbeddedTag.MATRIX]
        for entity in boundaries[EmbeddedTag.PARTICLE] | boundaries[EmbeddedTag.MATRIX]:
            box = gmsh.model.getBoundingBox(dim - 1, entity)
            for axis, at, tag in planes:
                if abs(box[axis] - at) < tol and abs(box[axis + 3] - at) < tol:
                    groups[tag].append(entity)
                    break
            else:
                groups[EmbeddedTag.INTERFACE if entity in both else EmbeddedTag.OUTER].append(
                    entity)
        for tag, entities in regions.items():
            gmsh.model.addPhysicalGroup(dim, entities, int(tag), name=tag.name.lower())
        for tag, entities in groups.items():
            if entities:
                gmsh.model.addPhysicalGroup(dim - 1, entities, int(tag), name=tag.name.lower())
        _grade_to_interface(gmsh, groups[EmbeddedTag.INTERFACE],
                            "CurvesList" if dim == 2 else "SurfacesList", size, interface_size,
                            a)
        gmsh.model.mesh.generate(dim)
        if order > 1:
            gmsh.model.mesh.setOrder(order)

    data = mesh_on_rank(comm, build, model=model, what=what, gdim=dim)
    data.mesh.geometry.x[:] *= UM
    return data


__all__ = ["EmbeddedTag", "build_particle_in_box", "build_particle_in_cell",
           "build_particle_in_shell", "build_particle_in_shell_3d"]
