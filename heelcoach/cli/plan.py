"""CLI commands: plan (filled in by the work that owns it)."""
