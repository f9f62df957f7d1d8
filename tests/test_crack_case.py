"""`problem = "crack"`: the [crack] section from the case file to the run folder.

Validation (every problem named by its keys, before any mesh is built), the TOML round trip,
the keys other problem kinds ignore, the setup builders, and the run of examples/crack.toml
against the closed forms of an edge crack in a half-plane (Tada, Paris & Irwin 2000) and the
critical overpotential of a Li-filled flaw (Porz et al. 2017).
"""

from __future__ import annotations

import copy
import csv
import json
import math
import tomllib
from pathlib import Path
from typing import Any

from mpi4py import MPI

import pytest
from cases import EXAMPLES, example

from ssbx.case import CaseError, resolve_case, with_overrides
from ssbx.io.console import Console
from ssbx.io.runfolder import RunFolder
from ssbx.physics.constants import FARADAY
from ssbx.physics.fracture import EDGE_FACTOR

#: A small valid crack case (raw TOML dict): a 1 um edge flaw in a 40 um LLZO square.
BASE: dict[str, Any] = {
    "name": "flaw",
    "problem": "crack",
    "geometry": {"kind": "planar", "h_se": "40 um", "width": "40 um"},
    "mechanics": {"electrolyte_preset": "LLZO"},
    "crack": {"kind": "edge", "length": "1 um", "overpotential": "50 mV"},
}


def _raw(**changes: Any) -> dict[str, Any]:
    """:data:`BASE` with ``{"section.key": value}`` changes (``None`` removes the key)."""
    raw = copy.deepcopy(BASE)
    for path, value in changes.items():
        section, _, name = path.partition(".")
        if value is None:
            raw[section].pop(name, None)
        else:
            raw.setdefault(section, {})[name] = value
    return raw


@pytest.fixture
def no_meshing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to mesh a crack fails the test: validation comes first."""
    import ssbx.meshes.cracks as cracks

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("a crack mesh was built before the case was validated")

    monkeypatch.setattr(cracks, "build_crack_mesh", refuse)
    monkeypatch.setattr(cracks, "_build", refuse)


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("changes", "keys"),
    [
        ({"crack.li_pressure": "100 MPa"}, ("crack.li_pressure", "crack.overpotential")),
        ({"crack.fill": "2 um"}, ("crack.fill", "crack.length")),
        ({"crack.length": "39 um"}, ("crack.length", "geometry.h_se", "does not fit")),
        ({"crack.position": "19.5 um"}, ("crack.position", "geometry.width", "does not fit")),
        ({"crack.kind": "penny", "crack.length": "5 um"}, ("crack.kind", "geometry.kind")),
        ({"crack.kind": "internal", "geometry.kind": "axisymmetric"},
         ("crack.kind", "geometry.kind")),
        ({"crack.kind": "penny", "geometry.kind": "axisymmetric", "crack.inclination": 10.0},
         ("crack.inclination",)),
        ({"crack.depth": "5 um"}, ("crack.depth", "internal")),
        ({"crack.inclination": 85.0}, ("crack.inclination", "< 81")),
        ({"mechanics.electrolyte_preset": "Na-beta-alumina"},
         ("mechanics.electrolyte_preset", "mechanics.electrolyte_fracture_toughness")),
        ({"crack.tip_size": "0.5 um"}, ("crack.tip_size", "crack.face_size")),
        ({"crack.tip_size": "1 nm", "crack.face_size": "1 nm", "crack.far_size": "1 nm"},
         ("mesh.max_cells", "crack.tip_size")),
        ({"mesh.size_fine": "1 um"}, ("mesh.size_fine", 'problem = "crack"', "crack.tip_size")),
        ({"fixture.pressure": "10 MPa"}, ("fixture.pressure", "crack.stack_pressure")),
    ],
)
def test_invalid_crack_cases_are_refused_before_meshing(no_meshing: None,
                                                        changes: dict[str, Any],
                                                        keys: tuple[str, ...]) -> None:
    with pytest.raises(CaseError) as info:
        resolve_case(_raw(**changes))
    text = "\n".join(info.value.problems)
    for key in keys:
        assert key in text, text


def test_every_problem_at_once(no_meshing: None) -> None:
    raw = _raw(**{"crack.li_pressure": "1 MPa", "crack.fill": "3 um", "crack.depth": "2 um"})
    with pytest.raises(CaseError) as info:
        resolve_case(raw)
    text = "\n".join(info.value.problems)
    assert len(info.value.problems) == 3, text
    for key in ("crack.li_pressure", "crack.fill", "crack.depth"):
        assert key in text


def test_crack_keys_are_refused_by_other_problem_kinds() -> None:
    for problem in ("current_distribution", "mechanics", "stripping"):
        with pytest.raises(CaseError) as info:
            resolve_case({"problem": problem, "crack": {"length": "2 um"}})
        assert "crack.length" in str(info.value) and 'problem = "crack"' in str(info.value)
    with pytest.raises(CaseError, match=r"mechanics\.electrolyte_fracture_toughness"):
        resolve_case({"problem": "mechanics",
                      "mechanics": {"electrolyte_fracture_toughness": "1 MPa*m^0.5"}})


# --------------------------------------------------------------------------- records


def test_resolved_values_are_si() -> None:
    case = resolve_case(_raw(**{"crack.fill": "0.5 um", "crack.inclination": 30.0,
                                "crack.stack_pressure": "5 MPa",
                                "crack.in_plane_stress": "-200 MPa",
                                "mechanics.electrolyte_fracture_toughness": "1.1 MPa*m^0.5"}))
    c = case.crack
    assert (c.kind, c.length, c.fill, c.inclination) == ("edge", 1e-6, 0.5e-6, 30.0)
    assert (c.overpotential, c.li_pressure) == (0.05, None)
    assert (c.stack_pressure, c.in_plane_stress) == (5e6, -200e6)
    assert case.mechanics.electrolyte_fracture_toughness == 1.1e6


@pytest.mark.parametrize(
    "raw",
    [
        BASE,
        _raw(**{"crack.kind": "internal", "crack.length": "2 um", "crack.depth": "15 um",
                "crack.position": "-3 um", "crack.fill": "1.5 um", "crack.inclination": -20.0,
                "crack.overpotential": None, "crack.li_pressure": "300 MPa",
                "crack.in_plane_stress": "-50 MPa", "crack.support": "clamped",
                "crack.tip_size": "0.02 um", "crack.face_size": "0.1 um",
                "crack.far_size": "4 um",
                "mechanics.electrolyte_fracture_toughness": "1.25 MPa*m^0.5",
                "mechanics.electrolyte_youngs_modulus": "140 GPa"}),
        _raw(**{"geometry.kind": "axisymmetric", "crack.kind": "penny", "crack.length": "5 um",
                "crack.overpotential": "-0.1 V"}),
    ],
    ids=["edge", "internal", "penny"],
)
def test_round_trip(raw: dict[str, Any]) -> None:
    case = resolve_case(raw)
    again = resolve_case(case.to_toml_dict())
    assert again == case and hash(again) == hash(case)
    assert resolve_case(tomllib.loads(case.to_toml())) == case
    written = case.to_toml_dict()["crack"]
    assert ("li_pressure" in written) == (case.crack.li_pressure is not None)
    assert ("overpotential" in written) == (case.crack.overpotential is not None)


def test_setup_builds_the_crack_and_its_loads() -> None:
    from ssbx.setup import (
        crack_loads_of,
        crack_sizes_of,
        crack_spec_of,
        fracture_toughness_of,
        molar_volume_of,
    )

    case = resolve_case(_raw(**{"crack.inclination": 30.0, "crack.fill": "0.5 um",
                                "crack.face_size": "0.05 um", "crack.stack_pressure": "5 MPa"}))
    spec = crack_spec_of(case)
    assert (spec.kind, spec.length, spec.width, spec.height) == ("edge", 1e-6, 40e-6, 40e-6)
    assert spec.inclination == pytest.approx(math.pi / 6) and spec.fill == 0.5e-6
    sizes = crack_sizes_of(case)
    assert sizes.face == pytest.approx(0.05e-6) and sizes.tip == pytest.approx(1e-6 / 60)
    assert sizes.far == pytest.approx(40e-6 / 12)
    omega = molar_volume_of(case)
    loads = crack_loads_of(case)
    assert loads.li_pressure == pytest.approx(FARADAY * 0.05 / omega)
    assert (loads.stack_pressure, loads.in_plane_stress) == (5e6, 0.0)
    assert fracture_toughness_of(case) == 1.25e6  # the LLZO preset
    none = resolve_case(_raw(**{"crack.overpotential": None}))
    assert crack_loads_of(none).li_pressure == 0.0


# --------------------------------------------------------------------------- runs


def test_example_is_a_crack_case() -> None:
    assert EXAMPLES / "crack.toml" in sorted(EXAMPLES.glob("*.toml"))
    case = example("crack.toml")
    assert case.problem == "crack" and case.crack.kind == "edge"
    assert case.crack.length == 1e-6 and case.crack.overpotential == 0.05
    assert case.crack.stack_pressure == 5e6 and case.mechanics.electrolyte_preset == "LLZO"


def _run(case: Any, root: Path, comm: MPI.Comm) -> dict[str, Any]:
    from ssbx.runs.case_runner import execute_case

    folder = RunFolder(comm, root, overwrite=True)
    return execute_case("run", case, folder, comm, Console(comm, quiet=True),
                        source="examples/crack.toml")


@pytest.mark.mpi
def test_example_run_writes_the_run_folder(comm: MPI.Comm, shared_tmp_path: str) -> None:
    root = Path(shared_tmp_path) / "crack"
    summary = _run(example("crack.toml"), root, comm)
    results = summary["results"]
    assert results["problem"] == "crack"
    s = {k: v["value"] for k, v in results["scalars"].items()}
    units = {k: v["unit"] for k, v in results["scalars"].items()}
    assert units["K_I"] == "Pa*m**0.5" and units["critical_overpotential"] == "V"
    assert "K_I_closed_form" not in s  # a stack pressure: no closed form
    assert 0.0 < s["li_volume"] == pytest.approx(s["crack_volume"])
    assert s["max_opening"] > 0 and s["K_domain_spread"] < 1e-3
    assert s["critical_li_pressure"] > s["li_pressure"]  # 50 mV does not extend a 1 um flaw
    assert s["critical_overpotential"] > 0.05
    if comm.rank == 0:
        for name in ("tips.csv", "opening.csv", "opening.png", "summary.json",
                     "provenance.json", "case.resolved.toml"):
            assert (root / name).stat().st_size > 0, name
        assert (root / "displacement.bp").is_dir()
        with open(root / "tips.csv") as f:
            tips = list(csv.DictReader(f))
        assert len(tips) == 3 and {r["tip"] for r in tips} == {"0"}
        assert float(tips[0]["K_I_Pa_sqrt_m"]) == pytest.approx(s["K_I"], rel=1e-4)
        with open(root / "opening.csv") as f:
            rows = list(csv.DictReader(f))
        assert float(rows[0]["s_m"]) == 0.0 and float(rows[-1]["s_m"]) == pytest.approx(1e-6)
        assert json.loads((root / "summary.json").read_text())["results"]["problem"] == "crack"


def test_pure_pressure_edge_crack_matches_the_closed_forms(tmp_path: Path) -> None:
    comm = MPI.COMM_SELF
    case = with_overrides(example("crack.toml"), {"crack.stack_pressure": None})
    s = {k: v["value"] for k, v in _run(case, tmp_path / "pure", comm)["results"]["scalars"]
         .items()}
    c, p = 1e-6, s["li_pressure"]
    from ssbx.setup import molar_volume_of

    omega = molar_volume_of(case)
    assert p == pytest.approx(FARADAY * 0.05 / omega)
    k_edge = EDGE_FACTOR * p * math.sqrt(math.pi * c)
    assert s["K_I"] == pytest.approx(k_edge, rel=0.02)
    assert s["K_I_closed_form"] == pytest.approx(k_edge, rel=1e-12)
    assert abs(s["K_II"]) < 1e-3 * s["K_I"]
    eta_c = omega * 1.25e6 / (EDGE_FACTOR * FARADAY * math.sqrt(math.pi * c))
    assert s["critical_overpotential"] == pytest.approx(eta_c, rel=0.02)
    assert s["critical_li_pressure"] == pytest.approx(eta_c * FARADAY / omega, rel=0.02)


def test_a_crack_case_cannot_be_restarted(tmp_path: Path) -> None:
    from ssbx.errors import CheckpointError
    from ssbx.runs.registry import RUNNERS, run_case

    assert "crack" in RUNNERS
    comm = MPI.COMM_SELF
    RunFolder(comm, tmp_path / "r")
    with pytest.raises(CheckpointError, match="steady"):
        run_case(example("crack.toml"), RunFolder(comm, tmp_path / "r", resume=True), comm,
                 restart=True)
