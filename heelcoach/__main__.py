"""``python -m heelcoach``: the same as the ``heelcoach`` command."""

from heelcoach.cli.main import run

run()
