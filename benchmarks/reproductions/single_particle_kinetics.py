"""Single-particle kinetics of NMC333 (Tsai et al., Energy Environ. Sci. 11, 860, 2018): the
PITT analysis the paper fits, and its rate limits against particle size.

1. PITT: ssbx's finite-element particle (:mod:`ssbx.problems.particle`, a sphere of the
   paper's 26.5 um diameter, D = 1e-10 cm^2/s, linearised Butler–Volmer) against the exact
   series of a sphere with finite kinetics, in the three regimes the paper names (B = 0.1,
   1, 10), and the paper's short-time eq. 5 (Li et al. 2012) where it holds (tau <= 0.05)
   and where it fails (tau > 0.3).
2. Rates: the paper states for 10 um-diameter NMC333 particles and a 100 mV overpotential
   "C_D is about 2C" and "C_j is 0.5C to 2C". Its eqs. 6 and 8 turn them into the D and j0
   they imply, which are compared with the values the text gives: D "of order 1e-10
   cm^2/s", j0 of NMC333 from ~0.3 mA/cm^2 down by "about a factor of 10^2". The per-OCV
   values behind the statements are in the ESI tables, which ssbx does not have.
"""

from __future__ import annotations

import json
import math
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
from ssbx.physics import intercalation as ic
from ssbx.physics.constants import GAS_CONSTANT
from ssbx.physics.intercalation_materials import LIMN2O4, IntercalationMaterial
from ssbx.physics.particle import SurfaceKinetics, linear_ocv
from ssbx.units import from_mA_per_cm2, to_mA_per_cm2

REFERENCE_FILE = DATA_DIR / "tsai2018_single_particle.json"
#: The PITT particle: 26.5 um diameter (the paper's Fig. 5a particle).
PITT_RADIUS = 13.25e-6
BIOTS = (0.1, 1.0, 10.0)
#: An OCV slope [V m^3/mol] for the linearised kinetics (the normalised current does not
#: depend on it; the text gives no OCV curve).
OCV_SLOPE = -1e-5


def volumetric_capacity(mah_per_cm3: float) -> float:
    """A volumetric capacity in mAh/cm^3 as C/m^3 (pint)."""
    from ssbx.units import unit_registry

    return float(unit_registry().Quantity(mah_per_cm3, "mA*h/cm^3").to("C/m^3").magnitude)


def load_reference() -> dict[str, Any]:
    """Quotes, values read from the text and the readings of the checks."""
    return json.loads(REFERENCE_FILE.read_text(encoding="utf-8"))


def pitt_transient(comm: MPI.Comm, biot: float, diffusivity: float, temperature: float, *,
                   quick: bool) -> tuple[np.ndarray, np.ndarray]:
    """(tau, normalised current) of the finite-element PITT step of a sphere with the Biot
    number ``biot`` (P2, meridian h = R/8 graded to R/200; quick: R/100 and fewer steps)."""
    from ssbx.problems.particle import ParticleGeometry, ParticleProblem, graded_times

    r = PITT_RADIUS
    material = IntercalationMaterial("NMC333 (PITT reading)", diffusivity, 4.9e4, 0.0,
                                     LIMN2O4.elastic)
    c0, dc = 0.5 * material.max_concentration, 0.01 * material.max_concentration
    j0 = biot * diffusivity * GAS_CONSTANT * temperature / (r * -OCV_SLOPE)
    kinetics = SurfaceKinetics(j0, linear_ocv(4.0, c0, OCV_SLOPE), linearised=True)
    geometry = ParticleGeometry.sphere_meridian(comm, r, r / 8,
                                                surface_size=r / (100 if quick else 200))
    problem = ParticleProblem(geometry, material, kinetics, initial_concentration=c0,
                              temperature=temperature, mechanics=False, degree=2,
                              options_prefix=f"ssbx_bench_pitt_{biot:g}_")
    problem.hold_potential(4.0 + OCV_SLOPE * dc)
    tau_s = r * r / diffusivity
    taus = graded_times(0.5, 1e-6, ratio=1.15 if quick else 1.1,
                        max_step=0.006 if quick else 0.003)
    states = problem.run(taus * tau_s)
    problem.close()
    return taus, np.array([s.influx * r / (diffusivity * dc) for s in states])


def implied_rates(ref: dict[str, Any]) -> dict[str, float]:
    """The D and the j0 range the paper's C_D and C_j imply at its particle size and
    overpotential (eqs. 6 and 8, A / V = 3 / R)."""
    v = ref["values"]
    r = 0.5 * v["diameter_um"] * 1e-6
    c_p = volumetric_capacity(v["volumetric_capacity_mAh_per_cm3"])
    eta, temperature = v["overpotential_V"], v["temperature_K"]
    d_implied = v["c_d_per_h"] * r * r / 3600.0
    per_j0 = ic.interface_limited_c_rate(r, 1.0, eta, c_p, temperature)  # C-rate per A/m^2
    j0_low, j0_high = (c / per_j0 for c in v["c_j_per_h"])
    lowest_j0 = from_mA_per_cm2(v["j0_measured_mA_per_cm2"][0])
    return {"d_implied_cm2_per_s": d_implied * 1e4,
            "j0_implied_low_mA_per_cm2": to_mA_per_cm2(j0_low),
            "j0_implied_high_mA_per_cm2": to_mA_per_cm2(j0_high),
            "c_d_at_stated_d": ic.diffusion_limited_c_rate(r, v["diffusivity_cm2_per_s"] * 1e-4),
            "c_j_at_lowest_measured_j0": per_j0 * lowest_j0,
            "c_j_per_j0": per_j0}


@register
class SingleParticleKinetics(DirectBenchmark):
    """Benchmark ``single_particle_kinetics`` (see the module docstring)."""

    name = "single_particle_kinetics"
    title = "Single NMC333 particle: PITT with finite kinetics, and rate limits against size"
    source = ("P.-C. Tsai et al., Energy Environ. Sci. 11, 860 (2018), doi:10.1039/c8ee00001h "
              "(main text; the ESI tables are not available); J. Li et al., Electrochim. Acta "
              "75, 56 (2012) for eq. 5; J. Crank, The Mathematics of Diffusion (1975), "
              "eq. 6.40 for the exact series")
    reference = ("tsai2018_single_particle.json (quotes and the values read from the text); "
                 "the exact PITT series")
    metric = ("FE PITT current vs the exact series (B = 0.1, 1, 10); the D and j0 implied by the "
              "paper's C_D and C_j vs the D and j0 it reports")
    tolerance = ("PITT within 5e-3 from tau = 1e-4; eq. 5 within 1e-9 at tau <= 0.05; implied D "
                 "within half a decade of 1e-10 cm^2/s; implied j0 inside the measured range")
    x_label = "tau = D t / R^2"

    def compute(self, comm: MPI.Comm, console: Any, quick: bool, out_dir: Path) -> Outcome:
        """The PITT transients and the rate statements."""
        ref = load_reference()
        v = ref["values"]
        d = v["diffusivity_cm2_per_s"] * 1e-4
        temperature = v["temperature_K"]
        rows: list[dict[str, Any]] = []
        transients = {}
        worst, worst_short = 0.0, 0.0
        for biot in (BIOTS[1:2] if quick else BIOTS):
            taus, fe = pitt_transient(comm, biot, d, temperature, quick=quick)
            exact = np.array([ic.pitt_current_series(t, biot) for t in taus])
            short = np.array([ic.pitt_current_short_time(t, biot) for t in taus])
            error = np.abs(fe / exact - 1.0)
            shown = taus >= 1e-4
            worst = max(worst, float(error[shown].max()))
            valid = taus <= 0.05
            worst_short = max(worst_short, float(np.max(np.abs(short[valid] / exact[valid] - 1))))
            late = float(abs(ic.pitt_current_short_time(0.3, biot)
                             / ic.pitt_current_series(0.3, biot) - 1.0))
            say(comm, console, f"  B = {biot:g}: FE vs series {error[shown].max():.2e} from tau "
                               f"= 1e-4; eq. 5 off by {late:.1%} at tau = 0.3")
            transients[biot] = (taus, fe, exact, short)
            for t, f, e, s in zip(taus, fe, exact, short, strict=True):
                rows.append({"biot": biot, "tau": float(t), "current_fe": float(f),
                             "current_series": float(e), "current_eq5": float(s)})
        rates = implied_rates(ref)
        say(comm, console,
            f"  C_D = 2C at 10 um implies D = {rates['d_implied_cm2_per_s']:.3g} cm^2/s (text: "
            f"of order 1e-10; at 1e-10: C_D = {rates['c_d_at_stated_d']:.3g}C); C_j = 0.5..2C "
            f"at 100 mV implies j0 = {rates['j0_implied_low_mA_per_cm2']:.3g}.."
            f"{rates['j0_implied_high_mA_per_cm2']:.3g} mA/cm^2 (measured 0.003..0.3; at 0.003: "
            f"C_j = {rates['c_j_at_lowest_measured_j0']:.3g}C)")
        j0_range = v["j0_measured_mA_per_cm2"]
        margin = min(math.log10(rates["j0_implied_low_mA_per_cm2"] / j0_range[0]),
                     math.log10(j0_range[1] / rates["j0_implied_high_mA_per_cm2"]))
        checks = [
            Check("pitt_fe_vs_series", ref["checks"]["pitt_fe_vs_series"]["reading"], worst,
                  ref["checks"]["pitt_fe_vs_series"]["max"], "max"),
            Check("short_time_form", ref["checks"]["short_time_form"]["reading"], worst_short,
                  ref["checks"]["short_time_form"]["max"], "max"),
            Check("diffusivity_order", ref["checks"]["diffusivity_order"]["reading"],
                  abs(math.log10(rates["d_implied_cm2_per_s"] / 1e-10)),
                  ref["checks"]["diffusivity_order"]["max_decades"], "max", unit="decades"),
            Check("exchange_current_inside_measured",
                  ref["checks"]["exchange_current_inside_measured"]["reading"], margin,
                  ref["checks"]["exchange_current_inside_measured"]["min_decades"], "min",
                  unit="decades"),
        ]
        findings = {
            **rates,
            "pitt_fe_max_relative_error": worst,
            "eq5_max_relative_error_tau_le_0_05": worst_short,
            "note_cj_low_end": (
                "at the lowest j0 the text gives for NMC333 (~0.003 mA/cm^2, first charge at low "
                f"OCV) eq. 6 gives C_j = {rates['c_j_at_lowest_measured_j0']:.2g}C, below the "
                "stated 0.5C: the stated range rests on the PITT/discharge j0 of the ESI"),
        }
        return Outcome(rows=rows, checks=checks,
                       columns=["biot", "tau", "current_fe", "current_series", "current_eq5"],
                       findings=findings,
                       plot_data={"transients": transients, "rates": rates, "values": v})

    def plot(self, outcome: Outcome, path: Path, quick: bool) -> None:
        """PITT transients (FE, series, eq. 5) and C_D, C_j against the particle diameter."""
        plt = pyplot()
        fig, (ax, ax2) = plt.subplots(1, 2, figsize=(12.0, 4.8))
        data = outcome.plot_data
        for k, (biot, (taus, fe, exact, short)) in enumerate(data["transients"].items()):
            ax.loglog(taus, exact, color=f"C{k}", lw=1.5, label=f"exact series, B = {biot:g}")
            ax.loglog(taus[::6], fe[::6], "o", color=f"C{k}", ms=3.5, mfc="none",
                      label=f"ssbx FE, B = {biot:g}")
            positive = short > 0
            ax.loglog(taus[positive], short[positive], "--", color=f"C{k}", lw=1.0,
                      label=f"eq. 5 (short time), B = {biot:g}")
        ax.axvline(0.05, color="0.5", lw=0.8, ls=":")
        ax.set_xlabel("tau = D t / R²")
        ax.set_ylabel("current / (3 D Q / R²)")
        ax.set_ylim(1e-3, 20)
        ax.set_title("PITT of a sphere with finite kinetics")
        ax.legend(fontsize=7, ncol=2)
        v, rates = data["values"], data["rates"]
        diameters = np.geomspace(1.0, 30.0, 100)
        radii = 0.5e-6 * diameters
        d = v["diffusivity_cm2_per_s"] * 1e-4
        c_d = [ic.diffusion_limited_c_rate(r, d) for r in radii]
        ax2.loglog(diameters, c_d, "k-", label="C_D, D = 1e-10 cm²/s")
        ax2.loglog(diameters, [ic.diffusion_limited_c_rate(r, rates["d_implied_cm2_per_s"]
                                                           * 1e-4) for r in radii],
                   "k:", label=f"C_D, D = {rates['d_implied_cm2_per_s']:.2g} cm²/s (implied)")
        c_p = volumetric_capacity(v["volumetric_capacity_mAh_per_cm3"])
        for k, j0 in enumerate((0.003, 0.03, 0.3)):
            c_j = [ic.interface_limited_c_rate(r, from_mA_per_cm2(j0), v["overpotential_V"], c_p,
                                               v["temperature_K"]) for r in radii]
            ax2.loglog(diameters, c_j, color=f"C{k}", label=f"C_j, j0 = {j0:g} mA/cm², 100 mV")
        ax2.plot([10.0], [2.0], "ks", ms=7, label="paper: C_D ≈ 2C at 10 µm")
        ax2.plot([10.0, 10.0], [0.5, 2.0], "r-", lw=4, alpha=0.6,
                 label="paper: C_j = 0.5..2C at 10 µm")
        ax2.set_xlabel("particle diameter [µm]")
        ax2.set_ylabel("maximum C-rate [1/h]")
        ax2.set_title("Rate limits of NMC333 (Tsai et al. 2018, eqs. 6, 8)")
        ax2.legend(fontsize=7)
        for a in (ax, ax2):
            a.grid(alpha=0.3, which="both")
        fig.tight_layout()
        save_figure(fig, path)
        plt.close(fig)


__all__ = ["SingleParticleKinetics", "implied_rates", "pitt_transient"]

