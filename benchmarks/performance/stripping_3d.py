"""3-D stripping: the box against the plane-strain cell, its Li inventory, its cost, and what a
round pore does that its 2-D section does not.

The stripping/contact model (:class:`ssbx.problems.stripping.problem.StrippingProblem`) in a
box of tetrahedra (:func:`ssbx.meshes.flat_cell.build_flat_cell_mesh`, x and y lateral, z
vertical, rollers on the four sides), Li 10 um | electrolyte 20 um, P2 potential and Li
displacement (the mixed P2/P1 creep formulation in 3-D), linear kinetics Z = 2 ohm cm^2,
kappa = 2 mS/cm, a pressure fixture.

1. Verification (checks): a trench (the 2-D void's gap, 10 um wide and 0.3 um deep, at every y)
   in a box one column deep is the plane-strain cell: void volume per area, collector
   displacement and voltage after 3 s of stripping at 10 mA/cm^2 and after 3 s of rest (Li
   1000x more creep-resistant than Masias's, 0.3 MPa, columns of 2 um); a pore (7 um wide,
   0.3 um deep, in a 12 um square cell) stripped and rested keeps its Li inventory to
   round-off and the contact force equal to the stack pressure times the area.
2. Finding: closure at rest under 1 MPa (Masias et al. 2019 creep) of a round pore against
   its plane-strain section, the trench of the same width and depth, in cells of the same
   period (12 um), and against the trench with the round pore's contact fraction. A 2-D model
   of a pore array is its section: this measures what that costs.
   The round pore at interface columns of 2 and 1.5 um, the trenches at 1, 0.5 and 0.25 um. The
   metric is the share of the void volume left after 10 minutes (the time to half closure is
   reported too: the volume decays slowly near it, so it moves with the contact edge's
   resolution far more than the share left does).
3. Cost: DOFs, steps, Newton iterations, wall time per step of each run, on the ranks the
   benchmark runs on.

Quick: the checks only (section 1).
"""

from __future__ import annotations

import dataclasses
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
)
from ssbx.meshes.flat_cell import build_flat_cell_mesh
from ssbx.meshes.spec import CellGeometrySpec, MeshSizeSpec, VoidSpec
from ssbx.meshes.voids import initial_gap
from ssbx.physics.constants import LI_MOLAR_VOLUME
from ssbx.physics.creep_laws import MASIAS_2019
from ssbx.physics.elasticity import LI6PS5CL, LITHIUM
from ssbx.physics.kinetics import LinearKinetics
from ssbx.problems.current import CurrentSettings
from ssbx.problems.stripping.problem import StrippingProblem
from ssbx.problems.stripping.state import Load, StrippingSettings
from ssbx.problems.stripping.stepping import StepControl, advance

H_SE, H_LI = 20e-6, 10e-6
SIZE = 2e-6  # interface columns [m]
TRENCH_CELL = 20e-6
TRENCH = VoidSpec(center=0.5 * TRENCH_CELL, width=10e-6, height=0.3e-6)
CELL = 12e-6  # the period of the pore array [m]
PORE_WIDTH, PORE_DEPTH = 7e-6, 0.3e-6
SLOW_LI = dataclasses.replace(MASIAS_2019, A=MASIAS_2019.A * 1e-3)
CHECK_PRESSURE, CLOSURE_PRESSURE = 0.3e6, 1e6  # Pa
CURRENT = 100.0  # A/m^2 (10 mA/cm^2)
CLOSURE_TIME = 600.0  # s of rest
#: tolerances of the checks
TRENCH_TOL, INVENTORY_TOL, FORCE_TOL = 1e-2, 1e-12, 1e-8


def _settings(voids: tuple[VoidSpec, ...], creep: Any, pressure: float,
              **options: Any) -> StrippingSettings:
    """The benchmark's settings; ``options``: other :class:`StrippingSettings` fields (e.g.
    the contact solver)."""
    current = CurrentSettings(conductivity=0.2, kinetics=LinearKinetics(2e-4),
                              molar_volume=LI_MOLAR_VOLUME)
    return StrippingSettings(current=current, li=LITHIUM, creep=creep, electrolyte=LI6PS5CL,
                             pressure=pressure, voids=voids, **options)


def _problem(comm: MPI.Comm, dimension: int, voids: tuple[VoidSpec, ...], *, width: float,
             depth: float, size: float, creep: Any, pressure: float,
             trench: VoidSpec | None = None, **options: Any) -> StrippingProblem:
    """The flat cell (a box in 3-D) with its voids as initial gaps, initialised; ``trench``:
    a 3-D box whose gap is that 2-D void's profile at every y; ``options``: other settings."""
    geometry = CellGeometrySpec(kind="planar", dimension=dimension, h_se=H_SE, h_li=H_LI,
                                width=width, depth=depth, voids=voids)
    cell = build_flat_cell_mesh(comm, geometry, MeshSizeSpec(size_fine=size,
                                                             size_coarse=4 * size))
    settings = _settings(voids, creep, pressure, **options)
    problem = StrippingProblem(cell, settings)
    if trench is not None:
        gap = initial_gap(problem.nodes.coords[:, 0], (trench,))
        problem.g0[:] = gap
        problem.state.gap[:] = gap
        problem.state.contact[:] = gap <= settings.contact_tolerance
    problem.initialize()
    return problem


def _run(problem: StrippingProblem, protocol: list[tuple[float, float]],
         control: StepControl) -> dict[str, Any]:
    """Protocol ``[(current density [A/m^2], duration [s]), ...]``: the rows of scalars (a
    ``step_end`` mark on the last row of each step), steps, Newton iterations, wall time."""
    rows = [problem.scalars()]
    newton = 0
    t0 = time.perf_counter()

    def on_step(report: Any, previous: Any) -> None:
        nonlocal newton
        newton += report.newton
        rows.append(problem.scalars(previous, report) | {"voltage": report.voltage})

    for current, duration in protocol:
        advance(problem, Load.current(current), duration, control, on_step=on_step)
        rows[-1]["step_end"] = True
    wall = problem.comm.allreduce(time.perf_counter() - t0, op=MPI.MAX)
    dofs = problem.num_dofs()
    return {"rows": rows, "steps": len(rows) - 1, "newton": newton, "wall": wall,
            "dofs": dofs["potential"] + dofs["displacement"], "displacement_dofs":
            dofs["displacement"], "interface_nodes": dofs["interface_nodes"]}


def _cost_row(case: str, dimension: int, size: float, run: dict[str, Any]) -> dict[str, Any]:
    return {"case": case, "dimension": dimension, "columns_um": size * 1e6,
            "dofs": run["dofs"], "displacement_dofs": run["displacement_dofs"],
            "interface_nodes": run["interface_nodes"], "steps": run["steps"],
            "newton_per_step": run["newton"] / max(run["steps"], 1),
            "wall_s": run["wall"], "wall_per_step_s": run["wall"] / max(run["steps"], 1)}


def trench_against_plane_strain(comm: MPI.Comm) -> tuple[float, list[dict[str, Any]],
                                                         dict[str, float]]:
    """The largest relative difference (void volume per area, collector displacement,
    voltage; at the end of the strip and of the rest) of the 3-D trench against the
    plane-strain cell, the cost rows, and the differences by quantity."""
    control = StepControl(dt_initial=1e-3, dt_max=50.0, max_thickness_change=0.05e-6)
    protocol = [(CURRENT, 3.0), (0.0, 3.0)]
    runs = {}
    for dimension in (2, 3):
        problem = _problem(comm, dimension, (TRENCH,) if dimension == 2 else (),
                           width=TRENCH_CELL, depth=SIZE, size=SIZE, creep=SLOW_LI,
                           pressure=CHECK_PRESSURE,
                           trench=TRENCH if dimension == 3 else None)
        runs[dimension] = _run(problem, protocol, control) | {"area": problem.area}
        problem.close()
    differences: dict[str, float] = {}
    for when in ("strip", "rest"):
        pick = 0 if when == "strip" else 1
        ends = {d: [r for r in runs[d]["rows"] if r.get("step_end")][pick] for d in (2, 3)}
        for key in ("void_volume", "plate_displacement", "voltage"):
            a, b = ends[2][key], ends[3][key]
            if key == "void_volume":
                a, b = a / runs[2]["area"], b / runs[3]["area"]
            differences[f"{key} after the {when}"] = abs(b - a) / abs(a)
    cost = [_cost_row("trench, strip + rest (check)", d, SIZE, runs[d]) for d in (2, 3)]
    return max(differences.values()), cost, differences


def pore_balance(comm: MPI.Comm) -> tuple[float, float, dict[str, Any]]:
    """A pore stripped and rested: the largest Li inventory error and the largest relative
    error of the contact force against the stack force, and the run's cost row."""
    pore = VoidSpec(center=0.5 * CELL, center_y=0.5 * CELL, width=PORE_WIDTH,
                    height=PORE_DEPTH)
    problem = _problem(comm, 3, (pore,), width=CELL, depth=CELL, size=SIZE, creep=SLOW_LI,
                       pressure=CHECK_PRESSURE)
    run = _run(problem, [(CURRENT, 3.0), (0.0, 3.0)],
               StepControl(dt_initial=1e-3, dt_max=50.0, max_thickness_change=0.05e-6))
    problem.close()
    inventory = max(abs(r["li_inventory_error"]) for r in run["rows"])
    force = max(abs(r["stack_pressure"] / CHECK_PRESSURE - 1.0) for r in run["rows"])
    return inventory, force, _cost_row("pore, strip + rest (check)", 3, SIZE, run)


def closure(comm: MPI.Comm, dimension: int, void: VoidSpec, size: float,
            label: str) -> dict[str, Any]:
    """Rest under :data:`CLOSURE_PRESSURE` (Masias creep) for :data:`CLOSURE_TIME`: the time
    to half the void volume (nan if not reached), the share left, the contact fractions."""
    problem = _problem(comm, dimension, (void,), width=CELL, depth=CELL, size=size,
                       creep=MASIAS_2019, pressure=CLOSURE_PRESSURE)
    run = _run(problem, [(0.0, CLOSURE_TIME)],
               StepControl(dt_initial=1e-3, dt_max=50.0, max_thickness_change=0.05e-6))
    problem.close()
    rows = run["rows"]
    volume = np.array([r["void_volume"] for r in rows])
    times = np.array([r["time"] for r in rows])
    share = volume / volume[0]
    below = np.flatnonzero(share <= 0.5)
    t50 = float("nan")
    if below.size:
        k = int(below[0])
        t50 = float(np.interp(0.5, [share[k], share[k - 1]], [times[k], times[k - 1]]))
    return _cost_row(label, dimension, size, run) | {
        "void_width_um": void.width * 1e6, "void_depth_um": void.height * 1e6,
        "contact_fraction_start": rows[0]["contact_fraction"],
        "contact_fraction_end": rows[-1]["contact_fraction"],
        "mean_contact_pressure_MPa": CLOSURE_PRESSURE / rows[0]["contact_fraction"] / 1e6,
        "half_closure_time_s": t50, "void_volume_left": float(share[-1]),
        "history": {"time_s": times.tolist(), "void_volume_share": share.tolist()}}


@register
class Stripping3D(DirectBenchmark):
    """Benchmark ``stripping_3d`` (see the module docstring)."""

    name = "stripping_3d"
    title = ("3-D stripping: the box against the plane-strain cell, its inventory, its cost, "
             "and a round pore against its 2-D section")
    source = ("ssbx verification (the plane-strain cell as reference) and measurement; creep "
              "law of Masias et al., J. Mater. Sci. 54, 2585 (2019)")
    reference = "self-consistency: the trench in a box against the plane-strain cell"
    metric = ("largest relative difference of void volume, collector displacement and voltage "
              "(trench, 3-D against 2-D); Li inventory error; contact force against the stack "
              "force")
    tolerance = (f"trench {TRENCH_TOL:g}; inventory {INVENTORY_TOL:g}; force {FORCE_TOL:g} "
                 "(relative)")
    x_label = "time at rest [s]"

    def compute(self, comm: MPI.Comm, console: Any, quick: bool, out_dir: Path) -> Outcome:
        """The checks; the full run adds the closure of a round pore against its sections."""
        trench, cost, differences = trench_against_plane_strain(comm)
        say(comm, console, "  trench, box against plane strain: "
            + ", ".join(f"{k} {v:.2e}" for k, v in differences.items()))
        inventory, force, pore_cost = pore_balance(comm)
        say(comm, console, f"  pore: Li inventory within {inventory:.1e}, contact force "
                           f"within {force:.1e} of the stack force")
        rows = [*cost, pore_cost]
        closures: list[dict[str, Any]] = []
        if not quick:
            pore = VoidSpec(center=0.5 * CELL, center_y=0.5 * CELL, width=PORE_WIDTH,
                            height=PORE_DEPTH)
            section = VoidSpec(center=0.5 * CELL, width=PORE_WIDTH, height=PORE_DEPTH)
            closures.append(closure(comm, 3, pore, SIZE, "round pore"))
            closures.append(closure(comm, 3, pore, 0.75 * SIZE, "round pore"))
            # the trench whose contact fraction is the round pore's (1 - pi a^2 / cell^2)
            contact = 1.0 - np.pi * (0.5 * PORE_WIDTH) ** 2 / CELL**2
            narrow = VoidSpec(center=0.5 * CELL, width=(1.0 - contact) * CELL,
                              height=PORE_DEPTH)
            for size in (0.5 * SIZE, 0.25 * SIZE, 0.125 * SIZE):
                closures.append(closure(comm, 2, section, size, "trench, the pore's section"))
                closures.append(closure(comm, 2, narrow, size,
                                        "trench, the pore's contact fraction"))
            for c in closures:
                say(comm, console, f"  {c['case']} ({c['dimension']}-D, columns "
                                   f"{c['columns_um']:g} um, {c['dofs']} DOFs, {c['steps']} "
                                   f"steps, {c['wall_s']:.3g} s): contact "
                                   f"{c['contact_fraction_start']:.3f}, half closed after "
                                   f"{c['half_closure_time_s']:.4g} s, "
                                   f"{100 * c['void_volume_left']:.3g} % left after "
                                   f"{CLOSURE_TIME:g} s")
            rows += [{k: v for k, v in c.items() if k in rows[0]} for c in closures]
        checks = [
            Check("trench_vs_plane_strain", "largest relative difference of void volume, "
                  "collector displacement and voltage, 3-D trench against the plane-strain "
                  "cell", trench, TRENCH_TOL, "max"),
            Check("li_inventory", "largest Li inventory error of the 3-D pore run", inventory,
                  INVENTORY_TOL, "max"),
            Check("stack_force", "largest relative error of the contact force against the "
                  "stack force (3-D pore run)", force, FORCE_TOL, "max"),
        ]
        findings = {"trench_differences": differences,
                    "closure": [{k: v for k, v in c.items() if k != "history"}
                                for c in closures]}
        return Outcome(rows=rows, checks=checks, columns=list(rows[0]), findings=findings,
                       plot_data={"closures": closures, "rows": rows})

    def plot(self, outcome: Outcome, path: Path, quick: bool) -> None:
        """Void volume at rest against time (full run), and the time per step of every run."""
        plt = pyplot()
        closures = outcome.plot_data["closures"]
        fig, (ax, cost) = plt.subplots(1, 2, figsize=(13.0, 4.8))
        for k, c in enumerate(closures):
            h = c["history"]
            ax.plot(h["time_s"], h["void_volume_share"], "-" if c["dimension"] == 3 else "--",
                    color=f"C{k}", label=f"{c['case']} ({c['dimension']}-D, "
                                         f"{c['columns_um']:g} um columns)")
        ax.set_xscale("symlog", linthresh=1.0)
        ax.set_xlabel("time at rest under 1 MPa [s]")
        ax.set_ylabel("void volume / initial")
        ax.set_title("a 7 um pore, 0.3 um deep, 12 um apart" if closures
                     else "closure: full run only")
        if closures:
            ax.legend(fontsize=7)
        ax.grid(alpha=0.3)
        rows = outcome.plot_data["rows"]
        for dim, marker in ((2, "s"), (3, "o")):
            sel = [r for r in rows if r["dimension"] == dim]
            cost.loglog([r["dofs"] for r in sel], [r["wall_per_step_s"] for r in sel], marker,
                        label=f"{dim}-D")
        cost.set_xlabel("DOFs (potential + displacement)")
        cost.set_ylabel("wall time per step [s]")
        cost.legend()
        cost.grid(alpha=0.3, which="both")
        fig.suptitle("3-D stripping")
        fig.tight_layout()
        save_figure(fig, path)
        plt.close(fig)


__all__ = ["Stripping3D", "closure", "pore_balance", "trench_against_plane_strain"]
