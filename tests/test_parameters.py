"""Provenance records of the built-in parameters (:mod:`ssbx.physics.parameters`): every
citation key is in ``docs/references.bib``, every record has a unit and a status of the
vocabulary, records agree with the values the presets use, and every preset value has a record.
Structural checks only: no citation prose is pinned here."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from ssbx.physics.anode_metals import ANODE_METALS
from ssbx.physics.catalogue import builtin_parameters
from ssbx.physics.creep_laws import NARAYAN_ANAND_2018
from ssbx.physics.electrolytes import ELECTROLYTES
from ssbx.physics.parameters import (
    CITATION_OPTIONAL,
    STATUSES,
    Parameter,
    citation_keys,
    find_parameter,
    format_reference,
    read_bibtex,
    with_input,
)

ROOT = Path(__file__).resolve().parents[1]
BIB = ROOT / "docs" / "references.bib"


@pytest.fixture(scope="module")
def bib() -> dict[str, dict[str, str]]:
    return read_bibtex(BIB.read_text(encoding="utf-8"))


def _records() -> list[tuple[str, Parameter]]:
    return [(group, p) for group, params in builtin_parameters().items() for p in params]


def _presets() -> list[tuple[str, object]]:
    """Every object of the built-in materials that carries a ``parameters`` tuple."""
    out: list[tuple[str, object]] = [("NARAYAN_ANAND_2018", NARAYAN_ANAND_2018)]
    for name, metal in ANODE_METALS.items():
        out += [(f"{name}.elastic", metal.elastic), (f"{name}.creep", metal.creep),
                (f"{name}.vacancy", metal.vacancy),
                (f"{name}.vacancy.material", metal.vacancy.material), (name, metal)]
    for name, electrolyte in ELECTROLYTES.items():
        out += [(name, electrolyte), (f"{name}.elastic", electrolyte.elastic)]
    return out


def test_every_citation_key_is_in_the_bibliography(bib):
    used = citation_keys(p for _, p in _records())
    assert used, "no citations found"
    assert sorted(used - set(bib)) == []


def test_every_record_has_a_unit_and_a_known_status():
    for group, p in _records():
        assert p.unit.strip(), (group, p.name)
        assert p.status in STATUSES, (group, p.name, p.status)
        assert p.citation or p.status in CITATION_OPTIONAL, (group, p.name)


def test_records_agree_with_the_values_the_presets_use():
    """A record named after a float field of its object holds exactly that field's value."""
    checked = 0
    for label, obj in _presets():
        for p in obj.parameters:
            value = getattr(obj, p.name, None)
            if isinstance(value, float):
                assert p.value == value, (label, p.name)
                checked += 1
    assert checked > 40


def test_every_preset_value_has_a_record():
    for label, obj in _presets():
        names = {p.name for p in obj.parameters}
        for f in dataclasses.fields(obj):
            value = getattr(obj, f.name)
            if isinstance(value, float) and not isinstance(value, bool):
                assert f.name in names, (label, f.name)


def test_bibliography_entries_are_complete_enough_to_cite(bib):
    assert len(bib) >= len(citation_keys(p for _, p in _records()))
    for key, entry in bib.items():
        assert entry.get("author") and entry.get("year"), key
        assert entry.get("journal") or entry.get("publisher") or entry.get("school"), key
        if "doi" in entry:
            assert re.fullmatch(r"10\.\d{4,9}/\S+", entry["doi"]), key
        assert format_reference(entry)


def test_docs_physics_cites_only_known_keys(bib):
    text = (ROOT / "docs" / "physics.md").read_text(encoding="utf-8")
    cited = set(re.findall(r"`\[([a-z][a-z0-9]*)\]`", text))
    assert cited and sorted(cited - set(bib)) == []


def test_electrolyte_presets_carry_conductivity_and_elastic_constants():
    from ssbx.physics.elasticity import electrolyte_material

    for name, electrolyte in ELECTROLYTES.items():
        assert electrolyte_material(name) is electrolyte.elastic
        names = {p.name for p in electrolyte.all_parameters}
        assert {"conductivity", "E", "nu"} <= names, name
        assert ("activation_energy" in names) == (electrolyte.activation_energy is not None)
        assert electrolyte.conductivity_at(electrolyte.reference_temperature) \
            == electrolyte.conductivity
    llzo = ELECTROLYTES["LLZO"]
    assert llzo.conductivity_at(313.15) > llzo.conductivity  # Arrhenius, Ea > 0
    with pytest.raises(ValueError, match="activation energy"):
        ELECTROLYTES["Na-beta-alumina"].conductivity_at(313.15)


def test_parameter_validation():
    with pytest.raises(ValueError, match="status"):
        Parameter("E", 1.0, "Pa", "masias2019", "guessed")
    with pytest.raises(ValueError, match="needs a citation"):
        Parameter("E", 1.0, "Pa", "", "measured")
    with pytest.raises(ValueError, match="unit"):
        Parameter("E", 1.0, "", "masias2019", "measured")
    with pytest.raises(ValueError, match="finite"):
        Parameter("E", float("nan"), "Pa", "", "assumed")
    assert Parameter("x", 1.0, "1", "", "assumed").citation == ""


def test_case_overrides_become_input_records():
    records = ANODE_METALS["Li"].elastic.parameters
    assert with_input(records, "E", records[0].value, "Pa") == records  # not overridden
    changed = with_input(records, "E", 5e9, "Pa", "mechanics.li_youngs_modulus")
    record = find_parameter(changed, "E")
    assert (record.value, record.status, record.citation) == (5e9, "input", "")
    assert [p.name for p in changed] == [p.name for p in records]
