"""Performance benchmark ``scaling_3d``: the 3-D current problem from a laptop to a cluster.

Case: ``examples/pore_array_3d.toml`` (a 60 x 60 um patch of Li | LLZO, 30 um electrolyte, eight
random pores leaving 80 % contact, Butler–Volmer at 10 ohm cm^2, 1 mA/cm^2), P2, CG + GAMG.
Level K scales its element sizes by 2^(1 - K/3): the DOFs double per level (level 3 is the
example, ~89k DOFs). ``+rN``: the level meshed by Gmsh, then refined N times after distribution
(``mesh.refinements``; 8^N x the tetrahedra).

Every measurement is its own ``mpirun -n N`` worker process (:mod:`ssbx.benchmarks.workers`) so
that its peak memory is its own. Measured: DOFs, Newton iterations, CG iterations per Newton
step, Gmsh + distribution time, refinement time, assembly (all Newton steps), linear solves
(AMG setup included), the peak resident memory summed over the ranks and per DOF.

Studies (full run; the quick run, for CI, takes levels 0-1):

- *refinement*: levels 0-6 serial (16k-0.7M DOFs): AMG iterations per Newton step against the
  DOFs (flat = weak scaling in iterations), time and memory per DOF;
- *large*: level 6 + r1 serial, its sizes scaled so that it has ~5.3 M DOFs (from the DOFs measured
  at level 6): the issue's "3-D current solve of >= 5 M DOFs on this 2-core, 24 GiB machine",
  with its memory per DOF;
- *ranks*: level 5 on 1 and 2 ranks (strong scaling) and level 4 on 1 rank against level 5 on 2
  (weak scaling; 2x the DOFs on 2x the ranks).

Model (fitted here, projected to a cluster), per Newton step: assembly ``a n``; CG iterations
``k(N) = k0 (N / N0)^d`` (AMG quality: grows with the global problem N, if at all); each
iteration ``s(n) n + c n^(2/3)`` with n = N / p the DOFs per rank — ``s`` from the serial
refinement series (its growth with n is the memory hierarchy, a property of the local problem),
``c`` (halo exchange ~ the surface of a rank's part) from the 2-rank strong-scaling run. Memory
per rank: ``m0 + b n``. The projection to 64-1024 ranks (weak: the level-5 DOFs per rank;
strong: 100 M DOFs) is a lower bound on time: two ranks of one node cannot show the network,
GAMG's coarse levels (which grow with log p) or load imbalance; what limits a real run is listed
in ``table.md`` with the numbers behind it (Gmsh on one rank, the replicated interface profile).
``scaling_3d.slurm.sh`` submits the same worker at 64-1024 ranks to measure them.

Asserted: 2 ranks = serial (cell voltage to 1e-7: the AMG tolerance), CG iterations per Newton
step within a factor 1.3 over the refinement series, the large run's DOFs >= 5 M (full run only).
Timings are reported, not asserted.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path
from typing import Any

from mpi4py import MPI

import numpy as np

from ssbx.benchmarks.framework import (
    Benchmark,
    Check,
    Outcome,
    csv_text,
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

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "pore_array_3d.toml"
MODULE = "performance.scaling_3d"
WORKER_TIMEOUT_S = 3600.0
PARALLEL_TOL = 1e-7
"""Relative cell-voltage difference 2 ranks vs serial: the AMG solve's tolerance, not round-off."""
ITERATION_SPREAD_TOL = 1.3
"""Largest / smallest CG iterations per Newton step over the refinement series."""
LARGE_DOFS = 5_000_000
LARGE_TARGET_DOFS = 5_300_000
"""DOFs the large run aims at (its sizes are chosen from the level's measured DOFs): above
:data:`LARGE_DOFS`, within the 24 GiB of this machine at the measured ~3.5 kB per DOF."""
PROJECTED_RANKS = (64, 128, 256, 512, 1024)
STRONG_DOFS = 100_000_000

#: (study, level, refinements, ranks) of the full and the quick run
FULL_PLAN = ([("refinement", k, 0, 1) for k in range(7)]
             + [("large", 6, 1, 1), ("ranks", 5, 0, 2), ("ranks", 4, 0, 1)])
QUICK_PLAN = [("refinement", 0, 0, 1), ("refinement", 1, 0, 1), ("ranks", 1, 0, 2),
              ("ranks", 0, 0, 1)]


def level_case(level: int, refinements: int = 0, scale: float = 1.0) -> Any:
    """The example case at ``level`` (sizes x 2^(1 - level/3) x ``scale``), ``refinements``
    after meshing, without output files."""
    from ssbx.case import load_case, resolve_case

    case = load_case(EXAMPLE)
    factor = 2.0 ** (1.0 - level / 3.0) * scale
    raw = case.to_toml_dict()
    raw["mesh"] |= {"size_fine": case.mesh.size_fine * factor,
                    "size_coarse": case.mesh.size_coarse * factor,
                    "refinements": refinements, "max_cells": 10**9}
    raw["output"] = raw.get("output", {}) | {"fields": False, "plots": False}
    return resolve_case(raw)


# --------------------------------------------------------------------------------------------
# worker: one measurement
# --------------------------------------------------------------------------------------------
def measure(comm: MPI.Comm, level: int, refinements: int, scale: float = 1.0) -> dict[str, Any]:
    """Mesh (Gmsh, then the refinements) and solve the level on ``comm``; times are the maximum
    over the ranks. A level-0 solve first compiles the forms outside the timings."""
    import dataclasses

    from ssbx.meshes.cell import build_cell_mesh, refined_cell_mesh
    from ssbx.meshes.estimate import cell_count_3d
    from ssbx.problems.current import CurrentDistributionProblem, electrolyte_domain
    from ssbx.runs.current import solve_case
    from ssbx.setup import current_settings

    solve_case(level_case(0), comm, None)  # JIT warm-up
    case = level_case(level, refinements, scale)
    coarse = dataclasses.replace(case.mesh, refinements=0)
    comm.barrier()
    t0 = time.perf_counter()
    gmsh_mesh = build_cell_mesh(comm, case.geometry, coarse, cache=False)
    gmsh_cells = gmsh_mesh.num_cells_electrolyte + gmsh_mesh.num_cells_lithium
    t1 = time.perf_counter()
    cell = refined_cell_mesh(gmsh_mesh, refinements)  # what build_cell_mesh does after Gmsh
    t2 = time.perf_counter()
    del gmsh_mesh
    domain = electrolyte_domain(cell)
    problem = CurrentDistributionProblem(domain, current_settings(case), prefix="ssbx_s3d_")
    result = problem.solve()
    s = result.scalars
    local = {"time_gmsh": t1 - t0,
             "time_refine": t2 - t1,
             "time_setup": s["time_setup"], "time_assembly": s["time_assembly"],
             "time_linear_solve": s["time_linear_solve"], "time_solve": s["time_solve"]}
    times = {k: comm.allreduce(v, op=MPI.MAX) for k, v in local.items()}
    info = process_info(comm)
    dofs = int(s["num_dofs"])
    newton = int(s["newton_iterations"])
    return {"level": level, "refinements": refinements, "scale": scale, "ranks": comm.size,
            "size_fine_um": case.mesh.size_fine * 1e6, "num_dofs": dofs,
            "tetrahedra": cell.num_cells_electrolyte + cell.num_cells_lithium,
            "tetrahedra_gmsh": gmsh_cells,
            "tetrahedra_estimate": cell_count_3d(case.geometry, coarse) * 8**refinements,
            "newton_iterations": newton, "cg_iterations": int(s["linear_iterations"]),
            "cg_per_newton": s["linear_iterations"] / max(newton, 1), **times,
            "cell_voltage_V": s["cell_voltage"], "asr_total": s["asr_total"],
            "contact_fraction": s["contact_fraction"], **info,
            "bytes_per_dof": info["memory_peak_MiB"] * 2**20 / dofs}


def worker_main(comm: MPI.Comm, argv: list[str]) -> int:
    """One measurement on ``comm`` (called by :mod:`ssbx.benchmarks.entry`)."""
    parser = worker_arguments(MODULE, __doc__)
    parser.add_argument("--refinements", type=int, default=0)
    parser.add_argument("--scale", type=float, default=1.0, help="extra factor on the sizes")
    args = parser.parse_args(argv)
    row = measure(comm, args.level, args.refinements, args.scale)
    if comm.rank == 0:
        write_json_atomic(args.json, row)
        print(json.dumps(row), flush=True)
    return 0


def launch(ranks: int, level: int, refinements: int, workdir: Path,
           scale: float = 1.0) -> dict[str, Any]:
    """One worker under ``mpirun -n ranks``; its row."""
    return launch_worker(MODULE, ranks, ["--level", str(level), "--refinements",
                                         str(refinements), "--scale", repr(scale)],
                         workdir / f"level{level}_r{refinements}_np{ranks}.json",
                         WORKER_TIMEOUT_S)


def large_scale(rows: list[dict[str, Any]], level: int, refinements: int) -> float:
    """The size factor that gives :data:`LARGE_TARGET_DOFS` at ``level`` + ``refinements``,
    from the DOFs measured at ``level`` (DOFs ~ size^-3; 8x per refinement)."""
    measured = next(r["num_dofs"] for r in rows if r["level"] == level and r["ranks"] == 1
                    and r["refinements"] == 0)
    return (measured * 8**refinements / LARGE_TARGET_DOFS) ** (1.0 / 3.0)


# --------------------------------------------------------------------------------------------
# model
# --------------------------------------------------------------------------------------------
def fit_model(rows: list[dict[str, Any]]) -> dict[str, float]:
    """The cost model of the module docstring, fitted on the serial Gmsh levels >= 2 (fixed
    costs small there): assembly ``a`` [s per DOF and Newton step]; CG iterations per Newton step
    ``k0 (N / N0)^d`` (grows with the global problem); time per CG iteration and DOF
    ``s0 (n / N0)^g`` (n: DOFs per rank; memory-hierarchy effects of the local problem);
    memory ``m0 + b N``; Gmsh's rate [tetrahedra/s]; and the halo constant ``c`` from the 2-rank
    run: its time beyond half the serial one, per CG iteration, per (DOFs per rank)^(2/3)."""
    serial = [r for r in rows if r["ranks"] == 1 and r["refinements"] == 0 and r["level"] >= 2]
    serial = serial or [r for r in rows if r["ranks"] == 1 and r["refinements"] == 0]
    n = np.array([r["num_dofs"] for r in serial], dtype=float)
    newton = np.array([max(r["newton_iterations"], 1) for r in serial], dtype=float)
    iterations = np.array([r["cg_per_newton"] for r in serial])
    per_iteration = np.array([r["time_linear_solve"] for r in serial]) / newton / iterations / n
    assembly = np.array([r["time_assembly"] for r in serial]) / newton / n
    memory = np.array([r["memory_peak_MiB"] for r in serial]) * 2**20
    n0 = float(n.max())

    def power_law(y: np.ndarray) -> tuple[float, float]:
        """(prefactor at N0, exponent) of y ~ N^exponent."""
        if n.size < 2:
            return float(y[-1]), 0.0
        slope, intercept = np.polyfit(np.log(n / n0), np.log(y), 1)
        return math.exp(intercept), float(slope)

    k0, d = power_law(iterations)
    s0, g = power_law(per_iteration)
    b, m0 = np.polyfit(n, memory, 1) if n.size > 1 else (memory[0] / n[0], 0.0)
    model = {"assembly_s_per_dof": float(np.median(assembly)), "reference_dofs": n0,
             "cg_iterations": k0, "cg_growth": d, "iteration_s_per_dof": s0,
             "iteration_growth": g, "memory_bytes_per_dof": float(b),
             "memory_base_bytes": float(m0),
             "gmsh_tetrahedra_per_s": float(np.median([r["tetrahedra_gmsh"] / r["time_gmsh"]
                                                       for r in serial])),
             "tetrahedra_per_dof": float(np.median([r["tetrahedra"] / r["num_dofs"]
                                                    for r in serial])),
             "newton_iterations": float(np.median(newton)), "communication_s": 0.0}
    two = next((r for r in rows if r["study"] == "ranks" and r["ranks"] > 1), None)
    one = two and next((r for r in rows if r["ranks"] == 1 and r["level"] == two["level"]
                        and r["refinements"] == two["refinements"]), None)
    if two and one:
        steps = max(two["newton_iterations"], 1)
        actual = (two["time_assembly"] + two["time_linear_solve"]) / steps
        ideal = (one["time_assembly"] + one["time_linear_solve"]) / max(
            one["newton_iterations"], 1) / two["ranks"]
        local = two["num_dofs"] / two["ranks"]
        model["communication_s"] = max(actual - ideal, 0.0) / two["cg_per_newton"] / local ** (
            2.0 / 3.0)
    return model


def step_time(model: dict[str, float], dofs: float, ranks: int) -> float:
    """Projected time of one Newton step [s] of ``dofs`` on ``ranks`` (module docstring)."""
    n0 = model["reference_dofs"]
    local = dofs / ranks
    iterations = model["cg_iterations"] * (dofs / n0) ** model["cg_growth"]
    per_iteration = model["iteration_s_per_dof"] * (local / n0) ** model["iteration_growth"]
    halo = model["communication_s"] * local ** (2.0 / 3.0) if ranks > 1 else 0.0
    return model["assembly_s_per_dof"] * local + iterations * (per_iteration * local + halo)


def projections(model: dict[str, float], weak_dofs_per_rank: float) -> list[dict[str, Any]]:
    """Weak (``weak_dofs_per_rank``; efficiency against 1 rank with as many DOFs, which was
    measured) and strong (:data:`STRONG_DOFS`; efficiency against the first projected rank
    count, since one rank cannot hold it) projections."""
    out = []
    newton = model["newton_iterations"]
    first = PROJECTED_RANKS[0]
    for study, dofs_of in (("weak", lambda p: weak_dofs_per_rank * p),
                           ("strong", lambda p: float(STRONG_DOFS))):
        if study == "weak":
            base = step_time(model, dofs_of(1), 1)
        else:
            base = step_time(model, dofs_of(first), first) * first
        for p in PROJECTED_RANKS:
            dofs = dofs_of(p)
            t = step_time(model, dofs, p)
            out.append({"study": study, "ranks": p, "dofs": dofs,
                        "solve_s": t * newton,
                        "efficiency": (base / t if study == "weak" else base / (p * t)),
                        "memory_per_rank_GiB": (model["memory_base_bytes"]
                                                + model["memory_bytes_per_dof"] * dofs / p)
                        / 2**30,
                        "gmsh_one_rank_h": dofs * model["tetrahedra_per_dof"]
                        / model["gmsh_tetrahedra_per_s"] / 3600})
    return out


# --------------------------------------------------------------------------------------------
# reports
# --------------------------------------------------------------------------------------------
COLUMNS = ["study", "level", "refinements", "ranks", "num_dofs", "tetrahedra",
           "tetrahedra_gmsh", "tetrahedra_estimate", "newton_iterations", "cg_per_newton",
           "time_gmsh", "time_refine", "time_assembly", "time_linear_solve", "time_solve",
           "memory_peak_MiB", "bytes_per_dof", "cell_voltage_V", "contact_fraction"]


def slurm_script(ranks: tuple[int, ...] = PROJECTED_RANKS, level: int = 5) -> str:
    """A shell script that submits the worker at ``ranks`` x the level-``level`` DOFs (weak)
    with ``sbatch`` (fill in the account and partition; MPICH wheels: ``srun --mpi=pmi2``)."""
    lines = ["#!/bin/bash", "# Weak scaling of the 3-D current problem (ssbx bench scaling_3d).",
             f"# A job of p ranks runs 3 log2(p) levels above level {level} (the DOFs double",
             f"# per level): about the level-{level} DOFs per rank. Every 3 of those levels are",
             "# one refinement after meshing (8x the cells, on every rank); the rest are Gmsh's.",
             "set -euo pipefail",
             "ACCOUNT=${ACCOUNT:?set ACCOUNT}; PARTITION=${PARTITION:?set PARTITION}", ""]
    for p in ranks:
        extra = round(3 * math.log2(p))  # DOFs double per level
        refine, rest = divmod(extra, 3)
        lines.append(
            f"sbatch --account=$ACCOUNT --partition=$PARTITION --ntasks={p} --time=01:00:00 "
            f"--job-name=ssbx-s3d-{p} --wrap=\"srun --mpi=pmi2 python -m ssbx.benchmarks.entry "
            f"{MODULE} --worker --level {level + rest} --refinements {refine} "
            f"--json scaling_3d_np{p}.json\"")
    return "\n".join(lines) + "\n"


def markdown_table(rows: list[dict[str, Any]], model: dict[str, float],
                   projected: list[dict[str, Any]], checks: list[Check],
                   machine: dict[str, Any], quick: bool) -> str:
    """``table.md``: measurements, model, projection and limits."""
    head = ["study", "level", "ranks", "DOFs", "tets", "Newton", "CG/Newton", "Gmsh [s]",
            "refine [s]", "assembly [s]", "lin. solve [s]", "memory [MiB]", "B/DOF"]
    out = [f"# scaling_3d{' (quick)' if quick else ''}", "",
           "Machine: " + "; ".join(f"{k} {v}" for k, v in machine.items()), "",
           "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        level = f"{r['level']}" + (f"+r{r['refinements']}" if r["refinements"] else "") + (
            f" (sizes x{r['scale']:.3f})" if r.get("scale", 1.0) != 1.0 else "")
        out.append(f"| {r['study']} | {level} | {r['ranks']} | {r['num_dofs']} | "
                   f"{r['tetrahedra']} | {r['newton_iterations']} | {r['cg_per_newton']:.1f} | "
                   f"{r['time_gmsh']:.2f} | {r['time_refine']:.2f} | {r['time_assembly']:.2f} | "
                   f"{r['time_linear_solve']:.2f} | {r['memory_peak_MiB']:.0f} | "
                   f"{r['bytes_per_dof']:.0f} |")
    out += ["", "## Model (fitted on this machine)", "",
            f"- assembly {model['assembly_s_per_dof'] * 1e6:.3g} µs per DOF and Newton step;",
            f"- CG iterations per Newton step {model['cg_iterations']:.1f} at "
            f"{model['reference_dofs']:.3g} DOFs, growing as N^{model['cg_growth']:.3f};",
            f"- one CG iteration {model['iteration_s_per_dof'] * 1e9:.3g} ns per DOF, growing "
            f"as n^{model['iteration_growth']:.3f} with the DOFs per rank n;",
            f"- halo term c = {model['communication_s']:.3g} s per iteration and (DOF per "
            "rank)^(2/3), from the 2-rank run (shared memory: a network adds latency this "
            "cannot show);",
            f"- memory {model['memory_bytes_per_dof']:.0f} B per DOF + "
            f"{model['memory_base_bytes'] / 2**20:.0f} MiB per process;",
            f"- Gmsh {model['gmsh_tetrahedra_per_s']:.3g} tetrahedra/s on one core.", "",
            "## Projection (a lower bound on time: see the module docstring)", "",
            "| study | ranks | DOFs | solve [s] | efficiency | memory/rank [GiB] | "
            "Gmsh on one rank [h] |", "|---|---|---|---|---|---|---|"]
    for p in projected:
        out.append(f"| {p['study']} | {p['ranks']} | {p['dofs']:.3g} | {p['solve_s']:.2f} | "
                   f"{p['efficiency']:.2f} | {p['memory_per_rank_GiB']:.2f} | "
                   f"{p['gmsh_one_rank_h']:.2f} |")
    out += ["", "## What limits a cluster run", "",
            "- Gmsh meshes on one rank at the rate above (the last column): use "
            "`mesh.refinements` (each level puts 1/8 of the tetrahedra on Gmsh; refinement runs "
            "on every rank) or the mesh cache.",
            "- The interface current profile is gathered on every rank (`InterfaceProfile`): "
            "O(contact DOFs) memory per rank, ~1 % of the DOFs here; fine to ~10^8 DOFs.",
            "- GAMG's coarse grids and setup grow with log p and are not measured on 2 ranks; "
            "the direct solver (MUMPS) is for 2-D and small 3-D cases only.", "",
            "## Checks", "", *[c.markdown() for c in checks], ""]
    return "\n".join(out)


@register
class Scaling3D(Benchmark):
    """Benchmark ``scaling_3d``: the 3-D current problem's cost, memory and parallel scaling."""

    name = "scaling_3d"
    title = "3-D current distribution: refinement, a 5 M DOF solve, ranks, cluster projection"
    source = ("ssbx performance measurement (no published reference): examples/"
              "pore_array_3d.toml at seven refinements, one 5.7 M DOF run and 1-2 ranks")
    reference = "self-consistency: 2 ranks vs serial; AMG iterations across refinements"
    metric = ("relative cell-voltage difference 2 ranks vs serial; spread of CG iterations per "
              "Newton step over the refinements; DOFs of the large run")
    tolerance = (f"{PARALLEL_TOL:g}; spread <= {ITERATION_SPREAD_TOL}; >= {LARGE_DOFS:.0e} DOFs "
                 "(full run)")

    def base_case(self) -> Any:
        """The example case (level 3)."""
        return level_case(3)

    def case_overrides(self, quick: bool = False) -> list[dict[str, Any]]:
        """The levels are built by :func:`level_case` (no overrides)."""
        return [{}]

    def compute(self, comm: MPI.Comm, console: Any, quick: bool, out_dir: Path) -> Outcome:
        """Run the plan's workers, fit the model, project, check."""
        plan = QUICK_PLAN if quick else FULL_PLAN
        load_start = load_average()
        done: list[dict[str, Any]] = []

        def launch_one(run: tuple[str, int, int, int], tmp: Path) -> dict[str, Any]:
            scale = large_scale(done, run[1], run[2]) if run[0] == "large" else 1.0
            done.append(launch(run[3], run[1], run[2], tmp, scale))
            return done[-1]

        raw = run_workers(
            comm, console, plan, launch_one,
            lambda run, row: (f"{run[0]}: level {run[1]}{'+r' + str(run[2]) if run[2] else ''}"
                              f" on {run[3]} rank(s): {row['num_dofs']} DOFs, "
                              f"{row['cg_per_newton']:.1f} CG/Newton, solve "
                              f"{row['time_solve']:.2f} s, {row['memory_peak_MiB']:.0f} MiB"),
            "ssbx-scaling3d-")
        if comm.rank != 0:
            return Outcome(rows=[], checks=[])
        rows = [{"study": run[0], **row} for run, row in zip(plan, raw, strict=True)]
        model = fit_model(rows)
        strong_two = next(r for r in rows if r["study"] == "ranks" and r["ranks"] > 1)
        strong_one = next(r for r in rows if r["ranks"] == 1 and r["level"] == strong_two["level"]
                          and r["refinements"] == 0)
        projected = projections(model, strong_one["num_dofs"])
        series = [r for r in rows if r["study"] == "refinement"]
        spread = (max(r["cg_per_newton"] for r in series)
                  / min(r["cg_per_newton"] for r in series))
        difference = abs(strong_two["cell_voltage_V"] / strong_one["cell_voltage_V"] - 1.0)
        checks = [
            Check("parallel_vs_serial", "relative cell-voltage difference, 2 ranks vs serial "
                  "(strong-scaling pair)", difference, PARALLEL_TOL, "max"),
            Check("cg_iteration_spread", "largest / smallest CG iterations per Newton step over "
                  "the refinement series (flat = AMG scales)", spread, ITERATION_SPREAD_TOL,
                  "max"),
        ]
        if not quick:
            large = max(r["num_dofs"] for r in rows)
            checks.append(Check("large_dofs", "DOFs of the largest serial solve", float(large),
                                float(LARGE_DOFS), "min"))
        weak_one = next(r for r in rows if r["study"] == "ranks" and r["ranks"] == 1)
        speedup = strong_one["time_solve"] / strong_two["time_solve"]
        weak_efficiency = weak_one["time_solve"] / strong_two["time_solve"]
        machine = machine_description(raw[0], load_start)
        biggest = max(rows, key=lambda r: r["num_dofs"])
        findings = {
            "machine": machine, "model": model,
            "strong_speedup_2_ranks": speedup, "weak_efficiency_2_ranks": weak_efficiency,
            "largest": {k: biggest[k] for k in ("num_dofs", "time_solve", "memory_peak_MiB",
                                                "bytes_per_dof", "time_gmsh", "time_refine")},
            "statement": (
                f"Largest serial solve {biggest['num_dofs']} DOFs in {biggest['time_solve']:.1f} s "
                f"({biggest['memory_peak_MiB'] / 1024:.1f} GiB, {biggest['bytes_per_dof']:.0f} "
                f"B/DOF); CG iterations per Newton step within x{spread:.2f} over "
                f"{len(series)} refinements; 2 ranks solve {speedup:.2f}x faster than 1 at "
                f"{strong_one['num_dofs']} DOFs (weak efficiency {weak_efficiency:.2f})."),
        }
        md = markdown_table(rows, model, projected, checks, machine, quick)
        return Outcome(rows=rows, checks=checks, columns=COLUMNS, findings=findings,
                       extra_files={"table.md": md,
                                    "projection.csv": csv_text(projected),
                                    "scaling_3d.slurm.sh": slurm_script()},
                       plot_data={"model": model, "projected": projected})

    def plot(self, outcome: Outcome, path: Path, quick: bool) -> None:
        """(a) time per Newton step and CG iterations against DOFs; (b) memory per DOF;
        (c) projected weak and strong efficiency."""
        plt = pyplot()
        rows = outcome.rows
        model = outcome.plot_data["model"]
        projected = outcome.plot_data["projected"]
        fig, axes = plt.subplots(1, 3, figsize=(15, 4.5))
        serial = sorted((r for r in rows if r["ranks"] == 1), key=lambda r: r["num_dofs"])
        n = np.array([r["num_dofs"] for r in serial], dtype=float)
        newton = np.array([max(r["newton_iterations"], 1) for r in serial], dtype=float)
        ax = axes[0]
        ax.loglog(n, [r["time_assembly"] for r in serial] / newton, "o", label="assembly")
        ax.loglog(n, [r["time_linear_solve"] for r in serial] / newton, "s",
                  label="linear solve (CG + GAMG)")
        grid = np.geomspace(n.min(), n.max(), 50)
        ax.loglog(grid, [step_time(model, x, 1) for x in grid], "k--", lw=0.8,
                  label="model (assembly + solve)")
        ax.set_xlabel("DOFs (serial)")
        ax.set_ylabel("time per Newton step [s]")
        twin = ax.twinx()
        twin.semilogx(n, [r["cg_per_newton"] for r in serial], "r^:", label="CG / Newton")
        twin.set_ylabel("CG iterations per Newton step", color="r")
        twin.set_ylim(0, 2 * max(r["cg_per_newton"] for r in serial))
        ax.legend(fontsize=8, loc="upper left")
        ax.set_title("(a) cost per DOF and AMG iterations")
        ax = axes[1]
        ax.semilogx(n, [r["bytes_per_dof"] for r in serial], "o-", label="1 rank")
        two = [r for r in rows if r["ranks"] > 1]
        ax.semilogx([r["num_dofs"] for r in two], [r["bytes_per_dof"] for r in two], "s",
                    label="2 ranks (summed)")
        ax.set_xlabel("DOFs")
        ax.set_ylabel("peak memory per DOF [B]")
        ax.set_title("(b) memory (process peak, incl. Gmsh and Python)")
        ax.legend(fontsize=8)
        ax = axes[2]
        for study, style in (("weak", "o-"), ("strong", "s--")):
            sel = [p for p in projected if p["study"] == study]
            ax.semilogx([p["ranks"] for p in sel], [p["efficiency"] for p in sel], style,
                        label=f"{study} (projected)")
        ax.set_xlabel("ranks")
        ax.set_ylabel("parallel efficiency (weak: vs 1 rank; strong: vs 64 ranks)")
        ax.set_ylim(0, max(1.1, 1.05 * max(p["efficiency"] for p in projected)))
        ax.set_title("(c) projection from 1-2 ranks (upper bound)")
        ax.legend(fontsize=8)
        fig.suptitle(f"scaling_3d{' (quick)' if quick else ''}")
        fig.tight_layout()
        save_figure(fig, path)


def main(argv: list[str]) -> int:
    """``python -m ssbx.benchmarks.entry performance.scaling_3d --print-slurm``: the Slurm
    script for 64-1024 ranks on stdout."""
    parser = argparse.ArgumentParser(prog=f"python -m ssbx.benchmarks.entry {MODULE}")
    parser.add_argument("--print-slurm", action="store_true", required=True)
    parser.parse_args(argv)
    print(slurm_script(), end="")
    return 0


__all__ = ["Scaling3D", "fit_model", "level_case", "measure", "projections", "slurm_script"]
