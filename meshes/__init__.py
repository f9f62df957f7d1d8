"""Parametric Gmsh geometry builders with named physical tags (see :mod:`ssbx.meshes.tags`)."""
