"""One ssbx run: mesh → current distribution → run folder (tables, fields, plot, summary).

``solve_case`` does the computation in memory (used by benchmarks and sweeps);
``run_current_case`` adds
the files of a run folder. Both take the communicator to use; nothing here looks at COMM_WORLD.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from mpi4py import MPI

import numpy as np
from dolfinx.io import VTXWriter

from ssbx.case import Case
from ssbx.errors import CheckpointError
from ssbx.io.console import say
from ssbx.io.runfolder import field_output_bytes
from ssbx.meshes.cell import CellMesh, build_cell_mesh, mesh_statistics, write_cell_mesh_xdmf
from ssbx.problems.current import (
    SCALAR_UNITS,
    CurrentDistributionProblem,
    CurrentResult,
    electrolyte_domain,
)
from ssbx.setup import current_settings
from ssbx.units import to_mA_per_cm2, to_ohm_cm2

ASR_PARTS = ("asr_bulk", "asr_constriction", "asr_charge_transfer", "asr_counter_electrode")


def solve_case(case: Case, comm: MPI.Comm, console: Any = None, *,
               msh_path: Path | None = None) -> tuple[CellMesh, CurrentResult]:
    """Build the case's mesh on ``comm`` and solve its current distribution (no files written
    except the optional Gmsh file ``msh_path``)."""
    t0 = time.perf_counter()
    cell_mesh = build_cell_mesh(comm, case.geometry, case.mesh, msh_path=msh_path)
    t_mesh = time.perf_counter() - t0
    cells = "tetrahedra" if case.geometry.dimension == 3 else "triangles"
    say(console, f"mesh: {cell_mesh.num_cells_electrolyte} electrolyte + "
                  f"{cell_mesh.num_cells_lithium} Li {cells} ({t_mesh:.2f} s"
                  f"{', from the mesh cache' if cell_mesh.from_cache else ''})")
    domain = electrolyte_domain(cell_mesh)
    problem = CurrentDistributionProblem(domain, current_settings(case))
    say(console, f"potential: P{case.solver.degree}, "
                  f"{problem.V.dofmap.index_map.size_global} dofs, "
                  f"{case.solver.linear_solver} solver")
    result = problem.solve()
    result.scalars["time_mesh"] = t_mesh
    return cell_mesh, result


def summary_scalars(result: CurrentResult) -> dict[str, dict[str, Any]]:
    """``{name: {"value": v, "unit": u}}`` for summary.json."""
    units = SCALAR_UNITS | {"time_mesh": "s"}
    return {k: {"value": float(v), "unit": units.get(k, "1")} for k, v in result.scalars.items()}


def profile_table(result: CurrentResult) -> tuple[list[str], np.ndarray]:
    """Interface current profile as (header, rows): position [m], i [A/m^2], i / i_contact_mean,
    eta [V]."""
    p = result.profile
    mean = result.scalars["current_density_contact_mean"]
    columns = [p.position] if p.position_y is None else [p.position, p.position_y]
    rows = np.column_stack([*columns, p.current_density, p.current_density / mean,
                            p.overpotential])
    position = ["position_m"] if p.position_y is None else ["x_m", "y_m"]
    return [*position, "current_density_A_per_m2", "current_density_over_contact_mean",
            "overpotential_V"], rows


def plot_profile(case: Case, result: CurrentResult, path: Path) -> None:
    """Interface current density along the contact, with the voids shaded (rank 0 only)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    p = result.profile
    s = result.scalars
    if p.position_y is not None:
        _plot_current_map(case, result, path, plt)
        return
    fig, ax = plt.subplots(figsize=(7, 4))
    to_ma_cm2 = to_mA_per_cm2(1.0)  # 0.1 mA/cm^2 per A/m^2, multiplied as before (same floats)
    # break the line across each void (the contact is split there)
    x, i = p.position.copy(), p.current_density * to_ma_cm2
    gaps = [k + 1 for k in range(x.size - 1) for void in case.geometry.voids
            if x[k] <= max(void.x_min, 0.0) + 1e-15 and x[k + 1] >= void.x_max - 1e-15]
    x, i = np.insert(x, gaps, np.nan), np.insert(i, gaps, np.nan)
    ax.plot(x * 1e6, i, ".-", ms=2, lw=1, label="local current density")
    ax.axhline(s["current_density_mean"] * to_ma_cm2, color="k", ls="--", lw=0.8,
               label="applied mean")
    for void in case.geometry.voids:
        lo = max(void.x_min, 0.0)  # 0 for the void on the axis
        ax.axvspan(lo * 1e6, min(void.x_max, case.geometry.width) * 1e6, color="0.85", label="void")
    xlabel = "r [µm]" if case.geometry.kind == "axisymmetric" else "x [µm]"
    ax.set_xlabel(xlabel)
    ax.set_ylabel("interface current density [mA/cm²]")
    ax.set_title(f"{case.name}: peak / contact mean = {s['peak_to_mean_ratio']:.3f}")
    handles, labels = ax.get_legend_handles_labels()
    unique = dict(zip(labels, handles, strict=False))
    ax.legend(unique.values(), unique.keys(), fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=150)
    plt.close(fig)


def _plot_current_map(case: Case, result: CurrentResult, path: Path, plt: Any) -> None:
    """3-D cells: the interface current density over the contact, seen from above (rank 0)."""
    from matplotlib.patches import Circle

    from ssbx.meshes.pores import cell_voids

    p = result.profile
    s = result.scalars
    g = case.geometry
    fig, ax = plt.subplots(figsize=(6.2, 5))
    mapped = ax.tricontourf(p.position * 1e6, p.position_y * 1e6,
                            p.current_density / s["current_density_contact_mean"], levels=30,
                            cmap="viridis")
    fig.colorbar(mapped, ax=ax, label="current density / contact mean")
    if g.kind == "axisymmetric":
        ax.add_patch(Circle((0.0, 0.0), g.width * 1e6, fill=False, color="k", lw=0.8))
    else:
        for void in cell_voids(g):
            ax.add_patch(Circle((void.center * 1e6, void.center_y * 1e6), void.width * 5e5,
                                color="0.85", ec="k", lw=0.5))
    ax.plot(s["peak_position"] * 1e6, s["peak_position_y"] * 1e6, "r+", ms=10, label="peak")
    ax.set_aspect("equal")
    ax.set_xlabel("x [µm]")
    ax.set_ylabel("y [µm]")
    ax.set_title(f"{case.name}: peak / contact mean = {s['peak_to_mean_ratio']:.3f}")
    ax.legend(fontsize=8, loc="upper right")
    fig.tight_layout()
    fig.savefig(path, dpi=150)
    plt.close(fig)


def run_current_case(case: Case, folder: Any, comm: MPI.Comm, console: Any = None, *,
                     restart: bool = False,
                     stop_after_checkpoints: int | None = None) -> dict[str, Any]:
    """Solve a current-distribution ``case`` and write its run folder; returns the summary
    results (the summary itself is written by the caller, last).

    A current-distribution case is steady and has no checkpoints: ``restart=True`` raises
    :class:`ssbx.errors.CheckpointError`; ``stop_after_checkpoints`` is ignored.

    Files: mesh.msh, mesh.xdmf/.h5 (with tags), potential.bp (VTX, ParaView), potential.xdmf
    (P1 only), interface_current.csv, asr.csv, interface_current.png.
    """
    if restart:
        raise CheckpointError(
            f"case {case.name!r} (problem = {case.problem!r}) is steady: it has no checkpoints "
            "and cannot be restarted; run it again (with --overwrite)")
    cell_mesh, result = solve_case(case, comm, console, msh_path=folder.path("mesh.msh"))
    write_cell_mesh_xdmf(cell_mesh, folder.path("mesh.xdmf"))

    if case.output.fields:
        phi = result.potential
        p1 = phi.function_space.ufl_element().embedded_superdegree == 1
        # ADIOS2 aborts the process on a full disk: check first (one output, twice for P1)
        folder.require_space(field_output_bytes([phi], 2 if p1 else 1),
                             "the field output (potential.bp" + (", potential.xdmf)" if p1
                                                                 else ")"))
        with VTXWriter(comm, folder.path("potential.bp"), [phi], engine="BP4") as vtx:
            vtx.write(0.0)
        if p1:
            from dolfinx.io import XDMFFile

            with XDMFFile(comm, folder.path("potential.xdmf"), "w") as xdmf:
                xdmf.write_mesh(phi.function_space.mesh)
                xdmf.write_function(phi)

    header, rows = profile_table(result)
    s = result.scalars
    if comm.rank == 0:
        folder.write_csv("interface_current.csv", header, rows.tolist())
        total = s["asr_total"]
        folder.write_csv("asr.csv", ["part", "asr_ohm_m2", "asr_ohm_cm2", "fraction"],
                         [[name.removeprefix("asr_"), s[name], to_ohm_cm2(s[name]), s[name] / total]
                          for name in (*ASR_PARTS, "asr_total")])
        if case.output.plots:
            plot_profile(case, result, folder.path("interface_current.png"))
    comm.Barrier()

    say(console, f"cell voltage {s['cell_voltage'] * 1e3:.4f} mV at "
                  f"{to_mA_per_cm2(s['current_density_mean']):.4g} mA/cm²; ASR "
                  f"{to_ohm_cm2(s['asr_total']):.4g} ohm cm² (bulk "
                  f"{to_ohm_cm2(s['asr_bulk']):.4g}, constriction "
                  f"{to_ohm_cm2(s['asr_constriction']):.4g}, charge transfer "
                  f"{to_ohm_cm2(s['asr_charge_transfer']):.4g}, counter "
                  f"{to_ohm_cm2(s['asr_counter_electrode']):.4g})")
    at = f"{s['peak_position'] * 1e6:.3f} µm" + (
        f", y = {s['peak_position_y'] * 1e6:.3f} µm" if "peak_position_y" in s else "")
    say(console, f"interface current: peak / contact mean = {s['peak_to_mean_ratio']:.4f} at "
                  f"{at}; contact fraction "
                  f"{s['contact_fraction']:.4f}; Newton iterations "
                  f"{int(s['newton_iterations'])}")
    return {
        "case": case.name,
        "scalars": summary_scalars(result),
        "mesh": mesh_statistics(cell_mesh),
        "files": sorted(["mesh.msh", "mesh.xdmf", "interface_current.csv", "asr.csv"]
                        + (["interface_current.png"] if case.output.plots else [])
                        + (["potential.bp"] if case.output.fields else [])),
    }


__all__ = ["plot_profile", "profile_table", "run_current_case", "solve_case", "summary_scalars"]
