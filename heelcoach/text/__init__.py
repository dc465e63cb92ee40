"""Text for people: a plan, a dose, an evidence grade, worded for a runner or a clinician.

Pure: it takes domain values and the catalogue and returns strings (no I/O). Above the domain and
the knowledge base, below services, web and CLI.
"""
