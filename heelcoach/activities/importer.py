"""Parse a batch of sources into per-file results, optionally in worker processes.

Every file gets exactly one :class:`ParsedFile` (activities plus warnings, or a problem), in the
order of the sources, whatever the number of workers: the result is deterministic. Storing, and
deduplicating against what is already stored, is the services layer's job.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import struct
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Literal

from heelcoach.activities.archive import ArchiveLimits, Source, read_source
from heelcoach.activities.fit import parse_fit
from heelcoach.activities.gpx import parse_gpx
from heelcoach.activities.model import (
    Activity,
    ActivityFileError,
    NotAnActivityError,
    ParseResult,
    same_activity,
)
from heelcoach.activities.tcx import parse_tcx

Status = Literal["ok", "not_activity", "error"]

#: Below this many files, worker processes cost more than they save.
MIN_FILES_FOR_WORKERS = 8


@dataclass(frozen=True, slots=True)
class ParsedFile:
    """The outcome of reading one file."""

    display: str
    status: Status
    sha256: str = ""
    activities: tuple[Activity, ...] = ()
    warnings: tuple[str, ...] = ()
    problem: str = ""


def sniff_format(name: str, data: bytes) -> str | None:
    """'fit', 'gpx' or 'tcx' from the content (the name only breaks ties)."""
    if len(data) >= 12 and data[8:12] == b".FIT":
        return "fit"
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<", b"<?xml")):
        if b"<trainingcenterdatabase" in head:
            return "tcx"
        if b"<gpx" in head:
            return "gpx"
    for ext in ("fit", "gpx", "tcx"):
        if name.endswith("." + ext):
            return ext
    return None


def parse_bytes(data: bytes, display: str, name: str = "", *, with_records: bool = False) -> ParsedFile:
    """Parse one file's bytes; never raises for bad input."""
    sha = hashlib.sha256(data).hexdigest()
    if not data:
        return ParsedFile(display, "error", sha, problem="the file is empty (0 bytes); nothing to import")
    fmt = sniff_format(name or display.lower(), data)
    try:
        if fmt == "fit":
            result: ParseResult = parse_fit(
                data, source_path=display, source_sha256=sha, with_records=with_records
            )
        elif fmt == "gpx":
            result = parse_gpx(data, source_path=display, source_sha256=sha, with_records=with_records)
        elif fmt == "tcx":
            result = parse_tcx(data, source_path=display, source_sha256=sha, with_records=with_records)
        else:
            return ParsedFile(
                display,
                "error",
                sha,
                problem="not a FIT, GPX or TCX file; export the activity in one of those",
            )
    except NotAnActivityError as exc:
        return ParsedFile(display, "not_activity", sha, problem=exc.problem)
    except ActivityFileError as exc:
        return ParsedFile(display, "error", sha, problem=exc.problem)
    except (
        struct.error,
        ValueError,
        TypeError,
        KeyError,
        IndexError,
        OverflowError,
        AttributeError,
        ArithmeticError,
        UnicodeError,
        RecursionError,
        MemoryError,
        AssertionError,
    ) as exc:  # a parser bug must not stop the batch
        return ParsedFile(display, "error", sha, problem=f"could not be read ({type(exc).__name__}: {exc})")
    acts = _dedupe_within(result.activities)
    return ParsedFile(display, "ok", sha, acts, result.warnings)


def _dedupe_within(acts: tuple[Activity, ...]) -> tuple[Activity, ...]:
    kept: list[Activity] = []
    for act in acts:
        if not any(same_activity(act, k) and act.sport == k.sport for k in kept):
            kept.append(act)
    return tuple(kept)


def parse_source(src: Source, limits: ArchiveLimits | None = None, with_records: bool = False) -> ParsedFile:
    """Read and parse one source; never raises for bad input."""
    try:
        data = read_source(src, limits)
    except ActivityFileError as exc:
        return ParsedFile(src.display, "error", problem=exc.problem)
    return parse_bytes(data, src.display, src.name, with_records=with_records)


_LIMITS: ArchiveLimits | None = None


def _worker_parse(src: Source) -> ParsedFile:
    return parse_source(src, _LIMITS)


def _init_worker(limits: ArchiveLimits | None) -> None:
    global _LIMITS
    _LIMITS = limits


def default_workers() -> int:
    """Worker processes to use: the CPUs this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def parse_sources(
    sources: Iterable[Source],
    *,
    workers: int = 1,
    limits: ArchiveLimits | None = None,
    on_done: Callable[[ParsedFile], None] | None = None,
) -> Iterator[ParsedFile]:
    """Parse every source, in order. ``workers`` > 1 uses forked processes for large batches."""
    items = list(sources)
    if (
        workers <= 1
        or len(items) < MIN_FILES_FOR_WORKERS
        or "fork" not in multiprocessing.get_all_start_methods()
    ):
        for src in items:
            parsed = parse_source(src, limits)
            if on_done:
                on_done(parsed)
            yield parsed
        return
    ctx = multiprocessing.get_context("fork")
    chunk = max(1, min(16, len(items) // (workers * 8)))
    with ctx.Pool(workers, initializer=_init_worker, initargs=(limits,)) as pool:
        for parsed in pool.imap(_worker_parse, items, chunksize=chunk):
            if on_done:
                on_done(parsed)
            yield parsed
