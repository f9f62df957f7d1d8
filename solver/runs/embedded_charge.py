"""An embedded-particle run charged by diffusion (``embedded.charge_by = "diffusion"``): a cathode
particle in a solid electrolyte charged galvanostatically through the part of its surface that
still touches the electrolyte (:mod:`ssbx.problems.embedded_charge`), until its window is
charged, its contacting surface runs empty, or it is isolated.

With ``embedded.discharge`` the particle is then discharged at the same rate
(:meth:`ssbx.problems.embedded_charge.EmbeddedChargeProblem.discharge`): the summary adds the
share returned and the first cycle's efficiency.

Files: ``history.csv`` (one row per time step: branch, time, the share of the window charged,
the interface area in contact, the least and most Li content where the current passes and the
interface's mean, the flux amplification A/A_c, the mean and largest gap, the mean contact pressure,
passes and Newton iterations), ``embedded_charge.png`` and, with ``output.fields``,
``electrolyte_displacement.bp``, ``particle_displacement.bp`` and ``li_content.bp`` (VTX, at
every step). The summary gives the share of the window charged and why the charge stopped.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from mpi4py import MPI

from dolfinx.io import VTXWriter

from ssbx.case import Case
from ssbx.io.console import say
from ssbx.io.runfolder import collective
from ssbx.physics.particle_contact import contact_loss_volume_strain
from ssbx.problems.embedded_charge import (
    ChargeState,
    EmbeddedChargeProblem,
    charge_reached,
    discharge_returned,
)

#: The columns of ``history.csv``.
HISTORY = ("branch", "time_s", "charge", "contact_fraction", "surface_min", "surface_max",
           "surface_mean",
           "flux_amplification", "mean_gap_m", "max_gap_m", "mean_contact_pressure_Pa",
           "passes", "newton_iterations")

#: The VTX files of the fields.
FIELDS_FILES = ("electrolyte_displacement.bp", "particle_displacement.bp", "li_content.bp")


def history_row(state: ChargeState) -> dict[str, float]:
    """One row of ``history.csv`` (:data:`HISTORY`)."""
    m = state.mechanics
    return {"branch": state.branch, "time_s": state.time, "charge": state.charge,
            "contact_fraction": state.contact_fraction, "surface_min": state.surface_min,
            "surface_max": state.surface_max, "surface_mean": state.surface_mean,
            "flux_amplification": state.flux_amplification, "mean_gap_m": m.mean_gap,
            "max_gap_m": m.max_gap, "mean_contact_pressure_Pa": m.mean_contact_pressure,
            "passes": state.passes, "newton_iterations": m.newton_iterations}


def run_embedded_charge_case(case: Case, folder: Any, comm: MPI.Comm,
                             console: Any = None) -> dict[str, Any]:
    """Run a charge-by-diffusion embedded-particle ``case`` into ``folder``; returns the
    summary results (the same on every rank)."""
    from ssbx.setup import embedded_problem_of

    t0 = time.perf_counter()
    e = case.embedded
    problem = embedded_problem_of(case, comm)
    assert isinstance(problem, EmbeddedChargeProblem)
    dofs = problem.dofs
    tau = e.radius**2 / e.diffusivity
    say(console, f"embedded particle charged by diffusion: R = {e.radius * 1e6:.4g} um in a "
                 f"{e.matrix} of {problem.matrix.name} (volume fraction "
                 f"{e.volume_fraction:.3g}), {e.interface} interface, stack pressure "
                 f"{e.stack_pressure / 1e6:.4g} MPa, C/{1 / e.c_rate:.3g} (diffusion time R^2/D "
                 f"= {tau:.3g} s against {3600 / e.c_rate:.3g} s); {dofs} DOFs, up to "
                 f"{e.time_steps} steps")
    fields = (*problem.displacements(), problem.theta)
    writers = [VTXWriter(comm, folder.path(name), [u], engine="BP4")
               for name, u in zip(FIELDS_FILES, fields, strict=True)
               ] if case.output.fields else []
    rows: list[dict[str, float]] = []

    def on_step(k: int, state: ChargeState) -> None:
        rows.append(history_row(state))
        for writer in writers:
            writer.write(state.time)
        if k % 10 == 0:
            where = (f"least Li where it leaves {state.surface_min:.3f}"
                     if state.branch == "charge" else
                     f"most Li where it enters {state.surface_max:.3f}")
            say(console, f"  {state.branch} [{k + 1}/{e.time_steps}] charged "
                         f"{state.charge:.3f}: contact {state.contact_fraction:.3f} (flux "
                         f"x{state.flux_amplification:.3g}), {where}, passes {state.passes}")

    try:
        states, stopped_by = problem.charge(e.time_steps, on_step=on_step)
        back, back_stopped_by = (problem.discharge(e.time_steps, on_step=on_step)
                                 if e.discharge else ([], ""))
    finally:  # on every rank, also when a step fails
        for writer in writers:
            writer.close()

    def write() -> None:
        folder.write_csv("history.csv", list(HISTORY), [[r[h] for h in HISTORY] for r in rows])
        if case.output.plots:
            plot_charge(case, rows, folder.path("embedded_charge.png"))

    collective(comm, write, "embedded-particle results")
    reached = charge_reached(states, stopped_by)
    uniform = contact_loss_volume_strain(e.stack_pressure, problem.matrix) / abs(e.volume_change)
    charged = states[-1].charge if states else 0.0
    returned = discharge_returned(states, back, back_stopped_by)
    scalars = {
        "charge_reached": (reached, "1"),
        **({"discharge_returned": (returned, "1"),
            "first_cycle_efficiency": (returned / charged if charged > 0.0 else float("nan"),
                                       "1")} if e.discharge else {}),
        "contact_fraction_end": (problem.contact_area_fraction(), "1"),
        "dilute_uniform_contact_loss_charge": (uniform, "1"),
        "steps": (float(len(rows)), "1"),
        "dofs": (float(dofs), "1"),
        "newton_iterations": (float(sum(r["newton_iterations"] for r in rows)), "1"),
        "time_total": (comm.bcast(time.perf_counter() - t0, root=0), "s"),
    }
    say(console, f"  charge stopped ({stopped_by}) with {100 * reached:.3g} % of the window "
                 f"charged (a dilute particle shrinking uniformly under a hydrostatic pressure "
                 f"loses contact at {100 * uniform:.3g} %)")
    if e.discharge:
        say(console, f"  discharge stopped ({back_stopped_by}): "
                     f"{100 * scalars['discharge_returned'][0]:.3g} % of the window returned "
                     f"(first-cycle efficiency {scalars['first_cycle_efficiency'][0]:.3g})")
    return {
        "case": case.name,
        "problem": "embedded_particle",
        "stopped_by": stopped_by,
        **({"discharge_stopped_by": back_stopped_by} if e.discharge else {}),
        "scalars": {name: {"value": float(v), "unit": u} for name, (v, u) in scalars.items()},
        "files": sorted(["history.csv"] + (["embedded_charge.png"] if case.output.plots else [])
                        + (list(FIELDS_FILES) if writers else [])),
    }


def plot_charge(case: Case, rows: list[dict[str, float]], path: Path) -> None:
    """Contact fraction, flux amplification and the Li content where it leaves against the
    share of the window charged (rank 0)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(13.5, 4.0))
    for branch, style in (("charge", "-"), ("discharge", ":")):
        sel = [r for r in rows if r["branch"] == branch]
        if not sel:
            continue
        x = [100 * r["charge"] for r in sel]
        axes[0].plot(x, [r["contact_fraction"] for r in sel], style, label=branch)
        axes[1].semilogy(x, [r["flux_amplification"] for r in sel], style, label=branch)
        extreme = "surface_min" if branch == "charge" else "surface_max"
        axes[2].plot(x, [r[extreme] for r in sel], style,
                     label=f"{branch}: {'least' if branch == 'charge' else 'most'} where the "
                           "current passes")
        axes[2].plot(x, [r["surface_mean"] for r in sel], style, lw=0.8,
                     label=f"{branch}: mean over the interface")
    axes[0].set_ylabel("interface area in contact (fraction)")
    axes[0].set_title(case.name)
    axes[1].set_ylabel("local Li flux / uniform flux (A / A_c)")
    axes[2].set_ylabel("Li content at the surface (window units)")
    for ax in axes:
        ax.legend(fontsize=7)
    for ax in axes:
        ax.set_xlabel("window charged [%]")
        ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=150)
    plt.close(fig)


__all__ = ["FIELDS_FILES", "HISTORY", "history_row", "plot_charge", "run_embedded_charge_case"]
