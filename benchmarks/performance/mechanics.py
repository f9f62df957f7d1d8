"""Mechanics performance: Newton iterations and time per step of a creeping 2-D cell, 1 vs 2 ranks.

Not a timed test: timings are measured and reported; what is asserted is that a run on 2 MPI
ranks gives the same stack pressure (and plate displacement) as the serial run to 1e-8 relative,
with the same number of unknowns.

Case: ``examples/pressure_hold.toml`` made planar (plane strain): Li 100 um on a Li6PS5Cl
half-pellet of 300 um, half-width 500 um, Masias power-law Li at 25 C, traction-free edge at
x = 500 um (the left side x = 0 is fixed laterally: half of a 1 mm wide strip), so the Li
squeezes out at its edge; fixed gap loaded elastically to 5 MPa over 10 s and held (the stack
pressure is a result, not an input). Level K: uniform element size 25 um / 2^K (the ssbx
mesher, P2 displacement). A fixed sequence of time steps: the elastic step, 5 steps of 2 s
(loading) and 15 steps growing geometrically from 10 s to 1 h, the same at every level and rank
count (no adaptivity, so the per-step costs compare). No void: without contact on the void
surface the Li flows through the void opening without bound under a sustained load, and the
singular void corner needs adaptive steps.

Every measurement is a separate process ``mpirun -n 1|2 python -m
ssbx.benchmarks.performance.mechanics --worker --level K --json OUT`` launched by rank 0 of the
communicator the benchmark runs on. The worker first runs level 0 for three steps (JIT
compilation, PETSc/MUMPS start-up: ``time_warmup``, not counted), then meshes, sets up and runs
level K, timing: Gmsh mesh, setup (forms, quadrature state, the fixed-gap elastic pre-solve),
and per time step the constitutive kernel (inside the residual), assembly (residual + Jacobian),
linear solve (SNES time outside residual and Jacobian evaluation: MUMPS factorisation + solves)
and wall time; maxima over ranks of the sums over steps. The full run repeats each measurement
twice and keeps the faster repetition.
"""

from __future__ import annotations

import math
import os
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

UM = 1e-6
CASE_FILE = Path(__file__).resolve().parents[2] / "examples" / "pressure_hold.toml"
FULL_LEVELS = (0, 1, 2)
QUICK_LEVELS = (0, 1)
RANKS = (1, 2)
BASE_SIZE = 25e-6
"""Element size of level 0 [m] (h_li / 4); level K uses BASE_SIZE / 2^K."""
PARALLEL_TOL = 1e-8
WORKER_TIMEOUT_S = 1200.0
FULL_REPEATS = 2
QUICK_REPEATS = 1
LOADING_TIME = 10.0
HOLD_END = 3600.0


def time_steps() -> list[float]:
    """The fixed step lengths [s] after the elastic step: 5 x 2 s (the 10 s loading ramp), then
    15 steps whose end times grow geometrically from 10 s to 1 h."""
    ends = [2.0 * (k + 1) for k in range(5)] + [float(t) for t in
                                                 np.geomspace(LOADING_TIME, HOLD_END, 16)[1:]]
    ends[-1] = HOLD_END
    return [float(b - a) for a, b in zip([0.0, *ends[:-1]], ends, strict=True)]


def base_overrides() -> dict[str, Any]:
    """Overrides of ``examples/pressure_hold.toml`` shared by every level: planar, fixed gap
    loaded to 5 MPa over 10 s, free edge, held to 1 h, no field output."""
    return {
        "name": "mechanics_performance",
        "geometry.kind": "planar",
        "fixture.type": "fixed_gap",
        "fixture.pressure": 5.0e6,
        "fixture.loading_time": LOADING_TIME,
        "fixture.sides": "free",
        "time.end": HOLD_END,
        "output.fields": False,
    }


def level_overrides(level: int) -> dict[str, Any]:
    """The overrides of level ``level``: uniform element size ``BASE_SIZE / 2**level`` [m]."""
    size = BASE_SIZE / 2**level
    return base_overrides() | {"name": f"mechanics_performance_level{level}",
                               "mesh.size_fine": size, "mesh.size_coarse": size}


def level_case(level: int) -> Any:
    """The resolved case of refinement level ``level``."""
    from ssbx.case import load_case, with_overrides

    return with_overrides(load_case(CASE_FILE), level_overrides(level))


# --------------------------------------------------------------------------------------------
# worker (one measurement, in its own mpirun)
# --------------------------------------------------------------------------------------------
_EVENTS = ("SNESSolve", "SNESFunctionEval", "SNESJacobianEval", "PCSetUp", "KSPSolve")


def _event_times(events: dict[str, Any]) -> dict[str, float]:
    return {n: float(e.getPerfInfo()["time"]) for n, e in events.items()}


def run_level(comm: MPI.Comm, level: int, steps: list[float] | None = None) -> dict[str, Any]:
    """Mesh, set up and run level ``level`` for the fixed steps; times (local to this rank)
    and results."""
    from petsc4py import PETSc

    from ssbx.meshes.cell import build_cell_mesh
    from ssbx.setup import build_mechanics_problem

    steps = time_steps() if steps is None else steps
    case = level_case(level)
    events = {n: PETSc.Log.Event(n) for n in _EVENTS}
    comm.barrier()
    t0 = time.perf_counter()
    cell_mesh = build_cell_mesh(comm, case.geometry, case.mesh)
    t1 = time.perf_counter()
    problem = build_mechanics_problem(case, cell_mesh, prefix=f"ssbx_mperf{level}_")
    t2 = time.perf_counter()
    sums = {"kernel": 0.0, "assembly": 0.0, "linear": 0.0, "factorisation": 0.0, "wall": 0.0}
    history: list[dict[str, float]] = []
    for k, dt in enumerate([0.0, *steps]):
        e0 = _event_times(events)
        res = problem.solve_step(dt)
        e1 = _event_times(events)
        if not res.converged:
            raise RuntimeError(f"level {level}, step {k} (t = {problem.time + dt:g} s, dt = {dt:g} "
                               f"s) did not converge: SNES reason {res.reason}, failed kernel "
                               f"points {res.failed_points}, residuals {res.residual_history}")
        problem.commit()
        d = {n: e1[n] - e0[n] for n in _EVENTS}
        linear = d["SNESSolve"] - d["SNESFunctionEval"] - d["SNESJacobianEval"]
        if k > 0:  # the creep steps (the elastic step is reported apart)
            sums["kernel"] += res.kernel_time
            sums["assembly"] += res.assembly_time
            sums["linear"] += linear
            sums["factorisation"] += d["PCSetUp"]
            sums["wall"] += res.wall_time
        history.append({"time_s": res.time, "dt_s": res.dt, "newton_iterations": res.iterations,
                        "stack_pressure_Pa": res.plate_pressure,
                        "plate_displacement_m": res.plate_displacement,
                        "max_plastic_strain_increment": res.max_dp})
    t3 = time.perf_counter()
    reg = next(iter(problem.regions.values()))
    n_points = comm.allreduce(reg.num_owned_points, op=MPI.SUM)
    return {
        "local_times": {"time_mesh": t1 - t0, "time_setup": t2 - t1, "time_steps": t3 - t2,
                        "time_total": t3 - t0, **{f"sum_{k}": v for k, v in sums.items()}},
        "history": history,
        "num_dofs": problem.num_dofs(),
        "num_creep_points": n_points,
        "num_cells": cell_mesh.num_cells_electrolyte + cell_mesh.num_cells_lithium,
        "size_um": case.mesh.size_coarse / UM,
    }


def measure(comm: MPI.Comm, level: int, warmup: bool = True, repeat: int = 1) -> dict[str, Any]:
    """Level ``level`` on ``comm``, ``repeat`` times; times (maximum over ranks) of the fastest
    repetition."""
    from petsc4py import PETSc

    PETSc.Log.begin()
    t_warm = 0.0
    if warmup:
        comm.barrier()
        t0 = time.perf_counter()
        run_level(comm, min(FULL_LEVELS), time_steps()[:3])
        t_warm = time.perf_counter() - t0
    trials = []
    for _ in range(max(repeat, 1)):
        out = run_level(comm, level)
        out["times"] = {k: comm.allreduce(v, op=MPI.MAX) for k, v in out["local_times"].items()}
        trials.append(out)
    best = min(trials, key=lambda o: o["times"]["time_total"])
    totals = [o["times"]["time_total"] for o in trials]
    hist = best["history"]
    n_steps = len(hist) - 1
    its = [h["newton_iterations"] for h in hist[1:]]
    t = best["times"]
    per = {k: t[f"sum_{k}"] / n_steps for k in ("kernel", "assembly", "linear", "factorisation",
                                                "wall")}
    return {
        "level": level,
        "size_um": best["size_um"],
        "ranks": comm.size,
        "num_dofs": int(best["num_dofs"]),
        "num_cells": int(best["num_cells"]),
        "num_creep_points": int(best["num_creep_points"]),
        "steps": n_steps,
        "newton_iterations_total": int(sum(its)),
        "newton_per_step": float(np.mean(its)),
        "newton_max_step": int(max(its)),
        "newton_elastic_step": int(hist[0]["newton_iterations"]),
        "time_mesh": t["time_mesh"],
        "time_setup": t["time_setup"],
        "time_steps": t["time_steps"],
        "time_total": t["time_total"],
        "kernel_per_step": per["kernel"],
        "assembly_per_step": per["assembly"],
        "linear_solve_per_step": per["linear"],
        "factorisation_per_step": per["factorisation"],
        "wall_per_step": per["wall"],
        "other_per_step": per["wall"] - per["kernel"] - per["assembly"] - per["linear"],
        "kernel_per_newton_per_point_ns": (
            t["sum_kernel"] / max(sum(its), 1) / max(best["num_creep_points"] / comm.size, 1)
            * 1e9),
        "time_warmup": t_warm,
        "repeats": len(trials),
        "time_total_spread": max(totals) / min(totals),
        "stack_pressure_final_Pa": hist[-1]["stack_pressure_Pa"],
        "plate_displacement_final_m": hist[-1]["plate_displacement_m"],
        "stack_pressure_load_Pa": next(h["stack_pressure_Pa"] for h in hist
                                       if h["time_s"] >= LOADING_TIME - 1e-9),
        "history": hist,
        **process_info(comm),
    }


def worker_main(comm: MPI.Comm, argv: list[str]) -> int:
    """One measurement on ``comm`` (called by :mod:`ssbx.benchmarks.entry`)."""
    parser = worker_arguments("performance.mechanics", __doc__)
    args = parser.parse_args(argv)
    row = measure(comm, args.level, warmup=not args.no_warmup, repeat=args.repeat)
    if comm.rank == 0:
        write_json_atomic(args.json, row)
    return 0


# --------------------------------------------------------------------------------------------
# launcher
# --------------------------------------------------------------------------------------------
def launch(ranks: int, level: int, workdir: Path, repeat: int = 1,
           timeout: float = WORKER_TIMEOUT_S) -> dict[str, Any]:
    """Run one worker under ``mpirun -n ranks``; return its row."""
    return launch_worker("performance.mechanics", ranks,
                         ["--level", str(level), "--repeat", str(repeat)],
                         workdir / f"level{level}_np{ranks}.json", timeout)


def consistency(rows: list[dict[str, Any]]) -> tuple[float, list[dict[str, Any]]]:
    """Largest relative difference 2 ranks vs serial of the final stack pressure and plate
    displacement (inf if the DOF counts differ), with the per-level details."""
    index = {(r["level"], r["ranks"]): r for r in rows}
    worst, detail = 0.0, []
    for (level, ranks), r in sorted(index.items()):
        s = index.get((level, 1))
        if ranks == 1 or s is None:
            continue
        if s["num_dofs"] != r["num_dofs"]:
            d_p = d_u = math.inf
        else:
            d_p = abs(r["stack_pressure_final_Pa"] / s["stack_pressure_final_Pa"] - 1.0)
            d_u = abs(r["plate_displacement_final_m"] / s["plate_displacement_final_m"] - 1.0)
        worst = max(worst, d_p, d_u)
        detail.append({"level": level, "ranks": ranks, "rel_diff_stack_pressure": d_p,
                       "rel_diff_plate_displacement": d_u,
                       "newton_total_serial": s["newton_iterations_total"],
                       "newton_total_parallel": r["newton_iterations_total"]})
    return worst, detail


COLUMNS = [
    "level", "size_um", "ranks", "num_dofs", "num_cells", "num_creep_points", "steps",
    "newton_iterations_total", "newton_per_step", "newton_max_step", "newton_elastic_step",
    "kernel_per_step", "assembly_per_step", "linear_solve_per_step", "factorisation_per_step",
    "other_per_step", "wall_per_step", "kernel_per_newton_per_point_ns", "time_mesh",
    "time_setup", "time_steps", "time_total", "time_warmup", "repeats", "time_total_spread",
    "ratio_wall_per_step_2ranks_to_serial", "stack_pressure_load_Pa", "stack_pressure_final_Pa",
    "plate_displacement_final_m", "memory_peak_MiB",
]


def markdown_table(rows: list[dict[str, Any]], checks: list[Check], machine: dict[str, Any],
                   quick: bool) -> str:
    """The Markdown report (``mechanics_performance.md``): case, machine, one table row per
    level and rank count, and the checks."""
    head = ["level", "h [µm]", "ranks", "DOFs", "creep points", "steps", "Newton/step",
            "kernel/step [s]", "assembly/step [s]", "linear/step [s]", "wall/step [s]",
            "2 ranks / serial", "setup [s]", "p(1 h) [MPa]"]

    def f(x: Any, fmt: str = ".4f") -> str:
        return "–" if isinstance(x, float) and not math.isfinite(x) else format(x, fmt)

    lines = [
        f"# ssbx mechanics performance{' (quick)' if quick else ''}",
        "",
        "Case: `examples/pressure_hold.toml` made planar: Li 100 µm on a Li6PS5Cl half-pellet "
        "300 µm, half-width 500 µm, free edge (squeeze flow), Masias power-law Li at 25 °C, "
        "fixed gap loaded to 5 MPa (elastic) over 10 s, held to 1 h; P2 displacement, MUMPS LU; "
        f"level K: element size {BASE_SIZE / UM:g} µm / 2^K. {rows[0]['steps']} fixed creep "
        "steps (5 x 2 s loading, 15 steps to 1 h) after the elastic step. Times: maximum over "
        "ranks, per creep step (sum / steps), fastest of "
        f"{rows[0].get('repeats', 1)} repetition(s), after a warm-up run (JIT compilation not "
        "counted). *kernel*: constitutive update of the Li quadrature points (inside the "
        "residual); *assembly*: residual + Jacobian; *linear*: SNES time outside residual and "
        "Jacobian evaluation (MUMPS factorisation + solve); *wall*: whole step (also the stack "
        "pressure and plate displacement evaluation). Timings depend on the machine and its "
        "load; they are reported, not asserted.",
        "",
        "Machine: " + ", ".join(f"{k} {v}" for k, v in machine.items()),
        "",
        "| " + " | ".join(head) + " |",
        "|" + "|".join("---:" for _ in head) + "|",
    ]
    for r in rows:
        lines.append("| " + " | ".join([
            str(r["level"]), f(r["size_um"], "g"), str(r["ranks"]), str(r["num_dofs"]),
            str(r["num_creep_points"]), str(r["steps"]), f(r["newton_per_step"], ".2f"),
            f(r["kernel_per_step"]), f(r["assembly_per_step"]), f(r["linear_solve_per_step"]),
            f(r["wall_per_step"]), f(r["ratio_wall_per_step_2ranks_to_serial"], ".2f"),
            f(r["time_setup"], ".2f"), f(r["stack_pressure_final_Pa"] / 1e6, ".10f")]) + " |")
    lines += ["", "Checks:", "", *(c.markdown(".3g") for c in checks)]
    return "\n".join(lines) + "\n"


@register
class MechanicsPerformance(Benchmark):
    """Benchmark ``mechanics_performance``: Newton iterations and time per creep step of a
    creeping 2-D cell, 1 vs 2 MPI ranks (timings reported, rank agreement asserted)."""

    name = "mechanics_performance"
    title = "Mechanics with Li creep: Newton iterations and time per step, 1 vs 2 MPI ranks"
    source = (
        "ssbx self-consistency (no published reference): the same discrete quasi-static "
        "creep problem (P2 displacement, backward-Euler power-law creep of Li after Masias et "
        "al., J. Mater. Sci. 54 (2019) 2585, Newton with MUMPS LU) solved on 1 and 2 MPI ranks"
    )
    reference = (
        "values in code: a run on 2 ranks solves the same discrete problem as the serial one "
        "(same mesh, same DOF count, same fixed time steps), so its stack pressure and plate "
        "displacement agree to 1e-8 relative. Timings are reported, not asserted."
    )
    metric = (
        "largest relative difference of the final stack pressure and plate displacement, 2 "
        "ranks vs serial, over the levels; plus DOFs, Newton iterations per step and kernel, "
        "assembly, linear-solve and wall time per step per level and rank count"
    )
    tolerance = f"2 ranks vs serial <= {PARALLEL_TOL:g}; equal DOF counts"

    def base_case(self) -> Any:
        """``examples/pressure_hold.toml`` with :func:`base_overrides`."""
        from ssbx.case import load_case, with_overrides

        return with_overrides(load_case(CASE_FILE), base_overrides())

    def levels(self, quick: bool) -> tuple[int, ...]:
        """The refinement levels of the full or the quick run."""
        return QUICK_LEVELS if quick else FULL_LEVELS

    def case_overrides(self, quick: bool = False) -> list[dict[str, Any]]:
        """One override dict per level (:func:`level_overrides`)."""
        return [level_overrides(k) for k in self.levels(quick)]

    def compute(self, comm: MPI.Comm, console: Any, quick: bool, out_dir: Path) -> Outcome:
        """Run every (level, ranks) measurement as its own ``mpirun`` worker and check that 2
        ranks give the serial stack pressure and plate displacement."""
        runs = [(k, n) for k in self.levels(quick) for n in RANKS]
        load_start = load_average()
        repeat = QUICK_REPEATS if quick else FULL_REPEATS
        rows = run_workers(
            comm, console, runs,
            lambda run, tmp: launch(run[1], run[0], tmp, repeat=repeat),
            lambda run, row: (
                f"level {run[0]}, {run[1]} rank(s): {row['num_dofs']} dofs, {row['steps']} "
                f"steps, {row['newton_per_step']:.2f} Newton/step, wall/step "
                f"{row['wall_per_step']:.3f} s (kernel {row['kernel_per_step']:.3f}, assembly "
                f"{row['assembly_per_step']:.3f}, linear {row['linear_solve_per_step']:.3f}), "
                f"p(1 h) = {row['stack_pressure_final_Pa'] / 1e6:.8f} MPa"),
            "ssbx-mperf-")
        if comm.rank != 0:
            return Outcome(rows=[], checks=[])

        index = {(r["level"], r["ranks"]): r for r in rows}
        for r in rows:
            s = index.get((r["level"], 1))
            r["ratio_wall_per_step_2ranks_to_serial"] = (
                r["wall_per_step"] / s["wall_per_step"] if r["ranks"] == 2 and s else math.nan)
        worst, detail = consistency(rows)
        checks = [Check(
            "parallel_vs_serial",
            "largest relative difference of the final stack pressure and plate displacement, "
            "2 ranks vs serial, over the levels (DOF counts equal)", worst, PARALLEL_TOL, "max")]
        machine = machine_description(rows[0], load_start)
        largest = max(rows, key=lambda r: (r["num_dofs"], -r["ranks"]))
        findings = {
            "machine": machine,
            "time_steps_s": time_steps(),
            "consistency": detail,
            "largest_level": {
                "num_dofs": largest["num_dofs"],
                "wall_per_step_s": {f"np{r['ranks']}": r["wall_per_step"] for r in rows
                                    if r["level"] == largest["level"]},
                "share_of_wall_serial": {
                    k: index[(largest["level"], 1)][f"{k}_per_step"]
                    / index[(largest["level"], 1)]["wall_per_step"]
                    for k in ("kernel", "assembly", "linear_solve", "other")},
            },
            "stack_pressure_final_MPa": {f"level{r['level']}_np{r['ranks']}":
                                         r["stack_pressure_final_Pa"] / 1e6 for r in rows},
        }
        md = markdown_table(rows, checks, machine, quick)
        steps = [{"level": r["level"], "ranks": r["ranks"], "step": k, **h}
                 for r in rows for k, h in enumerate(r["history"])]
        return Outcome(rows=rows, checks=checks, columns=COLUMNS, findings=findings,
                       extra_files={f"{self.name}.md": md,
                                    f"{self.name}_steps.csv": csv_text(steps)},
                       plot_data={"histories": {(r["level"], r["ranks"]): r["history"]
                                                for r in rows}})

    def plot(self, outcome: Outcome, path: Path, quick: bool) -> None:
        """Time per creep step (split by phase) against the DOF count, Newton iterations per step
        and the stack pressure history, 1 and 2 ranks."""
        plt = pyplot()
        rows = outcome.rows
        fig, (ax, bx, cx) = plt.subplots(1, 3, figsize=(17, 5.6))
        parts = [("wall_per_step", "wall", "k", "o"), ("linear_solve_per_step", "linear solve",
                                                       "tab:blue", "s"),
                 ("assembly_per_step", "assembly", "tab:green", "^"),
                 ("kernel_per_step", "creep kernel", "tab:red", "v")]
        for ranks, ls in ((1, "-"), (2, "--")):
            sel = sorted((r for r in rows if r["ranks"] == ranks), key=lambda r: r["num_dofs"])
            if not sel:
                continue
            n = np.array([r["num_dofs"] for r in sel], dtype=float)
            for key, label, color, marker in parts:
                ax.plot(n, [r[key] for r in sel], ls=ls, marker=marker, color=color,
                        mfc="white" if ranks == 2 else color,
                        label=f"{label}, {ranks} rank{'s' if ranks > 1 else ''}")
        all_n = np.array(sorted({r["num_dofs"] for r in rows}), dtype=float)
        t_ref = max(r["wall_per_step"] for r in rows if r["num_dofs"] == all_n[-1])
        ax.plot(all_n, t_ref * all_n / all_n[-1], color="0.5", ls=":", lw=1.0,
                label="∝ DOFs")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xticks(all_n, [f"{int(n)}" for n in all_n])
        ax.xaxis.set_minor_formatter(plt.NullFormatter())
        ax.set_xlabel("degrees of freedom (P2 displacement)  (–)")
        ax.set_ylabel("time per creep step  (s)")
        ax.set_title("time per step (max over ranks; solid: serial, dashed: 2 ranks)",
                     fontsize=10)
        ax.grid(True, which="both", alpha=0.25)
        ax.legend(fontsize=7.5, ncol=2)

        hist = outcome.plot_data["histories"]
        palette = ("tab:purple", "tab:green", "tab:orange", "tab:blue")
        levels = sorted({r["level"] for r in rows})
        for i, level in enumerate(levels):
            color = palette[i % len(palette)]
            h = hist.get((level, 1))
            if h is None:
                continue
            t = np.array([x["time_s"] for x in h[1:]])
            its = [x["newton_iterations"] for x in h[1:]]
            dofs = next(r["num_dofs"] for r in rows if r["level"] == level)
            bx.plot(np.arange(1, len(its) + 1) + 0.1 * (i - 1), its, "o-", color=color, ms=4,
                    label=f"level {level} ({dofs} DOFs), serial")
            h2 = hist.get((level, 2))
            if h2 is not None:
                bx.plot(np.arange(1, len(h2)) + 0.1 * (i - 1),
                        [x["newton_iterations"] for x in h2[1:]], "x", color=color, ms=6,
                        label=f"level {level}, 2 ranks")
            p = np.array([x["stack_pressure_Pa"] for x in h[1:]]) / 1e6
            cx.plot(t, p, "-", color=color, lw=1.5, label=f"level {level}, serial")
            if h2 is not None:
                cx.plot([x["time_s"] for x in h2[1:]],
                        [x["stack_pressure_Pa"] / 1e6 for x in h2[1:]], "x", color=color, ms=6,
                        label=f"level {level}, 2 ranks")
        bx.axvline(5.5, color="0.6", ls=":", lw=0.8)
        bx.text(5.7, 0.3, "end of loading", color="0.4", fontsize=8)
        bx.set_xlabel("creep step  (–)")
        bx.set_ylabel("Newton iterations  (–)")
        bx.set_ylim(0, None)
        bx.set_title("Newton iterations per step (fixed steps)", fontsize=10)
        bx.grid(True, alpha=0.25)
        bx.legend(fontsize=7.5)
        cx.set_xscale("log")
        cx.set_xlabel("time  (s)")
        cx.set_ylabel("stack pressure  (MPa)")
        cx.set_title("stack pressure (fixed gap set elastically for 5 MPa; the Li squeezes\n"
                     "out while loaded): serial lines, 2-rank crosses", fontsize=10)
        cx.grid(True, which="both", alpha=0.25)
        cx.legend(fontsize=7.5)

        head = outcome.checks[0]
        status = "PASS" if all(c.passed for c in outcome.checks) else "FAIL"
        fig.suptitle(
            f"ssbx mechanics performance{' (quick)' if quick else ''} — {status}: 2 ranks vs "
            f"serial {head.value:.1e} (≤ {head.tolerance:g})\n"
            "planar Li 100 µm | Li6PS5Cl 300 µm strip, free edge, Masias creep, fixed gap 5 MPa, "
            f"fixed steps to 1 h; timings on {os.cpu_count()} CPU cores, not asserted",
            fontsize=10.5)
        fig.tight_layout(rect=(0, 0, 1, 0.9))
        fig.subplots_adjust(top=0.83)
        save_figure(fig, path)

