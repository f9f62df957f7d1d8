"""A rough, rigid electrolyte surface (``geometry.roughness_rq``): the random profile has the
requested RMS, is mirror-symmetric about the cell sides and reproducible, and the Li that starts
on its highest asperity fills it under the stack pressure."""

from __future__ import annotations

import tomllib

from mpi4py import MPI

import numpy as np
import pytest
from cases import TINY

from ssbx.case import CaseError, resolve_case
from ssbx.meshes.roughness import roughness_gap, surface_height
from ssbx.meshes.spec import CellGeometrySpec


def rough(**kw: object) -> CellGeometrySpec:
    base = {"kind": "planar", "width": 200e-6, "h_li": 100e-6, "roughness_rq": 1.1e-6,
            "roughness_length": 30e-6, "roughness_seed": 3}
    return CellGeometrySpec(**(base | kw))


def test_profile_has_the_rms_is_symmetric_and_reproducible():
    g = rough()
    x = np.linspace(0.0, g.width, 40001)
    z = surface_height(x, g)
    assert np.sqrt(np.mean(z**2)) == pytest.approx(1.1e-6, rel=1e-3)
    assert abs(np.mean(z)) < 1e-3 * 1.1e-6
    d = 1e-9 * g.width  # mirror symmetry about x = 0 and x = width
    for side in (0.0, g.width):
        np.testing.assert_allclose(surface_height(np.array([side - d]), g),
                                   surface_height(np.array([side + d]), g), rtol=0, atol=1e-15)
    np.testing.assert_array_equal(surface_height(x, g), z)
    assert np.max(np.abs(surface_height(x, rough(roughness_seed=4)) - z)) > 0.5e-6
    gap = roughness_gap(x, g)
    assert gap.min() == 0.0 and gap.max() == pytest.approx(z.max() - z.min(), rel=1e-12)
    assert np.all(roughness_gap(x, rough(roughness_rq=0.0)) == 0.0)


def rough_case(**geometry: object):
    raw = tomllib.loads(TINY)
    del raw["geometry"]["voids"]
    raw["geometry"] |= {"width": "100 um", "h_li": "40 um", "roughness_rq": "0.3 um",
                        "roughness_length": "15 um", **geometry}
    raw["mesh"] = {"size_fine": "2 um", "size_coarse": "5 um"}
    raw["time"]["max_plastic_strain_increment"] = 0.2
    raw["fixture"] = {"pressure": "1 MPa"}
    raw["protocol"]["steps"] = ["Rest for 3 s"]
    return resolve_case(raw)


def test_validation_of_the_roughness():
    with pytest.raises(CaseError, match="small slopes"):
        rough_case(roughness_rq="3 um", roughness_length="5 um")
    raw = tomllib.loads(TINY)
    raw["problem"] = "mechanics"
    for section in ("protocol", "contact", "ccs"):
        del raw[section]
    raw["geometry"]["roughness_rq"] = "0.3 um"
    with pytest.raises(CaseError, match="rough electrolyte surface"):
        resolve_case(raw)


def test_the_li_fills_the_rough_surface_under_pressure():
    """At zero current and 1 MPa the Li, first on its highest asperities, creeps into the
    valleys: the contact fraction grows and the void volume shrinks; nothing penetrates."""
    from ssbx.runs.stripping import Recorder, build_problem, run_protocol, step_control

    case = rough_case()
    problem = build_problem(case, MPI.COMM_SELF)
    first = problem.scalars()
    recorder = Recorder(problem, 5)
    recorder.record(None, None)
    run_protocol(problem, case.protocol.parsed(), step_control(case), recorder, None)
    last = problem.scalars()
    assert first["contact_fraction"] < 0.9
    assert last["contact_fraction"] > first["contact_fraction"]
    assert last["void_volume"] < 0.9 * first["void_volume"]
    assert last["penetration_max"] < 1e-12
    problem.close()
