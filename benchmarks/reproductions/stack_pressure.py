"""Stack pressure of Li | Li6PS5Cl | Li and NCM811 | Li6PS5Cl | Li cells on the reduced (0-D)
stack model (:mod:`ssbx.physics.stack_model`): calibrate on named data, predict the rest.

Two benchmarks (numpy only, seconds):

``stack_pressure_hold`` — the 25 MPa fixed-gap hold of Ham (PhD dissertation, UC San Diego 2024,
ch. 2 = Energy Storage Mater. 55 (2023) 455): 25 -> 23 MPa in 30 min, 21.1 MPa after 24 h (RT);
the empty plunger cell loses 2.2 MPa (RT) and 5.6 MPa (40 C) in 30 min
(``benchmarks/data/ham_pressure_hold.csv``).

- *Calibrated* (two data, one parameter each): the load train's Prony series on the empty-cell
  30-min loss (the data give only the end points, so the *form* is assumed: one Prony term with
  ``tau = 600 s``, i.e. 95 % of the fast relaxation within the 30 min, "followed by a gradual
  decrease after one hour"; alternatives in the sensitivity table: ``tau = 1800 s`` and a
  log-time law ``p = p_0 - a ln(1 + t/t_0)``, ``t_0 = 10 s`` = the logging interval, fitted by a
  Prony series with one term per decade); the Coulomb friction coefficient mu of the Li foil on
  its plates on Ding et al.'s 0.06 um/h at 2.2 MPa, 30 C (J. Power Sources 488 (2021) 229404,
  quoted by Ham; ``benchmarks/data/ding2021_li_creep_rates.csv``), for an ASSUMED foil of 100 um
  and 5 mm radius (Ding's geometry is not in the quoting source): the slab friction factor
  F(mu, R/h) that brings the Li creep law's uniaxial rate down to the measured thinning rate.
- *Predicted*: the cell's hold at RT (p at 30 min and 24 h), the Li cell's 30-min loss at 40 C,
  Ding's other rate (0.42 um/h at 3.5 MPa); Li creep of Masias et al. 2019 (power law, n = 6.56),
  with the Anand steady state (Narayan & Anand 2018, exponent 1/(m+n) = 5, calibrated the same
  way) as an alternative row.

``full_cell_pressure`` — the first charge of NCM811 | LPSCl | Li at 40 C from 5 MPa: the
pressure change for loadings 6.4 / 25.5 / 51.0 mg/cm2 (0.73 / 2.14 / 6.2 MPa, fixed gap) and
fixed gap vs springs at 25.5 mg/cm2 (6.96 vs 5.21 MPa; 3 x 5.5 lbf/mm on 0.785 cm2)
(``benchmarks/data/ham_full_cell_pressure.csv``). The fixture of benchmark 1 (its 40 C Prony
fit) and its Li friction are reused; one parameter, the spring guide's stick-slip threshold, is
calibrated on the 5.21 MPa springs datum; the rest is predicted.

Every assumed number is a module constant below with its reason; the sensitivity tables move one
assumption at a time.
"""

from __future__ import annotations

import csv
import io
import itertools
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
from ssbx.physics.creep_laws import LI_ELASTIC_MASIAS_2019, MASIAS_2019, NARAYAN_ANAND_2018
from ssbx.physics.elasticity import LI6PS5CL
from ssbx.physics.interface_stability import DENSITIES
from ssbx.physics.squeeze_flow import friction_for_factor
from ssbx.physics.stack_elements import (
    CompositeCathode,
    ElasticLayer,
    FixedGap,
    MetalFoil,
    Prony,
    Springs,
    fit_prony,
    layer_modulus,
)
from ssbx.physics.stack_model import Segment, StackModel
from ssbx.units import from_mA_per_cm2, from_mAh_per_cm2, parse_quantity, to_mAh_per_cm2

MPA = 1.0e6
UM = 1.0e-6
HOUR = 3600.0
CELSIUS = 273.15

HOLD_FILE = DATA_DIR / "ham_pressure_hold.csv"
DING_FILE = DATA_DIR / "ding2021_li_creep_rates.csv"
FULL_CELL_FILE = DATA_DIR / "ham_full_cell_pressure.csv"

ROOM_TEMPERATURE = 25.0 + CELSIUS
"""'Room temperature' of the hold [K] (not given; 25 C assumed, as in pressure_relaxation)."""
CELL_AREA = parse_quantity("0.785 cm^2", "[length] ** 2", "cell_area")
"""Li disc and die bore area [m^2] (Ham: 'punched into 0.785 cm2', 10 mm die)."""
FOIL_RADIUS = math.sqrt(CELL_AREA / math.pi)
"""Li foil radius [m] from the area (5.0 mm)."""
LI_THICKNESS = 100.0 * UM
"""Li foil thickness [m]: ASSUMED (not given by Ham nor in the quote of Ding), as in the
``pressure_relaxation`` and ``li_creep_rates`` benchmarks."""
SEPARATOR_MASS = parse_quantity("75 mg", "[mass]", "separator_mass")
"""LPSCl mass of the pellet (Ham: '75 mg of LPSCl in a 10 mm inner diameter')."""
SEPARATOR_THICKNESS = SEPARATOR_MASS / (DENSITIES["Li6PS5Cl"] * CELL_AREA)
"""Pellet thickness [m] for a dense pellet (X-ray density 1640 kg/m^3, estimate): 0.58 mm."""
FIXTURE_COMPLIANCE = 1.0 * UM / MPA
"""Series compliance of the load train [m/Pa] per cell area: ASSUMED 1 um/MPa (the 'stiff frame'
of the pressure_relaxation benchmark: load cell + plungers + bolted frame); swept 0.1-10."""
PRONY_TAU = 600.0
"""Assumed time constant [s] of the one-term Prony series of the empty fixture."""
LOG_T0 = 10.0
"""Time scale [s] of the log-time alternative of the empty fixture (Ham's logging interval)."""
DING_TEMPERATURE = 30.0 + CELSIUS
DING_RADIUS = FOIL_RADIUS
"""Radius of Ding's foil [m]: ASSUMED equal to Ham's (not given in the quoting source)."""
HOLD_PRESSURE = 25.0 * MPA
EMPTY_LOSS = {25.0: 2.2 * MPA, 40.0: 5.6 * MPA}
"""Empty-cell 30-min losses [Pa] by temperature [C] (ham_pressure_hold.csv, 'both cells')."""
HOLD_FACTOR_TOLERANCE = 2.0
"""Factor on the 30 min -> 24 h drop (as pressure_relaxation; fixed before the run)."""
P30_TOLERANCE = 1.0 * MPA
"""|p(30 min) - 23 MPa| accepted at RT [Pa] (fixed before the run)."""
DING_FACTOR_TOLERANCE = 2.0
"""Factor on the predicted 0.42 um/h (fixed before the run)."""

# full cell
FULL_CELL_TEMPERATURE = 40.0 + CELSIUS
FULL_CELL_PRESSURE = 5.0 * MPA
LOADINGS = (6.4, 25.5, 51.0)
"""Cathode composite loadings [mg/cm^2] (Ham, Fig. 2.8c)."""
ACTIVE_FRACTION = 0.66
"""NCM811 weight fraction of the composite (Ham: 66 : 31 : 3)."""
NCM811_CAPACITY = parse_quantity("200 mA*h/g", "[current] * [time] / [mass]", "capacity")
"""Practical first-charge capacity of NCM811 [C/kg]: ASSUMED 200 mAh/g (not given by Ham;
typical of NCM811 to ~4.3 V vs Li; swept 180-230)."""
CATHODE_CHANGE_PER_CAPACITY = -1.0 * UM / from_mAh_per_cm2(4.0)
"""Cathode thickness change per areal capacity on charge [m per C/m^2]: Ham's Table 2.1, -1 um at
4 mAh/cm2 (SEM); linear in the state of charge (assumed)."""
COMPOSITE_DENSITY = 3.0e3
"""Density of the pressed composite [kg/m^3]: ASSUMED (sets only its elastic compliance)."""
COMPOSITE_MODULUS = 20.0e9
"""Through-thickness modulus of the composite cathode [Pa]: ASSUMED (elastic compliance only)."""
CHARGE_CURRENT = from_mA_per_cm2(0.2)
"""First-charge current density [A/m^2]: ASSUMED 0.2 mA/cm2 (the first step of Ham's CCD
protocol 0.2 -> 1.0 mA/cm2)."""
SPRING_RATE = parse_quantity("5.5 lbf/mm", "[force] / [length]", "spring_rate")
"""One spring [N/m] (Ham: 'spring rate of 5.5 lb/mm', McMaster-Carr 1804N16)."""
N_SPRINGS = 3
SPRING_STIFFNESS = N_SPRINGS * SPRING_RATE / CELL_AREA
"""Springs' stiffness per cell area [Pa/m] (0.935 MPa/mm)."""
DP_FACTOR_TOLERANCE = 1.5
"""Factor on each first-charge pressure change (fixed before the run)."""


# --------------------------------------------------------------------------------------------
# data
# --------------------------------------------------------------------------------------------
def _read_commented_csv(path: Path) -> list[dict[str, str]]:
    lines = [ln for ln in Path(path).read_text(encoding="utf-8").splitlines()
             if ln.strip() and not ln.lstrip().startswith("#")]
    return list(csv.DictReader(io.StringIO("\n".join(lines))))


def load_hold_data() -> dict[str, dict[str, str]]:
    """Rows of ``ham_pressure_hold.csv`` by id."""
    return {r["id"]: r for r in _read_commented_csv(HOLD_FILE)}


def load_ding_data() -> list[tuple[float, float]]:
    """``(pressure [Pa], thinning rate [m/s])`` of ``ding2021_li_creep_rates.csv``."""
    return [(float(r["pressure_MPa"]) * MPA, float(r["creep_rate_um_per_h"]) * UM / HOUR)
            for r in _read_commented_csv(DING_FILE)]


def load_full_cell_data() -> dict[str, dict[str, str]]:
    """Rows of ``ham_full_cell_pressure.csv`` by id."""
    return {r["id"]: r for r in _read_commented_csv(FULL_CELL_FILE)}


# --------------------------------------------------------------------------------------------
# creep laws and calibrations
# --------------------------------------------------------------------------------------------
class AnandSteadyCreep:
    """The steady state of the Anand model of Li as a J2 creep law:
    ``nu_p = A_eff (sigma / S_tilde)^(1/(m+n))`` (see :class:`ssbx.physics.creep_laws.AnandLi`)."""

    def __init__(self, law: Any = NARAYAN_ANAND_2018) -> None:
        self.law = law
        self.n = 1.0 / (law.m + law.n)

    def rate(self, sigma_eq: float, temperature: float) -> float:
        """Equivalent creep rate [1/s]."""
        if sigma_eq <= 0.0:
            return 0.0
        return self.law.A_eff(temperature) * (sigma_eq / self.law.S_tilde) ** self.n

    def stress_for_rate(self, rate: float, temperature: float) -> float:
        """Inverse of :meth:`rate` [Pa]."""
        return self.law.S_tilde * (rate / self.law.A_eff(temperature)) ** (1.0 / self.n)


LAWS: dict[str, Any] = {"masias": MASIAS_2019, "anand_steady": AnandSteadyCreep()}


def calibrate_friction(law: Any, thickness: float = LI_THICKNESS, radius: float = DING_RADIUS
                       ) -> dict[str, float]:
    """The Coulomb coefficient that makes a foil of ``thickness`` and ``radius`` [m] thin at
    Ding's 0.06 um/h under 2.2 MPa (30 C) with ``law`` (slab friction factor, squeeze flow);
    ``reachable`` is False (and mu the sticking value 1/sqrt(3)) when even a foil that sticks
    everywhere would thin faster."""
    (p_cal, v_cal), (p_pred, v_pred) = load_ding_data()
    sigma = law.stress_for_rate(v_cal / thickness, DING_TEMPERATURE)
    factor = p_cal / sigma
    try:
        mu, reachable = friction_for_factor(factor, radius / thickness), True
    except ValueError:  # even a foil that sticks everywhere creeps faster: take sticking
        mu, reachable = 1.0 / math.sqrt(3.0), False
    foil = li_foil("ding", law, mu, thickness, radius, side=0)
    v_model = foil.creep_strain_rate(p_cal, thickness, DING_TEMPERATURE) * thickness
    v_next = foil.creep_strain_rate(p_pred, thickness, DING_TEMPERATURE) * thickness
    return {"mu": mu, "friction_factor": factor, "effective_stress": sigma,
            "rate_calibrated": v_model, "rate_calibrated_target": v_cal,
            "rate_predicted": v_next, "rate_predicted_target": v_pred,
            "pressure_calibrated": p_cal, "pressure_predicted": p_pred,
            "reachable": reachable}


DIE_CLEARANCES = (10.0, 25.0, 50.0)
"""Plunger-die clearances [um] of the die-confined variant: ASSUMED (Ham's PEEK die and steel
plungers; not given), the flux through it scales as clearance^(n+2)."""
DIE_CLEARANCE_LENGTH = 1.0e-3
"""Length [m] of the clearance the extruded Li flows along: ASSUMED 1 mm (the flux scales as
length^(-n))."""


def li_foil(name: str, law: Any, mu: float, thickness: float = LI_THICKNESS,
            radius: float = FOIL_RADIUS, side: int = 0,
            die_clearance: float | None = None) -> MetalFoil:
    """A Li foil (Masias elastic constants, laterally confined modulus) with Coulomb friction,
    or, with ``die_clearance`` [m], confined by the die bore and extruding only into that
    clearance (:func:`ssbx.physics.squeeze_flow.die_extrusion_thinning_rate`)."""
    if die_clearance is not None:
        return MetalFoil(name, thickness, layer_modulus(LI_ELASTIC_MASIAS_2019), side=side,
                         creep=law, friction="die", radius=radius, clearance=die_clearance,
                         clearance_length=DIE_CLEARANCE_LENGTH)
    return MetalFoil(name, thickness, layer_modulus(LI_ELASTIC_MASIAS_2019), side=side,
                     creep=law, friction="coulomb", friction_coefficient=mu, radius=radius)


def empty_fixture_prony(temperature_c: float, form: str = "prony600") -> Prony:
    """The load train's relaxation calibrated on the empty cell's 30-min loss at
    ``temperature_c``: ``prony600`` / ``prony1800`` (one term, tau = 600 / 1800 s, through the
    two end points) or ``logtime`` (least-squares Prony fit, one term per decade from 10 s to
    1e5 s, of ``p_0 - a ln(1 + t/t_0)`` sampled to 24 h)."""
    loss = EMPTY_LOSS[temperature_c]
    if form in ("prony600", "prony1800"):
        tau = PRONY_TAU if form == "prony600" else 1800.0
        return fit_prony([0.0, 1800.0], [HOLD_PRESSURE, HOLD_PRESSURE - loss], [tau]).prony
    if form == "logtime":
        a = loss / math.log1p(1800.0 / LOG_T0)
        t = np.concatenate([[0.0], np.geomspace(LOG_T0, 86400.0, 120)])
        p = HOLD_PRESSURE - a * np.log1p(t / LOG_T0)
        return fit_prony(t, p, [LOG_T0 * 10.0 ** k for k in range(5)]).prony
    raise ValueError(f"unknown fixture form {form!r}")


def log_segments(t_end: float, steps: int, first: float = 1.0,
                 current_density: float = 0.0) -> list[Segment]:
    """Geometrically growing one-step segments from ``first`` to ``t_end`` [s]."""
    times = np.concatenate([[0.0], np.geomspace(first, t_end, steps)])
    return [Segment(float(b - a), current_density, 1) for a, b in itertools.pairwise(times)]


def hold_run(law: Any, mu: float, temperature: float, prony: Prony, *, steps: int,
             thickness: float = LI_THICKNESS, compliance: float = FIXTURE_COMPLIANCE,
             creep: bool = True, die_clearance: float | None = None) -> Any:
    """The 25 MPa fixed-gap hold of Li | LPSCl | Li for 24 h."""
    law_used = law if creep else None
    layers = [li_foil("li_bottom", law_used, mu, thickness, die_clearance=die_clearance),
              ElasticLayer.from_material("separator", SEPARATOR_THICKNESS, LI6PS5CL),
              li_foil("li_top", law_used, mu, thickness, die_clearance=die_clearance)]
    model = StackModel(layers, FixedGap(compliance, prony), temperature)
    return model.run(log_segments(86400.0, steps), HOLD_PRESSURE)


def _at(h: Any, t: float) -> float:
    return float(np.interp(t, h.time, h.pressure))


def hold_summary(h: Any) -> dict[str, float]:
    """Pressures at 30 min and 24 h and the drops [MPa]."""
    p30, p24 = _at(h, 1800.0), _at(h, 86400.0)
    return {"p_30min_MPa": p30 / MPA, "p_24h_MPa": p24 / MPA,
            "drop_0_30min_MPa": (HOLD_PRESSURE - p30) / MPA,
            "drop_30min_24h_MPa": (p30 - p24) / MPA}


def _sticking(cal: dict[str, Any]) -> str:
    return "" if cal["reachable"] else " (not reachable: sticking)"


def _factor(pred: float, meas: float) -> float:
    if pred <= 0.0 or meas <= 0.0:
        return math.inf
    return max(pred / meas, meas / pred)


# --------------------------------------------------------------------------------------------
# benchmark 1: the hold
# --------------------------------------------------------------------------------------------
@register
class StackPressureHold(DirectBenchmark):
    """Benchmark ``stack_pressure_hold``: Ham's 25 MPa hold on the reduced stack model, with the
    fixture calibrated on the empty cell and the Li friction on one Ding creep rate."""

    name = "stack_pressure_hold"
    title = "25 MPa fixed-gap hold of Li | Li6PS5Cl | Li on the reduced stack model"
    source = (
        "S.-Y. Ham, PhD dissertation, UC San Diego (2024), ch. 2 (= Energy Storage Materials 55 "
        "(2023) 455-462), Fig. 2.4: 25 -> 23 MPa in 30 min, 21.1 MPa after 24 h (RT); empty cell "
        "2.2 MPa (RT) / 5.6 MPa (40 C) in 30 min; S. Ding et al., J. Power Sources 488 (2021) "
        "229404 (via Ham): Li foil creep 0.06 / 0.42 um/h at 2.2 / 3.5 MPa, 30 C"
    )
    reference = (
        "benchmarks/data/ham_pressure_hold.csv and benchmarks/data/ding2021_li_creep_rates.csv "
        "(quotes, caveats); calibrated: empty-fixture Prony series (2.2 / 5.6 MPa in 30 min) and "
        "the Li foil's Coulomb mu (0.06 um/h at 2.2 MPa); predicted: the cell's hold, 40 C vs RT, "
        "0.42 um/h at 3.5 MPa"
    )
    metric = (
        "drop 30 min -> 24 h of the Li cell at RT (Masias power law, calibrated mu, fixture "
        "compliance 1 um/MPa, Li 100 um) against the measured 23 - 21.1 = 1.9 MPa, as a factor"
    )
    tolerance = (
        f"factor {HOLD_FACTOR_TOLERANCE:g} on the 30 min -> 24 h drop; |p(30 min) - 23 MPa| <= "
        f"{P30_TOLERANCE / MPA:g} MPa; Li-cell 30-min loss at 40 C at most the measured 5.6 MPa "
        f"('both cells'); factor {DING_FACTOR_TOLERANCE:g} on Ding's 0.42 um/h; calibrations "
        "reproduce their data to 1e-6 (all fixed before the run)"
    )

    def compute(self, comm: MPI.Comm, console: Any, quick: bool, out_dir: Path) -> Outcome:
        """On rank 0: calibrations, the hold per law and temperature, the sensitivity table."""
        if comm.rank != 0:
            return Outcome(rows=[], checks=[])
        steps = 60 if quick else 240
        hold = load_hold_data()
        p30_meas = float(hold["rt_p30min"]["value_MPa"])
        p24_meas = float(hold["rt_p24h"]["value_MPa"])
        drop_meas = float(hold["rt_drop_30min_24h"]["value_MPa"])
        pronys = {tc: empty_fixture_prony(tc) for tc in (25.0, 40.0)}
        empty_loss = {tc: HOLD_PRESSURE * (1.0 - float(pronys[tc].relaxation(1800.0)))
                      for tc in pronys}
        cal = {key: calibrate_friction(law) for key, law in LAWS.items()}
        rows: list[dict[str, Any]] = []
        curves: dict[str, Any] = {}

        def add(case: str, law_key: str, assumption: str, value: str, h: Any,
                mu: float, temperature_c: float) -> dict[str, Any]:
            s = hold_summary(h)
            row = {"case": case, "law": law_key, "assumption": assumption, "value": value,
                   "temperature_C": temperature_c, "mu": mu, **s,
                   "drop_30min_24h_factor": _factor(s["drop_30min_24h_MPa"], drop_meas),
                   "li_thinning_24h_um": float(h.thickness["li_top"][0]
                                               - h.thickness["li_top"][-1]) / UM}
            rows.append(row)
            return row

        for key, law in LAWS.items():
            mu = cal[key]["mu"]
            for tc in (25.0, 40.0):
                h = hold_run(law, mu, tc + CELSIUS, pronys[tc], steps=steps)
                add(f"{key}_{tc:g}C", key, "base", "", h, mu, tc)
                curves[f"{key}_{tc:g}C"] = (h.time.copy(), h.pressure.copy())
        for tc in (25.0, 40.0):
            h = hold_run(None, 0.0, tc + CELSIUS, pronys[tc], steps=steps, creep=False)
            add(f"fixture_only_{tc:g}C", "none", "Li elastic (fixture relaxation only)", "",
                h, 0.0, tc)
            curves[f"fixture_only_{tc:g}C"] = (h.time.copy(), h.pressure.copy())
        h = hold_run(None, 0.0, ROOM_TEMPERATURE, empty_fixture_prony(25.0, "logtime"),
                     steps=steps, creep=False)
        add("fixture_only_logtime_25C", "none", "Li elastic, log-time fixture", "", h, 0.0, 25.0)
        curves["fixture_only_logtime_25C"] = (h.time.copy(), h.pressure.copy())
        # the Li confined by the die bore, extruding only into the plunger clearance (assumed)
        for gap in DIE_CLEARANCES:
            for tc in (25.0, 40.0):
                h = hold_run(LAWS["masias"], 0.0, tc + CELSIUS, pronys[tc], steps=steps,
                             die_clearance=gap * UM)
                add(f"die_{gap:g}um_{tc:g}C", "masias", "Li in the die, clearance [um] "
                    f"(length {DIE_CLEARANCE_LENGTH * 1e3:g} mm)", f"{gap:g}", h, 0.0, tc)
                curves[f"die_{gap:g}um_{tc:g}C"] = (h.time.copy(), h.pressure.copy())
        base = {r["case"]: r for r in rows}
        say(comm, console, f"  calibrated mu = {cal['masias']['mu']:.4f} (Masias), "
            f"{cal['anand_steady']['mu']:.4f} (Anand); base RT: p(30 min) = "
            f"{base['masias_25C']['p_30min_MPa']:.2f} MPa, p(24 h) = "
            f"{base['masias_25C']['p_24h_MPa']:.2f} MPa (measured 23, 21.1)")

        # sensitivity (Masias, RT), one assumption at a time
        law = LAWS["masias"]
        mu0 = cal["masias"]["mu"]
        sens = []
        thicknesses = (50.0, 250.0) if quick else (50.0, 100.0, 250.0)
        for hum in thicknesses:
            c = calibrate_friction(law, hum * UM)
            h = hold_run(law, c["mu"], ROOM_TEMPERATURE, pronys[25.0], steps=steps,
                         thickness=hum * UM)
            sens.append(add("sens", "masias", "Li thickness (Ding and Ham foils, mu "
                            "recalibrated) [um]", f"{hum:g}" + _sticking(c), h, c["mu"], 25.0))
        for rmm in ((2.5,) if quick else (2.5, 10.0)):
            c = calibrate_friction(law, LI_THICKNESS, rmm * 1e-3)
            h = hold_run(law, c["mu"], ROOM_TEMPERATURE, pronys[25.0], steps=steps)
            sens.append(add("sens", "masias", "Ding foil radius (mu recalibrated; Ham foil "
                            "5 mm) [mm]", f"{rmm:g}" + _sticking(c), h, c["mu"], 25.0))
        for scale in (0.5, 1.5):
            h = hold_run(law, mu0 * scale, ROOM_TEMPERATURE, pronys[25.0], steps=steps)
            sens.append(add("sens", "masias", "mu x", f"{scale:g}", h, mu0 * scale, 25.0))
        for form in ("prony1800", "logtime"):
            h = hold_run(law, mu0, ROOM_TEMPERATURE, empty_fixture_prony(25.0, form),
                         steps=steps)
            sens.append(add("sens", "masias", "empty-fixture form", form, h, mu0, 25.0))
        for comp in (0.1, 10.0):
            h = hold_run(law, mu0, ROOM_TEMPERATURE, pronys[25.0], steps=steps,
                         compliance=comp * UM / MPA)
            sens.append(add("sens", "masias", "fixture compliance [um/MPa]", f"{comp:g}", h,
                            mu0, 25.0))

        m25, m40 = base["masias_25C"], base["masias_40C"]
        a25 = base["anand_steady_25C"]
        ding_pred = cal["masias"]["rate_predicted"]
        ding_meas = cal["masias"]["rate_predicted_target"]
        cal_err = max(abs(c["rate_calibrated"] / c["rate_calibrated_target"] - 1.0)
                      for c in cal.values())
        prony_err = max(abs(empty_loss[tc] / EMPTY_LOSS[tc] - 1.0) for tc in empty_loss)
        checks = [
            Check("drop_30min_24h_factor",
                  f"Masias, RT: predicted drop 30 min -> 24 h {m25['drop_30min_24h_MPa']:.3g} MPa "
                  f"vs measured {drop_meas:g} MPa; value = max(pred/meas, meas/pred)",
                  m25["drop_30min_24h_factor"], HOLD_FACTOR_TOLERANCE, "max"),
            Check("p_30min_rt", f"Masias, RT: p(30 min) [MPa] vs the measured {p30_meas:g} MPa",
                  m25["p_30min_MPa"], P30_TOLERANCE / MPA, "abs", p30_meas, "MPa"),
            Check("li_cell_40C_0_30min_bound", "Masias, 40 C: Li-cell loss in the first 30 min "
                  "[MPa], at most the measured 5.6 MPa ('both cells' lost it)",
                  m40["drop_0_30min_MPa"], EMPTY_LOSS[40.0] / MPA, "max", 0.0, "MPa"),
            Check("ding_3p5MPa_factor", f"predicted thinning at 3.5 MPa "
                  f"{ding_pred / UM * HOUR:.3g} um/h vs {ding_meas / UM * HOUR:g} um/h (Masias, "
                  "mu calibrated at 2.2 MPa); factor", _factor(ding_pred, ding_meas),
                  DING_FACTOR_TOLERANCE, "max"),
            Check("friction_calibration", "calibrated foils reproduce 0.06 um/h at 2.2 MPa "
                  "(both laws); largest relative error", cal_err, 1.0e-6, "max"),
            Check("fixture_calibration", "Prony series reproduce the empty-cell 30-min losses "
                  "2.2 / 5.6 MPa; largest relative error", prony_err, 1.0e-6, "max"),
        ]
        statement = (
            f"Calibrated: the empty fixture (one Prony term, tau = {PRONY_TAU:g} s: g = "
            f"{pronys[25.0].weights[0]:.4f} at RT, {pronys[40.0].weights[0]:.4f} at 40 C) and the "
            f"Li foil's Coulomb mu = {mu0:.4f} (friction factor "
            f"{cal['masias']['friction_factor']:.2f}: the 2.2 MPa stack pressure drives creep "
            f"like {cal['masias']['effective_stress'] / MPA:.3f} MPa uniaxial). Predicted, RT, "
            f"Masias: p(30 min) = {m25['p_30min_MPa']:.2f} MPa (measured {p30_meas:g}), p(24 h) "
            f"= {m25['p_24h_MPa']:.2f} MPa (measured {p24_meas:g}); Anand steady state (mu = "
            f"{cal['anand_steady']['mu']:.4f}): {a25['p_30min_MPa']:.2f} and "
            f"{a25['p_24h_MPa']:.2f} MPa. The fixture alone gives "
            f"{base['fixture_only_25C']['p_30min_MPa']:.2f} / "
            f"{base['fixture_only_25C']['p_24h_MPa']:.2f} MPa; with the log-time form of the same "
            f"30-min datum (extrapolated beyond it) "
            f"{base['fixture_only_logtime_25C']['p_30min_MPa']:.2f} / "
            f"{base['fixture_only_logtime_25C']['p_24h_MPa']:.2f} MPa, i.e. the empty fixture "
            "alone could carry the whole measured 24-h loss if it kept relaxing in log time "
            "(Ham: both cells decrease gradually after one hour). A foil calibrated to creep at "
            "0.06 um/h at 2.2 MPa creeps ~(25/2.2)^6.56 ~ 1e7 times faster at 25 MPa: the free "
            "squeeze-flow foil empties the hold within minutes until the pressure falls to a few "
            "MPa. The measured slow relaxation needs the Li to be held laterally (Ham's foil "
            "fills the 10 mm die bore; it can only extrude into the clearance; see the "
            "die-confined variant at the end). Ding's 0.42 um/h at 3.5 MPa is predicted "
            f"{ding_pred / UM * HOUR:.3g} um/h (n = 6.56 vs the data's 4.2). The headline "
            f"(30 min -> 24 h drop) factor is {m25['drop_30min_24h_factor']:.2f}, but the model's "
            f"drop happens between {m25['p_30min_MPa']:.1f} and {m25['p_24h_MPa']:.1f} MPa, not "
            "between 23 and 21.1: a matching drop there is a coincidence, not agreement."
        + " Confined by the die instead (Li extruding only into an assumed plunger clearance "
            f"of {', '.join(f'{g:g}' for g in DIE_CLEARANCES)} um, "
            f"{DIE_CLEARANCE_LENGTH * 1e3:g} mm long), the RT hold ends at "
            + ", ".join(f"{base[f'die_{g:g}um_25C']['p_30min_MPa']:.2f} / "
                        f"{base[f'die_{g:g}um_25C']['p_24h_MPa']:.2f}" for g in DIE_CLEARANCES)
            + " MPa (30 min / 24 h): the Li then barely relieves the hold and the fixture's "
            "relaxation sets it — the clearance (its flux ~ clearance^8.6 until the foil's own "
            "squeeze film in series limits it) is the unknown that decides between the two "
            "pictures."
        )
        findings = {
            "calibration": {"prony_rt": {"weights": pronys[25.0].weights,
                                         "times_s": pronys[25.0].times},
                            "prony_40C": {"weights": pronys[40.0].weights,
                                          "times_s": pronys[40.0].times},
                            "friction": cal},
            "base": {k: v for k, v in base.items() if k != "sens"},
            "measured": {"p_30min_MPa": p30_meas, "p_24h_MPa": p24_meas,
                         "drop_30min_24h_MPa": drop_meas},
            "assumptions": {
                "li_thickness_um": LI_THICKNESS / UM, "foil_radius_mm": FOIL_RADIUS * 1e3,
                "ding_foil": "same as Ham's (100 um, R = 5 mm), 30 C",
                "separator_thickness_mm": SEPARATOR_THICKNESS * 1e3,
                "fixture_compliance_um_per_MPa": FIXTURE_COMPLIANCE * MPA / UM,
                "empty_fixture_form": f"one Prony term, tau = {PRONY_TAU:g} s",
                "room_temperature_K": ROOM_TEMPERATURE,
                "li_modulus": "confined (uniaxial-strain) modulus of Masias 2019",
                "li_lateral": "free edge, Coulomb slab squeeze flow (no die wall)"},
            "statement": statement,
        }
        return Outcome(rows=rows, checks=checks, findings=findings,
                       plot_data={"curves": curves, "sens": sens})

    def plot(self, outcome: Outcome, path: Path, quick: bool) -> None:
        """p(t) (log time): measured points, model per law and the fixture alone; sensitivity."""
        plt = pyplot()
        d = outcome.plot_data
        fig, (ax, bx) = plt.subplots(1, 2, figsize=(14.0, 6.0))
        styles = {"masias_25C": ("tab:red", "-", "Masias, RT"),
                  "masias_40C": ("tab:red", ":", "Masias, 40 °C"),
                  "anand_steady_25C": ("tab:blue", "-", "Anand steady, RT"),
                  "anand_steady_40C": ("tab:blue", ":", "Anand steady, 40 °C"),
                  "fixture_only_25C": ("0.3", "-", "fixture only (calibrated), RT"),
                  "fixture_only_40C": ("0.3", ":", "fixture only (calibrated), 40 °C"),
                  "fixture_only_logtime_25C": ("tab:green", "--",
                                               "fixture only, log-time form, RT")}
        for k, gap in enumerate(DIE_CLEARANCES):
            col = ("tab:purple", "tab:orange", "tab:brown")[k % 3]
            styles[f"die_{gap:g}um_25C"] = (col, "-.", f"Li in the die, clearance {gap:g} um, RT")
            styles[f"die_{gap:g}um_40C"] = (col, (0, (1, 3)), f"Li in the die, {gap:g} um, 40 °C")
        for key, (t, p) in d["curves"].items():
            col, ls, lab = styles[key]
            ax.plot(t[1:] / 60.0, p[1:] / MPA, color=col, ls=ls, lw=1.6, label=lab)
        ax.plot([30.0, 1440.0], [23.0, 21.1], "ko", ms=8, label="Ham 2024, Li cell, RT")
        ax.plot([30.0], [25.0 - 5.6], "ks", mfc="none", ms=8,
                label="Ham 2024, 40 °C: 5.6 MPa lost in 30 min (both cells)")
        ax.set_xscale("log")
        ax.set_xlabel("time (min)")
        ax.set_ylabel("stack pressure (MPa)")
        ax.set_ylim(0.0, 26.0)
        ax.grid(True, which="both", alpha=0.25)
        ax.legend(fontsize=8, loc="lower left")
        ax.set_title("25 MPa fixed-gap hold, reduced stack model", fontsize=10)
        labels = [f"{r['assumption'].split(' [')[0].split(' (')[0]}: {r['value']}"
                  for r in d["sens"]]
        y = np.arange(len(d["sens"]))
        bx.barh(y - 0.2, [r["p_30min_MPa"] for r in d["sens"]], 0.4, label="p(30 min)")
        bx.barh(y + 0.2, [r["p_24h_MPa"] for r in d["sens"]], 0.4, label="p(24 h)")
        bx.axvline(23.0, color="k", ls="--", lw=1, label="measured 23 / 21.1 MPa")
        bx.axvline(21.1, color="k", ls=":", lw=1)
        bx.set_yticks(y, labels, fontsize=7.5)
        bx.set_xlabel("stack pressure (MPa)")
        bx.set_title("sensitivity (Masias, RT), one assumption at a time", fontsize=10)
        bx.legend(fontsize=8)
        head = outcome.checks[0]
        status = "PASS" if all(c.passed for c in outcome.checks) else "FAIL"
        fig.suptitle(f"stack_pressure_hold{' (quick)' if quick else ''} — {status}: 30 min -> "
                     f"24 h drop factor {head.value:.3g} (tolerance {head.tolerance:g})\n"
                     "Ham, PhD thesis UCSD 2024 ch. 2 (Energy Storage Mater. 55 (2023) 455); "
                     "Ding et al., J. Power Sources 488 (2021) 229404", fontsize=10)
        fig.tight_layout(rect=(0, 0, 1, 0.92))
        save_figure(fig, path)


# --------------------------------------------------------------------------------------------
# benchmark 2: the full cell
# --------------------------------------------------------------------------------------------
def areal_capacity(loading_mg_per_cm2: float, capacity: float = NCM811_CAPACITY) -> float:
    """Areal capacity [C/m^2] of a composite loading [mg/cm^2] (66 wt% NCM811)."""
    loading = parse_quantity(f"{loading_mg_per_cm2!r} mg/cm^2", "[mass] / [length] ** 2",
                             "loading")
    return loading * ACTIVE_FRACTION * capacity


def full_cell_run(loading: float, fixture: Any, *, steps: int, mu: float,
                  law: Any = MASIAS_2019, capacity: float = NCM811_CAPACITY,
                  cathode_change: float = CATHODE_CHANGE_PER_CAPACITY,
                  li_thickness: float = LI_THICKNESS, creep: bool = True,
                  die_clearance: float | None = None) -> Any:
    """The first charge of NCM811 | LPSCl | Li from 5 MPa at 40 C (Li plates on the anode;
    with ``die_clearance`` [m] the Li is confined by the die, see :func:`li_foil`)."""
    q = areal_capacity(loading, capacity)
    mass = parse_quantity(f"{loading!r} mg/cm^2", "[mass] / [length] ** 2", "loading")
    h_cat = mass / COMPOSITE_DENSITY
    cathode = CompositeCathode("cathode", h_cat, COMPOSITE_MODULUS, (0.0, 1.0),
                               (0.0, cathode_change * q / h_cat))
    layers = [cathode, ElasticLayer.from_material("separator", SEPARATOR_THICKNESS, LI6PS5CL),
              li_foil("li", law if creep else None, mu, li_thickness, side=1,
                      die_clearance=die_clearance)]
    model = StackModel(layers, fixture, FULL_CELL_TEMPERATURE, capacity=q, initial_soc=0.0)
    duration = q / CHARGE_CURRENT
    return model.run(log_segments(duration, steps, first=1.0, current_density=CHARGE_CURRENT),
                     FULL_CELL_PRESSURE)


def _dp(h: Any) -> float:
    """Pressure change at the end of charge [Pa]."""
    return float(h.pressure[-1] - h.pressure[0])


CALIBRATION_CLEARANCE = 25.0
"""Die clearance [um] of the compliance calibration (the middle of the assumed range)."""


def calibrate_die_compliance(target: float, steps: int) -> float:
    """The load train's series compliance [m/Pa] that gives the die-confined cell (clearance
    :data:`CALIBRATION_CLEARANCE`, 40 C Prony) the first-charge change ``target`` [Pa] at
    25.5 mg/cm^2 (bisection in log C over 0.1-1000 um/MPa); NaN if outside."""
    def change(log_c: float) -> float:
        fixture = FixedGap(math.exp(log_c), empty_fixture_prony(40.0))
        return _dp(full_cell_run(25.5, fixture, steps=steps, mu=0.0,
                                 die_clearance=CALIBRATION_CLEARANCE * UM)) - target

    lo, hi = math.log(0.1 * UM / MPA), math.log(1000.0 * UM / MPA)
    f_lo, f_hi = change(lo), change(hi)
    if f_lo * f_hi > 0.0:
        return math.nan
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        f_mid = change(mid)
        if f_mid * f_lo > 0.0:
            lo, f_lo = mid, f_mid
        else:
            hi = mid
        if hi - lo < 1e-6:
            break
    return math.exp(0.5 * (lo + hi))


def calibrate_spring_friction(mu: float, target: float, steps: int) -> tuple[float, float]:
    """The spring-guide friction threshold [Pa] that gives ``target`` [Pa] at the end of the
    charge (bisection on 0-5 MPa); returns (threshold, change), the threshold NaN when the
    change at 0 and at 5 MPa lie on the same side of the target (not reachable)."""
    def change(fc: float) -> float:
        fx = Springs(SPRING_STIFFNESS, FIXTURE_COMPLIANCE, fc)
        return _dp(full_cell_run(25.5, fx, steps=steps, mu=mu)) - target

    lo, hi = 0.0, 5.0 * MPA
    f_lo, f_hi = change(lo), change(hi)
    if (f_lo > 0.0) == (f_hi > 0.0):
        return math.nan, f_lo + target
    for _ in range(40):
        mid = 0.5 * (lo + hi)
        fm = change(mid)
        if (fm > 0.0) == (f_lo > 0.0):
            lo, f_lo = mid, fm
        else:
            hi = mid
    fc = 0.5 * (lo + hi)
    return fc, change(fc) + target


@register
class FullCellPressure(DirectBenchmark):
    """Benchmark ``full_cell_pressure``: first-charge stack-pressure change of NCM811 | LPSCl |
    Li cells (Ham 2024) on the reduced stack model with the fixture and Li friction of
    ``stack_pressure_hold``."""

    name = "full_cell_pressure"
    title = "First-charge stack pressure of NCM811 | Li6PS5Cl | Li vs loading and fixture"
    source = (
        "S.-Y. Ham, PhD dissertation, UC San Diego (2024), ch. 2 (= Energy Storage Materials 55 "
        "(2023) 455-462), Fig. 2.8c, 2.9, Table 2.1: first-charge pressure change 0.73 / 2.14 / "
        "6.2 MPa at 6.4 / 25.5 / 51.0 mg/cm2 (fixed gap, 5 MPa, 40 C); 6.96 (fixed gap) vs 5.21 "
        "MPa (springs 3 x 5.5 lb/mm) at 25.5 mg/cm2"
    )
    reference = (
        "benchmarks/data/ham_full_cell_pressure.csv (quotes, what is not given); the fixture "
        "(40 C Prony series) and the Li friction from stack_pressure_hold"
    )
    metric = (
        "largest factor max(pred/meas, meas/pred) of the first-charge pressure change over the "
        "three loadings (fixed gap)"
    )
    tolerance = (
        f"factor {DP_FACTOR_TOLERANCE:g} on each pressure change and on 6.96 - 5 MPa (fixed gap, "
        "25.5 mg/cm2); the springs' friction threshold reproduces 5.21 MPa to 1e-3 MPa (its "
        "calibration); curvature reported, not toleranced (fixed before the run)"
    )

    def compute(self, comm: MPI.Comm, console: Any, quick: bool, out_dir: Path) -> Outcome:
        """On rank 0: the three loadings (fixed gap), springs vs fixed gap, sensitivities."""
        if comm.rank != 0:
            return Outcome(rows=[], checks=[])
        steps = 40 if quick else 160
        data = load_full_cell_data()
        meas = [float(data[k]["value"]) for k in ("dp_6p4", "dp_25p5", "dp_51p0")]
        p_fixed_meas = float(data["p_fixed_25p5"]["value"])
        p_spring_meas = float(data["p_springs_25p5"]["value"])
        mu = calibrate_friction(MASIAS_2019)["mu"]
        fixed = FixedGap(FIXTURE_COMPLIANCE, empty_fixture_prony(40.0))
        rows: list[dict[str, Any]] = []
        curves: dict[str, Any] = {}

        def add(case: str, assumption: str, value: str, loading: float, h: Any,
                measured: float) -> dict[str, Any]:
            dp = _dp(h) / MPA
            row = {"case": case, "assumption": assumption, "value": value,
                   "loading_mg_per_cm2": loading,
                   "capacity_mAh_per_cm2": to_mAh_per_cm2(float(h.capacity[-1])),
                   "dp_end_of_charge_MPa": dp,
                   "p_max_MPa": float(np.max(h.pressure)) / MPA,
                   "measured_dp_MPa": measured,
                   "factor": _factor(dp, measured) if math.isfinite(measured) else math.nan}
            rows.append(row)
            return row

        base = []
        for lo, me in zip(LOADINGS, meas, strict=True):
            h = full_cell_run(lo, fixed, steps=steps, mu=mu)
            base.append(add("fixed_gap", "base", "", lo, h, me))
            curves[f"fixed_{lo:g}"] = (h.capacity.copy(), h.pressure.copy())
            h0 = full_cell_run(lo, fixed, steps=steps, mu=mu, creep=False)
            add("fixed_gap_no_creep", "Li elastic (no creep relief)", "", lo, h0, me)
            curves[f"nocreep_{lo:g}"] = (h0.capacity.copy(), h0.pressure.copy())
            for gap in DIE_CLEARANCES:
                hd = full_cell_run(lo, fixed, steps=steps, mu=mu, die_clearance=gap * UM)
                add(f"fixed_gap_die_{gap:g}um", "Li in the die, clearance [um] (length "
                    f"{DIE_CLEARANCE_LENGTH * 1e3:g} mm)", f"{gap:g}", lo, hd, me)
        target = (p_spring_meas - FULL_CELL_PRESSURE / MPA) * MPA
        fc, dp_spring = calibrate_spring_friction(mu, target, steps)
        fx = Springs(SPRING_STIFFNESS, FIXTURE_COMPLIANCE, 0.0 if math.isnan(fc) else fc)
        hs = full_cell_run(25.5, fx, steps=steps, mu=mu)
        spring_row = add("springs", "friction threshold calibrated [MPa]",
                         f"{fc / MPA:.4g}", 25.5, hs, p_spring_meas - FULL_CELL_PRESSURE / MPA)
        h_ideal = full_cell_run(25.5, Springs(SPRING_STIFFNESS, FIXTURE_COMPLIANCE, 0.0),
                                steps=steps, mu=mu)
        add("springs_ideal", "frictionless springs", "", 25.5, h_ideal,
            p_spring_meas - FULL_CELL_PRESSURE / MPA)
        curves["springs_25.5"] = (hs.capacity.copy(), hs.pressure.copy())

        # sensitivity at 25.5 mg/cm2 (fixed gap), one assumption at a time
        sens = []
        me25 = meas[1]
        for cap in ((180.0, 230.0) if quick else (180.0, 190.0, 230.0)):
            c = parse_quantity(f"{cap!r} mA*h/g", "[current] * [time] / [mass]", "capacity")
            sens.append(add("sens", "NCM811 capacity [mAh/g]", f"{cap:g}", 25.5,
                            full_cell_run(25.5, fixed, steps=steps, mu=mu, capacity=c), me25))
        for um in (0.0, -2.0):
            cc = um * UM / from_mAh_per_cm2(4.0)
            sens.append(add("sens", "cathode change at 4 mAh/cm2 [um]", f"{um:g}", 25.5,
                            full_cell_run(25.5, fixed, steps=steps, mu=mu, cathode_change=cc),
                            me25))
        for hum in (50.0, 250.0):
            c_h = calibrate_friction(MASIAS_2019, hum * UM)
            sens.append(add("sens", "Li thickness (mu recalibrated) [um]",
                            f"{hum:g}" + _sticking(c_h), 25.5,
                            full_cell_run(25.5, fixed, steps=steps, mu=c_h["mu"],
                                          li_thickness=hum * UM), me25))
        for scale in (0.5, 1.5):
            sens.append(add("sens", "mu x", f"{scale:g}", 25.5,
                            full_cell_run(25.5, fixed, steps=steps, mu=mu * scale), me25))
        for comp in (0.1, 10.0):
            fxc = FixedGap(comp * UM / MPA, empty_fixture_prony(40.0))
            sens.append(add("sens", "fixture compliance [um/MPa]", f"{comp:g}", 25.5,
                            full_cell_run(25.5, fxc, steps=steps, mu=mu), me25))
        sens.append(add("sens", "fixture without relaxation", "elastic load train", 25.5,
                        full_cell_run(25.5, FixedGap(FIXTURE_COMPLIANCE), steps=steps, mu=mu),
                        me25))
        sens.append(add("sens", "Li creep law", "anand_steady", 25.5,
                        full_cell_run(25.5, fixed, steps=steps, law=LAWS["anand_steady"],
                                      mu=calibrate_friction(LAWS["anand_steady"])["mu"]),
                        me25))

        # calibrate the load train's compliance on ONE datum (25.5 mg/cm2 -> 2.14 MPa) with the
        # Li confined by the die, then predict the other loadings and the springs
        comp_cal = calibrate_die_compliance(meas[1] * MPA, steps)
        calibrated = []
        if math.isfinite(comp_cal):
            fx_cal = FixedGap(comp_cal, empty_fixture_prony(40.0))
            for lo, me in zip(LOADINGS, meas, strict=True):
                hc = full_cell_run(lo, fx_cal, steps=steps, mu=0.0,
                                   die_clearance=CALIBRATION_CLEARANCE * UM)
                calibrated.append(add("die_calibrated_compliance", "load-train compliance "
                                      "calibrated on 25.5 mg/cm2 [um/MPa]",
                                      f"{comp_cal * MPA / UM:.4g}", lo, hc, me))
                curves[f"calibrated_{lo:g}"] = (hc.capacity.copy(), hc.pressure.copy())
            hsc = full_cell_run(25.5, Springs(SPRING_STIFFNESS, comp_cal, 0.0), steps=steps,
                                mu=0.0, die_clearance=CALIBRATION_CLEARANCE * UM)
            calibrated.append(add("die_calibrated_springs", "springs, calibrated compliance "
                                  "[um/MPa]", f"{comp_cal * MPA / UM:.4g}", 25.5, hsc,
                                  p_spring_meas - FULL_CELL_PRESSURE / MPA))

        dps = [r["dp_end_of_charge_MPa"] for r in base]
        factors = [r["factor"] for r in base]
        x = np.array(LOADINGS)

        def slope_ratio(y: list[float]) -> float:
            s1 = (y[1] - y[0]) / (x[1] - x[0])
            s2 = (y[2] - y[1]) / (x[2] - x[1])
            return float(s2 / s1) if s1 != 0.0 else math.nan

        curv_meas, curv_pred = slope_ratio(meas), slope_ratio(dps)
        curv_cal = (slope_ratio([r["dp_end_of_charge_MPa"] for r in calibrated[:3]])
                    if calibrated else math.nan)
        dps_elastic = [r["dp_end_of_charge_MPa"] for r in rows if r["case"] == "fixed_gap_no_creep"]
        curv_elastic = slope_ratio(dps_elastic)
        fixed_vs = _factor(base[1]["dp_end_of_charge_MPa"], p_fixed_meas - 5.0)
        checks = [
            Check("dp_worst_factor", "largest factor pred/meas of the first-charge change over "
                  f"the loadings {', '.join(f'{v:g}' for v in LOADINGS)} mg/cm2 (predicted "
                  f"{', '.join(f'{v:.3g}' for v in dps)} MPa vs "
                  f"{', '.join(f'{v:g}' for v in meas)})",
                  max(factors), DP_FACTOR_TOLERANCE, "max"),
            *[Check(f"dp_factor_{lo:g}", f"{lo:g} mg/cm2: predicted {d:.3g} vs measured "
                    f"{m:g} MPa; factor", f, DP_FACTOR_TOLERANCE, "max")
              for lo, d, m, f in zip(LOADINGS, dps, meas, factors, strict=True)],
            Check("fixed_gap_6p96_factor", "fixed gap, 25.5 mg/cm2: predicted change vs 6.96 - 5 "
                  "MPa (Fig. 2.9 cell); factor", fixed_vs, DP_FACTOR_TOLERANCE, "max"),
            Check("springs_calibration", "springs, 25.5 mg/cm2: |p_end - 5.21 MPa| after "
                  "calibrating the guide friction threshold [MPa] (NaN: not reachable)",
                  abs(dp_spring / MPA - (p_spring_meas - 5.0)) if math.isfinite(fc)
                  else math.nan, 1.0e-3, "max", 0.0, "MPa"),
        ]
        statement = (
            f"Fixed gap (fixture compliance 1 um/MPa, 40 C Prony, Li mu = {mu:.4f}): predicted "
            f"first-charge change {', '.join(f'{v:.3g}' for v in dps)} MPa vs measured "
            f"{', '.join(f'{v:g}' for v in meas)} MPa at "
            f"{', '.join(f'{v:g}' for v in LOADINGS)} mg/cm2 (areal capacity "
            f"{', '.join(f'{r['capacity_mAh_per_cm2']:.2f}' for r in base)} mAh/cm2 at 200 "
            f"mAh/g, 66 wt%). Curvature: slope ratio (51 vs 25.5) / (25.5 vs 6.4) measured "
            f"{curv_meas:.2f} (super-linear), predicted {curv_pred:.2f}. With the Li friction "
            "calibrated on Ding's 0.06 um/h, the foil creeps out of the 5 MPa, 40 C stack far "
            "faster than 0.2 mA/cm2 plates it (~1 um/h), so the model predicts a pressure LOSS; "
            "with the Li elastic (no creep) the changes are "
            f"{', '.join(f'{v:.3g}' for v in dps_elastic)} MPa (slope ratio {curv_elastic:.2f}): "
            "the fixture compliance 1 um/MPa is too stiff for the measured ~0.1 MPa per um. "
            "Springs: the guide friction threshold "
            + (f"{fc / MPA:.4g} MPa reproduces 5.21 MPa" if math.isfinite(fc) else
               "cannot reproduce 5.21 MPa (no threshold in 0-5 MPa: friction only holds the "
               "plate, and the creep relief then lowers the pressure)")
            + f" (frictionless springs give {_dp(h_ideal) / MPA:.3g} MPa); fixed gap predicts "
            f"{base[1]['dp_end_of_charge_MPa']:.3g} MPa vs 6.96 - 5 = 1.96 MPa. Confined by the "
            "die (assumed clearance " + ", ".join(f"{g:g}" for g in DIE_CLEARANCES)
            + f" um, {DIE_CLEARANCE_LENGTH * 1e3:g} mm): "
            + "; ".join(", ".join(f"{r['dp_end_of_charge_MPa']:.3g}" for r in rows
                                  if r["case"] == f"fixed_gap_die_{g:g}um")
                        for g in DIE_CLEARANCES)
            + " MPa at the three loadings (per clearance)."
            + (f" Calibrating the load train's compliance on the 25.5 mg/cm2 datum alone (Li in "
               f"the die, {CALIBRATION_CLEARANCE:g} um clearance) gives "
               f"{comp_cal * MPA / UM:.3g} um/MPa and predicts "
               + ", ".join(f"{r['dp_end_of_charge_MPa']:.3g}" for r in calibrated[:3])
               + f" MPa at {', '.join(f'{v:g}' for v in LOADINGS)} mg/cm2 (measured "
               + ", ".join(f"{v:g}" for v in meas)
               + f"; slope ratio {curv_cal:.2f} vs {curv_meas:.2f}) and "
               f"{calibrated[3]['dp_end_of_charge_MPa']:.3g} MPa with the springs (measured "
               f"{p_spring_meas - FULL_CELL_PRESSURE / MPA:.2f}): a linear stack cannot give "
               "the measured super-linear rise."
               if calibrated else " The compliance calibration found no value in 0.1-1000 "
               "um/MPa.")
        )
        findings = {
            "measured_dp_MPa": dict(zip([f"{v:g}" for v in LOADINGS], meas, strict=True)),
            "predicted_dp_MPa": dict(zip([f"{v:g}" for v in LOADINGS], dps, strict=True)),
            "predicted_dp_li_elastic_MPa": dict(zip([f"{v:g}" for v in LOADINGS], dps_elastic,
                                                    strict=True)),
            "curvature_slope_ratio": {"measured": curv_meas, "predicted": curv_pred,
                                      "predicted_li_elastic": curv_elastic},
            "springs": {"friction_threshold_MPa": fc / MPA, "row": spring_row,
                        "stiffness_MPa_per_mm": SPRING_STIFFNESS / MPA * 1e-3},
            "li_mu": mu,
            "assumptions": {
                "ncm811_capacity_mAh_per_g": 200.0, "active_fraction": ACTIVE_FRACTION,
                "cathode_change": "-1 um at 4 mAh/cm2 (Ham Table 2.1), linear in SOC",
                "li_plating": "Omega/F = 4.85 um per mAh/cm2 (ssbx Li molar volume)",
                "charge_current_mA_per_cm2": 0.2,
                "composite_density_kg_m3": COMPOSITE_DENSITY,
                "composite_modulus_GPa": COMPOSITE_MODULUS / 1e9,
                "separator_thickness_mm": SEPARATOR_THICKNESS * 1e3,
                "li_thickness_um": LI_THICKNESS / UM,
                "fixture": "compliance 1 um/MPa + 40 C Prony (from stack_pressure_hold), "
                           "relaxation restarting at the 5 MPa closing",
                "springs": "3 x 5.5 lbf/mm on 0.785 cm2, series compliance 1 um/MPa, no "
                           "load-train relaxation"},
            "die_calibrated_compliance_um_per_MPa": comp_cal * MPA / UM,
            "die_calibrated_dp_MPa": {r["case"] + f"_{r['loading_mg_per_cm2']:g}":
                                      r["dp_end_of_charge_MPa"] for r in calibrated},
            "statement": statement,
        }
        return Outcome(rows=rows, checks=checks, findings=findings,
                       plot_data={"curves": curves, "meas": meas, "dps": dps,
                                  "dps_elastic": dps_elastic,
                                  "dps_calibrated": [r["dp_end_of_charge_MPa"]
                                                     for r in calibrated[:3]],
                                  "sens": sens, "p_spring": p_spring_meas,
                                  "p_fixed": p_fixed_meas})

    def plot(self, outcome: Outcome, path: Path, quick: bool) -> None:
        """Pressure against the charge per loading and fixture; ΔP against loading; sensitivity."""
        plt = pyplot()
        d = outcome.plot_data
        fig, (ax, bx, cx) = plt.subplots(1, 3, figsize=(17.0, 5.8))
        cols = dict(zip(LOADINGS, ("tab:green", "tab:orange", "tab:red"), strict=True))
        for key, (q, p) in d["curves"].items():
            kind, lo = key.split("_")
            col = cols.get(float(lo), "k")
            ls = {"fixed": "-", "nocreep": ":", "springs": "--", "calibrated": "-."}[kind]
            lab = {"fixed": f"fixed gap, {lo} mg/cm²", "nocreep": f"no Li creep, {lo}",
                   "springs": f"springs (calibrated friction), {lo}",
                   "calibrated": f"Li in the die, compliance calibrated on 25.5, {lo}"}[kind]
            ax.plot([to_mAh_per_cm2(v) for v in q], p / MPA, color=col, ls=ls, lw=1.5, label=lab)
        ax.axhline(d["p_fixed"], color="tab:orange", lw=0.8, ls="-.")
        ax.axhline(d["p_spring"], color="tab:orange", lw=0.8, ls="--")
        ax.set_xlabel("charge (mAh/cm²)")
        ax.set_ylabel("stack pressure (MPa)")
        ax.legend(fontsize=7)
        ax.grid(True, alpha=0.25)
        ax.set_title("first charge at 0.2 mA/cm², 40 °C (model)", fontsize=10)
        bx.plot(LOADINGS, d["meas"], "ko-", label="Ham 2024 (Fig. 2.8c)")
        bx.plot(LOADINGS, d["dps"], "rs--", label="reduced model (fixed gap)")
        bx.plot(LOADINGS, d["dps_elastic"], "b^:", label="reduced model, Li elastic (no creep)")
        if d.get("dps_calibrated"):
            bx.plot(LOADINGS, d["dps_calibrated"], "gD-.", label="Li in the die, compliance "
                    "calibrated on 25.5 mg/cm² (open: the datum)")
        bx.axhline(0.0, color="0.5", lw=0.8)
        bx.set_xlabel("cathode loading (mg/cm²)")
        bx.set_ylabel("first-charge pressure change (MPa)")
        bx.grid(True, alpha=0.25)
        bx.legend(fontsize=8)
        labels = [f"{r['assumption'].split(' [')[0]}: {r['value']}" for r in d["sens"]]
        y = np.arange(len(d["sens"]))
        cx.barh(y, [r["dp_end_of_charge_MPa"] for r in d["sens"]], 0.6)
        cx.axvline(d["meas"][1], color="k", ls="--", lw=1, label="measured 2.14 MPa")
        cx.set_yticks(y, labels, fontsize=7)
        cx.set_xlabel("pressure change at 25.5 mg/cm² (MPa)")
        cx.legend(fontsize=8)
        cx.set_title("sensitivity, one assumption at a time", fontsize=10)
        head = outcome.checks[0]
        status = "PASS" if all(c.passed for c in outcome.checks) else "FAIL"
        fig.suptitle(f"full_cell_pressure{' (quick)' if quick else ''} — {status}: worst factor "
                     f"{head.value:.3g} (tolerance {head.tolerance:g})\nHam, PhD thesis UCSD "
                     "2024 ch. 2 (Energy Storage Mater. 55 (2023) 455)", fontsize=10)
        fig.tight_layout(rect=(0, 0, 1, 0.91))
        save_figure(fig, path)


__all__ = [
    "AnandSteadyCreep",
    "FullCellPressure",
    "StackPressureHold",
    "areal_capacity",
    "calibrate_friction",
    "calibrate_spring_friction",
    "empty_fixture_prony",
    "full_cell_run",
    "hold_run",
]
