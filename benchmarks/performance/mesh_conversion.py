"""Performance benchmark ``mesh_conversion``: a Gmsh model → a distributed dolfinx mesh with its
tags, by ssbx (:func:`ssbx.meshes.gmsh_convert.model_to_mesh`) against dolfinx's own
:func:`dolfinx.io.gmsh.model_to_mesh`, on the same model.

The default case's geometry (``examples/void_2d.toml``: planar, 100 x (50 + 20) um, one
elliptical void 40 x 2 um) at refinement levels K, ``size_fine`` 0.25 um / 2^K and
``size_coarse`` 4 um / 2^K (the levels of ``mesh_cache``), plus the 3-D pore array of
``examples/pore_array_3d.toml``. Per mesh, on the benchmark's communicator, Gmsh builds the
model once on rank 0 (``generate_s``: Gmsh's geometry and meshing, for scale); then each
converter runs on it, alternately, fastest of the repetitions (the maximum over the ranks).

Asserted: both converters give the same mesh (node coordinates and cell-node lists, on every
rank) and the same cell and facet tags (indices and values, owned and ghost entities, on
every rank): the count of differing entries is 0. The speed-up is reported, not asserted.
"""

from __future__ import annotations

import time
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

FULL_LEVELS = (0, 1, 2, 3, 4)
QUICK_LEVELS = (0, 1)
FULL_REPEATS = 2
PORE_ARRAY_CASE = Path(__file__).resolve().parents[2] / "examples" / "pore_array_3d.toml"


def differing_entries(a: Any, b: Any) -> int:
    """Entries in which two converted meshes differ on this rank: node coordinates, cell-node
    lists, cell and facet tag indices and values (a shape mismatch counts as the larger
    size)."""
    pairs = [(a.mesh.geometry.x, b.mesh.geometry.x),
             (a.mesh.geometry.dofmaps[0], b.mesh.geometry.dofmaps[0])]
    for name in ("cell_tags", "facet_tags"):
        ta, tb = getattr(a, name), getattr(b, name)
        if (ta is None) != (tb is None):
            return max(getattr(t, "indices", np.zeros(0)).size for t in (ta, tb)) or 1
        if ta is not None:
            pairs += [(ta.indices, tb.indices), (ta.values, tb.values)]
    count = 0
    for x, y in pairs:
        x, y = np.asarray(x), np.asarray(y)
        count += (max(x.size, y.size) if x.shape != y.shape
                  else int(np.count_nonzero(x != y)))
    return count


def compare_converters(comm: MPI.Comm, build: Any, gdim: int, repeats: int) -> dict[str, Any]:
    """Build a Gmsh model with ``build(gmsh)`` on rank 0, convert it with dolfinx and with ssbx
    (alternately, ``repeats`` times each; ghosted by shared facets as ssbx's builders do), and
    return the timings, sizes and the number of differing entries (summed over the ranks).
    Collective."""
    import dolfinx
    from dolfinx.io import gmsh as gmshio

    from ssbx.meshes.gmsh_convert import model_to_mesh

    gmsh, started = None, False
    generate = 0.0
    if comm.rank == 0:
        import gmsh

        started = not gmsh.isInitialized()
        if started:
            gmsh.initialize(interruptible=False)
        gmsh.option.setNumber("General.Terminal", 0)
        gmsh.model.add("ssbx_mesh_conversion")
        start = time.perf_counter()
        build(gmsh)
        generate = time.perf_counter() - start
    try:
        model = gmsh.model if comm.rank == 0 else None
        partitioner = dolfinx.mesh.create_cell_partitioner(
            dolfinx.mesh.GhostMode.shared_facet, 2)
        converters = {
            "dolfinx": lambda: gmshio.model_to_mesh(model, comm, 0, gdim=gdim,
                                                     partitioner=partitioner),
            "ssbx": lambda: model_to_mesh(model, comm, 0, gdim=gdim, partitioner=partitioner)}
        best = {name: np.inf for name in converters}
        meshes: dict[str, Any] = {}
        for _ in range(repeats):
            for name, convert in converters.items():
                meshes[name], wall = timed_collectively(comm, convert)
                best[name] = min(best[name], wall)
    finally:
        if comm.rank == 0:
            gmsh.model.remove()
            if started:
                gmsh.finalize()
    reference = meshes["dolfinx"]
    tdim = reference.mesh.topology.dim
    return {"dim": tdim, "cells": reference.mesh.topology.index_map(tdim).size_global,
            "ranks": comm.size, "generate_s": comm.bcast(generate, root=0),
            "dolfinx_s": best["dolfinx"], "ssbx_s": best["ssbx"],
            "speedup": best["dolfinx"] / best["ssbx"],
            "differing_entries": comm.allreduce(
                differing_entries(reference, meshes["ssbx"]), op=MPI.SUM)}


def _cell_builder(level: int) -> Any:
    from ssbx.meshes.cell import _build_gmsh_model
    from ssbx.meshes.spec import CellGeometrySpec, MeshSizeSpec, VoidSpec

    um = 1e-6
    geometry = CellGeometrySpec(voids=(VoidSpec(50 * um, 40 * um, 2 * um),))
    sizes = MeshSizeSpec(size_fine=0.25 * um / 2**level, size_coarse=4 * um / 2**level)
    return lambda gmsh: _build_gmsh_model(gmsh, geometry, sizes)


def _pore_array_builder() -> Any:
    from ssbx.case import load_case
    from ssbx.meshes.cell import build_gmsh_model_3d

    case = load_case(PORE_ARRAY_CASE)
    return lambda gmsh: build_gmsh_model_3d(gmsh, case.geometry, case.mesh)


@register
class MeshConversion(DirectBenchmark):
    """Benchmark ``mesh_conversion``: ssbx's Gmsh → dolfinx conversion against dolfinx's."""

    name = "mesh_conversion"
    title = "Gmsh model to dolfinx mesh: ssbx's conversion vs dolfinx's model_to_mesh"
    source = ("ssbx performance measurement (no published reference): the default case's "
              "geometry at five refinements (two in the quick run) and the 3-D pore array "
              "example")
    reference = "dolfinx.io.gmsh.model_to_mesh on the same Gmsh model"
    metric = ("entries (node coordinates, cell-node lists, cell and facet tag indices and "
              "values, every rank) in which ssbx's mesh differs from dolfinx's; timings "
              "reported")
    tolerance = "0 differing entries"

    def compute(self, comm: MPI.Comm, console: Any, quick: bool, out_dir: Path) -> Outcome:
        """Every mesh of the module docstring (collective)."""
        repeats = 1 if quick else FULL_REPEATS
        meshes = [(f"void_2d level {k}", _cell_builder(k), 2)
                  for k in (QUICK_LEVELS if quick else FULL_LEVELS)]
        meshes.append(("pore_array_3d", _pore_array_builder(), 3))
        rows = []
        for label, build, gdim in meshes:
            row = {"mesh": label, **compare_converters(comm, build, gdim, repeats)}
            say(comm, console, f"  {label}: {row['cells']} cells, Gmsh {row['generate_s']:.2f} "
                               f"s, dolfinx {row['dolfinx_s']:.3f} s, ssbx {row['ssbx_s']:.3f} "
                               f"s (x{row['speedup']:.2f}); {row['differing_entries']} "
                               f"differing entries")
            rows.append(row)
        checks = [Check("differing_entries", "entries in which ssbx's mesh and tags differ "
                        "from dolfinx's, all meshes and ranks",
                        float(sum(r["differing_entries"] for r in rows)), 0.0, "max")]
        largest = max((r for r in rows if r["dim"] == 2), key=lambda r: r["cells"])
        findings = {"statement": (
            f"At {largest['cells']} triangles ({comm.size} rank(s)) dolfinx's model_to_mesh "
            f"takes {largest['dolfinx_s']:.2f} s and ssbx's conversion "
            f"{largest['ssbx_s']:.2f} s (x{largest['speedup']:.2f}), against "
            f"{largest['generate_s']:.2f} s of Gmsh; the meshes and tags are identical.")}
        return Outcome(rows=rows, checks=checks, findings=findings)

    def plot(self, outcome: Outcome, path: Path, quick: bool) -> None:
        """Conversion times (and Gmsh's, for scale) against the cell count, 2-D levels."""
        plt = pyplot()
        rows = [r for r in outcome.rows if r["dim"] == 2]
        cells = [r["cells"] for r in rows]
        fig, ax = plt.subplots(figsize=(6.5, 4.5))
        for key, label, style in (("generate_s", "Gmsh: geometry and meshing", "o:"),
                                  ("dolfinx_s", "dolfinx.io.gmsh.model_to_mesh", "s-"),
                                  ("ssbx_s", "ssbx.meshes.gmsh_convert.model_to_mesh", "^-")):
            ax.loglog(cells, [r[key] for r in rows], style, label=label)
        for r in outcome.rows:
            if r["dim"] == 3:
                ax.loglog([r["cells"]] * 2, [r["dolfinx_s"], r["ssbx_s"]], "k+", ms=9)
                ax.annotate("3-D pore array (dolfinx, ssbx)", (r["cells"], r["ssbx_s"]),
                            fontsize=7, textcoords="offset points", xytext=(5, -10))
        ax.set_xlabel("cells")
        ax.set_ylabel("wall time (max over ranks)  [s]")
        ax.set_title(f"Gmsh → dolfinx conversion ({rows[0]['ranks']} rank(s))"
                     f"{' (quick)' if quick else ''}")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
        fig.tight_layout()
        save_figure(fig, path)


__all__ = ["MeshConversion", "compare_converters", "differing_entries"]
