"""Benchmark the watch-file import: decoders compared on the real FIT files, then whole imports.

Usage::

    .venv/bin/python benchmarks/import_bench.py            # full run: 1,000-activity export
    .venv/bin/python benchmarks/import_bench.py --n 200    # smaller export

Measured in one run, so that the ratios hold on a noisy machine:

1. Decoding every real FIT activity file in ../shared/data with plain fitdecode (all messages),
   garmin-fit-sdk (all messages) and heelcoach's fast decoder (the messages it uses, plus building
   the activity summaries). Reported as seconds and as ratios.
2. ``import_paths`` of the real activities folder into a fresh SQLite database (activities/s).
3. A 1,000-activity account export built in a temporary folder from the real files (FIT as .fit.gz,
   GPX, TCX.gz), each copy shifted by whole days so that none is a duplicate of another, imported
   with 1 and with N worker processes. Goal: under 2 minutes on 2 cores.

Results are printed as a table and written to benchmarks/results/import_bench-<time>.json.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import os
import platform
import re
import struct
import sys
import tempfile
import time
import warnings
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from heelcoach.activities import fit as hc_fit  # noqa: E402
from heelcoach.activities.importer import parse_bytes  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "activities"
RESULTS = ROOT / "benchmarks" / "results"

#: Real files used to build the export: (path, format, share of the export).
EXPORT_MIX: list[tuple[str, float]] = [
    ("fit/2067489619.fit", 0.16),
    ("fit/6782987395.fit", 0.14),
    ("fit/6860622783.fit", 0.12),
    ("fit/activity-small-fenix2-run.fit", 0.12),
    ("fit/2013-02-06-12-11-14.fit", 0.10),
    ("fit/developer-types-sample.fit", 0.08),
    ("fit/garmin-fenix-5-walk.fit", 0.04),
    ("fit/garmin-fenix-5-bike.fit", 0.04),
    ("gpx/2067489619.gpx", 0.06),
    ("gpx/6037744996.gpx", 0.04),
    ("tcx/6860622783.tcx", 0.05),
    ("tcx/cross-country-skiing_activity_1.tcx", 0.05),
]

DAY_S = 86400  # a multiple of 32, so compressed timestamps stay consistent after a shift


def fit_activity_files() -> list[Path]:
    """Every real FIT file in ../shared/data that holds an activity."""
    files = []
    for path in sorted(DATA.rglob("*.fit")):
        parsed = parse_bytes(path.read_bytes(), path.name, path.name)
        if parsed.status == "ok":
            files.append(path)
    return files


def timed(fn: Callable[[], Any]) -> float:
    """Seconds taken by ``fn()``."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def decode_fitdecode(data: bytes) -> int:
    """Plain fitdecode: iterate every frame of the file."""
    import fitdecode

    n = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            with fitdecode.FitReader(io.BytesIO(data), check_crc=fitdecode.CrcCheck.WARN) as reader:
                for _frame in reader:
                    n += 1
        except fitdecode.FitError:
            pass
    return n


def decode_garmin_sdk(data: bytes) -> bool:
    """garmin-fit-sdk: decode every message; False when it reports errors."""
    from garmin_fit_sdk import Decoder, Stream

    _messages, errors = Decoder(Stream.from_byte_array(bytearray(data))).read()
    return not errors


# --- building the export ---------------------------------------------------------------------------


def shift_fit(data: bytes, offset_s: int) -> bytes:
    """A copy of a (single- or multi-part) FIT file with every absolute time moved by ``offset_s``."""
    out = bytearray(data)
    pos = 0
    while pos + 12 <= len(out):
        header_size = out[pos]
        (data_size,) = struct.unpack_from("<I", out, pos + 4)
        start, end = pos + header_size, pos + header_size + data_size
        defs: dict[int, tuple[list[tuple[int, int]], int, str]] = {}
        p = start
        while p < end:
            header = out[p]
            p += 1
            if header & 0x80:
                local = (header >> 5) & 0x03
            elif header & 0x40:
                local = header & 0x0F
                little = out[p + 1] == 0
                (gnum,) = struct.unpack_from("<H" if little else ">H", out, p + 2)
                nf = out[p + 4]
                p += 5
                fields = []
                offset = 0
                for i in range(nf):
                    num, size, _base = out[p + 3 * i], out[p + 3 * i + 1], out[p + 3 * i + 2]
                    is_time = (
                        num == 253
                        or (gnum in (18, 19) and num == 2)
                        or (gnum == 0 and num == 4)
                        or (gnum == 34 and num == 5)
                    )
                    if is_time and size == 4:
                        fields.append((offset, size))
                    offset += size
                p += 3 * nf
                if header & 0x20:
                    nd = out[p]
                    offset += sum(out[p + 1 + 3 * i + 1] for i in range(nd))
                    p += 1 + 3 * nd
                defs[local] = (fields, offset, "<" if little else ">")
                continue
            else:
                local = header & 0x0F
            fields, size, endian = defs[local]
            for off, _ in fields:
                (value,) = struct.unpack_from(endian + "I", out, p + off)
                if 0x10000000 <= value < 0xFFFFFFFF:
                    struct.pack_into(endian + "I", out, p + off, value + offset_s)
            p += size
        struct.pack_into("<H", out, end, hc_fit.fit_crc(bytes(out[pos:end])))
        pos = end + 2
    return bytes(out)


_ISO = re.compile(rb"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})?")


def shift_xml(data: bytes, offset_s: int) -> bytes:
    """A copy of a GPX/TCX file with every ISO timestamp moved by ``offset_s``."""

    def move(m: re.Match[bytes]) -> bytes:
        moved = datetime.fromisoformat(m.group(1).decode()) + timedelta(seconds=offset_s)
        return moved.strftime("%Y-%m-%dT%H:%M:%S").encode() + (m.group(2) or b"") + (m.group(3) or b"")

    return _ISO.sub(move, data)


def build_export(folder: Path, n: int) -> tuple[Path, int]:
    """A Strava-like zip of ``n`` distinct activities; returns (path, bytes uncompressed)."""
    plan: list[str] = []
    for rel, share in EXPORT_MIX:
        plan.extend([rel] * round(share * n))
    plan = (plan * 2)[:n]
    originals = {rel: (DATA / rel).read_bytes() for rel, _ in EXPORT_MIX}
    path = folder / "export.zip"
    total = 0
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("activities.csv", "Activity ID,Activity Date\n")
        for i, rel in enumerate(plan):
            # Spread copies one day apart, starting well after the newest original.
            anchor = datetime(2030, 1, 1, tzinfo=UTC)
            offset = int((anchor - datetime(2010, 1, 1, tzinfo=UTC)).total_seconds()) // DAY_S * DAY_S
            offset += i * DAY_S
            data = originals[rel]
            if rel.endswith(".fit"):
                body = shift_fit(data, offset)
                zf.writestr(f"activities/{i}.fit.gz", gzip.compress(body, compresslevel=6))
            elif rel.endswith(".tcx"):
                body = shift_xml(data, offset)
                zf.writestr(f"activities/{i}.tcx.gz", gzip.compress(body, compresslevel=6))
            else:
                body = shift_xml(data, offset)
                zf.writestr(f"activities/{i}.gpx", body)
            total += len(body)
    return path, total


def import_into_fresh_db(folder: Path, paths: list[Path], workers: int) -> tuple[float, Any]:
    """Seconds to import ``paths`` into a fresh SQLite database, and the summary."""
    from heelcoach.config import Settings
    from heelcoach.knowledge import load_catalogue
    from heelcoach.services import imports
    from heelcoach.services.context import AppContext
    from heelcoach.store import all_tables  # noqa: F401 - registers every table
    from heelcoach.store.base import Base, make_engine, make_session_factory, transaction
    from heelcoach.store.repositories import People

    db = folder / f"bench-{workers}-{time.time_ns()}.db"
    url = f"sqlite:///{db}"
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    ctx = AppContext(
        Settings(data_dir=folder, database_url=url), engine, make_session_factory(engine), load_catalogue()
    )
    with transaction(ctx.sessions) as s:
        person = People(s).add("bench", datetime.now(UTC)).id
    start = time.perf_counter()
    summary = imports.import_paths(ctx, person, paths, workers=workers)
    seconds = time.perf_counter() - start
    ctx.close()
    return seconds, summary


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print a table."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=1000, help="activities in the built export (default 1000)")
    parser.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)), help="worker processes")
    parser.add_argument("--skip-single", action="store_true", help="skip the 1-worker export import")
    args = parser.parse_args(argv)
    rows: list[tuple[str, str, str]] = []
    result: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "affinity": len(os.sched_getaffinity(0)),
        "load_average": os.getloadavg(),
    }

    # 1. Decoders on the same real FIT files.
    files = fit_activity_files()
    blobs = [p.read_bytes() for p in files]
    per_file_fitdecode: dict[str, float] = {}
    for path, blob in zip(files, blobs, strict=True):
        per_file_fitdecode[path.relative_to(DATA).as_posix()] = timed(
            lambda blob=blob: decode_fitdecode(blob)
        )
    t_fitdecode = sum(per_file_fitdecode.values())
    sdk_ok: list[bool] = []
    t_sdk = timed(lambda: sdk_ok.extend(decode_garmin_sdk(b) for b in blobs))
    t_ours = timed(lambda: [parse_bytes(b, "x", "x.fit") for b in blobs])
    t_ours_decode = timed(lambda: [hc_fit.decode_fit(b) for b in blobs])
    mb = sum(len(b) for b in blobs) / 1e6
    result["decoders"] = {
        "files": len(files),
        "megabytes": round(mb, 3),
        "fitdecode_s": t_fitdecode,
        "garmin_sdk_s": t_sdk,
        "garmin_sdk_files_with_errors": sdk_ok.count(False),
        "heelcoach_parse_s": t_ours,
        "heelcoach_decode_only_s": t_ours_decode,
    }
    rows += [
        ("decode real FIT files", f"{len(files)} files, {mb:.1f} MB", ""),
        ("  fitdecode (all messages)", f"{t_fitdecode:.2f} s", "1.00x"),
        (
            "  garmin-fit-sdk (all messages)",
            f"{t_sdk:.2f} s",
            f"{t_fitdecode / t_sdk:.2f}x faster; {sdk_ok.count(False)} file(s) with errors",
        ),
        (
            "  heelcoach decode (used messages)",
            f"{t_ours_decode:.2f} s",
            f"{t_fitdecode / t_ours_decode:.1f}x faster",
        ),
        ("  heelcoach parse (decode + summaries)", f"{t_ours:.2f} s", f"{t_fitdecode / t_ours:.1f}x faster"),
    ]

    with tempfile.TemporaryDirectory(prefix="hc-import-bench-") as tmp:
        folder = Path(tmp)
        # 2. The real activities folder.
        seconds, summary = import_into_fresh_db(folder, [DATA], args.workers)
        result["real_folder"] = {
            "files": summary.files,
            "activities_new": summary.activities_new,
            "seconds": seconds,
            "activities_per_s": summary.activities_new / seconds,
            "files_per_s": summary.files / seconds,
        }
        rows.append(
            (
                "import ../shared/data/activities",
                f"{seconds:.2f} s",
                (
                    f"{summary.files} files, {summary.activities_new} activities, "
                    f"{summary.activities_new / seconds:.1f} activities/s ({args.workers} workers)"
                ),
            )
        )

        # 3. The built account export.
        t0 = time.perf_counter()
        export, raw_bytes = build_export(folder, args.n)
        build_s = time.perf_counter() - t0
        runs: dict[str, Any] = {}
        worker_counts = [args.workers] if args.skip_single or args.workers == 1 else [1, args.workers]
        for workers in worker_counts:
            seconds, summary = import_into_fresh_db(folder, [export], workers)
            runs[str(workers)] = {
                "seconds": seconds,
                "activities_new": summary.activities_new,
                "errors": summary.errors,
                "activities_per_s": summary.activities_new / seconds,
            }
            rows.append(
                (
                    f"import {args.n}-activity export, {workers} worker(s)",
                    f"{seconds:.1f} s",
                    (
                        f"{summary.activities_new} stored, {summary.activities_new / seconds:.1f} "
                        f"activities/s, goal < 120 s: {'met' if seconds < 120 else 'NOT met'}"
                    ),
                )
            )
        # fitdecode alone over the export's FIT members, from the per-file cost measured above.
        fit_share = {rel: share for rel, share in EXPORT_MIX if rel.endswith(".fit")}
        fitdecode_export_s = sum(per_file_fitdecode[rel] * share * args.n for rel, share in fit_share.items())
        rows.append(
            (
                f"  fitdecode alone, the export's {round(sum(fit_share.values()) * args.n)} FIT files",
                f"{fitdecode_export_s:.1f} s",
                "decode only, one core (from the per-file times above)",
            )
        )
        result["export_fitdecode_estimate_s"] = fitdecode_export_s
        result["export"] = {
            "activities": args.n,
            "uncompressed_mb": raw_bytes / 1e6,
            "build_s": build_s,
            "runs": runs,
            "mix": EXPORT_MIX,
            "fitdecode_per_file_s": per_file_fitdecode,
        }

    width = max(len(r[0]) for r in rows) + 2
    load = result["load_average"][0]
    print(f"heelcoach import benchmark ({result['affinity']} CPUs, load average {load:.1f})")
    for name, value, note in rows:
        print(f"{name:<{width}}{value:>12}  {note}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"import_bench-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S')}.json"
    out.write_text(json.dumps(result, indent=2, default=str))
    print(f"results: {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
