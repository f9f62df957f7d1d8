"""Stripping and plating with an evolving contact: ``state`` (settings, loads, interface
state), ``problem`` (the coupled current / Li creep / contact problem), ``deflection`` (the
elastic electrolyte), ``vacancy_coupling`` (vacancy transport and nucleation) and ``stepping``
(adaptive time steps of a protocol step)."""
