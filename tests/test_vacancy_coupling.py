"""Vacancy transport coupled to stripping (ssbx.problems.stripping.vacancy_coupling): the coupled
field against its
closed form with observed convergence, the inventories, the nucleation criterion of a CCS trial
against the closed-form critical current, `ssbx ccs` turning it on by default, serial = 2 ranks.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import tomllib

from mpi4py import MPI

import numpy as np
import pytest
from cases import with_sections

from ssbx.case import resolve_case
from ssbx.physics.vacancy import LITHIUM, critical_current_density, steady_surface_rise
from ssbx.problems.stripping.state import Load
from ssbx.runs.ccs import ccs_criterion, strip_trial
from ssbx.runs.stripping import build_problem

#: A flat, void-free Li | Li6PS5Cl cell (uniform current): the 1-D closed forms apply.
FLAT = """
name = "flat_vacancy"
problem = "stripping"
[geometry]
kind = "planar"
h_se = "20 um"
h_li = "10 um"
width = "20 um"
[mesh]
size_fine = "2 um"
size_coarse = "4 um"
[electrolyte]
conductivity = "2 mS/cm"
[interface]
kinetics = "butler_volmer"
asr = "2 ohm cm^2"
[mechanics]
li_model = "power_law"
electrolyte_preset = "Li6PS5Cl"
[fixture]
pressure = "1 MPa"
[protocol]
steps = ["Strip at 0.3 mA/cm^2 for 1 s"]
[vacancy]
enabled = true
stress_drift = false
[ccs]
capacity = "0.001 mAh/cm^2"
lower = "0.1 mA/cm^2"
upper = "10 mA/cm^2"
bracket_ratio = 1.1
[time]
initial_step = "1e-4 s"
max_step = "10 s"
min_step = "1e-10 s"
max_plastic_strain_increment = 0.02
"""


def flat_case(**sections: dict) -> object:
    return with_sections(resolve_case(tomllib.loads(FLAT)), **sections)


def closed_form_ic(case: object) -> float:
    """Semi-infinite steady critical current [A/m^2] (the Li is 10 diffusion lengths thick)."""
    v = case.vacancy
    return critical_current_density(LITHIUM, case.operation.temperature,
                                    v.critical_supersaturation,
                                    dislocation_density=v.dislocation_density)


def steady_rise(size_fine: float, comm: MPI.Comm, current: float = 3.0) -> tuple[float, object]:
    """Interface theta - 1 after ~17 s of uniform stripping (> 1e4 sink times) and the problem."""
    case = flat_case(mesh={"size_fine": size_fine})
    p = build_problem(case, comm)
    for k in range(30):
        rep = p.try_step(0.002 * 1.3 ** k, Load.current(current))
        assert rep.converged, rep.why
        p.commit()
    return float(np.max(p.vacancies.theta_interface)) - 1.0, p


def test_coupled_field_converges_to_the_steady_closed_form():
    """theta(0) - 1 = J / sqrt(D_v k) with J = i Omega / (F c_eq) from the stripping current:
    the error falls with the mesh (observed rate > 1.5) and is < 0.1 % at h = 1 um."""
    T = 298.15
    D, k = LITHIUM.d_vacancy(T), LITHIUM.sink_rate(1e12, T)
    exact = steady_surface_rise(LITHIUM.injection_velocity(3.0, T), D, k)
    errors = []
    for h in (2e-6, 1e-6):
        rise, p = steady_rise(h, MPI.COMM_SELF)
        errors.append(abs(rise / exact - 1.0))
        inv = p.vacancies.problem.inventory()
        assert abs(inv["balance_error"]) < 1e-12  # injected = stored + annihilated
        assert inv["injected"] > 0.0 and inv["annihilated"] > 0.9 * inv["injected"]
        s = p.scalars()
        assert abs(s["li_inventory_error"]) < 1e-12
        assert s["nucleation_events"] == 0.0 and s["void_nucleated_volume"] == 0.0
        p.close()
    rate = math.log(errors[0] / errors[1]) / math.log(2.0)
    print(f"steady theta rise: relative errors {errors}, observed rate {rate:.2f}")
    assert errors[1] < 1e-3 and rate > 1.5


@pytest.mark.parametrize("factor, stable", [(0.9, True), (1.1, False)])
def test_trial_nucleates_above_the_closed_form_critical_current(factor, stable):
    """A uniform interface stripped at 0.9 / 1.1 i_c: stable (the supersaturation settles below
    S, the trial stops early) / unstable by void nucleation on the first steps (t* of the
    closed form is ~1 ms at 1.1 i_c)."""
    case = flat_case()
    assert ccs_criterion(case) == "nucleation"
    ic = closed_form_ic(case)
    trial = strip_trial(case, factor * ic, MPI.COMM_SELF)
    print(f"{factor} i_c = {factor * ic / 10:.4f} mA/cm^2: {trial.reason}")
    assert trial.stable is stable
    if stable:
        assert "contact complete" in trial.reason
    else:
        assert "void nucleation" in trial.reason
        assert trial.metrics["capacity_reached_mAh_per_cm2"] < 1e-3


@pytest.mark.parametrize("factor, stable", [(0.9, True), (1.1, False)])
def test_compression_raises_the_critical_current_by_the_closed_form(factor, stable):
    """Elastic Li under 10 MPa (uniaxial strain: sigma_h = -P (1 + nu) / (3 (1 - nu)) =
    -7.4 MPa) with the stress terms on: the sink restores theta_eq = exp(beta sigma_h) = 0.96
    and a void surface needs theta >= S, so i_c(P) = (S - theta_eq) sqrt(D k) F c_eq / Omega,
    1.38 x the unstressed value. 0.9 i_c(P) (above the unstressed i_c) is stable, 1.1 i_c(P)
    nucleates."""
    case = flat_case(vacancy={"stress_drift": True}, fixture={"pressure": 10e6},
                     mechanics={"li_model": "elastic"})
    nu = 0.38  # Masias et al. 2019, the Li preset
    sigma_h = -10e6 * (1 + nu) / (3 * (1 - nu))
    v = case.vacancy
    ic = critical_current_density(LITHIUM, case.operation.temperature,
                                  v.critical_supersaturation,
                                  dislocation_density=v.dislocation_density,
                                  hydrostatic_stress=sigma_h)
    assert ic / closed_form_ic(case) == pytest.approx(1.38, abs=0.01)
    assert 0.9 * ic > 1.1 * closed_form_ic(case)  # the stress dependence is what is tested
    trial = strip_trial(case, factor * ic, MPI.COMM_SELF)
    print(f"{factor} i_c(10 MPa) = {factor * ic / 10:.4f} mA/cm^2: {trial.reason}")
    assert trial.stable is stable
    assert ("void nucleation" in trial.reason) is not stable


def test_nucleation_opens_the_contact_and_the_stack_pressure_closes_a_uniform_nucleus():
    """Above i_c every node nucleates: the contact is lost with a gap of the critical nucleus
    height; the next step the stack pressure pushes the Li back (no creep needed)."""
    case = flat_case()
    p = build_problem(case, MPI.COMM_SELF)
    h = p.vacancies.nucleus
    gamma, S = 0.5, case.vacancy.critical_supersaturation
    assert h == pytest.approx(2 * gamma * LITHIUM.molar_volume
                              / (8.314462618 * 298.15 * math.log(S)), rel=1e-6)
    i = 2.0 * closed_form_ic(case)
    dt = 1e-3
    nucleated_at = None
    for k in range(20):
        rep = p.try_step(dt, Load.current(i))
        assert rep.converged, rep.why
        p.commit()
        if rep.nucleated:
            nucleated_at = k
            break
    assert nucleated_at is not None
    st = p.state
    assert not st.contact.any() and np.allclose(st.gap, h) and np.allclose(st.opened, h)
    rep = p.try_step(dt, Load.current(i))
    assert rep.converged, rep.why
    assert rep.state.contact.all()  # closed before the vacancy update of this step
    p.close()


@pytest.mark.slow
def test_ccs_turns_vacancy_transport_on_by_default(tmp_path):
    """`ssbx ccs` on a case that does not mention vacancies: on, criterion nucleation, the CCS
    brackets the closed-form critical current; `vacancy.enabled = false`: the creep-only model
    (a flat interface stays stable: above the range)."""
    text = FLAT.replace("[vacancy]\nenabled = true\n", "[vacancy]\n")
    (tmp_path / "c.toml").write_text(text, encoding="utf-8")
    (tmp_path / "off.toml").write_text(FLAT.replace("enabled = true", "enabled = false"),
                                       encoding="utf-8")
    for name in ("c", "off"):
        res = subprocess.run([sys.executable, "-m", "ssbx.cli", "ccs", f"{name}.toml", "--out",
                              name], cwd=tmp_path, capture_output=True, text=True, timeout=600)
        assert res.returncode == 0, res.stdout + res.stderr
    resolved = tomllib.loads((tmp_path / "c" / "case.resolved.toml").read_text())
    assert resolved["vacancy"]["enabled"] is True
    ccs = json.loads((tmp_path / "c" / "summary.json").read_text())["results"]["ccs"]
    ic = closed_form_ic(resolve_case(tomllib.loads(text)).for_ccs()) / 10.0
    assert ccs["status"] == "bracketed"
    assert ccs["lower_mA_per_cm2"] <= ic <= ccs["upper_mA_per_cm2"] * 1.0001
    off = json.loads((tmp_path / "off" / "summary.json").read_text())["results"]["ccs"]
    assert off["status"] == "above_range"


@pytest.mark.mpi
def test_coupled_run_is_the_same_on_two_ranks(comm):
    """The interface supersaturation and the nucleation step: serial = 2 ranks."""
    case = flat_case()
    i = 1.5 * closed_form_ic(case)
    out = []
    for c in (MPI.COMM_SELF, comm):
        p = build_problem(case, c)
        thetas, nucleated = [], []
        for _ in range(8):
            rep = p.try_step(2e-4, Load.current(i))
            assert rep.converged, rep.why
            p.commit()
            thetas.append(p.vacancies.theta_interface.copy())
            nucleated.append(rep.nucleated)
        out.append((np.array(thetas), nucleated, p.vacancies.problem.inventory()))
        p.close()
    (t1, n1, inv1), (t2, n2, inv2) = out
    print(f"serial vs {comm.size} ranks: theta max difference {np.max(np.abs(t1 - t2)):.2e}")
    assert n1 == n2 and sum(n1) > 0
    assert np.max(np.abs(t1 - t2)) < 1e-10
    assert inv1["injected"] == pytest.approx(inv2["injected"], rel=1e-10)


@pytest.mark.slow
def test_vacancy_ccs_benchmark_quick(tmp_path):
    """The quick variant of benchmarks/vacancy_ccs.py: the zero-pressure search brackets the
    closed form, a 3 MPa search with a void brackets a CCS, the outputs are written."""
    from ssbx.benchmarks.framework import run_benchmark

    out = tmp_path / "vacancy_ccs"
    result = run_benchmark("vacancy_ccs", MPI.COMM_SELF, None, True, out)
    assert result.passed, result.summary
    assert result.metric_name == "closed_form_bracketed"
    for name in ("vacancy_ccs.csv", "vacancy_ccs.png", "ccs_trials.csv", "result.json"):
        assert (out / name).stat().st_size > 0, name
    data = json.loads((out / "result.json").read_text())
    rows = {r["key"]: r for r in csv_rows(out / "vacancy_ccs.csv")}
    assert rows["vacancy_3MPa"]["status"] == "bracketed"
    perf = data["findings"]["performance"]
    assert perf["with_vacancies"]["vacancy_per_step_s"] > 0.0
    assert perf["without"]["vacancy_per_step_s"] == 0.0


def csv_rows(path):
    import csv

    with open(path) as fh:
        return list(csv.DictReader(fh))


def test_spatially_varying_interface_resistance():
    """Z(x) = Z (1 + a cos(2 pi x / lambda)) on a flat interface with Z kappa >> lambda (the
    potential is uniform): the nodal current follows 1/Z(x), i(x)/<i> = g(x)/<g> with
    g = 1/(1 + a cos(...)); a current-distribution case with a variation is refused."""
    from ssbx.errors import CaseError

    case = flat_case(interface={"kinetics": "linear", "asr_variation": 0.5,
                                "asr_wavelength": 10e-6},
                     electrolyte={"conductivity": 100.0}, vacancy={"enabled": False})
    p = build_problem(case, MPI.COMM_SELF)
    rep = p.try_step(1e-3, Load.current(10.0))
    assert rep.converged, rep.why
    p.commit()
    x = p.nodes.coords[:, 0]
    g = 1.0 / (1.0 + 0.5 * np.cos(2.0 * np.pi * x / 10e-6))
    i = p.state.current
    expected = g / (p.nodes.integrate(g) / p.area) * 10.0
    assert np.max(np.abs(i / expected - 1.0)) < 2e-3
    assert i.max() / i.min() == pytest.approx(3.0, rel=2e-3)  # (1 + a) / (1 - a)
    p.close()
    raw = tomllib.loads(FLAT)
    raw["problem"] = "current_distribution"
    raw["interface"]["asr_variation"] = 0.3
    with pytest.raises(CaseError, match="asr_variation"):
        resolve_case(raw)


def test_grain_boundary_short_circuit_option():
    """`vacancy.grain_size` + `grain_boundary_diffusion`: D_self becomes Hart's effective
    (1 - f) D_b + f D_gb, f = 3 delta / d, and the uniform critical current scales with it;
    one of the two alone is a case error."""
    from ssbx.errors import CaseError
    from ssbx.setup import vacancy_settings

    base = flat_case()
    gb = flat_case(vacancy={"grain_size": 1e-6, "grain_boundary_diffusion": 1e-13})
    d_b = vacancy_settings(base).material.d_self(298.15)
    d_eff = vacancy_settings(gb).material.d_self(298.15)
    f = 3 * 0.5e-9 / 1e-6
    assert d_eff == pytest.approx((1 - f) * d_b + f * 1e-13, rel=1e-12)
    ic = [critical_current_density(vacancy_settings(c).material, 298.15, 1.1,
                                   dislocation_density=1e12) for c in (base, gb)]
    assert ic[1] / ic[0] == pytest.approx(d_eff / d_b, rel=1e-12)
    raw = tomllib.loads(FLAT)
    raw["vacancy"]["grain_size"] = "1 um"
    with pytest.raises(CaseError, match=r"needs both vacancy\.grain_size and"):
        resolve_case(raw)


def test_void_surfaces_grow_by_the_condensed_volume():
    """A cell with an initial void, stripped below i_c: the void surface exchanges vacancies
    with the Li; the gap it gains (``opened``) is the condensed vacancy volume (inventory x
    Omega) node by node, and the vacancy inventory still balances. With
    ``vacancy.void_surfaces = false`` nothing condenses."""
    from ssbx.case import with_overrides

    out = {}
    for on in (True, False):
        case = with_overrides(flat_case(vacancy={"stress_drift": True}), {
            "geometry.voids": [{"center": "10 um", "width": "8 um", "height": "0.2 um"}],
            "vacancy.void_surfaces": on, "mechanics.li_model": "elastic"})
        p = build_problem(case, MPI.COMM_SELF)
        i = 0.5 * closed_form_ic(case)
        for _ in range(10):
            rep = p.try_step(2e-3, Load.current(i))
            assert rep.converged, rep.why
            p.commit()
            assert rep.nucleated == 0
        s = p.scalars()
        out[on] = (p.nodes.integrate(p.state.opened), s["void_condensed_volume"])
        assert abs(s["vacancy_balance_error"]) < 1e-10
        p.close()
    grown, condensed = out[True]
    print(f"void surfaces: opened {grown:.3e} m^2, condensed volume {condensed:.3e} m^2")
    assert condensed != 0.0
    assert grown == pytest.approx(condensed, rel=1e-9)
    assert out[False] == (0.0, 0.0)


@pytest.mark.mpi
def test_void_surfaces_and_elastic_stress_are_the_same_on_two_ranks(comm):
    """Elastic Li (hydrostatic stress from the displacement) with an initial void whose surface
    exchanges vacancies, stressed and stripped: the interface theta and the gap gained by
    condensation, serial = 2 ranks."""
    from ssbx.case import with_overrides

    case = with_overrides(flat_case(vacancy={"stress_drift": True}), {
        "geometry.voids": [{"center": "10 um", "width": "8 um", "height": "0.2 um"}],
        "mechanics.li_model": "elastic", "fixture.pressure": "5 MPa"})
    out = []
    for c in (MPI.COMM_SELF, comm):
        p = build_problem(case, c)
        for _ in range(6):
            rep = p.try_step(2e-3, Load.current(0.5 * closed_form_ic(case)))
            assert rep.converged, rep.why
            p.commit()
        sigma_h = p.vacancies.problem.interface_values(p.vacancies.problem.sigma_h)
        out.append((p.vacancies.theta_interface.copy(), p.state.opened.copy(),
                    p.scalars()["void_condensed_volume"], sigma_h))
        p.close()
    (t1, o1, v1, s1), (t2, o2, v2, s2) = out
    print(f"serial vs {comm.size} ranks: theta {np.max(np.abs(t1 - t2)):.1e}, "
          f"opened {np.max(np.abs(o1 - o2)):.1e} of {np.max(np.abs(o1)):.1e} m, "
          f"sigma_h {np.max(np.abs(s1 - s2)):.1e} Pa")
    assert np.min(s1) < -1e6  # the elastic stress reaches the vacancies (compression)
    # the contact solves converge to the SNES tolerance, not to round-off: sigma_h agrees to
    # ~1e-5 relative, theta (beta sigma_h ~ 0.02) to ~1e-7
    assert np.allclose(s1, s2, rtol=0.0, atol=1e-4 * np.max(np.abs(s1)))
    assert np.allclose(t1, t2, rtol=0.0, atol=1e-6)
    assert v1 != 0.0 and v2 == pytest.approx(v1, rel=1e-3)
    assert np.allclose(o1, o2, rtol=0.0, atol=1e-3 * np.max(np.abs(o1)))
