"""Performance benchmark ``particle_polycrystal``: the charge of a 3-D polycrystalline cathode
particle (issue 18: "a 3-D polycrystalline particle (>= 50 grains) charge under MPI").

The particle is the octant of a 5 um sphere (``ParticleGeometry.sphere_octant``, mirror planes
as rollers) of :data:`GRAINS` random grains (:func:`ssbx.meshes.grains.random_polycrystal`,
seeded: the same microstructure on any number of ranks), each with the anisotropic lattice
strain of ``particle_crack_site`` (a -1.5 %, c +1.7 % over a full charge) about its own c-axis;
the LiMn2O4 preset's D, E, nu and c_max; charged at 1C (Li extracted at the surface) in fixed
steps of 0.02 R^2/D. Unknowns: c (P1), u (P2), sigma_h (P1), one Newton system per step,
solved by MUMPS LU (``direct``) or by FGMRES with a c -> u -> sigma_h field split and one AMG
cycle per block (``iterative``, ``ssbx.problems.particle.ITERATIVE_OPTIONS``). Level K < 3
sets the element size to :data:`SIZES` [K] R; level 3 is the whole sphere (8 x 64 grains of
the same size, isostatic point supports) at the finest size, run with the iterative solver
only: the run the LU fit projects.

Every measurement is its own ``mpirun -n N`` worker (:mod:`ssbx.benchmarks.workers`): Gmsh and
distribution, problem set-up (forms, JIT), the first step (backward Euler), the second (BDF2:
new weights, so a new LU factorisation: ``time_per_step``), the mean of the later steps, which
keep the factors (the Jacobian is state-free under a current: ``time_reused_step``), Newton
iterations, factorisations, peak memory summed over the ranks.

Asserted: 2 ranks give the serial result at each level measured on both, and the iterative
solver the direct one (mean lithiation and the largest principal stress, relative 1e-6); two
factorisations (or AMG set-ups) per run (the later steps keep them). Reported: time per step
against the DOFs, the exponent b of a fit t_step ∝ DOFs^b of the factorising LU step (the
direct solver's growth), the 2-rank speed-up, a projection to the full sphere (8 octants) from
the fit, and the full sphere measured with the iterative solver; two ranks of one machine
cannot show a network or the solvers' scaling beyond them.
"""

from __future__ import annotations

import json
import math
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
    timed_collectively,
    write_json_atomic,
)
from ssbx.benchmarks.workers import (
    launch_worker,
    load_average,
    machine_description,
    process_info,
    run_workers,
    worker_arguments,
)

MODULE = "performance.particle_polycrystal"
RADIUS = 5e-6
GRAINS = 64
SEED = 0
SIZES = (0.1, 0.07, 0.05)
"""Element size / R at each level."""
WHOLE_LEVEL = 3
"""The whole sphere at ``SIZES[-1]``, ``8 GRAINS`` grains."""
FULL_RUNS = ((0, 1, "direct"), (1, 1, "direct"), (2, 1, "direct"), (1, 2, "direct"),
             (2, 2, "direct"), (0, 1, "iterative"), (1, 1, "iterative"), (2, 1, "iterative"),
             (2, 2, "iterative"), (WHOLE_LEVEL, 2, "iterative"))
QUICK_RUNS = ((0, 1, "direct"), (0, 2, "direct"), (0, 1, "iterative"))
STEP_TAU = 0.02
PARALLEL_TOL = 1e-6
WORKER_TIMEOUT_S = 1800.0
COLUMNS = ["level", "solver", "ranks", "grains", "cells", "dofs", "time_mesh", "time_setup",
           "time_first_step", "time_per_step", "time_reused_step", "steps", "factorisations",
           "newton_per_step", "krylov_per_solve",
           "speedup_2ranks", "mean_lithiation", "largest_principal_stress_Pa",
           "memory_peak_MiB"]


def measure(comm: MPI.Comm, level: int, steps: int, solver: str = "direct") -> dict[str, Any]:
    """One charge of ``steps`` steps at ``level`` on ``comm`` with the linear ``solver``
    (collective); timings are the maximum over the ranks."""
    from ssbx.meshes.grains import random_polycrystal
    from ssbx.physics.constants import FARADAY
    from ssbx.physics.intercalation_materials import LIMN2O4
    from ssbx.physics.particle import LatticeStrain, SurfaceKinetics, linear_ocv
    from ssbx.problems.particle import ParticleGeometry, ParticleProblem, c_axis_field

    c_max = LIMN2O4.max_concentration
    whole = level == WHOLE_LEVEL
    size = SIZES[-1 if whole else level] * RADIUS
    geometry, t_mesh = timed_collectively(
        comm, lambda: ParticleGeometry.sphere(comm, RADIUS, size) if whole
        else ParticleGeometry.sphere_octant(comm, RADIUS, size))
    grains = 8 * GRAINS if whole else GRAINS
    polycrystal = random_polycrystal(grains, RADIUS, SEED, octant=not whole)

    def setup() -> Any:
        kinetics = SurfaceKinetics(1.0, linear_ocv(4.0, c_max, -1e-5))
        problem = ParticleProblem(
            geometry, LIMN2O4, kinetics, initial_concentration=c_max, degree=1, mechanics=True,
            lattice=LatticeStrain(0.03, -0.034),
            c_axis=c_axis_field(geometry.mesh, polycrystal.axis_at), linear_solver=solver,
            options_prefix=f"ssbx_perf_poly_{level}_{solver}_")
        capacity = c_max * FARADAY * RADIUS / 3.0  # C/m^2 per unit of x
        problem.apply_current_density(-capacity / 3600.0)  # 1C, extraction
        return problem

    problem, t_setup = timed_collectively(comm, setup)
    dt = STEP_TAU * RADIUS ** 2 / LIMN2O4.diffusivity
    first, t_first = timed_collectively(comm, lambda: problem.step(dt))
    newton = first.newton_iterations
    ksp = problem.problem.solver.getKSP()
    krylov = [ksp.getIterationNumber()]
    later = []
    for _ in range(steps - 1):
        state, t = timed_collectively(comm, lambda: problem.step(dt))
        later.append(t)
        newton += state.newton_iterations
        krylov.append(ksp.getIterationNumber())
    factorisations = problem.factorisations
    stress, _ = problem.largest_principal_stress()
    mean = problem.state().mean_concentration / c_max
    index_map = problem.W.dofmap.index_map
    dofs = index_map.size_global * problem.W.dofmap.index_map_bs
    cells = geometry.mesh.topology.index_map(3).size_global
    problem.close()
    return {"level": level, "solver": solver, "ranks": comm.size, "grains": grains,
            "cells": cells, "dofs": dofs, "krylov_per_solve": float(np.mean(krylov)),
            "time_mesh": t_mesh, "time_setup": t_setup, "time_first_step": t_first,
            "time_per_step": later[0] if later else t_first,
            "time_reused_step": float(np.mean(later[1:])) if len(later) > 1 else math.nan,
            "steps": steps, "factorisations": factorisations,
            "newton_per_step": newton / steps, "mean_lithiation": mean,
            "largest_principal_stress_Pa": stress, **process_info(comm)}


def worker_main(comm: MPI.Comm, argv: list[str]) -> int:
    """One measurement on ``comm`` (called by :mod:`ssbx.benchmarks.entry`)."""
    parser = worker_arguments(MODULE, __doc__)
    parser.add_argument("--steps", type=int, default=6)
    parser.add_argument("--solver", choices=("direct", "iterative"), default="direct")
    args = parser.parse_args(argv)
    row = measure(comm, args.level, args.steps, args.solver)
    if comm.rank == 0:
        write_json_atomic(args.json, row)
        print(json.dumps(row), flush=True)
    return 0


def fit_power_law(rows: list[dict[str, Any]]) -> tuple[float, float]:
    """(a, b) of time_per_step = a DOFs^b over the serial rows of the direct solver (least
    squares in logs; NaN with fewer than two)."""
    serial = [r for r in rows if r["ranks"] == 1 and r.get("solver", "direct") == "direct"]
    if len(serial) < 2:
        return math.nan, math.nan
    x = np.log([r["dofs"] for r in serial])
    y = np.log([r["time_per_step"] for r in serial])
    b, log_a = np.polyfit(x, y, 1)
    return float(math.exp(log_a)), float(b)


@register
class ParticlePolycrystal(DirectBenchmark):
    """Benchmark ``particle_polycrystal`` (see the module docstring)."""

    name = "particle_polycrystal"
    title = ("3-D polycrystalline particle (64 grains) charged at 1C: cost per step, LU and "
             "AMG field split, 1 and 2 ranks, and the whole sphere")
    source = ("ssbx performance measurement (no published reference): the octant of a 64-grain "
              "particle at three mesh sizes, serial and on 2 ranks, direct and iterative; the "
              "whole 512-grain sphere with the iterative solver")
    reference = ("none (timings are reported); the serial results are the reference of 2 ranks "
                 "and the direct solver's of the iterative one")
    metric = ("largest relative difference of the mean lithiation and the largest principal "
              "stress, 2 ranks vs serial and iterative vs direct; timings reported")
    tolerance = (f"2 ranks and the iterative solver equal the serial direct run to "
                 f"{PARALLEL_TOL:g} relative (timings are not asserted)")

    def compute(self, comm: MPI.Comm, console: Any, quick: bool, out_dir: Path) -> Outcome:
        """Launch one worker per (level, ranks, solver)."""
        load_start = load_average()
        runs = QUICK_RUNS if quick else FULL_RUNS
        steps = 4 if quick else 6

        def launch_one(run: tuple[int, int, str], workdir: Path) -> dict[str, Any]:
            level, ranks, solver = run
            return launch_worker(MODULE, ranks, ["--level", str(level), "--steps", str(steps),
                                                 "--solver", solver],
                                 workdir / f"level{level}_np{ranks}_{solver}.json",
                                 WORKER_TIMEOUT_S)

        def describe(run: tuple[int, int, str], row: dict[str, Any]) -> str:
            kept = "LU factorisation" if run[2] == "direct" else "AMG set-up"
            return (f"level {run[0]}, {run[1]} rank(s), {run[2]}: {row['cells']} cells, "
                    f"{row['dofs']} DOFs, mesh {row['time_mesh']:.2f} s, set-up "
                    f"{row['time_setup']:.2f} s, first step {row['time_first_step']:.2f} s, "
                    f"step with a new {kept} {row['time_per_step']:.2f} s, then "
                    f"{row['time_reused_step']:.2f} s/step keeping it "
                    f"({row['factorisations']} set-ups, {row['newton_per_step']:.1f} Newton, "
                    f"{row['krylov_per_solve']:.0f} Krylov iterations per solve, "
                    f"{row['memory_peak_MiB']:.0f} MiB)")

        rows = comm.bcast(run_workers(comm, console, runs, launch_one, describe,
                                      "ssbx_perf_poly_"), root=0)
        serial = {r["level"]: r for r in rows if r["ranks"] == 1 and r["solver"] == "direct"}
        worst = {"ranks": 0.0, "solver": 0.0}
        for r in rows:
            base = serial.get(r["level"])
            same = [b for b in rows if b["level"] == r["level"] and b["ranks"] == 1
                    and b["solver"] == r["solver"]]
            r["speedup_2ranks"] = (same[0]["time_per_step"] / r["time_per_step"]
                                   if r["ranks"] == 2 and same else math.nan)
            if base is None or r is base:
                continue
            which = "ranks" if r["solver"] == "direct" else "solver"
            worst[which] = max(worst[which], *(abs(r[k] / base[k] - 1.0) for k in
                                               ("mean_lithiation", "largest_principal_stress_Pa")))
        a, b = fit_power_law(rows)
        finest = max(serial.values(), key=lambda r: r["dofs"])
        full_sphere = a * (8 * finest["dofs"]) ** b if math.isfinite(b) else math.nan
        checks = [Check("parallel_equals_serial", "largest relative difference of the mean "
                        "lithiation and the largest principal stress, 2 ranks vs serial (LU)",
                        worst["ranks"], PARALLEL_TOL, "max"),
                  Check("iterative_equals_direct", "the same, the iterative solver (1 and 2 "
                        "ranks) vs serial LU", worst["solver"], PARALLEL_TOL, "max"),
                  Check("factorisations", "largest number of LU factorisations or AMG set-ups "
                        "in a run (backward Euler, then BDF2; the later steps keep them)",
                        float(max(r["factorisations"] for r in rows)), 2.0, "max")]
        two = [r for r in rows if r["ranks"] == 2 and r["solver"] == "direct"]
        iterative = {r["level"]: r for r in rows if r["solver"] == "iterative"
                     and (r["ranks"] == 1 or r["level"] == WHOLE_LEVEL)}
        findings = {
            "machine": machine_description(rows[0], load_start),
            "parallel_difference": worst["ranks"], "iterative_difference": worst["solver"],
            "fit_time_per_step": {"a": a, "b": b},
            "projected_full_sphere": {"dofs": 8 * finest["dofs"],
                                      "serial_time_per_step_s": full_sphere},
            "statement": " ".join(part for part in (
                (f"{finest['dofs']} DOFs ({finest['cells']} tetrahedra, {GRAINS} grains): "
                 f"{finest['time_per_step']:.2f} s per factorising step serially, "
                 f"{finest['time_reused_step']:.2f} s per step that keeps the LU factors; the "
                 f"factorising step ∝ DOFs^{b:.2f} (MUMPS LU); 2 ranks: x"
                 + ", x".join(f"{r['speedup_2ranks']:.2f}" for r in two)
                 + f" at {', '.join(str(r['dofs']) for r in two)} DOFs; the full sphere at the "
                 f"finest size ({8 * finest['dofs']} DOFs) projects to {full_sphere:.0f} s per "
                 "serial LU step.") if two else "",
                "Iterative (FGMRES, AMG field split): " + "; ".join(
                    f"{r['dofs']} DOFs on {r['ranks']} rank(s) {r['time_per_step']:.2f} s per "
                    f"step with a new AMG set-up, {r['time_reused_step']:.2f} s keeping it, "
                    f"{r['krylov_per_solve']:.0f} iterations, {r['memory_peak_MiB']:.0f} MiB"
                    for _, r in sorted(iterative.items())) + "." if iterative else ""))}
        return Outcome(rows=rows, checks=checks, columns=COLUMNS, findings=findings)

    def plot(self, outcome: Outcome, path: Path, quick: bool) -> None:
        """Time per step against the DOFs, serial and 2 ranks, with the fit."""
        plt = pyplot()
        fig, ax = plt.subplots(figsize=(6.5, 4.5))
        for ranks, style in ((1, "o-"), (2, "s--")):
            rows = sorted((r for r in outcome.rows if r["ranks"] == ranks
                           and r["solver"] == "direct"), key=lambda r: r["dofs"])
            if rows:
                ax.loglog([r["dofs"] for r in rows], [r["time_per_step"] for r in rows], style,
                          label=f"{ranks} rank(s): step with a new factorisation")
                ax.loglog([r["dofs"] for r in rows], [r["time_reused_step"] for r in rows],
                          style[0] + "-.", label=f"{ranks} rank(s): step keeping the factors")
                ax.loglog([r["dofs"] for r in rows], [r["time_first_step"] for r in rows], ":",
                          marker=style[0], alpha=0.5, label=f"{ranks} rank(s): first step")
        for ranks, marker in ((1, "^"), (2, "v")):
            rows = sorted((r for r in outcome.rows if r["ranks"] == ranks
                           and r["solver"] == "iterative"), key=lambda r: r["dofs"])
            if rows:
                ax.loglog([r["dofs"] for r in rows], [r["time_reused_step"] for r in rows],
                          marker=marker, color="C3", ls="-" if ranks == 1 else "--",
                          label=f"{ranks} rank(s): iterative, AMG kept"
                                + (" (largest: the whole sphere)" if ranks == 2 else ""))
        fit = outcome.findings.get("fit_time_per_step", {})
        if math.isfinite(fit.get("b", math.nan)):
            n = np.geomspace(min(r["dofs"] for r in outcome.rows),
                             outcome.findings["projected_full_sphere"]["dofs"], 20)
            ax.loglog(n, fit["a"] * n ** fit["b"], color="0.5", lw=0.8,
                      label=f"fit ∝ DOFs^{fit['b']:.2f}, to the full sphere")
        ax.xaxis.set_minor_formatter(plt.NullFormatter())
        ax.set_xlabel("DOFs (c, u, σ_h)")
        ax.set_ylabel("wall time (max over ranks) [s]")
        ax.set_title(f"64-grain particle octant (and the whole sphere), 1C charge"
                     f"{' (quick)' if quick else ''}")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
        fig.tight_layout()
        save_figure(fig, path)
        plt.close(fig)


__all__ = ["ParticlePolycrystal", "fit_power_law", "measure", "worker_main"]
