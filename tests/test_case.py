"""Case files: units, schema, validation (every problem reported), resolution, round trip.

No dolfinx: these run before any mesh or solver work.
"""

from __future__ import annotations

import math
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
from cases import example

from ssbx.case import Case, i0_from_asr, load_case, resolve_case, with_overrides
from ssbx.case.load import relative_to_case_file
from ssbx.case.schema import KEYS, SCHEMA, VOID_KEYS, schema_markdown
from ssbx.errors import CaseError
from ssbx.meshes.spec import VoidSpec
from ssbx.physics.constants import FARADAY, GAS_CONSTANT
from ssbx.units import (
    CONDUCTIVITY,
    CURRENT_DENSITY,
    DIMENSIONS,
    LENGTH,
    MOLAR_ENERGY,
    QuantityError,
    format_quantity,
    parse_quantity,
)

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.toml"))


def problems_of(raw: dict[str, Any]) -> list[str]:
    """The problems of an invalid raw case (fails if it resolves)."""
    with pytest.raises(CaseError) as info:
        resolve_case(raw)
    return info.value.problems


def one_problem(raw: dict[str, Any], *needles: str) -> str:
    """The single problem of ``raw``, checked to contain every needle."""
    problems = problems_of(raw)
    assert len(problems) == 1, problems
    for needle in needles:
        assert needle in problems[0], (needle, problems[0])
    return problems[0]


def void_case(*voids: dict[str, Any], **geometry: Any) -> dict[str, Any]:
    return {"geometry": {**geometry, "voids": list(voids)}}


# --------------------------------------------------------------------------- units


@pytest.mark.parametrize(
    ("value", "dimension", "si"),
    [
        ("20 um", LENGTH, 2e-5),
        ("20 µm", LENGTH, 2e-5),
        ("1 mA/cm^2", CURRENT_DENSITY, 10.0),
        ("-1 mA/cm^2", CURRENT_DENSITY, -10.0),
        ("2 ohm cm^2", "[electric_potential] * [length] ** 2 / [current]", 2e-4),
        ("1 mS/cm", CONDUCTIVITY, 0.1),
        ("25 degC", "[temperature]", 298.15),
        ("10 mV", "[electric_potential]", 0.01),
        ("30 kJ/mol", MOLAR_ENERGY, 30e3),
        ("5 MPa", "[pressure]", 5e6),
        (5e-5, LENGTH, 5e-5),
        (3, LENGTH, 3.0),
    ],
)
def test_parse_quantity(value: Any, dimension: str, si: float) -> None:
    assert parse_quantity(value, dimension, "k") == pytest.approx(si, rel=1e-12)


def test_exact_decimal_prefixes() -> None:
    assert parse_quantity("20 um", LENGTH, "k") == 2e-5
    assert parse_quantity("0.5 mS/cm", CONDUCTIVITY, "k") == 0.05


def test_activation_energy_per_particle() -> None:
    ea = parse_quantity("0.3 eV", MOLAR_ENERGY, "electrolyte.activation_energy")
    assert ea == pytest.approx(28946, rel=1e-4)
    assert ea == pytest.approx(0.3 * FARADAY)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("5 MPa", "is a pressure"),
        ("20 umm", "cannot read the unit"),
        ("20", "has no unit"),
        ("um", "does not start with a number"),
        (True, "is a boolean"),
        (float("nan"), "not a finite number"),
    ],
)
def test_parse_quantity_errors(value: Any, reason: str) -> None:
    with pytest.raises(QuantityError) as info:
        parse_quantity(value, LENGTH, "geometry.h_se")
    err = info.value
    assert isinstance(err, ValueError)
    assert err.key == "geometry.h_se" and err.value is value
    assert reason in str(err) and "geometry.h_se" in str(err) and "a length" in str(err)


@pytest.mark.parametrize("dimension", list(DIMENSIONS))
@pytest.mark.parametrize("x", [5e-5, 298.15, 0.1 + 0.2, -1.25e-7, 0.0])
def test_format_round_trip(dimension: str, x: float) -> None:
    text = format_quantity(x, dimension)
    assert text.endswith(" " + DIMENSIONS[dimension].si_unit)
    assert parse_quantity(text, dimension, "k") == x


def test_format_example() -> None:
    assert format_quantity(5e-5, LENGTH) == "5e-05 m"


# --------------------------------------------------------------------------- schema


def test_schema_default_texts_match_defaults() -> None:
    for key in SCHEMA:
        if key.kind == "quantity" and key.default is not None:
            assert key.dimension is not None
            assert parse_quantity(key.default_text, key.dimension, key.path) == pytest.approx(
                key.default, rel=1e-12
            ), key.path


def test_schema_markdown_lists_every_key() -> None:
    md = schema_markdown()
    for key in SCHEMA:
        assert f"`{key.name}`" in md, key.path
    for key in VOID_KEYS:
        assert f"`{key.name}`" in md
    for section in ("[geometry]", "[[geometry.voids]]", "[mesh]", "[solver.petsc]"):
        assert section in md


def test_docs_reference_up_to_date() -> None:
    doc = ROOT / "docs" / "case-reference.md"
    assert doc.read_text(encoding="utf-8") == schema_markdown(), (
        "docs/case-reference.md is stale: regenerate it with `make docs`"
    )


def test_no_dolfinx_import() -> None:
    code = "import sys, ssbx.case; sys.exit('dolfinx' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


# --------------------------------------------------------------------------- resolution


def test_defaults_resolve() -> None:
    case = resolve_case({}, name_default="empty")
    assert case.name == "empty" and case.description == ""
    g = case.geometry
    assert (g.kind, g.h_se, g.h_li, g.width, g.voids) == ("planar", 50e-6, 20e-6, 100e-6, ())
    assert (case.mesh.size_fine, case.mesh.size_coarse) == (0.5e-6, 5e-6)
    assert case.electrolyte.conductivity == pytest.approx(0.05)
    assert case.electrolyte.reference_temperature == pytest.approx(298.15)
    i = case.interface
    assert (i.kinetics, i.exchange_current_density) == ("linear", None)
    assert i.asr == pytest.approx(4e-4)
    assert i.asr * case.electrolyte.conductivity == pytest.approx(20e-6)  # Z kappa = 20 um
    op = case.operation
    assert (op.mode, op.counter_electrode) == ("galvanostatic", "ideal")
    assert op.current_density == pytest.approx(10.0) and op.voltage == pytest.approx(0.01)
    assert (case.solver.degree, case.solver.linear_solver, case.solver.max_iterations) == (
        2,
        "direct",
        50,
    )
    assert dict(case.solver.petsc) == {} and case.output.fields is True


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_examples_load(path: Path) -> None:
    case = load_case(path)
    assert case.name == path.stem


def test_void_2d_example() -> None:
    case = example("void_2d.toml")
    assert case.geometry.voids == (VoidSpec(50e-6, 40e-6, 2e-6, "ellipse", 0.0),)
    assert case.mesh.size_fine == 0.25e-6 and case.mesh.size_coarse == 4e-6
    assert case.interface.kinetics == "linear" and case.solver.degree == 2
    assert case.operation.current_density == pytest.approx(10.0)


def test_other_examples() -> None:
    axi = example("axisymmetric_void.toml")
    assert axi.geometry.kind == "axisymmetric" and axi.interface.kinetics == "butler_volmer"
    assert axi.geometry.voids[0].center == 0.0 and axi.geometry.voids[0].width == 40e-6
    flat = example("flat_bv.toml")
    assert flat.geometry.voids == () and flat.operation.counter_electrode == "symmetric"
    assert flat.interface.kinetics == "butler_volmer"


def test_name_defaults_to_file_stem(tmp_path: Path) -> None:
    path = tmp_path / "my_case.toml"
    path.write_text('[geometry]\nh_se = "40 um"\n', encoding="utf-8")
    case = load_case(path)
    assert case.name == "my_case" and case.geometry.h_se == 40e-6


def test_arrhenius_temperature_dependence() -> None:
    case = resolve_case(
        {
            "electrolyte": {"activation_energy": "0.3 eV", "reference_temperature": "25 degC"},
            "interface": {"activation_energy": "40 kJ/mol"},
            "operation": {"temperature": "60 degC"},
        }
    )
    ea = 0.3 * FARADAY
    factor = math.exp(-ea / GAS_CONSTANT * (1 / 333.15 - 1 / 298.15))
    assert case.conductivity == pytest.approx(0.05 * factor)
    assert case.electrolyte.conductivity_at(298.15) == pytest.approx(0.05)
    f_i = math.exp(-40e3 / GAS_CONSTANT * (1 / 333.15 - 1 / 298.15))
    assert case.asr == pytest.approx(4e-4 / f_i)
    i0_ref = GAS_CONSTANT * 298.15 / (FARADAY * 4e-4 * 1.0)
    assert case.interface.exchange_current_density_ref == pytest.approx(i0_ref)
    assert case.exchange_current_density == pytest.approx(i0_ref * f_i)


def test_exchange_current_density_given() -> None:
    case = resolve_case({"interface": {"exchange_current_density": "1 mA/cm^2"}})
    assert case.interface.exchange_current_density == pytest.approx(10.0)
    assert case.interface.asr == pytest.approx(i0_from_asr(10.0, 298.15, 0.5, 0.5))
    both = resolve_case(
        {"interface": {"exchange_current_density": "1 mA/cm^2", "asr": "3 ohm cm^2"}}
    )
    assert both.interface.asr == pytest.approx(3e-4)
    assert both.interface.exchange_current_density_ref == pytest.approx(10.0)


def test_rounded_rectangle_default_corner_radius() -> None:
    case = resolve_case(
        void_case(
            {"center": "50 um", "width": "40 um", "height": "4 um", "shape": "rounded_rectangle"}
        )
    )
    assert case.geometry.voids[0].corner_radius == pytest.approx(2e-6)


def test_voltage_ignored_in_galvanostatic_mode() -> None:
    case = resolve_case({"operation": {"mode": "galvanostatic", "voltage": 0}})
    assert case.operation.mode == "galvanostatic"


def test_butler_volmer_symmetric_potentiostatic_allowed() -> None:
    case = resolve_case(
        {
            "interface": {"kinetics": "butler_volmer"},
            "operation": {
                "mode": "potentiostatic",
                "voltage": "-20 mV",
                "counter_electrode": "symmetric",
            },
        }
    )
    assert case.operation.voltage == pytest.approx(-0.02)


# --------------------------------------------------------------------------- bad input


def test_unknown_top_level_key_and_section() -> None:
    p = one_problem(
        {"geometri": {"h_se": "50 um"}}, "geometri", "unknown", 'did you mean "geometry"'
    )
    assert "allowed:" in p and "mesh" in p
    one_problem({"nme": "x"}, "nme", '"x"', 'did you mean "name"')


def test_unknown_key_in_section_suggests_closest() -> None:
    one_problem(
        {"geometry": {"h_sr": "50 um"}},
        "geometry.h_sr",
        '"50 um"',
        'did you mean "h_se"',
        "allowed: kind, h_se",
    )


def test_misplaced_key_names_its_section() -> None:
    one_problem({"mesh": {"h_se": "50 um"}}, "mesh.h_se", "did you mean geometry.h_se")
    one_problem({"h_se": "50 um"}, "h_se", "did you mean geometry.h_se")


def test_unknown_key_in_void() -> None:
    raw = void_case({"center": "50 um", "width": "40 um", "height": "2 um", "widht": "3 um"})
    one_problem(raw, "geometry.voids[0].widht", '"3 um"', 'did you mean "width"', "allowed: center")


def test_unknown_key_in_petsc_is_passed_through() -> None:
    case = resolve_case({"solver": {"petsc": {"ksp_monitor": "", "pc_gamg_threshold": 0.02}}})
    assert dict(case.solver.petsc) == {"ksp_monitor": "", "pc_gamg_threshold": 0.02}


def test_petsc_bad_entries() -> None:
    problems = problems_of({"solver": {"petsc": {"-ksp_type": "cg", "pc": {"a": 1}}}})
    assert len(problems) == 2
    assert 'solver.petsc.-ksp_type = "cg"' in problems[0] and '"ksp_type"' in problems[0]
    assert "solver.petsc.pc" in problems[1] and "a table" in problems[1]


@pytest.mark.parametrize(
    ("raw", "needles"),
    [
        ({"solver": {"degree": 2.5}}, ("solver.degree = 2.5", "a float", "one of 1, 2, 3")),
        ({"solver": {"degree": 4}}, ("solver.degree = 4", "one of 1, 2, 3")),
        ({"solver": {"max_iterations": "50"}}, ('solver.max_iterations = "50"', "an integer")),
        ({"output": {"fields": "yes"}}, ('output.fields = "yes"', "boolean (true or false)")),
        ({"interface": {"alpha_a": "half"}}, ('interface.alpha_a = "half"', "a number")),
        ({"interface": {"kinetics": 3}}, ("interface.kinetics = 3", '"linear", "butler_volmer"')),
        ({"description": 5}, ("description = 5", "a string")),
        ({"geometry": 5}, ("geometry = 5", "a table")),
        ({"geometry": {"h_se": [50]}}, ("geometry.h_se = [50]", "an array", "a length")),
    ],
)
def test_wrong_type(raw: dict[str, Any], needles: tuple[str, ...]) -> None:
    one_problem(raw, *needles)


def test_wrong_dimension() -> None:
    one_problem(
        {"geometry": {"h_se": "5 MPa"}},
        'geometry.h_se = "5 MPa"',
        "is a pressure",
        'a length > 0, e.g. "20 um"',
    )
    one_problem(
        {"electrolyte": {"conductivity": "0.5 mA/cm^2"}},
        "electrolyte.conductivity",
        "is a current density",
        "a conductivity",
    )


def test_unparseable_unit() -> None:
    one_problem(
        {"geometry": {"h_li": "20 umm"}},
        'geometry.h_li = "20 umm"',
        "cannot read the unit",
        "a length",
    )
    one_problem(
        {"geometry": {"h_li": "20"}}, 'geometry.h_li = "20"', "has no unit", "a bare number is in m"
    )


@pytest.mark.parametrize(
    ("raw", "needles"),
    [
        ({"geometry": {"h_se": "-5 um"}}, ('geometry.h_se = "-5 um"', "must be positive", "> 0")),
        ({"geometry": {"width": 0}}, ("geometry.width = 0", "must be positive")),
        ({"electrolyte": {"conductivity": "0 S/m"}}, ("electrolyte.conductivity", "positive")),
        ({"interface": {"asr": "-1 ohm cm^2"}}, ('interface.asr = "-1 ohm cm^2"', "positive")),
        (
            {"interface": {"exchange_current_density": 0}},
            ("interface.exchange_current_density = 0", "positive"),
        ),
        (
            {"operation": {"temperature": "-300 degC"}},
            ('operation.temperature = "-300 degC"', "positive"),
        ),
        ({"interface": {"alpha_c": 0.0}}, ("interface.alpha_c = 0.0", "positive")),
        (
            {"electrolyte": {"activation_energy": "-1 kJ/mol"}},
            ("electrolyte.activation_energy", "negative", ">= 0"),
        ),
        ({"solver": {"rtol": -1e-8}}, ("solver.rtol = -1e-08", "positive")),
    ],
)
def test_sign_checks(raw: dict[str, Any], needles: tuple[str, ...]) -> None:
    one_problem(raw, *needles)


def test_zero_current_density() -> None:
    one_problem(
        {"operation": {"current_density": "0 mA/cm^2"}},
        'operation.current_density = "0 mA/cm^2"',
        "nonzero",
    )
    one_problem(
        {"operation": {"current_density": 0, "mode": "potentiostatic"}},
        "operation.current_density = 0",
        "nonzero",
    )


def test_zero_voltage_potentiostatic() -> None:
    one_problem(
        {"operation": {"mode": "potentiostatic", "voltage": "0 mV"}},
        'operation.voltage = "0 mV"',
        "nonzero",
    )


def test_bad_choice_suggests() -> None:
    one_problem(
        {"interface": {"kinetics": "butler-volmer"}},
        'interface.kinetics = "butler-volmer"',
        'one of "linear", "butler_volmer", "primary"',
        'did you mean "butler_volmer"',
    )


def test_void_outside_cell() -> None:
    one_problem(
        void_case({"center": "10 um", "width": "40 um", "height": "2 um"}),
        "geometry.voids[0]",
        "center = 10 um, width = 40 um",
        "x = -10 um .. 30 um",
        "0 < x < geometry.width",
    )
    one_problem(
        void_case({"center": "80 um", "width": "40 um", "height": "2 um"}),
        "x = 60 um .. 100 um",
    )


def test_void_wider_than_cell() -> None:
    one_problem(
        void_case({"center": "50 um", "width": "120 um", "height": "2 um"}),
        'geometry.voids[0].width = "120 um"',
        "wider than the cell",
        'geometry.width = "100 um" (default)',
    )


def test_overlapping_and_touching_voids() -> None:
    overlapping = void_case(
        {"center": "30 um", "width": "20 um", "height": "2 um"},
        {"center": "45 um", "width": "20 um", "height": "2 um"},
    )
    one_problem(overlapping, "geometry.voids[0]", "geometry.voids[1]", "overlap", "separated")
    touching = void_case(
        {"center": "30 um", "width": "20 um", "height": "2 um"},
        {"center": "50 um", "width": "20 um", "height": "2 um"},
    )
    one_problem(touching, "geometry.voids[0] (x = 20 um .. 40 um)", "geometry.voids[1]", "touch")


def test_void_too_deep() -> None:
    one_problem(
        void_case({"center": "50 um", "width": "40 um", "height": "20 um"}),
        'geometry.voids[0].height = "20 um"',
        "smaller than geometry.h_li",
    )


def test_corner_radius_too_large() -> None:
    one_problem(
        void_case(
            {
                "center": "50 um",
                "width": "40 um",
                "height": "2 um",
                "shape": "rounded_rectangle",
                "corner_radius": "3 um",
            }
        ),
        'geometry.voids[0].corner_radius = "3 um"',
        "<= min(height, width/2) = 2 um",
    )


def test_void_missing_required_keys() -> None:
    problems = problems_of(void_case({"center": "50 um"}))
    assert len(problems) == 2
    assert "geometry.voids[0].width: missing; required" in problems[0]
    assert (
        "geometry.voids[0].height: missing; required" in problems[1]
        and "a length > 0" in problems[1]
    )
    one_problem(
        void_case({"width": "40 um", "height": "2 um"}),
        "geometry.voids[0].center: missing",
        "planar",
    )


def test_voids_single_brackets() -> None:
    one_problem(
        {"geometry": {"voids": {"center": "50 um"}}}, "geometry.voids", "[[geometry.voids]]"
    )


def test_axisymmetric_voids() -> None:
    ok = resolve_case(void_case({"width": "40 um", "height": "2 um"}, kind="axisymmetric"))
    assert ok.geometry.voids[0].center == 0.0
    one_problem(  # off the axis it is a ring, which may not reach the axis
        void_case({"width": "40 um", "height": "2 um", "center": "5 um"}, kind="axisymmetric"),
        "geometry.voids[0] (center = 5 um, width = 40 um) spans x = -15 um .. 25 um",
        "a ring around the axis, or center = 0 for the void on the axis",
    )
    ring = resolve_case(void_case({"width": "10 um", "height": "2 um"},
                                  {"width": "4 um", "height": "2 um", "center": "50 um"},
                                  kind="axisymmetric"))
    assert [v.center for v in ring.geometry.voids] == [0.0, 50e-6]
    one_problem(
        void_case(
            {"width": "40 um", "height": "2 um"},
            {"width": "4 um", "height": "2 um"},
            kind="axisymmetric",
        ),
        "geometry.voids[1] (x = -2 um .. 2 um)",
        "overlap",
    )
    one_problem(
        void_case({"width": "250 um", "height": "2 um"}, kind="axisymmetric"),
        'geometry.voids[0].width = "250 um"',
        "width/2 = 125 um",
        "cell radius",
    )


def test_mesh_size_fine_larger_than_coarse() -> None:
    one_problem(
        {"mesh": {"size_fine": "6 um", "size_coarse": "5 um"}},
        'mesh.size_fine = "6 um"',
        'must be <= mesh.size_coarse = "5 um"',
    )


def test_mesh_size_coarse_too_large() -> None:
    one_problem(
        {"mesh": {"size_coarse": "12 um"}},
        'mesh.size_coarse = "12 um"',
        "min(geometry.h_se, geometry.h_li)/2 = 10 um",
    )


def test_mesh_size_fine_against_void() -> None:
    one_problem(
        {**void_case({"center": "50 um", "width": "40 um", "height": "0.4 um"})},
        'mesh.size_fine = "0.5 um" (default)',
        "geometry.voids[0].height = 0.4 um",
    )
    one_problem(
        {**void_case({"center": "50 um", "width": "1.6 um", "height": "2 um"})},
        "mesh.size_fine",
        "geometry.voids[0].width/4 = 0.4 um",
    )


def test_mesh_size_fine_against_contact_segment() -> None:
    one_problem(
        void_case({"center": "20.2 um", "width": "40 um", "height": "2 um"}),
        "mesh.size_fine",
        "shortest Li/electrolyte contact segment, 0.2 um",
        "x = 0 um .. 0.2 um",
    )


def test_primary_with_symmetric_counter_electrode() -> None:
    one_problem(
        {"interface": {"kinetics": "primary"}, "operation": {"counter_electrode": "symmetric"}},
        'interface.kinetics = "primary"',
        'operation.counter_electrode = "symmetric"',
        'counter_electrode = "ideal"',
    )


def test_several_problems_all_reported() -> None:
    raw = {
        "geometri": {},
        "geometry": {
            "h_se": "5 MPa",
            "voids": [{"center": "95 um", "width": "20 um", "height": "2 um"}],
        },
        "mesh": {"size_fine": "10 um", "size_coarse": "2 um"},
        "interface": {"kinetics": "bv"},
        "operation": {"current_density": 0},
        "solver": {"degree": 5},
    }
    with pytest.raises(CaseError) as info:
        resolve_case(raw)
    problems = info.value.problems
    text = str(info.value)
    for needle in (
        "geometri",
        "geometry.h_se",
        "geometry.voids[0]",
        "mesh.size_fine",
        "interface.kinetics",
        "operation.current_density",
        "solver.degree",
    ):
        assert any(needle in p for p in problems), needle
    assert len(problems) >= 7
    assert text.splitlines()[0].startswith(f"{len(problems)} problems")
    assert len(text.splitlines()) == len(problems) + 1


def test_toml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text('[geometry]\nh_se = "50 um"\nh_li 20\n', encoding="utf-8")
    with pytest.raises(CaseError) as info:
        load_case(path)
    assert f"{path}:3" in str(info.value) and "TOML syntax error" in str(info.value)
    assert "line 3" in str(info.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CaseError, match="no such case file"):
        load_case(tmp_path / "nope.toml")


def test_case_file_problems_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('[mesh]\nsize_fine = "1 kg"\n', encoding="utf-8")
    with pytest.raises(CaseError) as info:
        load_case(path)
    assert str(info.value).startswith(f"{path}: 1 problem")
    assert info.value.source == str(path)


def test_bad_name() -> None:
    one_problem({"name": "a/b"}, 'name = "a/b"', "without /")


# --------------------------------------------------------------------------- round trip, overrides

RICH = {
    "name": "rich",
    "description": "all sorts",
    "geometry": {
        "h_se": "30 um",
        "voids": [
            {"center": "20 um", "width": "10 um", "height": "1 um"},
            {"center": "60 um", "width": "30 um", "height": "3 um", "shape": "rounded_rectangle"},
            {
                "center": 9e-5,
                "width": 8e-6,
                "height": 1e-6,
                "shape": "rounded_rectangle",
                "corner_radius": "0.5 um",
            },
        ],
    },
    "mesh": {"size_fine": "0.2 um", "size_coarse": "3 um"},
    "electrolyte": {
        "conductivity": "0.37 mS/cm",
        "activation_energy": "0.31 eV",
        "reference_temperature": "20 degC",
    },
    "interface": {
        "kinetics": "butler_volmer",
        "exchange_current_density": "0.7 mA/cm^2",
        "alpha_a": 0.3,
    },
    "operation": {"mode": "potentiostatic", "voltage": "-15 mV", "temperature": "50 degC"},
    "solver": {
        "degree": 3,
        "linear_solver": "amg",
        "petsc": {"ksp_monitor": "", "pc_gamg_threshold": 0.02, "ksp_view": True},
    },
    "output": {"fields": False},
}


@pytest.mark.parametrize("raw", [{}, RICH, *(relative_to_case_file(tomllib.loads(p.read_text()),
                                                                   p.parent) for p in EXAMPLES)])
def test_round_trip(raw: dict[str, Any]) -> None:
    case = resolve_case(raw, name_default="x")
    again = resolve_case(case.to_toml_dict())
    assert again == case
    assert resolve_case(tomllib.loads(case.to_toml())) == case
    assert hash(again) == hash(case)


def test_to_toml_dict_fills_defaults() -> None:
    d = resolve_case({}, name_default="x").to_toml_dict()
    assert d["geometry"]["h_se"] == "5e-05 m"
    assert d["interface"]["asr"] == "0.0004 ohm m^2"
    assert "exchange_current_density" not in d["interface"]
    for key in SCHEMA:
        if key.default is not None:
            section, _, name = key.path.rpartition(".")
            assert name in (d[section] if section else d), key.path


def test_overrides() -> None:
    base = example("void_2d.toml")
    case = with_overrides(base, {"geometry.voids.0.width": "30 um", "interface.asr": "2 ohm cm^2"})
    assert case.geometry.voids[0].width == pytest.approx(30e-6)
    assert case.interface.asr == pytest.approx(2e-4)
    assert base.geometry.voids[0].width == pytest.approx(40e-6)  # unchanged
    raw = tomllib.loads((ROOT / "examples" / "void_2d.toml").read_text())
    from_raw = with_overrides(raw, {"operation.current_density": "-2 mA/cm^2"})
    assert from_raw.operation.current_density == pytest.approx(-20.0)
    assert raw["operation"]["current_density"] == "1 mA/cm^2"  # raw not modified


def test_overrides_add_and_remove() -> None:
    base = resolve_case({}, name_default="x")
    two = with_overrides(
        base,
        {
            "geometry.voids.0": {"center": "25 um", "width": "10 um", "height": "1 um"},
            "geometry.voids.1.center": "75 um",
            "geometry.voids.1.width": "10 um",
            "geometry.voids.1.height": "1 um",
        },
    )
    assert [v.center for v in two.geometry.voids] == pytest.approx([25e-6, 75e-6])
    one = with_overrides(two, {"geometry.voids.0": None})
    assert len(one.geometry.voids) == 1 and one.geometry.voids[0].center == pytest.approx(75e-6)
    i0 = with_overrides(
        base, {"interface.exchange_current_density": "1 mA/cm^2", "interface.asr": None}
    )
    assert i0.interface.exchange_current_density == pytest.approx(10.0)


def test_overrides_invalid() -> None:
    base = resolve_case({}, name_default="x")
    with pytest.raises(CaseError, match=r"geometry\.voids\.5\.width"):
        with_overrides(base, {"geometry.voids.5.width": "1 um"})
    with pytest.raises(CaseError, match=r"geometry\.h_se"):
        with_overrides(base, {"geometry.h_se": "1 kg"})
    with pytest.raises(CaseError, match=r"geometry\.h_se\.x"):
        with_overrides(base, {"geometry.h_se.x": 1})


def test_case_is_frozen() -> None:
    case = resolve_case({}, name_default="x")
    assert isinstance(case, Case)
    with pytest.raises(AttributeError):
        case.name = "y"  # type: ignore[misc]
    with pytest.raises(TypeError):
        case.solver.petsc["a"] = 1  # type: ignore[index]


def test_keys_registry() -> None:
    assert KEYS["geometry.h_se"].si_unit == "m"
    assert KEYS["interface.asr"].si_unit == "ohm m^2"


def test_overrides_rederive_derived_values() -> None:
    rounded = resolve_case(
        void_case(
            {"center": "50 um", "width": "40 um", "height": "4 um", "shape": "rounded_rectangle"}
        )
    )
    assert rounded.geometry.voids[0].corner_radius == pytest.approx(2e-6)
    shallow = with_overrides(rounded, {"geometry.voids.0.height": "1 um"})
    assert shallow.geometry.voids[0].corner_radius == pytest.approx(0.5e-6)
    flat = example("flat_bv.toml")
    assert flat.interface.asr == pytest.approx(i0_from_asr(10.0, 298.15, 0.5, 0.5))
    linear = with_overrides(
        flat, {"interface.exchange_current_density": "2 mA/cm^2", "interface.kinetics": "linear"}
    )
    assert linear.interface.asr == pytest.approx(i0_from_asr(20.0, 298.15, 0.5, 0.5))
    given = with_overrides(flat, {"interface.asr": "3 ohm cm^2"})
    assert resolve_case(given.to_toml_dict()) == given
    assert given.interface.asr == pytest.approx(3e-4)


# --------------------------------------------------------------------------- stripping cases

STRIPPING = {
    "problem": "stripping",
    "geometry": {"voids": [{"center": "50 um", "width": "20 um", "height": "1 um"}]},
    "protocol": {
        "steps": [
            "Strip at 0.5 mA/cm^2 for 0.25 mAh/cm^2",
            "Rest for 10 min",
            "Ramp plate from 0.1 mA/cm^2 to 0.3 mA/cm^2 in steps of 0.1 mA/cm^2 for 1 h each",
        ],
        "cycles": 2,
    },
    "contact": {"electrolyte": "elastic", "stress_coupling": False, "max_contact_change": 1},
    "ccs": {"capacity": "1 mAh/cm^2", "lower": "0.5 mA/cm^2", "upper": "5 mA/cm^2"},
}


def test_stripping_defaults_resolve() -> None:
    case = resolve_case({"problem": "stripping"})
    assert case.problem == "stripping"
    assert case.protocol.steps == ("Strip at 1 mA/cm^2 for 1 mAh/cm^2",)
    assert case.protocol.cycles == 1
    (step,) = case.protocol.parsed()
    assert (step.kind, step.current_density, step.capacity) == ("strip", 10.0, 36000.0)
    c = case.contact
    assert (c.electrolyte, c.stress_coupling, c.max_stagger_iterations, c.profile_interval) == (
        "rigid",
        True,
        8,
        10,
    )
    assert c.max_thickness_change == pytest.approx(0.05e-6)
    assert c.contact_tolerance == pytest.approx(1e-10) and c.max_contact_change == 0.02
    ccs = case.ccs
    assert ccs.capacity == pytest.approx(18000.0)
    assert (ccs.lower, ccs.upper) == pytest.approx((1.0, 1000.0))
    assert (ccs.bracket_ratio, ccs.max_expansions, ccs.expansion_factor) == (1.2, 4, 10.0)
    assert (ccs.contact_loss, ccs.voltage_rise) == (0.05, 2.0)
    assert resolve_case({}).protocol == case.protocol  # the sections exist for every problem


def test_stripping_case_given() -> None:
    case = resolve_case(STRIPPING)
    steps = case.protocol.parsed()
    assert len(steps) == 2 * 5
    assert [s.current_density for s in steps[:5]] == pytest.approx([5.0, 0.0, -1.0, -2.0, -3.0])
    assert case.contact.electrolyte == "elastic" and case.contact.stress_coupling is False
    assert case.contact.max_contact_change == 1.0
    assert (case.ccs.capacity, case.ccs.lower, case.ccs.upper) == pytest.approx(
        (36000.0, 5.0, 50.0)
    )


def test_stripping_round_trip() -> None:
    case = resolve_case(STRIPPING, name_default="x")
    d = case.to_toml_dict()
    assert d["protocol"]["steps"] == STRIPPING["protocol"]["steps"]
    assert d["ccs"]["capacity"] == "36000.0 C/m^2"
    assert resolve_case(d) == case
    assert resolve_case(tomllib.loads(case.to_toml())) == case
    again = with_overrides(case, {"protocol.steps.1": "Rest for 1 h", "ccs.lower": "1 mA/cm^2"})
    assert again.protocol.steps[1] == "Rest for 1 h" and again.ccs.lower == pytest.approx(10.0)


def test_bad_protocol_entries_each_reported() -> None:
    raw = {
        "protocol": {
            "steps": ["Rest for 1 h", "Strip at 1 MPa for 1 h", 5, "Cycle at 1 mA/cm^2 for 1 h"]
        }
    }
    problems = problems_of(raw)
    assert len(problems) == 3, problems
    assert problems[0] == "protocol.steps[2] = 5: is an integer; expected a string"
    assert problems[1].startswith('protocol.steps[1] = "Strip at 1 MPa for 1 h": ')
    assert "is a pressure" in problems[1] and "a current density > 0" in problems[1]
    assert problems[2].startswith('protocol.steps[3] = "Cycle at 1 mA/cm^2 for 1 h": ')
    assert "unknown step" in problems[2] and "Strip at <current density>" in problems[2]


@pytest.mark.parametrize(
    ("raw", "needles"),
    [
        ({"protocol": {"steps": []}}, ("protocol.steps = []", "at least one step")),
        (
            {"protocol": {"steps": "Rest for 1 h"}},
            ('protocol.steps = "Rest for 1 h"', "a string", "an array of strings"),
        ),
        ({"protocol": {"cycles": 0}}, ("protocol.cycles = 0", "an integer > 0")),
        ({"protocol": {"cycle": 2}}, ("protocol.cycle", 'did you mean "cycles"')),
        (
            {"contact": {"electrolyte": "soft"}},
            ('contact.electrolyte = "soft"', 'one of "rigid", "elastic"'),
        ),
        (
            {"contact": {"max_contact_change": 1.5}},
            ("contact.max_contact_change = 1.5", "must be <= 1", "a number > 0 and <= 1"),
        ),
        (
            {"contact": {"max_contact_change": 0}},
            ("contact.max_contact_change = 0", "must be positive"),
        ),
        (
            {"contact": {"max_thickness_change": "1 mAh/cm^2"}},
            ("contact.max_thickness_change", "is an areal capacity", "a length > 0"),
        ),
        (
            {"contact": {"contact_tolerance": "-1 nm"}},
            ('contact.contact_tolerance = "-1 nm"', "positive"),
        ),
        ({"contact": {"stress_coupling": 1}}, ("contact.stress_coupling = 1", "a boolean")),
        (
            {"contact": {"max_stagger_iterations": 0}},
            ("contact.max_stagger_iterations = 0", "an integer > 0"),
        ),
        ({"contact": {"profile_interval": 2.5}}, ("contact.profile_interval = 2.5", "integer")),
        (
            {"ccs": {"capacity": "1 h"}},
            ('ccs.capacity = "1 h"', "is a time", 'an areal capacity > 0, e.g. "0.5 mAh/cm^2"'),
        ),
        ({"ccs": {"lower": "-1 mA/cm^2"}}, ('ccs.lower = "-1 mA/cm^2"', "positive")),
        ({"ccs": {"bracket_ratio": 1.0}}, ("ccs.bracket_ratio = 1.0", "must be > 1")),
        ({"ccs": {"max_expansions": -1}}, ("ccs.max_expansions = -1", "an integer >= 0")),
        ({"ccs": {"expansion_factor": 0.5}}, ("ccs.expansion_factor = 0.5", "a number > 1")),
        ({"ccs": {"contact_loss": 1}}, ("ccs.contact_loss = 1", "a number > 0 and < 1")),
        ({"ccs": {"voltage_rise": 1}}, ("ccs.voltage_rise = 1", "must be > 1")),
        (
            {"ccs": {"lower": "10 mA/cm^2", "upper": "1 mA/cm^2"}},
            ('ccs.lower = "10 mA/cm^2"', 'ccs.upper = "1 mA/cm^2"', "lower < upper"),
        ),
        (
            {"ccs": {"lower": "200 mA/cm^2"}},
            ('ccs.upper = "100 mA/cm^2" (default)', "lower < upper"),
        ),
        ({"problem": "strip"}, ('problem = "strip"', '"stripping"', "did you mean")),
    ],
)
def test_bad_stripping_keys(raw: dict[str, Any], needles: tuple[str, ...]) -> None:
    one_problem({"problem": "stripping", **raw}, *needles)


@pytest.mark.parametrize(
    ("raw", "needles"),
    [
        # a stripping case takes its loads from the protocol, not from [operation]
        ({"problem": "stripping", "operation": {"current_density": "2 mA/cm^2"}},
         ('operation.current_density = "2 mA/cm^2"', 'not used by problem = "stripping"',
          "protocol.steps")),
        ({"problem": "stripping", "operation": {"mode": "potentiostatic"}},
         ('operation.mode = "potentiostatic"', "protocol.steps", "Hold at")),
        ({"problem": "mechanics", "protocol": {"steps": ["Rest for 1 h"]}},
         ("protocol.steps", 'not used by problem = "mechanics"', '"stripping"')),
        ({"fixture": {"pressure": "3 MPa"}},
         ('fixture.pressure = "3 MPa"', 'not used by problem = "current_distribution"',
          '"mechanics"')),
    ],
)
def test_keys_the_problem_ignores_are_refused(raw: dict[str, Any],
                                              needles: tuple[str, ...]) -> None:
    one_problem(raw, *needles)


def test_ignored_keys_at_their_default_are_accepted() -> None:
    """A resolved case written back has every key: unused ones at their defaults pass."""
    stripping = resolve_case({"problem": "stripping", "operation": {"mode": "galvanostatic"}})
    assert resolve_case(stripping.to_toml_dict()) == stripping
    steady = resolve_case({"time": {"end": KEYS["time.end"].default}})
    assert steady.problem == "current_distribution"


def test_stripping_voids_small_slope() -> None:
    steep = {**void_case({"center": "50 um", "width": "20 um", "height": "5 um"})}
    one_problem(
        {**steep, "problem": "stripping"},
        'geometry.voids[0].height = "5 um"',
        "<= geometry.voids[0].width/5 = 4 um",
        "small slopes",
    )
    resolve_case(steep)  # a cut void may be steep
    deep = void_case({"center": "50 um", "width": "60 um", "height": "5 um"}, h_li="20 um")
    one_problem(
        {**deep, "problem": "stripping"},
        'geometry.voids[0].height = "5 um"',
        "<= geometry.h_li/5 = 4 um",
        "small slopes",
    )
    at_limit = void_case({"center": "50 um", "width": "1 um", "height": "0.2 um"})
    case = resolve_case({**at_limit, "problem": "stripping", "mesh": {"size_fine": "0.25 um"}})
    assert case.geometry.voids[0].height == pytest.approx(0.2e-6)


def test_stripping_skips_cut_void_mesh_checks() -> None:
    # shallower than size_fine and close to the cell side: fine for a gap at a flat interface
    raw = void_case({"center": "20.2 um", "width": "40 um", "height": "0.2 um"})
    assert len(problems_of(raw)) == 2  # cut void: depth and contact segment not resolved
    case = resolve_case({**raw, "problem": "stripping"})
    assert case.geometry.voids[0].height == pytest.approx(0.2e-6)
    one_problem(
        {**void_case({"center": "50 um", "width": "1.6 um", "height": "0.2 um"}),
         "problem": "stripping"},
        "mesh.size_fine",
        "geometry.voids[0].width/4 = 0.4 um",
        "gap along the interface",
    )  # fmt: skip


def test_schema_documents_stripping_sections() -> None:
    md = schema_markdown()
    for section in ("## `[protocol]`", "## `[contact]`", "## `[ccs]`"):
        assert section in md
    assert "array of strings" in md and "areal capacity [C/m^2]" in md
    assert KEYS["protocol.steps"].kind == "str_list"
    assert KEYS["ccs.capacity"].si_unit == "C/m^2"
