"""The mesh cache (:mod:`ssbx.meshes.cache`): off unless asked, a second build of the same
geometry reads the stored mesh (same cells, tags, areas and interface length), a changed input
gets its own entry, and an entry without its key file (an interrupted write) is never read."""

from __future__ import annotations

import json
from pathlib import Path

from mpi4py import MPI

import pytest
import ufl
from dolfinx import fem

from ssbx.meshes import cache
from ssbx.meshes.cell import build_cell_mesh, mesh_statistics
from ssbx.meshes.spec import CellGeometrySpec, MeshSizeSpec, VoidSpec
from ssbx.meshes.tags import CellTag, FacetTag

GEOMETRY = CellGeometrySpec(kind="planar", h_se=50e-6, h_li=20e-6, width=100e-6,
                            voids=(VoidSpec(50e-6, 20e-6, 5e-6),))
SIZES = MeshSizeSpec(size_fine=1e-6, size_coarse=4e-6)


def _measures(cell_mesh) -> tuple[float, float, float]:
    """Electrolyte area, Li area and contact length [m², m², m] (global)."""
    msh = cell_mesh.mesh
    dx = ufl.Measure("dx", domain=msh, subdomain_data=cell_mesh.cell_tags)
    dS = ufl.Measure("dS", domain=msh, subdomain_data=cell_mesh.facet_tags)
    one = fem.Constant(msh, 1.0)
    forms = (one * dx(int(CellTag.ELECTROLYTE)), one * dx(int(CellTag.LITHIUM)),
             one("+") * dS(int(FacetTag.CONTACT)))
    return tuple(msh.comm.allreduce(fem.assemble_scalar(fem.form(f)), op=MPI.SUM)
                 for f in forms)


def test_the_cache_is_off_unless_asked(monkeypatch):
    monkeypatch.delenv(cache.ENVIRONMENT_VARIABLE, raising=False)
    assert cache.cache_directory() is None
    monkeypatch.setenv(cache.ENVIRONMENT_VARIABLE, "  ")
    assert cache.cache_directory() is None
    monkeypatch.setenv(cache.ENVIRONMENT_VARIABLE, "/somewhere/meshes")
    assert cache.cache_directory() == Path("/somewhere/meshes")
    with cache.mesh_cache_directory(Path("/elsewhere")):
        assert cache.cache_directory() == Path("/elsewhere")
    assert cache.cache_directory() == Path("/somewhere/meshes")
    assert cache.sweep_cache_directory(Path("/sweep")) == Path("/somewhere/meshes")
    monkeypatch.delenv(cache.ENVIRONMENT_VARIABLE)
    assert cache.sweep_cache_directory(Path("/sweep")) == Path("/sweep/meshes")
    for off in ("off", "OFF", "0", "none"):
        monkeypatch.setenv(cache.ENVIRONMENT_VARIABLE, off)
        assert cache.cache_directory() is None and cache.sweep_cache_directory(Path("/s")) is None


def test_the_digest_follows_every_input():
    """Any field of the specs, the builder, and a float's last digit change the digest."""
    base = cache.mesh_digest(cache.mesh_key("cell", GEOMETRY, SIZES))
    assert base == cache.mesh_digest(cache.mesh_key("cell", GEOMETRY, SIZES))
    others = [cache.mesh_key("flat", GEOMETRY, SIZES),
              cache.mesh_key("cell", GEOMETRY, MeshSizeSpec(size_fine=1e-6 * (1 + 1e-15),
                                                            size_coarse=4e-6)),
              cache.mesh_key("cell", CellGeometrySpec(
                  kind="planar", h_se=50e-6, h_li=20e-6, width=100e-6,
                  voids=(VoidSpec(50e-6, 20e-6, 5e-6, shape="lens"),)), SIZES)]
    assert len({base, *(cache.mesh_digest(k) for k in others)}) == 4


@pytest.mark.mpi
def test_a_second_build_reads_the_stored_mesh(shared_tmp_path):
    comm = MPI.COMM_WORLD
    folder = Path(shared_tmp_path) / "meshes"
    with cache.mesh_cache_directory(folder):
        built = build_cell_mesh(comm, GEOMETRY, SIZES)
        read = build_cell_mesh(comm, GEOMETRY, SIZES)
        assert (built.from_cache, read.from_cache) == (False, True)
        assert mesh_statistics(read) == mesh_statistics(built)
        assert _measures(read) == pytest.approx(_measures(built), rel=1e-12)
        assert (read.num_cells_electrolyte, read.num_cells_lithium) == \
            (built.num_cells_electrolyte, built.num_cells_lithium)
        msh = Path(shared_tmp_path) / "run" / "mesh.msh"  # a run's Gmsh file, from the entry
        again = build_cell_mesh(comm, GEOMETRY, SIZES, msh_path=msh)
        assert again.from_cache
        comm.Barrier()
        assert msh.stat().st_size > 0
        other = build_cell_mesh(comm, GEOMETRY, MeshSizeSpec(size_fine=2e-6, size_coarse=4e-6))
        assert not other.from_cache
        fresh = build_cell_mesh(comm, GEOMETRY, SIZES, cache=False)
        assert not fresh.from_cache
    comm.Barrier()
    entries = sorted(p.name for p in folder.iterdir())
    assert len(entries) == 2 and not any(name.startswith(".") for name in entries)
    key = json.loads((folder / cache.mesh_digest(cache.mesh_key("cell", GEOMETRY, SIZES))
                      / cache.KEY_FILE).read_text())
    assert key["builder"] == "cell" and key["format"] == cache.CACHE_FORMAT


@pytest.mark.mpi
def test_an_entry_without_its_key_is_never_read(shared_tmp_path):
    """A folder named by the digest but lacking ``key.json`` (a write that never finished) is
    rebuilt, not read, and left for the user to remove (the new mesh is not stored over it)."""
    comm = MPI.COMM_WORLD
    folder = Path(shared_tmp_path) / "broken"
    entry = folder / cache.mesh_digest(cache.mesh_key("cell", GEOMETRY, SIZES))
    if comm.rank == 0:
        entry.mkdir(parents=True)
        (entry / cache.MESH_FILE).write_text("not a mesh", encoding="utf-8")
    comm.Barrier()
    msh = Path(shared_tmp_path) / "run" / "mesh.msh"
    with cache.mesh_cache_directory(folder):
        cell_mesh = build_cell_mesh(comm, GEOMETRY, SIZES, msh_path=msh)
    assert not cell_mesh.from_cache
    comm.Barrier()
    assert msh.stat().st_size > 0  # the run still gets its Gmsh file
    assert cell_mesh.num_cells_electrolyte > 0
    comm.Barrier()
    assert sorted(p.name for p in folder.iterdir()) == [entry.name]
    assert not (entry / cache.KEY_FILE).exists()


@pytest.mark.mpi
def test_mesh_cache_benchmark_quick(shared_tmp_path):
    """The quick ``mesh_cache`` benchmark: the stored and read meshes equal the built one
    (counts, areas, lengths to 1e-12), the second run reads; on 1 or 2 ranks."""
    from ssbx.benchmarks.framework import run_benchmark

    result = run_benchmark("mesh_cache", MPI.COMM_WORLD, None, True,
                           Path(shared_tmp_path) / "bench")
    assert all(c.passed for c in result.checks), [c.to_dict() for c in result.checks]
