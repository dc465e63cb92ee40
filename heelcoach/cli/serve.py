"""CLI commands: serve (filled in by the work that owns it)."""
