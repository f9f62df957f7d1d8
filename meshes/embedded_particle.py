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


def build_particle_in_box(comm: MPI.Comm, radius: float, width: float, height: float,
                          size: float, *, interface_size: float | None = None) -> Any:
    """3-D: the octant ``x, y, z >= 0`` of a particle of ``radius`` [m] at the centre of a
    rectangular unit cell of half-widths ``width`` (x, y) and half-height ``height`` (z) [m]: a
    simple-cubic (or tetragonal) array of particles, each cell symmetric about its three mid
    planes. Linear tetrahedra of ``size`` [m], graded to ``interface_size`` at the interface.
    ``.mesh``, ``.cell_tags``, ``.facet_tags``; collective, Gmsh on rank 0."""
    _check_sizes(radius, size, interface_size, width=width, height=height)
    w, h = width / UM, height / UM
    return _build_3d(comm, radius, lambda occ: occ.addBox(0.0, 0.0, 0.0, w, w, h), w, h, size,
                     interface_size, model="ssbx_particle_in_box",
                     what="the particle in a 3-D unit cell")


def build_particle_in_shell_3d(comm: MPI.Comm, radius: float, outer_radius: float,
                               size: float, *, interface_size: float | None = None) -> Any:
    """3-D: the octant of a particle of ``radius`` [m] in a concentric spherical matrix shell up
    to ``outer_radius`` [m] (the closed-form body in 3-D). Linear tetrahedra; collective."""
    _check_sizes(radius, size, interface_size, outer_radius=outer_radius)
    b = outer_radius / UM

    def sphere_octant(occ: Any) -> int:
        octant, _ = occ.intersect([(3, occ.addSphere(0.0, 0.0, 0.0, b))],
                                  [(3, occ.addBox(0.0, 0.0, 0.0, b, b, b))])
        return octant[0][1]

    return _build_3d(comm, radius, sphere_octant, 2.0 * b, 2.0 * b, size, interface_size,
                     model="ssbx_particle_in_shell_3d", what="the particle in a 3-D shell")


def _build_3d(comm: MPI.Comm, radius: float, outer_body: Any, w: float, h: float, size: float,
              interface_size: float | None, *, model: str, what: str) -> Any:
    """The octant of a particle inside ``outer_body(occ)`` (a volume tag): the faces on the
    planes x, y, z = 0 are symmetry planes, those on x, y = w and z = h sides and top, the
    particle-matrix faces the interface, any other face of the matrix the loaded ``OUTER``."""
    a = radius / UM

    def build(gmsh: Any) -> None:
        occ = gmsh.model.occ
        box = [(3, outer_body(occ))]
        octant, _ = occ.intersect([(3, occ.addSphere(0.0, 0.0, 0.0, a))],
                                  [(3, occ.addBox(0.0, 0.0, 0.0, a, a, a))])
        pieces, _ = occ.fragment(box, octant)
        occ.synchronize()
        tol = 1e-6 * max(w, h)
        volumes = {EmbeddedTag.PARTICLE: [], EmbeddedTag.MATRIX: []}
        for _, v in pieces:
            top = max(gmsh.model.getBoundingBox(3, v)[3:])
            volumes[EmbeddedTag.PARTICLE if top < a + tol else EmbeddedTag.MATRIX].append(v)
        particle_faces = {f for v in volumes[EmbeddedTag.PARTICLE]
                          for _, f in gmsh.model.getBoundary([(3, v)], oriented=False)}
        matrix_faces = {f for v in volumes[EmbeddedTag.MATRIX]
                        for _, f in gmsh.model.getBoundary([(3, v)], oriented=False)}
        planes = ((0, 0.0, EmbeddedTag.SYMMETRY_X), (1, 0.0, EmbeddedTag.SYMMETRY_Y),
                  (2, 0.0, EmbeddedTag.EQUATOR), (0, w, EmbeddedTag.SIDE_X),
                  (1, w, EmbeddedTag.SIDE_Y), (2, h, EmbeddedTag.OUTER))
        groups: dict[EmbeddedTag, list[int]] = {tag: [] for *_, tag in planes}
        groups[EmbeddedTag.INTERFACE] = []
        for face in particle_faces | matrix_faces:
            box_ = gmsh.model.getBoundingBox(2, face)
            for axis, at, tag in planes:
                if abs(box_[axis] - at) < tol and abs(box_[axis + 3] - at) < tol:
                    groups[tag].append(face)
                    break
            else:
                both = face in particle_faces and face in matrix_faces
                groups[EmbeddedTag.INTERFACE if both else EmbeddedTag.OUTER].append(face)
        for tag, group in volumes.items():
            gmsh.model.addPhysicalGroup(3, group, int(tag), name=tag.name.lower())
        for tag, faces in groups.items():
            if faces:
                gmsh.model.addPhysicalGroup(2, faces, int(tag), name=tag.name.lower())
        _grade_to_interface(gmsh, groups[EmbeddedTag.INTERFACE], "SurfacesList", size,
                            interface_size, a)
        gmsh.model.mesh.generate(3)

    data = mesh_on_rank(comm, build, model=model, what=what, gdim=3)
    data.mesh.geometry.x[:] *= UM
    return data


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
        _grade_to_interface(gmsh, groups[EmbeddedTag.INTERFACE], "CurvesList", size,
                            interface_size, a)
        gmsh.model.mesh.generate(2)
        if order > 1:
            gmsh.model.mesh.setOrder(order)

    data = mesh_on_rank(comm, build, model=model, what=what, gdim=2)
    data.mesh.geometry.x[:] *= UM
    return data


__all__ = ["EmbeddedTag", "build_particle_in_box", "build_particle_in_cell",
           "build_particle_in_shell", "build_particle_in_shell_3d"]
