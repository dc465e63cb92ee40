"""A PDF's text as a reader sees it, read back with Debian's pdftotext (poppler-utils)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path


def pdf_text(data: bytes, tmp_path: Path, *, layout: bool = True) -> str:
    """The PDF's words, whitespace collapsed (``layout``: columns in reading order, pdftotext -layout)."""
    tool = shutil.which("pdftotext")
    if tool is None:
        raise RuntimeError("pdftotext (Debian poppler-utils) is needed: scripts/setup.sh --test installs it")
    path = tmp_path / "read-back.pdf"
    path.write_bytes(data)
    command = [tool, *(["-layout"] if layout else []), str(path), "-"]
    out = subprocess.run(command, check=True, capture_output=True, text=True)
    return " ".join(out.stdout.split())
