"""Vacancy transport in the metal anode (Li, Li-Mg, Na): material data, the UFL form of one
time step, closed forms.

Why: each Li atom stripped at the contacting interface leaves a vacancy in the Li. Vacancies
diffuse away (the Li self-diffusion flux, carried by vacancies) and are annihilated at
dislocations (the sink that couples vacancies to creep); where they cannot keep up, the interface
vacancy concentration rises above equilibrium and voids nucleate once it exceeds a critical
supersaturation (Krauskopf et al. 2019, ACS AMI 11, 14463: "self-diffusion alone" limits the
stripping current at zero stack pressure; Shishvan, Fleck, McMeeking & Deshpande 2020,
Electrochim. Acta 363, 137240 *(check)*: vacancy diffusion and void growth at a stripping
electrode). This module is the first piece of that "three-flux balance" (migration,
self-diffusion, creep): the vacancy field on its own.

Unknown. ``theta = c_v / c_v,eq(T)`` [1]: the vacancy site fraction ``c_v`` normalised by its
thermal-equilibrium value ``c_v,eq(T) = exp(S_f/k_B) exp(-H_f/(k_B T))`` (O(1), well
conditioned; ``c_v,eq ~ 4e-6`` at room temperature). The vacancy concentration per volume is
``theta c_eq / Omega_Li`` [mol/m^3].

Equation (in the Li, time t [s], lengths [m]):

    d(theta)/dt = div[ D_v (grad theta - theta beta grad sigma_h) ] - k (theta - theta_eq) + s
    theta_eq = exp(beta sigma_h)   (local equilibrium in the stress field)
    beta = Omega_v / (R T)     [1/Pa],   Omega_v = omega Omega_Li

- ``D_v = D_self / (f c_eq)`` [m^2/s]: vacancy diffusivity consistent with the tracer
  self-diffusion coefficient of Li, ``D_self = f c_eq D_v`` (vacancy mechanism, correlation
  factor f = 0.727 for bcc); ``D_self(T) = D_ref exp(-Q/R (1/T - 1/T_ref))``.
- Stress-driven drift: the vacancy chemical potential is ``mu_v = R T ln theta - Omega_v sigma_h``
  (sigma_h hydrostatic stress, tension positive: tension lowers the formation free energy of a
  vacancy with a positive relaxation volume), so ``J_v = -(D_v theta/RT) grad mu_v`` (in theta
  units) and vacancies drift toward tension. In a stress field at rest the equilibrium is
  ``theta = exp(beta sigma_h)``; beta = 5.2e-3 per MPa for omega = 1 at 298 K.
- Sink: first-order annihilation at dislocations ``k (theta - theta_eq)`` [1/s] (dislocations
  absorb or emit vacancies toward the *local* equilibrium; with ``k (theta - 1)`` a compressed
  region would hold a spurious chemical supersaturation ``-beta sigma_h``), sink strength
  ``k = Z D_v rho`` of a dislocation density rho [1/m^2] (capture efficiency Z ~ 1; e.g. Nabarro
  and the rate theory of point defects, Was, *Fundamentals of Radiation Materials Science*, ch. 5
  *(check)*). Creep multiplies dislocations and makes them climb; an optional law
  ``rho = rho_0 + eps_dot_p / (b v_ref)`` (Orowan, ``eps_dot_p = rho_m b v``, with a reference
  glide/climb velocity v_ref) is provided (:func:`creep_dislocation_density`). Shishvan et al.
  2020 couple vacancy annihilation to creep as well; their exact law is not reproduced here
  *(check)*.
- ``s`` [1/s]: a volume source, zero except in manufactured-solution tests.

Boundary conditions. Injection at the contacting interface: each stripped atom leaves a vacancy,
so the vacancy molar flux into the Li is ``i/F`` [mol/m^2/s] (anodic/stripping i > 0; plating
consumes vacancies, i < 0); in theta units the inward flux is

    D_v (grad theta - theta beta grad sigma_h) . n = J_theta = i Omega_Li / (F c_eq)   [m/s]

(n the outward normal). Where the interface is open (a void surface: traction free, its
vacancies in equilibrium at theta_s = 1), vacancies condense onto it or are emitted from it,
``-D_v (grad theta - theta beta grad sigma_h) . n = h (theta - theta_s)`` with a transfer
rate h [m/s] (fast surface kinetics: large h, theta -> 1); each condensed vacancy grows the void
by its volume, ``dg/dt = c_eq h (theta - theta_s)`` [m/s] (diffusional void growth, and the
diffusional closure of a void in compressed Li, theta < 1). Other boundaries: zero flux, or
``theta = 1`` (an ideal source/sink, e.g. a current collector or a free surface).

Weak form of one backward-Euler step ``t_n -> t_n + dt`` (weight ``w``: ``2 pi r`` in
axisymmetry with x = r, 1 per unit depth in plane):

    a(theta, v) = ∫ [theta v / dt + D_v (grad theta - theta beta grad sigma_h) . grad v
                     + k theta v] w dx + ∫_interface h theta v w ds
    L(v)        = ∫ [theta_n v / dt + k theta_eq v + s v] w dx
                  + ∫_interface (J_theta + h theta_s) v w ds

Summing over all test functions (v = 1) gives the discrete inventory identity
``∫ (theta - theta_n) w dx = dt [∫ J_theta w ds - ∫ k (theta - theta_eq) w dx + ∫ s w dx
- ∫ h (theta - theta_s) w ds]`` (plus the reaction at a ``theta = 1`` boundary): injected =
stored + annihilated + condensed (+ escaped), to round-off.

Closed forms (1-D, semi-infinite Li, uniform constant injection J from t = 0, theta(t=0) = 1,
no stress), used for verification and for the critical current:

- no sink: ``theta(0, t) - 1 = 2 J sqrt(t / (pi D))``;
- first-order sink k: ``theta(0, t) - 1 = (J / sqrt(D k)) erf(sqrt(k t))``, steady
  ``J / sqrt(D k)``;
- nucleation when ``theta >= S`` (critical supersaturation S > 1; the equilibrium of a
  traction-free void surface of the critical nucleus' curvature, whatever the stress around it):
  it happens at all only if ``J > J_c = (S - 1) sqrt(D k)`` (``(S - exp(beta sigma_h))
  sqrt(D k)`` in a uniform hydrostatic stress sigma_h, where the sink restores
  exp(beta sigma_h); finite layer of thickness L with theta = 1 at its far side and no sink:
  ``J_c = (S - 1) D / L``); above J_c at ``t* = [erfinv((S - 1) sqrt(D k) / J)]^2 / k``
  (no sink: ``t* = pi D (S - 1)^2 / (4 J^2)``).

Units: SI throughout (energies in J/mol; ``1 eV per defect = F J/mol``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import ufl

from ssbx.physics.constants import FARADAY, GAS_CONSTANT, LI_MOLAR_VOLUME, NA_MOLAR_VOLUME
from ssbx.physics.parameters import Parameter, Parameters, replaced

#: 1 eV per defect in J/mol (= F x 1 V).
EV = FARADAY


# --------------------------------------------------------------------------------------------
# Material
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class VacancyMaterial:
    """Vacancy thermodynamics and mobility of a metal, SI units.

    formation_enthalpy: H_f [J/mol]; formation_entropy: S_f / k_B [1];
    self_diffusion_ref: D_ref, tracer self-diffusion coefficient at ``reference_temperature``
    [m^2/s]; self_diffusion_activation: Q [J/mol]; reference_temperature: T_ref [K];
    correlation_factor: f [1] (bcc 0.727); molar_volume: Omega [m^3/mol];
    relaxation_volume_ratio: omega, ``Omega_v = omega Omega`` [1]; parameters: where each
    value comes from (:class:`~ssbx.physics.parameters.Parameter` records named as the fields;
    status ``"check"`` marks values not yet confirmed against the primary paper; not compared).
    """

    formation_enthalpy: float
    formation_entropy: float
    self_diffusion_ref: float
    self_diffusion_activation: float
    reference_temperature: float = 298.15
    correlation_factor: float = 0.727
    molar_volume: float = field(kw_only=True)
    relaxation_volume_ratio: float = 1.0
    parameters: Parameters = field(default=(), compare=False, repr=False)

    def c_eq(self, temperature: float) -> float:
        """Equilibrium vacancy site fraction ``exp(S_f/k_B) exp(-H_f/(R T))`` [1]."""
        return math.exp(self.formation_entropy) * math.exp(
            -self.formation_enthalpy / (GAS_CONSTANT * temperature))

    def d_self(self, temperature: float) -> float:
        """Tracer self-diffusion coefficient ``D_ref exp(-Q/R (1/T - 1/T_ref))`` [m^2/s]."""
        return self.self_diffusion_ref * math.exp(
            -self.self_diffusion_activation / GAS_CONSTANT
            * (1.0 / temperature - 1.0 / self.reference_temperature))

    def d_vacancy(self, temperature: float) -> float:
        """Vacancy diffusivity ``D_v = D_self / (f c_eq)`` [m^2/s]."""
        return self.d_self(temperature) / (self.correlation_factor * self.c_eq(temperature))

    @property
    def relaxation_volume(self) -> float:
        """``Omega_v = omega Omega`` [m^3/mol]."""
        return self.relaxation_volume_ratio * self.molar_volume

    def stress_coefficient(self, temperature: float) -> float:
        """``beta = Omega_v / (R T)`` [1/Pa]: theta = exp(beta sigma_h) at rest."""
        return self.relaxation_volume / (GAS_CONSTANT * temperature)

    def concentration_scale(self, temperature: float) -> float:
        """Vacancies per volume at theta = 1, ``c_eq / Omega`` [mol/m^3]."""
        return self.c_eq(temperature) / self.molar_volume

    def injection_velocity(self, current_density: Any, temperature: float) -> Any:
        """Inward vacancy flux in theta units ``J_theta = i Omega / (F c_eq)`` [m/s] of an
        anodic (stripping > 0) current density i [A/m^2] (floats, arrays or UFL)."""
        return current_density * (self.molar_volume / (FARADAY * self.c_eq(temperature)))

    def current_density(self, injection_velocity: Any, temperature: float) -> Any:
        """Inverse of :meth:`injection_velocity`: ``i = J_theta F c_eq / Omega`` [A/m^2]."""
        return injection_velocity * (FARADAY * self.c_eq(temperature) / self.molar_volume)

    def sink_rate(self, dislocation_density: Any, temperature: float,
                  efficiency: float = 1.0) -> Any:
        """Sink strength ``k = Z D_v rho`` [1/s] of a dislocation density rho [1/m^2]."""
        return efficiency * self.d_vacancy(temperature) * dislocation_density


#: Li metal. Vacancy formation: Feder 1970, Phys. Rev. B 2, 828 (dilatometry vs X-ray lattice
#: parameter, 0 C to the melting point): E_1v^f = 0.34 +/- 0.04 eV, S_1v^f = (0.9 +/- 0.8) k
#: (values read in the paper's abstract; E_1v^f is 0.63 of the self-diffusion activation energy,
#: hence Q = 0.54 eV). D_self at 298 K: 6e-11 cm^2/s, the middle of the 5-7.5e-11 cm^2/s range
#: quoted for Li self-diffusion in the context of Krauskopf et al. 2019 (Adv. Energy Mater. 9,
#: 1902568) *(check)*.
LITHIUM = VacancyMaterial(
    formation_enthalpy=0.34 * EV,
    formation_entropy=0.9,
    self_diffusion_ref=6.0e-15,
    self_diffusion_activation=0.54 * EV,
    reference_temperature=298.15,
    correlation_factor=0.727,
    molar_volume=LI_MOLAR_VOLUME,
    relaxation_volume_ratio=1.0,
    parameters=(
        Parameter("formation_enthalpy", 0.34 * EV, "J/mol", "feder1970", "measured",
                  "0.34 +/- 0.04 eV (abstract); positron/DFT values are higher, ~0.48-0.55 eV "
                  "(check)"),
        Parameter("formation_entropy", 0.9, "1", "feder1970", "measured",
                  "S_f / k_B = 0.9 +/- 0.8 (abstract)"),
        Parameter("self_diffusion_ref", 6.0e-15, "m^2/s", "krauskopf2019aem", "check",
                  "at 298 K: middle of the 5-7.5e-11 cm^2/s quoted for Li self-diffusion "
                  "(NMR and tracer values), not read in the primary papers"),
        Parameter("self_diffusion_activation", 0.54 * EV, "J/mol", "feder1970", "derived",
                  "0.54 eV = 0.34 eV / 0.63 (the abstract's ratio of formation to self-diffusion "
                  "activation energy); tracer data of Lodding/Mundy ~0.55 eV (check)"),
        Parameter("reference_temperature", 298.15, "K", "", "assumed",
                  "temperature of self_diffusion_ref"),
        Parameter("correlation_factor", 0.727, "1", "manning1968", "standard",
                  "vacancy mechanism in bcc"),
        Parameter("molar_volume", LI_MOLAR_VOLUME, "m^3/mol", "", "standard",
                  "M / rho = 6.941e-3 kg/mol / 534 kg/m^3"),
        Parameter("relaxation_volume_ratio", 1.0, "1", "", "assumed",
                  "a full atomic volume (the volume a stripped atom leaves behind; an upper "
                  "bound, the relaxed formation volume of a vacancy in a metal is smaller)"),
    ),
)

#: Dislocation density of annealed, soft Li [1/m^2]: 1e12 order of magnitude for annealed
#: metals (a textbook range 1e10-1e12) *(check)*; a parameter, not a fit.
DISLOCATION_DENSITY_ANNEALED = 1.0e12
DISLOCATION_DENSITY_PARAMETER = Parameter(
    "dislocation_density", DISLOCATION_DENSITY_ANNEALED, "1/m^2", "", "estimated",
    "annealed metals, a textbook range 1e10-1e12 1/m^2 (check); a parameter, not a fit")
"""Provenance of :data:`DISLOCATION_DENSITY_ANNEALED`."""

#: Burgers vector of bcc Li, a sqrt(3)/2 with a = 3.51 Angstrom [m] *(check)*.
BURGERS_VECTOR_LI = 3.51e-10 * math.sqrt(3.0) / 2.0


@dataclass(frozen=True)
class Metal:
    """What the vacancy model needs of an anode metal besides :class:`VacancyMaterial`:
    burgers_vector b [m] (creep-generated dislocation density), surface_energy gamma [J/m^2]
    (critical void nucleus), parameters: provenance of these two (records named as the fields;
    the material's are in ``material.parameters``; :attr:`all_parameters` joins them)."""

    material: VacancyMaterial
    burgers_vector: float
    surface_energy: float
    parameters: Parameters = field(default=(), compare=False, repr=False)

    @property
    def all_parameters(self) -> Parameters:
        """The records of the vacancy material and of this metal's own values."""
        return (*self.material.parameters, *self.parameters)


#: Surface energy of Li [J/m^2] *(check)*: ~0.5 J/m^2, the order of DFT values for the low-index
#: bcc Li surfaces (0.45-0.52 J/m^2) and of the liquid's surface tension near the melting point
#: (~0.4 J/m^2).
SURFACE_ENERGY_LI = 0.5


def hart_effective_diffusivity(bulk: float, grain_boundary: float, grain_size: float,
                               boundary_width: float = 0.5e-9) -> float:
    """Effective self-diffusion of a polycrystal with grain-boundary short circuits [m^2/s]:
    ``D_eff = (1 - f) D_bulk + f D_gb``, ``f = 3 delta / d`` the volume fraction of boundaries
    of width delta in grains of size d (Hart 1957, Acta Metall. 5, 597; the "type A" regime
    where the diffusion length exceeds d). bulk, grain_boundary [m^2/s]; grain_size,
    boundary_width [m]."""
    if not (grain_size > 0.0 and boundary_width > 0.0):
        raise ValueError("grain size and boundary width must be positive")
    f = min(3.0 * boundary_width / grain_size, 1.0)
    return (1.0 - f) * bulk + f * grain_boundary


def creep_dislocation_density(rho_0: Any, plastic_strain_rate: Any, burgers_vector: float,
                              reference_velocity: float) -> Any:
    """``rho = rho_0 + eps_dot_p / (b v_ref)`` [1/m^2]: the Orowan density of mobile
    dislocations a creep rate needs at a dislocation velocity ``v_ref`` [m/s], added to a
    background ``rho_0`` (floats, arrays or UFL). A stated law, not a fit."""
    return rho_0 + abs(plastic_strain_rate) / (burgers_vector * reference_velocity)


# --------------------------------------------------------------------------------------------
# UFL forms
# --------------------------------------------------------------------------------------------
@dataclass
class VacancyFormTerms:
    """Coefficients of one backward-Euler step (floats, Constants, Functions or UFL).

    diffusivity: D_v [m^2/s]; inverse_dt: 1/dt [1/s]; stress_coefficient: beta [1/Pa];
    hydrostatic_stress: sigma_h [Pa] (tension +; ``None``: no drift); sink_rate: k [1/s]
    (``None``: no sink); injection: J_theta [m/s] on the interface (``None``: none);
    weight: ``2 pi r`` or 1; source: s [1/s] (``None``: none); equilibrium: theta_eq the
    sink drives theta to (``None``: 1; :class:`ssbx.problems.vacancy.VacancyProblem` passes
    ``exp(beta sigma_h)``); surface_rate: h [m/s] of the vacancy exchange with a void surface
    on the interface, ``-D_v (grad theta - ...) . n = h (theta - theta_s)`` outward (``None``:
    none; zero where the interface is in contact); surface_equilibrium: theta_s of that surface
    (1: a flat, traction-free surface).
    """

    diffusivity: Any
    inverse_dt: Any
    stress_coefficient: Any = 0.0
    hydrostatic_stress: Any = None
    sink_rate: Any = None
    injection: Any = None
    weight: Any = 1.0
    source: Any = None
    equilibrium: Any = None
    surface_rate: Any = None
    surface_equilibrium: Any = 1.0


def vacancy_flux(theta: Any, terms: VacancyFormTerms) -> Any:
    """``-J = D_v (grad theta - theta beta grad sigma_h)`` [m/s] (minus the vacancy flux in
    theta units; its normal component is the inward flux)."""
    g = ufl.grad(theta)
    if terms.hydrostatic_stress is not None:
        g = g - theta * terms.stress_coefficient * ufl.grad(terms.hydrostatic_stress)
    return terms.diffusivity * g


def vacancy_bilinear_form(theta: Any, v: Any, terms: VacancyFormTerms,
                          dx: ufl.Measure, ds_interface: ufl.Measure | None = None) -> ufl.Form:
    """``a(theta, v)`` of the module docstring (theta a TrialFunction), plus the void-surface
    exchange ``∫ h theta v w ds`` when ``terms.surface_rate`` is set."""
    w = terms.weight
    a = (terms.inverse_dt * theta * v + ufl.inner(vacancy_flux(theta, terms), ufl.grad(v))) \
        * w * dx
    if terms.sink_rate is not None:
        a += terms.sink_rate * theta * v * w * dx
    if terms.surface_rate is not None:
        if ds_interface is None:
            raise ValueError("the void-surface exchange needs the interface measure")
        a += terms.surface_rate * theta * v * w * ds_interface
    return a


def vacancy_linear_form(theta_n: Any, v: Any, terms: VacancyFormTerms, dx: ufl.Measure,
                        ds_interface: ufl.Measure) -> ufl.Form:
    """``L(v)`` of the module docstring (theta_n the previous step)."""
    w = terms.weight
    L = terms.inverse_dt * theta_n * v * w * dx
    if terms.sink_rate is not None:
        eq = 1.0 if terms.equilibrium is None else terms.equilibrium
        L += terms.sink_rate * eq * v * w * dx
    if terms.source is not None:
        L += terms.source * v * w * dx
    if terms.injection is not None:
        L += terms.injection * v * w * ds_interface
    if terms.surface_rate is not None:
        L += terms.surface_rate * terms.surface_equilibrium * v * w * ds_interface
    return L


def vacancy_residual(theta: Any, theta_n: Any, v: Any, terms: VacancyFormTerms,
                     dx: ufl.Measure, ds_interface: ufl.Measure) -> ufl.Form:
    """``F(theta; v) = a(theta, v) - L(v)`` with theta a Function (residual form)."""
    return vacancy_bilinear_form(theta, v, terms, dx, ds_interface) - vacancy_linear_form(
        theta_n, v, terms, dx, ds_interface)


# --------------------------------------------------------------------------------------------
# Closed forms (1-D semi-infinite, uniform constant injection J [m/s], theta(t=0) = 1)
# --------------------------------------------------------------------------------------------
def erfinv(y: float) -> float:
    """Inverse error function for ``-1 < y < 1`` (Newton on ``math.erf``, to round-off)."""
    if not -1.0 < y < 1.0:
        raise ValueError(f"erfinv needs -1 < y < 1, got {y}")
    if y == 0.0:
        return 0.0
    # Winitzki's approximation as a start, then Newton
    a = 0.147
    ln = math.log(1.0 - y * y)
    t = 2.0 / (math.pi * a) + ln / 2.0
    x = math.copysign(math.sqrt(math.sqrt(t * t - ln / a) - t), y)
    for _ in range(50):
        dx = (math.erf(x) - y) / (2.0 / math.sqrt(math.pi) * math.exp(-x * x))
        x -= dx
        if abs(dx) <= 1e-15 * max(1.0, abs(x)):
            break
    return x


def surface_rise(J: float, D: float, t: float, k: float = 0.0) -> float:
    """``theta(0, t) - 1``: ``2 J sqrt(t/(pi D))`` (k = 0) or ``J/sqrt(D k) erf(sqrt(k t))``."""
    if k == 0.0:
        return 2.0 * J * math.sqrt(t / (math.pi * D))
    return J / math.sqrt(D * k) * math.erf(math.sqrt(k * t))


def profile_rise(J: float, D: float, t: float, depth: Any) -> Any:
    """``theta(z, t) - 1 = 2 J sqrt(D t) ierfc(z / (2 sqrt(D t))) / D`` at a depth z [m] below
    the interface (no sink); ``ierfc(u) = exp(-u^2)/sqrt(pi) - u erfc(u)`` (numpy arrays)."""
    u = np.asarray(depth, dtype=float) / (2.0 * math.sqrt(D * t))
    ierfc = np.exp(-u * u) / math.sqrt(math.pi) - u * np.vectorize(math.erfc)(u)
    return 2.0 * J * math.sqrt(D * t) * ierfc / D


def steady_surface_rise(J: float, D: float, k: float) -> float:
    """Steady ``theta(0) - 1 = J / sqrt(D k)`` with a sink (semi-infinite)."""
    return J / math.sqrt(D * k)


def critical_injection(S: float, D: float, k: float = 0.0,
                       thickness: float | None = None, equilibrium: float = 1.0) -> float:
    """Diffusion-limited critical injection J_c [m/s] for a critical supersaturation S:
    ``(S - theta_eq) sqrt(D k)`` (semi-infinite with a sink k toward ``theta_eq``, 1 without
    stress, ``exp(beta sigma_h)`` in a uniform hydrostatic stress), or ``(S - 1) D / L`` (a layer
    of thickness L with theta = 1 at its far side and no sink). Below J_c, theta never reaches
    S."""
    if thickness is not None:
        if k != 0.0:
            raise ValueError("the finite-layer J_c is for a layer without a sink (k = 0)")
        return (S - 1.0) * D / thickness
    if k <= 0.0:
        return 0.0  # semi-infinite without a sink: any J > 0 reaches S eventually
    return (S - equilibrium) * math.sqrt(D * k)


def nucleation_time(J: float, S: float, D: float, k: float = 0.0) -> float:
    """Time t* [s] at which the surface reaches S under constant injection J (semi-infinite):
    ``[erfinv((S - 1) sqrt(D k) / J)]^2 / k`` with a sink, ``pi D (S - 1)^2 / (4 J^2)``
    without; ``inf`` at or below J_c."""
    if J <= 0.0:
        return math.inf
    if k == 0.0:
        return math.pi * D * (S - 1.0) ** 2 / (4.0 * J * J)
    y = (S - 1.0) * math.sqrt(D * k) / J
    if y >= 1.0:
        return math.inf
    return erfinv(y) ** 2 / k


def critical_current_density(material: VacancyMaterial, temperature: float, S: float, *,
                             sink_rate: float | None = None,
                             dislocation_density: float | None = None,
                             thickness: float | None = None,
                             hydrostatic_stress: float = 0.0) -> float:
    """Stripping current density [A/m^2] above which vacancies pile up at the interface to the
    supersaturation S: ``i_c = J_c F c_eq / Omega`` with J_c from :func:`critical_injection`
    (the sink from ``sink_rate`` k [1/s] or ``dislocation_density`` rho, ``k = D_v rho``; or a
    layer ``thickness`` L with theta = 1 at its far side, no sink). A uniform
    ``hydrostatic_stress`` sigma_h [Pa] (tension +; a stack pressure P gives about -P in crept
    Li) moves the equilibrium the sink restores to ``exp(beta sigma_h)``: compression raises
    i_c by ``(S - exp(beta sigma_h)) / (S - 1)``.

    This is the "self-diffusion alone cannot keep up" limit (Krauskopf et al. 2019: ~0.1 mA/cm^2
    at zero stack pressure): nothing here is tuned to reach that number. Note
    ``F c_eq D_v / Omega = F D_self / (f Omega)``: the semi-infinite result
    ``i_c = (S - 1) F D_self sqrt(rho) / (f Omega)`` does not depend on c_eq at all (only on the
    measured self-diffusion, the sink density and S); the layer result is
    ``(S - 1) F D_self / (f Omega L)``.
    """
    D = material.d_vacancy(temperature)
    if dislocation_density is not None:
        if sink_rate is not None:
            raise ValueError("give sink_rate or dislocation_density, not both")
        sink_rate = material.sink_rate(dislocation_density, temperature)
    theta_eq = math.exp(material.stress_coefficient(temperature) * hydrostatic_stress)
    Jc = critical_injection(S, D, sink_rate or 0.0, thickness, equilibrium=theta_eq)
    return material.current_density(Jc, temperature)


#: Ratio of Li self-diffusion in Li-Mg (5-20 at% Mg) to pure Li *(stated assumption: 0.5)*.
#: The 2020 roadmap on solid-state batteries (Pasta et al. 2020, J. Phys. Energy 2, 032008,
#: §2.3.1, citing Krauskopf et al. 2019, Adv. Energy Mater. 9, 1902568) says the
#: alloy "exhibits higher rates of self-diffusion of Li"; later direct measurements say the
#: opposite: isotope-tracer diffusion "reveal[s] that the presence of magnesium slows down the
#: diffusion of lithium" (Siniscalchi et al. 2022, ACS Energy Lett. 7, 3593, abstract), and
#: PFG-NMR diffusivities fall with the Mg content (Aspinall et al. 2024, Nat. Commun. 15, 4511).
#: Their numbers were not read here; 0.5 is a placeholder below 1 (the measured direction). The
#: model's zero-pressure CCS scales with it linearly; it is not fitted to any critical current.
LI_MG_DIFFUSION_RATIO = 0.5
LI_MG_DIFFUSION_RATIO_PARAMETER = Parameter(
    "diffusion_ratio", LI_MG_DIFFUSION_RATIO, "1", "siniscalchi2022", "assumed",
    "placeholder below 1: Mg slows Li diffusion (tracer: siniscalchi2022; PFG-NMR: "
    "aspinall2024); the roadmap's 'higher rates of self-diffusion' (pasta2020) is contradicted; "
    "the numbers of either paper were not read here")
"""Provenance of :data:`LI_MG_DIFFUSION_RATIO`."""

LITHIUM_MAGNESIUM = VacancyMaterial(
    formation_enthalpy=LITHIUM.formation_enthalpy,
    formation_entropy=LITHIUM.formation_entropy,
    self_diffusion_ref=LI_MG_DIFFUSION_RATIO * LITHIUM.self_diffusion_ref,
    self_diffusion_activation=LITHIUM.self_diffusion_activation,
    reference_temperature=LITHIUM.reference_temperature,
    correlation_factor=LITHIUM.correlation_factor,
    molar_volume=LITHIUM.molar_volume,
    relaxation_volume_ratio=LITHIUM.relaxation_volume_ratio,
    parameters=replaced(
        LITHIUM.parameters,
        Parameter("self_diffusion_ref", LI_MG_DIFFUSION_RATIO * LITHIUM.self_diffusion_ref,
                  "m^2/s", "siniscalchi2022", "assumed",
                  f"{LI_MG_DIFFUSION_RATIO:g} x Li (LI_MG_DIFFUSION_RATIO, a placeholder below "
                  "1: Mg slows Li diffusion; tracer: siniscalchi2022, PFG-NMR: aspinall2024)"),
        Parameter("molar_volume", LITHIUM.molar_volume, "m^3/mol", "", "assumed",
                  "as Li (a dilute alloy; Mg changes the molar volume by < 2 % (check)); the "
                  "other vacancy data are Li's as well"),
    ),
)

#: Na metal. Vacancy formation: Feder & Charbnau 1966, Phys. Rev. 149, 464 (interferometric vs
#: X-ray thermal expansion, -25 C to the melting point): E_1v^f = 0.42 +/- 0.03 eV,
#: S_1v^f = (5.8 +/- 1.1) k, self-diffusion activation 0.45 +/- 0.01 eV (abstract).
#: D_self at 298 K: 5e-9 cm^2/s, from the tracer Arrhenius laws of Nachtrieb et al. 1952
#: (J. Chem. Phys. 20, 1189: 0.242 cm^2/s, 10.45 kcal/mol -> 5.3e-9 cm^2/s) and Mundy, Barr &
#: Smith 1966 (Phil. Mag. 14, 785: 0.145 cm^2/s, 10.09 kcal/mol -> 5.8e-9 cm^2/s) *(check: the
#: Arrhenius constants are quoted from memory, not read here)*; ~80 x Li.
SODIUM = VacancyMaterial(
    formation_enthalpy=0.42 * EV,
    formation_entropy=5.8,
    self_diffusion_ref=5.0e-13,
    self_diffusion_activation=0.45 * EV,
    reference_temperature=298.15,
    correlation_factor=0.727,
    molar_volume=NA_MOLAR_VOLUME,
    relaxation_volume_ratio=1.0,
    parameters=(
        Parameter("formation_enthalpy", 0.42 * EV, "J/mol", "feder1966", "measured",
                  "0.42 +/- 0.03 eV (abstract)"),
        Parameter("formation_entropy", 5.8, "1", "feder1966", "measured",
                  "S_f / k_B = 5.8 +/- 1.1 (abstract)"),
        Parameter("self_diffusion_ref", 5.0e-13, "m^2/s", "nachtrieb1952", "check",
                  "at 298 K: the tracer Arrhenius laws of Nachtrieb et al. 1952 and Mundy et al. "
                  "1966 (mundy1966) give 5.3e-9 and 5.8e-9 cm^2/s; their constants are quoted "
                  "from memory, not read here"),
        Parameter("self_diffusion_activation", 0.45 * EV, "J/mol", "feder1966", "measured",
                  "0.45 +/- 0.01 eV, as quoted by Feder & Charbnau (abstract)"),
        Parameter("reference_temperature", 298.15, "K", "", "assumed",
                  "temperature of self_diffusion_ref"),
        Parameter("correlation_factor", 0.727, "1", "manning1968", "standard",
                  "vacancy mechanism in bcc"),
        Parameter("molar_volume", NA_MOLAR_VOLUME, "m^3/mol", "", "standard",
                  "M / rho = 22.990e-3 kg/mol / 968 kg/m^3 (density of solid Na at 20 C, "
                  "handbook value, check)"),
        Parameter("relaxation_volume_ratio", 1.0, "1", "", "assumed", "as for Li (an upper bound)"),
    ),
)

#: Surface energy of Na [J/m^2] *(check)*: ~0.2 J/m^2, the surface tension of liquid Na near
#: its melting point (~0.19-0.20 J/m^2) and DFT values for bcc Na surfaces (~0.2-0.25 J/m^2).
SURFACE_ENERGY_NA = 0.2

#: Burgers vector of bcc Na, a sqrt(3)/2 with a = 4.29 Angstrom [m] *(check)*.
BURGERS_VECTOR_NA = 4.29e-10 * math.sqrt(3.0) / 2.0

#: Anode metals by their case-file name (``vacancy.metal``).
_LI_METAL_PARAMETERS: Parameters = (
    Parameter("burgers_vector", BURGERS_VECTOR_LI, "m", "", "standard",
              "a sqrt(3)/2, a = 3.51 Angstrom (bcc Li) (check)"),
    Parameter("surface_energy", SURFACE_ENERGY_LI, "J/m^2", "", "estimated",
              "DFT low-index bcc Li surfaces 0.45-0.52 J/m^2, liquid Li ~0.4 J/m^2 (check)"),
)
METALS: dict[str, Metal] = {
    "Li": Metal(LITHIUM, BURGERS_VECTOR_LI, SURFACE_ENERGY_LI, parameters=_LI_METAL_PARAMETERS),
    "Li-Mg": Metal(LITHIUM_MAGNESIUM, BURGERS_VECTOR_LI, SURFACE_ENERGY_LI, parameters=tuple(
        Parameter(p.name, p.value, p.unit, p.citation, "assumed", "as Li: " + p.note)
        for p in _LI_METAL_PARAMETERS)),
    "Na": Metal(SODIUM, BURGERS_VECTOR_NA, SURFACE_ENERGY_NA, parameters=(
        Parameter("burgers_vector", BURGERS_VECTOR_NA, "m", "", "standard",
                  "a sqrt(3)/2, a = 4.29 Angstrom (bcc Na) (check)"),
        Parameter("surface_energy", SURFACE_ENERGY_NA, "J/m^2", "", "estimated",
                  "liquid Na near the melting point ~0.19-0.20 J/m^2, DFT bcc Na ~0.2-0.25 "
                  "J/m^2 (check)"))),
}

__all__ = [
    "BURGERS_VECTOR_LI",
    "BURGERS_VECTOR_NA",
    "DISLOCATION_DENSITY_ANNEALED",
    "DISLOCATION_DENSITY_PARAMETER",
    "EV",
    "LITHIUM",
    "LITHIUM_MAGNESIUM",
    "LI_MG_DIFFUSION_RATIO",
    "LI_MG_DIFFUSION_RATIO_PARAMETER",
    "METALS",
    "SODIUM",
    "SURFACE_ENERGY_LI",
    "SURFACE_ENERGY_NA",
    "Metal",
    "VacancyFormTerms",
    "VacancyMaterial",
    "creep_dislocation_density",
    "critical_current_density",
    "critical_injection",
    "erfinv",
    "hart_effective_diffusivity",
    "nucleation_time",
    "profile_rise",
    "steady_surface_rise",
    "surface_rise",
    "vacancy_bilinear_form",
    "vacancy_flux",
    "vacancy_linear_form",
    "vacancy_residual",
]
