"""Geometry and mesh-size specifications of the Li | solid-electrolyte cell (SI units, metres).

Coordinates: ``x`` is lateral (planar) or radial ``r`` (axisymmetric), ``y`` is vertical (``z``).
The reference Li/electrolyte interface is the line ``y = 0``; the electrolyte occupies
``0 <= y <= h_se`` and the Li ``-h_li <= y <= 0``. Interfacial voids are cut into the Li below
the interface: the electrolyte side of a void is the flat segment of ``y = 0`` it covers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

VoidShape = Literal["ellipse", "lens", "rounded_rectangle"]
GeometryKind = Literal["planar", "axisymmetric"]
VoidModel = Literal["gap", "explicit"]


@dataclass(frozen=True)
class VoidSpec:
    """One interfacial void, cut into the Li.

    center: lateral position of the void centre [m] (axisymmetric: 0, on the axis).
    width: void width along the interface [m] (axisymmetric and 3-D: the diameter).
    height: void depth into the Li [m].
    shape: ``"ellipse"`` (half-ellipse cap: a hemisphere when ``height = width / 2``),
        ``"lens"`` (circular cap: a lenticular pore meeting the interface at a finite angle)
        or ``"rounded_rectangle"`` (a flat-bottomed slit).
    corner_radius: radius of the rounded corners at the void bottom [m]
        (``rounded_rectangle`` only).
    center_y: second lateral coordinate of the centre of a pore in a 3-D box cell [m]
        (:mod:`ssbx.meshes.cell3d`: there every void is a pore of revolution about its
        vertical axis: a half spheroid, a spherical cap or a flat-bottomed cylinder).
    """

    center: float
    width: float
    height: float
    shape: VoidShape = "ellipse"
    corner_radius: float = 0.0
    center_y: float = 0.0

    @property
    def x_min(self) -> float:
        """Left end of the void along the interface [m]: ``center - width / 2``."""
        return self.center - 0.5 * self.width

    @property
    def x_max(self) -> float:
        """Right end of the void along the interface [m]: ``center + width / 2``."""
        return self.center + 0.5 * self.width


GMSH_SUFFIXES = (".msh", ".geo", ".geo_unrolled", ".step", ".stp", ".brep", ".iges", ".igs")
"""Files Gmsh reads for ``geometry.mesh_file``: a mesh, or a geometry meshed in 2-D."""


@dataclass(frozen=True)
class CellGeometrySpec:
    """The 2-D (planar) or axisymmetric Li | electrolyte unit cell.

    kind: ``"planar"`` (plane, unit depth) or ``"axisymmetric"`` (x = r, y = z).
    h_se: electrolyte thickness [m]. h_li: Li thickness [m].
    width: lateral period L (planar) or cell radius (axisymmetric) [m].
    voids: interfacial voids, non-overlapping, inside ``0 < x < width``.
    void_model: how a stripping problem represents the voids: ``"gap"`` (a gap field on a flat,
        conforming interface; small slopes) or ``"explicit"`` (holes in the Li mesh, free
        surfaces whose distance to the electrolyte is the contact gap). Meshes for other
        problems always cut the voids.
    roughness_rq, roughness_length, roughness_seed: RMS roughness [m], correlation length [m]
        and random seed of a rough rigid electrolyte surface (stripping problems, gap model;
        :mod:`ssbx.meshes.roughness`); 0: flat.
    mesh_file, mesh_unit: a user's Gmsh file (``""``: ssbx meshes the cell) and the length of
        one of its units [m] (:mod:`ssbx.meshes.user_mesh`).
    dimension: 2 (the cell above) or 3 (:mod:`ssbx.meshes.cell3d`: ``planar`` is a box
        ``width x depth`` with x, y lateral and z vertical, ``axisymmetric`` the full cylinder
        of radius ``width`` whose section is the 2-D axisymmetric cell).
    depth: extent of a 3-D box along y [m] (0: equal to ``width``).
    pore_count, pore_contact_fraction, pore_aspect, pore_shape, pore_seed: a seeded random
        array of ``pore_count`` equal, non-overlapping pores in a 3-D box, sized so that the
        Li/electrolyte contact fraction is ``pore_contact_fraction``; depth = ``pore_aspect``
        x diameter (:mod:`ssbx.meshes.pores`). Added to ``voids``.
    """

    kind: GeometryKind = "planar"
    h_se: float = 50e-6
    h_li: float = 20e-6
    width: float = 100e-6
    voids: tuple[VoidSpec, ...] = field(default_factory=tuple)
    void_model: VoidModel = "gap"
    roughness_rq: float = 0.0
    roughness_length: float = 20e-6
    roughness_seed: int = 0
    mesh_file: str = ""
    mesh_unit: float = 1.0
    dimension: int = 2
    depth: float = 0.0
    pore_count: int = 0
    pore_contact_fraction: float = 0.8
    pore_aspect: float = 0.25
    pore_shape: VoidShape = "ellipse"
    pore_seed: int = 0

    @property
    def box_depth(self) -> float:
        """Extent of a 3-D box cell along y [m]: ``depth``, or ``width`` when 0."""
        return self.depth if self.depth > 0.0 else self.width

    @property
    def explicit_voids(self) -> bool:
        """Whether a stripping problem's voids are holes in the Li mesh (``void_model =
        "explicit"`` and at least one void) rather than gaps on a flat interface."""
        return self.void_model == "explicit" and bool(self.voids)


@dataclass(frozen=True)
class MeshSizeSpec:
    """Target element sizes [m].

    size_fine: size at the void edges (triple points where Li, electrolyte and void meet).
    size_coarse: size far from them.
    grading_distance: distance from a triple point over which the size grows from fine to coarse.
    max_cells: the largest mesh (triangles) a case may build (checked before meshing).
    refinements: uniform refinements of the Gmsh cell after it is distributed (each splits
        every triangle into 4, every tetrahedron into 8), done by dolfinx on every rank in
        parallel, so that one rank never holds the fine mesh; new nodes lie on the coarse
        mesh's straight edges (curved void outlines keep the coarse polygon).
    """

    size_fine: float = 0.5e-6
    size_coarse: float = 5e-6
    grading_distance: float = 20e-6
    max_cells: int = 4_000_000
    refinements: int = 0
