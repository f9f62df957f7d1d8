"""One source of truth for defaults: the case schema (:data:`ssbx.case.schema.SCHEMA`).

The typed records of a resolved case (:mod:`ssbx.case.records`, :mod:`ssbx.meshes.spec`) and the
settings records of the problems carry defaults too (so that a problem can be built in code
without a case file); every such default must be the schema's, and every record field must be a
schema key (or be listed here as derived).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from ssbx.case import records
from ssbx.case.schema import KEYS, TABLES, VOID_KEYS, section_keys
from ssbx.meshes import spec as mesh_spec
from ssbx.problems.current import CurrentSettings
from ssbx.problems.stripping.state import StrippingSettings

RECORDS: dict[str, type] = {
    "geometry": mesh_spec.CellGeometrySpec,
    "mesh": mesh_spec.MeshSizeSpec,
    **{t: getattr(records, t.capitalize() + "Spec") for t in TABLES
       if t not in ("geometry", "mesh")},
}
# record fields that are not keys of their own section (copied from another key by the loader)
DERIVED_FIELDS = {
    ("interface", "reference_temperature"): "electrolyte.reference_temperature",
    ("protocol", "resolved"): "protocol.steps and protocol.cycles, parsed once",
}

# settings field -> the case key it is built from (ssbx.setup)
SETTINGS_KEYS: dict[type, dict[str, str]] = {
    CurrentSettings: {
        "mode": "operation.mode", "current_density": "operation.current_density",
        "voltage": "operation.voltage", "counter_electrode": "operation.counter_electrode",
        "equilibrium_potential": "interface.equilibrium_potential",
        "degree": "solver.degree", "linear_solver": "solver.linear_solver",
        "rtol": "solver.rtol", "atol": "solver.atol",
        "max_iterations": "solver.max_iterations",
    },
    StrippingSettings: {
        "temperature": "operation.temperature", "fixture": "fixture.type",
        "pressure": "fixture.pressure", "stiffness": "fixture.stiffness",
        "electrolyte_mechanics": "contact.electrolyte",
        "stress_coupling": "contact.stress_coupling",
        "contact_tolerance": "contact.contact_tolerance",
        "max_stagger_iterations": "contact.max_stagger_iterations",
        "asr_variation": "interface.asr_variation",
        "asr_wavelength": "interface.asr_wavelength",
    },
}


def _default(f: dataclasses.Field) -> Any:
    if f.default is not dataclasses.MISSING:
        return f.default
    if f.default_factory is not dataclasses.MISSING:
        return f.default_factory()
    return dataclasses.MISSING


def _schema_default(path: str) -> Any:
    value = KEYS[path].default
    return tuple(value) if isinstance(value, list) else value


def test_every_section_has_a_record():
    assert set(RECORDS) == set(TABLES)


@pytest.mark.parametrize("table", TABLES)
def test_record_defaults_are_the_schema_defaults(table):
    fields = {f.name: f for f in dataclasses.fields(RECORDS[table])}
    keys = {n: k for n, k in section_keys(table).items() if k.kind != "table_list"}
    extra = {n for n in fields if n not in keys and (table, n) not in DERIVED_FIELDS
             and n != "voids"}
    assert not extra, f"[{table}] fields that are not schema keys: {sorted(extra)}"
    assert not set(keys) - set(fields), f"[{table}] keys without a record field"
    for name, key in keys.items():
        default = _default(fields[name])
        if key.default is None and key.default_text:  # derived at load time
            assert default is None, f"{table}.{name}: derived, so the record default is None"
            continue
        got = dict(default) if isinstance(default, dict) else default
        assert got == _schema_default(key.path), f"{key.path}: record {got!r} != schema"


def test_void_record_defaults_are_the_schema_defaults():
    fields = {f.name: f for f in dataclasses.fields(mesh_spec.VoidSpec)}
    assert {k.name for k in VOID_KEYS} == set(fields)
    for key in VOID_KEYS:
        default = _default(fields[key.name])
        if key.required or key.default is None:
            continue  # required (no default) or derived (corner radius)
        assert default == key.default, key.name


@pytest.mark.parametrize("settings", list(SETTINGS_KEYS), ids=lambda c: c.__name__)
def test_settings_defaults_are_the_schema_defaults(settings):
    fields = {f.name: f for f in dataclasses.fields(settings)}
    for name, path in SETTINGS_KEYS[settings].items():
        assert name in fields, f"{settings.__name__}.{name} is gone: update SETTINGS_KEYS"
        assert _default(fields[name]) == _schema_default(path), f"{settings.__name__}.{name}"


def test_molar_volume_has_no_default_below_the_anode_metal():
    """The metal's molar volume comes from ``anode.metal`` (the anode-metal record): no
    settings or form record may default to lithium's."""
    from ssbx.physics.current import CurrentFormTerms
    from ssbx.physics.vacancy import VacancyMaterial

    for cls in (CurrentSettings, CurrentFormTerms, VacancyMaterial):
        field = {f.name: f for f in dataclasses.fields(cls)}["molar_volume"]
        assert _default(field) is dataclasses.MISSING, cls.__name__
