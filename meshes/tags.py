"""Named physical tags of the cell meshes. Nothing else in ssbx knows Gmsh tag numbers.

Cells: the electrolyte and the Li. Facets: the Li/electrolyte contact (the interface where the
two touch), the void surfaces on the Li side and on the electrolyte side, the electrolyte top
(counter-electrode side), the Li bottom (current collector) and the lateral sides (planar: left
``x = 0`` and right ``x = width``; axisymmetric: the axis ``r = 0`` and the outer radius).
"""

from __future__ import annotations

from enum import IntEnum


class CellTag(IntEnum):
    """Physical tags of the cell groups (sub-domains): the electrolyte and the Li."""

    ELECTROLYTE = 1
    LITHIUM = 2


class FacetTag(IntEnum):
    """Physical tags of the facet groups: the Li/electrolyte contact, the void surfaces
    (Li and electrolyte side), the electrolyte top, the Li bottom and the lateral sides."""

    CONTACT = 11
    VOID_LI = 12
    VOID_SE = 13
    SE_TOP = 14
    LI_BOTTOM = 15
    SIDE_LEFT = 16  # planar x = 0; axisymmetric: the axis r = 0
    SIDE_RIGHT = 17  # planar x = width; axisymmetric: the outer radius
    SIDE_FRONT = 18  # 3-D box: y = 0
    SIDE_BACK = 19  # 3-D box: y = depth


def physical_name(tag: CellTag | FacetTag) -> str:
    """The Gmsh physical-group name of a tag, e.g. ``"contact"``."""
    return tag.name.lower()


class CrackTag(IntEnum):
    """Physical tags of cracked-electrolyte meshes (:mod:`ssbx.meshes.cracks`): the two crack
    faces (``FACE_B`` is made by duplicating the nodes of ``FACE_A``; a symmetric penny crack
    has ``FACE_A`` only), the Li/electrolyte interface ``y = 0``, the counter-electrode side,
    the lateral sides (axisymmetric: the outer radius), the axis, the symmetry plane ahead of a
    penny crack, the crack mouth (a point group, used while meshing only)."""

    FACE_A = 21
    FACE_B = 22
    INTERFACE = 23
    TOP = 24
    SIDES = 25
    AXIS = 26
    SYMMETRY = 27
    MOUTH = 28
    VOID = 29  # the interface y = 0 over an interfacial void (no Li contact)
