"""The elastic electrolyte's interface deflection under the Li contact pressure.

Linear elasticity on the electrolyte submesh (top fixed, rollers on the sides: two in plane,
four in a 3-D box), assembled and factorised once; the contact pressure is the load, the
vertical displacement of the contact nodes the deflection w that the stripping problem adds to
the contact obstacle.
"""


from __future__ import annotations

from petsc4py import PETSc

import dolfinx
import numpy as np
import ufl
from dolfinx import fem
from dolfinx.fem.petsc import apply_lifting, assemble_matrix, assemble_vector, set_bc

from ssbx.meshes.tags import FacetTag
from ssbx.physics.elasticity import ElasticMaterial
from ssbx.physics.mechanics import elastic_tangent_work, measure_weight
from ssbx.problems.current import (
    ElectrolyteDomain,
)
from ssbx.problems.interface import InterfaceNodes, nodal_facet_quadrature


# --------------------------------------------------------------------------------------------
# Electrolyte deflection (elastic electrolyte)
# --------------------------------------------------------------------------------------------
class ElectrolyteDeflection:
    """Linear-elastic electrolyte under the contact pressure: top fixed, rollers on the sides.
    One factorisation; :meth:`deflection` returns the interface deflection w [m] (up +) for a
    nodal contact pressure [Pa]."""

    def __init__(self, domain: ElectrolyteDomain, material: ElasticMaterial,
                 nodes: InterfaceNodes, axisymmetric: bool) -> None:
        """domain: the electrolyte submesh with its tags; material: its elastic constants;
        nodes: the replicated interface nodes (pressure in, deflection out)."""
        self.nodes = nodes
        dom = domain
        msh = dom.mesh
        tdim = msh.topology.dim
        kind = "3d" if tdim == 3 else "axisymmetric" if axisymmetric else "plane_strain"
        gdim = msh.geometry.dim
        fdim = tdim - 1
        up = tdim - 1  # the vertical component
        mat = material
        V = fem.functionspace(msh, ("Lagrange", 2, (gdim,)))
        self.V = V
        lmbda = fem.Constant(msh, dolfinx.default_scalar_type(mat.lame_lambda))
        mu = fem.Constant(msh, dolfinx.default_scalar_type(mat.shear_modulus))
        w = measure_weight(msh, kind)
        du, v = ufl.TrialFunction(V), ufl.TestFunction(V)
        a = elastic_tangent_work(lmbda, mu, du, v, kind, w, ufl.dx(domain=msh, metadata={
            "quadrature_degree": 2}))
        Q = fem.functionspace(msh, ("Lagrange", 2))
        self.p = fem.Function(Q)
        ds = ufl.Measure("ds", domain=msh, subdomain_data=dom.facet_tags,
                         metadata=nodal_facet_quadrature(tdim, 2))
        # the Li pushes the electrolyte up (its outward normal there points down)
        L = self.p * v[up] * w * ds(dom.contact_tag)
        top = fem.locate_dofs_topological(V, fdim, dom.facet_tags.find(dom.top_tag))
        bcs = [fem.dirichletbc(np.zeros(gdim), top, V)]
        rollers = [(FacetTag.SIDE_LEFT, 0), (FacetTag.SIDE_RIGHT, 0)]
        if tdim == 3:
            rollers += [(FacetTag.SIDE_FRONT, 1), (FacetTag.SIDE_BACK, 1)]
        for tag, normal in rollers:
            dofs = fem.locate_dofs_topological(V.sub(normal), fdim,
                                               dom.facet_tags.find(int(tag)))
            bcs.append(fem.dirichletbc(dolfinx.default_scalar_type(0.0), dofs, V.sub(normal)))
        # the stiffness does not change: assemble and factorise it once, reassemble the load only
        self._a, self._L, self._bcs = fem.form(a), fem.form(L), bcs
        self._A = assemble_matrix(self._a, bcs=bcs)
        self._A.assemble()
        self._ksp = PETSc.KSP().create(msh.comm)
        self._ksp.setOperators(self._A)
        self._ksp.setType("preonly")
        self._ksp.getPC().setType("lu")
        self._ksp.getPC().setFactorSolverType("mumps")
        self.u = fem.Function(V)
        contact = dom.facet_tags.find(dom.contact_tag)
        nodes = self.nodes
        qdofs = fem.locate_dofs_topological(Q, fdim, contact)
        self.p_map = nodes.local_map(qdofs, Q.tabulate_dof_coordinates()[qdofs],
                                     qdofs < Q.dofmap.index_map.size_local)
        ydofs = fem.locate_dofs_topological(V.sub(up), fdim, contact)
        self.y_map = nodes.local_map(ydofs, V.tabulate_dof_coordinates()[ydofs // gdim],
                                     ydofs // gdim < V.dofmap.index_map.size_local)

    def deflection(self, pressure: np.ndarray) -> np.ndarray:
        """Interface deflection w [m] (up +) at the interface nodes for a nodal contact
        pressure [Pa] (replicated arrays)."""
        nodes = self.nodes
        nodes.scatter(pressure, self.p.x.array, self.p_map)
        self.p.x.scatter_forward()
        b = assemble_vector(self._L)
        apply_lifting(b, [self._a], bcs=[self._bcs])
        b.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)
        set_bc(b, self._bcs)
        self._ksp.solve(b, self.u.x.petsc_vec)
        b.destroy()
        self.u.x.scatter_forward()
        return nodes.gather(self.u.x.array[self.y_map.dofs], self.y_map)
