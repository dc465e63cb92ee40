"""Expand what a person hands us (files, folders, zip account exports, .gz files) into sources.

Archives are read lazily, one member at a time. Before anything is decompressed, an archive and
every archive inside it are checked against one byte budget and one entry budget shared by all
nesting levels: a declared total above the limit, too many entries or an absurd compression ratio
refuses the whole archive with a clear message (zip bombs, nested ones too). Every read is capped,
so a lying header cannot blow up memory either.
"""

from __future__ import annotations

import gzip
import io
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

from heelcoach.activities.model import ActivityFileError
from heelcoach.errors import InvalidInputError

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


class ArchiveRefusedError(InvalidInputError):
    """The whole archive is refused; ``problem`` says why in plain words."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


class _Budget:
    """One byte budget and one entry budget for an archive and every archive inside it.

    Bytes are counted from the sizes the archives declare (``zipfile`` never returns more than a
    member declares, so a lying header cannot go past them), before anything is decompressed.
    """

    def __init__(self, limits: ArchiveLimits) -> None:
        self.limits = limits
        self.members = 0
        self.declared = 0

    def declare(self, zf: zipfile.ZipFile) -> None:
        limits = self.limits
        infos = zf.infolist()
        self.members += len(infos)
        if self.members > limits.max_members:
            raise ArchiveRefusedError(
                f"the archive holds more entries than the limit of {limits.max_members} (counting "
                "the archives inside it); unpack only the activities folder and import that"
            )
        wanted = [i for i in infos if not i.is_dir() and _wanted(i.filename)]
        self.declared += sum(i.file_size for i in wanted)
        if self.declared > limits.max_total_bytes:
            raise ArchiveRefusedError(
                f"the archive would expand to more than the limit of {limits.max_total_bytes / 1e6:.0f} "
                "MB (counting the archives inside it); unpack only the activities folder and import that"
            )
        for info in wanted:
            if info.file_size > 1_000_000 and info.file_size > limits.max_ratio * max(info.compress_size, 1):
                raise ArchiveRefusedError(
                    f"'{info.filename}' would expand "
                    f"{info.file_size / max(info.compress_size, 1):.0f}-fold, which looks like a zip bomb"
                )


def _wanted(name: str) -> bool:
    return name.lower().endswith(".zip") or is_activity_name(name)


@dataclass(frozen=True, slots=True)
class _Node:
    """One opened archive of the tree: the outer one or one inside it (spooled)."""

    zf: zipfile.ZipFile
    display: str
    nested: bool


#: Inner archives up to this size are kept in memory, larger ones in a temporary file.
_SPOOL_IN_MEMORY = 8 * 1024 * 1024


def _spool(zf: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int, stack: ExitStack) -> IO[bytes]:
    """An inner archive copied out (in chunks, at most ``cap`` bytes) so that it can be opened."""
    spool: IO[bytes] = stack.enter_context(tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY))  # noqa: SIM115 - closed by the stack
    copied = 0
    with zf.open(info) as member:
        while chunk := member.read(1024 * 1024):
            copied += len(chunk)
            if copied > cap:
                raise ActivityFileError(f"expands to more than {cap / 1e6:.0f} MB; refused as too large")
            spool.write(chunk)
    spool.seek(0)
    return spool


def _open_tree(
    zf: zipfile.ZipFile, display: str, depth: int, budget: _Budget, stack: ExitStack
) -> list[_Node | Refusal]:
    """This archive and every archive inside it, opened and checked against the shared budget.

    All the archives of the tree are checked before any activity is read, so a bomb is refused
    before it does any work.
    """
    budget.declare(zf)
    out: list[_Node | Refusal] = [_Node(zf, display, depth > 1)]
    limits = budget.limits
    for info in sorted(zf.infolist(), key=lambda i: i.filename):
        if info.is_dir() or not info.filename.lower().endswith(".zip"):
            continue
        where = f"{display}!{info.filename}"
        if depth >= limits.max_depth:
            out.append(Refusal(where, "archives nested this deep are not opened"))
            continue
        try:
            inner = stack.enter_context(zipfile.ZipFile(_spool(zf, info, limits.max_member_bytes, stack)))
        except (zipfile.BadZipFile, ActivityFileError, OSError, EOFError, zlib.error) as exc:
            out.append(Refusal(where, f"the inner archive cannot be read ({exc})"))
            continue
        out.extend(_open_tree(inner, where, depth + 1, budget, stack))
    return out


def _members(node: _Node, path: str, limits: ArchiveLimits) -> Iterator[Source | Refusal]:
    """The activity files of one archive of the tree; members of inner archives are read now."""
    for info in sorted(node.zf.infolist(), key=lambda i: i.filename):
        name = info.filename
        if info.is_dir() or not is_activity_name(name):
            continue
        where = f"{node.display}!{name}"
        if not node.nested:
            yield Source(where, path, name)  # read when parsed, from the archive on disk
            continue
        try:
            data = read_capped(node.zf.open(info), limits.max_member_bytes, where)
        except (ActivityFileError, zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
            yield Refusal(where, f"cannot be read from the archive ({exc})")
            continue
        yield Source(where, path, name, data)


def _zip_sources(
    path: Path, limits: ArchiveLimits, on_found: Callable[[int], None] | None
) -> Iterator[Source | Refusal]:
    """The activity files of a zip on disk and of the zips inside it, read one at a time."""
    display = str(path)
    with ExitStack() as stack:
        try:
            outer = stack.enter_context(zipfile.ZipFile(path))
            tree = _open_tree(outer, display, 1, _Budget(limits), stack)
        except ArchiveRefusedError as exc:
            yield Refusal(display, f"{exc.problem}; nothing from it was imported")
            return
        except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
            yield Refusal(display, f"not a readable zip archive ({exc})")
            return
        if on_found is not None:
            on_found(
                sum(
                    sum(1 for i in n.zf.infolist() if not i.is_dir() and is_activity_name(i.filename))
                    if isinstance(n, _Node)
                    else 1
                    for n in tree
                )
            )
        for node in tree:
            if isinstance(node, Refusal):
                yield node
            else:
                yield from _members(node, display, limits)


def expand(
    paths: list[Path],
    limits: ArchiveLimits | None = None,
    on_found: Callable[[int], None] | None = None,
) -> Iterator[Source | Refusal]:
    """Every activity file under ``paths`` (files, folders, zips), in a stable order, lazily.

    Each zip (with the zips inside it) is checked against one byte budget and one entry budget
    before anything in it is read. ``on_found(n)`` is told how many files were found as they are
    found (for progress), before they are yielded.
    """
    limits = limits or ArchiveLimits()
    for path in paths:
        if not path.exists():
            if on_found is not None:
                on_found(1)
            yield Refusal(str(path), "no such file or folder")
            continue
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file())
            for p in files:
                if p.suffix.lower() == ".zip":
                    yield from expand([p], limits, on_found)
                elif is_activity_name(p.name):
                    if on_found is not None:
                        on_found(1)
                    yield Source(str(p), str(p))
            continue
        if path.suffix.lower() == ".zip":
            yield from _zip_sources(path, limits, on_found)
            continue
        if on_found is not None:
            on_found(1)
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
