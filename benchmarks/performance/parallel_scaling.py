"""Parallel scaling: strong and weak scaling of a current-distribution and a mechanics case.

Not a timed test: timings, speed-ups and efficiencies are measured and reported; what is asserted
is that the multi-rank runs of the strong-scaling study solve the same discrete problem as the
serial one (same DOF count; cell voltage, stack pressure and plate displacement equal to 1e-8
relative) and that the weak-scaling study keeps the DOFs per rank about constant (within a factor
1.5 of the serial run's).

Cases (the measurements of :mod:`ssbx.benchmarks.performance.current` and
:mod:`ssbx.benchmarks.performance.mechanics`, reused, not copied):

- *current*: ``examples/void_2d.toml`` with CG + GAMG (the solver meant for large meshes); level
  K divides its element sizes by 2^K. Time = one Newton solve (assembly + linear solve, AMG setup
  included), maximum over ranks, fastest of the repetitions, after a warm-up solve.
- *mechanics*: ``examples/pressure_hold.toml`` made planar, Masias creep, fixed gap held to 1 h,
  20 fixed creep steps; level K: element size 25 um / 2^K. Time = wall time per creep step
  (maximum over ranks); Newton iterations per step reported.

Strong scaling: the same level on N = 1, 2, ... ranks; speed-up S = T_1 / T_N, parallel efficiency
E = T_1 / (N T_N). Weak scaling: level K_1 + log_4 N on N ranks (the element count grows ~4x per
level, so a fractional level with sizes / 2^(log_4 N) gives ~N x the cells and about the serial
DOFs per rank); weak efficiency T_1 / T_N.

Every measurement is its own ``mpirun -n N`` process (:mod:`ssbx.benchmarks.workers`): integer
levels through ``performance.launch`` / ``mechanics_performance.launch``; the fractional levels of
the weak study through this module's worker, ``mpirun -n N python -m
ssbx.benchmarks.performance.parallel_scaling --worker --problem current|mechanics --level 2.5
--json OUT``,
which calls the same ``measure`` functions. The full run goes twice through the whole list of
measurements (rounds, so that a burst of load from other work hits one round rather than one rank
count) and keeps the fastest round of each. The 1-minute load average is recorded before and after
every measurement; the benchmark warns (and ``table.md`` says) when it exceeded the core count:
the timings are then disturbed by other work on the machine.

Rank counts: default 1 and 2 (this 2-core machine). On a cluster node (or inside a batch
allocation with enough cores) run the larger counts with::

    python -m ssbx.benchmarks.entry performance.parallel_scaling --ranks 1 2 4 8 16 --out DIR
    [--quick]

(writes DIR/parallel_scaling/), or set ``SSBX_SCALING_RANKS=1,2,4,8`` for ``ssbx bench run
parallel_scaling``. The rank count 1 is always measured (it is the reference). ``mpirun`` is the
one next to the Python interpreter, else the one on PATH.
"""

from __future__ import annotations

import argparse
import math
import os
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
    warn,
    write_json_atomic,
)
from ssbx.benchmarks.performance import current as perf
from ssbx.benchmarks.performance import mechanics as mech
from ssbx.benchmarks.workers import (
    launch_worker,
    load_average,
    machine_description,
    run_workers,
    worker_arguments,
)

RANKS_ENV = "SSBX_SCALING_RANKS"
DEFAULT_RANKS = (1, 2)
PROBLEMS = ("current", "mechanics")
CURRENT_SOLVER = "amg"
STRONG_LEVEL = {"current": 3, "mechanics": 2}
WEAK_BASE_LEVEL = {"current": 2, "mechanics": 1}
QUICK_LEVEL = {"current": 0, "mechanics": 0}
REPEATS = {"current": 3, "mechanics": 2}
QUICK_REPEATS = 1
ROUNDS = 2
"""The full run measures every (problem, level, ranks) this many times, in rounds through the
whole list (so that a burst of load from other work hits one round, not every rank count), and
keeps the fastest round."""
QUICK_ROUNDS = 1
PARALLEL_TOL = 1e-8
WEAK_DOFS_TOL = 1.5
"""Largest allowed factor between the DOFs per rank of a weak-scaling run and the serial one."""
WORKER_TIMEOUT_S = 1800.0


def scaling_ranks(value: str | None = None) -> tuple[int, ...]:
    """The rank counts: ``value`` (``"1,2,4"``), else ``$SSBX_SCALING_RANKS``, else (1, 2);
    sorted, unique, always with 1 (the reference)."""
    text = value if value is not None else os.environ.get(RANKS_ENV, "")
    if not text.strip():
        return DEFAULT_RANKS
    try:
        ranks = {int(x) for x in text.replace(",", " ").split()}
    except ValueError:
        raise ValueError(f"{RANKS_ENV}: expected rank counts like '1,2,4,8', "
                         f"got {text!r}") from None
    if any(n < 1 for n in ranks):
        raise ValueError(f"{RANKS_ENV}: rank counts must be >= 1, got {text!r}")
    return tuple(sorted(ranks | {1}))


def weak_level(base: float, ranks: int) -> float:
    """The level with ~``ranks`` x the cells of level ``base`` (cells grow ~4x per level)."""
    return base + math.log(ranks, 4)


def _level_arg(level: float) -> str:
    return f"{level:g}"


# --------------------------------------------------------------------------------------------
# worker (fractional levels of the weak study; one measurement, in its own mpirun)
# --------------------------------------------------------------------------------------------
def worker_main(comm: MPI.Comm, argv: list[str]) -> int:
    """One measurement on ``comm`` (called by :mod:`ssbx.benchmarks.entry`)."""
    parser = worker_arguments("performance.parallel_scaling", __doc__)
    for action in parser._actions:  # levels are fractional here
        if action.dest == "level":
            action.type = float
    parser.add_argument("--problem", choices=PROBLEMS, required=True)
    parser.add_argument("--solver", choices=perf.SOLVERS, default=CURRENT_SOLVER)
    args = parser.parse_args(argv)
    if args.problem == "current":
        row = perf.measure(comm, args.level, args.solver, warmup=not args.no_warmup,
                           repeat=args.repeat)
    else:
        row = mech.measure(comm, args.level, warmup=not args.no_warmup, repeat=args.repeat)
    if comm.rank == 0:
        write_json_atomic(args.json, row)
    return 0


# --------------------------------------------------------------------------------------------
# launcher
# --------------------------------------------------------------------------------------------
def launch(problem: str, ranks: int, level: float, workdir: Path, repeat: int = 1,
           timeout: float = WORKER_TIMEOUT_S) -> dict[str, Any]:
    """One measurement under ``mpirun -n ranks``: integer levels through the performance
    benchmarks' launchers, fractional ones through this module's worker; returns the row."""
    if float(level).is_integer():
        if problem == "current":
            return perf.launch(ranks, int(level), CURRENT_SOLVER, workdir, repeat=repeat,
                               timeout=timeout)
        return mech.launch(ranks, int(level), workdir, repeat=repeat, timeout=timeout)
    tag = _level_arg(level).replace(".", "p")
    return launch_worker("performance.parallel_scaling", ranks,
                         ["--problem", problem, "--level", _level_arg(level),
                          "--solver", CURRENT_SOLVER, "--repeat", str(repeat)],
                         workdir / f"{problem}_level{tag}_np{ranks}.json", timeout)


def measured(problem: str, row: dict[str, Any]) -> dict[str, Any]:
    """The common columns of a worker row: time per solve (current) or per creep step
    (mechanics), its parts, iterations and the result compared across rank counts."""
    nan = math.nan
    if problem == "current":
        return {
            "size_um": row["size_fine_um"],
            "time_s": row["time_solve"],
            "assembly_s": row["time_assembly"],
            "linear_solve_s": row["time_linear_solve"],
            "newton_iterations": float(row["newton_iterations"]),
            "linear_iterations": float(row["linear_iterations"]),
            "time_total_s": row["time_total"],
            "cell_voltage_V": row["cell_voltage_V"],
            "stack_pressure_final_Pa": nan,
            "plate_displacement_final_m": nan,
        }
    return {
        "size_um": row["size_um"],
        "time_s": row["wall_per_step"],
        "assembly_s": row["assembly_per_step"],
        "linear_solve_s": row["linear_solve_per_step"],
        "newton_iterations": row["newton_per_step"],
        "linear_iterations": nan,
        "time_total_s": row["time_total"],
        "cell_voltage_V": nan,
        "stack_pressure_final_Pa": row["stack_pressure_final_Pa"],
        "plate_displacement_final_m": row["plate_displacement_final_m"],
    }


COLUMNS = [
    "study", "problem", "ranks", "level", "size_um", "num_dofs", "dofs_per_rank", "time_s",
    "assembly_s", "linear_solve_s", "newton_iterations", "linear_iterations", "speedup",
    "efficiency", "time_total_s", "cell_voltage_V", "stack_pressure_final_Pa",
    "plate_displacement_final_m", "repeats", "rounds", "time_total_spread", "memory_peak_MiB",
    "load_1min_before", "load_1min_after",
]
SCALING_COLUMNS = ["study", "problem", "ranks", "level", "num_dofs", "dofs_per_rank", "time_s",
                   "newton_iterations", "speedup", "efficiency", "load_1min_before",
                   "load_1min_after"]
TIME_MEANING = {"current": "time per solve (assembly + linear solve)",
                "mechanics": "wall time per creep step"}


def scaling_rows(measurements: dict[tuple[str, float, int], dict[str, Any]],
                 plan: list[tuple[str, str, float, int]]) -> list[dict[str, Any]]:
    """One row per (study, problem, level, ranks) of ``plan`` with speed-up and efficiency
    against the study's 1-rank row (strong: S = T1/TN, E = T1/(N TN); weak: E = T1/TN,
    S = N T1/TN, the scaled speed-up)."""
    rows = []
    for study, problem, level, ranks in plan:
        m = measurements[(problem, level, ranks)]
        rows.append({"study": study, "problem": problem, "ranks": ranks, "level": level,
                     **{k: m[k] for k in COLUMNS if k in m},
                     "dofs_per_rank": m["num_dofs"] / ranks})
    for r in rows:
        ref = next(x for x in rows if x["study"] == r["study"] and x["problem"] == r["problem"]
                   and x["ranks"] == 1)
        ratio = ref["time_s"] / r["time_s"]
        if r["study"] == "strong":
            r["speedup"], r["efficiency"] = ratio, ratio / r["ranks"]
        else:
            r["speedup"], r["efficiency"] = ratio * r["ranks"], ratio
    return rows


def consistency(rows: list[dict[str, Any]]) -> tuple[dict[str, float], float, list[Any]]:
    """Largest relative difference N ranks vs serial of the strong study (current: cell voltage;
    mechanics: final stack pressure and plate displacement; inf if the DOF counts differ), and
    the largest factor between the DOFs per rank of a weak run and the serial one."""
    worst = {p: 0.0 for p in PROBLEMS}
    weak = 1.0
    detail = []
    keys = {"current": ("cell_voltage_V",),
            "mechanics": ("stack_pressure_final_Pa", "plate_displacement_final_m")}
    for r in rows:
        ref = next(x for x in rows if x["study"] == r["study"] and x["problem"] == r["problem"]
                   and x["ranks"] == 1)
        if r["ranks"] == 1:
            continue
        if r["study"] == "strong":
            if r["num_dofs"] != ref["num_dofs"]:
                d = math.inf
            else:
                d = max(abs(r[k] / ref[k] - 1.0) for k in keys[r["problem"]])
            worst[r["problem"]] = max(worst[r["problem"]], d)
            detail.append({"study": "strong", "problem": r["problem"], "ranks": r["ranks"],
                           "rel_diff": d})
        else:
            f = r["dofs_per_rank"] / ref["dofs_per_rank"]
            weak = max(weak, f, 1.0 / f)
            detail.append({"study": "weak", "problem": r["problem"], "ranks": r["ranks"],
                           "dofs_per_rank_ratio": f})
    return worst, weak, detail


def _f(x: Any, fmt: str) -> str:
    return "–" if isinstance(x, float) and not math.isfinite(x) else format(x, fmt)


def markdown_table(rows: list[dict[str, Any]], checks: list[Check], machine: dict[str, Any],
                   load_note: str, quick: bool) -> str:
    """The Markdown report (``table.md``): cases, machine, load note, one table row per
    measurement and the checks."""
    head = ["study", "problem", "level", "ranks", "DOFs", "DOFs/rank", "time [s]", "Newton",
            "speed-up", "efficiency", "result", "load 1 min"]
    reps = " / ".join(f"{next(r['repeats'] for r in rows if r['problem'] == p)} ({p})"
                      for p in PROBLEMS if any(r["problem"] == p for r in rows))
    lines = [
        f"# ssbx parallel scaling{' (quick)' if quick else ''}",
        "",
        "*current*: `examples/void_2d.toml`, P2, CG + GAMG; time = one Newton solve (assembly + "
        "linear solve). *mechanics*: `examples/pressure_hold.toml` made planar (Masias creep, "
        "fixed gap held to 1 h, 20 fixed creep steps), P2, MUMPS; time = wall time per creep "
        "step, Newton = iterations per step. Level K: element sizes / 2^K (weak scaling: level "
        "K_1 + log_4 N on N ranks, ~N x the cells). Times: maximum over ranks, fastest of "
        f"{reps} repetition(s) in each of {rows[0]['rounds']} round(s) through all "
        "measurements, after a warm-up (JIT compilation not counted). Strong: speed-up T1/TN, "
        "efficiency T1/(N TN); weak: efficiency T1/TN (speed-up column: scaled speed-up "
        "N T1/TN). *result*: cell voltage [mV] (current) or stack pressure after 1 h [MPa] "
        "(mechanics). Timings depend on the machine and its load; they are reported, not "
        "asserted.",
        "",
        "Machine: " + ", ".join(f"{k} {v}" for k, v in machine.items()),
        "",
    ]
    if load_note:
        lines += [f"**{load_note}**", ""]
    lines += ["| " + " | ".join(head) + " |",
              "|" + "|".join(":---" if h in ("study", "problem") else "---:" for h in head) + "|"]
    for r in rows:
        result = (_f(r["cell_voltage_V"] * 1e3, ".9f") if r["problem"] == "current"
                  else _f(r["stack_pressure_final_Pa"] / 1e6, ".10f"))
        lines.append("| " + " | ".join([
            r["study"], r["problem"], _f(float(r["level"]), "g"), str(r["ranks"]),
            str(r["num_dofs"]), _f(r["dofs_per_rank"], ".0f"), _f(r["time_s"], ".4f"),
            _f(r["newton_iterations"], ".2f" if r["problem"] == "mechanics" else ".0f"),
            _f(r["speedup"], ".2f"), _f(r["efficiency"], ".2f"), result,
            f"{r['load_1min_before']:.2f}/{r['load_1min_after']:.2f}"]) + " |")
    lines += ["", "Checks:", "", *(c.markdown(".3g") for c in checks)]
    return "\n".join(lines) + "\n"


@register
class ParallelScaling(Benchmark):
    """Benchmark ``parallel_scaling``: strong and weak scaling of a current-distribution and a
    mechanics case over the rank counts of :func:`scaling_ranks`."""

    name = "parallel_scaling"
    title = "Strong and weak parallel scaling: current distribution (CG + GAMG) and Li creep"
    source = (
        "ssbx self-consistency (no published reference): strong scaling (fixed problem, "
        "E = T1 / (N TN)) and weak scaling (fixed work per rank, E = T1 / TN) in the sense of "
        "J. L. Gustafson, \"Reevaluating Amdahl's law\", Commun. ACM 31(5), 532-533 (1988); the "
        "cases of the performance and mechanics_performance benchmarks"
    )
    reference = (
        "values in code: a strong-scaling run on N ranks solves the same discrete problem as "
        "the serial one (same mesh, same DOF count), so its cell voltage / stack pressure agree "
        "to 1e-8 relative; weak-scaling runs hold the DOFs per rank within a factor 1.5 of the "
        "serial run's. Speed-ups and efficiencies are reported, not asserted."
    )
    metric = (
        "largest relative difference N ranks vs serial (cell voltage; stack pressure and plate "
        "displacement), and the largest factor between weak-scaling DOFs per rank and the "
        "serial ones; plus time, speed-up and efficiency per problem, study and rank count"
    )
    tolerance = (f"N ranks vs serial <= {PARALLEL_TOL:g} (equal DOF counts); weak DOFs per rank "
                 f"within a factor {WEAK_DOFS_TOL:g}")
    x_label = "MPI ranks"

    def base_case(self) -> Any:
        """The resolved ``void_2d`` case of the current-distribution problem."""
        return perf.base_case()

    def ranks(self) -> tuple[int, ...]:
        """The rank counts of the studies (:func:`scaling_ranks`)."""
        return scaling_ranks()

    def plan(self, quick: bool) -> list[tuple[str, str, float, int]]:
        """(study, problem, level, ranks) of every row."""
        out = []
        for problem in PROBLEMS:
            strong = QUICK_LEVEL[problem] if quick else STRONG_LEVEL[problem]
            base = QUICK_LEVEL[problem] if quick else WEAK_BASE_LEVEL[problem]
            out += [("strong", problem, float(strong), n) for n in self.ranks()]
            out += [("weak", problem, round(weak_level(base, n), 6), n) for n in self.ranks()]
        return out

    def case_overrides(self, quick: bool = False) -> list[dict[str, Any]]:
        """The current-distribution cases (the mechanics ones derive from
        ``examples/pressure_hold.toml``: :func:`mechanics_performance.level_case`)."""
        levels = sorted({lv for _, p, lv, _ in self.plan(quick) if p == "current"})
        return [perf.level_overrides(lv, CURRENT_SOLVER) for lv in levels]

    def compute(self, comm: MPI.Comm, console: Any, quick: bool, out_dir: Path) -> Outcome:
        """Run every measurement as its own ``mpirun`` worker, in rounds, keep the fastest round,
        derive speed-ups and efficiencies, and check the rank agreement and the weak DOFs."""
        plan = self.plan(quick)
        unique = sorted({(p, lv, n) for _, p, lv, n in plan}, key=lambda x: (x[0], x[1], x[2]))
        rounds = QUICK_ROUNDS if quick else ROUNDS
        runs = [(*run, k) for k in range(rounds) for run in unique]
        load_start = load_average()
        cores = os.cpu_count() or 1
        loads: dict[tuple[str, float, int, int], tuple[float, float]] = {}

        def launch_one(run: tuple[str, float, int, int], tmp: Path) -> dict[str, Any]:
            problem, level, ranks, k = run
            before = load_average()
            row = launch(problem, ranks, level, tmp / f"round{k}",
                         repeat=QUICK_REPEATS if quick else REPEATS[problem])
            loads[run] = (before, load_average())
            return row

        raw = run_workers(
            comm, console, runs, launch_one,
            lambda run, row: (
                f"round {run[3] + 1}: {run[0]} level {run[1]:g}, {run[2]} rank(s): "
                f"{row['num_dofs']} dofs, {TIME_MEANING[run[0]]} "
                f"{measured(run[0], row)['time_s']:.4f} s, load {loads[run][0]:.2f}"),
            "ssbx-scaling-")
        if comm.rank != 0:
            return Outcome(rows=[], checks=[])

        measurements: dict[tuple[str, float, int], dict[str, Any]] = {}
        for run, row in zip(runs, raw, strict=True):
            m = {**measured(run[0], row), "num_dofs": int(row["num_dofs"]),
                 "repeats": row["repeats"], "rounds": rounds,
                 "time_total_spread": row["time_total_spread"],
                 "memory_peak_MiB": row["memory_peak_MiB"],
                 "load_1min_before": loads[run][0], "load_1min_after": loads[run][1]}
            key = run[:3]
            times = [*measurements.get(key, {}).get("time_s_rounds", []), m["time_s"]]
            if key not in measurements or m["time_s"] < measurements[key]["time_s"]:
                measurements[key] = m  # the fastest round (least disturbed)
            measurements[key]["time_s_rounds"] = times
        rows = scaling_rows(measurements, plan)
        worst, weak, detail = consistency(rows)
        checks = [
            Check("parallel_vs_serial_current",
                  "largest relative cell-voltage difference, N ranks vs serial, strong scaling "
                  "of the current-distribution case (DOF counts equal)",
                  worst["current"], PARALLEL_TOL, "max"),
            Check("parallel_vs_serial_mechanics",
                  "largest relative difference of the final stack pressure and plate "
                  "displacement, N ranks vs serial, strong scaling of the creep case (DOF "
                  "counts equal)", worst["mechanics"], PARALLEL_TOL, "max"),
            Check("weak_dofs_per_rank",
                  "largest factor between the DOFs per rank of a weak-scaling run and the "
                  "serial one", weak, WEAK_DOFS_TOL, "max"),
        ]
        max_load_all = max(max(v) for v in loads.values())
        max_load = max(max(m["load_1min_before"], m["load_1min_after"])
                       for m in measurements.values())  # of the measurements kept
        max_ranks = max(n for *_, n in plan)
        load_note = ""
        if max_load > cores or max_ranks > cores:
            load_note = (f"Timings disturbed: the 1-minute load average reached {max_load:.2f} "
                         f"on {cores} cores during the measurements kept" if max_load > cores
                         else f"Oversubscribed: {max_ranks} ranks on {cores} cores")
            load_note += "; the efficiencies are not those of an idle machine."
            warn(comm, console, f"parallel_scaling: {load_note}")
        if max_load_all > max(max_load, cores):
            load_note += (f"{' ' if load_note else ''}Load average during the discarded (slower) "
                          f"rounds: up to {max_load_all:.2f} on {cores} cores.")
        machine = machine_description(raw[0], load_start)
        findings = {
            "machine": machine,
            "ranks": list(self.ranks()),
            "load_1min_max": max_load,
            "load_1min_max_all_rounds": max_load_all,
            "load_above_cores": max_load > cores,
            "load_note": load_note,
            "current_solver": CURRENT_SOLVER,
            "consistency": detail,
            "efficiency": {f"{r['study']}_{r['problem']}_np{r['ranks']}": r["efficiency"]
                           for r in rows if r["ranks"] > 1},
            "time_meaning": TIME_MEANING,
            "time_s_rounds": {f"{p}_level{lv:g}_np{n}": m["time_s_rounds"]
                              for (p, lv, n), m in measurements.items()},
        }
        md = markdown_table(rows, checks, machine, load_note, quick)
        return Outcome(rows=rows, checks=checks, columns=COLUMNS, findings=findings,
                       extra_files={"table.md": md,
                                    "scaling.csv": csv_text(rows, SCALING_COLUMNS)})

    def plot(self, outcome: Outcome, path: Path, quick: bool) -> None:
        """Time and parallel efficiency against the rank count, per problem and study."""
        plt = pyplot()
        rows = outcome.rows
        fig, (ax, bx) = plt.subplots(1, 2, figsize=(13, 5.4))
        colors = {"current": "tab:blue", "mechanics": "tab:red"}
        styles = {"strong": ("o", "-"), "weak": ("s", "--")}
        all_n = sorted({r["ranks"] for r in rows})
        for problem, color in colors.items():
            for study, (marker, ls) in styles.items():
                sel = sorted((r for r in rows if r["problem"] == problem and r["study"] == study),
                             key=lambda r: r["ranks"])
                if not sel:
                    continue
                n = np.array([r["ranks"] for r in sel], dtype=float)
                t = np.array([r["time_s"] for r in sel])
                label = f"{problem}, {study}"
                ax.plot(n, t, marker=marker, ls=ls, color=color, label=label)
                if study == "strong":
                    ax.plot(n, t[0] / n, ls=":", color=color, lw=1.0,
                            label=f"{problem}, ideal strong (T1/N)")
                bx.plot(n, [r["efficiency"] for r in sel], marker=marker, ls=ls, color=color,
                        label=label)
        bx.axhline(1.0, color="0.5", ls=":", lw=1.0, label="ideal")
        for a in (ax, bx):
            a.set_xscale("log", base=2)
            a.set_xticks(all_n, [str(n) for n in all_n])
            a.xaxis.set_minor_formatter(plt.NullFormatter())
            a.set_xlabel("MPI ranks N  (–)")
            a.grid(True, which="both", alpha=0.25)
            a.legend(fontsize=8)
        ax.set_yscale("log")
        ax.set_ylabel("time  (s)")
        ax.set_title("current: time per solve; mechanics: time per creep step\n"
                     "(max over ranks, fastest repetition)", fontsize=10)
        bx.set_ylim(0.0, max(1.2, max(r["efficiency"] for r in rows) * 1.1))
        bx.set_ylabel("parallel efficiency  (–)")
        bx.set_title("strong: T1 / (N TN); weak: T1 / TN", fontsize=10)
        status = "PASS" if all(c.passed for c in outcome.checks) else "FAIL"
        worst = max(c.value for c in outcome.checks[:2])
        fig.suptitle(
            f"ssbx parallel scaling{' (quick)' if quick else ''} — {status}: N ranks vs serial "
            f"{worst:.1e} (≤ {PARALLEL_TOL:g}); timings on {os.cpu_count()} CPU cores "
            f"(load up to {max(r['load_1min_after'] for r in rows):.2f}), reported, not asserted",
            fontsize=10.5)
        fig.tight_layout(rect=(0, 0, 1, 0.93))
        save_figure(fig, path)


# --------------------------------------------------------------------------------------------
# command line: the benchmark with other rank counts, or a worker
# --------------------------------------------------------------------------------------------
def main(argv: list[str]) -> int:
    """The benchmark with chosen rank counts (``python -m ssbx.benchmarks.entry
    performance.parallel_scaling --ranks 1 2 4``)."""
    parser = argparse.ArgumentParser(
        prog="python -m ssbx.benchmarks.entry performance.parallel_scaling",
        description="Run the parallel_scaling benchmark with chosen rank counts (e.g. on a "
                    "cluster node).")
    parser.add_argument("--ranks", type=int, nargs="+", default=None,
                        help=f"rank counts (default: ${RANKS_ENV} or 1 2)")
    parser.add_argument("--out", type=Path, default=Path("bench-results"),
                        help="output folder; results go to OUT/parallel_scaling/")
    parser.add_argument("--quick", action="store_true", help="smallest levels only")
    args = parser.parse_args(argv)
    if args.ranks:
        os.environ[RANKS_ENV] = ",".join(str(n) for n in args.ranks)
    from ssbx.benchmarks.framework import run_benchmark

    result = run_benchmark("parallel_scaling", MPI.COMM_SELF, None, args.quick,
                           args.out / "parallel_scaling")
    return 0 if result.passed else 1

