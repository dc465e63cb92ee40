"""Expand what a person hands us (files, folders, zip account exports, .gz files) into sources.

Archives are checked before anything is decompressed: a declared total above the limit, too many
members or an absurd compression ratio is refused with a clear message (zip bombs), and every read
is capped, so a lying header cannot blow up memory either.
"""

from __future__ import annotations

import gzip
import io
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

from heelcoach.activities.model import ActivityFileError

ACTIVITY_SUFFIXES = (".fit", ".gpx", ".tcx")


@dataclass(frozen=True, slots=True)
class ArchiveLimits:
    """Size limits for archives and compressed files."""

    max_total_bytes: int = 2048 * 1024 * 1024
    max_member_bytes: int = 200 * 1024 * 1024
    max_members: int = 100_000
    max_ratio: float = 200.0
    max_depth: int = 2


@dataclass(frozen=True, slots=True)
class Source:
    """One candidate activity file: on disk, inside a zip on disk, or in memory (a nested zip)."""

    display: str
    path: str
    member: str | None = None
    data: bytes | None = None

    @property
    def name(self) -> str:
        """The file name used to guess the format (without .gz)."""
        base = PurePosixPath(self.member or self.path).name.lower()
        return base[:-3] if base.endswith(".gz") else base

    @property
    def gzipped(self) -> bool:
        """True for .gz files (decompressed on read)."""
        return (self.member or self.path).lower().endswith(".gz")


@dataclass(frozen=True, slots=True)
class Refusal:
    """Something given that will not be read at all, with the reason."""

    display: str
    problem: str


def is_activity_name(name: str) -> bool:
    """True for .fit, .gpx, .tcx names, optionally .gz-compressed."""
    lower = name.lower()
    if lower.endswith(".gz"):
        lower = lower[:-3]
    return lower.endswith(ACTIVITY_SUFFIXES)


def _check_zip(zf: zipfile.ZipFile, display: str, limits: ArchiveLimits) -> str | None:
    infos = zf.infolist()
    if len(infos) > limits.max_members:
        return f"the archive has {len(infos)} entries, more than the limit of {limits.max_members}"
    total = sum(i.file_size for i in infos)
    if total > limits.max_total_bytes:
        return (
            f"the archive would expand to {total / 1e6:.0f} MB, above the limit of "
            f"{limits.max_total_bytes / 1e6:.0f} MB; unpack only the activities folder and import that"
        )
    for info in infos:
        if info.file_size > 1_000_000 and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            return (
                f"'{info.filename}' would expand {info.file_size / max(info.compress_size, 1):.0f}-fold, "
                "which looks like a zip bomb; the archive was refused"
            )
    return None


def _zip_sources(
    zf: zipfile.ZipFile, display: str, path: str, limits: ArchiveLimits, depth: int, nested: bool
) -> Iterator[Source | Refusal]:
    problem = _check_zip(zf, display, limits)
    if problem:
        yield Refusal(display, problem)
        return
    for info in sorted(zf.infolist(), key=lambda i: i.filename):
        if info.is_dir():
            continue
        name = info.filename
        if name.lower().endswith(".zip"):
            if depth >= limits.max_depth:
                yield Refusal(f"{display}!{name}", "archives nested this deep are not opened")
                continue
            try:
                inner = read_capped(zf.open(info), limits.max_member_bytes, f"{display}!{name}")
                with zipfile.ZipFile(io.BytesIO(inner)) as inner_zf:
                    yield from _zip_sources(inner_zf, f"{display}!{name}", path, limits, depth + 1, True)
            except (zipfile.BadZipFile, ActivityFileError, OSError, EOFError, zlib.error) as exc:
                yield Refusal(f"{display}!{name}", f"the inner archive cannot be read ({exc})")
            continue
        if not is_activity_name(name):
            continue
        if nested:
            try:
                data = read_capped(zf.open(info), limits.max_member_bytes, f"{display}!{name}")
            except (ActivityFileError, zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
                yield Refusal(f"{display}!{name}", f"cannot be read from the archive ({exc})")
                continue
            yield Source(f"{display}!{name}", path, name, data)
        else:
            yield Source(f"{display}!{name}", path, name)


def expand(paths: list[Path], limits: ArchiveLimits | None = None) -> Iterator[Source | Refusal]:
    """Every activity file under ``paths`` (files, folders, zips), in a stable order."""
    limits = limits or ArchiveLimits()
    for path in paths:
        if not path.exists():
            yield Refusal(str(path), "no such file or folder")
            continue
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file())
            for p in files:
                if p.suffix.lower() == ".zip":
                    yield from expand([p], limits)
                elif is_activity_name(p.name):
                    yield Source(str(p), str(p))
            continue
        if path.suffix.lower() == ".zip":
            try:
                with zipfile.ZipFile(path) as zf:
                    yield from _zip_sources(zf, str(path), str(path), limits, 1, False)
            except (zipfile.BadZipFile, OSError) as exc:
                yield Refusal(str(path), f"not a readable zip archive ({exc})")
            continue
        yield Source(str(path), str(path))


def read_capped(stream: IO[bytes] | gzip.GzipFile, cap: int, display: str) -> bytes:
    """Read at most ``cap`` bytes; more than that is refused (the header lied, or it is a bomb)."""
    with stream:
        data = stream.read(cap + 1)
    if data is None:
        data = b""
    if len(data) > cap:
        raise ActivityFileError(f"expands to more than {cap / 1e6:.0f} MB; refused as too large")
    return bytes(data)


def read_source(src: Source, limits: ArchiveLimits | None = None) -> bytes:
    """The decompressed bytes of one source; ActivityFileError with a plain problem otherwise."""
    limits = limits or ArchiveLimits()
    try:
        if src.data is not None:
            raw = src.data
        elif src.member is not None:
            with zipfile.ZipFile(src.path) as zf:
                raw = read_capped(zf.open(src.member), limits.max_member_bytes, src.display)
        else:
            with open(src.path, "rb") as fh:
                raw = read_capped(fh, limits.max_member_bytes, src.display)
        if src.gzipped or raw[:2] == b"\x1f\x8b":
            raw = read_capped(gzip.GzipFile(fileobj=io.BytesIO(raw)), limits.max_member_bytes, src.display)
    except (OSError, EOFError, zipfile.BadZipFile, zlib.error, KeyError) as exc:
        raise ActivityFileError(f"cannot be read ({exc})") from exc
    return raw
