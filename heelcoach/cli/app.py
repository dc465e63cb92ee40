"""The Typer application that every command module registers on."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="heelcoach",
    help=(
        "heelcoach gets runners rid of plantar heel pain for good: an honest triage, an assessment "
        "of what overloads your heel, a phased plan that explains itself, and daily follow-up.\n\n"
        "heelcoach is not a diagnosis. See a clinician if you cannot bear weight, had an injury, "
        "have numbness, swelling, fever or night pain."
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
