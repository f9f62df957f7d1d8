"""Provenance of the built-in material parameters: one :class:`Parameter` record per value.

Every literature number ssbx ships (creep laws, elastic constants, electrolyte conductivities,
vacancy data and molar volumes of the anode metals) carries one record: its name (the attribute
it sets, e.g. ``"E"`` or ``"self_diffusion_ref"``), its SI value and unit, the BibTeX key of
the work it comes from (a key of ``docs/references.bib``) and a status from :data:`STATUSES`
that says how far the value is confirmed. The objects keep their plain float attributes
(``PowerLawCreep.A`` is a float); the records sit beside them in a ``parameters`` tuple.

Records built at run time for values a case file overrides have the status ``"input"``
(:func:`with_input`).

The module also reads the BibTeX file the citations point to (:func:`read_bibtex`,
:func:`format_reference`): a small reader for the flat ``@type{key, field = {value}, ...}``
entries of ``docs/references.bib``, not a general BibTeX parser.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

#: The status vocabulary: how a value was obtained and how far it is confirmed.
STATUSES: dict[str, str] = {
    "measured": "printed in the cited work as a measured value (or the mean or mid-range of "
                "printed measurements)",
    "fitted": "a parameter of a model fitted to data by the cited work's authors",
    "derived": "computed by ssbx from numbers printed in the cited work (the note says how)",
    "standard": "textbook or handbook data (atomic mass, density, lattice constant, bcc "
                "correlation factor); a citation is optional",
    "estimated": "an order of magnitude or the middle of a literature range; a citation is "
                 "optional",
    "assumed": "a modelling choice of ssbx, not a literature value; a citation is optional",
    "check": "quoted from a secondary source or from memory: confirm against the cited primary "
             "work before a result depends on it quantitatively",
    "input": "set in a case file, overriding a preset (records built at run time); no citation",
}

#: Statuses whose records may have no citation (every other status needs one).
CITATION_OPTIONAL: frozenset[str] = frozenset({"standard", "estimated", "assumed", "input"})

_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_:-]*$")


@dataclass(frozen=True)
class Parameter:
    """Provenance of one material value.

    Parameters
    ----------
    name : str
        What the value sets: the attribute name of the object that carries the record
        (``"E"``, ``"A"``, ``"self_diffusion_ref"``) or, for a value that is not an attribute,
        a descriptive name (``"T_test"``).
    value : float
        The value in SI units, exactly as the code uses it.
    unit : str
        Its SI unit (``"Pa"``, ``"J/mol"``, ``"m^2/s"``; ``"1"`` when dimensionless).
    citation : str
        BibTeX key of ``docs/references.bib`` (empty only for the statuses in
        :data:`CITATION_OPTIONAL`).
    status : str
        One of :data:`STATUSES`.
    note : str, optional
        Free text: table or figure, how a derived value was computed, what is unconfirmed.
    """

    name: str
    value: float
    unit: str
    citation: str
    status: str
    note: str = ""

    def __post_init__(self) -> None:
        if not self.name:
            raise ValueError("a parameter needs a name")
        if isinstance(self.value, bool) or not isinstance(self.value, (int, float)):
            raise TypeError(f"{self.name}: value must be a number, got {self.value!r}")
        if not math.isfinite(self.value):
            raise ValueError(f"{self.name}: value must be finite, got {self.value!r}")
        if not self.unit:
            raise ValueError(f"{self.name}: unit missing (use '1' for a dimensionless value)")
        if self.status not in STATUSES:
            raise ValueError(f"{self.name}: status {self.status!r} is not one of "
                             f"{', '.join(STATUSES)}")
        if self.citation and not _KEY.match(self.citation):
            raise ValueError(f"{self.name}: {self.citation!r} is not a BibTeX key")
        if not self.citation and self.status not in CITATION_OPTIONAL:
            raise ValueError(f"{self.name}: status {self.status!r} needs a citation")


Parameters = tuple[Parameter, ...]
"""A collection of records (the ``parameters`` field of the material classes)."""


def find_parameter(parameters: Iterable[Parameter], name: str) -> Parameter:
    """The record called ``name``; ``KeyError`` when there is none."""
    for p in parameters:
        if p.name == name:
            return p
    raise KeyError(f"no parameter record {name!r}")


def replaced(parameters: Iterable[Parameter], *new: Parameter) -> Parameters:
    """``parameters`` with the records of the same names as ``new`` replaced by them (order
    kept; records of new names are appended)."""
    by_name = {p.name: p for p in new}
    out = [by_name.pop(p.name, p) for p in parameters]
    return (*out, *by_name.values())


def with_input(parameters: Iterable[Parameter], name: str, value: float, unit: str,
               note: str = "case file") -> Parameters:
    """``parameters`` where the value ``name`` comes from a case file: its record becomes an
    ``"input"`` record when ``value`` differs from the recorded one (kept as it is otherwise).

    Parameters
    ----------
    parameters : iterable of Parameter
        The preset's records.
    name : str
        Name of the overridden value.
    value : float
        The value the case sets [SI].
    unit : str
        Its SI unit.
    note : str, optional
        Where the value comes from (the case key).
    """
    params = tuple(parameters)
    try:
        if find_parameter(params, name).value == value:
            return params
    except KeyError:
        pass
    return replaced(params, Parameter(name, float(value), unit, "", "input", note))


def citation_keys(parameters: Iterable[Parameter]) -> set[str]:
    """The BibTeX keys the records cite."""
    return {p.citation for p in parameters if p.citation}


def parameter_rows(groups: Mapping[str, Iterable[Parameter]]) -> list[dict[str, object]]:
    """One row (a dict: group, name, value, unit, status, citation, note) per record, in the
    order of ``groups`` (label -> records): the listing of ``ssbx info --citations``."""
    return [{"group": label, "name": p.name, "value": p.value, "unit": p.unit,
             "status": p.status, "citation": p.citation, "note": p.note}
            for label, params in groups.items() for p in params]


# --------------------------------------------------------------------------------------------
# BibTeX
# --------------------------------------------------------------------------------------------
_ENTRY = re.compile(r"@(\w+)\s*\{\s*([^,\s]+)\s*,")
_FIELD = re.compile(r"\s*(\w+)\s*=\s*")


def _braced(text: str, start: int) -> tuple[str, int]:
    """The text inside the braces opening at ``text[start]`` and the index after them."""
    depth = 0
    for i in range(start, len(text)):
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return text[start + 1:i], i + 1
    raise ValueError(f"unbalanced braces from offset {start}")


def read_bibtex(text: str) -> dict[str, dict[str, str]]:
    """Entries of a BibTeX text: ``{key: {"ENTRYTYPE": type, field: value, ...}}`` with the
    outer braces (or quotes) of each value removed and whitespace collapsed. Text outside
    entries (comments) is ignored; a duplicated key raises ``ValueError``.
    """
    entries: dict[str, dict[str, str]] = {}
    pos = 0
    while (m := _ENTRY.search(text, pos)) is not None:
        kind, key = m.group(1).lower(), m.group(2)
        body, pos = _braced(text, m.start() + m.group(0).index("{"))
        if key in entries:
            raise ValueError(f"duplicate BibTeX key {key!r}")
        fields: dict[str, str] = {"ENTRYTYPE": kind}
        i = body.index(",") + 1
        while (f := _FIELD.match(body, i)) is not None:
            name, i = f.group(1).lower(), f.end()
            if body[i] == "{":
                value, i = _braced(body, i)
            elif body[i] == '"':
                end = body.index('"', i + 1)
                value, i = body[i + 1:end], end + 1
            else:
                end = body.find(",", i)
                end = len(body) if end < 0 else end
                value, i = body[i:end], end
            value = value.replace("\\&", "&").replace("{", "").replace("}", "")
            fields[name] = " ".join(value.split())
            comma = body.find(",", i)
            if comma < 0:
                break
            i = comma + 1
        entries[key] = fields
    return entries


def _authors(field: str) -> str:
    names = [a.strip() for a in field.split(" and ") if a.strip()]
    short = [n if n == "others" else n.split(",")[0].strip() for n in names]
    if "others" in short or len(short) > 4:
        return f"{short[0]} et al."
    return short[0] if len(short) == 1 else ", ".join(short[:-1]) + " & " + short[-1]


def format_reference(entry: Mapping[str, str]) -> str:
    """One line for an entry of :func:`read_bibtex`: ``Authors, Title, Journal Volume (Year)
    Pages, doi:...`` (books: publisher instead of journal)."""
    parts = [_authors(entry["author"])] if entry.get("author") else []
    if entry.get("title"):
        parts.append(f"\"{entry['title']}\"")
    where = entry.get("journal") or entry.get("booktitle") or entry.get("publisher") \
        or entry.get("school") or ""
    if entry.get("volume"):
        where += f" {entry['volume']}"
    if entry.get("year"):
        where += f" ({entry['year']})"
    if entry.get("pages"):
        where += f" {entry['pages'].replace('--', '-')}"
    if where.strip():
        parts.append(where.strip())
    if entry.get("doi"):
        parts.append(f"doi:{entry['doi']}")
    return ", ".join(parts)


__all__ = [
    "CITATION_OPTIONAL",
    "STATUSES",
    "Parameter",
    "Parameters",
    "citation_keys",
    "find_parameter",
    "format_reference",
    "parameter_rows",
    "read_bibtex",
    "replaced",
    "with_input",
]
