"""The stages of a week, in the order the week carries them out.

Each module holds one stage: its plan (a ``NamedTuple`` of the rates, capacities and per-group
chances it uses, built from the parameter tree by the module's ``plan`` function once per
parameter span, regime and year) and its compiled loop, which the week calls with the stocks.

``background`` emigration, grants of status and arrivals · ``custody`` arrests in jails
(``jail``), prisons (``prison``) and by 287(g) task forces (``partners``) · ``leads`` checkpoints and traffic stops, database leads, worksites and
check-ins · ``at_large`` at-large operations down the priority tiers and their collateral
arrests · ``processing`` the path after arrest · ``detention`` beds · ``court`` judges' hours
and decisions · ``review`` prosecutorial-discretion review of pending cases · ``removal`` travel
documents, flights and Zadvydas releases.
"""
