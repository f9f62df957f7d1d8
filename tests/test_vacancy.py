"""Vacancy transport in Li (:mod:`ssbx.physics.vacancy`, :mod:`ssbx.problems.vacancy`).

Li at 298.15 K with the ``LITHIUM`` preset (D_v = 1.87e-9 m^2/s, c_eq = 4.4e-6); lengths are
a few diffusion lengths, the injection is a stripping current density converted to
``J_theta = i Omega / (F c_eq)``.

a. Constant injection into a strip (a 1-D-like 2-D mesh, 10 diffusion lengths deep, no sink) vs
   ``theta(0, t) - 1 = 2 J sqrt(t/(pi D))``: observed order 1 in dt (backward Euler, fine mesh)
   and 2 in h (P1; the time error removed by Richardson extrapolation with dt and dt/2).
b. With a first-order sink k = D_v rho vs ``(J/sqrt(D k)) erf(sqrt(k t))``, and steady.
c. Manufactured solution for the full operator (diffusion, stress drift with a non-trivial
   sigma_h, sink, injection on the top, theta = 1 on the bottom), linear in time so that
   backward Euler is exact in time: observed L2 / H1 rates of P1 (2 / 1), P2 (3 / 2) and
   axisymmetric P1.
d. Conservation: injected = stored + annihilated (+ escaped through theta = 1) to round-off
   over many steps with spatially varying injection (stripping, then plating), sink and stress.
e. Nucleation criterion: uniform injection at 0.95 J_c never reaches S in 20/k; at 1.05 J_c it
   reaches S at t* of the closed form (tolerance: see the test).
f. (mpi) the same run on COMM_WORLD and on COMM_SELF: identical interface values and inventory.
g. Stress-driven equilibrium: sigma_h at quadrature points (as the mechanics gives it), projected;
   with zero flux theta relaxes to C exp(beta sigma_h) (vacancies gather in tension).
h. The Li submesh of a flat cell (planar and axisymmetric, P2), theta = 1 at the collector: the
   steady rise J h_li / D and the finite-layer J_c = (S - 1) D / h_li.
"""

from __future__ import annotations

import math
import time

from mpi4py import MPI

import dolfinx
import numpy as np
import pytest
import ufl
from dolfinx import fem

from ssbx.meshes.tags import FacetTag
from ssbx.physics.vacancy import (
    LITHIUM,
    critical_current_density,
    critical_injection,
    erfinv,
    nucleation_time,
    steady_surface_rise,
    surface_rise,
)
from ssbx.problems.vacancy import VacancyProblem, hydrostatic_stress

T = 298.15
D = LITHIUM.d_vacancy(T)
BETA = LITHIUM.stress_coefficient(T)
CONTACT, BOTTOM = int(FacetTag.CONTACT), int(FacetTag.LI_BOTTOM)
LEFT, RIGHT = int(FacetTag.SIDE_LEFT), int(FacetTag.SIDE_RIGHT)


def _rectangle(comm: MPI.Comm, width: float, height: float, nx: int, ny: int):
    """Li rectangle [0, width] x [0, height]; the contact (injection) is the top y = height."""
    msh = dolfinx.mesh.create_rectangle(
        comm, [np.array([0.0, 0.0]), np.array([width, height])], [nx, ny],
        dolfinx.mesh.CellType.triangle, ghost_mode=dolfinx.mesh.GhostMode.shared_facet)
    fdim = msh.topology.dim - 1
    found = [(dolfinx.mesh.locate_entities_boundary(msh, fdim, where), tag) for where, tag in (
        (lambda x: np.isclose(x[1], height), CONTACT),
        (lambda x: np.isclose(x[1], 0.0), BOTTOM),
        (lambda x: np.isclose(x[0], 0.0), LEFT),
        (lambda x: np.isclose(x[0], width), RIGHT))]
    facets = np.concatenate([f for f, _ in found])
    values = np.concatenate([np.full(f.size, t, dtype=np.int32) for f, t in found])
    facets, first = np.unique(facets, return_index=True)  # corner facets: first tag wins
    return msh, dolfinx.mesh.meshtags(msh, fdim, facets, values[first])


def _strip(comm: MPI.Comm, n: int, depth: float, **kwargs) -> VacancyProblem:
    """1-D-like strip: one column of n square cell pairs, depth [m]."""
    msh, tags = _rectangle(comm, depth / n, depth, 1, n)
    return VacancyProblem(msh, tags, CONTACT, LITHIUM, T, **kwargs)


def _rates(h: list[float], e: list[float]) -> list[float]:
    return [math.log(e[i] / e[i + 1]) / math.log(h[i] / h[i + 1]) for i in range(len(e) - 1)]


# --------------------------------------------------------------------------------------------
# closed forms
# --------------------------------------------------------------------------------------------
def test_closed_forms_consistent():
    """erfinv inverts erf; t* solves the erf rise; J_c <-> i_c; no-sink limit."""
    for y in (1e-6, 0.3, 0.9, 0.999999, -0.5):
        assert math.erf(erfinv(y)) == pytest.approx(y, rel=1e-14, abs=1e-15)
    k, S = 1.0e3, 1.8
    Jc = critical_injection(S, D, k)
    assert steady_surface_rise(Jc, D, k) == pytest.approx(S - 1.0, rel=1e-14)
    J = 1.2 * Jc
    ts = nucleation_time(J, S, D, k)
    assert surface_rise(J, D, ts, k) == pytest.approx(S - 1.0, rel=1e-12)
    assert nucleation_time(0.99 * Jc, S, D, k) == math.inf
    ts0 = nucleation_time(J, S, D)
    assert surface_rise(J, D, ts0) == pytest.approx(S - 1.0, rel=1e-12)
    ic = critical_current_density(LITHIUM, T, S, sink_rate=k)
    assert LITHIUM.injection_velocity(ic, T) == pytest.approx(Jc, rel=1e-14)
    # i_c = (S - 1) F D_self sqrt(rho) / (f Omega) does not depend on c_eq
    rho = 1e12
    ic_rho = critical_current_density(LITHIUM, T, S, dislocation_density=rho)
    expected = (S - 1.0) * 96485.33212 * LITHIUM.d_self(T) * math.sqrt(rho) / (
        LITHIUM.correlation_factor * LITHIUM.molar_volume)
    assert ic_rho == pytest.approx(expected, rel=1e-12)


# --------------------------------------------------------------------------------------------
# a. constant injection, no sink
# --------------------------------------------------------------------------------------------
I_A = 10.0  # A/m^2 = 1 mA/cm^2
T_END_A = 1.0e-3  # s
DEPTH_A = 10.0 * math.sqrt(D * T_END_A)  # ierfc(5) ~ 1e-12: semi-infinite


def _rise_a(n: int, steps: int) -> float:
    p = _strip(MPI.COMM_SELF, n, DEPTH_A)
    p.set_injection(I_A)
    for _ in range(steps):
        p.step(T_END_A / steps)
    return float(np.mean(p.interface_supersaturation())) - 1.0


def test_constant_injection_surface_rise():
    J = LITHIUM.injection_velocity(I_A, T)
    exact = surface_rise(J, D, T_END_A)
    assert 0.1 < exact < 1.0  # a sizeable rise (0.25)
    # dt: fine mesh (h = depth / 200), 10..80 steps
    steps = [10, 20, 40, 80]
    e_t = [abs(_rise_a(200, s) - exact) / exact for s in steps]
    r_t = _rates([1.0 / s for s in steps], e_t)
    print(f"\n(a) dt: rel. errors {[f'{e:.2e}' for e in e_t]}, rates "
          f"{[f'{r:.2f}' for r in r_t]}")
    assert min(r_t) > 0.85
    assert e_t[-1] < 2e-3
    # h: Richardson in time (dt and dt/2, 200/400 steps) leaves the spatial error
    ns = [10, 20, 40, 80]
    e_h = []
    for n in ns:
        extrapolated = 2.0 * _rise_a(n, 400) - _rise_a(n, 200)
        e_h.append(abs(extrapolated - exact) / exact)
    r_h = _rates([1.0 / n for n in ns], e_h)
    print(f"(a) h: rel. errors {[f'{e:.2e}' for e in e_h]}, rates "
          f"{[f'{r:.2f}' for r in r_h]}")
    assert min(r_h) > 1.8
    assert e_h[-1] < 1e-3


# --------------------------------------------------------------------------------------------
# b. with a sink
# --------------------------------------------------------------------------------------------
RHO = 1.0e12  # dislocation density [1/m^2]: annealed metal (check)
K = LITHIUM.sink_rate(RHO, T)  # 1/s
ELL = math.sqrt(D / K)  # sink length sqrt(D/k) ~ 1 um


def test_injection_with_sink_erf():
    J = LITHIUM.injection_velocity(I_A, T)
    steady = steady_surface_rise(J, D, K)
    errors = []
    for n, steps in ((60, 50), (120, 100)):  # h = ell/4, ell/8; dt = 0.04/k, 0.02/k
        p = _strip(MPI.COMM_SELF, n, 15.0 * ELL)
        p.set_injection(I_A)
        p.set_sink(dislocation_density=RHO)
        dt = 2.0 / K / steps
        worst = 0.0
        for j in range(steps):
            p.step(dt)
            if (j + 1) % (steps // 5) == 0:
                rise = float(np.mean(p.interface_supersaturation())) - 1.0
                worst = max(worst, abs(rise - surface_rise(J, D, p.time, K)) / steady)
        for _ in range(steps):  # on to 4/k with the same dt, then toward steady
            p.step(dt)
        for _ in range(20):
            p.step(1.0 / K)
        rise = float(np.mean(p.interface_supersaturation())) - 1.0
        errors.append((worst, abs(rise - steady) / steady))
    print(f"\n(b) sink k = {K:.3g} 1/s: max rel. error over t <= 2/k (vs steady value) "
          f"{errors[0][0]:.2e} -> {errors[1][0]:.2e}; steady {errors[0][1]:.2e} -> "
          f"{errors[1][1]:.2e}")
    assert errors[1][0] < 0.6 * errors[0][0]  # converging
    assert errors[1][0] < 1e-2
    assert errors[1][1] < 1e-3


# --------------------------------------------------------------------------------------------
# c. manufactured solution
# --------------------------------------------------------------------------------------------
W_M, H_M = 20e-6, 10e-6  # width/radius and height [m]
TAU = H_M**2 / D  # diffusion time [s]
SIGMA0 = 0.6 / BETA  # beta sigma_h = O(1): the drift is as strong as diffusion
K_M = 2.0 / TAU  # sink rate [1/s]


def _theta_m(x, t, mod=ufl):
    X, Y = x[0] / W_M, x[1] / H_M
    return 1.0 + (1.0 + 0.5 * t / TAU) * (
        Y * (0.3 + 0.2 * mod.cos(math.pi * X))
        + 0.1 * mod.sin(math.pi * Y) * mod.cos(2.0 * math.pi * X))


def _sigma_m(x, mod=ufl):
    X, Y = x[0] / W_M, x[1] / H_M
    return SIGMA0 * (mod.cos(math.pi * X) * Y**2 + 0.5 * mod.cos(2.0 * math.pi * Y)
                     + 0.3 * mod.cos(math.pi * X) * mod.sin(1.5 * Y))


def _mms_flux(x, t):
    """D (grad theta - theta beta grad sigma) (UFL)."""
    th = _theta_m(x, t)
    return D * (ufl.grad(th) - th * BETA * ufl.grad(_sigma_m(x)))


def _mms_source(axisymmetric: bool):
    def source(mesh, t):
        x = ufl.SpatialCoordinate(mesh)
        q = _mms_flux(x, t)
        div = (x[0] * q[0]).dx(0) / x[0] + q[1].dx(1) if axisymmetric else ufl.div(q)
        return 0.5 / TAU * (_theta_m(x, t) - 1.0) / (1.0 + 0.5 * t / TAU) - div \
            + K_M * (_theta_m(x, t) - ufl.exp(BETA * _sigma_m(x)))
    return source


def _mms_errors(n: int, degree: int, axisymmetric: bool) -> tuple[float, float]:
    msh, tags = _rectangle(MPI.COMM_SELF, W_M, H_M, 2 * n, n)
    x = ufl.SpatialCoordinate(msh)
    p = VacancyProblem(msh, tags, CONTACT, LITHIUM, T, degree=degree,
                       axisymmetric=axisymmetric, equilibrium_tags=(BOTTOM,),
                       source=_mms_source(axisymmetric),
                       theta0=lambda y: _theta_m(y, 0.0, np))
    p.set_hydrostatic_stress(_sigma_m(x))
    p.set_sink(K_M)
    t_c = fem.Constant(msh, 0.0)
    flux = fem.Function(p.V)
    flux_expr = fem.Expression(_mms_flux(x, t_c)[1], p.V.element.interpolation_points)
    dt = 0.25 * TAU
    for _ in range(2):
        t_c.value = p.time + dt
        flux.interpolate(flux_expr)
        p.set_injection(velocity=flux)
        p.step(dt)
    e = p.theta - _theta_m(x, p.time)
    w = 2.0 * math.pi * x[0] if axisymmetric else 1.0
    dxq = ufl.dx(domain=msh, metadata={"quadrature_degree": 2 * degree + 6})
    l2 = math.sqrt(fem.assemble_scalar(fem.form(e * e * w * dxq)))
    h1 = math.sqrt(fem.assemble_scalar(fem.form(ufl.inner(ufl.grad(e), ufl.grad(e)) * w * dxq)))
    return l2, h1


@pytest.mark.parametrize(("degree", "axisymmetric", "levels", "expected"), [
    (1, False, (4, 8, 16, 32), (1.9, 0.95)),
    (2, False, (4, 8, 16), (2.85, 1.9)),
    (1, True, (4, 8, 16, 32), (1.9, 0.95)),
])
@pytest.mark.slow
def test_mms_full_operator(degree, axisymmetric, levels, expected):
    errors = [_mms_errors(n, degree, axisymmetric) for n in levels]
    hs = [1.0 / n for n in levels]
    r_l2 = _rates(hs, [e[0] for e in errors])
    r_h1 = _rates(hs, [e[1] for e in errors])
    print(f"\n(c) P{degree} {'axisymmetric' if axisymmetric else 'planar'}: L2 "
          f"{[f'{e[0]:.2e}' for e in errors]} rates {[f'{r:.2f}' for r in r_l2]}; H1 "
          f"{[f'{e[1]:.2e}' for e in errors]} rates {[f'{r:.2f}' for r in r_h1]}")
    assert r_l2[-1] > expected[0] and r_h1[-1] > expected[1]
    assert min(r_l2) > expected[0] - 0.3 and min(r_h1) > expected[1] - 0.3


# --------------------------------------------------------------------------------------------
# d. conservation
# --------------------------------------------------------------------------------------------
def _varying_problem(comm: MPI.Comm, equilibrium: bool) -> VacancyProblem:
    width, height = 12 * ELL, 6 * ELL
    msh, tags = _rectangle(comm, width, height, 16, 8)
    p = VacancyProblem(msh, tags, CONTACT, LITHIUM, T,
                       equilibrium_tags=(BOTTOM,) if equilibrium else ())
    p.set_sink(dislocation_density=lambda x: RHO * (0.2 + np.sin(np.pi * x[0] / width) ** 2
                                                    * (1.0 + x[1] / height)))
    p.set_hydrostatic_stress(lambda x: 3e6 * np.cos(np.pi * x[0] / width) * x[1] / height)
    return p


def _stripping(width: float):
    return lambda x: I_A * (1.0 + 0.8 * np.cos(2.0 * np.pi * x[0] / width))


@pytest.mark.parametrize("equilibrium", [False, True])
def test_conservation(equilibrium):
    p = _varying_problem(MPI.COMM_SELF, equilibrium)
    width = 12 * ELL
    p.set_injection(_stripping(width))
    dt = 0.05 / K
    for j in range(300):
        if j == 150:  # plating, with a varying current and a different step
            p.set_injection(lambda x: -0.5 * _stripping(width)(x) * (x[0] / width))
            dt = 0.03 / K
        if j == 220:  # per-cell sink values (as the stripping coupling will set them)
            ncells = p.K.dofmap.list.shape[0]
            p.set_sink(K * (0.5 + (np.arange(ncells) % 3)))
        p.step(dt * (1.0 + 0.5 * (j % 3 == 0)))  # dt changes: operator reassembled
    inv = p.inventory()
    print(f"\n(d) theta=1 bottom: {equilibrium}; inventory [mol/m] {inv}")
    assert inv["annihilated"] > 0.05 * abs(inv["injected"])
    assert abs(inv["stored"]) > 1e-3 * abs(inv["injected"])
    if equilibrium:
        assert abs(inv["escaped"]) > 1e-6 * abs(inv["injected"])
    else:
        assert inv["escaped"] == 0.0
    residual = inv["injected"] - inv["stored"] - inv["annihilated"] - inv["escaped"]
    # round-off of the largest amount (the sink also exchanges vacancies with the stressed
    # regions toward exp(beta sigma_h), flows larger than the net injection)
    scale = max(abs(inv[k]) for k in ("injected", "stored", "annihilated", "escaped",
                                      "content"))
    assert abs(residual) < 1e-12 * scale
    assert abs(inv["balance_error"]) < 1e-12


def test_iterative_solver_matches_direct():
    """GMRES + GAMG (``linear_solver="iterative"``) gives the direct solution and the balance
    to its tolerance (1e-12)."""
    results = []
    for solver in ("direct", "iterative"):
        msh, tags = _rectangle(MPI.COMM_SELF, 12 * ELL, 6 * ELL, 16, 8)
        p = VacancyProblem(msh, tags, CONTACT, LITHIUM, T, linear_solver=solver,
                           prefix=f"ssbx_vacancy_{solver}_")
        p.set_sink(dislocation_density=RHO)
        p.set_hydrostatic_stress(lambda x: 3e6 * x[0] / (12 * ELL))
        p.set_injection(_stripping(12 * ELL))
        for _ in range(10):
            p.step(0.1 / K)
        results.append((p.interface_supersaturation(), p.inventory()["balance_error"],
                        p.linear_iterations))
    print(f"\n(d') GMRES+GAMG: {results[1][2]} iterations in 10 steps; balance "
          f"{results[1][1]:.1e}")
    assert np.allclose(results[0][0], results[1][0], rtol=1e-9, atol=0.0)
    assert abs(results[1][1]) < 1e-9


# --------------------------------------------------------------------------------------------
# e. nucleation criterion
# --------------------------------------------------------------------------------------------
S_CRIT = 2.0  # critical supersaturation for the test (a parameter, not a literature value)


def _time_to_reach(n: int, steps_per_unit: int, factor: float, t_max: float):
    """Uniform injection factor x J_c; first time theta >= S (linear in time between steps,
    inf if not reached by t_max) and the largest theta reached."""
    p = _strip(MPI.COMM_SELF, n, 20.0 * ELL)
    p.set_sink(K)
    p.set_injection(velocity=factor * critical_injection(S_CRIT, D, K))
    dt = 1.0 / K / steps_per_unit
    before = 1.0
    while p.time < t_max * (1.0 - 1e-12):
        p.step(dt)
        now = float(np.max(p.interface_supersaturation()))
        if p.nucleation_sites(S_CRIT).any():
            return p.time - dt + dt * (S_CRIT - before) / (now - before), now
        before = now
    return math.inf, before


def test_nucleation_criterion():
    # below J_c: never, however long (20/k), but close to the steady 0.95 (S - 1)
    t_below, top = _time_to_reach(160, 20, 0.95, 20.0 / K)
    assert t_below == math.inf
    assert top - 1.0 > 0.94 * (S_CRIT - 1.0)
    # above J_c: at t* = [erfinv(1/1.05)]^2 / k = 1.96 / k
    exact = nucleation_time(1.05 * critical_injection(S_CRIT, D, K), S_CRIT, D, K)
    found = [_time_to_reach(n, m, 1.05, 20.0 / K)[0] for n, m in ((80, 25), (160, 50))]
    errors = [abs(t - exact) / exact for t in found]
    print(f"\n(e) t* = {exact * K:.4f}/k exact; FE {[f'{t * K:.4f}' for t in found]}/k; rel. "
          f"errors {[f'{e:.2e}' for e in errors]}")
    # Near t* the rise is flat: d(theta)/d(kt) = (S - 1) 1.05 exp(-kt)/sqrt(pi kt) = 0.059
    # (S - 1), so a relative error e in the rise moves k t* by e / 0.056 ~ 18 e. Backward Euler
    # with dt = 0.02/k and h = ell/8 leaves e ~ 1e-3 (test b), hence a 2 % tolerance on t*; the
    # error halves with dt and h.
    assert errors[1] < 0.02
    assert errors[1] < 0.7 * errors[0]


# --------------------------------------------------------------------------------------------
# g. stress-driven equilibrium from a quadrature-point stress
# --------------------------------------------------------------------------------------------
def test_stress_drift_equilibrium():
    """sigma_h given at quadrature points (as the mechanics provides it) and L2-projected; zero
    flux, no sink, no injection: theta relaxes to ``C exp(beta sigma_h)`` with C fixed by the
    conserved inventory; vacancies gather in tension (top)."""
    import basix.ufl

    width, height, n = 4 * ELL, 4 * ELL, 16
    msh, tags = _rectangle(MPI.COMM_SELF, width, height, n, n)
    p = VacancyProblem(msh, tags, CONTACT, LITHIUM, T)
    # a Mandel stress at quadrature points, as MechanicsProblem keeps it (xx, yy, zz, xy, ..)
    Q6 = fem.functionspace(msh, basix.ufl.quadrature_element(msh.basix_cell(),
                                                             value_shape=(6,), degree=2))
    stress = fem.Function(Q6)
    a = 0.5  # beta sigma_h from 0 (bottom) to 0.5 (top): 96 MPa of tension
    x = ufl.SpatialCoordinate(msh)
    s = a / BETA * x[1] / height
    stress.interpolate(fem.Expression(ufl.as_vector([1.5 * s, 0.5 * s, s, 0.3 * s, 0.0, 0.0]),
                                      Q6.element.interpolation_points))
    p.set_hydrostatic_stress(hydrostatic_stress(stress), quadrature_degree=2)
    assert np.allclose(p.sigma_h.x.array, a / BETA * p.V.tabulate_dof_coordinates()[:, 1]
                       / height, rtol=0.0, atol=1e-9 * a / BETA)
    for _ in range(20):  # slowest mode decays by 1/(1 + 2 pi^2) per step
        p.step(2.0 * height**2 / D)
    c = a / math.expm1(a)  # mean of theta stays 1
    theta = p.interface_supersaturation()
    coords = p.V.tabulate_dof_coordinates()
    exact = c * np.exp(a * coords[:, 1] / height)
    error = np.max(np.abs(p.theta.x.array - exact)) / np.max(exact)
    print(f"\n(g) theta top {theta.mean():.6f} vs {c * math.exp(a):.6f}; max rel. error "
          f"{error:.2e}; balance {p.inventory()['balance_error']:.1e}")
    assert error < 5e-4  # P1 with h = H/16: O((a h / H)^2) = O(1e-3)
    inv = p.inventory()
    assert inv["content"] == pytest.approx(p.c_scale * width * height, rel=1e-12)
    # no flux anywhere: the inventory is conserved to round-off (here ~1e-12 of the content,
    # the LU error of 20 steps)
    assert abs(inv["stored"]) < 1e-11 * inv["content"]
    assert abs(inv["balance_error"]) < 1e-11


# --------------------------------------------------------------------------------------------
# h. on the Li submesh of a cell mesh, the finite-layer critical injection
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["planar", "axisymmetric"])
def test_li_submesh_finite_layer(kind):
    """The Li of a flat cell (:func:`ssbx.problems.stripping.problem.lithium_domain`), P2,
    injection on
    the contact, theta = 1 at the collector, no sink: the steady rise is ``J h_li / D``, so the
    finite-layer ``J_c = (S - 1) D / h_li`` separates nucleation from none."""
    from ssbx.meshes.flat_cell import build_flat_cell_mesh
    from ssbx.meshes.spec import CellGeometrySpec, MeshSizeSpec
    from ssbx.problems.stripping.problem import lithium_domain

    h_li = 10e-6
    geo = CellGeometrySpec(kind=kind, h_se=10e-6, h_li=h_li, width=20e-6)
    cm = build_flat_cell_mesh(MPI.COMM_SELF, geo, MeshSizeSpec(size_fine=2e-6,
                                                               size_coarse=4e-6))
    li_mesh, li_tags = lithium_domain(cm)
    p = VacancyProblem(li_mesh, li_tags, CONTACT, LITHIUM, T, degree=2,
                       axisymmetric=kind == "axisymmetric", equilibrium_tags=(BOTTOM,))
    Jc = critical_injection(S_CRIT, D, thickness=h_li)
    for factor in (0.95, 1.05):
        p.set_injection(velocity=factor * Jc)
        for _ in range(12):
            p.step(5.0 * h_li**2 / D)
        theta = p.interface_supersaturation()
        assert np.allclose(theta - 1.0, factor * (S_CRIT - 1.0), rtol=1e-8, atol=0.0)
        assert p.nucleation_sites(S_CRIT).all() == (factor > 1.0)
        assert p.nucleation_sites(S_CRIT).any() == (factor > 1.0)
    inv = p.inventory()
    assert abs(inv["balance_error"]) < 1e-12
    assert inv["escaped"] > 0.9 * inv["injected"]


# --------------------------------------------------------------------------------------------
# f. parallel = serial
# --------------------------------------------------------------------------------------------
def _parallel_run(comm: MPI.Comm) -> tuple[np.ndarray, np.ndarray, dict[str, float]]:
    p = _varying_problem(comm, equilibrium=True)
    width = 12 * ELL
    p.set_injection(_stripping(width))
    for _ in range(20):
        p.step(0.1 / K)
    nodes = p.interface_supersaturation()
    p.set_injection(np.linspace(-5.0, 5.0, p.nodes.size))  # node array (replicated order)
    for _ in range(5):
        p.step(0.1 / K)
    return nodes, p.interface_supersaturation(), p.inventory()


@pytest.mark.mpi
def test_parallel_matches_serial(comm):
    t0 = time.perf_counter()
    world = _parallel_run(comm)
    serial = _parallel_run(MPI.COMM_SELF) if comm.rank == 0 else None
    verdict = ""
    if comm.rank == 0:
        assert serial is not None
        worst = 0.0
        for a, b in zip(world[:2], serial[:2], strict=True):
            if a.shape != b.shape or not np.allclose(a, b, rtol=1e-11, atol=0.0):
                verdict += "interface theta differs; "
            elif a.size:
                worst = max(worst, float(np.max(np.abs(a - b))))
        for key in ("injected", "stored", "annihilated", "escaped"):
            if not math.isclose(world[2][key], serial[2][key], rel_tol=1e-10):
                verdict += f"{key}: {world[2][key]} vs {serial[2][key]}; "
        print(f"\n(f) {comm.size} rank(s) = serial: {not verdict}, max |d theta| {worst:.1e} "
              f"({time.perf_counter() - t0:.2f} s)")
    verdict = comm.bcast(verdict, root=0)
    assert verdict == "", verdict


# --------------------------------------------------------------------------------------------
# void surfaces: vacancy exchange with an open interface
# --------------------------------------------------------------------------------------------
def _condensed_fraction(n: int, steps: int) -> tuple[float, float]:
    """A supersaturated strip (theta = 1 + eps, no sink) whose top is a void surface (fast
    exchange h = 1e3 D / dx): the condensed amount over t against the semi-infinite Dirichlet
    closed form ``eps 2 sqrt(D t / pi)`` per unit area; returns (relative error, balance)."""
    depth, eps = 10e-6, 0.05
    t_end = (0.1 * depth) ** 2 / D  # diffusion length 1 um << depth: semi-infinite
    p = _strip(MPI.COMM_SELF, n, depth, theta0=1.0 + eps)
    p.set_surface_transfer(np.full(p.nodes.size, 1e3 * D / (depth / n)))
    for _ in range(steps):
        p.step(t_end / steps)
    inv = p.inventory()
    width = depth / n
    expected = eps * 2.0 * math.sqrt(D * t_end / math.pi) * width * p.c_scale
    assert inv["annihilated"] == 0.0 and inv["injected"] == 0.0
    return abs(inv["condensed"] / expected - 1.0), inv["balance_error"]


def test_void_surface_condenses_the_excess_at_the_closed_form_rate():
    """Vacancies condense onto an open interface at the 1-D rate; refining space and time
    (backward Euler, first order in dt) converges; injected = stored + condensed."""
    errors = []
    for n, steps in ((64, 50), (128, 200)):
        err, balance = _condensed_fraction(n, steps)
        errors.append(err)
        assert abs(balance) < 1e-12
    print(f"\nvoid-surface condensation: relative errors {errors}")
    assert errors[1] < 0.02 and errors[1] < errors[0]
    # growth of the void: c_eq h (theta - 1) per node, nothing where h = 0
    p = _strip(MPI.COMM_SELF, 8, 10e-6, theta0=1.02)
    rate = np.zeros(p.nodes.size)
    rate[0] = 1e-2
    p.set_surface_transfer(rate)
    p.step(1e-4)
    flux = p.interface_condensation()
    assert flux[0] > 0.0 and np.all(flux[1:] == 0.0)
