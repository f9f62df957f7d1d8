"""A structured axisymmetric cell mesh graded towards the edge of a free Li foil.

Used where the foil edge matters (squeeze flow and stack-pressure relaxation of a free foil):
uniform Li layers, electrolyte layers and radial columns that grow away from the foil edge.
Tags as the Gmsh builders (:mod:`ssbx.meshes.tags`).
"""

from __future__ import annotations

from mpi4py import MPI

import basix.ufl
import dolfinx
import numpy as np
import ufl

from ssbx.meshes.cell import CellMesh
from ssbx.meshes.spec import CellGeometrySpec
from ssbx.meshes.tags import CellTag, FacetTag


def _graded(length: float, first: float, growth: float, largest: float) -> np.ndarray:
    """Node positions 0..length with sizes first, first*growth, ... (at most ``largest``),
    scaled to fit exactly."""
    sizes: list[float] = []
    while sum(sizes) < length:
        sizes.append(min(first * growth ** len(sizes), largest))
    s = np.array(sizes) * length / sum(sizes)
    return np.concatenate([[0.0], np.cumsum(s)])


def graded_foil_mesh(comm: MPI.Comm, radius: float, h_li: float, h_se: float,
                     refine: int = 1, growth: float = 1.2) -> CellMesh:
    """Structured axisymmetric cell mesh graded towards the foil edge ``r = radius``.

    Li: ``4 refine`` uniform layers (size s = h_li / (4 refine)); electrolyte: layers growing by
    ``growth`` from s at the interface to 8 s; radially: s at the edge growing by ``growth``
    towards the axis up to 8 s. Quads split into two triangles with alternating diagonals. Tags as
    the ssbx mesher (:mod:`ssbx.meshes.tags`); the mesh is built on rank 0 and distributed with
    shared-facet ghosting. Returns a :class:`ssbx.meshes.cell.CellMesh`.
    """
    n_li = 4 * refine
    s = h_li / n_li
    r = radius - _graded(radius, s, growth, 8.0 * s)[::-1]
    r[0] = 0.0
    z = np.concatenate([np.linspace(-h_li, 0.0, n_li + 1), _graded(h_se, s, growth, 8.0 * s)[1:]])
    nr, nz = len(r), len(z)
    if comm.rank == 0:
        R, Z = np.meshgrid(r, z, indexing="ij")
        x = np.column_stack([R.ravel(), Z.ravel()])
        idx = np.arange(nr * nz).reshape(nr, nz)
        a, b = idx[:-1, :-1].ravel(), idx[1:, :-1].ravel()
        c, d = idx[1:, 1:].ravel(), idx[:-1, 1:].ravel()
        i, j = np.meshgrid(np.arange(nr - 1), np.arange(nz - 1), indexing="ij")
        flip = ((i + j) % 2 == 0).ravel()[:, None]
        t1 = np.where(flip, np.column_stack([a, b, c]), np.column_stack([a, b, d]))
        t2 = np.where(flip, np.column_stack([a, c, d]), np.column_stack([b, c, d]))
        cells = np.vstack([t1, t2]).astype(np.int64)
    else:
        x = np.zeros((0, 2))
        cells = np.zeros((0, 3), dtype=np.int64)
    element = ufl.Mesh(basix.ufl.element("Lagrange", "triangle", 1, shape=(2,)))
    partitioner = dolfinx.mesh.create_cell_partitioner(dolfinx.mesh.GhostMode.shared_facet, 2)
    mesh = dolfinx.mesh.create_mesh(comm, cells, element, x, partitioner)
    tdim, fdim = 2, 1
    mesh.topology.create_connectivity(fdim, tdim)
    cmap = mesh.topology.index_map(tdim)
    n_cells = cmap.size_local + cmap.num_ghosts
    mid = dolfinx.mesh.compute_midpoints(mesh, tdim, np.arange(n_cells, dtype=np.int32))
    cvals = np.where(mid[:, 1] < 0.0, int(CellTag.LITHIUM), int(CellTag.ELECTROLYTE))
    cell_tags = dolfinx.mesh.meshtags(mesh, tdim, np.arange(n_cells, dtype=np.int32),
                                      cvals.astype(np.int32))
    tol = 1e-6 * s
    ext = dolfinx.mesh.exterior_facet_indices(mesh.topology)
    fm = dolfinx.mesh.compute_midpoints(mesh, fdim, ext)
    fv = np.full(len(ext), -1, dtype=np.int32)
    fv[np.abs(fm[:, 1] + h_li) < tol] = int(FacetTag.LI_BOTTOM)
    fv[np.abs(fm[:, 1] - h_se) < tol] = int(FacetTag.SE_TOP)
    fv[np.abs(fm[:, 0]) < tol] = int(FacetTag.SIDE_LEFT)
    fv[np.abs(fm[:, 0] - radius) < tol] = int(FacetTag.SIDE_RIGHT)
    fmap = mesh.topology.index_map(fdim)
    all_f = np.arange(fmap.size_local + fmap.num_ghosts, dtype=np.int32)
    on_interface = all_f[np.abs(dolfinx.mesh.compute_midpoints(mesh, fdim, all_f)[:, 1]) < tol]
    contact = np.setdiff1d(on_interface, ext)
    ids = np.concatenate([ext[fv >= 0], contact]).astype(np.int32)
    vals = np.concatenate([fv[fv >= 0], np.full(len(contact), int(FacetTag.CONTACT))])
    order = np.argsort(ids)
    facet_tags = dolfinx.mesh.meshtags(mesh, fdim, ids[order], vals[order].astype(np.int32))
    mesh.name, cell_tags.name, facet_tags.name = "mesh", "cell_tags", "facet_tags"
    owned = cvals[: cmap.size_local]
    n_li_cells = comm.allreduce(int(np.count_nonzero(owned == int(CellTag.LITHIUM))))
    n_se_cells = comm.allreduce(int(np.count_nonzero(owned == int(CellTag.ELECTROLYTE))))
    geometry = CellGeometrySpec(kind="axisymmetric", h_se=h_se, h_li=h_li, width=radius)
    return CellMesh(mesh, cell_tags, facet_tags, geometry, n_se_cells, n_li_cells)


__all__ = ["graded_foil_mesh"]
