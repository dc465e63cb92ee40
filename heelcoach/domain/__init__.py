"""Pure rules: triage, screen, drivers, plan, progression, outcomes, recurrence, load. No I/O."""
