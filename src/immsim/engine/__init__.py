"""The weekly engine: the population's strata as groups, each week's plan derived from the
parameter tree and the regime, the week carried out by compiled stage loops, and the run's
results as tables (see ``docs/design.md``)."""
