"""Tables for gait reports (owned by the gait work)."""
