"""Performance of the Li-filled crack tools: one stress-intensity evaluation, one critical
plating current, one crack-growth run, serial and on 2 ranks.

Not a timed test: timings are measured and reported; what is asserted is that 2 ranks give the
serial answers (K_I, critical plating current, grown path) to 1e-6 relative.

Each measurement is its own process, ``mpirun -n 1|2 python -m ssbx.benchmarks.entry
performance.cracks --worker --level K --json OUT``, launched by rank 0 of the benchmark's
communicator. The worker first runs everything once on the coarsest level (FFCx JIT, PETSc
initialisation: ``time_warmup``, not counted), then on level K (element sizes / 2^K):

- ``K``: mesh a 1 µm edge flaw in a 200 µm x 200 µm LLZO electrolyte, set up
  :class:`~ssbx.problems.fracture.CrackProblem` and solve once with the J-integral and the
  interaction integral on three domains (times of meshing, set-up, solve + integrals);
- ``critical current``: the sealed flaw's critical plating current at 2 ohm cm^2
  (:meth:`~ssbx.problems.crack_current.CrackCurrentProblem.critical_plating_current`, the
  number of potential solves it takes);
- ``growth``: :func:`~ssbx.problems.crack_growth.grow_crack` of a 5 µm flaw at 20 degrees,
  4 increments of 1.5 µm (quick: 2), remeshing every step;
- ``phase field`` (level 0 workers only: one size, ``l = 0.1 a``): a phase-field (AT1) growth
  run of a 1 µm Li-filled edge flaw in an 8 µm x 4 µm LLZO plate
  (:class:`~ssbx.problems.phase_field_growth.PhaseFieldGrowth`, elements ``l/3`` around the
  flaw): mesh and set-up, then two load steps, 0.9 and 1.3 x the edge-crack LEFM pressure
  ``K_Ic / (1.12 sqrt(pi a))``, the second growing the crack by ``a/2`` (DOFs, staggered
  iterations, time).

Times are the maximum over the ranks; the full run keeps the fastest of 2 repetitions.
"""

from __future__ import annotations

import json
import math
import time
from pathlib import Path
from typing import Any

from mpi4py import MPI

from ssbx.benchmarks.framework import (
    Check,
    DirectBenchmark,
    Outcome,
    pyplot,
    register,
    save_figure,
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

FULL_LEVELS = (0, 1, 2)
QUICK_LEVELS = (0,)
RANKS = (1, 2)
PARALLEL_TOL = 1e-6
WORKER_TIMEOUT_S = 1200.0
CELL = 200e-6
ASR_OHM_M2 = 2e-4  # 2 ohm cm^2 (the CCS benchmarks' interface)
PF_FLAW = 1e-6


def measure(comm: MPI.Comm, level: int, growth_steps: int, warmup: bool = True,
            repeat: int = 1) -> dict[str, Any]:
    """Time the three tasks of the module docstring at ``level`` on ``comm``."""
    import dataclasses

    from ssbx.meshes.cracks import CrackSpec, build_crack_mesh, default_sizes
    from ssbx.physics.constants import FARADAY, LI_MOLAR_VOLUME
    from ssbx.physics.electrolytes import electrolyte_preset
    from ssbx.physics.kinetics import ButlerVolmer
    from ssbx.problems.crack_current import CrackCurrentProblem
    from ssbx.problems.crack_growth import grow_crack
    from ssbx.problems.fracture import CrackLoads, CrackProblem

    llzo = electrolyte_preset("LLZO")
    assert llzo.fracture_toughness is not None
    kinetics = ButlerVolmer(8.314462618 * 298.15 / (FARADAY * ASR_OHM_M2))
    loads = CrackLoads(stack_pressure=2e6)

    def phase_field() -> dict[str, Any]:
        from ssbx.meshes.phase_field import build_refined_rectangle
        from ssbx.problems.phase_field_growth import PhaseFieldGrowth, PhaseFieldLoads

        a = PF_FLAW
        length = 0.1 * a
        h = length / 3.0
        E, nu = llzo.elastic.E, llzo.elastic.nu
        toughness = llzo.fracture_toughness ** 2 / (E / (1.0 - nu * nu))
        p_edge = llzo.fracture_toughness / (1.12 * math.sqrt(math.pi * a))
        comm.barrier()
        t0 = time.perf_counter()
        pf_mesh = build_refined_rectangle(comm, (-4.0 * a, 0.0), (8.0 * a, 4.0 * a),
                                          (-0.6 * a, 0.6 * a, 0.0, 1.8 * a), h, 0.5 * a,
                                          transition=a)
        problem = PhaseFieldGrowth(pf_mesh, E, nu, toughness, length, [((0.0, 0.0), (0.0, a))],
                                   h, options_prefix="ssbx_perf_pf_")
        t1 = time.perf_counter()
        states = [problem.step(PhaseFieldLoads(f * p_edge), stop_radius=0.5 * a)
                  for f in (0.9, 1.3)]
        t2 = time.perf_counter()
        row = {"pf_cells": pf_mesh.topology.index_map(2).size_global,
               "pf_dofs": 3 * problem.Q.dofmap.index_map.size_global,
               "time_pf_setup": t1 - t0, "time_pf_growth": t2 - t1,
               "pf_staggered_iterations": problem.staggered_total,
               "pf_crack_length_m": states[-1].crack_length, "pf_reach_m": states[-1].reach}
        problem.close()
        return row

    def run(lvl: int, steps: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        comm.barrier()
        t0 = time.perf_counter()
        spec = CrackSpec("edge", 1e-6, CELL, CELL)
        mesh = build_crack_mesh(comm, spec, default_sizes(spec, refinement=2.0 ** lvl))
        t1 = time.perf_counter()
        problem = CrackProblem(mesh, llzo.elastic, options_prefix="ssbx_perf_crack_")
        t2 = time.perf_counter()
        solution = problem.solve(loads.scaled_li(500e6))
        t3 = time.perf_counter()
        p_c, _, _ = problem.critical_li_pressure(llzo.fracture_toughness, loads)
        current = CrackCurrentProblem(mesh, 0.05, kinetics, LI_MOLAR_VOLUME,
                                      options_prefix="ssbx_perf_phi_")
        t4 = time.perf_counter()
        i_c, _ = current.critical_plating_current(p_c, loads.stack_pressure)
        t5 = time.perf_counter()
        grow = dataclasses.replace(spec, length=5e-6, inclination=math.radians(20.0))
        history = grow_crack(comm, grow, llzo.elastic, llzo.fracture_toughness, loads,
                             increment=1.5e-6 / 2.0 ** lvl, steps=steps,
                             molar_volume=LI_MOLAR_VOLUME)
        t6 = time.perf_counter()
        out.update({
            "cells": mesh.num_cells,
            "dofs_displacement": problem.V.dofmap.index_map.size_global * 2,
            "dofs_potential": current.V.dofmap.index_map.size_global,
            "time_mesh": t1 - t0, "time_setup": t2 - t1, "time_solve_K": t3 - t2,
            "time_critical_current": t5 - t4, "potential_solves": current.solves,
            "time_growth": t6 - t5, "growth_steps": steps,
            "time_per_growth_step": (t6 - t5) / (steps + 1),
            "K_I_Pa_m05": solution.tip_mean(0)["K_I"], "critical_li_pressure_Pa": p_c,
            "critical_current_A_m2": i_c,
            "growth_final_x_m": history[-1].x, "growth_final_y_m": history[-1].y,
            "growth_final_pc_Pa": history[-1].critical_li_pressure,
        })
        current.close()
        if lvl == 0 and level == 0:  # the level-0 workers only (one size)
            out.update(phase_field())
        return out

    t_warm = 0.0
    if warmup:
        comm.barrier()
        t0 = time.perf_counter()
        run(min(FULL_LEVELS), 1)
        t_warm = time.perf_counter() - t0
    trials = []
    for _ in range(max(repeat, 1)):
        row = run(level, growth_steps)
        for key in [k for k in row if k.startswith("time_")]:
            row[key] = comm.allreduce(row[key], op=MPI.MAX)
        trials.append(row)
    best = min(trials, key=lambda r: r["time_mesh"] + r["time_solve_K"]
               + r["time_critical_current"] + r["time_growth"] + r.get("time_pf_growth", 0.0))
    return {"level": level, "ranks": comm.size, **best, "time_warmup": t_warm,
            "repeats": len(trials), **process_info(comm)}


def worker_main(comm: MPI.Comm, argv: list[str]) -> int:
    """One measurement on ``comm`` (called by :mod:`ssbx.benchmarks.entry`)."""
    parser = worker_arguments("performance.cracks", __doc__)
    parser.add_argument("--growth-steps", type=int, default=4)
    args = parser.parse_args(argv)
    row = measure(comm, args.level, args.growth_steps, warmup=not args.no_warmup,
                  repeat=args.repeat)
    if comm.rank == 0:
        write_json_atomic(args.json, row)
        print(json.dumps(row), flush=True)
    return 0


VALUES = ("K_I_Pa_m05", "critical_li_pressure_Pa", "critical_current_A_m2",
          "growth_final_x_m", "growth_final_y_m", "growth_final_pc_Pa", "pf_crack_length_m",
          "pf_reach_m", "pf_staggered_iterations")
PF_COLUMNS = ["pf_cells", "pf_dofs", "time_pf_setup", "time_pf_growth",
              "pf_staggered_iterations", "ratio_pf_2ranks_to_serial", "pf_crack_length_m",
              "pf_reach_m"]
COLUMNS = ["level", "ranks", "cells", "dofs_displacement", "dofs_potential", "time_mesh",
           "time_setup", "time_solve_K", "time_critical_current", "potential_solves",
           "time_growth", "growth_steps", "time_per_growth_step", "time_warmup",
           "ratio_K_2ranks_to_serial", "ratio_growth_2ranks_to_serial",
           *[v for v in VALUES if v not in PF_COLUMNS], *PF_COLUMNS, "repeats",
           "memory_peak_MiB"]


@register
class CrackPerformance(DirectBenchmark):
    """Benchmark ``crack_performance`` (see the module docstring)."""

    name = "crack_performance"
    title = ("Li-filled cracks: cost of a stress-intensity evaluation, a critical plating "
             "current, a growth run and a phase-field growth run, 1 and 2 ranks")
    source = ("ssbx performance measurement (no published reference): timings per task and "
              "level, 2-rank / serial ratios")
    reference = "none (timings are reported); the serial results are the reference of 2 ranks"
    metric = ("wall times of meshing, K evaluation, critical plating current and growth per "
              "step; largest relative difference 2 ranks vs serial")
    tolerance = f"2 ranks equal serial to {PARALLEL_TOL:g} relative (timings are not asserted)"
    x_label = "cells"


    def compute(self, comm: MPI.Comm, console: Any, quick: bool, out_dir: Path) -> Outcome:
        """Launch one worker per (level, ranks) and compare 2 ranks with serial."""
        load_start = load_average()
        levels = QUICK_LEVELS if quick else FULL_LEVELS
        runs = [(level, ranks) for level in levels for ranks in RANKS]
        steps = 2 if quick else 4
        repeat = 1 if quick else 2

        def launch_one(run: tuple[int, int], workdir: Path) -> dict[str, Any]:
            level, ranks = run
            return launch_worker("performance.cracks", ranks,
                                 ["--level", str(level), "--growth-steps", str(steps),
                                  "--repeat", str(repeat)],
                                 workdir / f"level{level}_np{ranks}.json", WORKER_TIMEOUT_S)

        def describe(run: tuple[int, int], row: dict[str, Any]) -> str:
            return (f"level {run[0]}, {run[1]} rank(s): {row['cells']} cells, K "
                    f"{row['time_solve_K']:.2f} s, critical current "
                    f"{row['time_critical_current']:.2f} s, growth "
                    f"{row['time_per_growth_step']:.2f} s/step"
                    + (f", phase field {row['pf_cells']} cells, {row['pf_staggered_iterations']} "
                       f"staggered iterations, {row['time_pf_growth']:.1f} s"
                       if "time_pf_growth" in row else ""))

        rows = run_workers(comm, console, runs, launch_one, describe, "ssbx_perf_cracks_")
        rows = comm.bcast(rows, root=0)
        index = {(r["level"], r["ranks"]): r for r in rows}
        worst = 0.0
        for r in rows:
            serial = index.get((r["level"], 1))
            nan = float("nan")
            par = r["ranks"] == 2 and serial is not None
            r["ratio_K_2ranks_to_serial"] = (
                (r["time_solve_K"] + r["time_setup"]) / (serial["time_solve_K"]
                                                         + serial["time_setup"])
                if par else nan)
            r["ratio_growth_2ranks_to_serial"] = (r["time_growth"] / serial["time_growth"]
                                                  if par else nan)
            has_pf = par and "time_pf_growth" in r and "time_pf_growth" in serial
            r["ratio_pf_2ranks_to_serial"] = (r["time_pf_growth"] / serial["time_pf_growth"]
                                              if has_pf else nan)
            for key in PF_COLUMNS:
                r.setdefault(key, nan)
            if par:
                worst = max(worst, *(abs(r[k] - serial[k]) / abs(serial[k]) for k in VALUES
                                     if math.isfinite(r[k]) and math.isfinite(serial[k])))
        checks = [Check("parallel_equals_serial",
                        "largest relative difference of K_I, p_c, the critical current, the "
                        "grown path and the phase-field crack, 2 ranks vs serial", worst,
                        PARALLEL_TOL, "max")]
        machine = machine_description(rows[0], load_start) if rows else {}
        return Outcome(rows=rows, checks=checks, columns=COLUMNS,
                       findings={"machine": machine, "parallel_difference": worst})

    def plot(self, outcome: Outcome, path: Path, quick: bool) -> None:
        """Wall time of each task against the mesh size, 1 and 2 ranks."""
        plt = pyplot()
        fig, ax = plt.subplots(figsize=(7.0, 4.6))
        tasks = (("time_solve_K", "K: set-up-free solve + integrals"),
                 ("time_critical_current", "critical plating current"),
                 ("time_per_growth_step", "growth: per step (remesh + 2 solves)"))
        for k, (key, label) in enumerate(tasks):
            for ranks, ls in ((1, "-"), (2, "--")):
                sel = sorted((r for r in outcome.rows if r["ranks"] == ranks),
                             key=lambda r: r["cells"])
                if sel:
                    ax.plot([r["cells"] for r in sel], [r[key] for r in sel], ls=ls,
                            marker="o", color=f"C{k}", label=f"{label}, {ranks} rank(s)")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("cells of the 1 µm flaw mesh")
        ax.set_ylabel("wall time [s]")
        ax.set_title("Li-filled crack tools: cost per task")
        ax.legend(fontsize=7)
        fig.tight_layout()
        save_figure(fig, path)


__all__ = ["CrackPerformance", "measure", "worker_main"]
