"""Li creep-law benchmarks: uniaxial flow stress and foil creep rates (material point, no mesh).

Two registered benchmarks drive the quadrature-point kernels of
:mod:`ssbx.physics.viscoplastic_kernels` through homogeneous uniaxial histories, exactly as the
finite-element code calls them at one quadrature point:

``li_flow_stress``
    Uniaxial-stress tension at a constant true strain rate (5e-4, 5e-3, 5e-2 1/s, room
    temperature) with the Anand model (:data:`~ssbx.physics.creep_laws.NARAYAN_ANAND_2018`) and
    the Masias power law (:data:`~ssbx.physics.creep_laws.MASIAS_2019`); the flow stress at 15 %
    strain against the reference of ``benchmarks/data/lepage2019_flow_stress.csv`` (a secondary,
    quoted power-law summary of LePage et al. 2019 and Masias et al. 2019: LePage's own curves
    could not be read, see the file header), and the flow stress against strain rate at 0-75 C.
``li_creep_rates``
    The Li foil creep rates quoted by Ham (PhD thesis, UC San Diego 2024, ch. 2) from Ding et
    al. 2021 (J. Power Sources 488, 229404: 0.06 um/h at 2.2 MPa, 0.42 um/h at
    3.5 MPa, 30 C): their apparent stress exponent against the exponents of the laws, and the
    thinning rate each law predicts for a foil under uniaxial stress ``sigma = p`` (a crude
    estimate, see :class:`LiCreepRates`).

The driver (:func:`uniaxial_strain_test`, :func:`uniaxial_creep_test`) imposes the axial strain
(or the axial stress) and finds the lateral strains by Newton's method on the lateral stresses,
with the kernel's consistent tangent, so that the lateral stresses vanish to round-off. The kernels
are small-strain; for a homogeneous uniaxial test without rotations the small strain stands for
the logarithmic (true) strain and the stress for the Cauchy (true) stress, the reading of
Weber & Anand (1990) that the Anand model of Li was formulated in (elastic strains ~1e-4).
"""

from __future__ import annotations

import csv
import io
import itertools
import math
from collections.abc import Sequence
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

MPA = 1.0e6
UM = 1.0e-6
HOUR = 3600.0
CELSIUS = 273.15

FLOW_STRESS_FILE = DATA_DIR / "lepage2019_flow_stress.csv"
CREEP_RATE_FILE = DATA_DIR / "ding2021_li_creep_rates.csv"

ROOM_TEMPERATURE = 298.15
"""Room temperature [K] of the flow-stress reference (25 C)."""
TENSILE_RATES = (5.0e-4, 5.0e-3, 5.0e-2)
"""True strain rates [1/s] of the tension tests (LePage et al. 2019 as given in the project brief;
not confirmed against the paper)."""
FLOW_STRAIN = 0.15
"""True strain at which the flow stress is read (middle of the 10-20 % range; chosen before the
comparison was run)."""
FLOW_TOLERANCE = 0.25
"""Largest accepted relative difference of the ssbx Anand flow stress from the reference, set
before the comparison was run (the reference is a one-significant-figure power-law summary)."""
TEMPERATURES_C = (0.0, 25.0, 50.0, 75.0)
NEWTON_RTOL = 1.0e-10
"""Outer (driver) Newton tolerance on the controlled stresses, relative to the stress scale."""
NEWTON_MAXIT = 30

FOIL_THICKNESS_UM = 100.0
"""Assumed Li foil thickness [um] for the thinning rate (Ding's thickness is not given in the
quoting source, Ham's thesis); the uniaxial estimate scales linearly with it."""
THICKNESS_SENSITIVITY_UM = (20.0, 50.0, 100.0, 200.0, 500.0, 750.0)
CREEP_TEMPERATURE = 30.0 + CELSIUS
DATA_EXPONENT_TARGET = 4.2
DATA_EXPONENT_TOLERANCE = 0.1
KERNEL_TOLERANCE = 1.0e-3
"""Relative tolerance of kernel-driven steady states against the closed forms."""
STEP_CONVERGENCE_TOLERANCE = 5.0e-3


# --------------------------------------------------------------------------------------------
# reference data
# --------------------------------------------------------------------------------------------
def _read_commented_csv(path: Path) -> list[dict[str, str]]:
    lines = [ln for ln in Path(path).read_text(encoding="utf-8").splitlines()
             if ln.strip() and not ln.lstrip().startswith("#")]
    return list(csv.DictReader(io.StringIO("\n".join(lines))))


def _float(text: str) -> float:
    return float(text) if text.strip() else float("nan")


def load_flow_stress_reference() -> list[dict[str, Any]]:
    """Rows of ``benchmarks/data/lepage2019_flow_stress.csv`` (numbers as floats, MPa and 1/s)."""
    rows = []
    for r in _read_commented_csv(FLOW_STRESS_FILE):
        rows.append({
            "source": r["source"], "kind": r["kind"],
            "temperature_K": _float(r["temperature_K"]),
            "strain_rate_per_s": _float(r["strain_rate_per_s"]),
            "flow_stress_MPa": _float(r["flow_stress_MPa"]),
            "flow_stress_low_MPa": _float(r["flow_stress_low_MPa"]),
            "flow_stress_high_MPa": _float(r["flow_stress_high_MPa"]),
            "in_metric": r["in_metric"].strip() == "1", "note": r["note"],
        })
    return rows


def load_creep_rate_data() -> list[dict[str, float]]:
    """Rows of ``benchmarks/data/ding2021_li_creep_rates.csv`` (K, MPa, um/h)."""
    return [{"temperature_K": float(r["temperature_K"]), "pressure_MPa": float(r["pressure_MPa"]),
             "creep_rate_um_per_h": float(r["creep_rate_um_per_h"])}
            for r in _read_commented_csv(CREEP_RATE_FILE)]


# --------------------------------------------------------------------------------------------
# material point driver
# --------------------------------------------------------------------------------------------
class MaterialPoint:
    """One quadrature point of a creep law (:class:`~ssbx.physics.creep_laws.AnandLi`,
    :class:`~ssbx.physics.creep_laws.PowerLawCreep` or
    :class:`~ssbx.physics.creep_laws.SizeDependentLiCreep`) at a fixed temperature.

    :meth:`evaluate` runs the kernel from the committed state to a trial strain (the state it
    computes is kept aside); :meth:`commit` accepts it. ``S_init`` overrides the Anand model's
    initial flow resistance ``S0`` [Pa]. Elasticity: the Anand law's own ``E``, ``nu``; the power
    law has none, so :data:`~ssbx.physics.creep_laws.LI_ELASTIC` (Masias 2019).
    """

    def __init__(self, law: Any, temperature: float, S_init: float | None = None) -> None:
        from ssbx.physics import creep_laws as cl
        from ssbx.physics import viscoplastic_kernels as vk

        self.law = law
        self.temperature = float(temperature)
        if isinstance(law, cl.AnandLi):
            self.kind = "anand"
            self.E, self.nu = float(law.E), float(law.nu)
            self._kernel = vk.anand_update
            self._args = tuple(float(x) for x in law.kernel_args(temperature))
            self.S = np.full(1, float(law.S0 if S_init is None else S_init))
            self._S_new = self.S.copy()
        elif isinstance(law, cl.PowerLawCreep):
            self.kind = "power_law"
            self.E, self.nu = (float(x) for x in cl.LI_ELASTIC)
            self._kernel = vk.power_law_update
            self._args = tuple(float(x) for x in law.kernel_args(temperature))
        elif isinstance(law, cl.SizeDependentLiCreep):
            self.kind = "power_law_linear"
            self.E, self.nu = (float(x) for x in cl.LI_ELASTIC)
            self._kernel = vk.power_law_linear_update
            self._args = tuple(float(x) for x in law.kernel_args(temperature))
        else:
            raise TypeError(f"unknown creep law {type(law).__name__}")
        self.eps_p = np.zeros((1, 6))
        self.p = np.zeros(1)
        self._strain = np.zeros((1, 6))
        self._stress = np.zeros((1, 6))
        self._tangent = np.zeros((1, 6, 6))
        self._eps_p_new = np.zeros((1, 6))
        self._p_new = np.zeros(1)

    def evaluate(self, strain: np.ndarray, dt: float) -> tuple[np.ndarray, np.ndarray]:
        """Stress (6,) and consistent tangent (6, 6) at the total Mandel strain ``strain`` after
        a step ``dt`` [s] from the committed state."""
        self._strain[0, :] = strain
        if self.kind == "anand":
            failed = self._kernel(self._strain, self.eps_p, self.p, self.S, float(dt),
                                  self.E, self.nu, *self._args, self._stress, self._tangent,
                                  self._eps_p_new, self._p_new, self._S_new)
        else:
            failed = self._kernel(self._strain, self.eps_p, self.p, float(dt), self.E, self.nu,
                                  *self._args, self._stress, self._tangent, self._eps_p_new,
                                  self._p_new)
        if failed:
            raise RuntimeError(f"{self.kind} kernel: local Newton did not converge "
                               f"(strain {strain}, dt {dt:g} s)")
        return self._stress[0].copy(), self._tangent[0].copy()

    def commit(self) -> None:
        """Accept the state of the last :meth:`evaluate` (plastic strain, ``p``; Anand: ``S``)."""
        self.eps_p[:] = self._eps_p_new
        self.p[:] = self._p_new
        if self.kind == "anand":
            self.S[:] = self._S_new

    @property
    def flow_resistance(self) -> float:
        """The committed Anand flow resistance ``S`` [Pa]; NaN for the power law."""
        return float(self.S[0]) if self.kind == "anand" else float("nan")


def _mixed_step(point: MaterialPoint, strain: np.ndarray, dt: float, free: Sequence[int],
                target: np.ndarray, scale: float) -> tuple[np.ndarray, int]:
    """Newton on the strain components ``free`` until the stress there equals ``target``
    (``strain`` is updated in place). Returns the stress and the number of iterations."""
    idx = np.asarray(free)
    tol = NEWTON_RTOL * scale
    for it in range(NEWTON_MAXIT):
        stress, tangent = point.evaluate(strain, dt)
        r = stress[idx] - target[idx]
        if np.max(np.abs(r)) <= tol:
            return stress, it
        strain[idx] -= np.linalg.solve(tangent[np.ix_(idx, idx)], r)
    raise RuntimeError(f"uniaxial driver: Newton on the controlled stresses did not converge in "
                       f"{NEWTON_MAXIT} iterations (residual {np.max(np.abs(r)):.3e} Pa)")


def strain_grid(strain_max: float, n_elastic: int, n_plastic: int,
                elastic_end: float = 2.0e-3) -> np.ndarray:
    """Axial strains of a tension test: ``n_elastic`` steps up to ``elastic_end`` (the elastic-
    viscoplastic transition lies below ~3e-4), then ``n_plastic`` steps to ``strain_max``."""
    a = np.linspace(0.0, elastic_end, n_elastic + 1)
    b = np.linspace(elastic_end, strain_max, n_plastic + 1)[1:]
    return np.concatenate([a, b])


def uniaxial_strain_test(law: Any, temperature: float, rate: float, strains: np.ndarray,
                         S_init: float | None = None) -> dict[str, np.ndarray]:
    """Uniaxial-stress test at the constant axial true strain rate ``rate`` [1/s] through the
    axial strains ``strains`` (tension for ``rate > 0``).

    Returns arrays ``strain``, ``stress`` (axial, Pa), ``lateral`` (largest |lateral stress|,
    Pa), ``S`` (Anand flow resistance, Pa; NaN for the power law), ``p`` (equivalent plastic
    strain) and ``iterations`` (driver Newton iterations per step).
    """
    point = MaterialPoint(law, temperature, S_init)
    eps = np.zeros(6)
    target = np.zeros(6)
    n = len(strains)
    out = {k: np.zeros(n) for k in ("strain", "stress", "lateral", "S", "p", "iterations")}
    out["strain"][:] = strains
    out["S"][0] = point.flow_resistance
    for k in range(1, n):
        d = strains[k] - strains[k - 1]
        dt = abs(d / rate)
        eps[2] = strains[k]
        eps[0] -= 0.5 * d  # incompressible-flow predictor; Newton corrects it
        eps[1] -= 0.5 * d
        scale = max(abs(out["stress"][k - 1]), 1.0e-3 * point.E * abs(d), 1.0e3)
        stress, its = _mixed_step(point, eps, dt, (0, 1), target, scale)
        point.commit()
        out["stress"][k] = stress[2]
        out["lateral"][k] = max(abs(stress[0]), abs(stress[1]))
        out["S"][k] = point.flow_resistance
        out["p"][k] = point.p[0]
        out["iterations"][k] = its
    return out


def uniaxial_creep_test(law: Any, temperature: float, stress_axial: float, times: np.ndarray,
                        S_init: float | None = None) -> dict[str, np.ndarray]:
    """Uniaxial creep: the axial stress ``stress_axial`` [Pa] (negative = compression) applied at
    ``times[0]`` and held; all three normal strains are unknowns (stress control).

    Returns arrays ``time``, ``strain`` (axial), ``lateral`` (largest |lateral stress|, Pa),
    ``S`` and ``p``.
    """
    point = MaterialPoint(law, temperature, S_init)
    target = np.zeros(6)
    target[2] = stress_axial
    E, nu = point.E, point.nu
    n = len(times)
    out = {k: np.zeros(n) for k in ("time", "strain", "lateral", "S", "p")}
    out["time"][:] = times
    out["S"][0] = point.flow_resistance
    committed = np.zeros(6)
    increment = np.zeros(6)
    increment[2] = stress_axial / E  # first step: elastic guess
    increment[0] = increment[1] = -nu * stress_axial / E
    dt_prev = times[1] - times[0] if n > 1 else 0.0
    scale = max(abs(stress_axial), 1.0e3)
    for k in range(1, n):
        dt = times[k] - times[k - 1]
        eps = committed + increment * (dt / dt_prev if k > 1 else 1.0)  # constant-rate predictor
        stress, _ = _mixed_step(point, eps, dt, (0, 1, 2), target, scale)
        point.commit()
        increment = eps - committed
        committed = eps
        dt_prev = dt
        out["strain"][k] = eps[2]
        out["lateral"][k] = max(abs(stress[0]), abs(stress[1]))
        out["S"][k] = point.flow_resistance
        out["p"][k] = point.p[0]
    return out


HERBERT_FACTOR_BAND = 2.0
"""Accepted factor between the modelled and the measured small-scale flow stress (Herbert et al.
2018): the conversion of a mean pressure to a uniaxial flow point is uncertain by tens of
percent in each of the constraint factor (Tabor's 3; 2.5-3 for creeping solids), the length
scale (contact diameter vs radius: a factor 4 in a d^-2 rate) and the rate (h_dot/h vs the
uniaxial rate). Set from these uncertainties, not from the computed ratios."""


def small_scale_comparison() -> dict[str, Any]:
    """The size- and rate-dependent Li law
    (:class:`~ssbx.physics.creep_laws.SizeDependentLiCreep`) against the small-scale data.

    Herbert et al. 2018 (nanoindentation, 40 nm, 31 C: 23 and 175 MPa mean pressure at 0.195
    and 1.364 1/s) through :func:`~ssbx.physics.creep_laws.indentation_flow_point` (Tabor
    C = 3, d = Berkovich contact diameter 5.58 h): the law's flow stress at each rate (closed
    form, verified by a kernel-driven uniaxial creep test at that stress), checked within a
    factor :data:`HERBERT_FACTOR_BAND`. Xu et al. 2017 (105 MPa, d = 1.39 um, 1e-3 1/s): the
    dislocation branch reproduces it by construction (checked to 1e-9); the summed law's value
    is reported (a finding, not toleranced). Returns ``checks``, ``findings`` and ``plot``.
    """
    from ssbx.physics import creep_laws as cl

    rows = []
    checks: list[Check] = []
    kernel_errors = []
    T_h = cl.HERBERT_2018_TEMPERATURE
    for rate, pressure in cl.HERBERT_2018_POINTS:
        d, sigma, eps_dot = cl.indentation_flow_point(cl.HERBERT_2018_DEPTH, pressure, rate)
        law = cl.SizeDependentLiCreep(d)
        model = law.stress_for_rate(eps_dot, T_h)
        times = np.linspace(0.0, 0.02 / eps_dot, 11)
        res = uniaxial_creep_test(law, T_h, -model, times)
        rk = abs(res["strain"][-1] - res["strain"][-2]) / (times[-1] - times[-2])
        kernel_errors.append(abs(rk / eps_dot - 1.0))
        ratio = model / sigma
        rows.append({"rate_per_s": rate, "mean_pressure_MPa": pressure / MPA,
                     "length_scale_um": d / UM, "flow_stress_MPa": sigma / MPA,
                     "model_flow_stress_MPa": model / MPA, "ratio_model_to_measured": ratio,
                     "diffusional_share": law.diffusional_rate(model, T_h) / eps_dot,
                     "dislocation_only_MPa": law.size_factor()
                     * law.bulk.stress_for_rate(eps_dot, T_h) / MPA})
        checks.append(Check(
            f"herbert_{rate:g}",
            f"|log2(model / measured flow stress)| at {rate:g} 1/s, Herbert et al. 2018 "
            f"(40 nm, 31 C; p_m {pressure / MPA:g} MPa / 3, d = {d / UM:.3f} um); <= 1 is "
            f"within a factor {HERBERT_FACTOR_BAND:g} (ratio {ratio:.3f})",
            abs(math.log2(ratio)), math.log2(HERBERT_FACTOR_BAND), "max"))
    xu = cl.SizeDependentLiCreep(cl.XU_2017_REFERENCE_SIZE)
    T_x = cl.XU_2017_TEMPERATURE
    disl = xu.size_factor() * xu.bulk.stress_for_rate(cl.XU_2017_STRAIN_RATE, T_x)
    summed = xu.stress_for_rate(cl.XU_2017_STRAIN_RATE, T_x)
    checks += [
        Check("xu_dislocation_branch", "dislocation branch of the size- and rate-dependent law "
              "at d = 1.39 um, 1e-3 1/s, 25 C against Xu et al. 2017's 105 MPa (calibration)",
              disl / MPA, 1.0e-9, "rel", cl.XU_2017_STRENGTH / MPA, "MPa"),
        Check("small_scale_kernel_vs_closed_form", "largest relative difference of the "
              "kernel-driven creep rate of the summed law at the modelled Herbert stresses "
              "from the applied rate", max(kernel_errors), KERNEL_TOLERANCE, "max"),
    ]
    big = cl.SizeDependentLiCreep(5.0e-3)
    bulk_diff = abs(big.stress_for_rate(1e-3, ROOM_TEMPERATURE)
                    / cl.MASIAS_2019.stress_for_rate(1e-3, ROOM_TEMPERATURE) - 1.0)
    checks.append(Check("bulk_limit", "relative difference of the summed law at d = 5 mm, "
                        "1e-3 1/s, 25 C from the Masias 2019 bulk law", bulk_diff, 1.0e-3,
                        "max"))
    statement = (
        "Size- and rate-dependent Li law (Masias power law / Xu size factor in parallel with "
        "Nabarro-Herring flow, B = 14, D_self = 6e-15 m^2/s at 298 K, not fitted): at the "
        f"Herbert et al. 2018 points (d = {rows[0]['length_scale_um']:.3f} um) it gives "
        + ", ".join(f"{r['model_flow_stress_MPa']:.1f} MPa against {r['flow_stress_MPa']:.1f} "
                    f"MPa at {r['rate_per_s']:g} 1/s (ratio {r['ratio_model_to_measured']:.2f})"
                    for r in rows)
        + "; diffusion carries > 99 % of the rate there and gives the near-linear rate "
        "sensitivity measured. At the Xu et al. 2017 pillar point the dislocation branch "
        f"gives {disl / MPA:.1f} MPa (calibration), but the summed law {summed / MPA:.2f} MPa "
        f"({summed / cl.XU_2017_STRENGTH:.3f} of the measured 105 MPa): lattice-diffusion flow "
        "with literature constants would make 1.39 um pillars flow at "
        f"{xu.diffusional_rate(cl.XU_2017_STRENGTH, T_x):.3f} 1/s at 105 MPa. The two data "
        "sets are not consistent with one Nabarro-Herring law in d^2 (the pillars need a "
        "diffusional coefficient ~50-70 x smaller than the indentation); not tuned away.")
    findings = {"herbert_2018": rows,
                "xu_2017": {"size_um": cl.XU_2017_REFERENCE_SIZE / UM,
                            "dislocation_branch_MPa": disl / MPA,
                            "summed_law_MPa": summed / MPA,
                            "ratio_summed_to_measured": summed / cl.XU_2017_STRENGTH},
                "bulk_limit_rel_diff_5mm": bulk_diff,
                "assumptions": ("Tabor C = 3; Berkovich contact area 24.5 h^2 with h_c = h; "
                                "d = contact diameter; uniaxial rate = h_dot/h"),
                "statement": statement}
    rr = np.geomspace(1.0e-4, 1.0e1, 60)
    plot = {"rows": rows, "rr": rr,
            "herbert_law": [cl.SizeDependentLiCreep(rows[0]["length_scale_um"] * UM)
                            .stress_for_rate(r, T_h) / MPA for r in rr],
            "xu_law": [xu.stress_for_rate(r, T_x) / MPA for r in rr],
            "xu_dislocation": [xu.size_factor() * xu.bulk.stress_for_rate(r, T_x) / MPA
                               for r in rr],
            "xu_point": (cl.XU_2017_STRAIN_RATE, cl.XU_2017_STRENGTH / MPA)}
    return {"checks": checks, "findings": findings, "plot": plot}


def value_at(x: np.ndarray, y: np.ndarray, x0: float) -> float:
    """Linear interpolation of ``y(x)`` at ``x0`` (``x`` increasing)."""
    return float(np.interp(x0, x, y))


def _laws() -> tuple[Any, Any]:
    from ssbx.physics.creep_laws import MASIAS_2019, NARAYAN_ANAND_2018

    return NARAYAN_ANAND_2018, MASIAS_2019


def _warm_up() -> None:
    from ssbx.physics.viscoplastic_kernels import warm_up_kernels

    warm_up_kernels()


def anand_steady_exponent(law: Any) -> float:
    """Apparent stress exponent of the Anand model at steady state: ``1/(m + n)``.

    ``nu_p = A_eff (sigma/S)^(1/m)`` with ``S = S* = S_tilde (nu_p/A_eff)^n`` gives
    ``sigma = S_tilde (nu_p/A_eff)^(m+n)``, i.e. ``nu_p = A_eff (sigma/S_tilde)^(1/(m+n))``.
    """
    return 1.0 / (law.m + law.n)


def anand_steady_rate(law: Any, sigma: float, temperature: float) -> float:
    """Steady-state viscoplastic strain rate [1/s] of the Anand model at the equivalent stress
    ``sigma`` [Pa] (the inverse of ``steady_state_stress``)."""
    return law.A_eff(temperature) * (sigma / law.S_tilde) ** anand_steady_exponent(law)


# --------------------------------------------------------------------------------------------
# li_flow_stress
# --------------------------------------------------------------------------------------------
@register
class LiFlowStress(DirectBenchmark):
    """Benchmark ``li_flow_stress``: uniaxial true stress-strain of Li at three strain rates
    (Anand, Masias power law) and the flow stress against strain rate and temperature."""

    name = "li_flow_stress"
    title = "Uniaxial true stress-strain of Li at three strain rates; flow stress vs rate and T"
    source = (
        "W.S. LePage et al., \"Lithium mechanics: roles of strain rate and temperature and "
        "implications for lithium metal batteries\", J. Electrochem. Soc. 166 (2019) A89, "
        "doi:10.1149/2.0221902jes (tension at 5e-4, 5e-3, 5e-2 1/s), as summarised by U. Roy, "
        "N.A. Fleck, V.S. Deshpande, Extreme Mech. Lett. 46 (2021) 101307, "
        "doi:10.1016/j.eml.2021.101307: sigma0 = 1 MPa at 0.01 1/s, m ≈ 5 (room temperature); "
        "laws: Anand model of Li (A = 4.25e4 1/s, Q = 37 kJ/mol, m = 0.15, S0 = 0.95 MPa, "
        "S_tilde = 2 MPa, h0 = 10 MPa, a = 2, n = 0.05) and Masias et al., J. Mater. Sci. 54 "
        "(2019) 2585 power law (n = 6.56)"
    )
    reference = (
        "benchmarks/data/lepage2019_flow_stress.csv: Roy, Fleck & Deshpande (2021) quote "
        "'σ0 = 1 MPa and ε̇0 = 0.01 s−1 and m ≈ 5 [LePage 2019, Masias 2019]'; reference flow "
        "stress sigma0 (rate/0.01)^(1/5) at the three rates, band m = 4..6. LePage's own curves "
        "could not be read (not reachable here); no temperature-dependent measurement was "
        "found, so the temperature panel compares ssbx with the Anand closed-form steady state "
        "(a model, labelled as such) and with Masias ESM Table S1 creep points (26 C)"
    )
    metric = (
        "largest relative difference of the ssbx Anand flow stress (kernel-driven uniaxial "
        f"tension, true stress at true strain {FLOW_STRAIN:g}, 25 C) from the reference at "
        "5e-4, 5e-3, 5e-2 1/s"
    )
    tolerance = (
        f"{FLOW_TOLERANCE:.0%}: the reference is a one-significant-figure power-law summary "
        "(m = 4..6 alone moves it by up to ±14 % at these rates), not LePage's curves, and "
        "the Anand stress still hardens by ~5 % per 5 % strain at 15 %; verification checks: "
        "kernel steady states = closed forms within 0.1 %, lateral stress < 1e-8 of the axial, "
        "flow stress changes < 0.5 % when the steps are halved, increasing with rate and "
        "decreasing with temperature"
    )
    x_label = "true strain rate (1/s)"


    def reference_data(self) -> list[dict[str, Any]]:
        """The reference rows of ``lepage2019_flow_stress.csv``."""
        return load_flow_stress_reference()

    @staticmethod
    def settings(quick: bool) -> dict[str, Any]:
        """Strain grid (``strain_max``, ``n_elastic``, ``n_plastic``), strain rates [1/s] and
        temperatures [C] of the full or the quick run."""
        if quick:
            return {"strain_max": 0.2, "n_elastic": 20, "n_plastic": 90,
                    "rates": tuple(np.geomspace(1.0e-4, 1.0e-1, 4)),
                    "temperatures_C": (0.0, 25.0, 75.0)}
        return {"strain_max": 0.3, "n_elastic": 40, "n_plastic": 290,
                "rates": tuple(np.geomspace(1.0e-5, 1.0e-1, 9)),
                "temperatures_C": TEMPERATURES_C}

    # -- computation --------------------------------------------------------------------------
    def compute(self, comm: MPI.Comm, console: Any, quick: bool, out_dir: Path) -> Outcome:
        """Drive both laws through uniaxial tension on rank 0 (the others return an empty outcome)
        and compare the flow stress at 15 % strain with the reference; verification checks."""
        if comm.rank != 0:  # a few seconds of serial work: rank 0 does it, the others wait
            return Outcome(rows=[], checks=[])
        _warm_up()
        anand, masias = _laws()
        cfg = self.settings(quick)
        grid = strain_grid(cfg["strain_max"], cfg["n_elastic"], cfg["n_plastic"])
        fine = strain_grid(cfg["strain_max"], 2 * cfg["n_elastic"], 2 * cfg["n_plastic"])
        ref_rows = [r for r in self.reference_data() if r["in_metric"]]
        T_rt = ROOM_TEMPERATURE

        curves: list[dict[str, Any]] = []
        rows: list[dict[str, Any]] = []
        lateral_rel: list[float] = []
        step_changes: list[float] = []
        for rate in TENSILE_RATES:
            for label, law in (("anand", anand), ("masias_power_law", masias)):
                res = uniaxial_strain_test(law, T_rt, rate, grid)
                curves.append({"law": label, "rate": rate, "temperature_K": T_rt,
                               "strain": res["strain"], "stress": res["stress"] / MPA,
                               "S": res["S"] / MPA})
                lateral_rel.append(float(np.max(res["lateral"][1:]
                                                / np.abs(res["stress"][1:]))))
                if label == "anand":
                    res2 = uniaxial_strain_test(law, T_rt, rate, fine)
                    s1 = value_at(res["strain"], res["stress"], FLOW_STRAIN)
                    s2 = value_at(res2["strain"], res2["stress"], FLOW_STRAIN)
                    step_changes.append(abs(s1 / s2 - 1.0))
            say(comm, console, f"  {rate:g} 1/s at 25 C: Anand sigma({FLOW_STRAIN:g}) = "
                f"{value_at(grid, curves[-2]['stress'], FLOW_STRAIN):.3f} MPa, Masias "
                f"{value_at(grid, curves[-1]['stress'], FLOW_STRAIN):.3f} MPa")

        # flow stress against strain rate and temperature
        sweep: list[dict[str, Any]] = []
        steady_errors: list[float] = []
        for t_c in cfg["temperatures_C"]:
            T = t_c + CELSIUS
            for rate in sorted(set(cfg["rates"]) | set(TENSILE_RATES)):
                res = uniaxial_strain_test(anand, T, rate, grid)
                s_a = value_at(res["strain"], res["stress"], FLOW_STRAIN) / MPA
                ss_a = anand.steady_state_stress(rate, T) / MPA
                # kernel steady state: start saturated (S0 = S*(rate)), strain 5 %
                sat = uniaxial_strain_test(anand, T, rate, strain_grid(0.05, 20, 30),
                                           S_init=anand.saturation_resistance(rate, T))
                ks_a = sat["stress"][-1] / MPA
                resm = uniaxial_strain_test(masias, T, rate, grid)
                s_m = value_at(resm["strain"], resm["stress"], FLOW_STRAIN) / MPA
                ss_m = masias.stress_for_rate(rate, T) / MPA
                steady_errors += [abs(ks_a / ss_a - 1.0), abs(s_m / ss_m - 1.0)]
                lateral_rel.append(float(np.max(res["lateral"][1:] / np.abs(res["stress"][1:]))))
                sweep.append({"temperature_K": T, "temperature_C": t_c, "rate": rate,
                              "anand": s_a, "anand_steady": ss_a, "anand_steady_kernel": ks_a,
                              "masias": s_m, "masias_steady": ss_m})

        for rate in TENSILE_RATES:
            sw = next(s for s in sweep if math.isclose(s["temperature_K"], T_rt)
                      and math.isclose(s["rate"], rate))
            ref = next((r for r in ref_rows if math.isclose(r["strain_rate_per_s"], rate)), None)
            ca = next(c for c in curves if c["law"] == "anand" and c["rate"] == rate)
            row = {
                "temperature_K": T_rt, "strain_rate_per_s": rate,
                "anand_flow_stress_MPa": sw["anand"],
                "anand_stress_at_0.10_MPa": value_at(ca["strain"], ca["stress"], 0.10),
                "anand_stress_at_0.20_MPa": value_at(ca["strain"], ca["stress"], 0.20),
                "masias_flow_stress_MPa": sw["masias"],
                "anand_steady_closed_form_MPa": sw["anand_steady"],
                "masias_steady_closed_form_MPa": sw["masias_steady"],
                "reference_flow_stress_MPa": ref["flow_stress_MPa"] if ref else float("nan"),
                "reference_low_MPa": ref["flow_stress_low_MPa"] if ref else float("nan"),
                "reference_high_MPa": ref["flow_stress_high_MPa"] if ref else float("nan"),
                "reference_source": ref["source"] if ref else "",
            }
            r_ref = row["reference_flow_stress_MPa"]
            row["anand_rel_diff"] = sw["anand"] / r_ref - 1.0
            row["masias_rel_diff"] = sw["masias"] / r_ref - 1.0
            rows.append(row)
        for sw in sweep:
            if any(math.isclose(sw["temperature_K"], T_rt) and math.isclose(sw["rate"], r)
                   for r in TENSILE_RATES):
                continue
            rows.append({
                "temperature_K": sw["temperature_K"], "strain_rate_per_s": sw["rate"],
                "anand_flow_stress_MPa": sw["anand"], "anand_stress_at_0.10_MPa": float("nan"),
                "anand_stress_at_0.20_MPa": float("nan"), "masias_flow_stress_MPa": sw["masias"],
                "anand_steady_closed_form_MPa": sw["anand_steady"],
                "masias_steady_closed_form_MPa": sw["masias_steady"],
                "reference_flow_stress_MPa": float("nan"), "reference_low_MPa": float("nan"),
                "reference_high_MPa": float("nan"), "reference_source": "",
                "anand_rel_diff": float("nan"), "masias_rel_diff": float("nan")})
        rows.sort(key=lambda r: (r["temperature_K"], r["strain_rate_per_s"]))

        outcome = self._evaluate(rows, curves, sweep, ref_rows, lateral_rel, step_changes,
                                 steady_errors, quick)
        small = small_scale_comparison()
        outcome.checks.extend(small["checks"])
        outcome.findings["small_scale"] = small["findings"]
        outcome.plot_data["small_scale"] = small["plot"]
        say(comm, console, "  " + small["findings"]["statement"])
        return outcome

    def _evaluate(self, rows: list[dict[str, Any]], curves: list[dict[str, Any]],
                  sweep: list[dict[str, Any]], ref_rows: list[dict[str, Any]],
                  lateral_rel: list[float], step_changes: list[float],
                  steady_errors: list[float], quick: bool) -> Outcome:
        T_rt = ROOM_TEMPERATURE
        metric_rows = [r for r in rows if math.isclose(r["temperature_K"], T_rt)
                       and any(math.isclose(r["strain_rate_per_s"], q) for q in TENSILE_RATES)]
        diffs = [abs(r["anand_rel_diff"]) for r in metric_rows]
        checks = [Check(
            "flow_stress_rel_diff_max",
            f"largest |sigma_Anand({FLOW_STRAIN:g}) / sigma_ref - 1| at 25 C over the rates "
            f"{', '.join(f'{q:g}' for q in TENSILE_RATES)} 1/s (reference: Roy, Fleck & "
            "Deshpande 2021's summary sigma0 = 1 MPa, 0.01 1/s, m = 5 of LePage/Masias)",
            max(diffs), FLOW_TOLERANCE, "max")]
        for r in metric_rows:
            checks.append(Check(
                f"flow_stress_{r['strain_rate_per_s']:g}",
                f"ssbx Anand flow stress at {FLOW_STRAIN:g} true strain, "
                f"{r['strain_rate_per_s']:g} 1/s, 25 C [MPa] against the reference",
                r["anand_flow_stress_MPa"], FLOW_TOLERANCE, "rel", r["reference_flow_stress_MPa"],
                "MPa"))
        checks += [
            Check("steady_state_vs_closed_form",
                  "largest relative difference of the kernel-driven steady flow stress from the "
                  "closed forms (Anand S_tilde (rate/A_eff)^(m+n), started saturated; Masias "
                  "(rate/A_eff)^(1/n)) over all rates and temperatures",
                  max(steady_errors), KERNEL_TOLERANCE, "max"),
            Check("lateral_stress",
                  "largest |lateral stress| / |axial stress| of the uniaxial-stress driver",
                  max(lateral_rel), 1.0e-8, "max"),
            Check("step_convergence",
                  f"largest relative change of the Anand flow stress at {FLOW_STRAIN:g} when the "
                  "strain steps are halved (25 C, three rates)",
                  max(step_changes), STEP_CONVERGENCE_TOLERANCE, "max"),
        ]
        by_t: dict[float, list[dict[str, Any]]] = {}
        for s in sweep:
            by_t.setdefault(s["temperature_K"], []).append(s)
        rate_steps = [b["anand"] - a["anand"] for ss in by_t.values()
                      for a, b in itertools.pairwise(sorted(ss, key=lambda s: s["rate"]))]
        temps = sorted(by_t)
        temp_steps = []
        for t0, t1 in itertools.pairwise(temps):
            for s0 in by_t[t0]:
                s1 = next(s for s in by_t[t1] if math.isclose(s["rate"], s0["rate"]))
                temp_steps.append(s0["anand"] - s1["anand"])
        checks += [
            Check("increases_with_rate", "smallest increase of the Anand flow stress from one "
                  "strain rate to the next [MPa] (must be > 0)", min(rate_steps), 0.0, "min",
                  unit="MPa"),
            Check("decreases_with_temperature", "smallest decrease of the Anand flow stress "
                  "from one temperature to the next at the same rate [MPa] (must be > 0)",
                  min(temp_steps), 0.0, "min", unit="MPa"),
        ]

        rates = np.array([r["strain_rate_per_s"] for r in metric_rows])
        sa = np.array([r["anand_flow_stress_MPa"] for r in metric_rows])
        sm = np.array([r["masias_flow_stress_MPa"] for r in metric_rows])
        sr = np.array([r["reference_flow_stress_MPa"] for r in metric_rows])

        def slope(s: np.ndarray) -> float:
            return float(np.polyfit(np.log(rates), np.log(s), 1)[0])

        per_rate = [{k: r[k] for k in ("strain_rate_per_s", "anand_flow_stress_MPa",
                                      "anand_stress_at_0.10_MPa", "anand_stress_at_0.20_MPa",
                                      "masias_flow_stress_MPa", "anand_steady_closed_form_MPa",
                                      "reference_flow_stress_MPa", "reference_low_MPa",
                                      "reference_high_MPa", "anand_rel_diff", "masias_rel_diff")}
                    for r in metric_rows]
        within_band = [bool(r["reference_low_MPa"] <= r["anand_flow_stress_MPa"]
                            <= r["reference_high_MPa"]) for r in metric_rows]
        worst = max(metric_rows, key=lambda r: abs(r["anand_rel_diff"]))
        statement = (
            f"At 25 C the ssbx Anand model (kernel-driven uniaxial tension) gives flow stresses "
            f"{', '.join(f'{v:.2f}' for v in sa)} MPa at {FLOW_STRAIN:g} true strain for "
            f"{', '.join(f'{q:g}' for q in rates)} 1/s, against "
            f"{', '.join(f'{v:.2f}' for v in sr)} MPa from the quoted summary sigma0 = 1 MPa at "
            f"0.01 1/s, m = 5 (relative differences "
            f"{', '.join(f'{r['anand_rel_diff']:+.0%}' for r in metric_rows)}; largest "
            f"{abs(worst['anand_rel_diff']):.0%} at {worst['strain_rate_per_s']:g} 1/s). The "
            f"Anand curves still harden at {FLOW_STRAIN:g} strain (steady state "
            f"{', '.join(f'{r['anand_steady_closed_form_MPa']:.2f}' for r in metric_rows)} MPa "
            "is reached only after strains of order 10); the log-log rate sensitivity of the "
            f"flow stress is {slope(sa):.3f} (Anand at {FLOW_STRAIN:g}), {slope(sm):.3f} "
            f"(Masias power law, 1/n) and {slope(sr):.3f} (reference, 1/m). The Masias power "
            f"law, fitted to creep at 0.2-0.6 MPa, gives {', '.join(f'{v:.2f}' for v in sm)} MPa "
            f"({', '.join(f'{r['masias_rel_diff']:+.0%}' for r in metric_rows)}). LePage's own "
            "curves were not available, so this compares with a secondary one-figure summary, "
            "not with the measured stress-strain curves."
        )
        findings = {
            "flow_strain": FLOW_STRAIN,
            "per_rate_25C": per_rate,
            "anand_within_reference_band_m4_to_m6": within_band,
            "rate_sensitivity_loglog": {"anand_at_flow_strain": slope(sa),
                                        "masias_power_law": slope(sm), "reference": slope(sr)},
            "tolerance_note": (
                "25 % was set before the comparison. The reference is a one-significant-figure "
                "summary (sigma0 = 1 MPa, m ≈ 5) and m = 4..6 alone spans up to ±14 % at the "
                "outer rates; a miss at the slowest rate is reported as a miss, not widened."),
            "reference_status": (
                "LePage et al. 2019 could not be read; its numbers are not used directly. The "
                "Anand parameter set (A = 4.25e4 1/s, Q = 37 kJ/mol, ...) is the one public "
                "MOOSE inputs use with a citation of a J. Electrochem. Soc. paper of Narayan & "
                "Anand (the 4C code cites Anand et al., 'An elastic-viscoplastic model for "
                "lithium', J. Electrochem. Soc. 166 (2019)); which paper prints it, and that it "
                "was fitted to LePage, was not verified here. The Extreme Mech. Lett. 24 (2018) "
                "21 paper of Narayan & Anand (read) fits a different set (E = 5 GPa, nu = 0.3, "
                "eps0_dot = 0.05 1/s, m = 0.18, S0 = 2 MPa, H0 = 40 MPa, S* = 8 MPa, a = 1.8, "
                "no temperature dependence) to the microindentation data of Wang & Cheng 2017."),
            "statement": statement,
        }
        curve_rows = []
        for c in curves:
            for e, s, S in zip(c["strain"], c["stress"], c["S"], strict=True):
                curve_rows.append({"law": c["law"], "temperature_K": c["temperature_K"],
                                   "strain_rate_per_s": c["rate"], "true_strain": float(e),
                                   "true_stress_MPa": float(s), "flow_resistance_MPa": float(S)})
        from ssbx.benchmarks.framework import csv_text

        return Outcome(
            rows=rows, checks=checks, findings=findings,
            extra_files={f"{self.name}_curves.csv": csv_text(curve_rows)},
            plot_data={"curves": curves, "sweep": sweep, "reference": self.reference_data()})

    # -- figure ---------------------------------------------------------------------------------
    def plot(self, outcome: Outcome, path: Path, quick: bool) -> None:
        """True stress-strain curves at the three rates, and the flow stress against strain rate
        and temperature with the reference."""
        from ssbx.physics.creep_laws import MASIAS_2019_T_TEST, MASIAS_2019_TABLE_S1

        plt = pyplot()
        fig, (ax, bx, cx) = plt.subplots(1, 3, figsize=(20.0, 6.0))
        colors = {5.0e-4: "tab:blue", 5.0e-3: "tab:orange", 5.0e-2: "tab:red"}
        curves = outcome.plot_data["curves"]
        ref = outcome.plot_data["reference"]
        for c in curves:
            col = colors.get(c["rate"], "k")
            if c["law"] == "anand":
                ax.plot(c["strain"], c["stress"], color=col, lw=1.8, label=f"{c['rate']:g} 1/s")
            else:
                ax.plot(c["strain"], c["stress"], color=col, lw=1.2, ls="--")
        ax.plot([], [], color="0.3", lw=1.8, label="ssbx Anand (solid)")
        ax.plot([], [], color="0.3", lw=1.2, ls="--", label="ssbx Masias power law (dashed)")
        for k, r in enumerate(x for x in ref if x["in_metric"]):
            col = colors.get(r["strain_rate_per_s"], "k")
            x = FLOW_STRAIN + (k - 1) * 0.006
            ax.errorbar([x], [r["flow_stress_MPa"]],
                        yerr=[[r["flow_stress_MPa"] - r["flow_stress_low_MPa"]],
                              [r["flow_stress_high_MPa"] - r["flow_stress_MPa"]]],
                        fmt="s", color=col, mfc="white", ms=7, capsize=4, mew=1.5,
                        label=("reference 1 MPa (rate/0.01)^(1/5), bar m = 4..6\n(Roy et al. "
                               "2021 summary of LePage/Masias)") if k == 0 else None)
        ax.axvline(FLOW_STRAIN, color="0.6", lw=0.8, ls=":")
        ax.text(FLOW_STRAIN + 0.004, 0.97, f"flow stress read at ε = {FLOW_STRAIN:g}",
                color="0.35", fontsize=8, va="top", transform=ax.get_xaxis_transform())
        ax.set_xlim(0.0, max(c["strain"][-1] for c in curves))
        ax.set_ylim(0.0, None)
        ax.set_xlabel("true strain (–)")
        ax.set_ylabel("true stress (MPa)")
        ax.set_title("uniaxial tension, 25 °C (kernel-driven material point)", fontsize=10)
        ax.grid(True, alpha=0.25)
        ax.legend(fontsize=7, loc="lower right", labelspacing=0.25)

        sweep = outcome.plot_data["sweep"]
        temps = sorted({s["temperature_K"] for s in sweep})
        palette = {0.0: "tab:blue", 25.0: "tab:green", 50.0: "tab:orange", 75.0: "tab:red"}
        for k, T in enumerate(temps):
            col = palette.get(round(T - CELSIUS, 6), "tab:purple")
            ss = sorted((s for s in sweep if s["temperature_K"] == T), key=lambda s: s["rate"])
            r = np.array([s["rate"] for s in ss])
            t_c = T - CELSIUS
            bx.plot(r, [s["anand"] for s in ss], "o-", color=col, ms=4, lw=1.6,
                    label=f"ssbx Anand at ε = {FLOW_STRAIN:g}, {t_c:.0f} °C")
            bx.plot(r, [s["anand_steady"] for s in ss], ":", color=col, lw=1.3,
                    label="Anand steady state (closed form)" if k == 0 else None)
            bx.plot(r, [s["masias_steady"] for s in ss], "--", color=col, lw=1.0,
                    label="Masias power law (steady)" if k == 0 else None)
        rr = np.geomspace(1.0e-5, 1.0e-1, 50)
        bx.plot(rr, (rr / 0.01) ** 0.2, color="k", lw=0.9, alpha=0.6,
                label="reference power law 1 MPa (rate/0.01)^(1/5), 25 °C")
        for r in (x for x in ref if x["in_metric"]):
            bx.errorbar([r["strain_rate_per_s"]], [r["flow_stress_MPa"]],
                        yerr=[[r["flow_stress_MPa"] - r["flow_stress_low_MPa"]],
                              [r["flow_stress_high_MPa"] - r["flow_stress_MPa"]]],
                        fmt="s", color="k", mfc="white", ms=6, capsize=3)
        tab = np.array(MASIAS_2019_TABLE_S1)
        bx.plot(tab[:, 1], tab[:, 0], "^", color="0.35", ms=6,
                label=f"Masias 2019 ESM Table S1 creep ({MASIAS_2019_T_TEST - CELSIUS:.0f} °C, "
                      "min. rate)")
        bx.set_xscale("log")
        bx.set_yscale("log")
        yt = [0.2, 0.3, 0.5, 0.7, 1.0, 1.5, 2.0, 3.0, 4.0]
        bx.set_yticks(yt, [f"{y:g}" for y in yt])
        bx.yaxis.set_minor_formatter(plt.NullFormatter())
        bx.set_xlabel("true strain rate (1/s)")
        bx.set_ylabel("flow stress (MPa)")
        bx.set_title("flow stress vs strain rate and temperature\n(no measured temperature "
                     "data found: model references only)", fontsize=9.5)
        bx.grid(True, which="both", alpha=0.25)
        bx.legend(fontsize=7, loc="upper left")

        small = outcome.plot_data.get("small_scale")
        if small is not None:
            d_h = small["rows"][0]["length_scale_um"]
            cx.plot(small["rr"], small["herbert_law"], color="tab:purple", lw=1.8,
                    label=f"ssbx size/rate law, d = {d_h:.3f} µm, 31 °C")
            cx.plot([r["rate_per_s"] for r in small["rows"]],
                    [r["flow_stress_MPa"] for r in small["rows"]], "s", color="tab:purple",
                    mfc="white", ms=8, mew=1.5,
                    label="Herbert et al. 2018, 40 nm: p_m / 3")
            cx.fill_between(small["rr"], np.array(small["herbert_law"]) / HERBERT_FACTOR_BAND,
                            np.array(small["herbert_law"]) * HERBERT_FACTOR_BAND,
                            color="tab:purple", alpha=0.1,
                            label=f"check band: factor {HERBERT_FACTOR_BAND:g}")
            cx.plot(small["rr"], small["xu_law"], color="tab:green", lw=1.8,
                    label="ssbx size/rate law, d = 1.39 µm, 25 °C")
            cx.plot(small["rr"], small["xu_dislocation"], color="tab:green", lw=1.0, ls="--",
                    label="its dislocation branch alone")
            cx.plot(*small["xu_point"], "D", color="tab:green", mfc="white", ms=8, mew=1.5,
                    label="Xu et al. 2017 pillar, 1.39 µm")
            cx.set_xscale("log")
            cx.set_yscale("log")
            cx.set_xlabel("strain rate (1/s)")
            cx.set_ylabel("flow stress (MPa)")
            cx.set_title("small scale: Nabarro–Herring + size-scaled power law\n(B = 14, "
                         "D_self from the Li vacancy data; not fitted)", fontsize=9.5)
            cx.grid(True, which="both", alpha=0.25)
            cx.legend(fontsize=7, loc="lower right")

        head = outcome.checks[0]
        status = "PASS" if all(c.passed for c in outcome.checks) else "FAIL"
        fig.suptitle(
            f"li_flow_stress{' (quick)' if quick else ''} — {status}: largest |Anand/ref − 1| = "
            f"{head.value:.0%} (tolerance {head.tolerance:.0%})\nreference: Roy, Fleck & "
            "Deshpande 2021 summary of LePage et al. 2019 and Masias et al. 2019 (LePage's "
            "curves not available)", fontsize=10.5)
        fig.tight_layout(rect=(0, 0, 1, 0.92))
        save_figure(fig, path)


# --------------------------------------------------------------------------------------------
# li_creep_rates
# --------------------------------------------------------------------------------------------
@register
class LiCreepRates(DirectBenchmark):
    """Benchmark ``li_creep_rates``: the Li foil creep rates of Ding et al. (2021) against the
    stress exponents of the laws, and the thinning rate each law predicts for a foil under
    uniaxial stress ``sigma = p`` (a crude estimate: no platen friction, no lateral
    constraint)."""

    name = "li_creep_rates"
    title = "Li foil creep rates at 2.2 and 3.5 MPa (30 C): apparent exponent and law predictions"
    source = (
        "S. Ding, L. Fairgrieve-Park, O. Sendetskyi, M.D. Fleischauer, J. Power Sources 488 "
        "(2021) 229404, doi:10.1016/j.jpowsour.2020.229404, as quoted in S.-Y. Ham, "
        "PhD dissertation, UC San Diego 2024, ch. 2: 'The Li creep rate at 30°C was 0.06 μm/h "
        "at 2.2 MPa and 0.42 μm/h at 3.5 MPa'"
    )
    reference = (
        "benchmarks/data/ding2021_li_creep_rates.csv (the two rates, with the quote); laws: "
        "Anand model of Li (steady state, exponent 1/(m+n) = 5) and Masias et al. 2019 power "
        "law (n = 6.56), both from ssbx.physics.creep_laws"
    )
    metric = (
        "apparent stress exponent of the data, ln(0.42/0.06)/ln(3.5/2.2), compared with each "
        "law's exponent; predicted/measured thinning-rate ratio at 2.2 and 3.5 MPa for a "
        f"{FOIL_THICKNESS_UM:g} um foil under uniaxial stress sigma = p (crude estimate)"
    )
    tolerance = (
        f"data consistency: exponent {DATA_EXPONENT_TARGET} ± {DATA_EXPONENT_TOLERANCE} and "
        "rate ratio 7 ± 0.05 (the quoted numbers); kernel-driven steady creep rates equal "
        "the closed forms within 0.1 % and reproduce the law exponents within 0.01; each law's "
        "uniaxial (frictionless) prediction must not be slower than the measurement (ratio >= 1: "
        "platen friction and lateral constraint only slow a foil down). Law/data exponent "
        "differences and rate ratios are reported, not toleranced"
    )


    def reference_data(self) -> list[dict[str, float]]:
        """The measured creep rates of ``ding2021_li_creep_rates.csv``."""
        return load_creep_rate_data()

    def compute(self, comm: MPI.Comm, console: Any, quick: bool, out_dir: Path) -> Outcome:
        """On rank 0: the apparent stress exponent of the data, the laws' exponents and steady
        creep rates (closed form and kernel-driven), and the predicted thinning rates."""
        if comm.rank != 0:
            return Outcome(rows=[], checks=[])
        _warm_up()
        anand, masias = _laws()
        data = self.reference_data()
        T = data[0]["temperature_K"]
        p = np.array([d["pressure_MPa"] for d in data])
        v = np.array([d["creep_rate_um_per_h"] for d in data])
        n_data = float(math.log(v[1] / v[0]) / math.log(p[1] / p[0]))
        h = FOIL_THICKNESS_UM

        laws = {
            "anand_steady": {
                "label": "Anand (steady state)", "exponent": anand_steady_exponent(anand),
                "rate": lambda s: anand_steady_rate(anand, s, T),
                "law": anand, "S_init": lambda rate: anand.saturation_resistance(rate, T)},
            "masias_power_law": {
                "label": "Masias power law", "exponent": masias.n,
                "rate": lambda s: masias.rate(s, T), "law": masias, "S_init": lambda rate: None},
        }
        n_steps = 12 if quick else 40
        rows: list[dict[str, Any]] = []
        kernel_errors: list[float] = []
        lateral: list[float] = []
        for key, L in laws.items():
            rates_closed = np.array([L["rate"](pi * MPA) for pi in p])
            rates_kernel = []
            for pi, rc in zip(p, rates_closed, strict=True):
                # hold -p for a plastic strain of ~2 % in n_steps steps; rate from the last step
                t_end = 0.02 / rc
                times = np.linspace(0.0, t_end, n_steps + 1)
                res = uniaxial_creep_test(L["law"], T, -pi * MPA, times, S_init=L["S_init"](rc))
                rk = abs(res["strain"][-1] - res["strain"][-2]) / (times[-1] - times[-2])
                rates_kernel.append(rk)
                kernel_errors.append(abs(rk / rc - 1.0))
                lateral.append(float(np.max(res["lateral"][1:])) / (pi * MPA))
            L["rates_closed"] = rates_closed
            L["rates_kernel"] = np.array(rates_kernel)
            L["exponent_kernel"] = float(math.log(rates_kernel[1] / rates_kernel[0])
                                         / math.log(p[1] / p[0]))
            for pi, vi, rc, rk in zip(p, v, rates_closed, rates_kernel, strict=True):
                thin = rc * h * HOUR
                ratio = thin / vi
                rows.append({
                    "law": key, "temperature_K": T, "pressure_MPa": float(pi),
                    "measured_um_per_h": float(vi),
                    "uniaxial_strain_rate_closed_form_per_s": float(rc),
                    "uniaxial_strain_rate_kernel_per_s": float(rk),
                    "thinning_rate_um_per_h": float(thin),
                    "foil_thickness_um": h,
                    "ratio_predicted_to_measured": float(ratio),
                    "law_exponent": float(L["exponent"]),
                    "data_exponent": n_data,
                    "stress_reduction_factor_for_agreement": float(ratio ** (1.0 / L["exponent"])),
                    "thickness_for_agreement_um": float(vi / (rc * HOUR)),
                })
            say(comm, console, f"  {L['label']}: exponent {L['exponent']:.3f} (data "
                f"{n_data:.3f}); uniaxial thinning of a {h:g} um foil "
                f"{', '.join(f'{r * h * HOUR:.3g}' for r in rates_closed)} um/h vs "
                f"{', '.join(f'{x:g}' for x in v)} um/h")

        ratios = {r["law"] + f"_{r['pressure_MPa']:g}MPa": r["ratio_predicted_to_measured"]
                  for r in rows}
        checks = [
            Check("data_exponent",
                  "apparent stress exponent of the Ding creep rates, ln(0.42/0.06)/ln(3.5/2.2)",
                  n_data, DATA_EXPONENT_TOLERANCE, "abs", DATA_EXPONENT_TARGET),
            Check("data_rate_ratio", "0.42/0.06 (Ham's thesis: '7 times higher creep rate')",
                  float(v[1] / v[0]), 0.05, "abs", 7.0),
            Check("kernel_vs_closed_form",
                  "largest relative difference of the kernel-driven steady uniaxial creep rate "
                  "from the closed form (both laws, both pressures)",
                  max(kernel_errors), KERNEL_TOLERANCE, "max"),
            Check("anand_kernel_exponent", "stress exponent from the kernel-driven Anand steady "
                  "creep rates at 2.2 and 3.5 MPa against 1/(m+n)",
                  laws["anand_steady"]["exponent_kernel"], 0.01, "abs",
                  laws["anand_steady"]["exponent"]),
            Check("masias_kernel_exponent", "stress exponent from the kernel-driven power-law "
                  "creep rates at 2.2 and 3.5 MPa against n",
                  laws["masias_power_law"]["exponent_kernel"], 0.01, "abs",
                  laws["masias_power_law"]["exponent"]),
            Check("lateral_stress", "largest |lateral stress| / p in the creep driver",
                  max(lateral), 1.0e-8, "max"),
        ]
        for name, ratio in ratios.items():
            checks.append(Check(
                f"not_slower_{name}",
                f"predicted/measured thinning rate ({name}, {h:g} um foil, uniaxial sigma = p): "
                "must be >= 1 (an upper bound: friction and lateral constraint slow a foil)",
                ratio, 1.0, "min"))

        sens = []
        for key, L in laws.items():
            for hh in THICKNESS_SENSITIVITY_UM:
                sens.append({"law": key, "foil_thickness_um": hh,
                             "thinning_rate_um_per_h": [float(r * hh * HOUR)
                                                        for r in L["rates_closed"]],
                             "ratio_to_measured": [float(r * hh * HOUR / x)
                                                   for r, x in zip(L["rates_closed"], v,
                                                                   strict=True)]})
        a_r = [r for r in rows if r["law"] == "anand_steady"]
        m_r = [r for r in rows if r["law"] == "masias_power_law"]
        statement = (
            f"The two Ding rates imply an apparent stress exponent n = ln 7 / ln(3.5/2.2) = "
            f"{n_data:.2f}, below both laws: Anand steady state 1/(m+n) = "
            f"{laws['anand_steady']['exponent']:.2f} (1/m = {1.0 / anand.m:.2f} at a frozen flow "
            f"resistance) and Masias n = {masias.n:.2f}. The exponent is the geometry-independent "
            "part of the comparison: for a power-law material every rate of a body loaded by "
            "proportional tractions scales as load^n, whatever the shape and friction. The "
            f"magnitude is not: a {h:g} um foil under uniaxial stress sigma = p would thin at "
            f"{a_r[0]['thinning_rate_um_per_h']:.3g} and {a_r[1]['thinning_rate_um_per_h']:.3g} "
            f"um/h (Anand) or {m_r[0]['thinning_rate_um_per_h']:.3g} and "
            f"{m_r[1]['thinning_rate_um_per_h']:.3g} um/h (Masias), "
            f"{a_r[0]['ratio_predicted_to_measured']:.2g}-"
            f"{a_r[1]['ratio_predicted_to_measured']:.2g} and "
            f"{m_r[0]['ratio_predicted_to_measured']:.2g}-"
            f"{m_r[1]['ratio_predicted_to_measured']:.2g} times the measured 0.06 and 0.42 um/h. "
            "The rate is linear in the assumed thickness, so no plausible thickness closes this "
            f"gap (agreement would need {a_r[0]['thickness_for_agreement_um']:.1e} um). "
            "Equivalently the measured rates correspond to an effective von Mises stress "
            f"p/{a_r[0]['stress_reduction_factor_for_agreement']:.0f} (Anand) or "
            f"p/{m_r[0]['stress_reduction_factor_for_agreement']:.0f} (Masias): a foil squeezed "
            "between platens with friction (diameter >> thickness) carries a nearly hydrostatic "
            "stress, and its thinning rate is set by the geometry, so the uniaxial estimate is "
            "only an upper bound. A foil-compression simulation (axisymmetric, with friction) "
            "is needed to compare magnitudes; the exponent gap (4.2 vs 5-6.6) does not depend "
            "on it."
        )
        findings = {
            "data": {"temperature_K": T, "pressure_MPa": p.tolist(),
                     "creep_rate_um_per_h": v.tolist(), "apparent_exponent": n_data},
            "exponents": {
                "data": n_data,
                "anand_steady_state_1_over_m_plus_n": laws["anand_steady"]["exponent"],
                "anand_frozen_resistance_1_over_m": 1.0 / anand.m,
                "masias_power_law": masias.n,
                "anand_kernel": laws["anand_steady"]["exponent_kernel"],
                "masias_kernel": laws["masias_power_law"]["exponent_kernel"],
                "difference_anand_minus_data": laws["anand_steady"]["exponent"] - n_data,
                "difference_masias_minus_data": masias.n - n_data,
            },
            "anand_steady_exponent_derivation": (
                "nu_p = A_eff (sigma/S)^(1/m) and, at steady state, S = S* = S_tilde "
                "(nu_p/A_eff)^n give sigma = S_tilde (nu_p/A_eff)^(m+n), so nu_p = A_eff "
                "(sigma/S_tilde)^(1/(m+n)): apparent exponent 1/(m+n) = 1/(0.15+0.05) = 5"),
            "assumptions": (
                f"uniaxial stress sigma = p in the foil (frictionless platens, no lateral "
                f"constraint), steady state, T = {T:g} K, foil thickness {h:g} um (not given in "
                "the quoting source); thinning rate = uniaxial strain rate x thickness"),
            "ratio_predicted_to_measured": ratios,
            "thickness_sensitivity": sens,
            "statement": statement,
        }
        lines = {}
        pp = np.geomspace(0.5, 10.0, 60)
        for key, L in laws.items():
            lines[key] = np.array([L["rate"](x * MPA) for x in pp]) * h * HOUR
        return Outcome(rows=rows, checks=checks, findings=findings,
                       plot_data={"p": p, "v": v, "n_data": n_data, "pp": pp, "lines": lines,
                                  "laws": {k: {"label": L["label"], "exponent": L["exponent"],
                                               "exponent_kernel": L["exponent_kernel"],
                                               "rates_closed": L["rates_closed"]}
                                           for k, L in laws.items()},
                                  "anand_frozen": 1.0 / anand.m, "T": T})

    def plot(self, outcome: Outcome, path: Path, quick: bool) -> None:
        """Foil thinning rate against pressure (data and laws), and the stress exponents."""
        plt = pyplot()
        d = outcome.plot_data
        h = FOIL_THICKNESS_UM
        fig, (ax, bx) = plt.subplots(1, 2, figsize=(14.0, 6.0),
                                     gridspec_kw={"width_ratios": [1.6, 1.0]})
        styles = {"anand_steady": ("tab:blue", "-"), "masias_power_law": ("tab:red", "--")}
        for key, yy in d["lines"].items():
            col, ls = styles[key]
            L = d["laws"][key]
            ax.plot(d["pp"], yy, color=col, ls=ls, lw=1.8,
                    label=f"{L['label']}, uniaxial σ = p, h = {h:g} µm (slope {L['exponent']:.2f})")
            ax.fill_between(d["pp"], yy * 20.0 / h, yy * 750.0 / h, color=col, alpha=0.08,
                            label="bands: h = 20-750 µm (rate ∝ h)" if key == "anand_steady"
                            else None)
            for pi, r in zip(d["p"], d["laws"][key]["rates_closed"], strict=True):
                ax.annotate(f"×{r * h * HOUR / d['v'][list(d['p']).index(pi)]:.1e}",
                            (pi, r * h * HOUR), textcoords="offset points", xytext=(6, -10),
                            color=col, fontsize=8)
        ax.plot(d["p"], d["v"], "ko", ms=8, label="Ding et al. 2021 (via Ham 2024), 30 °C")
        pd = np.geomspace(1.6, 5.0, 20)
        ax.plot(pd, d["v"][0] * (pd / d["p"][0]) ** d["n_data"], "k:", lw=1.2,
                label=f"through the data: slope {d['n_data']:.2f}")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("pressure p (MPa)")
        ax.set_ylabel("foil thinning rate (µm/h)")
        ax.set_title(f"creep rate vs pressure, {d['T'] - CELSIUS:.0f} °C (crude uniaxial "
                     "estimate; labels: predicted/measured)", fontsize=9.5)
        ax.grid(True, which="both", alpha=0.25)
        ax.legend(fontsize=7.5, loc="upper left")

        names = ["Ding data", "Anand\nsteady 1/(m+n)", "Anand\nfrozen S 1/m", "Masias n"]
        vals = [d["n_data"], d["laws"]["anand_steady"]["exponent"], d["anand_frozen"],
                d["laws"]["masias_power_law"]["exponent"]]
        cols = ["k", "tab:blue", "lightsteelblue", "tab:red"]
        bx.bar(range(4), vals, color=cols, alpha=0.8)
        bx.axhspan(DATA_EXPONENT_TARGET - DATA_EXPONENT_TOLERANCE,
                   DATA_EXPONENT_TARGET + DATA_EXPONENT_TOLERANCE, color="0.5", alpha=0.25,
                   label=f"check: data exponent {DATA_EXPONENT_TARGET} ± "
                         f"{DATA_EXPONENT_TOLERANCE}")
        bx.plot([1, 3], [d["laws"]["anand_steady"]["exponent_kernel"],
                         d["laws"]["masias_power_law"]["exponent_kernel"]], "wD", mec="k",
                ms=7, label="from the kernel-driven creep rates")
        for k, val in enumerate(vals):
            bx.text(k + 0.22, val + 0.12, f"{val:.2f}", ha="left", fontsize=9)
        bx.set_xticks(range(4), names, fontsize=8.5)
        bx.set_ylabel("stress exponent d ln(rate) / d ln(stress)")
        bx.set_ylim(0.0, 8.0)
        bx.set_title("apparent stress exponent", fontsize=10)
        bx.legend(fontsize=7.5, loc="upper left")
        bx.grid(True, axis="y", alpha=0.25)

        head = outcome.checks[0]
        status = "PASS" if all(c.passed for c in outcome.checks) else "FAIL"
        fig.suptitle(
            f"li_creep_rates{' (quick)' if quick else ''} — {status}: data exponent "
            f"{head.value:.2f} (check {DATA_EXPONENT_TARGET} ± {DATA_EXPONENT_TOLERANCE}); "
            "laws 5.0 (Anand steady) and 6.56 (Masias)\nsource: Ding et al., J. Power Sources "
            "488 (2021) 229404, quoted in Ham, PhD thesis UCSD 2024", fontsize=10.5)
        fig.tight_layout(rect=(0, 0, 1, 0.92))
        save_figure(fig, path)


__all__ = [
    "LiCreepRates",
    "LiFlowStress",
    "MaterialPoint",
    "anand_steady_exponent",
    "anand_steady_rate",
    "load_creep_rate_data",
    "load_flow_stress_reference",
    "strain_grid",
    "uniaxial_creep_test",
    "uniaxial_strain_test",
]
