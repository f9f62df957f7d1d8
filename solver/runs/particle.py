"""A particle run: one intercalation particle through the protocol steps of its case.

``problem = "particle"``: the particle of ``[particle]`` (:func:`ssbx.setup.particle_problem_of`)
is driven step by step (``Charge``/``Discharge`` at a current density per particle surface,
``Hold`` at a potential against Li, ``Rest``); each protocol step starts with
``particle.initial_step`` and grows its time steps by 1.1 up to ``particle.max_step``
(:func:`ssbx.problems.particle.graded_times`), the first with backward Euler.

Files: ``history.csv`` (every time step: time, protocol step, potential, current density,
mean and surface lithiation, the centre's radial and the surface's hoop stress, Newton
iterations), ``particle.png`` and, with ``output.fields``, ``concentration.bp`` (VTX, the
concentration at the end of every protocol step). A run takes seconds to minutes and writes no
checkpoints. The summary adds, besides the potential, lithiation and stress extremes of the
history, the largest principal stress at the end (over the cells) and where it is (its distance
from the centre over R): the site a crack would start from.
"""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Any

from mpi4py import MPI

import numpy as np
from dolfinx import fem
from dolfinx.io import VTXWriter

from ssbx.case import Case
from ssbx.case.protocol import ProtocolStep
from ssbx.errors import CheckpointError, CollectiveError
from ssbx.io.console import say
from ssbx.io.runfolder import collective
from ssbx.physics.constants import FARADAY
from ssbx.physics.intercalation import biot_number, diffusion_limited_c_rate
from ssbx.physics.particle import ocv_value
from ssbx.problems.particle import ParticleProblem, ParticleState, graded_times
from ssbx.setup import particle_problem_of, particle_time_steps
from ssbx.units import display_unit, to_mA_per_cm2

#: The columns of ``history.csv``.
HISTORY = ("time_s", "protocol_step", "potential_V", "current_density_A_per_m2",
           "lithiation_mean", "lithiation_surface", "centre_radial_stress_Pa",
           "surface_hoop_stress_Pa", "newton_iterations")

FIELDS_FILE = "concentration.bp"


def _stress_points(problem: ParticleProblem) -> tuple[np.ndarray, int]:
    """The centre and the surface point on the x axis, and the Mandel slot of the hoop stress
    there (axisymmetric: theta; 3-D: y)."""
    radius = problem.geometry.length
    points = np.array([[1e-6 * radius, 0.0, 0.0], [radius, 0.0, 0.0]])
    return points, (2 if problem.geometry.kind == "axisymmetric" else 1)


class ParticleRunError(CollectiveError):
    """A particle run left the physical range (on every rank: the state is reduced)."""


def _check_lithiation(state: ParticleState, c_max: float, step: ProtocolStep) -> None:
    """The mean and surface lithiation stay within [0, 1]: a current or a potential that
    would insert or extract more Li than the host holds (a linear OCV table does not stop
    it) ends the run with a message."""
    for what, c in (("mean", state.mean_concentration),
                    ("surface", state.surface_concentration)):
        x = c / c_max
        if not -1e-9 <= x <= 1.0 + 1e-9:
            raise ParticleRunError(
                f"protocol step {step.text!r}: the {what} lithiation reached {x:.4g} at t = "
                f"{state.time:.6g} s, outside [0, 1] (more Li than the particle holds, or "
                "none left); shorten the step, lower the current or hold a potential within "
                "the OCV table")


def _apply(problem: ParticleProblem, step: ProtocolStep) -> None:
    """Set the surface control of a protocol step (charge current > 0 extracts Li)."""
    if step.kind == "hold":
        problem.hold_potential(step.voltage)
    else:
        problem.apply_current_density(-step.current_density)


def run_particle_case(case: Case, folder: Any, comm: MPI.Comm, console: Any = None, *,
                      restart: bool = False,
                      stop_after_checkpoints: int | None = None) -> dict[str, Any]:
    """Run a particle ``case`` into ``folder``; returns the summary results (the same on
    every rank). ``restart`` raises :class:`ssbx.errors.CheckpointError` (no checkpoints);
    ``stop_after_checkpoints`` is ignored."""
    if restart:
        raise CheckpointError(
            f"case {case.name!r} (problem = {case.problem!r}) has no checkpoints and cannot be "
            "restarted; run it again (with --overwrite)")
    t0 = time.perf_counter()
    problem = particle_problem_of(case, comm)
    material, p = problem.material, case.particle
    first, largest = particle_time_steps(case, material)
    c_max = material.max_concentration
    steps = list(case.protocol.resolved)
    dofs = problem.W.dofmap.index_map.size_global * problem.W.dofmap.index_map_bs
    tau = p.radius ** 2 / material.diffusivity
    say(console, f"particle: {material.name}, R = {p.radius * 1e6:.4g} um, "
                 f"{'axisymmetric' if p.dimension == 2 else '3-D ' + p.body}, P{p.degree}, {dofs} "
                 f"DOFs; R^2/D = {tau:.4g} s; {len(steps)} protocol steps")
    points, hoop_slot = _stress_points(problem)
    writer = _field_writer(case, folder, problem, comm)
    rows: list[list[float]] = []
    state = problem.state()

    def record(k: int, s: ParticleState) -> None:
        stress = problem.stress_at(points) if p.mechanics else np.full((2, 6), math.nan)
        insertion = s.influx * FARADAY
        rows.append([s.time, k, s.potential, -insertion, s.mean_concentration / c_max,
                     s.surface_concentration / c_max, float(stress[0, 0]),
                     float(stress[1, hoop_slot]), s.newton_iterations])

    record(-1, state)
    try:
        for k, step in enumerate(steps):
            _apply(problem, step)
            problem.restart_time_stepping()
            start = problem.time
            for t in graded_times(step.time_length(), first, ratio=1.1, max_step=largest):
                state = problem.step(start + t - problem.time)
                record(k, state)
                _check_lithiation(state, c_max, step)
            if writer is not None:
                writer[1].interpolate(problem.concentration())
                writer[0].write(problem.time)
            say(console, f"  [{k + 1}/{len(steps)}] {step.text}: potential "
                         f"{state.potential:.5g} V, lithiation "
                         f"{state.mean_concentration / c_max:.5g} (surface "
                         f"{state.surface_concentration / c_max:.5g})")
    finally:  # on every rank, also when a step fails (a collective error)
        if writer is not None:
            writer[0].close()
    table = np.array(rows)

    def write() -> None:
        folder.write_csv("history.csv", list(HISTORY), [list(r) for r in rows])
        if case.output.plots:
            plot_history(case, table, folder.path("particle.png"))

    collective(comm, write, "particle results")
    scalars = particle_scalars(case, problem, table)
    if p.mechanics:  # where a crack would start: the largest principal stress at the end
        value, at = problem.largest_principal_stress()
        scalars["largest_principal_stress_final"] = (value, "Pa")
        scalars["largest_principal_stress_radius_final"] = (at / p.radius, "1")
    scalars["dofs"] = (float(dofs), "1")
    scalars["time_steps"] = (float(len(rows) - 1), "1")
    scalars["newton_iterations"] = (float(table[1:, -1].sum()), "1")
    scalars["time_total"] = (comm.bcast(time.perf_counter() - t0, root=0), "s")
    return {
        "case": case.name,
        "problem": "particle",
        "scalars": {name: {"value": float(v), "unit": u} for name, (v, u) in scalars.items()},
        "files": sorted(["history.csv"] + (["particle.png"] if case.output.plots else [])
                        + ([FIELDS_FILE] if writer is not None else [])),
    }


def _field_writer(case: Case, folder: Any, problem: ParticleProblem,
                  comm: MPI.Comm) -> tuple[VTXWriter, fem.Function] | None:
    """A VTX writer of the concentration (on the mesh's own degree, which VTX needs)."""
    if not case.output.fields:
        return None
    msh = problem.geometry.mesh
    degree = msh.geometry.cmaps[0].degree
    c = fem.Function(fem.functionspace(msh, ("Lagrange", degree)), name="concentration")
    return VTXWriter(comm, folder.path(FIELDS_FILE), [c], engine="BP4"), c


def particle_scalars(case: Case, problem: ParticleProblem, table: np.ndarray
                     ) -> dict[str, tuple[float, str]]:
    """Summary scalars (value, SI unit) of a finished run (``table``: the history rows); the
    Biot number, R^2/D and C_D at the initial lithiation (with the tables' D and j0 there).
    Collective (the mesh's volume and area).

    ``charge_passed`` [C/m^2]: the Li the particle lost, F c_max (x_0 - x_end) V / A, with the
    mesh's own V and A — exactly what the time steps passed through the surface (the scheme
    conserves Li to the solver tolerance), whatever the steps (currents and holds). A
    trapezoid over the history rows is not: across a protocol step's boundary it averages the
    old step's current into the new step's first interval."""
    p = case.particle
    material = problem.material
    lithiation = table[:, 4]
    charge = (FARADAY * material.max_concentration * float(lithiation[0] - lithiation[-1])
              * problem.volume() / problem.surface_area())
    c0 = p.initial_lithiation * material.max_concentration
    j0 = ocv_value(problem.kinetics.exchange_current, c0)
    d0 = material.diffusivity * (1.0 if problem.diffusivity_factor is None
                                 else ocv_value(problem.diffusivity_factor, c0))
    out: dict[str, tuple[float, str]] = {
        "potential_final": (float(table[-1, 2]), "V"),
        "lithiation_final": (float(table[-1, 4]), "1"),
        "lithiation_surface_final": (float(table[-1, 5]), "1"),
        "charge_passed": (charge, "C/m^2"),
        "diffusion_time": (p.radius ** 2 / d0, "s"),
        "diffusion_limited_c_rate": (diffusion_limited_c_rate(p.radius, d0), "1/h"),
        "biot_number_initial": (biot_number(p.radius, j0, problem.kinetics.ocv.slope(c0), d0,
                                            case.operation.temperature), "1"),
    }
    if p.mechanics:
        out["centre_radial_stress_max"] = (float(np.max(table[:, 6])), "Pa")
        out["surface_hoop_stress_max"] = (float(np.max(table[:, 7])), "Pa")
        out["surface_hoop_stress_min"] = (float(np.min(table[:, 7])), "Pa")
    return out


def plot_history(case: Case, table: np.ndarray, path: Path) -> None:
    """Potential and current, lithiation, and stresses against time (rank 0 only)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    s_unit, s_factor = display_unit("Pa")
    hours = table[:, 0] / 3600.0
    fig, axes = plt.subplots(1, 3, figsize=(13.5, 4.0))
    axes[0].plot(hours, table[:, 2], color="C0")
    axes[0].set_ylabel("potential against Li [V]", color="C0")
    twin = axes[0].twinx()
    twin.plot(hours, [to_mA_per_cm2(i) for i in table[:, 3]], color="C1")
    twin.set_ylabel("current density [mA/cm²] (> 0: charge)", color="C1")
    axes[0].set_title(f"{case.name}")
    axes[1].plot(hours, table[:, 4], label="mean")
    axes[1].plot(hours, table[:, 5], label="surface")
    axes[1].set_ylabel("lithiation x = c / c_max")
    axes[1].legend(fontsize=8)
    if case.particle.mechanics:
        axes[2].plot(hours, table[:, 6] * s_factor, label="centre, radial")
        axes[2].plot(hours, table[:, 7] * s_factor, label="surface, hoop")
        axes[2].legend(fontsize=8)
    axes[2].set_ylabel(f"stress [{s_unit}] (tension > 0)")
    for ax in axes:
        ax.set_xlabel("time [h]")
        ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=150)
    plt.close(fig)


__all__ = ["FIELDS_FILE", "HISTORY", "ParticleRunError", "particle_scalars", "plot_history",
           "run_particle_case"]
