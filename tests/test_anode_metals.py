"""Anode metals (`anode.metal`: Li, Li-Mg, Na): the presets, that one key switches every place
the metal enters (molar volume in the stripped thickness and the stress term, mechanics,
vacancies), the size-dependent Li strength switch, and the case errors."""

from __future__ import annotations

import math
import tomllib

from mpi4py import MPI

import numpy as np
import pytest
from cases import with_sections

from ssbx.case import resolve_case
from ssbx.errors import CaseError
from ssbx.physics.anode_metals import ANODE_METALS, anode_metal
from ssbx.physics.constants import FARADAY, LI_MOLAR_VOLUME, NA_MOLAR_VOLUME
from ssbx.physics.creep_laws import (
    MASIAS_2019,
    WANG_2020_NA,
    PowerLawCreep,
    SizeDependentLiCreep,
    xu_2017_strength,
)
from ssbx.physics.vacancy import LI_MG_DIFFUSION_RATIO, METALS, critical_current_density
from ssbx.problems.stripping.state import Load
from ssbx.runs.stripping import build_problem
from ssbx.setup import materials_of

FLAT = """
name = "flat_metal"
problem = "stripping"
[geometry]
kind = "planar"
h_se = "20 um"
h_li = "10 um"
width = "20 um"
[mesh]
size_fine = "4 um"
size_coarse = "4 um"
[interface]
kinetics = "butler_volmer"
asr = "2 ohm cm^2"
[fixture]
pressure = "2 MPa"
[time]
initial_step = "1e-3 s"
"""


def flat(**sections: dict) -> object:
    return with_sections(resolve_case(tomllib.loads(FLAT)), **sections)


def test_presets_carry_their_literature_numbers():
    na = anode_metal("Na")
    assert na.molar_volume == pytest.approx(2.375e-5, rel=1e-3)
    assert na.elastic.E == 4.6e9 and na.creep.n == 5.0
    # the fitted Na law of Wang et al. 2020: 0.53 (sigma/MPa)^5 1/s at room temperature ...
    assert WANG_2020_NA.rate(1e6, 298.15) == pytest.approx(0.53, rel=1e-9)
    # ... is 2.6 x slower than the law through the yield point (0.235 MPa at ~1e-3 1/s)
    assert 1e-3 / WANG_2020_NA.rate(0.235e6, 298.15) == pytest.approx(2.6, rel=0.02)
    # Na creeps faster than Li (Pasta et al. 2020 roadmap, §2.3.1: Na diffuses and creeps faster)
    assert WANG_2020_NA.rate(1e6, 298.15) > 50 * anode_metal("Li").creep.rate(1e6, 298.15)
    # the uniform critical current depends on D_self / Omega, not on c_eq
    li, na_v = METALS["Li"].material, METALS["Na"].material
    ratio = (critical_current_density(na_v, 298.15, 1.1, dislocation_density=1e12)
             / critical_current_density(li, 298.15, 1.1, dislocation_density=1e12))
    expected = (na_v.d_self(298.15) / na_v.molar_volume) / (li.d_self(298.15) / li.molar_volume)
    assert ratio == pytest.approx(expected, rel=1e-12)
    assert LI_MG_DIFFUSION_RATIO < 1.0  # measured: Mg slows Li diffusion
    assert set(ANODE_METALS) == {"Li", "Li-Mg", "Na"}
    with pytest.raises(KeyError, match="presets: Li, Li-Mg, Na"):
        anode_metal("K")


@pytest.mark.parametrize("metal, omega", [("Li", LI_MOLAR_VOLUME), ("Na", NA_MOLAR_VOLUME)])
def test_one_key_switches_the_molar_volume_of_stripping(metal, omega):
    """A flat cell stripped at 1 mA/cm^2 for 0.2 s removes Omega i t / F of the metal
    everywhere, and the open-circuit stress term is -Omega p / F."""
    case = flat(anode={"metal": metal})
    materials, creep = materials_of(case)
    assert materials[2].name == metal
    assert creep[2].n == anode_metal(metal).creep.n
    p = build_problem(case, MPI.COMM_SELF)
    assert p.thickness_per_charge == pytest.approx(omega / FARADAY, rel=1e-14)
    i, dt = 10.0, 0.1
    for _ in range(2):
        rep = p.try_step(dt, Load.current(i))
        assert rep.converged, rep.why
        p.commit()
    removed = p.state.removed
    assert np.allclose(removed, omega * i * 2 * dt / FARADAY, rtol=1e-8)
    pressure = p.state.pressure
    ocv = p.open_circuit_voltage()
    assert ocv == pytest.approx(-omega * float(np.mean(pressure)) / FARADAY, rel=1e-6)
    assert float(np.mean(pressure)) == pytest.approx(2e6, rel=1e-3)
    p.close()


def test_strength_size_selects_the_size_and_rate_dependent_law():
    assert xu_2017_strength(1.39e-6) == pytest.approx(105e6)
    assert xu_2017_strength(13.9e-6) == pytest.approx(105e6 * 10 ** -0.68)
    case = flat(mechanics={"strength_size": 40e-6})
    law = materials_of(case)[1][2]
    assert isinstance(law, SizeDependentLiCreep)
    assert law.size == 40e-6
    assert law.bulk.A == pytest.approx(MASIAS_2019.A) and law.bulk.yield_stress == 0.0
    # the dislocation branch flows at 1e-3 1/s at the Xu strength of this size
    assert law.dislocation_rate(xu_2017_strength(40e-6), 298.15) == pytest.approx(1e-3)
    assert law.rate(1e5, 298.15) > 0.0  # no threshold: diffusional flow at any stress
    assert {p.name for p in law.parameters} >= {"reference_size", "diffusional_constant",
                                                 "self_diffusion_ref", "size"}
    assert isinstance(materials_of(flat())[1][2], PowerLawCreep)  # off by default
    assert materials_of(flat())[1][2].yield_stress == 0.0
    with pytest.raises(ValueError, match="room-temperature"):
        xu_2017_strength(1e-6, temperature=363.15)


@pytest.mark.parametrize("sections, message", [
    ({"anode": {"metal": "K"}}, 'anode.metal = "K": not allowed; expected one of "Li", '
                                '"Li-Mg", "Na"'),
    ({"anode": {"metal": "Na"}, "mechanics": {"li_model": "anand"}},
     "the Anand parameters are fitted to pure Li"),
    ({"anode": {"metal": "Na"}, "mechanics": {"strength_size": "1 um"}},
     "is for Li with power-law creep"),
    ({"mechanics": {"strength_size": "1 um", "yield_stress": "1 MPa"}},
     "the size- and rate-dependent law has no threshold stress"),
    ({"mechanics": {"strength_size": "5 nm"}}, "below the continuum range of the law"),
    ({"vacancy": {"metal": "Na"}}, "did you mean anode.metal"),
])
def test_bad_metal_input_is_a_case_error(sections, message):
    raw = tomllib.loads(FLAT)
    for name, values in sections.items():
        raw.setdefault(name, {}).update(values)
    with pytest.raises(CaseError, match=message.replace("(", r"\(").replace(".", r"\.")):
        resolve_case(raw)


@pytest.mark.slow
def test_na_stripping_benchmark_quick(tmp_path):
    """The quick variant of benchmarks/na_stripping.py: the flat Na search brackets the
    closed form (Na's D_self / Omega, 28 mA/cm^2), and the Na cell at 9 MPa runs."""
    from ssbx.benchmarks.framework import run_benchmark

    out = tmp_path / "na_stripping"
    result = run_benchmark("na_stripping", MPI.COMM_SELF, None, True, out)
    assert result.passed, result.summary
    rows = {r["key"]: r for r in _csv(out / "na_stripping.csv")}
    cf = float(rows["flat_Na"]["closed_form_uniform_mA_per_cm2"])
    assert 20.0 < cf < 40.0
    assert rows["Na_9MPa"]["status"] in ("bracketed", "above_range", "below_range")
    assert (out / "na_stripping.png").exists()


def _csv(path):
    import csv

    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def test_closed_form_pressure_factor():
    """``(S - exp(beta sigma_h)) / (S - 1)``: compression raises, tension lowers i_c."""
    li = METALS["Li"].material
    beta = li.stress_coefficient(298.15)
    for sigma in (-7e6, 3e6):
        ratio = (critical_current_density(li, 298.15, 1.1, dislocation_density=1e12,
                                          hydrostatic_stress=sigma)
                 / critical_current_density(li, 298.15, 1.1, dislocation_density=1e12))
        assert ratio == pytest.approx((1.1 - math.exp(beta * sigma)) / 0.1, rel=1e-12)
