"""Linear-elastic cracked electrolyte with Li pressure on the filled crack faces: displacement
(P2, MUMPS), stress intensity factors by the domain J-integral and the interaction integral,
crack opening and Li volume.

Lifecycle: ``CrackProblem(crack_mesh, material)`` builds the space and forms once (the loads,
tip and J-domain are :class:`dolfinx.fem.Constant` values, so one JIT compile serves every
load, tip and domain); :meth:`CrackProblem.solve` takes :class:`CrackLoads` and returns a
:class:`CrackSolution`. Equations and closed forms: :mod:`ssbx.physics.fracture`.

Boundary conditions: Li pressure ``-p n`` on the filled faces; stack pressure ``-p_s n`` on the
Li/electrolyte interface ``y = 0`` outside the crack; an in-plane stress ``sigma_xx`` on the
sides (the remote or residual stress of the electrolyte plate); optionally a remote stress
tensor on every outer boundary. Support (``support``): ``"roller"`` (``u_y = 0`` on the
counter-electrode side ``y = height``), ``"clamped"`` (``u = 0`` there) or ``"free"``. Every
outer boundary also carries a weak spring (stiffness ``1e-8 E / L``) so that self-equilibrated
loads leave no rigid-body mode; its reaction is ~1e-8 of the loads. A penny crack has the
symmetry plane ``u_z = 0`` ahead of the tip and ``u_r = 0`` on the axis.

Axisymmetric models (x = r, y = z; weights ``2 pi r``): the penny crack (its symmetric half)
and the ring crack (an edge crack with ``CrackSpec.ring``, a circumferential crack from the
interface; both faces meshed, ``u_r = 0`` on the axis). J per unit length of the crack front
is the domain integral with hoop terms divided by ``r_tip``. The ring crack's K_I and K_II come
from an axisymmetric interaction integral
(:func:`ssbx.physics.fracture.axisymmetric_interaction_integrands`): the plane-strain
Williams field in the (r, z) plane as auxiliary state, with the two terms its axisymmetric
extension adds (Nahta & Moran, Int. J. Solids Struct. 30, 2027, 1993): the hoop strain the
auxiliary displacement carries but its plane-strain strain omits, and the hoop part of the
divergence of its stress. Both vanish at the front, so the K are the local plane-strain
ones.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

from mpi4py import MPI

import numpy as np
import ufl
from dolfinx import fem
from dolfinx import mesh as dmesh
from dolfinx.fem import petsc as fem_petsc

from ssbx.meshes.cracks import CrackMesh, CrackTip
from ssbx.meshes.tags import CrackTag
from ssbx.physics.elastic_material import ElasticMaterial
from ssbx.physics.fracture import (
    axisymmetric_interaction_integrands,
    energy_release_rate,
    gradient3,
    interaction_integrands,
    j_integral_integrands,
    plane_strain_modulus,
    plateau_weight,
    stress3,
)

Support = Literal["roller", "clamped", "free"]
SUPPORTS: tuple[str, ...] = ("roller", "clamped", "free")

#: Fractions of the largest admissible J-domain radius used by default (domain independence).
DOMAIN_FRACTIONS: tuple[float, ...] = (0.4, 0.6, 0.8)
#: Quadrature degree of the stiffness and of the fracture integrals (singular auxiliary fields).
STIFFNESS_DEGREE = 4
INTEGRAL_DEGREE = 8
#: The crack-face term of the interaction integral carries the r^(-1/2) of the auxiliary
#: field: Gauss quadrature of high degree on the (few) face facets keeps its error < 0.1 %.
FACE_DEGREE = 40


@dataclass(frozen=True)
class CrackLoads:
    """Loads of a cracked electrolyte [Pa; tensile positive for stresses].

    li_pressure: pressure of the Li on the filled crack faces (compressive positive).
    stack_pressure: pressure on the Li/electrolyte interface outside the crack.
    in_plane_stress: sigma_xx applied on the sides (negative: in-plane compression).
    remote_stress: (sigma_xx, sigma_yy, sigma_xy) applied on every outer boundary (planar).
    """

    li_pressure: float = 0.0
    stack_pressure: float = 0.0
    in_plane_stress: float = 0.0
    remote_stress: tuple[float, float, float] = (0.0, 0.0, 0.0)

    def scaled_li(self, li_pressure: float) -> CrackLoads:
        """The same loads with another Li pressure."""
        return CrackLoads(li_pressure, self.stack_pressure, self.in_plane_stress,
                          self.remote_stress)


@dataclass(frozen=True)
class TipResult:
    """Fracture parameters at one tip from one J-domain of outer radius ``radius`` [m].

    J [J/m^2]; K_I, K_II [Pa m^0.5] (interaction integral; penny: K_I = sqrt(J E'), K_II = 0);
    G = (K_I^2 + K_II^2)/E' [J/m^2].
    """

    tip: CrackTip
    radius: float
    J: float
    K_I: float
    K_II: float
    G: float


@dataclass(frozen=True)
class CrackSolution:
    """Results of one solve. ``tips``: per tip, one :class:`TipResult` per J-domain.

    li_volume: Li volume in the filled part [m^3; planar: m^2 per unit depth];
    crack_volume: opening volume of the whole crack; opening: (s [m], opening [m]) along the
    crack (on every rank); loads: the loads solved for.
    """

    loads: CrackLoads
    tips: list[list[TipResult]]
    li_volume: float
    crack_volume: float
    opening: tuple[np.ndarray, np.ndarray]
    displacement: fem.Function = field(repr=False)

    def tip_mean(self, index: int = 0) -> dict[str, float]:
        """Mean over the J-domains at tip ``index`` and the relative spread of K_I or K_II
        (domain independence): keys J, K_I, K_II, G, spread."""
        rows = self.tips[index]
        mean = {key: float(np.mean([getattr(r, key) for r in rows]))
                for key in ("J", "K_I", "K_II", "G")}
        k = np.array([math.hypot(r.K_I, r.K_II) for r in rows])
        mean["spread"] = float((k.max() - k.min()) / max(abs(k.mean()), 1e-300))
        return mean


def present_faces(crack_mesh: CrackMesh) -> tuple[int, ...]:
    """The crack-face tags present on any rank (``FACE_A``, and ``FACE_B`` unless symmetric)."""
    local = set(np.unique(crack_mesh.facet_tags.values).tolist())
    present = set().union(*crack_mesh.comm.allgather(local))
    return tuple(int(t) for t in (CrackTag.FACE_A, CrackTag.FACE_B) if int(t) in present)


class FilledFaces:
    """A DG0 marker of the Li-filled crack faces: 1 on the cells whose crack-face facet lies
    within arc length ``fill`` of the crack's origin (internal cracks: ``|s| <= fill``), else
    0. In a ``ds`` integral over the faces it selects the filled part, and :meth:`set` moves
    the Li front without recompiling any form."""

    def __init__(self, crack_mesh: CrackMesh, faces: tuple[int, ...]) -> None:
        msh = crack_mesh.mesh
        self.spec = crack_mesh.spec
        self.marker = fem.Function(fem.functionspace(msh, ("DG", 0)), name="li_filled")
        tdim = msh.topology.dim
        msh.topology.create_connectivity(tdim - 1, tdim)
        facets = np.concatenate([crack_mesh.facet_tags.find(t) for t in faces]) if faces \
            else np.zeros(0, dtype=np.int32)
        f2c = msh.topology.connectivity(tdim - 1, tdim)
        if len(facets):
            midpoints = dmesh.compute_midpoints(msh, tdim - 1, facets)[:, :2]
            self.positions = self.spec.arc_positions(midpoints)
        else:
            self.positions = np.zeros(0)
        self.cells = np.array([f2c.links(f)[0] for f in facets], dtype=np.int32)
        self.fill = self.spec.filled_length
        self.set(self.fill)

    def set(self, fill: float) -> None:
        """Mark the faces within ``fill`` [m] of the origin as filled."""
        s = np.abs(self.positions) if self.spec.kind == "internal" else self.positions
        values = self.marker.x.array
        values[:] = 0.0
        values[self.cells] = (s <= fill * (1 + 1e-9)).astype(float)
        self.marker.x.scatter_forward()
        self.fill = fill


class CrackProblem:
    """A cracked linear-elastic electrolyte (see the module docstring)."""

    def __init__(self, crack_mesh: CrackMesh, material: ElasticMaterial, *,
                 support: Support = "roller", degree: int = 2,
                 domain_fractions: tuple[float, ...] = DOMAIN_FRACTIONS,
                 options_prefix: str = "ssbx_crack_") -> None:
        if support not in SUPPORTS:
            raise ValueError(f"support must be one of {SUPPORTS}, got {support!r}")
        self.crack_mesh = crack_mesh
        self.spec = crack_mesh.spec
        self.material = material
        self.support = support
        self.comm: MPI.Comm = crack_mesh.comm
        self.axisymmetric = self.spec.axisymmetric
        self.symmetric_half = self.spec.kind == "penny"
        self.E_prime = plane_strain_modulus(material.E, material.nu)
        msh = crack_mesh.mesh
        self.mesh = msh
        self.V = fem.functionspace(msh, ("Lagrange", degree, (2,)))
        self.Q = fem.functionspace(msh, ("Lagrange", 1))
        self.u = fem.Function(self.V, name="displacement")
        self._constants(msh)
        self._measures(msh)
        self._forms(msh, options_prefix)
        self.radii = [self._domain_radii(tip, domain_fractions) for tip in crack_mesh.tips]

    # -- set-up --------------------------------------------------------------------------------

    def _constants(self, msh: dmesh.Mesh) -> None:
        def const(value: Any) -> fem.Constant:
            return fem.Constant(msh, np.asarray(value, dtype=np.float64))

        self.E = const(self.material.E)
        self.nu = const(self.material.nu)
        self.p_li = const(0.0)
        self.p_stack = const(0.0)
        self.sigma_side = const(0.0)
        self.sigma_remote = const(np.zeros((2, 2)))
        self.tip = const(np.zeros(2))
        self.ahead = const(np.array([1.0, 0.0]))
        self.q_inner = const(0.0)
        self.q_outer = const(1.0)
        self.mode = const(np.array([1.0, 0.0]))

    def _measures(self, msh: dmesh.Mesh) -> None:
        tags = self.crack_mesh.facet_tags
        self.dx = ufl.Measure("dx", domain=msh, metadata={"quadrature_degree": STIFFNESS_DEGREE})
        self.ds = ufl.Measure("ds", domain=msh, subdomain_data=tags,
                              metadata={"quadrature_degree": STIFFNESS_DEGREE})
        self.dx_fine = ufl.Measure("dx", domain=msh,
                                   metadata={"quadrature_degree": INTEGRAL_DEGREE})
        self.ds_fine = ufl.Measure("ds", domain=msh, subdomain_data=tags,
                                   metadata={"quadrature_degree": FACE_DEGREE})
        present = set(np.unique(tags.values).tolist())
        present = set().union(*self.comm.allgather(present))
        self.faces = present_faces(self.crack_mesh)
        self.outer = tuple(int(t) for t in (CrackTag.INTERFACE, CrackTag.VOID, CrackTag.TOP,
                                                 CrackTag.SIDES)
                           if int(t) in present)

    def close(self) -> None:
        """Destroy the PETSc objects of the linear solve (collective: every rank at the same
        point; dolfinx would do it whenever the last reference goes, which differs between
        ranks)."""
        for name in ("_solver", "_A", "_b", "_x", "_P_mat"):
            obj = getattr(self.problem, name, None)
            if obj is not None:
                obj.destroy()

    def set_fill(self, fill: float) -> None:
        """Mark the faces within arc length ``fill`` [m] of the origin as Li-filled (internal
        cracks: ``|s| <= fill``); the next solve loads them."""
        self.filled.set(fill)

    def _forms(self, msh: dmesh.Mesh, prefix: str) -> None:
        x = ufl.SpatialCoordinate(msh)
        n = ufl.FacetNormal(msh)
        u_t, v = ufl.TrialFunction(self.V), ufl.TestFunction(self.V)
        axi = self.axisymmetric
        w = 2.0 * math.pi * x[0] if axi else 1.0
        E, nu = self.E, self.nu
        def sigma(uu: Any) -> Any:
            return stress3(gradient3(uu, axi), E, nu)

        a = ufl.inner(sigma(u_t), ufl.sym(gradient3(v, axi))) * w * self.dx
        span = max(self.spec.width, self.spec.height)
        k_spring = 1e-8 * self.material.E / span
        for tag in self.outer:
            a += k_spring * ufl.dot(u_t, v) * w * self.ds(tag)
        self.filled = FilledFaces(self.crack_mesh, self.faces)
        self.face_traction = -self.p_li * self.filled.marker * n
        L = sum(ufl.dot(self.face_traction, v) * w * self.ds(t) for t in self.faces)
        if CrackTag.INTERFACE in self.outer:
            L += ufl.dot(-self.p_stack * n, v) * w * self.ds(int(CrackTag.INTERFACE))
        if CrackTag.SIDES in self.outer and not axi:
            L += ufl.dot(self.sigma_side * n[0] * ufl.as_vector((1.0, 0.0)), v) \
                * self.ds(int(CrackTag.SIDES))
        if not axi:
            L += sum(ufl.dot(self.sigma_remote * n, v) * self.ds(t) for t in self.outer)
        bcs = self._dirichlet(msh)
        self.problem = fem_petsc.LinearProblem(
            a, L, u=self.u, bcs=bcs, petsc_options_prefix=prefix,
            petsc_options={"ksp_type": "preonly", "pc_type": "lu",
                           "pc_factor_mat_solver_type": "mumps"})

        # fracture integrals (tip, direction and domain are constants)
        self.q = fem.Function(self.Q, name="q")
        q_expr = plateau_weight(x, self.tip, self.q_inner, self.q_outer)
        self._q_expression = fem.Expression(q_expr, self.Q.element.interpolation_points)
        dom, face = j_integral_integrands(self.u, self.q, self.ahead, E, nu, self.face_traction,
                                          axisymmetric=axi)
        j_form = dom * self.dx_fine + sum(face * self.ds_fine(t) for t in self.faces)
        self.j_form = fem.form(j_form)
        self.k_form = None
        if not self.symmetric_half:
            integrands = axisymmetric_interaction_integrands if axi else interaction_integrands
            dom_i, face_i = integrands(self.u, self.q, self.tip, self.ahead, self.mode, E, nu,
                                       self.face_traction, n)
            self.k_form = fem.form(dom_i * self.dx_fine
                                   + sum(face_i * self.ds_fine(t) for t in self.faces))
        faces = self.faces
        self.li_volume_form = fem.form(sum(-self.filled.marker * ufl.dot(self.u, n) * w * self.ds(t)
                                           for t in faces))
        self.crack_volume_form = fem.form(sum(-ufl.dot(self.u, n) * w * self.ds(t)
                                              for t in faces))

    def _dirichlet(self, msh: dmesh.Mesh) -> list[fem.DirichletBC]:
        tags = self.crack_mesh.facet_tags
        fdim = msh.topology.dim - 1
        bcs: list[fem.DirichletBC] = []

        def fix(tag: int, component: int | None) -> None:
            facets = tags.find(tag)
            if component is None:
                dofs = fem.locate_dofs_topological(self.V, fdim, facets)
                bcs.append(fem.dirichletbc(np.zeros(2), dofs, self.V))
            else:
                sub = self.V.sub(component)
                dofs = fem.locate_dofs_topological(sub, fdim, facets)
                bcs.append(fem.dirichletbc(0.0, dofs, sub))

        if self.axisymmetric:
            fix(int(CrackTag.SYMMETRY), 1)
            fix(int(CrackTag.AXIS), 0)
        if self.support == "roller":
            fix(int(CrackTag.TOP), 1)
        elif self.support == "clamped":
            fix(int(CrackTag.TOP), None)
        return bcs

    def _domain_radii(self, tip: CrackTip, fractions: tuple[float, ...]) -> list[float]:
        """Outer radii of the J-domains at ``tip``: fractions of the largest circle about the
        tip that stays clear of the outer boundary and of the crack's other end."""
        spec = self.spec
        x, y = tip.position
        if self.symmetric_half:
            clearance = min(spec.width - x, spec.height, x)
        elif self.axisymmetric:  # a ring crack: clear of the axis, the outer radius, the faces
            clearance = min(spec.width - x, spec.height - y, y, x)
        else:
            clearance = min(0.5 * spec.width - abs(x), spec.height - y, y)
        index = [t.position for t in spec.tips()].index(tip.position)
        segment = spec.tip_segment_lengths()[index]
        kinked = bool(spec.path_ahead or spec.path_behind)
        along = segment if (kinked or spec.kind != "internal") else 2 * spec.length
        largest = min(clearance, along)
        return [f * largest for f in fractions]

    # -- solve ---------------------------------------------------------------------------------

    def _set_loads(self, loads: CrackLoads) -> None:
        self.p_li.value = loads.li_pressure
        self.p_stack.value = loads.stack_pressure
        self.sigma_side.value = loads.in_plane_stress
        sxx, syy, sxy = loads.remote_stress
        self.sigma_remote.value = np.array([[sxx, sxy], [sxy, syy]])

    def _integrate(self, form: fem.Form) -> float:
        return self.comm.allreduce(fem.assemble_scalar(form), op=MPI.SUM)

    def _tip_results(self, tip: CrackTip, radii: list[float]) -> list[TipResult]:
        self.tip.value = np.array(tip.position)
        self.ahead.value = np.array(tip.ahead)
        rows = []
        for radius in radii:
            self.q_inner.value = 0.5 * radius
            self.q_outer.value = radius
            self.q.interpolate(self._q_expression)
            self.q.x.scatter_forward()
            J = self._integrate(self.j_form)
            scale = 1.0 / tip.position[0] if self.axisymmetric else 1.0  # w = r: per front
            J *= scale
            if self.symmetric_half:
                k_i, k_ii = math.copysign(math.sqrt(abs(J) * self.E_prime), J), 0.0
            else:
                assert self.k_form is not None
                self.mode.value = np.array([1.0, 0.0])
                k_i = 0.5 * self.E_prime * scale * self._integrate(self.k_form)
                self.mode.value = np.array([0.0, 1.0])
                k_ii = 0.5 * self.E_prime * scale * self._integrate(self.k_form)
            if self.symmetric_half:
                J *= 2.0  # the symmetric half model carries half of the contour
                k_i = math.copysign(math.sqrt(abs(J) * self.E_prime), J)
            rows.append(TipResult(tip, radius, J, k_i, k_ii,
                                  energy_release_rate(k_i, k_ii, self.E_prime)))
        return rows

    def solve(self, loads: CrackLoads) -> CrackSolution:
        """Solve for ``loads`` and evaluate K, J, G at every tip, the opening and the Li
        volume. Collective."""
        self._set_loads(loads)
        self.problem.solve()
        reason = self.problem.solver.getConvergedReason()
        if reason <= 0:
            from ssbx.errors import SolverDivergedError

            raise SolverDivergedError(f"the crack elasticity solve failed (KSP reason {reason})")
        self.u.x.scatter_forward()
        tips = [self._tip_results(tip, radii)
                for tip, radii in zip(self.crack_mesh.tips, self.radii, strict=True)]
        factor = 2.0 if self.symmetric_half else 1.0  # both faces of the symmetric penny
        li_volume = factor * self._integrate(self.li_volume_form)
        crack_volume = factor * self._integrate(self.crack_volume_form)
        return CrackSolution(loads, tips, li_volume, crack_volume, self.opening_profile(),
                             self.u)

    # -- opening -------------------------------------------------------------------------------

    def _face_samples(self, tag: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(s, u, coordinates) at the owned displacement nodes of crack face ``tag``, gathered
        on every rank, sorted by s."""
        facets = self.crack_mesh.facet_tags.find(tag)
        blocks = fem.locate_dofs_topological(self.V, 1, facets)
        owned = blocks[blocks < self.V.dofmap.index_map.size_local]
        xyz = self.V.tabulate_dof_coordinates()[owned, :2]
        values = self.u.x.array.reshape(-1, 2)[owned]
        all_x = np.concatenate(self.comm.allgather(xyz)).reshape(-1, 2)
        all_u = np.concatenate(self.comm.allgather(values)).reshape(-1, 2)
        s = self.spec.arc_positions(all_x) if len(all_x) else np.zeros(0)
        order = np.argsort(s, kind="stable")
        return s[order], all_u[order], all_x[order]

    def _face_a_side(self) -> float:
        """+1 if face A lies on the +normal side of the crack (the tangent turned by +90
        degrees), else -1: from the centroids of the cells on face A."""
        msh = self.mesh
        facets = self.crack_mesh.facet_tags.find(int(CrackTag.FACE_A))
        facets = facets[facets < msh.topology.index_map(1).size_local]
        f2c = msh.topology.connectivity(1, 2)
        x = msh.geometry.x[:, :2]
        dofmap = msh.geometry.dofmaps[0]
        total = 0.0
        if len(facets):
            mid = dmesh.compute_midpoints(msh, 1, facets)[:, :2]
            normal = self.spec.segment_normal(mid)
            for k, f in enumerate(facets):
                centroid = x[dofmap[f2c.links(f)[0]]].mean(axis=0)
                total += float((centroid - mid[k]) @ normal[k])
        return 1.0 if self.comm.allreduce(total, op=MPI.SUM) > 0.0 else -1.0

    def opening_profile(self) -> tuple[np.ndarray, np.ndarray]:
        """(s, opening) along the crack [m]: the jump of the displacement normal to the crack
        across the faces (penny: twice u_z on the face)."""
        s_a, u_a, x_a = self._face_samples(int(CrackTag.FACE_A))
        if self.symmetric_half:
            return s_a, 2.0 * u_a[:, 1]
        s_b, u_b, _ = self._face_samples(int(CrackTag.FACE_B))
        normal = self.spec.segment_normal(x_a) if len(x_a) else np.zeros((0, 2))
        # the faces share their node positions: match them by s
        scale = self.spec.length
        s_common, ia, ib = np.intersect1d(np.round(s_a / scale, 9), np.round(s_b / scale, 9),
                                          return_indices=True)
        jump = np.einsum("ij,ij->i", u_a[ia] - u_b[ib], normal[ia])
        return s_common * scale, self._face_a_side() * jump

    # -- critical load -------------------------------------------------------------------------

    def critical_li_pressures(self, toughness: float, loads: CrackLoads
                              ) -> tuple[list[float], CrackSolution, CrackSolution]:
        """The Li pressure at which G reaches K_Ic^2 / E' at each tip, with the other ``loads``
        held (linear elasticity: K = K0 + p K1 from two solves). Returns (p_c per tip [Pa],
        the solution without Li pressure, the solution at unit Li pressure); ``inf`` where no
        positive pressure reaches it."""
        base = self.solve(loads.scaled_li(0.0))
        unit = self.solve(loads.scaled_li(1.0))
        return [self._critical(toughness, base.tip_mean(k), unit.tip_mean(k))
                for k in range(len(self.crack_mesh.tips))], base, unit

    def critical_li_pressure(self, toughness: float, loads: CrackLoads,
                             tip: int = 0) -> tuple[float, CrackSolution, CrackSolution]:
        """:meth:`critical_li_pressures` at one tip: (p_c [Pa], base, unit solutions)."""
        values, base, unit = self.critical_li_pressures(toughness, loads)
        return values[tip], base, unit

    @staticmethod
    def _critical(toughness: float, k0: dict[str, float], k1: dict[str, float]) -> float:
        """Smallest p > 0 with (a0 + p a1)^2 + (b0 + p b1)^2 = K_Ic^2 and K_I > 0."""
        a1, b1 = k1["K_I"] - k0["K_I"], k1["K_II"] - k0["K_II"]
        a0, b0 = k0["K_I"], k0["K_II"]
        qa = a1 * a1 + b1 * b1
        qb = 2.0 * (a0 * a1 + b0 * b1)
        qc = a0 * a0 + b0 * b0 - toughness * toughness
        disc = qb * qb - 4.0 * qa * qc
        if qa <= 0.0 or disc < 0.0:
            return math.inf
        roots = [(-qb - math.sqrt(disc)) / (2 * qa), (-qb + math.sqrt(disc)) / (2 * qa)]
        positive = [r for r in roots if r > 0.0 and (a0 + r * a1) > 0.0]
        return min(positive) if positive else math.inf


__all__ = [
    "DOMAIN_FRACTIONS",
    "SUPPORTS",
    "CrackLoads",
    "CrackProblem",
    "CrackSolution",
    "FilledFaces",
    "Support",
    "TipResult",
    "present_faces",
]
