"""The finite-element particle (:mod:`ssbx.problems.particle`) against closed forms:

- PITT with finite kinetics (linearised Butler–Volmer, linear OCV): the particle current
  against the exact series at all times (:mod:`ssbx.physics.intercalation`), B from 0.2 to 100;
- Cheng & Verbrugge (J. Power Sources 190 (2009) 453) stresses with the stress coupling off:
  potentiostatic transient and peak, galvanostatic transient and steady state;
- with the coupling on, the traction-free sphere is Fickian with
  ``D_eff = D (1 + 2 Omega^2 E c / (9 (1 - nu) R T))``: against the 1-D radial reference solver
  (:mod:`ssbx.problems.radial_diffusion`) run with D_eff(c);
- the 3-D octant against the same series and stresses; serial = 2 ranks; a Li inventory that
  closes to round-off under a current.

Under ``mpirun -n 2`` the PITT series and the rank comparison run (the others are serial: the
comparison shows the parallel run equals the serial one).

Axisymmetric meridian, P2 concentration (P3 displacement), h = R/8 graded to R/40 at the
surface; time steps from 1e-6 R^2/D growing by 1.1 (variable-step BDF2).
"""

from __future__ import annotations

import math

from mpi4py import MPI

import numpy as np
import pytest

from ssbx.physics import intercalation as ic
from ssbx.physics.constants import FARADAY, GAS_CONSTANT
from ssbx.physics.particle import LIMN2O4, SurfaceKinetics, linear_ocv
from ssbx.problems.particle import (
    ParticleGeometry,
    ParticleProblem,
    graded_times,
    radial_points,
)
from ssbx.problems.radial_diffusion import RadialDiffusion

pytestmark = pytest.mark.slow  # FE time integrations: `make test`, not `make test-fast`

R = 5e-6
T = 298.15
MATERIAL = LIMN2O4
D = MATERIAL.diffusivity
C0 = 0.5 * MATERIAL.max_concentration
DC = 0.1 * MATERIAL.max_concentration  # the PITT step's concentration change
SLOPE = -1e-5  # dU/dc [V m^3/mol]: the step is SLOPE * DC = -22.9 mV
U0 = 4.0
TAU = R**2 / D  # [s]


def pitt_kinetics(biot: float) -> SurfaceKinetics:
    j0 = biot * D * GAS_CONSTANT * T / (R * -SLOPE)
    return SurfaceKinetics(j0, linear_ocv(U0, C0, SLOPE), linearised=True)


def meridian(comm=MPI.COMM_WORLD, h=1 / 8):
    return ParticleGeometry.sphere_meridian(comm, R, h * R, surface_size=h * R / 5)


def pitt(geometry, biot, *, mechanics=False, degree=2, prefix="pitt_"):
    problem = ParticleProblem(geometry, MATERIAL, pitt_kinetics(biot), initial_concentration=C0,
                              temperature=T, mechanics=mechanics, degree=degree,
                              options_prefix=prefix)
    problem.hold_potential(U0 + SLOPE * DC)
    return problem


def schedule(end, *, max_step=0.004, marks=()):
    """Dimensionless times (graded, with the marks inserted)."""
    return np.unique(np.concatenate([graded_times(end, 1e-6, ratio=1.1, max_step=max_step),
                                     np.asarray(marks, dtype=float)]))


def normalised_current(state):
    return state.influx * R / (D * DC)


@pytest.mark.mpi
@pytest.mark.parametrize(("biot", "bound"), ((0.2, 2e-5), (5.0, 2e-3), (100.0, 5e-3)))
def test_pitt_current_matches_the_exact_series_at_all_times(biot, bound):
    """Relative error of the current at every step from tau = 1e-5 to 0.6 (where the current
    of B = 100 has fallen to 1e-4 of its start). Measured: 1.6e-5, 8.1e-4, 3.8e-3. Before
    tau = 1e-5 the surface layer of B = 100 (thickness ~ sqrt(tau) R) is thinner than the
    surface cells (R/200): 3.6e-2 there, 1.8e-3 for B = 5."""
    geometry = ParticleGeometry.sphere_meridian(MPI.COMM_WORLD, R, R / 8,
                                                surface_size=R / 200)
    problem = pitt(geometry, biot, prefix=f"pitt_{biot:g}_")
    taus = schedule(0.6, max_step=0.003)
    states = problem.run(taus * TAU)
    problem.close()
    fe = np.array([normalised_current(s) for s in states])
    exact = np.array([ic.pitt_current_series(t, biot) for t in taus])
    relative = np.abs(fe / exact - 1.0)
    resolved = taus >= 1e-5
    print(f"B = {biot}: largest relative error {relative[resolved].max():.2e} from tau = 1e-5, "
          f"{relative[~resolved].max():.2e} before")
    assert relative[resolved].max() < bound
    assert relative[~resolved].max() < 0.05
    exact_mean = ic.pitt_mean_concentration(np.array([1.0]), 0.6, biot)[0]
    assert (states[-1].mean_concentration - C0) / DC == pytest.approx(exact_mean, rel=bound)


@pytest.mark.mpi
def test_two_ranks_equal_one():
    """The same PITT steps on the world communicator and on one rank (COMM_SELF)."""
    comm = MPI.COMM_WORLD
    if comm.size == 1:
        pytest.skip("needs mpirun -n 2")
    taus = schedule(0.05, max_step=0.01)[:60]
    results = []
    for sub in (comm, MPI.COMM_SELF):
        problem = pitt(meridian(sub), 5.0, mechanics=True, degree=1,
                       prefix=f"pitt_ranks_{sub.size}_")
        states = problem.run(taus * TAU)
        # points inside cells: at vertices the discontinuous stress depends on the cell found
        stress = problem.stress_at(np.array([[0.31 * R, 0.17 * R, 0.0],
                                             [0.61 * R, 0.53 * R, 0.0]]))
        problem.close()
        results.append((np.array([[s.influx, s.mean_concentration] for s in states]), stress))
    (a, sa), (b, sb) = results
    assert np.max(np.abs(a - b) / np.abs(b).max(axis=0)) < 1e-10
    assert np.max(np.abs(sa - sb)) < 1e-8 * np.abs(sb).max()


def cv_stresses(x, tau, biot):
    """Closed-form radial, hoop stress [Pa] of the PITT profile at tau."""
    u = ic.pitt_concentration(x, tau, biot)
    ubar = ic.pitt_mean_concentration(x, tau, biot)
    mean = ic.pitt_mean_concentration(np.array([1.0]), tau, biot)[0]
    radial, hoop, _ = ic.sphere_stresses(C0 + DC * u, C0 + DC * ubar, C0 + DC * mean,
                                         MATERIAL.stress_factor)
    return radial, hoop


@pytest.fixture(scope="module")
def potentiostatic_run():
    """B = 100 (near the Dirichlet limit of Cheng & Verbrugge's potentiostatic case), stress
    coupling off: centre radial and surface hoop stress at every step to tau = 0.3."""
    biot = 100.0
    problem = pitt(meridian(), biot, mechanics=True, prefix="pitt_stress_")
    points = radial_points((0, 0, 0), (1, 0, 0), R, [0.0, 0.5, 1.0])
    taus = schedule(0.3, max_step=0.002)
    stresses = []
    for t in taus:
        problem.step(t * TAU - problem.time)
        stresses.append(problem.stress_at(points))
    problem.close()
    return biot, taus, np.array(stresses)


def test_potentiostatic_stresses_match_cheng_verbrugge(potentiostatic_run):
    biot, taus, stresses = potentiostatic_run
    x = np.array([0.0, 0.5, 1.0])
    worst = 0.0
    for tau in (1e-3, 1e-2, 0.05, 0.1, 0.3):
        k = int(np.argmin(np.abs(taus - tau)))
        radial, hoop = cv_stresses(x, taus[k], biot)
        scale = max(abs(radial[0]), abs(hoop[2]))
        errors = (abs(stresses[k, 0, 0] - radial[0]), abs(stresses[k, 1, 0] - radial[1]),
                  abs(stresses[k, 2, 2] - hoop[2]))
        worst = max(worst, max(errors) / scale)
    print(f"largest stress error / the larger of the two stresses: {worst:.2e}")
    assert worst < 1e-2


def test_potentiostatic_centre_stress_peak(potentiostatic_run):
    """The centre's radial tension peaks once; height and time of the peak."""
    biot, taus, stresses = potentiostatic_run
    fe = stresses[:, 0, 0]
    k = int(np.argmax(fe))
    fine = np.linspace(taus[max(k - 3, 0)], taus[min(k + 3, len(taus) - 1)], 301)
    exact = np.array([cv_stresses(np.array([0.0]), t, biot)[0][0] for t in fine])
    print(f"peak: FE {fe[k] / 1e6:.3f} MPa at tau {taus[k]:.4f}, closed form "
          f"{exact.max() / 1e6:.3f} MPa at tau {fine[np.argmax(exact)]:.4f}")
    assert fe[k] == pytest.approx(exact.max(), rel=5e-3)
    assert taus[k] == pytest.approx(fine[np.argmax(exact)], abs=0.01)
    assert 0.0 < fe[0] < fe[k] and fe[-1] < fe[k]


@pytest.fixture(scope="module")
def galvanostatic_run():
    """Constant insertion current, stress coupling off, to tau = 0.6 (the steady state)."""
    current = 5.0  # A/m^2
    kinetics = SurfaceKinetics(1.0, linear_ocv(U0, C0, SLOPE))
    problem = ParticleProblem(meridian(), MATERIAL, kinetics, initial_concentration=C0,
                              temperature=T, mechanics=True, degree=2,
                              options_prefix="galvanostatic_")
    problem.apply_current_density(current)
    points = radial_points((0, 0, 0), (1, 0, 0), R, [0.0, 0.5, 1.0])
    marks = (0.01, 0.05, 0.2, 0.6)
    taus = schedule(0.6, max_step=0.004, marks=marks)
    rows = {}
    for t in taus:
        state = problem.step(t * TAU - problem.time)
        if np.any(np.isclose(t, marks, rtol=1e-12)):
            rows[float(np.asarray(marks)[np.isclose(t, marks, rtol=1e-12)][0])] = (
                state, problem.stress_at(points))
    area_per_volume = problem.surface_area() / problem.volume()
    problem.close()
    return current, kinetics, rows, area_per_volume


def test_galvanostatic_stresses_transient_and_steady(galvanostatic_run):
    current, _, rows, _ = galvanostatic_run
    influx = current / FARADAY
    scale = influx * R / D
    f = MATERIAL.stress_factor
    x = np.array([0.0, 0.5, 1.0])
    for tau, (_, stress) in rows.items():
        c, cbar = ic.galvanostatic_concentration(x, tau)
        radial, hoop, _ = ic.sphere_stresses(scale * c, scale * cbar, scale * cbar[-1], f)
        size = abs(radial[0])
        print(f"tau {tau}: radial(0) {stress[0, 0] / 1e6:.4f} vs {radial[0] / 1e6:.4f} MPa, "
              f"hoop(R) {stress[2, 2] / 1e6:.4f} vs {hoop[2] / 1e6:.4f} MPa")
        assert stress[0, 0] == pytest.approx(radial[0], abs=5e-3 * size)
        assert stress[1, 0] == pytest.approx(radial[1], abs=5e-3 * size)
        assert stress[2, 2] == pytest.approx(hoop[2], abs=5e-3 * size)
    steady_r, steady_t = ic.galvanostatic_steady_stresses(x, influx, R, D, f)
    _, stress = rows[0.6]
    assert stress[0, 0] == pytest.approx(steady_r[0], rel=5e-3)
    assert stress[2, 2] == pytest.approx(steady_t[2], rel=5e-3)


def test_galvanostatic_inventory_and_potential(galvanostatic_run):
    """The particle gains exactly the charge passed; the potential is U(c_s) + eta(i)."""
    current, _, rows, area_per_volume = galvanostatic_run
    assert area_per_volume == pytest.approx(3.0 / R, rel=1e-4)  # curved P2 cells
    for tau, (state, _) in rows.items():
        gained = state.mean_concentration - C0
        passed = area_per_volume * current / FARADAY * tau * TAU  # (A / V) i t / F
        assert gained == pytest.approx(passed, rel=1e-11)
        assert state.influx == pytest.approx(current / FARADAY, rel=1e-12)
        f = FARADAY / (GAS_CONSTANT * T)
        eta = -2.0 / f * math.asinh(current / 2.0)  # j0 = 1 A/m^2, alpha = 1/2
        ocv = U0 + SLOPE * (state.surface_concentration - C0)
        assert state.potential == pytest.approx(ocv + eta, abs=1e-12)


def test_stress_coupling_is_fickian_with_the_effective_diffusivity():
    """Coupling on: the finite-element concentration equals the 1-D radial solution with
    D_eff(c) (to 2e-3 of the rise), and differs from plain Fick by far more."""
    current = 20.0  # A/m^2 of insertion
    influx = current / FARADAY
    kinetics = SurfaceKinetics(1.0, linear_ocv(U0, C0, SLOPE))
    problem = ParticleProblem(meridian(), MATERIAL, kinetics, initial_concentration=C0,
                              temperature=T, mechanics=True, stress_coupling=True, degree=2,
                              options_prefix="coupled_")
    problem.apply_current_density(current)
    taus = schedule(0.3, max_step=0.004)
    problem.run(taus * TAU)
    radii = np.array([0.0, 0.5, 0.9, 1.0]) * R
    fe_values = problem.concentration_at(radial_points((0, 0, 0), (1, 0, 0), R, radii / R))
    problem.close()

    m = MATERIAL

    def d_eff(c):
        return ic.effective_diffusivity(D, c, m.molar_volume, m.elastic.E, m.elastic.nu, T)

    references = {}
    for name, diffusivity in (("coupled", d_eff), ("fick", lambda c: D + 0.0 * c)):
        radial = RadialDiffusion(R, diffusivity, C0, cells=800)
        radial.run(taus * TAU, influx)
        references[name] = radial.at(radii)
    rise = references["coupled"][-1] - references["coupled"][0]
    error = np.max(np.abs(fe_values - references["coupled"])) / rise
    fick_gap = np.max(np.abs(references["fick"] - references["coupled"])) / rise
    print(f"FE vs D_eff reference: {error:.2e} of the centre-surface difference; Fick vs D_eff "
          f"{fick_gap:.2e}")
    assert error < 2e-3
    assert fick_gap > 20 * error


def test_octant_in_3d():
    """The 3-D octant (P2 concentration, P3 displacement, h = R/4): PITT current from
    tau = 1e-2 (the surface layer is resolved) and the stresses at tau = 0.1 against the
    closed forms."""
    biot = 5.0
    geometry = ParticleGeometry.sphere_octant(MPI.COMM_WORLD, R, R / 4)
    problem = pitt(geometry, biot, mechanics=True, degree=2, prefix="pitt_octant_")
    taus = graded_times(0.1, 1e-4, ratio=1.2, max_step=0.005)
    states = problem.run(taus * TAU)
    points = np.array([[0.0, 0.0, 0.0], [R, 0.0, 0.0]])
    stress = problem.stress_at(points)
    problem.close()
    fe = np.array([normalised_current(s) for s in states])
    exact = np.array([ic.pitt_current_series(t, biot) for t in taus])
    late = taus >= 1e-2
    radial, hoop = cv_stresses(np.array([0.0, 1.0]), taus[-1], biot)
    current_error = np.max(np.abs(fe[late] / exact[late] - 1.0))
    print(f"octant: current {current_error:.2e}, centre radial {stress[0, 0] / radial[0] - 1:+.2e},"
          f" surface hoop {stress[1, 1] / hoop[1] - 1:+.2e}")
    assert current_error < 1e-2
    assert stress[0, 0] == pytest.approx(radial[0], rel=1e-2)
    assert stress[1, 1] == pytest.approx(hoop[1], rel=1e-2)
