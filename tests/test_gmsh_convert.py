"""Gmsh → dolfinx conversion (:mod:`ssbx.meshes.gmsh_convert`): the same mesh and tags as
:func:`dolfinx.io.gmsh.model_to_mesh` on every rank, for curved (order 2) cells, a facet in two
physical groups and 3-D cells; dolfinx's errors for models it does not convert itself."""

from __future__ import annotations

from pathlib import Path

from mpi4py import MPI

import numpy as np
import pytest

from ssbx.benchmarks.performance.mesh_conversion import compare_converters
from ssbx.meshes.gmsh_convert import _match_rows, model_to_mesh


def _square(gmsh, *, order: int = 1, twice: bool = False, untagged: bool = False) -> None:
    """A unit square of two surfaces (left and right halves) with tagged sides."""
    occ = gmsh.model.occ
    left, right = occ.addRectangle(0, 0, 0, 0.5, 1), occ.addRectangle(0.5, 0, 0, 0.5, 1)
    occ.fragment([(2, left)], [(2, right)])
    occ.synchronize()
    surfaces = [tag for _, tag in gmsh.model.getEntities(2)]
    gmsh.model.addPhysicalGroup(2, surfaces[:1] if untagged else surfaces, 7)
    curves = [tag for _, tag in gmsh.model.getEntities(1)]
    gmsh.model.addPhysicalGroup(1, curves[:3], 11)
    if twice:  # one curve in two groups: its facets are tagged twice
        gmsh.model.addPhysicalGroup(1, curves[2:4], 12)
    gmsh.option.setNumber("Mesh.MeshSizeMax", 0.1)
    gmsh.model.mesh.generate(2)
    gmsh.model.mesh.setOrder(order)


@pytest.mark.mpi
@pytest.mark.parametrize("variant", [{}, {"order": 2}, {"twice": True}],
                         ids=["plain", "order2", "facet_tagged_twice"])
def test_same_mesh_and_tags_as_dolfinx(variant):
    row = compare_converters(MPI.COMM_WORLD, lambda gmsh: _square(gmsh, **variant), 2, 1)
    assert row["cells"] > 100
    assert row["differing_entries"] == 0


@pytest.mark.mpi
def test_same_mesh_and_tags_as_dolfinx_in_3d():
    def box(gmsh) -> None:
        occ = gmsh.model.occ
        occ.addBox(0, 0, 0, 1, 1, 0.5)
        occ.addSphere(0.5, 0.5, 0.5, 0.2)
        occ.cut([(3, 1)], [(3, 2)])
        occ.synchronize()
        gmsh.model.addPhysicalGroup(3, [tag for _, tag in gmsh.model.getEntities(3)], 1)
        faces = [tag for _, tag in gmsh.model.getEntities(2)]
        gmsh.model.addPhysicalGroup(2, faces[:2], 5)
        gmsh.model.addPhysicalGroup(2, faces[-1:], 6)
        gmsh.option.setNumber("Mesh.MeshSizeMax", 0.1)
        gmsh.model.mesh.generate(3)

    row = compare_converters(MPI.COMM_WORLD, box, 3, 1)
    assert row["dim"] == 3 and row["cells"] > 1000
    assert row["differing_entries"] == 0


def test_a_model_with_an_untagged_cell_gets_dolfinx_s_error():
    import gmsh

    gmsh.initialize(interruptible=False)
    try:
        gmsh.option.setNumber("General.Terminal", 0)
        gmsh.model.add("untagged")
        _square(gmsh, untagged=True)
        with pytest.raises(RuntimeError, match="tagged once"):
            model_to_mesh(gmsh.model, MPI.COMM_SELF, 0, gdim=2)
    finally:
        gmsh.finalize()


def test_match_rows_finds_rows_in_any_order():
    table = np.array([[1, 2], [3, 4], [0, 9], [5, 5]])
    rows = np.array([[3, 4], [9, 0], [5, 5], [1, 2], [7, 7]])
    found, index = _match_rows(rows, table)
    assert found.tolist() == [True, False, True, True, False]
    assert index.tolist() == [1, 3, 0]
    none, empty = _match_rows(rows, np.zeros((0, 2), dtype=np.int64))
    assert not none.any() and empty.size == 0


@pytest.mark.mpi
def test_mesh_conversion_benchmark_quick(shared_tmp_path):
    """The quick ``mesh_conversion`` benchmark on 1 or 2 ranks: identical meshes and tags."""
    from ssbx.benchmarks.framework import run_benchmark

    result = run_benchmark("mesh_conversion", MPI.COMM_WORLD, None, True,
                           Path(shared_tmp_path) / "bench")
    assert all(c.passed for c in result.checks), [c.to_dict() for c in result.checks]
