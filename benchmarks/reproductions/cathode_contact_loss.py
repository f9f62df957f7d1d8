"""Contact loss of an NMC811 particle in a Li6PS5Cl composite cathode on charge, against stack
pressure and over a cycle (the issue's "NMC811 embedded in Li6PS5Cl (~7.8 % volume change)").

Koerver et al. (Chem. Mater. 29, 5574, 2017) saw NCM-811 particles shrink on charge and lose
contact with the thiophosphate electrolyte around them. The model
(:class:`ssbx.problems.embedded_particle.EmbeddedParticleProblem`): an elastic particle with a
uniform chemical volume change (slow charge: no concentration gradient) in an elastic matrix,
frictionless unilateral contact without adhesion, axisymmetric.

1. Verification: a particle in a concentric matrix shell (b = 3R) against the Lamé closed form
   (:func:`ssbx.physics.particle_contact.concentric_sphere`): contact pressure above the closing
   pressure, opening below it.
2. Prediction: a composite unit cell (particle volume fraction 0.5: a cylinder of radius and
   half-height 1.1 R with rollers at its side, the stack pressure on its top) charged to
   dV/V = -7.8 % and discharged back in geometric steps of |dV/V| from 1e-5, at stack
   pressures of 1-100 MPa (and bonded at 10 MPa for comparison). Measured: the interface area
   in contact, the mean gap, and the layer's thickness change as a fraction of the particle's
   free volume change (the input of a cell stack-pressure model).

3. The axisymmetric cylinder against the 3-D unit cell of a simple-cubic array (the octant of
   a cube with rollers, P1 tetrahedra) at a particle volume fraction of 0.3 and 10 MPa: the
   contact fraction over a charge.

The dilute, hydrostatic closed form says contact is lost at ``|dV/V| = p (3K + 4 mu) / (4 K mu)``
of the electrolyte (0.14 % per 10 MPa for Li6PS5Cl): no practical stack pressure keeps an elastic
electrolyte on a shrinking NMC811 particle. In the layer the pressure is uniaxial (the lateral
stress is nu/(1 - nu) of it), so the equator opens first and the poles last.

Not modelled: creep or plastic flow of the electrolyte (which would make contact loss
irreversible and history-dependent), adhesion, friction, anisotropic or non-uniform particle
strain, particle cracking.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from mpi4py import MPI

import numpy as np

from ssbx.benchmarks.framework import (
    DATA_DIR,
    Check,
    DirectBenchmark,
    Outcome,
    pyplot,
    register,
    save_figure,
    say,
)
from ssbx.case.records import EmbeddedSpec
from ssbx.physics.electrolytes import ELECTROLYTES
from ssbx.physics.intercalation_materials import NMC811_ELASTIC
from ssbx.physics.particle_contact import (
    concentric_sphere,
    contact_loss_volume_strain,
    linear_strain,
)
from ssbx.problems.embedded_particle import charge_path
from ssbx.runs.embedded import first_loss, solve_path

REFERENCE_FILE = DATA_DIR / "koerver2017_contact_loss.json"
RADIUS = 5e-6
CELL = 1.1  # the unit cell's radius and half-height over R: particle volume fraction 0.50
SHELL = 3.0  # the verification shell's outer radius over R
PRESSURES = (1e6, 3e6, 10e6, 30e6, 100e6)  # Pa
ARRAY_FRACTION = 0.3  # the 3-D comparison: a cube of half-width 1.20 R, a cylinder of 1.30 R
LI6PS5CL = ELECTROLYTES["Li6PS5Cl"].elastic


def load_reference() -> dict[str, Any]:
    """The observation quoted, the volume change and the readings of the checks."""
    return json.loads(REFERENCE_FILE.read_text(encoding="utf-8"))


def shell_errors(comm: MPI.Comm, volume_change: float, size: float) -> dict[str, float]:
    """Relative errors of the FE shell against the Lamé solution: the contact pressure at 1.5x
    and the gap at 0.5x the closing pressure."""
    from ssbx.problems.embedded_particle import EmbeddedGeometry, EmbeddedParticleProblem

    geometry = EmbeddedGeometry.shell(comm, RADIUS, SHELL * RADIUS, size * RADIUS,
                                      interface_size=0.5 * size * RADIUS)
    problem = EmbeddedParticleProblem(geometry, NMC811_ELASTIC, LI6PS5CL)
    eps = linear_strain(volume_change)
    closing = concentric_sphere(RADIUS, SHELL * RADIUS, NMC811_ELASTIC, LI6PS5CL, eps,
                                0.0).closing_pressure
    out = {"closing_pressure": closing}
    problem.set_volume_change(volume_change)
    for factor, key in ((1.5, "pressure"), (0.5, "gap")):
        problem.set_pressure(factor * closing)
        state = problem.solve()
        exact = concentric_sphere(RADIUS, SHELL * RADIUS, NMC811_ELASTIC, LI6PS5CL, eps,
                                  factor * closing)
        if key == "pressure":
            out[key] = abs(state.mean_contact_pressure + exact.interface_stress) / abs(
                exact.interface_stress)
        else:
            out[key] = abs(state.mean_gap - exact.gap) / exact.gap
        out[f"{key}_contact_fraction"] = state.contact_fraction
    return out


def array_comparison(comm: MPI.Comm, path: np.ndarray, quick: bool) -> dict[str, Any]:
    """The contact fraction over a charge at 10 MPa in the 3-D unit cell of a simple-cubic
    array (P1, the octant of a cube) and in the axisymmetric cylinder (P2) of the same particle
    volume fraction :data:`ARRAY_FRACTION`: the cylinder is what the prediction above uses."""
    from ssbx.problems.embedded_particle import EmbeddedGeometry, EmbeddedParticleProblem

    cube, cylinder = (EmbeddedSpec(radius=RADIUS, dimension=d,
                                   volume_fraction=ARRAY_FRACTION).outer_size for d in (3, 2))
    size, fine = (0.4, 0.12) if quick else (0.25, 0.08)
    bodies = {"3d": EmbeddedGeometry.box(comm, RADIUS, cube, cube, size * RADIUS,
                                         interface_size=fine * RADIUS),
              "2d": EmbeddedGeometry.cell(comm, RADIUS, cylinder, cylinder, RADIUS / 6.0,
                                          interface_size=RADIUS / 40.0)}
    fractions, dofs = {}, {}
    for name, geometry in bodies.items():
        problem = EmbeddedParticleProblem(geometry, NMC811_ELASTIC, LI6PS5CL)
        problem.set_pressure(10e6)
        fractions[name] = [r["contact_fraction"] for r in solve_path(problem, path)]
        dofs[name] = problem.dofs
    difference = np.abs(np.array(fractions["3d"]) - np.array(fractions["2d"]))
    return {"volume_fraction": ARRAY_FRACTION, "volume_changes": [float(v) for v in path],
            "contact_3d": fractions["3d"], "contact_2d": fractions["2d"],
            "largest_difference": float(difference.max()), "dofs_3d": dofs["3d"],
            "dofs_2d": dofs["2d"]}


@register
class CathodeContactLoss(DirectBenchmark):
    """Benchmark ``cathode_contact_loss`` (see the module docstring)."""

    name = "cathode_contact_loss"
    title = ("Contact loss of an NMC811 particle in Li6PS5Cl on charge: against stack pressure "
             "and over a cycle (elastic, frictionless, no adhesion)")
    source = ("R. Koerver et al., Chem. Mater. 29, 5574 (2017), doi:10.1021/acs.chemmater."
              "7b00931 (NCM-811 shrinks on charge and loses contact with the thiophosphate); "
              "the Lamé solution of concentric spheres (derived) for the verification")
    reference = "koerver2017_contact_loss.json (the observation, the volume change, the checks)"
    metric = ("FE against the closed form (contact pressure, gap); in the composite cell: the "
              "interface area in contact, the mean gap and the thickness change over a charge "
              "to dV/V = -7.8 % and back, at 1-100 MPa")
    tolerance = ("closed form: 1e-3 relative; reversibility over the cycle: 1e-6 (elastic "
                 "solids keep no memory); cylinder against the cubic array: contact fractions "
                 "within 0.05")
    x_label = "particle volume change |dV/V|"

    def compute(self, comm: MPI.Comm, console: Any, quick: bool, out_dir: Path) -> Outcome:
        """The shell checks and the pressure sweep of the composite cell (quick: coarser
        meshes, two pressures, seven charge steps)."""
        from ssbx.problems.embedded_particle import EmbeddedGeometry, EmbeddedParticleProblem

        ref = load_reference()
        final = ref["volume_change"]["value"]
        errors = shell_errors(comm, -0.02, 0.5 if quick else 0.25)
        say(comm, console, f"  shell (b = {SHELL:g} R, dV/V = -2 %): closing pressure "
                           f"{errors['closing_pressure'] / 1e6:.4g} MPa; FE contact pressure "
                           f"error {errors['pressure']:.2e}, gap error {errors['gap']:.2e}")
        size, fine = (1.0 / 3.0, 1.0 / 16.0) if quick else (1.0 / 6.0, 1.0 / 40.0)
        geometry = EmbeddedGeometry.cell(comm, RADIUS, CELL * RADIUS, CELL * RADIUS,
                                         size * RADIUS, interface_size=fine * RADIUS)
        steps = 7 if quick else 31
        path = charge_path(final, steps, back=True)
        pressures = (PRESSURES[0], PRESSURES[-1]) if quick else PRESSURES
        contact = EmbeddedParticleProblem(geometry, NMC811_ELASTIC, LI6PS5CL)
        rows: list[dict[str, Any]] = []
        summary = {}
        for p in pressures:
            contact.set_pressure(p)
            run = [{"interface": "contact", "pressure_MPa": p / 1e6, **r}
                   for r in solve_path(contact, path)]
            rows += run
            charge = [r for r in run if r["branch"] == "charge"]
            summary[f"{p / 1e6:g} MPa"] = {
                "half_contact_volume_change": first_loss(run, 0.5),
                "no_contact_volume_change": first_loss(run, 0.0),
                "dilute_hydrostatic_volume_change": contact_loss_volume_strain(p, LI6PS5CL),
                "end_contact_fraction": charge[-1]["contact_fraction"],
                "end_thickness_fraction": charge[-1]["thickness_fraction"],
                "end_body_volume_strain": charge[-1]["body_volume_strain"],
                "newton_iterations_max": max(r["newton_iterations"] for r in run)}
            s = summary[f"{p / 1e6:g} MPa"]
            say(comm, console, f"  {p / 1e6:5g} MPa: half the contact lost at |dV/V| = "
                               f"{s['half_contact_volume_change']:.4f}, all at "
                               f"{s['no_contact_volume_change']:.4f} (dilute, hydrostatic: "
                               f"{s['dilute_hydrostatic_volume_change']:.4f}); at -7.8 %: "
                               f"contact {s['end_contact_fraction']:.3f}, thickness "
                               f"{s['end_thickness_fraction']:.3f} of the particle's change")
        bonded = EmbeddedParticleProblem(geometry, NMC811_ELASTIC, LI6PS5CL, interface="bonded")
        bonded.set_pressure(10e6)
        bonded_run = [{"interface": "bonded", "pressure_MPa": 10.0, **r}
                      for r in solve_path(bonded, path)]
        rows += bonded_run
        summary["bonded, 10 MPa"] = {"end_thickness_fraction":
                                     bonded_run[steps - 1]["thickness_fraction"]}
        three_d = array_comparison(comm, path if quick else charge_path(final, 16), quick)
        say(comm, console, f"  phi = {ARRAY_FRACTION:g}, 10 MPa: 3-D cubic cell "
                           f"({three_d['dofs_3d']} DOFs) against the axisymmetric cylinder: "
                           f"contact fractions differ by at most "
                           f"{three_d['largest_difference']:.3f}")
        summary["3-D cubic cell against the cylinder"] = three_d
        irreversibility = 0.0
        for p in pressures:
            run = [r for r in rows if r["interface"] == "contact" and r["pressure_MPa"] == p / 1e6]
            for k in range(steps - 1):
                down = run[2 * (steps - 1) - k]
                irreversibility = max(irreversibility,
                                      abs(run[k]["contact_fraction"] - down["contact_fraction"]),
                                      abs(run[k]["mean_gap_m"] - down["mean_gap_m"]) / RADIUS)
        checks = [
            Check("closed_form_pressure", ref["checks"]["closed_form_pressure"]["reading"],
                  errors["pressure"], ref["checks"]["closed_form_pressure"]["tolerance"], "max"),
            Check("closed_form_gap", ref["checks"]["closed_form_gap"]["reading"],
                  errors["gap"], ref["checks"]["closed_form_gap"]["tolerance"], "max"),
            Check("cycle_reversibility", ref["checks"]["cycle_reversibility"]["reading"],
                  irreversibility, ref["checks"]["cycle_reversibility"]["tolerance"], "max"),
            Check("cylinder_stands_for_the_array",
                  ref["checks"]["cylinder_stands_for_the_array"]["reading"],
                  three_d["largest_difference"],
                  ref["checks"]["cylinder_stands_for_the_array"]["tolerance"], "max"),
        ]
        findings = {"shell": errors, "pressures": summary,
                    "volume_fraction": geometry.volume_fraction,
                    "cells": geometry.mesh.topology.index_map(2).size_global}
        return Outcome(rows=rows, checks=checks, columns=list(rows[0]), findings=findings,
                       plot_data={"rows": rows, "summary": summary})

    def plot(self, outcome: Outcome, path: Path, quick: bool) -> None:
        """Contact fraction and thickness change against the volume change, per pressure."""
        plt = pyplot()
        fig, axes = plt.subplots(1, 3, figsize=(17.0, 4.8))
        rows = outcome.plot_data["rows"]
        pressures = sorted({r["pressure_MPa"] for r in rows if r["interface"] == "contact"})
        for k, p in enumerate(pressures):
            colour = f"C{k}"
            for branch, style in (("charge", "-"), ("discharge", "o")):
                sel = [r for r in rows if r["interface"] == "contact"
                       and r["pressure_MPa"] == p and r["branch"] == branch]
                x = [max(100 * abs(r["volume_change"]), 1e-4) for r in sel]
                label = f"{p:g} MPa" if branch == "charge" else None
                axes[0].plot(x, [r["contact_fraction"] for r in sel], style, color=colour,
                             label=label, ms=3, mfc="none")
                axes[1].plot(x, [100 * r["body_volume_strain"] for r in sel], style,
                             color=colour, label=label, ms=3, mfc="none")
            axes[0].axvline(100 * contact_loss_volume_strain(p * 1e6, LI6PS5CL), color=colour,
                            ls=":", lw=0.8)
        bonded = [r for r in rows if r["interface"] == "bonded" and r["branch"] == "charge"]
        axes[1].plot([max(100 * abs(r["volume_change"]), 1e-4) for r in bonded],
                     [100 * r["body_volume_strain"] for r in bonded], "k--",
                     label="bonded, 10 MPa")
        axes[0].set_ylabel("interface area in contact (fraction)")
        axes[0].set_title("NMC811 in Li6PS5Cl: contact (lines: charge, circles: discharge;\n"
                          "dotted: dilute particle under hydrostatic pressure)", fontsize=9)
        axes[1].set_ylabel("layer thickness change [%]")
        axes[1].set_title("Composite layer (volume fraction 0.5) at constant stack pressure",
                          fontsize=9)
        array = outcome.plot_data["summary"]["3-D cubic cell against the cylinder"]
        x = [max(100 * abs(v), 1e-4) for v in array["volume_changes"]]
        axes[2].plot(x, array["contact_2d"], "-", label="axisymmetric cylinder (P2)")
        axes[2].plot(x, array["contact_3d"], "s", mfc="none",
                     label=f"3-D cubic array (P1, {array['dofs_3d']} DOFs)")
        axes[2].set_ylabel("interface area in contact (fraction)")
        axes[2].set_title(f"Unit cells at volume fraction {array['volume_fraction']:g}, 10 MPa",
                          fontsize=9)
        for ax in axes:
            ax.set_xscale("log")
            ax.set_xlabel("particle volume shrinkage |dV/V| [%] (log; 0 drawn at 1e-4)")
            ax.grid(alpha=0.3)
            ax.legend(fontsize=7)
        fig.tight_layout()
        save_figure(fig, path)
        plt.close(fig)


__all__ = ["CathodeContactLoss", "shell_errors"]
