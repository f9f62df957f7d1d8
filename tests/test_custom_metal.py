"""Any metal: every property of the anode-metal record is settable in the case file with units
(``[anode]``, ``[mechanics]`` and ``[vacancy]`` keys over the nearest preset)."""

from __future__ import annotations

import math
import re

import pytest

from ssbx.case import resolve_case
from ssbx.errors import CaseError
from ssbx.physics.anode_metals import anode_metal
from ssbx.physics.constants import FARADAY, GAS_CONSTANT
from ssbx.setup import anode_metal_of, current_settings, materials_of, vacancy_settings

#: A made-up metal "K-like" written entirely in the case file, on top of the Na preset.
CUSTOM = {
    "problem": "stripping",
    "anode": {"metal": "Na", "molar_volume": "45.5 cm^3/mol",
              "vacancy_formation_enthalpy": "38 kJ/mol", "vacancy_formation_entropy": 2.0,
              "self_diffusion_activation_energy": "40 kJ/mol", "correlation_factor": 0.7,
              "burgers_vector": "0.45 nm"},
    "mechanics": {"li_youngs_modulus": "3.5 GPa", "li_poisson_ratio": 0.35,
                  "creep_prefactor": 1e-30, "creep_exponent": 5.0,
                  "creep_activation_energy": "40 kJ/mol"},
    "vacancy": {"enabled": True, "self_diffusion": "1e-12 m^2/s",
                "surface_energy": "0.1 J/m^2"},
}


def test_every_metal_property_comes_from_the_case_file():
    case = resolve_case(CUSTOM)
    metal = anode_metal_of(case)
    assert metal.molar_volume == pytest.approx(45.5e-6)
    assert current_settings(case).molar_volume == metal.molar_volume
    materials, creep = materials_of(case)
    li = materials[2]
    assert (li.E, li.nu) == (3.5e9, 0.35)
    law = creep[2]
    assert (law.A, law.n, law.Q) == (pytest.approx(1e-30), 5.0, 40e3)
    vs = vacancy_settings(case)
    m = vs.material
    assert m.molar_volume == pytest.approx(45.5e-6)
    assert (m.formation_enthalpy, m.formation_entropy, m.self_diffusion_activation,
            m.correlation_factor) == (38e3, 2.0, 40e3, 0.7)
    assert vs.burgers_vector == pytest.approx(0.45e-9) and vs.surface_energy == 0.1
    # the laws use them: equilibrium vacancy fraction exp(S/k) exp(-H/RT)
    T = 298.15
    assert m.c_eq(T) == pytest.approx(math.exp(2.0 - 38e3 / (GAS_CONSTANT * T)), rel=1e-12)
    # every overridden value is an "input" record naming its key
    inputs = {p.name: p.note for p in (*metal.all_parameters, *vs.parameters)
              if p.status == "input"}
    for name in ("molar_volume", "formation_enthalpy", "formation_entropy",
                 "self_diffusion_activation", "correlation_factor", "burgers_vector"):
        assert name in inputs and inputs[name].startswith("anode."), name


def test_without_overrides_the_preset_is_used_as_it_is():
    case = resolve_case({"anode": {"metal": "Na"}})
    assert anode_metal_of(case) is anode_metal("Na")
    assert current_settings(case).molar_volume / FARADAY == anode_metal("Na").molar_volume / FARADAY


@pytest.mark.parametrize(("anode", "needle"), [
    ({"molar_volume": "13 cm^2"}, 'anode.molar_volume = "13 cm^2"'),
    ({"molar_volume": -1.3e-5}, "anode.molar_volume"),
    ({"correlation_factor": 1.5}, "anode.correlation_factor = 1.5"),
    ({"vacancy_formation_enthalpy": "0.5 V"}, "anode.vacancy_formation_enthalpy"),
])
def test_bad_metal_properties_are_case_errors(anode, needle):
    with pytest.raises(CaseError, match=re.escape(needle)):
        resolve_case({"anode": anode})


def test_a_stripping_problem_runs_with_the_custom_metal():
    """The molar volume reaches the kinematics (stripped thickness per charge Omega / F)."""
    from mpi4py import MPI

    from ssbx.runs.stripping import build_problem

    small = {**CUSTOM, "geometry": {"kind": "planar", "h_se": "20 um", "h_li": "10 um",
                                    "width": "20 um"},
             "mesh": {"size_fine": "4 um", "size_coarse": "4 um"},
             "interface": {"kinetics": "butler_volmer", "asr": "2 ohm cm^2"},
             "fixture": {"pressure": "2 MPa"}}
    problem = build_problem(resolve_case(small), MPI.COMM_SELF)
    assert problem.thickness_per_charge == pytest.approx(45.5e-6 / FARADAY)
    problem.initialize()
    assert problem.scalars()["contact_fraction"] == pytest.approx(1.0)
