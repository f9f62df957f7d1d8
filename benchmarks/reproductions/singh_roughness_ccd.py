"""Short-circuit CCD of Li | Li6PS5Cl against the electrolyte's surface roughness (Singh et al.
2022): one flaw-size factor calibrated on the fine-grained pellet, the coarse one predicted.

Singh et al. measured short circuits at 0.9 mA/cm^2 (small-grain pellet, Rq = 1.1 µm,
1.56 mS/cm) and 0.4 mA/cm^2 (large-grain, Rq = 6.5 µm, 1.95 mS/cm), without stack pressure.
ssbx's model: the short circuit starts when a Li-filled surface flaw extends
(:mod:`ssbx.problems.crack_current`, sealed: extrusion is negligible at these sizes, see
``crack_plating_current``), and the deepest flaw scales with the roughness, ``c = k Rq``.

- **Assumed** (stated, not fitted): the flaw is an edge crack normal to the interface; the
  interface of the CCS benchmarks (Butler–Volmer, alpha = 1/2, 2 ohm cm^2); no stack pressure;
  K_Ic = 0.23 MPa m^0.5 and E = 22 GPa (ssbx's Li6PS5Cl preset: the toughness is the glass's,
  *assumed*); a square electrolyte 20 c on a side (the flaw sees no finite-size effect).
- **Calibrated on one datum**: ``k`` such that the small-grain pellet (Rq 1.1 µm) shorts at
  0.9 mA/cm^2.
- **Predicted**: the large-grain pellet's CCD (Rq 6.5 µm) against 0.4 mA/cm^2 — in this model
  essentially the ``c^(-1/2)`` law of the Li-filled flaw with the kinetics between.
- **Checked for plausibility**: the calibrated flaw depth ``k Rq``, reported against the
  roughness (a flaw much deeper than the surface relief means the magnitude comes from
  elsewhere, e.g. current focusing at contacts, not from the flaw alone).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from mpi4py import MPI

from ssbx.benchmarks.framework import (
    Check,
    DirectBenchmark,
    Outcome,
    pyplot,
    register,
    save_figure,
    say,
)
from ssbx.benchmarks.reproductions.crack_plating_current import sealed_critical_current
from ssbx.meshes.crack_geometry import CrackSpec
from ssbx.physics.constants import FARADAY
from ssbx.physics.electrolytes import electrolyte_preset
from ssbx.physics.kinetics import ButlerVolmer
from ssbx.units import from_mA_per_cm2, from_mS_per_cm, from_ohm_cm2, to_mA_per_cm2, to_mS_per_cm

#: Singh et al., Cell Rep. Phys. Sci. 3, 101043 (2022): (label, Rq [m], conductivity [S/m],
#: measured short-circuit CCD [mA/cm^2]). Quotes: "root-mean-square surface roughness Rq values
#: were determined to be 1.1 µm (SG-LPSCl) and 6.5 µm (LG-LPSCl)"; "both LG-LPSCl and SG-LPSCl
#: cells indicate failure via short-circuiting at current densities of 0.4 and 0.9 mA cm-2,
#: respectively"; sigma_ion SG 1.56, LG 1.95 mS/cm; "no stack pressure was applied".
SINGH_2022 = (("small grain", 1.1e-6, from_mS_per_cm(1.56), 0.9),
              ("large grain", 6.5e-6, from_mS_per_cm(1.95), 0.4))
TEMPERATURE = 298.15
ASR = from_ohm_cm2(2.0)
CELL_FACTOR = 20.0


def kinetics() -> ButlerVolmer:
    """Butler–Volmer, alpha = 1/2, i0 from 2 ohm cm^2."""
    return ButlerVolmer(8.314462618 * TEMPERATURE / (FARADAY * ASR), 0.5, 0.5, TEMPERATURE)


def flaw_ccp(comm: MPI.Comm, depth: float, conductivity: float) -> tuple[float, float]:
    """(critical plating current [A/m^2], crack-extension pressure [Pa]) of a sealed Li-filled
    edge flaw of ``depth`` [m] in Li6PS5Cl without stack pressure."""
    spec = CrackSpec("edge", depth, CELL_FACTOR * depth, CELL_FACTOR * depth)
    return sealed_critical_current(comm, spec, electrolyte_preset("Li6PS5Cl"), conductivity,
                                   0.0, kinetics())


def calibrate_depth(comm: MPI.Comm, conductivity: float, target: float,
                    lo: float = 0.1e-6, hi: float = 1e-3, rtol: float = 2e-3
                    ) -> tuple[float, list[tuple[float, float]]]:
    """The flaw depth [m] whose critical plating current is ``target`` [A/m^2] (bisection in
    log c: the critical current falls with depth), and the (depth, current) evaluated."""
    evaluated = []
    for _ in range(60):
        mid = math.sqrt(lo * hi)
        i_c, _ = flaw_ccp(comm, mid, conductivity)
        evaluated.append((mid, i_c))
        if i_c > target:
            lo = mid
        else:
            hi = mid
        if hi / lo < 1.0 + rtol:
            break
    return math.sqrt(lo * hi), evaluated


@register
class SinghRoughnessCcd(DirectBenchmark):
    """Benchmark ``singh_roughness_ccd`` (see the module docstring)."""

    name = "singh_roughness_ccd"
    title = ("Li | Li6PS5Cl short-circuit CCD vs surface roughness (Singh 2022): flaw depth "
             "calibrated on Rq 1.1 µm, Rq 6.5 µm predicted")
    source = (
        "D. K. Singh et al., Li6PS5Cl microstructure and influence on dendrite growth in "
        "solid-state batteries with lithium metal anode, Cell Rep. Phys. Sci. 3, 101043 (2022), "
        "doi:10.1016/j.xcrp.2022.101043: short circuit at 0.9 (Rq 1.1 µm) and 0.4 mA/cm² "
        "(Rq 6.5 µm), no stack pressure"
    )
    reference = "values in code (SINGH_2022) with their quotes"
    metric = ("CCD of the large-grain pellet predicted with the flaw-depth factor k = c/Rq "
              "calibrated on the small-grain pellet; the calibrated flaw depth")
    tolerance = ("prediction within a factor 1.5 of 0.4 mA/cm² (set before the run; the "
                 "c^(-1/2) closed form was known to give ~0.37); the calibrated depth is "
                 "reported, not checked")
    x_label = "flaw depth c [µm]"


    def compute(self, comm: MPI.Comm, console: Any, quick: bool, out_dir: Path) -> Outcome:
        """Calibrate k on the small-grain datum, predict the large-grain CCD."""
        (label_s, rq_s, kappa_s, ccd_s), (label_l, rq_l, kappa_l, ccd_l) = SINGH_2022
        rtol = 2e-2 if quick else 2e-3
        depth, evaluated = calibrate_depth(comm, kappa_s, from_mA_per_cm2(ccd_s), rtol=rtol)
        k = depth / rq_s
        say(comm, console, f"  calibrated: a {depth * 1e6:.3g} um flaw shorts the {label_s} "
                           f"pellet at {ccd_s} mA/cm² (k = c/Rq = {k:.3g})")
        i_pred, p_pred = flaw_ccp(comm, k * rq_l, kappa_l)
        predicted = to_mA_per_cm2(i_pred)
        factor = max(predicted / ccd_l, ccd_l / predicted)
        say(comm, console, f"  predicted: the {label_l} pellet (flaw {k * rq_l * 1e6:.3g} um) "
                           f"shorts at {predicted:.3g} mA/cm² (measured {ccd_l})")
        rows = [{"pellet": label, "Rq_um": rq * 1e6, "conductivity_mS_per_cm": to_mS_per_cm(kappa),
                 "flaw_um": k * rq * 1e6, "measured_mA_per_cm2": ccd,
                 "ssbx_mA_per_cm2": ccd_s if label == label_s else predicted,
                 "role": "calibration" if label == label_s else "prediction"}
                for label, rq, kappa, ccd in SINGH_2022]
        nearest = min(evaluated, key=lambda e: abs(math.log(e[0] / depth)))
        checks = [Check("calibration", f"|CCP of the calibrated flaw / {ccd_s} mA/cm² - 1| (the "
                        "nearest evaluated depth)",
                        abs(to_mA_per_cm2(nearest[1]) / ccd_s - 1.0), 0.05, "max"),
                  Check("large_grain_factor",
                        "max(pred/meas, meas/pred) of the large-grain pellet's CCD against "
                        f"{ccd_l} mA/cm²", factor, 1.5, "max")]
        findings = {"k_flaw_over_Rq": k, "calibrated_flaw_um": depth * 1e6,
                    "predicted_mA_per_cm2": predicted, "measured_mA_per_cm2": ccd_l,
                    "prediction_flaw_um": k * rq_l * 1e6,
                    "crack_extension_pressure_MPa": p_pred / 1e6,
                    "closed_form_sqrt_ratio_mA_per_cm2": ccd_s * math.sqrt(rq_s / rq_l),
                    "plausibility": ("the calibrated flaw is k = "
                                     f"{k:.3g} times the RMS roughness deep")}
        curve = [(c * 1e6, to_mA_per_cm2(i)) for c, i in sorted(evaluated)]
        return Outcome(rows=rows, checks=checks, findings=findings,
                       plot_data={"curve": curve, "k": k})

    def plot(self, outcome: Outcome, path: Path, quick: bool) -> None:
        """CCP against flaw depth (the calibration's evaluations), the two pellets."""
        plt = pyplot()
        fig, ax = plt.subplots(figsize=(7.0, 4.6))
        curve = outcome.plot_data["curve"]
        ax.plot([c for c, _ in curve], [i for _, i in curve], "o", mfc="none", color="C0",
                label="ssbx: sealed Li-filled flaw, Li6PS5Cl, 2 Ω cm², 0 MPa")
        for r, marker in zip(outcome.rows, ("s", "D"), strict=True):
            ax.plot([r["flaw_um"]], [r["measured_mA_per_cm2"]], marker, color="k",
                    label=f"Singh 2022, {r['pellet']} (Rq {r['Rq_um']:g} µm): measured")
            ax.plot([r["flaw_um"]], [r["ssbx_mA_per_cm2"]], marker, color="C3", mfc="none",
                    ms=10, label=f"ssbx {r['role']} (flaw {r['flaw_um']:.3g} µm)")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel(self.x_label + f" (= k Rq, k = {outcome.plot_data['k']:.3g})")
        ax.set_ylabel("short-circuit (critical plating) current [mA/cm²]")
        ax.set_title("Li | Li6PS5Cl: CCD vs roughness via the deepest Li-filled flaw")
        ax.legend(fontsize=7)
        fig.tight_layout()
        save_figure(fig, path)


__all__ = ["SINGH_2022", "SinghRoughnessCcd", "calibrate_depth", "flaw_ccp"]
