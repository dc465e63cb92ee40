"""CLI commands: gait (filled in by the work that owns it)."""
