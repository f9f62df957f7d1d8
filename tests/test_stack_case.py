"""``problem = "stack"``: the reduced stack-pressure model run from a case file.

The example ``examples/full_cell_pressure.toml`` resolves and runs; its history is the one of a
:class:`~ssbx.physics.stack_model.StackModel` built by hand from the same inputs (bit for bit,
to 1e-12) and its final pressure the one of the ``full_cell_pressure`` benchmark's die-confined
base case; bad layers, fixtures and protocols are refused before anything runs, naming the key;
the resolved case round-trips through TOML; two ranks give the summary of one.
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

import numpy as np
import pytest
from cases import EXAMPLES, example

from ssbx.case import CaseError, resolve_case
from ssbx.io.console import Console
from ssbx.io.runfolder import RunFolder
from ssbx.physics.creep_laws import LI_ELASTIC_MASIAS_2019, MASIAS_2019
from ssbx.physics.elasticity import LI6PS5CL
from ssbx.physics.stack_elements import (
    CompositeCathode,
    ConstantForce,
    ElasticLayer,
    FixedGap,
    MetalFoil,
    Prony,
    Springs,
    layer_modulus,
)
from ssbx.physics.stack_model import Segment, StackModel
from ssbx.setup import stack_fixture_of, stack_model_of, stack_segments_of
from ssbx.units import from_mA_per_cm2, from_mAh_per_cm2

NAME = "full_cell_pressure.toml"
MPA = 1.0e6


def _raw() -> dict[str, Any]:
    return tomllib.loads((EXAMPLES / NAME).read_text())


def _history(case: Any) -> Any:
    return stack_model_of(case).run(stack_segments_of(case), case.fixture.pressure)


def test_example_resolves_to_the_stack_it_describes() -> None:
    case = example(NAME)
    assert case.problem == "stack" and case.operation.temperature == pytest.approx(313.15)
    assert [(layer.kind, layer.name) for layer in case.stack.layers] == [
        ("cathode", "cathode"), ("elastic", "separator"), ("metal", "li")]
    cathode, separator, li = case.stack.layers
    assert cathode.confined is False and cathode.strain == (0.0, -0.0099)
    assert separator.material == "Li6PS5Cl" and separator.confined is True
    assert (li.side, li.creep, li.friction, li.clearance) == (1, True, "die", 25e-6)
    assert li.friction_coefficient is None and li.confined is None  # not keys of a metal
    assert case.stack.capacity == pytest.approx(from_mAh_per_cm2(3.366), rel=1e-15)
    assert case.fixture.compliance == pytest.approx(1e-12, rel=1e-15)
    assert (case.fixture.relaxation_fraction, case.fixture.relaxation_time) == (0.2357, 600.0)
    seg, = stack_segments_of(case)
    assert seg.current_density == pytest.approx(from_mA_per_cm2(0.2), rel=1e-15)  # plate: +
    assert seg.duration == pytest.approx(3.366 / 0.2 * 3600.0, rel=1e-12) and seg.steps == 100


def test_example_history_is_the_direct_model_and_the_benchmark_base_case() -> None:
    case = example(NAME)
    h = _history(case)
    q = from_mAh_per_cm2(3.366)
    direct = StackModel(
        [CompositeCathode("cathode", 85e-6, 20e9, (0.0, 1.0), (0.0, -0.0099)),
         ElasticLayer.from_material("separator", 582.57e-6, LI6PS5CL),
         MetalFoil("li", 100e-6, layer_modulus(LI_ELASTIC_MASIAS_2019), side=1,
                   creep=MASIAS_2019, friction="die", radius=5e-3, clearance=25e-6,
                   clearance_length=1e-3)],
        FixedGap(1e-12, Prony((0.2357,), (600.0,))), 313.15, capacity=q, initial_soc=0.0,
    ).run([Segment(q / from_mA_per_cm2(0.2), from_mA_per_cm2(0.2), 100)], 5e6)
    np.testing.assert_allclose(h.pressure, direct.pressure, rtol=1e-12, atol=0.0)
    np.testing.assert_allclose(h.time, direct.time, rtol=1e-12, atol=0.0)
    for name in ("cathode", "separator", "li"):
        np.testing.assert_allclose(h.thickness[name], direct.thickness[name], rtol=1e-12)
    np.testing.assert_allclose(h.soc, direct.soc, rtol=1e-12, atol=1e-15)
    assert h.soc[-1] == pytest.approx(1.0, abs=1e-12)
    # Li gains Omega q / F = 16.5 um minus its creep into the clearance
    assert 15e-6 < h.thickness["li"][-1] - h.thickness["li"][0] < 16.5e-6
    # the full_cell_pressure benchmark's die-confined (25 um) base case on its log-spaced
    # steps: 15.429 MPa; equal steps here, the same inputs (g rounded to 4 digits)
    from ssbx.benchmarks.reproductions import stack_pressure as bench

    ref = bench.full_cell_run(25.5, FixedGap(bench.FIXTURE_COMPLIANCE,
                                             bench.empty_fixture_prony(40.0)),
                              steps=160, mu=0.0, die_clearance=25e-6)
    assert h.pressure[-1] == pytest.approx(ref.pressure[-1], abs=0.01 * MPA)


def test_fixtures_of_the_case() -> None:
    raw = _raw()
    raw["fixture"] = {"type": "spring", "pressure": "5 MPa", "stiffness": "0.935 MPa/mm",
                      "compliance": "1 um/MPa", "friction_threshold": "0.5 MPa"}
    fx = stack_fixture_of(resolve_case(raw))
    assert isinstance(fx, Springs)
    assert (fx.stiffness, fx.compliance, fx.friction) == pytest.approx((0.935e9, 1e-12, 0.5e6))
    raw["fixture"] = {"type": "pressure", "pressure": "2 MPa"}
    case = resolve_case(raw)
    assert stack_fixture_of(case) == ConstantForce(2e6)
    h = _history(case)
    assert np.all(h.pressure == 2e6)
    raw["fixture"] = {"type": "rigid_plate", "pressure": "2 MPa"}  # the same element in 0-D
    assert stack_fixture_of(resolve_case(raw)) == ConstantForce(2e6)
    raw["fixture"] = {"type": "rigid_plate", "pressure": "2 MPa", "compliance": "1 um/MPa"}
    with pytest.raises(CaseError, match=r'not used by fixture\.type = "rigid_plate"'):
        resolve_case(raw)
    raw["fixture"] = {"type": "fixed_gap", "pressure": "5 MPa"}
    assert stack_fixture_of(resolve_case(raw)) == FixedGap(0.0, None)


def _set(raw: dict[str, Any], path: str, value: Any) -> None:
    node: Any = raw
    parts = path.split(".")
    for part in parts[:-1]:
        node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
    if value is None:
        del node[int(parts[-1]) if isinstance(node, list) else parts[-1]]
    elif isinstance(node, list):
        node[int(parts[-1])] = value
    else:
        node[parts[-1]] = value


BAD: list[tuple[str, dict[str, Any], tuple[str, ...]]] = [
    ("unknown layer kind", {"stack.layers.1.kind": "separator"},
     ("stack.layers[1].kind", '"separator"', '"elastic", "metal", "cathode"')),
    ("missing thickness", {"stack.layers.2.thickness": None},
     ("stack.layers[2]: thickness missing",)),
    ("coulomb without coefficient", {"stack.layers.2.friction": "coulomb",
                                     "stack.layers.2.clearance": None,
                                     "stack.layers.2.clearance_length": None},
     ("stack.layers[2]: friction_coefficient missing", 'friction = "coulomb" needs')),
    ("die key with coulomb", {"stack.layers.2.friction": "coulomb",
                              "stack.layers.2.friction_coefficient": 0.3},
     ('stack.layers[2].clearance = "25 um": not used with friction = "coulomb"',)),
    ("cathode table lengths differ", {"stack.layers.0.strain": [0.0, -0.005, -0.0099]},
     ("stack.layers[0].state_of_charge", "same length", "got 2 and 3")),
    ("cathode soc outside [0, 1]", {"stack.layers.0.state_of_charge": [0.0, 1.5]},
     ("stack.layers[0].state_of_charge = [0.0, 1.5]", "increasing", "[0, 1]")),
    ("hold step", {"protocol.steps": ["Plate at 0.2 mA/cm^2 for 1 h", "Hold at 10 mV for 1 h"]},
     ('protocol.steps[1] = "Hold at 10 mV for 1 h"', "not a step of", "Rest for")),
    ("no layers", {"stack.layers": []}, ("stack.layers = []: no layers",)),
    ("no layers at all", {"stack": {"capacity": "3 mAh/cm^2"}},
     ("stack.layers = none (default): no layers",)),
    ("metal side 2", {"stack.layers.2.side": 2},
     ("stack.layers[2].side = 2", "one of -1, 0, 1")),
    ("key of another kind", {"stack.layers.2.material": "LLZO"},
     ('stack.layers[2].material = "LLZO": not a key of a metal layer',)),
    ("elastic layer without constants", {"stack.layers.1.material": None},
     ("stack.layers[1]: an elastic layer needs material",)),
    ("duplicate names", {"stack.layers.1.name": "li"}, ("the name 'li'", "unique")),
    ("cathode without capacity", {"stack.capacity": None}, ("stack.capacity missing",)),
    ("relaxation without time", {"fixture.relaxation_time": None},
     ("fixture.relaxation_fraction = 0.2357: needs fixture.relaxation_time",)),
    ("friction threshold on a fixed gap", {"fixture.friction_threshold": "1 MPa"},
     ('fixture.friction_threshold = "1 MPa": not used by fixture.type = "fixed_gap"',
      'type = "spring"')),
    ("compliance in the wrong unit", {"fixture.compliance": "1 MPa"},
     ('fixture.compliance = "1 MPa"', "a compliance per unit area", "1 um/MPa")),
    ("metal stripped through", {"protocol.steps": ["Plate at 1 mA/cm^2 for 5 mAh/cm^2",
                                                   "Strip at 1 mA/cm^2 for 30 mAh/cm^2"]},
     ("stack.layers[2] (li, thickness 100 um, side 1): the protocol strips 121.244 um",)),
    ("mechanics key", {"mechanics.li_model": "anand"},
     ('mechanics.li_model = "anand": not used by problem = "stack"', "anode.metal")),
    ("time key", {"time.end": "2 h"},
     ('time.end = "2 h": not used by problem = "stack"', "steps_per_segment")),
]


@pytest.mark.parametrize("changes, expected", [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_inputs_are_refused_naming_the_key(changes: dict[str, Any],
                                               expected: tuple[str, ...]) -> None:
    raw = _raw()
    for path, value in changes.items():
        if path == "stack":
            raw["stack"] = value
        else:
            _set(raw, path, value)
    with pytest.raises(CaseError) as err:
        resolve_case(raw)
    text = str(err.value)
    for part in expected:
        assert part in text, text


def test_other_kinds_refuse_the_stack_keys() -> None:
    base = {"problem": "mechanics", "fixture": {"type": "fixed_gap"}}
    for extra, key in (({"fixture": {"type": "fixed_gap", "compliance": "1 um/MPa"}},
                        "fixture.compliance"),
                       ({"stack": {"steps_per_segment": 5}}, "stack.steps_per_segment"),
                       ({"stack": {"layers": [{"kind": "metal", "name": "li",
                                               "thickness": "1 um"}]}}, "stack.layers")):
        with pytest.raises(CaseError, match=f'{key}.*not used by problem = "mechanics"'):
            resolve_case({**copy.deepcopy(base), **extra})


@pytest.mark.parametrize("variant", ["example", "springs_coulomb", "force_bonded"])
def test_resolved_case_round_trips(variant: str) -> None:
    raw = _raw()
    if variant == "springs_coulomb":
        raw["fixture"] = {"type": "spring", "compliance": "2 um/MPa",
                          "friction_threshold": "0.3 MPa", "stiffness": "1 MPa/mm"}
        raw["stack"]["layers"][2] = {"kind": "metal", "name": "li", "thickness": "50 um",
                                     "friction": "coulomb", "friction_coefficient": 0.2,
                                     "radius": "5 mm", "side": -1, "creep": False}
        raw["stack"]["layers"][1] = {"kind": "elastic", "name": "sep", "thickness": "0.5 mm",
                                     "youngs_modulus": "24 GPa", "poisson_ratio": 0.3,
                                     "confined": False}
        raw["stack"]["initial_state_of_charge"] = 0.25
    elif variant == "force_bonded":
        raw["fixture"] = {"type": "pressure", "pressure": "3 MPa"}
        raw["stack"]["layers"][2] = {"kind": "metal", "name": "li", "thickness": "50 um",
                                     "friction": "bonded", "radius": "5 mm"}
        raw["protocol"]["steps"] = ["Plate at 1 mA/cm^2 for 10 min", "Rest for 5 min",
                                    "Strip at 1 mA/cm^2 for 0.1 mAh/cm^2"]
        raw["protocol"]["cycles"] = 2
    case = resolve_case(raw)
    again = resolve_case(tomllib.loads(case.to_toml()), name_default="other")
    assert again == case and again.stack.layers == case.stack.layers
    if variant == "force_bonded":
        segs = stack_segments_of(case)
        i = from_mA_per_cm2(1.0)
        assert [s.current_density for s in segs] == pytest.approx([i, 0.0, -i] * 2)
        assert segs[2].duration == pytest.approx(from_mAh_per_cm2(0.1) / i)


def _run(case: Any, root: Path, comm: MPI.Comm) -> dict[str, Any]:
    from ssbx.runs.case_runner import execute_case

    folder = RunFolder(comm, root, overwrite=True)
    return execute_case("run", case, folder, comm, Console(comm, quiet=True),
                        source=f"examples/{NAME}")


@pytest.mark.mpi
def test_run_writes_the_folder_and_every_rank_has_the_serial_summary(
        comm: MPI.Comm, shared_tmp_path: str) -> None:
    case = example(NAME)
    root = Path(shared_tmp_path) / "stack"
    results = _run(case, root, comm)["results"]
    assert results["problem"] == "stack" and results["layers"] == ["cathode", "separator", "li"]
    s = {k: v["value"] for k, v in results["scalars"].items()}
    units = {k: v["unit"] for k, v in results["scalars"].items()}
    assert units["pressure_final"] == "Pa" and units["thickness_li_change_final"] == "m"
    assert units["time_total"] == "s" and units["capacity_final"] == "C/m^2"
    # the serial model on this rank alone gives the same numbers
    h = _history(case)
    assert s["pressure_initial"] == 5e6
    assert s["pressure_final"] == float(h.pressure[-1])
    assert s["pressure_max"] == float(np.max(h.pressure))
    assert s["pressure_min"] == float(np.min(h.pressure)) < 5e6  # the load train relaxes first
    assert s["pressure_change_final"] == float(h.pressure[-1] - h.pressure[0])
    for name in ("cathode", "separator", "li"):
        th = h.thickness[name]
        assert s[f"thickness_{name}_change_final"] == float(th[-1] - th[0])
    assert s["state_of_charge_final"] == float(h.soc[-1]) and s["contact_lost"] == 0.0
    every = comm.allgather({k: v for k, v in s.items() if k != "time_total"})
    assert all(other == every[0] for other in every)
    if comm.rank == 0:
        for name in ("history.csv", "pressure.png", "summary.json", "case.resolved.toml"):
            assert (root / name).stat().st_size > 0, name
        with open(root / "history.csv") as f:
            rows = list(csv.DictReader(f))
        assert len(rows) == 101
        assert list(rows[0])[:5] == ["time_s", "pressure_Pa", "thickness_cathode_m",
                                     "thickness_separator_m", "thickness_li_m"]
        assert float(rows[-1]["pressure_Pa"]) == s["pressure_final"]
        assert float(rows[-1]["state_of_charge"]) == pytest.approx(1.0, abs=1e-12)
        assert math.isclose(float(rows[50]["current_density_A_per_m2"]),
                            from_mA_per_cm2(0.2), rel_tol=1e-15)
        summary = json.loads((root / "summary.json").read_text())
        assert summary["results"]["scalars"]["pressure_final"]["value"] == s["pressure_final"]
    comm.Barrier()


def test_cli_mesh_refuses_and_citations_list_what_a_stack_case_uses(
        capsys: pytest.CaptureFixture[str]) -> None:
    """``ssbx mesh`` refuses a stack case (no mesh); ``ssbx info --citations`` lists the metal's
    molar volume, elastic constants and creep law and the separator preset's elastic constants,
    not the electrolyte conductivity a stack case does not use."""
    from ssbx.cli import commands as cli

    path = str(EXAMPLES / "full_cell_pressure.toml")
    assert cli.main(["mesh", path]) == 1
    assert "no mesh" in capsys.readouterr().err
    assert cli.main(["info", "--citations", "--json", path]) == 0
    rows = json.loads(capsys.readouterr().out)["records"]
    names = {r["name"] for r in rows}
    assert {"molar_volume", "E", "nu", "A", "n"} <= names
    assert "conductivity" not in names


def test_plots_can_be_switched_off(tmp_path: Path) -> None:
    """``output.plots = false``: no PNG, the summary's file list says so, the numbers are the
    same; a current-distribution run likewise."""
    from ssbx.case import with_overrides
    from ssbx.runs.case_runner import execute_case

    comm = MPI.COMM_SELF
    case = example(NAME)
    plain = _run(with_overrides(case, {"output.plots": False}), tmp_path / "plain", comm)
    drawn = _run(case, tmp_path / "drawn", comm)
    assert not (tmp_path / "plain" / "pressure.png").exists()
    assert (tmp_path / "drawn" / "pressure.png").stat().st_size > 0
    assert plain["results"]["files"] == ["history.csv"]
    assert (plain["results"]["scalars"]["pressure_final"]
            == drawn["results"]["scalars"]["pressure_final"])
    current = with_overrides(example("void_2d.toml"), {
        "output.plots": False, "output.fields": False, "mesh.size_fine": 1e-6,
        "mesh.size_coarse": 5e-6})
    folder = RunFolder(comm, tmp_path / "current")
    out = execute_case("run", current, folder, comm, Console(comm, quiet=True), source="test")
    assert "interface_current.png" not in out["results"]["files"]
    assert not (tmp_path / "current" / "interface_current.png").exists()
    assert (tmp_path / "current" / "interface_current.csv").stat().st_size > 0
