"""The population the system acts on: attribute vocabulary and (later) the strata table."""
