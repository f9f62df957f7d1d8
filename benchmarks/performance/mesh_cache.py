"""Performance benchmark ``mesh_cache``: meshing a cell with Gmsh against reading it back from
the mesh cache (:mod:`ssbx.meshes.cache`).

The default case's geometry (``examples/void_2d.toml``: planar, 100 x (50 + 20) um, one
elliptical void 40 x 2 um) at refinement levels K, ``size_fine`` 0.25 um / 2^K and
``size_coarse`` 4 um / 2^K. Per level, on the benchmark's communicator: Gmsh without a cache
(``build``), the first run with a cache (``store``: Gmsh, the XDMF/HDF5 write and the read
back that every cached run works on) and a second run (``read``). Each phase is timed as the
maximum over the ranks, fastest of the repetitions; the cache lives in a temporary folder
removed afterwards.

Asserted (not the timings): the stored and read meshes have the built mesh's cell counts,
vertex count and tagged areas and lengths (to 1e-12); the second run reads, the first builds.
The speed-up read / build is reported, with the cells per second of each.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from mpi4py import MPI

import numpy as np

from ssbx.benchmarks.framework import (
    Check,
    DirectBenchmark,
    Outcome,
    pyplot,
    register,
    save_figure,
    say,
    timed_collectively,
)

FULL_LEVELS = (0, 1, 2, 3, 4, 5)
QUICK_LEVELS = (0, 1)
FULL_REPEATS = 2
MEASURE_TOL = 1e-12
"""Relative tolerance on the tagged areas and lengths of a cached mesh."""


def _geometry_and_sizes(level: int) -> tuple[Any, Any]:
    from ssbx.meshes.spec import CellGeometrySpec, MeshSizeSpec, VoidSpec

    um = 1e-6
    geometry = CellGeometrySpec(voids=(VoidSpec(50 * um, 40 * um, 2 * um),))
    sizes = MeshSizeSpec(size_fine=0.25 * um / 2**level, size_coarse=4 * um / 2**level)
    return geometry, sizes


def _measures(cell_mesh: Any) -> np.ndarray:
    """Electrolyte and Li areas, contact and void lengths (global)."""
    import ufl
    from dolfinx import fem

    from ssbx.meshes.tags import CellTag, FacetTag

    msh = cell_mesh.mesh
    dx = ufl.Measure("dx", domain=msh, subdomain_data=cell_mesh.cell_tags)
    ds = ufl.Measure("ds", domain=msh, subdomain_data=cell_mesh.facet_tags)
    dS = ufl.Measure("dS", domain=msh, subdomain_data=cell_mesh.facet_tags)
    one = fem.Constant(msh, 1.0)
    forms = (one * dx(int(CellTag.ELECTROLYTE)), one * dx(int(CellTag.LITHIUM)),
             one("+") * dS(int(FacetTag.CONTACT)), one * ds(int(FacetTag.VOID_LI)))
    return np.array([msh.comm.allreduce(fem.assemble_scalar(fem.form(f)), op=MPI.SUM)
                     for f in forms])


def measure_level(comm: MPI.Comm, level: int, repeats: int) -> dict[str, Any]:
    """The three phases of the module docstring at ``level`` (fastest of ``repeats``)."""
    from ssbx.meshes.cache import mesh_cache_directory
    from ssbx.meshes.cell import build_cell_mesh, mesh_statistics

    geometry, sizes = _geometry_and_sizes(level)
    best: dict[str, float] = {}
    for _ in range(repeats):
        folder = Path(comm.bcast(tempfile.mkdtemp(prefix="ssbx-mesh-cache-")
                                 if comm.rank == 0 else None, root=0))
        try:
            with mesh_cache_directory(None):
                built, t_build = timed_collectively(
                    comm, lambda: build_cell_mesh(comm, geometry, sizes))
            with mesh_cache_directory(folder):
                stored, t_store = timed_collectively(
                    comm, lambda: build_cell_mesh(comm, geometry, sizes))
                read, t_read = timed_collectively(
                    comm, lambda: build_cell_mesh(comm, geometry, sizes))
        finally:
            comm.Barrier()
            if comm.rank == 0:
                shutil.rmtree(folder, ignore_errors=True)
        for key, value in (("build_s", t_build), ("store_s", t_store), ("read_s", t_read)):
            best[key] = min(best.get(key, np.inf), value)
    stats = mesh_statistics(built)
    reference = _measures(built)
    deviation = max(float(np.max(np.abs(_measures(m) / reference - 1.0))) for m in (stored, read))
    same_counts = all(mesh_statistics(m)[k] == stats[k] for m in (stored, read)
                      for k in ("num_cells", "num_vertices"))
    cells = stats["num_cells"]
    return {"level": level, "cells": cells, "vertices": stats["num_vertices"],
            "ranks": comm.size, **best,
            "read_over_build": best["read_s"] / best["build_s"],
            "store_over_build": best["store_s"] / best["build_s"],
            "build_cells_per_s": cells / best["build_s"],
            "read_cells_per_s": cells / best["read_s"],
            "measure_deviation": deviation, "same_counts": same_counts,
            "first_built": not stored.from_cache, "second_read": read.from_cache}


@register
class MeshCache(DirectBenchmark):
    """Benchmark ``mesh_cache``: Gmsh meshing against reading the mesh back from the cache."""

    name = "mesh_cache"
    title = "Mesh cache: Gmsh meshing vs reading the stored mesh"
    source = ("ssbx performance measurement (no published reference): the default case's "
              "geometry at six refinements (two in the quick run)")
    reference = "self-consistency: the built mesh's counts, areas and lengths"
    metric = ("largest relative deviation of the stored and read meshes' tagged areas and "
              "lengths from the built mesh; timings reported (build, store, read)")
    tolerance = f"{MEASURE_TOL:g}; equal cell and vertex counts; the second run reads"

    def compute(self, comm: MPI.Comm, console: Any, quick: bool, out_dir: Path) -> Outcome:
        """Measure every level (collective)."""
        rows = []
        for level in QUICK_LEVELS if quick else FULL_LEVELS:
            row = measure_level(comm, level, 1 if quick else FULL_REPEATS)
            say(comm, console, f"  level {level}: {row['cells']} cells, build "
                               f"{row['build_s']:.2f} s, store {row['store_s']:.2f} s, read "
                               f"{row['read_s']:.3f} s (x{row['read_over_build']:.3f})")
            rows.append(row)
        checks = [
            Check("measure_deviation", "largest relative deviation of the stored / read "
                  "meshes' areas and lengths from the built one",
                  max(r["measure_deviation"] for r in rows), MEASURE_TOL, "max"),
            Check("same_counts", "levels whose stored and read meshes have the built mesh's "
                  "cell and vertex counts (all)", float(sum(r["same_counts"] for r in rows)),
                  float(len(rows)), "min"),
            Check("second_run_reads", "levels where the first cached run built and the second "
                  "read (all)", float(sum(r["first_built"] and r["second_read"] for r in rows)),
                  float(len(rows)), "min"),
        ]
        largest = rows[-1]
        findings = {"statement": (
            f"At {largest['cells']} cells ({comm.size} rank(s)) Gmsh takes "
            f"{largest['build_s']:.2f} s, storing the mesh adds "
            f"{largest['store_s'] - largest['build_s']:+.2f} s to the first run, and every later "
            f"run reads it in {largest['read_s']:.3f} s ({largest['read_over_build']:.3f} of "
            f"the build; {largest['read_cells_per_s']:.3g} cells/s against "
            f"{largest['build_cells_per_s']:.3g}).")}
        return Outcome(rows=rows, checks=checks, findings=findings)

    def plot(self, outcome: Outcome, path: Path, quick: bool) -> None:
        """Build, store and read times against the cell count."""
        plt = pyplot()
        rows = outcome.rows
        cells = [r["cells"] for r in rows]
        fig, ax = plt.subplots(figsize=(6.5, 4.5))
        for key, label, style in (("build_s", "Gmsh, no cache", "o-"),
                                  ("store_s", "first run with a cache (Gmsh + store + read)",
                                   "s--"),
                                  ("read_s", "later runs: read from the cache", "^-")):
            ax.loglog(cells, [r[key] for r in rows], style, label=label)
        ax.set_xlabel("cells")
        ax.set_ylabel("wall time (max over ranks)  [s]")
        ax.set_title(f"Mesh cache ({rows[0]['ranks']} rank(s)){' (quick)' if quick else ''}")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
        fig.tight_layout()
        save_figure(fig, path)


__all__ = ["MeshCache", "measure_level"]
