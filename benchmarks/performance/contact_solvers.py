"""Contact solvers of the stripping problem: PETSc's reduced-space VI against the fixed-sparsity
active-set Newton, with a fresh or a lagged LU; the same answers, and what each costs.

The Li contact (``u_z <= gap`` at the interface) is solved at every stagger pass of every
stripping step. Three solvers (``contact.solver`` / ``contact.factorization``):

- ``reduced_space`` / ``fresh``: PETSc SNES ``vinewtonrsls``, a new reduced matrix and a new
  MUMPS analysis and factorisation per Newton iteration (ssbx's solver until this benchmark);
- ``active_set`` / ``fresh``: semismooth Newton on ``max(F, c (u - g)) = 0``
  (:mod:`ssbx.problems.active_set`): the rows of the active dofs are replaced in place, the
  matrix keeps its sparsity, MUMPS analyses once and refactorises numerically;
- ``active_set`` / ``lagged``: the same, with the LU kept as GMRES's preconditioner while GMRES
  needs at most 10 iterations (:mod:`ssbx.problems.factor_reuse`); inexact Newton steps (GMRES to
  1e-3), so the answer meets the contact solve's tolerances, not round-off.

Runs (the stripping model of ``stripping_3d``: Li 10 um | electrolyte 20 um, linear kinetics
Z = 2 ohm cm^2, Masias et al. 2019 creep, 1 MPa): a pore stripped at 1 mA/cm^2 for 30 s, then
at rest for 10 min, in 3-D (a round pore 7 um wide and 0.3 um deep in a 12 um square cell,
interface columns of 2 and 1.5 um) and in 2-D (its plane-strain section, columns of 0.5 um).

Checks: the Li inventory of every run to 1e-12; each other solver against ``reduced_space``
within :data:`AGREEMENT_TOL` (:func:`agreement`: the void volume history relative to the initial
void volume, the void volume at the end of the strip, the voltages at the end of the strip and
of the rest, the final contact fraction). The solvers take their own adaptive steps, so the
differences include the time-stepping error of two step sequences. Measured: steps, Newton
iterations, MUMPS analyses and factorisations (PETSc log events), wall time per step and per Newton
iteration, and a step's cost over its floor (:func:`ssbx.benchmarks.performance.stripping.
step_floor`: one residual, one Jacobian and one fresh LU per field, at the final state, the
least of :data:`FLOOR_SAMPLES` samples). MUMPS counts include the current problem's.

Quick: the 2-D section at columns of 1 um, 10 s of strip and 1 min of rest.
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
)
from ssbx.benchmarks.performance.stripping import step_floor
from ssbx.benchmarks.performance.stripping_3d import CELL, PORE_DEPTH, PORE_WIDTH, _problem
from ssbx.meshes.spec import VoidSpec
from ssbx.physics.creep_laws import MASIAS_2019
from ssbx.problems.stripping.state import Load
from ssbx.problems.stripping.stepping import StepControl, advance
from ssbx.units import from_mA_per_cm2

PRESSURE = 1e6  # Pa
CURRENT = from_mA_per_cm2(1.0)  # A/m^2
#: (contact.solver, contact.factorization) of each run; the first is the reference
SOLVERS = [("reduced_space", "fresh"), ("active_set", "fresh"), ("active_set", "lagged")]
#: relative agreement of every solver with the reduced-space one
AGREEMENT_TOL = 1e-2
INVENTORY_TOL = 1e-12
#: samples of the floor at the end of each run (the least is taken: a floor)
FLOOR_SAMPLES = 3
_EVENTS = ("MatLUFactorSym", "MatLUFactorNum", "MatSolve", "SNESSolve")


def _events() -> dict[str, tuple[int, float]]:
    from petsc4py import PETSc

    out = {}
    for name in _EVENTS:
        info = PETSc.Log.Event(name).getPerfInfo()
        out[name] = (int(info["count"]), float(info["time"]))
    return out


def _floor(problem: Any) -> float:
    """One sample of the floor of a step at the committed state [s] (maximum over ranks)."""
    floor = step_floor(problem)
    return problem.comm.allreduce(floor["floor_current"] + floor["floor_mechanics"],
                                  op=MPI.MAX)


def cases(quick: bool) -> list[dict[str, Any]]:
    """The runs: dimension, interface column size [m], protocol [(A/m^2, s)]."""
    pore = VoidSpec(center=0.5 * CELL, center_y=0.5 * CELL, width=PORE_WIDTH, height=PORE_DEPTH)
    section = VoidSpec(center=0.5 * CELL, width=PORE_WIDTH, height=PORE_DEPTH)
    if quick:
        return [{"label": "2-D section", "dimension": 2, "void": section, "size": 1e-6,
                 "protocol": [(CURRENT, 10.0), (0.0, 60.0)]}]
    protocol = [(CURRENT, 30.0), (0.0, 600.0)]
    return [{"label": "2-D section", "dimension": 2, "void": section, "size": 0.5e-6,
             "protocol": protocol},
            {"label": "3-D pore", "dimension": 3, "void": pore, "size": 2e-6,
             "protocol": protocol},
            {"label": "3-D pore", "dimension": 3, "void": pore, "size": 1.5e-6,
             "protocol": protocol}]


def run_one(comm: MPI.Comm, case: dict[str, Any], solver: str,
            factorization: str) -> dict[str, Any]:
    """One run: its cost row and the quantities compared between solvers."""
    voids = (case["void"],)
    problem = _problem(comm, case["dimension"], voids, width=CELL, depth=CELL,
                       size=case["size"], creep=MASIAS_2019, pressure=PRESSURE,
                       contact_solver=solver, contact_factorization=factorization)
    control = StepControl(dt_initial=1e-3, dt_max=50.0, max_thickness_change=0.05e-6)
    rows = [problem.scalars()]
    counts = {"steps": 0, "newton": 0, "contact_time": 0.0}

    def on_step(report: Any, previous: Any) -> None:
        counts["steps"] += 1
        counts["newton"] += report.newton
        counts["contact_time"] += report.time_mechanics
        rows.append(problem.scalars(previous, report) | {"voltage": report.voltage})

    ends = []
    e0 = _events()
    t0 = time.perf_counter()
    for current, duration in case["protocol"]:
        advance(problem, Load.current(current), duration, control, on_step=on_step)
        ends.append(rows[-1])
    wall = comm.allreduce(time.perf_counter() - t0, op=MPI.MAX)
    e1 = _events()
    floor_step = min(_floor(problem) for _ in range(FLOOR_SAMPLES))
    dofs = problem.num_dofs()
    area = problem.area
    problem.close()
    steps = max(counts["steps"], 1)
    count = {n: e1[n][0] - e0[n][0] for n in _EVENTS}
    seconds = {n: comm.allreduce(e1[n][1] - e0[n][1], op=MPI.MAX) for n in _EVENTS}
    contact_time = comm.allreduce(counts["contact_time"], op=MPI.MAX)
    compared = {}
    for when, row in zip(("strip", "rest"), ends, strict=True):
        compared[f"void_per_area_{when}"] = row["void_volume"] / area
        compared[f"voltage_{when}"] = row["voltage"]
    compared["contact_fraction_end"] = ends[-1]["contact_fraction"]
    compared["void_left_end"] = ends[-1]["void_volume"] / rows[0]["void_volume"]
    return {
        "case": case["label"], "dimension": case["dimension"],
        "columns_um": case["size"] * 1e6, "solver": solver, "factorization": factorization,
        "dofs": dofs["potential"] + dofs["displacement"],
        "displacement_dofs": dofs["displacement"], "steps": counts["steps"],
        "newton_per_step": counts["newton"] / steps,
        "lu_analyses": count["MatLUFactorSym"], "lu_factorisations": count["MatLUFactorNum"],
        "triangular_solves": count["MatSolve"],
        "time_factorisation_s": seconds["MatLUFactorNum"] + seconds["MatLUFactorSym"],
        "wall_s": wall, "wall_per_step_s": wall / steps,
        "contact_per_newton_s": contact_time / max(counts["newton"], 1),
        "floor_per_step_s": floor_step, "cost_vs_floor": wall / steps / floor_step,
        "li_inventory_error": max(abs(r["li_inventory_error"]) for r in rows),
        **compared,
        "history": {"time_s": [r["time"] for r in rows],
                    "void_per_area": [r["void_volume"] / area for r in rows]},
    }


def agreement(reference: dict[str, Any], other: dict[str, Any]) -> dict[str, float]:
    """Differences of ``other`` from ``reference``: the void volume history (interpolated at
    the reference's times) relative to the initial void volume; the void volume at the end of
    the strip relative to its value; the voltages relative to the larger of the reference's
    two; the final contact fraction (absolute). A void that closes at rest is compared
    through its history, not its tiny remainder (whose relative difference is the time
    error of two step sequences around the closure)."""
    ref, new = reference["history"], other["history"]
    v0 = ref["void_per_area"][0]
    interpolated = np.interp(ref["time_s"], new["time_s"], new["void_per_area"])
    scale_v = max(abs(reference["voltage_strip"]), abs(reference["voltage_rest"]))
    return {
        "void_history": float(np.max(np.abs(interpolated - ref["void_per_area"]))) / v0,
        "void_per_area_strip": abs(other["void_per_area_strip"]
                                   - reference["void_per_area_strip"])
        / reference["void_per_area_strip"],
        "voltage_strip": abs(other["voltage_strip"] - reference["voltage_strip"]) / scale_v,
        "voltage_rest": abs(other["voltage_rest"] - reference["voltage_rest"]) / scale_v,
        "contact_fraction_end": abs(other["contact_fraction_end"]
                                    - reference["contact_fraction_end"]),
    }


@register
class ContactSolvers(DirectBenchmark):
    """Benchmark ``contact_solvers`` (see the module docstring)."""

    name = "contact_solvers"
    title = "Contact solvers: reduced-space VI against active-set Newton (fresh or lagged LU)"
    source = ("ssbx measurement; the primal-dual active-set method of Hintermüller, Ito and "
              "Kunisch, SIAM J. Optim. 13, 865 (2002), doi:10.1137/S1052623401383558; creep "
              "law of Masias et al., J. Mater. Sci. 54, 2585 (2019)")
    reference = "the reduced-space VI solver (PETSc vinewtonrsls) on the same runs"
    metric = ("difference from reduced_space of the void volume history (relative to the "
              "initial void), of the void at the end of the strip and of the voltages (relative), "
              "and of the final contact fraction; Li inventory error")
    tolerance = f"agreement {AGREEMENT_TOL:g}; inventory {INVENTORY_TOL:g}"
    x_label = "time [s]"

    def compute(self, comm: MPI.Comm, console: Any, quick: bool, out_dir: Path) -> Outcome:
        """Every case with every solver; the checks and the cost table."""
        from petsc4py import PETSc

        PETSc.Log.begin()
        rows: list[dict[str, Any]] = []
        differences: dict[str, dict[str, float]] = {}
        for case in cases(quick):
            reference = None
            for solver, factorization in SOLVERS:
                row = run_one(comm, case, solver, factorization)
                rows.append(row)
                say(comm, console, f"  {row['case']} ({row['columns_um']:g} um, {row['dofs']} "
                                   f"DOFs), {solver}/{factorization}: {row['steps']} steps, "
                                   f"{row['newton_per_step']:.2f} Newton/step, "
                                   f"{row['lu_factorisations']} LU, {row['wall_s']:.3g} s, "
                                   f"{row['wall_per_step_s']:.3g} s/step, "
                                   f"{row['cost_vs_floor']:.2f}x floor")
                if reference is None:
                    reference = row
                    continue
                key = f"{case['label']} {case['size'] * 1e6:g} um, {solver}/{factorization}"
                differences[key] = agreement(reference, row)
                row["speed_up_per_step"] = reference["wall_per_step_s"] / row["wall_per_step_s"]
                row["speed_up_run"] = reference["wall_s"] / row["wall_s"]
                row["largest_difference"] = max(differences[key].values())
        worst = max(max(d.values()) for d in differences.values())
        inventory = max(r["li_inventory_error"] for r in rows)
        checks = [
            Check("agreement", "largest difference of every solver from reduced_space (void "
                  "volume history, void after the strip, voltages, contact fraction)", worst,
                  AGREEMENT_TOL, "max"),
            Check("li_inventory", "largest Li inventory error of all runs", inventory,
                  INVENTORY_TOL, "max"),
        ]
        columns = [k for k in rows[0] if k != "history"] + [
            "speed_up_per_step", "speed_up_run", "largest_difference"]
        table = [{k: r.get(k, "") for k in columns} for r in rows]
        return Outcome(rows=table, checks=checks, columns=columns,
                       findings={"differences": differences},
                       plot_data={"rows": rows})

    def plot(self, outcome: Outcome, path: Path, quick: bool) -> None:
        """Void volume against time for every run, and the wall time per step."""
        plt = pyplot()
        rows = outcome.plot_data["rows"]
        fig, (ax, cost) = plt.subplots(1, 2, figsize=(13.0, 4.8))
        styles = {s: st for s, st in zip(SOLVERS, ("-", "--", ":"), strict=True)}
        labels = sorted({(r["case"], r["columns_um"]) for r in rows})
        for k, (case, size) in enumerate(labels):
            for r in rows:
                if (r["case"], r["columns_um"]) != (case, size):
                    continue
                h = r["history"]
                v0 = h["void_per_area"][0]
                ax.plot(np.maximum(h["time_s"], 1e-3), np.array(h["void_per_area"]) / v0,
                        styles[(r["solver"], r["factorization"])], color=f"C{k}",
                        label=f"{case} {size:g} um, {r['solver']}/{r['factorization']}")
        ax.set_xscale("log")
        ax.set_xlabel("time [s] (strip, then rest)")
        ax.set_ylabel("void volume / initial")
        ax.legend(fontsize=6)
        ax.grid(alpha=0.3)
        x = np.arange(len(labels))
        for j, solver in enumerate(SOLVERS):
            per_step = [next((r["wall_per_step_s"] for r in rows
                              if (r["case"], r["columns_um"]) == lab
                              and (r["solver"], r["factorization"]) == solver), np.nan)
                        for lab in labels]
            cost.bar(x + (j - 1) * 0.27, per_step, 0.27, label="/".join(solver))
        cost.set_xticks(x, [f"{c}\n{s:g} um" for c, s in labels])
        cost.set_ylabel("wall time per step [s]")
        cost.set_yscale("log")
        cost.legend(fontsize=8)
        cost.grid(alpha=0.3, axis="y")
        fig.suptitle("Contact solvers of the stripping problem")
        fig.tight_layout()
        save_figure(fig, path)
        plt.close(fig)


__all__ = ["ContactSolvers", "agreement", "cases", "run_one"]
