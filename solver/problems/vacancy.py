"""Vacancy transport in the Li (the equation of :mod:`ssbx.physics.vacancy`), one linear solve
per backward-Euler step.

The unknown ``theta = c_v / c_eq(T)`` lives on the Li mesh (e.g. the Li submesh of
:func:`ssbx.problems.stripping.problem.lithium_domain`, whose contact facets carry
:attr:`ssbx.meshes.tags.FacetTag.CONTACT`). Inputs, all changeable between steps:

- the injection ``J_theta`` [m/s] on the interface facets (:meth:`VacancyProblem.set_injection`,
  from a current density i [A/m^2] or directly), held as a nodal field on theta's space and
  integrated with the Gauss–Lobatto rule at the Lagrange nodes (lumped, like the kinetic term of
  the current problem): the injected amount is then ``Σ_k w_k J_k`` over the interface nodes of
  :class:`ssbx.problems.interface.InterfaceNodes`;
- the hydrostatic stress sigma_h [Pa] (:meth:`VacancyProblem.set_hydrostatic_stress`), held on
  a continuous Lagrange space (its gradient drives the drift): Lagrange fields and callables are
  interpolated, other fields (DG0, the mechanics' quadrature stress) and UFL expressions are
  L2-projected;
- the sink rate k [1/s] (:meth:`VacancyProblem.set_sink`), a DG0 field (per cell), or from a
  dislocation density (``k = D_v rho``);
- the void-surface transfer rate h [m/s] on the interface (:meth:`VacancyProblem.
  set_surface_transfer`, nodal like the injection; zero where the interface is in contact):
  vacancies condense onto an open interface (a void surface) at ``h (theta - 1)`` and grow it.

Linear algebra: the operator changes only with dt, sigma_h and k, so it is assembled (and
factorised) only then; each step assembles the right-hand side and solves. Default MUMPS LU (the
drift term makes the operator non-symmetric); ``linear_solver="iterative"`` gives GMRES + GAMG
(the inventory identity then holds to the KSP tolerance only). PETSc prefix ``ssbx_vacancy_``.

Inventory (mol; per metre of depth in plane, the whole cylinder in axisymmetry): the
cumulative injected ``∫∫ J_theta w ds dt``, stored ``∫ (theta - theta_0) w dx`` and annihilated
``∫∫ k (theta - theta_eq) w dx dt`` and condensed onto void surfaces ``∫∫ h (theta - 1) w ds
dt`` (backward-Euler weights: the end-of-step theta times dt), all times ``c_eq / Omega``;
and, with ``theta = 1`` boundaries, the escaped amount (their reaction). By construction of the
discrete equations injected = stored + annihilated + condensed + escaped (+ the volume source
of manufactured solutions) to round-off.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from typing import Any, Literal

from mpi4py import MPI
from petsc4py import PETSc

import dolfinx
import dolfinx.fem.petsc
import numpy as np
import ufl
from dolfinx import fem
from dolfinx.mesh import Mesh, MeshTags

from ssbx.errors import VacancySolveError
from ssbx.physics.vacancy import (
    VacancyFormTerms,
    VacancyMaterial,
    vacancy_bilinear_form,
    vacancy_linear_form,
)
from ssbx.problems.interface import InterfaceNodes, nodal_facet_quadrature


def hydrostatic_stress(mandel_stress: Any) -> Any:
    """``sigma_h = tr(sigma) / 3`` [Pa] of a Mandel 6-vector stress (the mechanics' quadrature
    ``stress`` field; slot 2 is the out-of-plane/hoop normal stress)."""
    return (mandel_stress[0] + mandel_stress[1] + mandel_stress[2]) / 3.0


def _needs_projection(source: fem.FunctionSpace, target: fem.FunctionSpace) -> bool:
    """A quadrature field, or a discontinuous one onto a continuous space: L2-project
    (interpolation is undefined, or would lose the gradient between cells)."""
    src, tgt = source.ufl_element(), target.ufl_element()
    if getattr(src, "family_name", "") == "quadrature":
        return True
    return bool(getattr(src, "discontinuous", False)) and not getattr(tgt, "discontinuous",
                                                                        False)


class VacancyProblem:
    """Vacancy transport in the Li with injection at an interface.

    mesh, facet_tags: the Li mesh [m] and its facet tags; interface_tag: the tag of the
    injecting (contact) facets; material, temperature [K]: the vacancy data;
    degree: Lagrange degree of theta; axisymmetric: x is the radius, weight ``2 pi r``;
    equilibrium_tags: facet tags held at ``theta = 1``; stress_degree: Lagrange degree of
    sigma_h (default ``degree``); linear_solver: ``direct`` (MUMPS) or ``iterative``
    (GMRES + GAMG); petsc_options: overrides; prefix: PETSc options prefix;
    source: ``(mesh, t) -> UFL`` volume source s [1/s] at the end-of-step time ``t`` (a
    Constant), manufactured solutions only; theta0: initial theta (float or callable);
    projected_interface: name the interface nodes by their point on ``y = 0`` straight above
    them (a Li surface with explicit voids, whose nodes pair with the electrolyte's).
    """

    def __init__(self, mesh: Mesh, facet_tags: MeshTags, interface_tag: int,
                 material: VacancyMaterial, temperature: float, *, degree: int = 1,
                 axisymmetric: bool = False, equilibrium_tags: Sequence[int] = (),
                 stress_degree: int | None = None,
                 linear_solver: Literal["direct", "iterative"] = "direct",
                 petsc_options: dict[str, Any] | None = None,
                 prefix: str = "ssbx_vacancy_",
                 source: Callable[[Mesh, Any], Any] | None = None,
                 theta0: float | Callable[[np.ndarray], np.ndarray] = 1.0,
                 projected_interface: bool = False) -> None:
        t0 = time.perf_counter()
        self.mesh = mesh
        self.comm: MPI.Comm = mesh.comm
        self.facet_tags = facet_tags
        self.material = material
        self.temperature = float(temperature)
        self.axisymmetric = axisymmetric
        self.degree = degree
        tdim = mesh.topology.dim
        fdim = tdim - 1
        mesh.topology.create_connectivity(fdim, tdim)
        scalar = dolfinx.default_scalar_type

        # spaces and fields
        self.V = fem.functionspace(mesh, ("Lagrange", degree))
        self.S = fem.functionspace(mesh, ("Lagrange", stress_degree or degree))
        self.K = fem.functionspace(mesh, ("DG", 0))
        self.theta = fem.Function(self.V, name="theta")
        self.theta_n = fem.Function(self.V, name="theta_n")
        self.theta_0 = fem.Function(self.V, name="theta_0")
        self.injection = fem.Function(self.V, name="injection")  # J_theta [m/s]
        self.surface_rate = fem.Function(self.V, name="surface_rate")  # h [m/s], void surfaces
        #: theta_s, the equilibrium of the surface exchange (1 on a traction-free void surface)
        self.surface_theta = fem.Function(self.V, name="surface_theta")
        self.surface_theta.x.array[:] = 1.0
        self.sigma_h = fem.Function(self.S, name="sigma_h")  # [Pa]
        self.sink = fem.Function(self.K, name="sink")  # k [1/s]
        if callable(theta0):
            self.theta_0.interpolate(theta0)
        else:
            self.theta_0.x.array[:] = float(theta0)
        self.theta.x.array[:] = self.theta_0.x.array
        self.theta_n.x.array[:] = self.theta_0.x.array

        # coefficients
        self.D = material.d_vacancy(self.temperature)
        self.c_scale = material.concentration_scale(self.temperature)  # mol/m^3 at theta = 1
        self._inverse_dt = fem.Constant(mesh, scalar(0.0))
        self._time = fem.Constant(mesh, scalar(0.0))  # end-of-step time (sources)
        self.time = 0.0
        if axisymmetric:
            self.weight: Any = 2.0 * math.pi * ufl.SpatialCoordinate(mesh)[0]
        else:
            self.weight = fem.Constant(mesh, scalar(1.0))

        # measures (lumped, Gauss-Lobatto, injection)
        self.interface_tag = int(interface_tag)
        self.dx = ufl.Measure("dx", domain=mesh)
        ds = ufl.Measure("ds", domain=mesh, subdomain_data=facet_tags)
        self.ds_interface = ds(self.interface_tag,
                               metadata=nodal_facet_quadrature(tdim, degree))
        self.interface_facets = facet_tags.find(self.interface_tag)

        beta = fem.Constant(mesh, scalar(material.stress_coefficient(self.temperature)))
        #: local equilibrium theta in the stress field, exp(beta sigma_h) (UFL)
        self.theta_eq = ufl.exp(beta * self.sigma_h)
        self.terms = VacancyFormTerms(
            diffusivity=fem.Constant(mesh, scalar(self.D)), inverse_dt=self._inverse_dt,
            stress_coefficient=beta,
            hydrostatic_stress=self.sigma_h, sink_rate=self.sink, injection=self.injection,
            weight=self.weight, source=None if source is None else source(mesh, self._time),
            equilibrium=self.theta_eq, surface_rate=self.surface_rate,
            surface_equilibrium=self.surface_theta)
        u, v = ufl.TrialFunction(self.V), ufl.TestFunction(self.V)
        self._a = fem.form(vacancy_bilinear_form(u, v, self.terms, self.dx, self.ds_interface))
        self._L = fem.form(vacancy_linear_form(self.theta_n, v, self.terms, self.dx,
                                               self.ds_interface))

        # theta = 1 boundaries
        self.bcs: list[fem.DirichletBC] = []
        eq_facets = [facet_tags.find(int(tag)) for tag in equilibrium_tags]
        self._bc_dofs = np.zeros(0, dtype=np.int32)
        if eq_facets:
            facets = np.unique(np.concatenate(eq_facets))
            self._bc_dofs = fem.locate_dofs_topological(self.V, fdim, facets)
            self.bcs.append(fem.dirichletbc(scalar(1.0), self._bc_dofs, self.V))
            # unconstrained residual (its sum over the bc dofs is the flux through them)
            self._residual = fem.form(
                vacancy_bilinear_form(self.theta, v, self.terms, self.dx, self.ds_interface)
                - vacancy_linear_form(self.theta_n, v, self.terms, self.dx, self.ds_interface))

        # inventory forms (theta units x w; times c_scale -> mol)
        w = self.weight
        self._stored_form = fem.form((self.theta - self.theta_0) * w * self.dx)
        self._content_form = fem.form(self.theta * w * self.dx)
        self._annihilation_form = fem.form(self.sink * (self.theta - self.theta_eq) * w
                                           * self.dx)
        self._injection_form = fem.form(self.injection * w * self.ds_interface)
        self._condensation_form = fem.form(self.surface_rate * (self.theta - self.surface_theta)
                                           * w * self.ds_interface)
        self._source_form = (None if self.terms.source is None
                             else fem.form(self.terms.source * w * self.dx))
        self.injected = 0.0
        self.annihilated = 0.0
        self.condensed = 0.0
        self._surface_nodes: np.ndarray | None = None  # h at the interface nodes
        self._surface_theta_nodes: np.ndarray | None = None  # theta_s at the interface nodes
        self.escaped = 0.0
        self.source_total = 0.0

        # interface nodes (replicated, sorted by coordinate)
        tol = 1e-9 * self._domain_size()
        self.nodes = InterfaceNodes(self.V, self.interface_facets,
                                    v * w * self.ds_interface, tolerance=tol,
                                    projected=projected_interface)
        self._imap = self.nodes.space_map

        # linear algebra
        self.A = fem.petsc.create_matrix(self._a)
        self.b = fem.petsc.create_vector(self.V)
        self.ksp = PETSc.KSP().create(self.comm)
        self.ksp.setOptionsPrefix(prefix)
        opts = PETSc.Options()
        for key, value in self.solver_options(linear_solver, petsc_options).items():
            opts[f"{prefix}{key}"] = value
        self.ksp.setFromOptions()
        for key in self.solver_options(linear_solver, petsc_options):
            opts.delValue(f"{prefix}{key}")
        self.ksp.setOperators(self.A)
        self._dirty = True
        self._dt = math.nan
        self.steps = 0
        self.linear_iterations = 0
        self.time_setup = time.perf_counter() - t0
        self.time_assembly = 0.0
        self.time_solve = 0.0

    # -- construction helpers -------------------------------------------------------------------
    @staticmethod
    def solver_options(linear_solver: str, overrides: dict[str, Any] | None) -> dict[str, Any]:
        """KSP/PC options (``overrides`` last)."""
        if linear_solver == "direct":
            opts: dict[str, Any] = {"ksp_type": "preonly", "pc_type": "lu",
                                    "pc_factor_mat_solver_type": "mumps"}
        elif linear_solver == "iterative":
            opts = {"ksp_type": "gmres", "pc_type": "gamg", "ksp_rtol": 1e-12,
                    "ksp_atol": 0.0, "ksp_max_it": 1000}
        else:
            raise ValueError(f"linear_solver must be 'direct' or 'iterative', got "
                             f"{linear_solver!r}")
        opts |= {str(k).lstrip("-"): v for k, v in (overrides or {}).items()}
        return opts

    def _domain_size(self) -> float:
        x = self.mesh.geometry.x
        lo, hi = np.min(x, axis=0, initial=np.inf), np.max(x, axis=0, initial=-np.inf)
        glo, ghi = np.empty_like(lo), np.empty_like(hi)
        self.comm.Allreduce(lo, glo, op=MPI.MIN)
        self.comm.Allreduce(hi, ghi, op=MPI.MAX)
        return float(np.max(ghi - glo))

    def _integrate(self, form: fem.Form) -> float:
        return self.comm.allreduce(fem.assemble_scalar(form), op=MPI.SUM)

    def _project(self, expr: Any, target: fem.Function,
                 quadrature_degree: int | None) -> None:
        """L2 projection of a UFL expression onto ``target``'s space (MUMPS)."""
        space = target.function_space
        u, v = ufl.TrialFunction(space), ufl.TestFunction(space)
        meta = {} if quadrature_degree is None else {"quadrature_degree": quadrature_degree}
        dx = ufl.Measure("dx", domain=self.mesh, metadata=meta)
        problem = fem.petsc.LinearProblem(
            u * v * dx, expr * v * dx, u=target,
            petsc_options_prefix=f"{self.ksp.getOptionsPrefix()}project_",
            petsc_options={"ksp_type": "preonly", "pc_type": "lu",
                           "pc_factor_mat_solver_type": "mumps"})
        problem.solve()
        target.x.scatter_forward()

    def _assign(self, target: fem.Function, value: Any, *,
                quadrature_degree: int | None = None) -> None:
        """Set ``target`` from a float, a callable ``x -> values``, a Function on this mesh or
        a UFL expression: interpolated, except quadrature fields and discontinuous fields onto
        a continuous space (and expressions of them), which are L2-projected."""
        if isinstance(value, int | float):
            target.x.array[:] = float(value)
        elif isinstance(value, fem.Function):
            if _needs_projection(value.function_space, target.function_space):
                self._project(value, target, quadrature_degree)
            else:
                target.interpolate(value)
        elif isinstance(value, ufl.core.expr.Expr):
            coefficients = ufl.algorithms.extract_coefficients(value)
            if any(_needs_projection(c.function_space, target.function_space)
                   for c in coefficients if isinstance(c, fem.Function)):
                self._project(value, target, quadrature_degree)
            else:
                element = target.function_space.element
                target.interpolate(fem.Expression(value, element.interpolation_points))
        elif callable(value):
            target.interpolate(value)
        else:
            raise TypeError(f"cannot set a field from {type(value).__name__}")
        target.x.scatter_forward()

    # -- inputs ----------------------------------------------------------------------------------
    def set_injection(self, current_density: Any = None, *, velocity: Any = None) -> None:
        """Injection on the interface: a stripping current density i [A/m^2] (> 0 stripping,
        < 0 plating), converted to ``J_theta = i Omega / (F c_eq)``, or the ``velocity``
        J_theta [m/s] itself. Either is a float, an array over the interface nodes
        (``self.nodes`` order, replicated), a callable ``x -> values``, or a Function on this
        mesh (interpolated). Only its values on the interface facets matter."""
        if (current_density is None) == (velocity is None):
            raise ValueError("give either current_density or velocity")
        value = velocity if velocity is not None else current_density
        scale = 1.0 if velocity is not None else self.material.injection_velocity(
            1.0, self.temperature)
        if isinstance(value, np.ndarray):
            self._scatter_nodal(scale * value, self.injection)
        else:
            self._assign(self.injection, value)
            self.injection.x.array[:] *= scale
        self.injection.x.scatter_forward()

    def _scatter_nodal(self, values: np.ndarray, target: fem.Function) -> None:
        """Put values at the interface nodes (``self.nodes`` order) into ``target``, zero
        elsewhere (owned and ghost entries; no scatter_forward)."""
        if values.shape != (self.nodes.size,):
            raise ValueError(f"node array of shape {values.shape}, expected "
                             f"({self.nodes.size},)")
        target.x.array[:] = 0.0
        self.nodes.scatter(values, target.x.array, self._imap)

    def set_surface_transfer(self, rate: np.ndarray,
                             equilibrium: np.ndarray | None = None) -> None:
        """Surface transfer rate h [m/s] at the interface nodes (``self.nodes`` order,
        replicated): void surfaces exchange vacancies toward their equilibrium, and so does a
        contacting interface that annihilates vacancies (a sink law); ``equilibrium``: theta_s
        per node (default 1, a traction-free surface). Changes the operator only when the rates
        change (the equilibrium enters the right-hand side only)."""
        theta_s = np.ones(self.nodes.size) if equilibrium is None else np.asarray(equilibrium)
        if self._surface_theta_nodes is None or not np.array_equal(theta_s,
                                                                   self._surface_theta_nodes):
            self._scatter_nodal(theta_s, self.surface_theta)
            self.surface_theta.x.scatter_forward()
            self._surface_theta_nodes = theta_s.copy()
        if self._surface_nodes is not None and np.array_equal(rate, self._surface_nodes):
            return
        self._scatter_nodal(rate, self.surface_rate)
        self.surface_rate.x.scatter_forward()
        self._surface_nodes = rate.copy()
        self._dirty = True

    def interface_condensation(self) -> np.ndarray:
        """Vacancy flux leaving the Li through the surface exchange at the interface nodes, in
        theta units ``h_k (theta_k - theta_s,k)`` [m/s] (GLL-lumped: exact per node; times
        c_eq it is the rate at which lattice sites vanish there: a void surface grows, a
        contacting interface recedes; negative where the surface emits vacancies)."""
        if self._surface_nodes is None:
            return np.zeros(self.nodes.size)
        theta_s = (np.ones(self.nodes.size) if self._surface_theta_nodes is None
                   else self._surface_theta_nodes)
        return self._surface_nodes * (self.interface_supersaturation() - theta_s)

    def equilibrate(self) -> None:
        """Start from the local equilibrium: theta = theta_0 = exp(beta sigma_h) at the nodes
        (after :meth:`set_hydrostatic_stress`; the inventory counts from here)."""
        expr = fem.Expression(self.theta_eq, self.V.element.interpolation_points)
        self.theta.interpolate(expr)
        self.theta.x.scatter_forward()
        self.theta_n.x.array[:] = self.theta.x.array
        self.theta_0.x.array[:] = self.theta.x.array

    def set_hydrostatic_stress(self, value: Any, *, quadrature_degree: int | None = None) -> None:
        """Hydrostatic stress sigma_h [Pa] (tension +): float, callable, Function (Lagrange:
        interpolated; DG or quadrature: L2-projected onto the continuous space, pass the
        quadrature element's ``quadrature_degree``) or UFL expression (projected), e.g.
        :func:`hydrostatic_stress` of the mechanics' Mandel stress."""
        self._assign(self.sigma_h, value, quadrature_degree=quadrature_degree)
        self._dirty = True

    def set_sink(self, sink_rate: Any = None, *, dislocation_density: Any = None,
                 efficiency: float = 1.0) -> None:
        """Sink rate k [1/s], per cell (DG0): float, array over the local cells (owned +
        ghost, this process's cell order), callable ``x -> values`` (at cell midpoints),
        Function or UFL expression; or from a ``dislocation_density`` rho [1/m^2] (same kinds)
        as ``k = efficiency D_v rho``."""
        if (sink_rate is None) == (dislocation_density is None):
            raise ValueError("give either sink_rate or dislocation_density")
        value = sink_rate if sink_rate is not None else dislocation_density
        scale = 1.0 if sink_rate is not None else efficiency * self.D
        if isinstance(value, np.ndarray):
            cells = self.K.dofmap.list[:, 0]  # local cell -> its DG0 dof
            if value.shape != (cells.size,):
                raise ValueError(f"cell array of shape {value.shape}, expected ({cells.size},)")
            self.sink.x.array[cells] = scale * value
        else:
            self._assign(self.sink, value)
            self.sink.x.array[:] *= scale
        self.sink.x.scatter_forward()
        self._dirty = True

    # -- time stepping ---------------------------------------------------------------------------
    def step(self, dt: float) -> None:
        """One backward-Euler step of length dt [s]; updates theta and the inventory."""
        if not dt > 0.0:
            raise ValueError(f"dt must be positive, got {dt}")
        t0 = time.perf_counter()
        if dt != self._dt:
            self._inverse_dt.value = 1.0 / dt
            self._dt = dt
            self._dirty = True
        self._time.value = self.time + dt
        if self._dirty:
            self.A.zeroEntries()
            fem.petsc.assemble_matrix(self.A, self._a, bcs=self.bcs)
            self.A.assemble()
            self.ksp.setOperators(self.A)
            self._dirty = False
        with self.b.localForm() as loc:
            loc.set(0.0)
        fem.petsc.assemble_vector(self.b, self._L)
        fem.petsc.apply_lifting(self.b, [self._a], bcs=[self.bcs])
        self.b.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)
        fem.petsc.set_bc(self.b, self.bcs)
        t1 = time.perf_counter()
        self.ksp.solve(self.b, self.theta.x.petsc_vec)
        reason = self.ksp.getConvergedReason()
        if reason <= 0:
            raise VacancySolveError(f"vacancy linear solve failed (KSP reason {reason})")
        self.theta.x.scatter_forward()
        self.linear_iterations += self.ksp.getIterationNumber()
        t2 = time.perf_counter()

        # inventory (theta units x w x dt)
        self.injected += dt * self._integrate(self._injection_form)
        self.annihilated += dt * self._integrate(self._annihilation_form)
        self.condensed += dt * self._integrate(self._condensation_form)
        if self._source_form is not None:
            self.source_total += dt * self._integrate(self._source_form)
        if self.bcs:
            r = fem.assemble_vector(self._residual)
            r.scatter_reverse(dolfinx.la.InsertMode.add)
            owned = self._bc_dofs[self._bc_dofs < self.V.dofmap.index_map.size_local]
            self.escaped -= dt * self.comm.allreduce(float(np.sum(r.array[owned])),
                                                     op=MPI.SUM)
        self.theta_n.x.array[:] = self.theta.x.array
        self.time += dt
        self.steps += 1
        self.time_solve += t2 - t1
        self.time_assembly += time.perf_counter() - t0 - (t2 - t1)

    # -- outputs ---------------------------------------------------------------------------------
    def interface_supersaturation(self) -> np.ndarray:
        """Theta at the interface nodes (``self.nodes.coords`` order, every rank)."""
        return self.interface_values(self.theta)

    def interface_values(self, f: fem.Function) -> np.ndarray:
        """A function on theta's space (or one of its layout, e.g. sigma_h) at the interface
        nodes (``self.nodes.coords`` order, every rank)."""
        return self.nodes.gather(f.x.array[self._imap.dofs], self._imap)

    def nucleation_sites(self, S: float) -> np.ndarray:
        """Boolean mask over the interface nodes where ``theta >= S`` (every rank)."""
        return self.interface_supersaturation() >= S

    def max_supersaturation(self) -> float:
        """Largest theta anywhere in the Li (nodal)."""
        n = self.V.dofmap.index_map.size_local
        local = float(np.max(self.theta.x.array[:n], initial=-np.inf))
        return self.comm.allreduce(local, op=MPI.MAX)

    def inventory(self) -> dict[str, float]:
        """Cumulative vacancy amounts [mol] (per metre of depth in plane): ``injected``,
        ``stored`` (now minus initially), ``annihilated``, ``condensed`` (onto void surfaces),
        ``escaped`` (through theta = 1 boundaries), ``source`` (manufactured volume source),
        ``content`` (the vacancies now, ``∫ theta w dx c_eq/Omega``) and ``balance_error`` =
        (injected + source - stored - annihilated - condensed - escaped) / the largest of these
        amounts, content included (the round-off scale of ``stored``)."""
        c = self.c_scale
        out = {"injected": c * self.injected,
               "stored": c * self._integrate(self._stored_form),
               "annihilated": c * self.annihilated,
               "condensed": c * self.condensed,
               "escaped": c * self.escaped,
               "source": c * self.source_total}
        content = c * self._integrate(self._content_form)
        scale = max(abs(content), *(abs(v) for v in out.values()))
        residual = (out["injected"] + out["source"] - out["stored"] - out["annihilated"]
                    - out["condensed"] - out["escaped"])
        out["content"] = content
        out["balance_error"] = residual / scale if scale > 0.0 else 0.0
        return out

    def num_dofs(self) -> int:
        """Global degrees of freedom of theta."""
        return int(self.V.dofmap.index_map.size_global)

    def checkpoint_state(self) -> dict[str, Any]:
        """The cumulative counters (JSON-able); the fields theta and theta_0 are checkpointed
        as functions by the owner."""
        return {"injected": self.injected, "annihilated": self.annihilated,
                "condensed": self.condensed, "escaped": self.escaped,
                "source_total": self.source_total, "time": self.time, "steps": self.steps,
                "surface_rate": (None if self._surface_nodes is None
                                 else [float(x) for x in self._surface_nodes]),
                "surface_theta": (None if self._surface_theta_nodes is None
                                  else [float(x) for x in self._surface_theta_nodes])}

    def restore_state(self, state: dict[str, Any]) -> None:
        """Take back :meth:`checkpoint_state` once theta and theta_0 have been read."""
        self.theta.x.scatter_forward()
        self.theta_0.x.scatter_forward()
        self.theta_n.x.array[:] = self.theta.x.array
        for key in ("injected", "annihilated", "escaped", "time"):
            setattr(self, key, float(state[key]))
        self.source_total = float(state.get("source_total", 0.0))
        self.condensed = float(state.get("condensed", 0.0))
        self.steps = int(state["steps"])
        if state.get("surface_rate") is not None:
            theta_s = state.get("surface_theta")
            self.set_surface_transfer(np.asarray(state["surface_rate"], dtype=float),
                                      None if theta_s is None
                                      else np.asarray(theta_s, dtype=float))

    def close(self) -> None:
        """Free the PETSc objects now (collective: on every rank at the same point)."""
        self.ksp.destroy()
        self.A.destroy()
        self.b.destroy()


__all__ = ["VacancyProblem", "VacancySolveError", "hydrostatic_stress"]
