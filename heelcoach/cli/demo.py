"""CLI commands: demo (filled in by the work that owns it)."""
