"""Structured cell meshes with a flat Li/electrolyte reference interface (stripping and contact).

The stripping/contact model keeps the Li and electrolyte meshes conforming on the flat interface
``y = 0`` and describes voids, initial and grown, as a gap field on that interface (see
:mod:`ssbx.physics.contact`), so the void shapes are not part of the geometry. The mesh is
therefore a structured rectangle ``[0, width] x [-h_li, h_se]`` of triangles: uniform columns of
width ``size_fine`` along the interface (current crowding and contact edges can be anywhere on
it) and rows that grow geometrically away from the interface, from ``size_fine`` by the ratio
``growth`` up to ``size_coarse``. Built with :func:`dolfinx.mesh.create_rectangle` on every rank
in parallel (no Gmsh model is needed for a rectangle) with shared-facet ghosts, and tagged with
the same :mod:`ssbx.meshes.tags` as the Gmsh cells.

In 3-D (``geometry.dimension = 3``, a box) the same grid is a box ``[0, width] x [0, depth] x
[-h_li, h_se]`` of tetrahedra (:func:`dolfinx.mesh.create_box`, six per hexahedron), square
columns of ``size_fine`` over the interface ``z = 0``, the same graded layers in z, and the
four sides tagged left/right (x) and front/back (y).
"""

from __future__ import annotations

import math
from pathlib import Path

from mpi4py import MPI

import dolfinx
import numpy as np

from ssbx.meshes.cell import CellMesh, _make_cell_mesh, build_cell_mesh
from ssbx.meshes.sizing import FLAT_GROWTH, flat_cell_grid
from ssbx.meshes.spec import CellGeometrySpec, MeshSizeSpec
from ssbx.meshes.tags import CellTag, FacetTag


def build_flat_cell_mesh(comm: MPI.Comm, geometry: CellGeometrySpec, sizes: MeshSizeSpec, *,
                         growth: float = FLAT_GROWTH) -> CellMesh:
    """The structured flat-interface cell of the module docstring (collective on ``comm``).

    ``geometry.voids`` are ignored here (they are initial gaps, not holes). Columns:
    ``ceil(width / size_fine)``; rows: :func:`graded_rows` in the Li and in the electrolyte.
    """
    nx, y_li, y_se = flat_cell_grid(geometry, sizes, growth)
    rows = np.concatenate([-y_li[::-1], y_se[1:]])  # bottom (Li) to top (electrolyte)
    ny = rows.size - 1
    ghosts = dolfinx.mesh.GhostMode.shared_facet
    if geometry.dimension == 3:
        depth = geometry.box_depth
        n_depth = max(1, math.ceil(depth / sizes.size_fine - 1e-9))
        mesh = dolfinx.mesh.create_box(
            comm, [np.array([0.0, 0.0, 0.0]), np.array([geometry.width, depth, float(ny)])],
            [nx, n_depth, ny], cell_type=dolfinx.mesh.CellType.tetrahedron, ghost_mode=ghosts)
    else:
        mesh = dolfinx.mesh.create_rectangle(
            comm, [np.array([0.0, 0.0]), np.array([geometry.width, float(ny)])], [nx, ny],
            cell_type=dolfinx.mesh.CellType.triangle, ghost_mode=ghosts,
            diagonal=dolfinx.mesh.DiagonalType.right)
    x = mesh.geometry.x
    up = geometry.dimension - 1  # the vertical coordinate
    j = np.rint(x[:, up]).astype(np.int64)
    x[:, up] = rows[np.clip(j, 0, ny)]
    cell_tags, facet_tags = _tags(mesh, geometry)
    return _make_cell_mesh(mesh, cell_tags, facet_tags, geometry)


def _tags(mesh: dolfinx.mesh.Mesh,
          geometry: CellGeometrySpec) -> tuple[dolfinx.mesh.MeshTags, dolfinx.mesh.MeshTags]:
    tdim = mesh.topology.dim
    fdim = tdim - 1
    imap = mesh.topology.index_map(tdim)
    cells = np.arange(imap.size_local + imap.num_ghosts, dtype=np.int32)
    mid = dolfinx.mesh.compute_midpoints(mesh, tdim, cells)
    up = tdim - 1  # the vertical coordinate
    values = np.where(mid[:, up] < 0.0, int(CellTag.LITHIUM), int(CellTag.ELECTROLYTE))
    cell_tags = dolfinx.mesh.meshtags(mesh, tdim, cells, values.astype(np.int32))

    tol = 1e-9 * max(geometry.width, geometry.h_li + geometry.h_se)
    W = geometry.width
    located = [
        (FacetTag.CONTACT, lambda p: np.abs(p[up]) < tol),
        (FacetTag.SE_TOP, lambda p: np.abs(p[up] - geometry.h_se) < tol),
        (FacetTag.LI_BOTTOM, lambda p: np.abs(p[up] + geometry.h_li) < tol),
        (FacetTag.SIDE_LEFT, lambda p: np.abs(p[0]) < tol),
        (FacetTag.SIDE_RIGHT, lambda p: np.abs(p[0] - W) < tol),
    ]
    if tdim == 3:
        D = geometry.box_depth
        located += [(FacetTag.SIDE_FRONT, lambda p: np.abs(p[1]) < tol),
                    (FacetTag.SIDE_BACK, lambda p: np.abs(p[1] - D) < tol)]
    mesh.topology.create_connectivity(fdim, tdim)
    indices, tag_values = [], []
    for tag, where in located:
        facets = dolfinx.mesh.locate_entities(mesh, fdim, where)
        indices.append(facets)
        tag_values.append(np.full(facets.size, int(tag), dtype=np.int32))
    idx = np.concatenate(indices).astype(np.int32)
    val = np.concatenate(tag_values)
    order = np.argsort(idx, kind="stable")
    idx, val = idx[order], val[order]
    keep = np.concatenate([[True], idx[1:] != idx[:-1]])  # corner facets: first tag wins
    facet_tags = dolfinx.mesh.meshtags(mesh, fdim, idx[keep], val[keep])
    return cell_tags, facet_tags


def build_stripping_mesh(comm: MPI.Comm, geometry: CellGeometrySpec, sizes: MeshSizeSpec, *,
                         msh_path: Path | None = None) -> CellMesh:
    """The mesh of a stripping problem (collective on ``comm``): this structured flat cell
    (voids are gap fields), or, with ``geometry.explicit_voids``, the Gmsh cell with the voids
    cut into the Li and the nodes on both sides of each void paired (``msh_path``: also write
    its Gmsh mesh there; the flat cell has none)."""
    if geometry.explicit_voids:
        return build_cell_mesh(comm, geometry, sizes, msh_path=msh_path)
    return build_flat_cell_mesh(comm, geometry, sizes)


__all__ = ["build_flat_cell_mesh", "build_stripping_mesh"]
