"""Electrochemical shock: the critical C-rate of a charging particle against its size, from the
stress intensity of a surface crack in the diffusion-induced stress (Woodford, Chiang & Carter,
J. Electrochem. Soc. 157, A1052, 2010).

Woodford et al. derived a fracture-mechanics criterion for particles under galvanostatic
charge: "Fracture mechanics predicts a critical C-rate above which active particles fracture;
this critical C-rate decreases with increasing particle size" (their abstract). The isotropic
mechanism of the issue's crack-site question, with its size law C_crit ∝ R^(-5/2), is this
one; :mod:`ssbx.physics.particle_fracture` derives the law and states the model (a radial
surface crack, K from the hoop stress by a weight function; the charge ends when Delta x is
extracted or the surface is empty).

The driving force F(Bi) = K_max / (sigma_ref sqrt(R)) is universal (any material, any size),
so the map is computed once in scaled variables: R / R_0 with R_0 = (K_Ic / sigma_ref)^2 and
C_crit R_0^2 / (3 * 3600 s * D). ssbx's particle solver (the axisymmetric meridian, P2,
graded to R/200 at the surface, the LiMn2O4 preset's D, E, nu, Omega, c_max setting the
scales) delithiates a particle from x = 1 at each Biot number; its hoop stress along the
equator gives K(a) for every depth a <= R/2 at ~25 times of the charge.

Asserted (fixed before computing):
- the FE F(Bi) against the Cheng-Verbrugge series at every Biot number, 1e-2;
- the FE F / Bi at the smallest Biot number against the closed-form steady state, 1e-2;
- the exponent d ln C_crit / d ln R between the two smallest Biot numbers (the large-particle
  end of the map): -5/2 within 0.05.
Reported: F_max and the Biot number where it is, the critical size R_min / R_0 = 1 / F_max^2
below which no C-rate cracks a particle, the exponent where the charge ends by depletion.
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
from ssbx.physics import particle_fracture as pf
from ssbx.physics.constants import FARADAY
from ssbx.physics.intercalation_materials import LIMN2O4
from ssbx.physics.particle import SurfaceKinetics, linear_ocv

REFERENCE_FILE = DATA_DIR / "woodford2010_electrochemical_shock.json"
RADIUS = 5e-6
X_START, CHANGE = 1.0, 1.0  # delithiation from x = 1; the whole capacity if the surface allows
FULL_BIOTS = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0)
QUICK_BIOTS = (0.01, 0.03, 1.0)
SERIES_BIOTS_FULL = np.geomspace(0.003, 100.0, 36)
SERIES_BIOTS_QUICK = np.array([0.003, 0.03, 0.3, 1.0, 3.0, 10.0])
FE_TOL, STEADY_TOL, EXPONENT_TOL = 1e-2, 1e-2, 0.05


def load_reference() -> dict[str, Any]:
    """The statements quoted and the expectations derived from them."""
    return json.loads(REFERENCE_FILE.read_text(encoding="utf-8"))


def charge_schedule(end: float, tau_r: float, steps: int) -> np.ndarray:
    """Times (0, end] [s]: ``steps`` steps (after a start graded by 1.2 from 1e-3 of it)
    over the transient, the first min(end, R^2/D), then steps growing by 1.2 to 1/``steps``
    of the rest (the steady state, which BDF2 integrates exactly)."""
    from ssbx.problems.particle import graded_times

    head_end = min(end, tau_r)
    head = graded_times(head_end, 1e-3 * head_end, ratio=1.2, max_step=head_end / steps)
    if end <= head_end * (1.0 + 1e-12):
        return head
    last = head[-1] - head[-2] if head.size > 1 else head[0]
    tail = graded_times(end - head_end, last, ratio=1.2,
                        max_step=max(last, (end - head_end) / steps))
    return np.concatenate([head, head_end + tail])


def fe_driving_force(comm: MPI.Comm, geometry: Any, biot: float, *, steps: int,
                     evaluations: int = 25) -> dict[str, float]:
    """F(Bi) from ssbx's particle solver (collective): delithiation at Biot number ``biot``
    to the end of the charge, K(a) from the FE hoop stress on the equator every few steps."""
    from ssbx.problems.particle import ParticleProblem, radial_points

    material, c_max = LIMN2O4, LIMN2O4.max_concentration
    kinetics = SurfaceKinetics(1.0, linear_ocv(4.0, X_START * c_max, -1e-5))
    problem = ParticleProblem(geometry, material, kinetics,
                              initial_concentration=X_START * c_max, degree=2, mechanics=True,
                              options_prefix=f"ssbx_shock_{biot:g}_")
    diffusivity = material.diffusivity
    outflux = biot * diffusivity * c_max / RADIUS
    problem.apply_current_density(-FARADAY * outflux)
    tau_r = RADIUS ** 2 / diffusivity
    tau_end = pf.charge_end_time(biot, CHANGE, X_START)
    end = tau_end * tau_r
    times = charge_schedule(end, tau_r, steps)
    every = max(1, len(times) // evaluations)
    x = np.linspace(0.49, 1.0, 256)
    points = radial_points((0.0, 0.0, 0.0), (1.0, 0.0, 0.0), RADIUS, x)
    sigma_ref = material.stress_factor * c_max
    best = (-math.inf, 0.0, 0.0)
    for k, t in enumerate(times):
        problem.step(t - problem.time)
        if k % every == 0 or k == len(times) - 1:
            hoop = problem.stress_at(points)[:, 2] / sigma_ref  # axisymmetric: theta slot
            value, depth = pf.largest_normalised_sif(
                lambda r, hoop=hoop: np.interp(r, x, hoop))
            if value > best[0]:
                best = (value, depth, t / tau_r)
    state = problem.state()
    problem.close()
    return {"F": best[0], "depth": best[1], "tau": best[2], "tau_end": tau_end,
            "steps": len(times),
            "surface_lithiation_end": state.surface_concentration / c_max,
            "mean_lithiation_end": state.mean_concentration / c_max}


def series_curve(biots: np.ndarray) -> list[dict[str, float]]:
    """F(Bi) from the series at each Biot number."""
    return [{"biot": float(b), **pf.shock_driving_force(float(b), CHANGE, X_START)}
            for b in biots]


def shock_map(biots: np.ndarray, forces: np.ndarray, sizes: np.ndarray
              ) -> tuple[np.ndarray, np.ndarray]:
    """Scaled critical C-rates C_crit R_0^2 / (3 * 3600 s * D) = Bi_crit (R_0 / R)^2 at the
    scaled sizes R / R_0: the lowest rate that cracks a particle, and the highest (faster
    charges end by emptying the surface first; NaN beyond the sampled Biot numbers); both NaN
    below the critical size."""
    lower = np.array([pf.critical_biot(biots, forces, s) / s ** 2 for s in sizes])
    upper = np.array([pf.critical_biot_upper(biots, forces, s) / s ** 2 for s in sizes])
    return lower, upper


@register
class ElectrochemicalShock(DirectBenchmark):
    """Benchmark ``electrochemical_shock`` (see the module docstring)."""

    name = "electrochemical_shock"
    title = ("Electrochemical shock: critical C-rate against particle size from the stress "
             "intensity of a surface crack in the diffusion-induced stress")
    source = ("W. H. Woodford, Y.-M. Chiang, W. C. Carter, J. Electrochem. Soc. 157, A1052 "
              "(2010), doi:10.1149/1.3464773; stresses of Y.-T. Cheng, M. W. Verbrugge, J. "
              "Power Sources 190, 453 (2009)")
    reference = ("woodford2010_electrochemical_shock.json (the statement quoted and the "
                 "scalings derived); the Cheng-Verbrugge series and steady state")
    metric = ("FE driving force F(Bi) = K_max / (sigma_ref sqrt(R)) against the series; the "
              "size exponent of the critical C-rate for large particles")
    tolerance = (f"FE vs series {FE_TOL:g} (relative, every Bi); steady state {STEADY_TOL:g}; "
                 f"exponent -5/2 within {EXPONENT_TOL:g}")

    def compute(self, comm: MPI.Comm, console: Any, quick: bool, out_dir: Path) -> Outcome:
        """FE runs at each Biot number, the series curve, the map."""
        from ssbx.problems.particle import ParticleGeometry

        ref = load_reference()
        geometry = ParticleGeometry.sphere_meridian(
            comm, RADIUS, RADIUS / (6 if quick else 8),
            surface_size=RADIUS / (100 if quick else 200))
        k_ss = pf.steady_driving_force()
        rows = []
        for biot in QUICK_BIOTS if quick else FULL_BIOTS:
            fe = fe_driving_force(comm, geometry, biot, steps=20 if quick else 40)
            series = pf.shock_driving_force(biot, CHANGE, X_START)
            row = {"biot": biot, "F_fe": fe["F"], "F_series": series["F"],
                   "relative_difference": fe["F"] / series["F"] - 1.0,
                   "depth_fe": fe["depth"], "depth_series": series["depth"],
                   "tau_at_max": fe["tau"], "tau_end": fe["tau_end"],
                   "surface_lithiation_end": fe["surface_lithiation_end"],
                   "mean_lithiation_end": fe["mean_lithiation_end"], "steps": fe["steps"]}
            say(comm, console, f"  Bi = {biot:g}: F = {fe['F']:.5g} (series {series['F']:.5g}, "
                               f"{row['relative_difference']:+.2e}) at a/R = {fe['depth']:.3f}, "
                               f"tau = {fe['tau']:.3g} (end {fe['tau_end']:.3g}; x surface "
                               f"{fe['surface_lithiation_end']:.3f}, mean "
                               f"{fe['mean_lithiation_end']:.3f})")
            rows.append(row)
        curve = series_curve(SERIES_BIOTS_QUICK if quick else SERIES_BIOTS_FULL)
        b_s = np.array([c["biot"] for c in curve])
        f_s = np.array([c["F"] for c in curve])
        peak = int(np.argmax(f_s))
        f_max = float(f_s[peak])
        b_fe = np.array([r["biot"] for r in rows])
        f_fe = np.array([r["F_fe"] for r in rows])
        exponents = pf.rate_size_exponent(b_fe, f_fe)
        sizes = np.geomspace(1.0 / f_max ** 2 * 1.0001, 1e3, 80)
        checks = [
            Check("fe_vs_series", "largest relative difference of the FE driving force F(Bi) "
                  "from the series' (every Biot number)",
                  float(max(abs(r["relative_difference"]) for r in rows)), FE_TOL, "max"),
            Check("steady_state", f"FE F / Bi at Bi = {b_fe[0]:g} against the closed-form "
                  f"steady state k_ss = {k_ss:.5g}", float(f_fe[0] / b_fe[0]), STEADY_TOL,
                  "rel", k_ss),
            Check("size_exponent", ref["checks"]["size_exponent"]["reading"],
                  float(exponents[0]), EXPONENT_TOL, "abs",
                  ref["checks"]["size_exponent"]["value"]),
        ]
        findings = {
            "k_ss": k_ss, "F_max": f_max, "biot_at_F_max": float(b_s[peak]),
            "critical_size_over_R0": 1.0 / f_max ** 2,
            "fe_exponents": {f"{b_fe[i]:g}-{b_fe[i + 1]:g}": float(e)
                             for i, e in enumerate(exponents)},
            "series_curve": curve,
            "statement": (
                f"Large particles (small Bi) crack above C_crit ∝ R^{exponents[0]:.3f}; the "
                f"driving force peaks at F_max = {f_max:.4g} near Bi = {b_s[peak]:.3g}, where "
                f"the charge starts to end by emptying the surface, so particles smaller than "
                f"R_min = {1.0 / f_max ** 2:.4g} R_0, R_0 = (K_Ic / sigma_ref)^2, crack at no "
                "C-rate."),
        }
        lower, upper = shock_map(b_s, f_s, sizes)
        return Outcome(rows=rows, checks=checks, columns=list(rows[0]), findings=findings,
                       plot_data={"curve": curve, "sizes": sizes, "lower": lower,
                                  "upper": upper, "k_ss": k_ss, "f_max": f_max})

    def plot(self, outcome: Outcome, path: Path, quick: bool) -> None:
        """F(Bi) (FE and series) and the scaled shock map."""
        plt = pyplot()
        data = outcome.plot_data
        fig, (ax, ax2) = plt.subplots(1, 2, figsize=(12.0, 4.8))
        b_s = np.array([c["biot"] for c in data["curve"]])
        ax.loglog(b_s, [c["F"] for c in data["curve"]], "-", label="Cheng-Verbrugge series")
        ax.loglog([r["biot"] for r in outcome.rows], [r["F_fe"] for r in outcome.rows], "o",
                  label="ssbx FE (meridian, P2)")
        ax.loglog(b_s, data["k_ss"] * b_s, ":", color="0.4", label="steady state, k_ss Bi")
        ax.set_xlabel("Biot number of the current, Bi = J R / (D c_max)")
        ax.set_ylabel("F = K_max / (σ_ref √R)")
        ax.set_title("Driving force of a radial surface crack, delithiation from x = 1")
        sizes, rates = data["sizes"], data["lower"]
        ax2.loglog(sizes, rates, "-", label="lowest C-rate that cracks")
        ax2.loglog(sizes, data["upper"], "--", color="C0",
                   label="highest (faster charges empty the surface first)")
        anchor = len(sizes) - 1
        ax2.loglog(sizes, rates[anchor] * (sizes / sizes[anchor]) ** -2.5, ":", color="0.4",
                   label="∝ R^(-5/2)")
        ax2.axvline(1.0 / data["f_max"] ** 2, color="C3", ls="--",
                    label="R_min: no fracture at any rate below")
        ax2.set_xlabel("particle radius R / R_0,  R_0 = (K_Ic / σ_ref)²")
        ax2.set_ylabel("C_crit R_0² / (3 · 3600 s · D)")
        ax2.set_title("Electrochemical shock map (scaled)")
        for a in (ax, ax2):
            a.grid(True, which="both", alpha=0.3)
            a.legend(fontsize=8)
        fig.tight_layout()
        save_figure(fig, path)
        plt.close(fig)


__all__ = ["ElectrochemicalShock", "fe_driving_force", "series_curve", "shock_map"]
