"""A stripping run: a protocol of stripping, plating, rest and voltage holds on the coupled
current / contact / Li creep problem (:mod:`ssbx.problems.stripping.problem`). The critical
stripping current trials drive the same protocol loop (:mod:`ssbx.runs.ccs`).

Run-folder files: ``history.csv`` (one row per accepted step: protocol step, time, applied load,
cell voltage, contact fraction, void volume and depth, current peak/mean, stack pressure, plate
displacement, Li removed and inventory error, creep inflow rate, solver statistics),
``interface_profiles.csv`` (gap, removed Li, current, contact pressure and contact along the
interface every ``contact.profile_interval`` steps; ``step`` is the protocol step, ``time_step``
the accepted time step), ``stripping_history.png``,
``interface_profiles.png``, and for ParaView ``li_displacement.bp`` and ``potential.bp`` (VTX),
``checkpoints/`` (see ``output.checkpoint_*``).

Checkpoints and restart (:mod:`ssbx.io.checkpoint`): the protocol loop writes checkpoints after
accepted time steps; ``run_stripping_case(..., restart=True)`` continues an interrupted run
folder from its latest checkpoint (on any number of ranks), in the middle of a protocol step if
need be. History rows and interface profiles up to the checkpoint come from it, so
``history.csv``, ``interface_profiles.csv`` and the summary scalars (timings aside) are those of
an uninterrupted run. Fields: the first run's ``li_displacement.bp`` / ``potential.bp`` are kept
as they are (they may hold outputs after the checkpoint, up to where the run stopped); a restart
writes the fields after the checkpoint to new files ``li_displacement.restart-<k>.bp`` and
``potential.restart-<k>.bp`` (k = 1, 2, ... per restart).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mpi4py import MPI

import numpy as np

from ssbx.case import Case
from ssbx.errors import StrippingError
from ssbx.io.checkpoint import (
    Checkpointer,
    case_hash,
    original_cell_keys,
    read_checkpoint,
    read_state,
    require_checkpoint,
    restart_suffix,
)
from ssbx.io.console import human_time, say
from ssbx.io.runfolder import field_output_bytes
from ssbx.problems.stripping.problem import HISTORY_UNITS, StrippingProblem
from ssbx.problems.stripping.state import InterfaceState, Load, StepReport
from ssbx.problems.stripping.stepping import AdvanceResult, StepControl, advance
from ssbx.setup import stripping_cell_mesh, stripping_settings
from ssbx.units import to_mA_per_cm2

#: history.csv columns after ``step`` and ``step_kind``.
HISTORY_KEYS = (
    "time", "dt", "applied", "cell_voltage", "current_density_mean", "contact_fraction",
    "void_volume", "void_depth_max", "current_density_peak", "peak_to_mean_ratio",
    "contact_pressure_max", "stack_pressure", "plate_displacement", "removed_thickness_mean",
    "removed_thickness_max", "charge_density", "li_inventory_error", "penetration_max",
    "creep_inflow_rate", "stripping_rate", "stagger_passes", "newton_iterations",
    "time_current_solve", "time_contact_solve",
    # vacancy transport (NaN when off)
    "vacancy_theta_max", "vacancy_nucleation_ratio_max", "nucleation_events",
    "nucleated_fraction", "void_nucleated_volume", "void_condensed_volume",
    "vacancy_balance_error",
    "dislocation_density_max", "time_vacancy_solve",
)
PROFILE_HEADER = ["time_s", "step", "time_step", "x_m", "initial_gap_m", "gap_m", "removed_m",
                  "current_density_A_per_m2", "contact_pressure_Pa", "contact"]


def profile_header(dimension: int) -> list[str]:
    """Columns of ``interface_profiles.csv``: :data:`PROFILE_HEADER`, with ``y_m`` after
    ``x_m`` in 3-D (the interface is the plane z = 0)."""
    if dimension == 3:
        return [*PROFILE_HEADER[:4], "y_m", *PROFILE_HEADER[4:]]
    return list(PROFILE_HEADER)


def step_control(case: Case) -> StepControl:
    """Adaptive step control from ``[time]`` and ``[contact]``."""
    return StepControl(
        dt_initial=case.time.initial_step, dt_min=case.time.min_step, dt_max=case.time.max_step,
        max_thickness_change=case.contact.max_thickness_change,
        max_contact_change=case.contact.max_contact_change,
        max_dp=case.time.max_plastic_strain_increment)


def build_problem(case: Case, comm: MPI.Comm, cell_mesh: Any = None, *,
                  initialize: bool = True) -> StrippingProblem:
    """The case's flat-interface mesh (or ``cell_mesh``) and problem, initialised (t = 0)
    unless ``initialize`` is False (a restart takes its state from a checkpoint)."""
    if cell_mesh is None:
        cell_mesh = stripping_cell_mesh(comm, case)
    problem = StrippingProblem(cell_mesh, stripping_settings(case))
    if initialize:
        problem.initialize()
    return problem


def load_of(step: Any) -> tuple[Load, float]:
    """The electrical load and duration [s] of a protocol step."""
    if step.kind == "hold":
        return Load.voltage(step.voltage), float(step.duration)
    return Load.current(step.current_density), float(step.time_length())


@dataclass
class Recorder:
    """Collects the history rows and interface profiles of a run (same on every rank)."""

    problem: StrippingProblem
    profile_interval: int = 10
    rows: list[list[Any]] = field(default_factory=list)
    profiles: list[list[float]] = field(default_factory=list)
    step_index: int = 0
    step_kind: str = ""
    applied: float = 0.0
    writers: list[Any] = field(default_factory=list)
    #: called (on every rank) before each output of the ``writers``, e.g. a free-space check
    before_write: Callable[[], None] | None = None

    def record(self, report: StepReport | None, previous: InterfaceState | None) -> None:
        """Append a history row of the committed state; a profile every ``profile_interval``."""
        s = self.problem.scalars(previous, report)
        s["applied"] = self.applied
        self.rows.append([self.step_index, self.step_kind]
                         + [s.get(k, math.nan) for k in HISTORY_KEYS])
        if (len(self.rows) - 1) % self.profile_interval == 0:
            self.profile()

    def profile(self) -> None:
        """Append the interface profile (one row per node) and call the field writers."""
        p, st = self.problem, self.problem.state
        lateral = p.nodes.coords[:, : p.up]  # x, or x and y in 3-D
        for k in range(p.nodes.size):
            self.profiles.append([p.time, self.step_index, len(self.rows) - 1,
                                  *lateral[k], p.g0[k],
                                  st.gap[k], st.removed[k], st.current[k], st.pressure[k],
                                  float(st.contact[k])])
        if self.writers and self.before_write is not None:
            self.before_write()
        for writer in self.writers:
            writer.write(p.time)

    def column(self, key: str) -> np.ndarray:
        """The recorded history column ``key`` (a :data:`HISTORY_KEYS` name) as floats."""
        j = 2 + HISTORY_KEYS.index(key)
        return np.array([r[j] for r in self.rows], dtype=float)


def run_protocol(problem: StrippingProblem, steps: list[Any], control: StepControl,
                 recorder: Recorder, console: Any = None,
                 stop: Callable[[StepReport], bool] | None = None, *,
                 position: dict[str, Any] | None = None,
                 on_accept: Callable[[dict[str, Any]], None] | None = None) -> bool:
    """Run the protocol steps in order, recording every accepted step; returns True if
    ``stop(report)`` ended it early.

    Checkpoints: ``on_accept(position)`` runs after every accepted (and recorded) step with the
    protocol position (JSON-able: protocol step index, its end time, the next dt, the stepping
    state of :class:`AdvanceResult`, the progress-note state); ``position`` continues from such
    a position (the problem and recorder restored to the same moment)."""
    total = sum(load_of(s)[1] for s in steps)
    t_start = problem.time if position is None else float(position["t_start"])
    next_note = [total / 20.0 if position is None else float(position["next_note"])]
    dt: float | None = None
    first = 0 if position is None else int(position["step"])
    for index, step in enumerate(steps):
        if index < first:
            continue
        load, duration = load_of(step)
        recorder.step_index, recorder.step_kind = index + 1, step.kind
        recorder.applied = load.value
        say(console, f"step {index + 1}/{len(steps)}: {step.text}")
        result = AdvanceResult()
        t_end = None
        if position is not None and index == first:
            result.since_reject = int(position["since_reject"])
            result.messages = list(position["messages"])
            t_end = float(position["t_end"])
            dt = float(position["dt_next"])

        def on_step(report: StepReport, previous: InterfaceState, index: int = index,
                    result: AdvanceResult = result) -> bool:
            recorder.record(report, previous)
            elapsed = problem.time - t_start
            if elapsed >= next_note[0]:
                s = problem.scalars()
                say(console, f"  t = {human_time(problem.time)}: contact "
                              f"{s['contact_fraction']:.4f}, voltage "
                              f"{report.voltage * 1e3:.4g} mV, void "
                              f"{s['void_volume'] / problem.area * 1e9:.4g} nm (mean depth), "
                              f"dt {human_time(report.dt)}")
                while next_note[0] <= elapsed:
                    next_note[0] += total / 20.0
            if on_accept is not None:
                on_accept({"step": index, "t_end": result.t_end, "dt_next": result.dt_next,
                           "since_reject": result.since_reject,
                           "messages": result.messages[-5:], "t_start": t_start,
                           "next_note": next_note[0]})
            return bool(stop is not None and stop(report))

        result = advance(problem, load, duration, control, dt=dt, on_step=on_step,
                         result=result, t_end=t_end)
        dt = result.dt_next
        if result.stopped:
            return True
    return False


def run_stripping_case(case: Case, folder: Any, comm: MPI.Comm, console: Any = None, *,
                       restart: bool = False,
                       stop_after_checkpoints: int | None = None) -> dict[str, Any]:
    """Mesh, initialise, run the protocol and write the run folder; returns the summary.
    A failed run writes what it has (history, profiles, plots) and raises.

    restart: continue the run folder (opened with ``RunFolder(..., resume=True)``) from its
    latest checkpoint (:class:`ssbx.io.checkpoint.CheckpointError` if it has none, or one of
    another case or mesh); history.csv and interface_profiles.csv are complete from t = 0; the
    fields after the checkpoint go to ``li_displacement.restart-<k>.bp`` and
    ``potential.restart-<k>.bp`` (see the module docstring). stop_after_checkpoints:
    test-only, raise :class:`ssbx.io.checkpoint.RunInterrupted` after writing that many
    checkpoints (the folder is left without summary.json).
    """
    from dolfinx.io import VTXWriter

    t0 = time.perf_counter()
    resume = (require_checkpoint(comm, folder.root, case.output.checkpoint_every,
                                 case.output.checkpoint_wall_interval)
              if restart else None)
    digest = case_hash(case)
    saved: dict[str, Any] = {}
    if resume is not None:
        _, saved = read_state(comm, resume, case_digest=digest)
        say(console, f"restart from {resume.name} at t = "
                      f"{human_time(saved['problem']['time'])}")
    problem = build_problem(case, comm, initialize=resume is None)
    keys = original_cell_keys(problem.cell_mesh.mesh)
    field_stems = ["li_displacement", "potential"]
    field_files = [f"{stem}.bp" for stem in field_stems] if case.output.fields else []
    recorder = Recorder(problem, case.contact.profile_interval)
    if resume is not None:
        problem.prepare_restore(saved["problem"])
        _, _, arrays = read_checkpoint(comm, resume, mesh=problem.cell_mesh.mesh,
                                       fields=problem.checkpoint_fields(keys),
                                       case_digest=digest)
        problem.restore_checkpoint(saved["problem"], arrays)
        recorder.rows = [list(row) for row in saved["rows"]]
        profiles = np.asarray(arrays["profiles"], dtype=float)
        recorder.profiles = [[float(row[0]), int(row[1]), int(row[2])]
                             + [float(v) for v in row[3:]] for row in profiles.reshape(
                                 -1, len(profile_header(problem.dim)))]
        field_files = list(saved["field_files"])
        if case.output.fields:
            field_files += [restart_suffix(folder.root, comm, stem) for stem in field_stems]
    dofs = problem.num_dofs()
    say(console, f"stripping: {dofs['potential']} potential + {dofs['displacement']} "
                  f"displacement dofs, {dofs['interface_nodes']} interface nodes; electrolyte "
                  f"{case.contact.electrolyte}, Li {case.mechanics.li_model}, fixture "
                  f"{case.fixture.type} {case.fixture.pressure / 1e6:.3g} MPa, "
                  f"T = {case.operation.temperature:.2f} K (set-up {problem.time_setup:.1f} s)")
    for warning in problem.warnings:
        say(console, f"warning: {warning}")
    steps = case.protocol.parsed()
    if case.output.fields:
        fields = [problem.mechanics.u, problem._current_problem("galvanostatic").phi]
        # ADIOS2 aborts the process on a full disk: check before every output (their number
        # depends on the adaptive steps)
        one_output = field_output_bytes(fields)
        what = f"the field output ({', '.join(field_files[-2:])})"
        recorder.before_write = lambda: folder.require_space(one_output, what)
        recorder.before_write()
        recorder.writers = [VTXWriter(comm, folder.path(name), [f], engine="BP4")
                            for name, f in zip(field_files[-2:], fields, strict=True)]
    if resume is None:
        recorder.record(None, None)
    ckpt = Checkpointer.from_case(comm, folder, case, "stripping",
                                  stop_after=stop_after_checkpoints, console=console)

    def on_accept(position: dict[str, Any]) -> None:
        step = len(recorder.rows) - 1
        if not ckpt.active or not ckpt.due(step):
            return
        state = {"problem": problem.checkpoint_state(), "position": position,
                 "rows": recorder.rows, "field_files": field_files}
        arrays = problem.checkpoint_arrays()
        arrays["profiles"] = np.asarray(recorder.profiles, dtype=float).reshape(
            -1, len(profile_header(problem.dim)))
        ckpt.write(step, mesh=problem.cell_mesh.mesh, fields=problem.checkpoint_fields(keys),
                   arrays=arrays, state=state, time_=problem.time)

    error: Exception | None = None
    try:
        run_protocol(problem, steps, step_control(case), recorder, console,
                     position=saved.get("position"), on_accept=on_accept)
    except StrippingError as err:
        error = err
    finally:
        if recorder.rows and (len(recorder.rows) - 1) % recorder.profile_interval:
            recorder.profile()
        for writer in recorder.writers:
            writer.close()
        write_outputs(case, folder, recorder, comm)
    if error is not None:
        raise error
    summary = _summary(case, problem, recorder, time.perf_counter() - t0)
    summary["files"] = sorted(set(summary["files"]) | set(field_files))
    return summary


def write_outputs(case: Case, folder: Any, recorder: Recorder, comm: MPI.Comm) -> None:
    """history.csv, interface_profiles.csv and the two plots (rank 0)."""
    if comm.rank == 0:
        header = ["step", "step_kind"] + [f"{k} [{HISTORY_UNITS.get(k, 'A/m^2 or V')}]"
                                          for k in HISTORY_KEYS]
        folder.write_csv("history.csv", header, recorder.rows)
        folder.write_csv("interface_profiles.csv", profile_header(case.geometry.dimension),
                         recorder.profiles)
        if len(recorder.rows) > 1 and case.output.plots:
            plot_history(case, recorder, folder.path("stripping_history.png"))
            if case.geometry.dimension == 3:
                plot_interface_map(case, recorder, folder.path("interface_map.png"))
            else:
                plot_profiles(case, recorder, folder.path("interface_profiles.png"))
    comm.Barrier()


def _summary(case: Case, problem: StrippingProblem, rec: Recorder, wall: float) -> dict[str, Any]:
    cf = rec.column("contact_fraction")
    volt = rec.column("cell_voltage")
    inv = rec.column("li_inventory_error")
    scalars = {
        "contact_fraction_initial": (float(cf[0]), "1"),
        "contact_fraction_final": (float(cf[-1]), "1"),
        "contact_fraction_min": (float(np.nanmin(cf)), "1"),
        "cell_voltage_max": (float(np.nanmax(np.abs(volt))) if np.isfinite(volt).any()
                             else math.nan, "V"),
        "void_volume_final": (float(rec.column("void_volume")[-1]), HISTORY_UNITS["void_volume"]),
        "charge_density": (float(rec.column("charge_density")[-1]), "C/m^2"),
        "li_inventory_error_max": (float(np.nanmax(np.abs(inv))), "1"),
        "stack_pressure_final": (float(rec.column("stack_pressure")[-1]), "Pa"),
        "plate_displacement_final": (float(rec.column("plate_displacement")[-1]), "m"),
        "time_end": (problem.time, "s"),
        "num_steps": (float(len(rec.rows) - 1), "1"),
        "newton_iterations_total": (float(np.nansum(rec.column("newton_iterations"))), "1"),
        "time_total": (wall, "s"),
    }
    return {
        "case": case.name,
        "problem": "stripping",
        "scalars": {k: {"value": v, "unit": u} for k, (v, u) in scalars.items()},
        "dofs": problem.num_dofs(),
        "warnings": list(problem.warnings),
        "files": sorted(["history.csv", "interface_profiles.csv"]
                        + (["stripping_history.png", "interface_map.png"
                            if case.geometry.dimension == 3 else "interface_profiles.png"]
                           if case.output.plots else [])
                        + (["li_displacement.bp", "potential.bp"] if case.output.fields
                           else [])),
    }


# --------------------------------------------------------------------------------------------
# Plots
# --------------------------------------------------------------------------------------------
def plot_history(case: Case, rec: Recorder, path: Any) -> None:
    """Contact fraction, cell voltage, mean void depth and stack pressure against time."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    t = rec.column("time")
    A = rec.problem.area
    panels = [
        ("contact_fraction", 1.0, "contact fraction [-]"),
        ("cell_voltage", 1e3, "cell voltage [mV]"),
        ("void_volume", 1e9 / A, "void volume / area [nm]"),
        ("stack_pressure", 1e-6, "mean contact pressure [MPa]"),
    ]
    fig, axes = plt.subplots(2, 2, figsize=(10, 7), sharex=True)
    unit, scale = ("h", 3600.0) if t[-1] > 7200 else ("min", 60.0) if t[-1] > 120 else ("s", 1.0)
    for ax, (key, factor, label) in zip(axes.ravel(), panels, strict=True):
        ax.plot(t / scale, rec.column(key) * factor, ".-", ms=2, lw=1)
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
    for ax in axes[1]:
        ax.set_xlabel(f"time [{unit}]")
    fig.suptitle(f"{case.name}: {case.fixture.pressure / 1e6:.3g} MPa, "
                 f"T = {case.operation.temperature - 273.15:.1f} °C, Li {case.mechanics.li_model}")
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)


def plot_profiles(case: Case, rec: Recorder, path: Any) -> None:
    """Gap and current density along the interface at the recorded times."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    data = np.array(rec.profiles, dtype=float)
    times = np.unique(data[:, 0])
    pick = times[np.unique(np.linspace(0, times.size - 1, min(8, times.size)).astype(int))]
    fig, (a1, a2) = plt.subplots(2, 1, figsize=(8, 7), sharex=True)
    cmap = plt.get_cmap("viridis")
    for j, t in enumerate(pick):
        rows = data[data[:, 0] == t]
        color = cmap(j / max(len(pick) - 1, 1))
        a1.plot(rows[:, 3] * 1e6, -rows[:, 5] * 1e6, color=color, label=human_time(t))
        a2.plot(rows[:, 3] * 1e6, to_mA_per_cm2(rows[:, 7]), color=color)
    a1.set_ylabel("Li surface below the electrolyte, -gap [µm]")
    a1.legend(fontsize=7, ncol=2)
    a2.set_ylabel("current density [mA/cm²]")
    a2.set_xlabel("r [µm]" if case.geometry.kind == "axisymmetric" else "x [µm]")
    for ax in (a1, a2):
        ax.grid(alpha=0.3)
    fig.suptitle(f"{case.name}: interface profiles")
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)


def plot_interface_map(case: Case, rec: Recorder, path: Any) -> None:
    """3-D: maps of the interface z = 0: the gap at the start and at the end, and the current
    density of the recorded profile with the largest mean current, with the edge of the
    contact drawn over them."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    data = np.array(rec.profiles, dtype=float)
    col = {name: k for k, name in enumerate(profile_header(3))}
    X, Y, GAP, CURRENT, CONTACT = (col["x_m"], col["y_m"], col["gap_m"],
                                   col["current_density_A_per_m2"], col["contact"])
    times = np.unique(data[:, 0])
    first, last = data[data[:, 0] == times[0]], data[data[:, 0] == times[-1]]
    mean_current = [np.mean(np.abs(data[data[:, 0] == t][:, CURRENT])) for t in times]
    loaded = data[data[:, 0] == times[int(np.argmax(mean_current))]]
    fig, axes = plt.subplots(1, 3, figsize=(13, 4.2))
    panels = [(first, GAP, "gap at " + human_time(times[0]) + " [nm]", 1e9, "viridis"),
              (last, GAP, "gap at " + human_time(times[-1]) + " [nm]", 1e9, "viridis"),
              (loaded, CURRENT, "current density at " + human_time(loaded[0, 0])
               + " [mA/cm²]", 0.1, "magma")]
    for ax, (rows, column, title, scale, cmap) in zip(axes, panels, strict=True):
        x, y = rows[:, X] * 1e6, rows[:, Y] * 1e6
        shade = ax.tricontourf(x, y, rows[:, column] * scale, levels=20, cmap=cmap)
        fig.colorbar(shade, ax=ax, shrink=0.85)
        if np.ptp(rows[:, CONTACT]) > 0.0:
            ax.tricontour(x, y, rows[:, CONTACT], levels=[0.5], colors="w", linewidths=0.8)
        ax.set_title(title, fontsize=9)
        ax.set_xlabel("x [µm]")
        ax.set_aspect("equal")
    axes[0].set_ylabel("y [µm]")
    fig.suptitle(f"{case.name}: the interface z = 0 (white: the edge of the contact)")
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)


__all__ = [
    "Recorder",
    "build_problem",
    "load_of",
    "plot_interface_map",
    "profile_header",
    "run_protocol",
    "run_stripping_case",
    "step_control",
]
