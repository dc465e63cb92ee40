"""The terminal interface (Typer): thin commands that parse, call one service, and render."""
