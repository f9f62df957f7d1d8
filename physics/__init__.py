"""Constitutive laws, interface kinetics and the UFL forms of each field."""
