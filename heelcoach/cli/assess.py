"""CLI commands: assess (filled in by the work that owns it)."""
