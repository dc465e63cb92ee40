"""Sample intake answers for the demo and the tests (read with importlib.resources)."""
