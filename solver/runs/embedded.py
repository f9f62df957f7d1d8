"""An embedded-particle run: a cathode particle in a solid electrolyte through a charge (and
back), losing contact as it shrinks.

``problem = "embedded_particle"``: the problem of ``[embedded]``
(:func:`ssbx.setup.embedded_problem_of`) under ``embedded.stack_pressure`` is solved at each
volume change of :func:`ssbx.problems.embedded_particle.charge_path` (0, then geometric in
|dV/V| from 1e-5 to ``embedded.volume_change``, and back with ``embedded.discharge``), each from the
previous state.

Files: ``history.csv`` (one row per state: branch, dV/V, the interface area in contact, the mean
and largest gap, the mean contact pressure, the body's volume change since dV/V = 0 as a strain
of the body and as a fraction of the particle's free volume change, Newton iterations),
``embedded.png`` and, with ``output.fields``, ``electrolyte_displacement.bp`` and
``particle_displacement.bp`` (VTX, each on its material's submesh, at every state). The summary
gives the |dV/V| at which half and all of the contact is lost, the end-of-charge contact
fraction, gap and thickness fraction, and the dilute closed form's contact-loss volume change
for comparison.
"""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Any

from mpi4py import MPI

import numpy as np
from dolfinx.io import VTXWriter

from ssbx.case import Case
from ssbx.errors import CheckpointError
from ssbx.io.console import say
from ssbx.io.runfolder import collective
from ssbx.physics.particle_contact import contact_loss_volume_strain, linear_strain
from ssbx.problems.embedded_particle import EmbeddedParticleProblem, charge_path

#: The columns of ``history.csv`` (and the keys of :func:`solve_path`'s rows).
HISTORY = ("branch", "volume_change", "contact_fraction", "mean_gap_m", "max_gap_m",
           "mean_contact_pressure_Pa", "body_volume_strain", "thickness_fraction",
           "newton_iterations")

#: The VTX files of the fields: the electrolyte's and the particle's displacement.
FIELDS_FILES = ("electrolyte_displacement.bp", "particle_displacement.bp")


def solve_path(problem: EmbeddedParticleProblem, path: np.ndarray,
               on_state: Any = None) -> list[dict[str, Any]]:
    """Solve at each volume change of ``path`` (starting with 0) at the problem's pressure:
    one row per state (:data:`HISTORY`). The body's volume change is counted from the first
    state, so that the stack pressure's own compression is left out; ``thickness_fraction``
    is it over the particle's free (small-strain) volume change 3 eps* V_p, the share of the
    particle's shrinkage the layer's thickness follows. ``on_state(k, row)``: called after
    each state."""
    geometry = problem.geometry
    rows: list[dict[str, Any]] = []
    start = None
    turn = int(np.argmax(np.abs(path)))
    for k, dv in enumerate(path):
        problem.set_volume_change(float(dv))
        s = problem.solve()
        start = s if start is None else start
        change = s.cell_volume_change - start.cell_volume_change
        free = 3.0 * linear_strain(float(dv)) * geometry.particle_volume
        rows.append({"branch": "charge" if k <= turn else "discharge",
                     "volume_change": float(dv), "contact_fraction": s.contact_fraction,
                     "mean_gap_m": s.mean_gap, "max_gap_m": s.max_gap,
                     "mean_contact_pressure_Pa": s.mean_contact_pressure,
                     "body_volume_strain": change / geometry.body_volume,
                     "thickness_fraction": change / free if free else math.nan,
                     "newton_iterations": s.newton_iterations})
        if on_state is not None:
            on_state(k, rows[-1])
    return rows


def first_loss(rows: list[dict[str, Any]], level: float) -> float:
    """The first |dV/V| on charge at which the contact fraction is <= ``level`` (NaN: never)."""
    for row in rows:
        if row["branch"] == "charge" and row["contact_fraction"] <= level:
            return abs(row["volume_change"])
    return math.nan


def run_embedded_case(case: Case, folder: Any, comm: MPI.Comm, console: Any = None, *,
                      restart: bool = False,
                      stop_after_checkpoints: int | None = None) -> dict[str, Any]:
    """Run an embedded-particle ``case`` into ``folder``; returns the summary results (the
    same on every rank). ``restart`` raises :class:`ssbx.errors.CheckpointError` (no
    checkpoints); ``stop_after_checkpoints`` is ignored."""
    from ssbx.setup import embedded_problem_of

    if restart:
        raise CheckpointError(
            f"case {case.name!r} (problem = {case.problem!r}) has no checkpoints and cannot be "
            "restarted; run it again (with --overwrite)")
    if case.embedded.charge_by == "diffusion":
        from ssbx.runs.embedded_charge import run_embedded_charge_case

        return run_embedded_charge_case(case, folder, comm, console)
    t0 = time.perf_counter()
    e = case.embedded
    problem = embedded_problem_of(case, comm)
    path = charge_path(e.volume_change, e.steps, back=e.discharge)
    dofs = problem.dofs
    say(console, f"embedded particle: R = {e.radius * 1e6:.4g} um in a {e.matrix} of "
                 f"{problem.matrix.name} (volume fraction {e.volume_fraction:.3g}), "
                 f"{e.interface} interface, stack pressure {e.stack_pressure / 1e6:.4g} MPa; "
                 f"{dofs} DOFs, {len(path)} states")
    writers = [VTXWriter(comm, folder.path(name), [u], engine="BP4")
               for name, u in zip(FIELDS_FILES, problem.displacements(), strict=True)
               ] if case.output.fields else []

    def on_state(k: int, row: dict[str, Any]) -> None:
        for writer in writers:
            writer.write(float(k))
        if k % 5 == 0 or k == len(path) - 1:
            say(console, f"  [{k + 1}/{len(path)}] dV/V = {row['volume_change']:+.3e}: "
                         f"contact {row['contact_fraction']:.3f}, mean gap "
                         f"{row['mean_gap_m'] * 1e9:.4g} nm, Newton {row['newton_iterations']}")

    try:
        rows = solve_path(problem, path, on_state)
    finally:  # on every rank, also when a state fails
        for writer in writers:
            writer.close()

    def write() -> None:
        folder.write_csv("history.csv", list(HISTORY), [[r[h] for h in HISTORY] for r in rows])
        if case.output.plots:
            plot_history(case, rows, folder.path("embedded.png"))

    collective(comm, write, "embedded-particle results")
    end = max(range(len(rows)), key=lambda k: abs(rows[k]["volume_change"]))
    scalars = {
        "half_contact_volume_change": (first_loss(rows, 0.5), "1"),
        "no_contact_volume_change": (first_loss(rows, 0.0), "1"),
        "dilute_contact_loss_volume_change": (
            contact_loss_volume_strain(e.stack_pressure, problem.matrix), "1"),
        "contact_fraction_end": (rows[end]["contact_fraction"], "1"),
        "mean_gap_end": (rows[end]["mean_gap_m"], "m"),
        "max_gap_end": (rows[end]["max_gap_m"], "m"),
        "thickness_fraction_end": (rows[end]["thickness_fraction"], "1"),
        "body_volume_strain_end": (rows[end]["body_volume_strain"], "1"),
        "dofs": (float(dofs), "1"),
        "newton_iterations": (float(sum(r["newton_iterations"] for r in rows)), "1"),
        "time_total": (comm.bcast(time.perf_counter() - t0, root=0), "s"),
    }
    say(console, f"  contact: half lost at |dV/V| = {scalars['half_contact_volume_change'][0]:.3g}"
                 f", all at {scalars['no_contact_volume_change'][0]:.3g} (a dilute particle "
                 f"under hydrostatic pressure: "
                 f"{scalars['dilute_contact_loss_volume_change'][0]:.3g}); at the end of the "
                 f"charge the body follows {rows[end]['thickness_fraction']:.3g} of the "
                 "particle's volume change")
    return {
        "case": case.name,
        "problem": "embedded_particle",
        "scalars": {name: {"value": float(v), "unit": u} for name, (v, u) in scalars.items()},
        "files": sorted(["history.csv"] + (["embedded.png"] if case.output.plots else [])
                        + (list(FIELDS_FILES) if writers else [])),
    }


def plot_history(case: Case, rows: list[dict[str, Any]], path: Path) -> None:
    """Contact fraction, mean gap and the body's volume strain against |dV/V| (rank 0)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(13.5, 4.0))
    for branch, style in (("charge", "-"), ("discharge", "o")):
        sel = [r for r in rows if r["branch"] == branch and r["volume_change"] != 0.0]
        x = [100 * abs(r["volume_change"]) for r in sel]
        axes[0].plot(x, [r["contact_fraction"] for r in sel], style, label=branch, ms=3,
                     mfc="none")
        axes[1].plot(x, [r["mean_gap_m"] * 1e9 for r in sel], style, label=branch, ms=3,
                     mfc="none")
        axes[2].plot(x, [100 * r["body_volume_strain"] for r in sel], style, label=branch,
                     ms=3, mfc="none")
    axes[0].set_ylabel("interface area in contact (fraction)")
    axes[0].set_title(case.name)
    axes[1].set_ylabel("mean gap [nm]")
    axes[2].set_ylabel("volume change of the body [%]")
    for ax in axes:
        ax.set_xscale("log")
        ax.set_xlabel("particle volume change |dV/V| [%]")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=150)
    plt.close(fig)


__all__ = ["FIELDS_FILES", "HISTORY", "first_loss", "plot_history", "run_embedded_case",
           "solve_path"]
