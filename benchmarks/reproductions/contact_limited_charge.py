"""How far an NMC811 particle in Li6PS5Cl charges before losing contact, when the Li leaves only
through the part of its surface that still touches the electrolyte (the loss of ionic contact
fed back to the current), against stack pressure and C-rate.

Koerver et al. (Chem. Mater. 29, 5574, 2017) attribute part of the first-cycle capacity loss of
NCM-811 composite cathodes with thiophosphates to the particles' shrinkage on charge and the
contact they lose. The model (:class:`ssbx.problems.embedded_charge.EmbeddedChargeProblem`):
the composite cell of ``cathode_contact_loss`` (particle volume fraction 0.5, axisymmetric,
elastic, frictionless contact without adhesion), the particle charged galvanostatically by
diffusion through its contacting nodes, its chemical strain following its local Li content
(-7.8 % in volume over the window, linear). It stops when the particle is isolated (no contact
left), when the contacting surface runs empty, or at the window's end.

1. Verification: the Li balance through partial contact (round-off), a bonded particle against
   the galvanostatic sphere's series solution, the fast-diffusion limit against the static
   uniform path, and the isolation point under interface refinement.
2. Prediction: the share of the window charged (then the share returned on a discharge at
   the same rate: the first cycle's efficiency) at 3-100 MPa, at C/10 and 1C with
   D = 4e-15 m^2/s (NMC811, Chen et al. 2020), at C/10 with D = 1e-12 m^2/s (a uniform
   particle), and at C/10 with an illustrative volume change concentrated in the last 30 % of
   the window (:data:`LATE_COLLAPSE`, not measured data: how much the shape matters).
3. Particle size: radii 2.5, 5 and 10 um at 10 and 30 MPa, C/10 (a finding).
4. The axisymmetric cylinder against the 3-D unit cell of a simple-cubic array at particle
   volume fraction 0.3 (a finding, with DOFs and wall times, not a check).

Not modelled: creep or plastic flow of the electrolyte, particle-particle and carbon contacts,
residual stress from the cell's fabrication, a volume change that is not linear in the Li
content (NMC811 shrinks mostly at high delithiation), kinetics and voltage. Each of them would
let a real cell charge further than this model does; the benchmark says how far an elastic
electrolyte alone lets it.
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
from ssbx.physics.electrolytes import ELECTROLYTES
from ssbx.physics.intercalation import galvanostatic_concentration
from ssbx.physics.intercalation_materials import NMC811_DIFFUSIVITY, NMC811_ELASTIC
from ssbx.physics.particle_contact import (
    VolumeChangeCurve,
    contact_loss_volume_strain,
    window_volume_change,
)

REFERENCE_FILE = DATA_DIR / "contact_limited_charge.json"
RADIUS = 5e-6
CELL = 1.1  # the unit cell's radius and half-height over R: particle volume fraction 0.50
VOLUME_CHANGE = -0.078
LI6PS5CL = ELECTROLYTES["Li6PS5Cl"].elastic
PRESSURES = (3e6, 10e6, 30e6, 100e6)  # Pa
STEPS = 200  # over the window: 0.5 % of it per step
DIFFUSIVITY = NMC811_DIFFUSIVITY.value  # m^2/s
#: An illustrative shape, not measured data: 1 % of shrinkage over the first 70 % of the window
#: and the rest (to -7.8 %) in the last 30 %, as the c-axis collapse of Ni-rich layered oxides
#: at high delithiation concentrates it.
LATE_COLLAPSE = VolumeChangeCurve((0.0, 0.7, 1.0), (0.0, -0.01, VOLUME_CHANGE))


def load_reference() -> dict[str, Any]:
    """The checks' tolerances and readings and the diffusivity's provenance."""
    return json.loads(REFERENCE_FILE.read_text(encoding="utf-8"))


def _cell(comm: MPI.Comm, fine: float, coarse: float = 1.0 / 6.0,
          radius: float = RADIUS) -> Any:
    from ssbx.problems.embedded_particle import EmbeddedGeometry

    return EmbeddedGeometry.cell(comm, radius, CELL * radius, CELL * radius, coarse * radius,
                                 interface_size=fine * radius)


def _charge(geometry: Any, pressure: float, c_rate: float, diffusivity: float,
            steps: int = STEPS, curve: VolumeChangeCurve | None = None,
            **kwargs: Any) -> tuple[Any, list[Any], str]:
    from ssbx.problems.embedded_charge import EmbeddedChargeProblem

    problem = EmbeddedChargeProblem(geometry, NMC811_ELASTIC, LI6PS5CL,
                                    diffusivity=diffusivity,
                                    volume_change=curve or VOLUME_CHANGE, c_rate=c_rate,
                                    **kwargs)
    problem.set_pressure(pressure)
    states, stopped_by = problem.charge(steps)
    return problem, states, stopped_by


def galvanostatic_error(comm: MPI.Comm, steps: int) -> float:
    """A bonded particle in a shell (b = 3R) to D t / R^2 = 0.2: the interface's mean content
    against the series solution, relative to q R / D."""
    from ssbx.problems.embedded_charge import EmbeddedChargeProblem
    from ssbx.problems.embedded_particle import EmbeddedGeometry

    diffusivity = 1e-14
    geometry = EmbeddedGeometry.shell(comm, RADIUS, 3 * RADIUS, RADIUS / 4)
    problem = EmbeddedChargeProblem(geometry, NMC811_ELASTIC, LI6PS5CL, diffusivity=diffusivity,
                                    volume_change=VOLUME_CHANGE, c_rate=1.0, interface="bonded")
    states, _ = problem.charge(steps, duration=0.2 * RADIUS**2 / diffusivity)
    scale = problem.outflux * RADIUS / diffusivity
    c, _ = galvanostatic_concentration(np.array([1.0]), 0.2)
    return float(abs(states[-1].surface_mean - (1.0 - scale * c[0])) / scale)


def uniform_limit(comm: MPI.Comm, geometry: Any) -> float:
    """D = 1e-10 m^2/s at 10 MPa: the largest difference of the contact fraction from the
    static uniform path before isolation."""
    from ssbx.problems.embedded_particle import EmbeddedParticleProblem

    _, states, _ = _charge(geometry, 10e6, 0.1, 1e-10, steps=100)
    static = EmbeddedParticleProblem(geometry, NMC811_ELASTIC, LI6PS5CL)
    static.set_pressure(10e6)
    reference = static.run([window_volume_change(1.0 - s.charge, VOLUME_CHANGE)
                            for s in states[:-1]])
    return float(max(abs(s.contact_fraction - r.contact_fraction)
                     for s, r in zip(states, reference, strict=False)))


def particle_sizes(comm: MPI.Comm, fine: float) -> list[dict[str, Any]]:
    """The share charged and returned at 10 and 30 MPa (C/10) for particle radii 2.5, 5 and
    10 um (the diffusion time R^2/D against the charge's 10 h; the uniform limit does not
    depend on size)."""
    from ssbx.problems.embedded_charge import charge_reached, discharge_returned

    rows = []
    for radius in (2.5e-6, 5e-6, 10e-6):
        geometry = _cell(comm, fine, radius=radius)
        for p in (10e6, 30e6):
            problem, states, stopped_by = _charge(geometry, p, 0.1, DIFFUSIVITY)
            back, back_stopped_by = problem.discharge(STEPS)
            rows.append({"radius_um": radius * 1e6, "pressure_MPa": p / 1e6,
                         "diffusion_time_s": radius**2 / DIFFUSIVITY,
                         "charge_reached": charge_reached(states, stopped_by),
                         "stopped_by": stopped_by,
                         "discharge_returned": discharge_returned(states, back,
                                                                  back_stopped_by)})
    return rows


def array_comparison(comm: MPI.Comm) -> list[dict[str, Any]]:
    """The share charged at 10 and 30 MPa (C/10) in the 3-D unit cell of a simple-cubic array
    (the octant of a cube, P1, interface 0.06 R) and in the axisymmetric cylinder of the same
    particle volume fraction 0.3 (P2, interface R/32): DOFs and wall time of each charge."""
    import time

    from ssbx.case.records import EmbeddedSpec
    from ssbx.problems.embedded_charge import charge_reached
    from ssbx.problems.embedded_particle import EmbeddedGeometry

    rows = []
    for dim in (2, 3):
        width = EmbeddedSpec(radius=RADIUS, dimension=dim, volume_fraction=0.3).outer_size
        geometry = (EmbeddedGeometry.box(comm, RADIUS, width, width, 0.25 * RADIUS,
                                         interface_size=0.06 * RADIUS) if dim == 3 else
                    EmbeddedGeometry.cell(comm, RADIUS, width, width, RADIUS / 6,
                                          interface_size=RADIUS / 32))
        for p in (10e6, 30e6):
            t0 = time.perf_counter()
            problem, states, stopped_by = _charge(geometry, p, 0.1, DIFFUSIVITY)
            rows.append({"dimension": dim, "pressure_MPa": p / 1e6,
                         "charge_reached": charge_reached(states, stopped_by),
                         "stopped_by": stopped_by, "dofs": problem.dofs, "steps": len(states),
                         "wall_time_s": comm.allreduce(time.perf_counter() - t0, op=MPI.MAX)})
    return rows


@register
class ContactLimitedCharge(DirectBenchmark):
    """Benchmark ``contact_limited_charge`` (see the module docstring)."""

    name = "contact_limited_charge"
    title = ("A charge cut short by contact loss: NMC811 in Li6PS5Cl charged by diffusion "
             "through its contacting surface, against stack pressure and C-rate")
    source = ("R. Koerver et al., Chem. Mater. 29, 5574 (2017), doi:10.1021/acs.chemmater."
              "7b00931 (the observation, not fitted); the galvanostatic sphere's series solution "
              "for the verification")
    reference = "contact_limited_charge.json (the checks, the diffusivity's provenance)"
    metric = ("the share of the particle's window charged before it is isolated or its "
              "contacting surface runs empty; verification: Li balance, closed form, uniform "
              "limit, interface refinement")
    tolerance = ("Li balance 1e-9; closed form 1e-3 of q R / D; uniform limit 0.03 in contact "
                 "fraction; refinement: two time steps (0.011 of the window)")
    x_label = "stack pressure [MPa]"

    def compute(self, comm: MPI.Comm, console: Any, quick: bool, out_dir: Path) -> Outcome:
        """The checks, then the sweep (quick: coarser interface, 10 and 100 MPa, C/10 only)."""
        ref = load_reference()["checks"]
        fine = 1.0 / 16.0 if quick else 1.0 / 32.0
        geometry = _cell(comm, fine)
        closed = galvanostatic_error(comm, 160)
        say(comm, console, f"  bonded shell against the series solution: {closed:.2e} of qR/D")
        uniform = uniform_limit(comm, _cell(comm, 1.0 / 16.0, 1.0 / 3.0) if quick else geometry)
        say(comm, console, f"  D = 1e-10 against the static uniform path: contact fractions "
                           f"within {uniform:.3f}")
        rows: list[dict[str, Any]] = []
        balance = 0.0
        runs = [(p, 0.1, DIFFUSIVITY, "linear") for p in ((10e6, 100e6) if quick else PRESSURES)]
        if not quick:
            runs += ([(p, 1.0, DIFFUSIVITY, "linear") for p in PRESSURES]
                     + [(p, 0.1, 1e-12, "linear") for p in PRESSURES]
                     + [(p, 0.1, DIFFUSIVITY, "late collapse") for p in PRESSURES])
        reached: dict[tuple[float, float, float, str], float] = {}
        from ssbx.problems.embedded_charge import charge_reached, discharge_returned

        for p, rate, diffusivity, shape in runs:
            problem, states, stopped_by = _charge(
                geometry, p, rate, diffusivity,
                curve=LATE_COLLAPSE if shape == "late collapse" else None)
            share = charge_reached(states, stopped_by)
            reached[(p, rate, diffusivity, shape)] = share
            charged = states[-1].charge if states else 0.0
            back, back_stopped_by = problem.discharge(STEPS)
            returned = discharge_returned(states, back, back_stopped_by)
            if (p, rate, diffusivity, shape) == (10e6, 0.1, DIFFUSIVITY, "linear"):
                balance = max(abs(s.charge / (rate * s.time / 3600.0) - 1.0) for s in states)
            rows.append({"pressure_MPa": p / 1e6, "c_rate": rate, "diffusivity_m2_s": diffusivity,
                         "volume_change_shape": shape,
                         "charge_reached": share, "stopped_by": stopped_by,
                         "steps": len(states), "discharge_returned": returned,
                         "first_cycle_efficiency": returned / charged if charged else 0.0,
                         "discharge_stopped_by": back_stopped_by,
                         "least_contact_fraction_before_stop": min(
                             [s.contact_fraction for s in states if s.contact_fraction > 0.0],
                             default=0.0),
                         "largest_flux_amplification": max(s.flux_amplification
                                                           for s in states),
                         "uniform_dilute_contact_loss_charge":
                             contact_loss_volume_strain(p, LI6PS5CL) / abs(VOLUME_CHANGE),
                         "dofs": problem.dofs})
            say(comm, console, f"  {p / 1e6:5g} MPa, C/{1 / rate:g}, D = {diffusivity:.0e}, "
                               f"{shape}: "
                               f"{100 * share:.3g} % of the window charged ({stopped_by}, "
                               f"{len(states)} steps, flux up to "
                               f"x{rows[-1]['largest_flux_amplification']:.3g}); returned "
                               f"{100 * returned:.3g} % ({back_stopped_by})")
        _, coarse_states, coarse_stop = _charge(
            _cell(comm, 2 * fine, 1.0 / 3.0 if quick else 1.0 / 6.0), 10e6, 0.1, DIFFUSIVITY)
        base = reached[(10e6, 0.1, DIFFUSIVITY, "linear")]
        refinement = abs(charge_reached(coarse_states, coarse_stop) - base)
        say(comm, console, f"  10 MPa, C/10: isolated at {100 * base:.3g} "
                           f"% (interface R/{1 / fine:g}) and "
                           f"{100 * charge_reached(coarse_states, coarse_stop):.3g} % "
                           f"(R/{0.5 / fine:g})")
        sizes = [] if quick else particle_sizes(comm, fine)
        for r in sizes:
            say(comm, console, f"  R = {r['radius_um']:g} um (R^2/D = "
                               f"{r['diffusion_time_s']:.3g} s), {r['pressure_MPa']:g} MPa: "
                               f"{100 * r['charge_reached']:.3g} % charged ({r['stopped_by']}),"
                               f" {100 * r['discharge_returned']:.3g} % returned")
        array = [] if quick else array_comparison(comm)
        for r in array:
            say(comm, console, f"  phi = 0.3, {r['pressure_MPa']:g} MPa, "
                               f"{'3-D cubic array' if r['dimension'] == 3 else 'cylinder'} "
                               f"({r['dofs']} DOFs, {r['steps']} steps, "
                               f"{r['wall_time_s']:.3g} s): {100 * r['charge_reached']:.3g} %")
        checks = [
            Check("li_balance", ref["li_balance"]["reading"], balance,
                  ref["li_balance"]["tolerance"], "max"),
            Check("galvanostatic_sphere", ref["galvanostatic_sphere"]["reading"], closed,
                  ref["galvanostatic_sphere"]["tolerance"], "max"),
            Check("uniform_limit", ref["uniform_limit"]["reading"], uniform,
                  ref["uniform_limit"]["tolerance"], "max"),
            Check("mesh_independence", ref["mesh_independence"]["reading"], refinement,
                  ref["mesh_independence"]["tolerance"], "max"),
        ]
        findings = {"charge_reached": {
            f"{p / 1e6:g} MPa, C/{1 / r:g}, D {d:.0e}" + ("" if shape == "linear" else
                                                          f", {shape}"): v
            for (p, r, d, shape), v in reached.items()},
                    "first_cycle_efficiency": {
                        f"{r['pressure_MPa']:g} MPa, C/{1 / r['c_rate']:g}, "
                        f"D {r['diffusivity_m2_s']:.0e}"
                        + ("" if r["volume_change_shape"] == "linear"
                           else f", {r['volume_change_shape']}"): r["first_cycle_efficiency"]
                        for r in rows},
                    "interface_size_over_R": fine,
                    "cylinder_against_the_cubic_array": array,
                    "particle_sizes": sizes}
        return Outcome(rows=rows, checks=checks, columns=list(rows[0]), findings=findings,
                       plot_data={"rows": rows})

    def plot(self, outcome: Outcome, path: Path, quick: bool) -> None:
        """The share of the window charged against the stack pressure, per rate and D."""
        plt = pyplot()
        fig, (ax, eff) = plt.subplots(1, 2, figsize=(13.0, 4.8))
        rows = outcome.plot_data["rows"]
        keys = sorted({(r["c_rate"], r["diffusivity_m2_s"], r["volume_change_shape"])
                       for r in rows})
        for k, key in enumerate(keys):
            sel = [r for r in rows
                   if (r["c_rate"], r["diffusivity_m2_s"], r["volume_change_shape"]) == key]
            shape = ("" if key[2] == "linear" else
                     ", late collapse (illustrative: -1 % to 70 %, then to -7.8 %)")
            ax.plot([r["pressure_MPa"] for r in sel], [100 * r["charge_reached"] for r in sel],
                    "o-", color=f"C{k}",
                    label=f"C/{1 / key[0]:g}, D = {key[1]:.0e} m²/s{shape}")
            eff.plot([r["pressure_MPa"] for r in sel],
                     [100 * r["first_cycle_efficiency"] for r in sel], "o-", color=f"C{k}")
        p = np.geomspace(min(r["pressure_MPa"] for r in rows),
                         max(r["pressure_MPa"] for r in rows), 50)
        ax.plot(p, [100 * contact_loss_volume_strain(x * 1e6, LI6PS5CL) / abs(VOLUME_CHANGE)
                    for x in p], "k:", label="dilute particle, hydrostatic, uniform: contact "
                                             "lost")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("stack pressure [MPa]")
        ax.set_ylabel("window charged before the charge stops [%]")
        ax.set_title("NMC811 (-7.8 % over its window) in elastic Li6PS5Cl, volume fraction 0.5",
                     fontsize=9)
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=7)
        eff.set_xscale("log")
        eff.set_xlabel("stack pressure [MPa]")
        eff.set_ylabel("returned on discharge / charged [%]")
        eff.set_title("First cycle: an isolated particle keeps its charge (0 %)", fontsize=9)
        eff.grid(alpha=0.3, which="both")
        fig.tight_layout()
        save_figure(fig, path)
        plt.close(fig)


__all__ = ["ContactLimitedCharge"]
