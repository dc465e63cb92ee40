"""Checks for uploaded files: size from the settings, type by extension and by the first bytes."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from pathlib import Path

from starlette.datastructures import UploadFile

from heelcoach.errors import InvalidInputError

#: Extension -> what it is, for messages.
VIDEO_TYPES = {".mp4": "MP4 video", ".mov": "QuickTime video", ".m4v": "MP4 video", ".webm": "WebM video"}
ACTIVITY_TYPES = {".fit": "FIT file", ".gpx": "GPX file", ".tcx": "TCX file", ".zip": "ZIP archive"}

_CHUNK = 1024 * 1024


class UploadRejectedError(InvalidInputError):
    """The upload is refused; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class SavedUpload:
    """An accepted upload written to disk."""

    path: Path
    original_name: str
    size_bytes: int


def _magic_ok(ext: str, head: bytes) -> bool:
    """Whether the first bytes look like the type the extension promises."""
    if ext in (".mp4", ".mov", ".m4v"):
        return len(head) >= 12 and head[4:8] in (b"ftyp", b"moov", b"mdat", b"wide", b"free", b"skip")
    if ext == ".webm":
        return head.startswith(b"\x1a\x45\xdf\xa3")
    if ext == ".fit":
        return len(head) >= 12 and head[8:12] == b".FIT"
    if ext == ".zip":
        return head.startswith(b"PK\x03\x04")
    if ext in (".gpx", ".tcx"):
        text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
        return text.startswith(b"<")
    return False


def safe_name(name: str) -> str:
    """A file name with only safe characters (keeps the extension)."""
    base = Path(name).name or "upload"
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", base).strip("._") or "upload"
    return cleaned[:100]


async def save_upload(upload: UploadFile, allowed: dict[str, str], max_mb: int, out_dir: Path) -> SavedUpload:
    """Check and store one upload; raise :class:`UploadRejectedError` with a clear message."""
    name = upload.filename or ""
    if not name:
        raise UploadRejectedError("No file was chosen. Pick a file and try again.")
    ext = Path(name).suffix.lower()
    if ext not in allowed:
        kinds = ", ".join(sorted(allowed))
        raise UploadRejectedError(f"'{name}' is not a file type heelcoach reads here. Use one of: {kinds}.")
    head = await upload.read(64)
    if not head:
        raise UploadRejectedError(f"'{name}' is empty. Check the file and try again.")
    if not _magic_ok(ext, head):
        raise UploadRejectedError(
            f"'{name}' does not look like a {allowed[ext]} inside, although its name ends in {ext}. "
            "Export it again from your watch or phone and upload the new file."
        )
    limit = max_mb * 1024 * 1024
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{uuid.uuid4().hex[:12]}-{safe_name(name)}"
    size = len(head)
    try:
        with open(target, "wb") as fh:
            fh.write(head)
            while chunk := await upload.read(_CHUNK):
                size += len(chunk)
                if size > limit:
                    raise UploadRejectedError(
                        f"'{name}' is larger than the {max_mb} MB limit. "
                        "Trim the video to a few seconds of steady running, or ask whoever runs "
                        "heelcoach to raise HEELCOACH_MAX_UPLOAD_MB."
                    )
                fh.write(chunk)
    except UploadRejectedError:
        target.unlink(missing_ok=True)
        raise
    return SavedUpload(target, name, size)
