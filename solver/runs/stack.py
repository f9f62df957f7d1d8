"""A stack run: the reduced (0-D) stack-pressure model of a layered cell in its fixture.

One ``problem = "stack"`` case: the layers of ``[[stack.layers]]`` (bottom to top) in the
fixture of ``[fixture]`` (fixed gap with a compliant, optionally relaxing load train; springs
with a guide friction threshold; constant force) are integrated over the ``[protocol]`` steps
(:class:`ssbx.physics.stack_model.StackModel`, built by :func:`ssbx.setup.stack_model_of`).
The model is numpy only and takes well under a second: rank 0 runs it and broadcasts the
result, so every rank returns the same summary. Files: ``history.csv`` (time, pressure, each
layer's thickness, stack height, capacity, state of charge, current density, fixture opening,
contact) and ``pressure.png``. Nothing here looks at COMM_WORLD.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from mpi4py import MPI

import numpy as np

from ssbx.case import Case
from ssbx.errors import CheckpointError, CollectiveError
from ssbx.io.console import say
from ssbx.io.runfolder import RunFolderError, collective
from ssbx.physics.stack_model import StackHistory
from ssbx.setup import stack_model_of, stack_segments_of
from ssbx.units import display_unit, to_mA_per_cm2, to_mAh_per_cm2

#: The columns of ``history.csv`` besides one ``thickness_<layer>_m`` per layer (after the
#: pressure).
HISTORY_HEAD = ("time_s", "pressure_Pa")
HISTORY_TAIL = ("height_m", "capacity_C_per_m2", "state_of_charge", "current_density_A_per_m2",
                "fixture_opening_m", "contact")


class StackRunError(CollectiveError):
    """The stack model failed (e.g. a metal layer stripped through), on every rank."""


def solve_stack(case: Case) -> StackHistory:
    """The history of a stack case (in memory, on the calling rank only)."""
    model = stack_model_of(case)
    return model.run(stack_segments_of(case), case.fixture.pressure)


def history_table(case: Case, h: StackHistory) -> tuple[list[str], list[list[Any]]]:
    """``history.csv`` as (header, rows): one row per instant, the initial state first."""
    names = [layer.name for layer in case.stack.layers]
    header = [*HISTORY_HEAD, *(f"thickness_{n}_m" for n in names), *HISTORY_TAIL]
    cols = [h.time, h.pressure, *(h.thickness[n] for n in names), h.height, h.capacity,
            h.soc, h.current_density, h.fixture_displacement]
    rows = [[float(c[j]) for c in cols] + [int(bool(h.contact[j]))] for j in range(h.time.size)]
    return header, rows


def stack_scalars(case: Case, h: StackHistory) -> dict[str, tuple[float, str]]:
    """Summary scalars (value, SI unit): initial, final, largest and smallest pressure, the
    final change, each layer's initial and final thickness and its change, the charge passed
    and the final state of charge."""
    p = h.pressure
    out: dict[str, tuple[float, str]] = {
        "pressure_initial": (float(p[0]), "Pa"),
        "pressure_final": (float(p[-1]), "Pa"),
        "pressure_max": (float(np.max(p)), "Pa"),
        "pressure_min": (float(np.min(p)), "Pa"),
        "pressure_change_final": (float(p[-1] - p[0]), "Pa"),
        "height_change_final": (float(h.height[-1] - h.height[0]), "m"),
        "capacity_final": (float(h.capacity[-1]), "C/m^2"),
        "contact_lost": (float(not bool(np.all(h.contact))), "1"),
    }
    if case.stack.capacity is not None:
        out["state_of_charge_final"] = (float(h.soc[-1]), "1")
    for layer in case.stack.layers:
        th = h.thickness[layer.name]
        out[f"thickness_{layer.name}_initial"] = (float(th[0]), "m")
        out[f"thickness_{layer.name}_final"] = (float(th[-1]), "m")
        out[f"thickness_{layer.name}_change_final"] = (float(th[-1] - th[0]), "m")
    return out


def plot_history(case: Case, h: StackHistory, path: Path) -> None:
    """Pressure against time and against capacity, and the layers' thickness changes against
    time (rank 0 only)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    p_unit, p_factor = display_unit("Pa")
    l_unit, l_factor = display_unit("m")
    hours = h.time / 3600.0
    fig, axes = plt.subplots(1, 3, figsize=(13.5, 4.0))
    axes[0].plot(hours, h.pressure * p_factor, color="C0")
    axes[0].set_xlabel("time [h]")
    axes[0].set_ylabel(f"stack pressure [{p_unit}]")
    axes[0].set_title(f"{case.name}: fixture {case.fixture.type}")
    axes[1].plot([to_mAh_per_cm2(q) for q in h.capacity], h.pressure * p_factor, color="C0")
    axes[1].set_xlabel("charge passed [mAh/cm²] (> 0: charge)")
    axes[1].set_ylabel(f"stack pressure [{p_unit}]")
    for k, layer in enumerate(case.stack.layers):
        th = h.thickness[layer.name]
        axes[2].plot(hours, (th - th[0]) * l_factor, color=f"C{k + 1}",
                     label=f"{layer.name} ({layer.kind})")
    axes[2].plot(hours, (h.height - h.height[0]) * l_factor, color="k", ls="--", label="stack")
    axes[2].set_xlabel("time [h]")
    axes[2].set_ylabel(f"thickness change [{l_unit}]")
    axes[2].legend(fontsize=8)
    for ax in axes:
        ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=150)
    plt.close(fig)


def run_stack_case(case: Case, folder: Any, comm: MPI.Comm, console: Any = None, *,
                   restart: bool = False,
                   stop_after_checkpoints: int | None = None) -> dict[str, Any]:
    """Run a stack ``case`` into ``folder``; returns the summary results (the same on every
    rank; the summary itself is written by the caller, last).

    The run takes seconds and has no checkpoints: ``restart=True`` raises
    :class:`ssbx.errors.CheckpointError`; ``stop_after_checkpoints`` is ignored.
    Files: history.csv, pressure.png.
    """
    if restart:
        raise CheckpointError(
            f"case {case.name!r} (problem = {case.problem!r}) runs in seconds: it has no "
            "checkpoints and cannot be restarted; run it again (with --overwrite)")
    t0 = time.perf_counter()
    segments = stack_segments_of(case)
    say(console, f"stack: {len(case.stack.layers)} layers ("
                 + ", ".join(f"{layer.name}: {layer.kind}" for layer in case.stack.layers)
                 + f"), fixture {case.fixture.type}, {len(segments)} protocol steps x "
                 f"{case.stack.steps_per_segment} time steps")

    def compute() -> tuple[dict[str, tuple[float, str]], str]:
        h = solve_stack(case)
        header, rows = history_table(case, h)
        folder.write_csv("history.csv", header, rows)
        if case.output.plots:
            plot_history(case, h, folder.path("pressure.png"))
        return stack_scalars(case, h), _report(case, h)

    try:
        scalars, report = collective(comm, compute, "stack model")
    except RunFolderError as err:
        raise StackRunError(str(err)) from None
    comm.Barrier()
    scalars["time_total"] = (comm.bcast(time.perf_counter() - t0, root=0), "s")
    for line in report.splitlines():
        say(console, line)
    return {
        "case": case.name,
        "problem": "stack",
        "scalars": {name: {"value": float(v), "unit": u} for name, (v, u) in scalars.items()},
        "layers": [layer.name for layer in case.stack.layers],
        "files": sorted(["history.csv"] + (["pressure.png"] if case.output.plots else [])),
    }


def _report(case: Case, h: StackHistory) -> str:
    """The console lines of a finished run."""
    p_unit, p_factor = display_unit("Pa")
    l_unit, l_factor = display_unit("m")
    p = h.pressure
    q = to_mAh_per_cm2(float(h.capacity[-1]))
    lines = [f"pressure {p[0] * p_factor:.4g} -> {p[-1] * p_factor:.4g} {p_unit} (change "
             f"{(p[-1] - p[0]) * p_factor:+.4g}; max {np.max(p) * p_factor:.4g}, min "
             f"{np.min(p) * p_factor:.4g}) after {q:.4g} mAh/cm²"
             + (f", state of charge {h.soc[-1]:.4g}" if case.stack.capacity is not None
                else "")]
    for layer in case.stack.layers:
        th = h.thickness[layer.name]
        lines.append(f"  {layer.name}: {th[0] * l_factor:.6g} -> {th[-1] * l_factor:.6g} "
                     f"{l_unit} ({(th[-1] - th[0]) * l_factor:+.4g})")
    if not bool(np.all(h.contact)):
        lines.append("  the plates lost contact with the stack (pressure 0) during the run")
    peak = float(np.max(np.abs(h.current_density)))
    if peak > 0.0:
        lines.append(f"  largest current density {to_mA_per_cm2(peak):.4g} mA/cm²")
    return "\n".join(lines)


__all__ = ["StackRunError", "history_table", "plot_history", "run_stack_case", "solve_stack",
           "stack_scalars"]
