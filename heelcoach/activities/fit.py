"""FIT activity files -> activities: a fast decoder of only the messages heelcoach uses.

The decoder reads file_id, session, record, event, activity and sport messages and skips every
other message by its size, which makes it several times faster than decoding the whole file with
fitdecode. It handles chained files, compressed timestamps, compressed speed/distance, developer
fields and big-endian definitions. ``decode_with_fitdecode`` reads the same subset with fitdecode;
tests cross-check the two on every real file, and the importer falls back to fitdecode when the fast
decoder meets something it does not understand. Moving time follows the rule in ``model.py``.
"""

from __future__ import annotations

import struct
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from heelcoach.activities.model import (
    FOOT_SPORTS,
    Activity,
    ActivityFileError,
    NotAnActivityError,
    ParseResult,
    Record,
    Sport,
    ascent_from_altitudes,
    moving_time_s,
    offset_zone,
    summarise_records,
)

FIT_EPOCH = datetime(1989, 12, 31, tzinfo=UTC)
#: FIT timestamps below this are seconds since the device started, not since the FIT epoch.
MIN_ABSOLUTE_TS = 0x10000000
SEMICIRCLE_DEG = 180.0 / 2**31

FILE_ID, SPORT_MSG, SESSION, RECORD, EVENT, ACTIVITY = 0, 12, 18, 20, 21, 34

#: global message -> {field number: name} of the fields we decode; all else is skipped.
WANTED: dict[int, dict[int, str]] = {
    FILE_ID: {0: "type", 4: "time_created"},
    SPORT_MSG: {0: "sport", 1: "sub_sport"},
    SESSION: {
        253: "timestamp",
        2: "start_time",
        5: "sport",
        6: "sub_sport",
        7: "total_elapsed_time",
        8: "total_timer_time",
        9: "total_distance",
        16: "avg_heart_rate",
        17: "max_heart_rate",
        18: "avg_cadence",
        19: "max_cadence",
        22: "total_ascent",
        92: "avg_fractional_cadence",
        93: "max_fractional_cadence",
    },
    RECORD: {
        253: "timestamp",
        0: "position_lat",
        1: "position_long",
        2: "altitude",
        3: "heart_rate",
        4: "cadence",
        5: "distance",
        6: "speed",
        8: "compressed_speed_distance",
        53: "fractional_cadence",
        73: "enhanced_speed",
        78: "enhanced_altitude",
    },
    EVENT: {253: "timestamp", 0: "event", 1: "event_type"},
    ACTIVITY: {253: "timestamp", 5: "local_timestamp"},
}

#: base type (low 5 bits) -> (struct code, size, invalid value)
BASE_TYPES: dict[int, tuple[str, int, Any]] = {
    0x00: ("B", 1, 0xFF),  # enum
    0x01: ("b", 1, 0x7F),
    0x02: ("B", 1, 0xFF),
    0x03: ("h", 2, 0x7FFF),
    0x04: ("H", 2, 0xFFFF),
    0x05: ("i", 4, 0x7FFFFFFF),
    0x06: ("I", 4, 0xFFFFFFFF),
    0x08: ("f", 4, None),  # NaN
    0x09: ("d", 8, None),
    0x0A: ("B", 1, 0),  # uint8z
    0x0B: ("H", 2, 0),
    0x0C: ("I", 4, 0),
    0x0E: ("q", 8, 0x7FFFFFFFFFFFFFFF),
    0x0F: ("Q", 8, 0xFFFFFFFFFFFFFFFF),
    0x10: ("Q", 8, 0),
}

SPORTS_FIT = {
    0: "generic",
    1: "running",
    2: "cycling",
    3: "transition",
    4: "fitness_equipment",
    5: "swimming",
    11: "walking",
    12: "cross_country_skiing",
    13: "alpine_skiing",
    17: "hiking",
}
SUB_SPORTS_FIT = {1: "treadmill", 2: "street", 3: "trail", 4: "track", 6: "indoor_cycling"}
FILE_TYPES = {
    1: "device",
    2: "settings",
    3: "sport settings",
    4: "activity",
    5: "workout",
    6: "course",
    7: "schedules",
    9: "weight",
    10: "totals",
    11: "goals",
    14: "blood pressure",
    15: "monitoring",
    20: "activity summary",
    28: "daily monitoring",
    32: "monitoring",
    34: "segment",
    35: "segment list",
}


def _crc_table() -> list[int]:
    table = []
    for i in range(256):
        crc = i
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
        table.append(crc)
    return table


_CRC = _crc_table()
# CRC-16 with initial value 0 is linear over GF(2), so it can be computed as a tree: the CRC of two
# equal-length blocks A+B is M^L(crc(A)) xor crc(B), where M^L (the register advanced over L zero
# bytes) is a 16x16 bit-matrix applied here as two 256-entry lookups. numpy does each tree level in
# one vector step: about 30x faster than a byte loop on a one-hour run. Leading zero words do not
# change a CRC that starts at 0, which pads the words to a power of two.
_WORD_TABLE: list[Any] = []  # [numpy table of 65,536 two-byte steps]
_LEVELS: list[tuple[Any, Any]] = []  # level k: (low-byte, high-byte) tables of M^(2^k words)


def _crc_table16() -> list[int]:
    """The register after two byte steps, for every 16-bit value (register xor little-endian word)."""
    table = _CRC
    out = []
    for value in range(65536):
        crc = (value >> 8) ^ table[value & 0xFF]
        out.append((crc >> 8) ^ table[crc & 0xFF])
    return out


def _byte_tables(images: list[int]) -> tuple[Any, Any]:
    import numpy as np

    values = np.arange(256, dtype=np.uint32)
    lo = np.zeros(256, dtype=np.uint16)
    hi = np.zeros(256, dtype=np.uint16)
    for bit in range(8):
        mask = ((values >> bit) & 1).astype(bool)
        lo[mask] ^= np.uint16(images[bit])
        hi[mask] ^= np.uint16(images[bit + 8])
    return lo, hi


def _level(k: int) -> tuple[Any, Any]:
    """Tables of the map that advances the register over 2^k zero words."""
    while len(_LEVELS) <= k:
        if not _LEVELS:
            images = [int(_WORD_TABLE[0][1 << i]) for i in range(16)]
        else:
            # The previous level's map on the basis, applied twice: M^(2^k) = M^(2^(k-1)) squared.
            lo, hi = _LEVELS[-1]
            prev = [int(lo[(1 << i) & 0xFF] ^ hi[(1 << i) >> 8]) for i in range(16)]
            images = [int(lo[v & 0xFF] ^ hi[v >> 8]) for v in prev]
        _LEVELS.append(_byte_tables(images))
    return _LEVELS[k]


def fit_crc(data: bytes | memoryview, crc: int = 0) -> int:
    """CRC-16 of the FIT protocol (CRC-16/ARC: poly 0xA001 reflected), continuing from ``crc``."""
    view = memoryview(data).cast("B")
    n = len(view)
    if n < 512:
        for byte in view:
            crc = (crc >> 8) ^ _CRC[(crc ^ byte) & 0xFF]
        return crc
    import numpy as np

    if not _WORD_TABLE:
        _WORD_TABLE.append(np.array(_crc_table16(), dtype=np.uint16))
    table = _WORD_TABLE[0]
    even = n - (n & 1)
    words = np.frombuffer(view[:even], dtype="<u2").copy()
    words[0] ^= np.uint16(crc)  # continuing from a running CRC = xor it into the first word
    size = 1
    while size < len(words):
        size *= 2
    crcs = np.zeros(size, dtype=np.uint16)
    crcs[size - len(words) :] = table[words]
    k = 0
    while len(crcs) > 1:
        lo, hi = _level(k)
        left = crcs[0::2]
        crcs = lo[left & 0xFF] ^ hi[left >> 8] ^ crcs[1::2]
        k += 1
    result = int(crcs[0])
    if n & 1:
        result = (result >> 8) ^ _CRC[(result ^ view[n - 1]) & 0xFF]
    return result


@dataclass
class _Def:
    global_num: int
    size: int
    unpack: Callable[[bytes | memoryview, int], tuple[Any, ...]] | None
    names: tuple[str, ...]
    invalid: tuple[Any, ...]
    ts_index: int  # index of the timestamp among the decoded values, -1 when absent


@dataclass
class FitData:
    """The decoded subset of a FIT file: raw message dicts in file order, plus decode warnings."""

    file_types: list[int] = field(default_factory=list)
    time_created: list[int] = field(default_factory=list)
    sessions: list[dict[str, Any]] = field(default_factory=list)
    records: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    activities: list[dict[str, Any]] = field(default_factory=list)
    sports: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    messages: int = 0


class FitDecodeError(ActivityFileError):
    """The fast decoder could not read the file at all (the message says where)."""


def _make_def(global_num: int, little: bool, fields: list[tuple[int, int, int]], dev_size: int) -> _Def:
    wanted = WANTED.get(global_num)
    size = sum(f[1] for f in fields) + dev_size
    if wanted is None:
        return _Def(global_num, size, None, (), (), -1)
    fmt = ["<" if little else ">"]
    names: list[str] = []
    invalid: list[Any] = []
    pad = 0
    for num, fsize, base in fields:
        name = wanted.get(num)
        info = BASE_TYPES.get(base & 0x1F)
        if name is not None and name == "compressed_speed_distance" and fsize == 3:
            if pad:
                fmt.append(f"{pad}x")
                pad = 0
            fmt.append("3s")
            names.append(name)
            invalid.append(None)
        elif name is not None and info is not None and info[1] == fsize:
            if pad:
                fmt.append(f"{pad}x")
                pad = 0
            fmt.append(info[0])
            names.append(name)
            invalid.append(info[2])
        else:
            pad += fsize
    pad += dev_size
    if pad:
        fmt.append(f"{pad}x")
    st = struct.Struct("".join(fmt))
    if st.size != size:  # pragma: no cover - defensive: would mean a bug in the format builder
        raise FitDecodeError(f"internal size mismatch for message {global_num}")
    ts_index = names.index("timestamp") if "timestamp" in names else -1
    return _Def(global_num, size, st.unpack_from, tuple(names), tuple(invalid), ts_index)


def decode_fit(data: bytes, *, check_crc: bool = True) -> FitData:
    """Decode the messages heelcoach uses from a (possibly chained) FIT file.

    A truncated or corrupt file keeps what was read before the damage, with a warning; a file with
    nothing readable raises :class:`FitDecodeError`.
    """
    out = FitData()
    view = memoryview(data)
    total = len(data)
    pos = 0
    part = 0
    while pos < total:
        if total - pos < 12:
            if part == 0:
                raise FitDecodeError(f"too short for a FIT file ({total} bytes)")
            out.warnings.append(f"{total - pos} stray bytes after the last FIT part were ignored")
            break
        header_size = data[pos]
        if header_size not in (12, 14) or data[pos + 8 : pos + 12] != b".FIT":
            if part == 0:
                raise FitDecodeError("not a FIT file (corrupt or missing header)")
            out.warnings.append(f"part {part + 1} of this chained file has a corrupt header; it was skipped")
            break
        (data_size,) = struct.unpack_from("<I", data, pos + 4)
        start = pos + header_size
        end = start + data_size
        truncated = end > total
        if truncated:
            out.warnings.append(
                "the file is truncated (it ends before its declared length); kept what was read"
            )
            end = total
        elif total < end + 2:
            out.warnings.append("the file is missing its checksum; kept what was read")
        elif check_crc and fit_crc(view[pos:end]) != struct.unpack_from("<H", data, end)[0]:
            out.warnings.append(
                f"checksum mismatch in FIT part {part + 1}: the file may be damaged; kept what was readable"
            )
        try:
            _decode_records(view, start, end, out)
        except FitDecodeError as exc:
            if out.messages == 0 and part == 0:
                raise
            out.warnings.append(f"{exc.problem}; kept the {out.messages} messages read before it")
            break
        pos = end + 2
        part += 1
    return out


def _sinks(out: FitData) -> dict[int, list[dict[str, Any]]]:
    """Global message number -> the list of ``out`` its messages go to (file_id aside)."""
    return {
        SESSION: out.sessions,
        RECORD: out.records,
        EVENT: out.events,
        ACTIVITY: out.activities,
        SPORT_MSG: out.sports,
    }


def _file_id(out: FitData, msg: dict[str, Any]) -> None:
    """Keep a file_id message's file type and creation time."""
    if "type" in msg:
        out.file_types.append(msg["type"])
    if "time_created" in msg:
        out.time_created.append(msg["time_created"])


def _read_definition(data: bytes, pos: int, end: int, header: int) -> tuple[int, _Def]:
    """Read the definition message whose ``header`` byte is just before ``pos``: (new pos, definition)."""
    if pos + 5 > end:
        raise FitDecodeError(f"unexpected end of file inside a definition at byte {pos}")
    little = data[pos + 1] == 0
    (global_num,) = struct.unpack_from("<H" if little else ">H", data, pos + 2)
    nfields = data[pos + 4]
    pos += 5
    if pos + 3 * nfields > end:
        raise FitDecodeError(f"unexpected end of file inside a definition at byte {pos}")
    fields = [(data[p], data[p + 1], data[p + 2]) for p in range(pos, pos + 3 * nfields, 3)]
    pos += 3 * nfields
    dev_size = 0
    if header & 0x20:
        if pos >= end:
            raise FitDecodeError(f"unexpected end of file inside a definition at byte {pos}")
        ndev = data[pos]
        pos += 1
        if pos + 3 * ndev > end:
            raise FitDecodeError(f"unexpected end of file inside a definition at byte {pos}")
        dev_size = sum(data[p + 1] for p in range(pos, pos + 3 * ndev, 3))
        pos += 3 * ndev
    return pos, _make_def(global_num, little, fields, dev_size)


def _decode_records(view: memoryview, pos: int, end: int, out: FitData) -> None:
    defs: dict[int, _Def] = {}
    last_ts = -1
    data = view.obj  # the underlying bytes, for fast indexing
    assert isinstance(data, bytes)
    sinks = _sinks(out)
    while pos < end:
        header = data[pos]
        pos += 1
        if header & 0x80:  # compressed timestamp header
            local = (header >> 5) & 0x03
            offset = header & 0x1F
            if last_ts < 0:
                raise FitDecodeError(f"compressed timestamp before any timestamp at byte {pos - 1}")
            ts = (last_ts & ~0x1F) + offset
            if offset < (last_ts & 0x1F):
                ts += 0x20
            last_ts = ts
            compressed_ts = ts
        elif header & 0x40:  # definition message
            pos, defs[header & 0x0F] = _read_definition(data, pos, end, header)
            continue
        else:
            local = header & 0x0F
            compressed_ts = -1
        d = defs.get(local)
        if d is None:
            raise FitDecodeError(f"undefined local message {local} at byte {pos - 1}")
        if pos + d.size > end:
            raise FitDecodeError(f"unexpected end of file inside a message at byte {pos - 1}")
        out.messages += 1
        if d.unpack is None:
            pos += d.size
            continue
        values = d.unpack(data, pos)
        pos += d.size
        msg = {n: v for n, v, bad in zip(d.names, values, d.invalid, strict=True) if v != bad and v == v}
        if d.ts_index >= 0 and "timestamp" in msg:
            last_ts = msg["timestamp"]
        elif compressed_ts >= 0:
            msg["timestamp"] = compressed_ts
        if d.global_num == FILE_ID:
            _file_id(out, msg)
        else:
            sinks[d.global_num].append(msg)


def _fitdecode_fields(frame: Any, wanted: set[str]) -> dict[str, Any]:
    """The wanted fields of one fitdecode data message, by name, raw values."""
    msg: dict[str, Any] = {}
    for f in frame.fields:
        # Only fields as stored: fitdecode also adds component expansions (enhanced_speed
        # from speed) and renames sub-fields (avg_running_cadence), which we undo here.
        if f.field_def is not None:
            name = f.field_def.name
        elif f.name == "timestamp":
            name = f.name  # from a compressed timestamp header
        else:
            continue
        if name in wanted and f.raw_value is not None:
            value = f.raw_value
            msg[name] = bytes(value) if isinstance(value, tuple) else value
    return msg


def decode_with_fitdecode(data: bytes) -> FitData:
    """The same subset as :func:`decode_fit`, read by fitdecode (slower, the reference decoder)."""
    import io

    import fitdecode

    out = FitData()
    names = {num: set(fields.values()) for num, fields in WANTED.items()}
    sinks = _sinks(out)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            reader = fitdecode.FitReader(
                io.BytesIO(data), check_crc=fitdecode.CrcCheck.WARN, keep_raw_chunks=False
            )
            for frame in reader:
                if not isinstance(frame, fitdecode.FitDataMessage):
                    continue
                out.messages += 1
                wanted = names.get(frame.global_mesg_num)
                if wanted is None:
                    continue
                msg = _fitdecode_fields(frame, wanted)
                if frame.global_mesg_num == FILE_ID:
                    _file_id(out, msg)
                else:
                    sinks[frame.global_mesg_num].append(msg)
            out.warnings.extend(str(w.message) for w in caught)
    except (
        fitdecode.FitError,
        struct.error,
        AssertionError,  # fitdecode checks chunk sizes with assert statements
        ValueError,
        KeyError,
        IndexError,
        TypeError,
        OverflowError,
    ) as exc:
        # fitdecode raises more than FitError on damaged files (struct.error on a cut header,
        # AssertionError on a chunk longer than the file).
        if out.messages == 0:
            raise FitDecodeError(f"not a readable FIT file ({exc})") from exc
        out.warnings.append(f"the file is damaged ({exc}); kept the {out.messages} messages read before it")
    return out


# --- from decoded messages to activities ---------------------------------------------------------

_SCALES_SESSION = {"total_elapsed_time": 1000.0, "total_timer_time": 1000.0, "total_distance": 100.0}


def _scaled(msg: dict[str, Any], name: str, scale: float = 1.0, offset: float = 0.0) -> float | None:
    value = msg.get(name)
    if value is None:
        return None
    return float(value) / scale - offset


def _records(raw: list[dict[str, Any]], to_dt: Callable[[int], datetime | None], foot: bool) -> list[Record]:
    out: list[Record] = []
    acc = 0.0
    last_raw = 0
    for msg in raw:
        ts = msg.get("timestamp")
        dist = msg.get("distance")
        speed = msg.get("enhanced_speed", msg.get("speed"))
        csd = msg.get("compressed_speed_distance")
        distance_m = dist / 100.0 if dist is not None else None
        speed_mps = speed / 1000.0 if speed is not None else None
        if csd is not None and distance_m is None:
            raw_speed = csd[0] | ((csd[1] & 0x0F) << 8)
            raw_dist = (csd[1] >> 4) | (csd[2] << 4)
            acc += ((raw_dist - last_raw) & 0xFFF) / 16.0
            last_raw = raw_dist
            distance_m = acc
            speed_mps = raw_speed / 100.0
        cad = msg.get("cadence")
        cadence_spm = None
        if cad is not None:
            cadence_spm = (cad + msg.get("fractional_cadence", 0) / 128.0) * (2 if foot else 1)
        alt = msg.get("enhanced_altitude", msg.get("altitude"))
        lat = msg.get("position_lat")
        lon = msg.get("position_long")
        out.append(
            Record(  # positional: this loop runs once per sample
                to_dt(ts) if ts is not None else None,
                distance_m,
                speed_mps,
                msg.get("heart_rate"),
                cadence_spm,
                alt / 5.0 - 500.0 if alt is not None else None,
                lat * SEMICIRCLE_DEG if lat is not None else None,
                lon * SEMICIRCLE_DEG if lon is not None else None,
            )
        )
    return out


def _sport(sport: int | None, sub_sport: int | None) -> tuple[Sport, str]:
    name = SPORTS_FIT.get(sport, "generic") if sport is not None else "generic"
    sub = SUB_SPORTS_FIT.get(sub_sport, "") if sub_sport is not None else ""
    detail = f"{name}/{sub}" if sub else name
    if name == "running":
        if sub == "treadmill":
            return "treadmill", detail
        if sub == "trail":
            return "trail", detail
        return "running", detail
    if name in ("walking", "hiking"):
        return "walking", detail
    if name == "cycling":
        return "cycling", detail
    return "other", detail


def _timer_from_events(events: list[dict[str, Any]], lo: int, hi: int) -> float | None:
    """Seconds the timer ran between ``lo`` and ``hi`` (FIT seconds), from timer start/stop events."""
    running_since: int | None = None
    total = 0.0
    seen = False
    for ev in events:
        ts = ev.get("timestamp")
        if ev.get("event") != 0 or ts is None or not lo <= ts <= hi:
            continue
        seen = True
        kind = ev.get("event_type")
        if kind == 0 and running_since is None:
            running_since = ts
        elif kind in (1, 4) and running_since is not None:
            total += ts - running_since
            running_since = None
    if running_since is not None:
        total += hi - running_since
    return total if seen else None


@dataclass(frozen=True)
class _Clock:
    """FIT seconds -> aware datetimes, and the activity's local time zone."""

    zone: tzinfo
    relative_base: float | None  # FIT seconds -> absolute, for files with a device clock only

    def to_dt(self, ts: int | float) -> datetime | None:
        if ts >= MIN_ABSOLUTE_TS:
            return FIT_EPOCH + timedelta(seconds=ts)
        if self.relative_base is not None:
            return FIT_EPOCH + timedelta(seconds=ts + self.relative_base)
        return None


def _check_activity_file(fd: FitData) -> None:
    """Refuse FIT files that hold something other than an activity."""
    file_type = fd.file_types[0] if fd.file_types else None
    if file_type is not None and file_type != 4:
        kind = FILE_TYPES.get(file_type, f"type {file_type}")
        raise NotAnActivityError(f"this FIT file holds {kind} data, not an activity")
    if not fd.sessions and not fd.records:
        raise NotAnActivityError("this FIT file holds no activity (no session and no samples)")


def _clock(fd: FitData, warnings_out: list[str]) -> _Clock:
    """Time zone: activity.local_timestamp - activity.timestamp, when both are present."""
    offset_s: float | None = None
    relative_base: float | None = None
    for act in fd.activities:
        ts, local = act.get("timestamp"), act.get("local_timestamp")
        if ts is not None and local is not None:
            if ts >= MIN_ABSOLUTE_TS:
                offset_s = local - ts
            elif local >= MIN_ABSOLUTE_TS:
                relative_base = local - ts
                warnings_out.append(
                    "the watch recorded only its local time, not the time zone; times are shown as UTC"
                )
            break
    return _Clock(offset_zone(offset_s) if offset_s is not None else UTC, relative_base)


def _sessions_to_count(sessions: list[dict[str, Any]], warnings_out: list[str]) -> list[int]:
    """Indexes of the sessions to import: a summary session spanning several others (some
    multisport files) would double count."""
    spans = []
    for s in sessions:
        st = s.get("start_time")
        el = s.get("total_elapsed_time")
        spans.append((st, st + el / 1000.0) if st is not None and el is not None else None)
    keep: list[int] = []
    for i, span in enumerate(spans):
        if span is not None and len(sessions) > 2:
            inside = sum(
                1
                for j, other in enumerate(spans)
                if j != i and other is not None and span[0] <= other[0] and other[1] <= span[1] + 1
            )
            if inside >= 2:
                warnings_out.append(f"session {i + 1} summarises the others and was not counted twice")
                continue
        keep.append(i)
    return keep


def _session_start(
    fd: FitData,
    st_raw: int | None,
    timed: list[Record],
    clock: _Clock,
    label: str,
    synthetic: bool,
    warnings_out: list[str],
) -> datetime:
    """The session's start time, else the first sample's time, else the file's creation time."""
    start = clock.to_dt(st_raw) if st_raw is not None else None
    if start is None:
        if timed:
            start = timed[0].time
            if not synthetic:
                warnings_out.append(f"{label}the start time is missing; used the first sample's time")
        elif fd.time_created and clock.to_dt(fd.time_created[0]) is not None:
            start = clock.to_dt(fd.time_created[0])
            warnings_out.append(f"{label}no usable times; used the file's creation time")
        else:
            raise ActivityFileError(
                "the file has no usable date or time, so it cannot be placed on a calendar"
            )
    assert start is not None
    return start


def _session_times(
    fd: FitData,
    sess: dict[str, Any],
    raw: list[dict[str, Any]],
    timed: list[Record],
    label: str,
    warnings_out: list[str],
) -> tuple[float, float]:
    """(elapsed, timer) seconds from the session, else from the samples and timer events."""
    st_raw = sess.get("start_time")
    elapsed = _scaled(sess, "total_elapsed_time", 1000.0)
    span_s = (timed[-1].time - timed[0].time).total_seconds() if len(timed) >= 2 else None  # type: ignore[operator]
    if elapsed is None:
        elapsed = span_s or 0.0
        if timed:
            warnings_out.append(f"{label}elapsed time missing; computed from the samples")
    timer = _scaled(sess, "total_timer_time", 1000.0)
    if timer is None:
        lo_ts = st_raw if st_raw is not None else (raw[0].get("timestamp") if raw else None)
        ev_timer = (
            _timer_from_events(fd.events, lo_ts, lo_ts + int(elapsed) + 1) if lo_ts is not None else None
        )
        timer = ev_timer if ev_timer is not None else elapsed
        warnings_out.append(f"{label}timer time missing; computed from timer events or elapsed time")
    if timer > elapsed + 1.0 and elapsed > 0:
        warnings_out.append(
            f"{label}timer time ({timer:.0f} s) is longer than elapsed time ({elapsed:.0f} s), which "
            "is impossible; the timer time was capped at the elapsed time"
        )
        timer = elapsed
    return elapsed, timer


def _session_cadences(
    sess: dict[str, Any], sport: Sport, stats: dict[str, float | None]
) -> tuple[float | None, float | None]:
    """(average, maximum) cadence in steps/min (FIT stores strides per leg for foot sports)."""
    if sport in ("cycling", "other"):
        return None, None  # revolutions or strokes, not steps
    avg_cad = sess.get("avg_cadence")
    max_cad = sess.get("max_cadence")
    factor = 2.0 if sport in FOOT_SPORTS else 1.0
    avg_cad_spm = (
        (avg_cad + sess.get("avg_fractional_cadence", 0) / 128.0) * factor
        if avg_cad is not None
        else stats["avg_cadence_spm"]
    )
    max_cad_spm = (
        (max_cad + sess.get("max_fractional_cadence", 0) / 128.0) * factor
        if max_cad is not None
        else stats["max_cadence_spm"]
    )
    return avg_cad_spm, max_cad_spm


def _session_records(
    fd: FitData, sess: dict[str, Any], multi: bool, clock: _Clock, foot: bool
) -> tuple[list[dict[str, Any]], list[Record]]:
    """The session's raw samples (within its time span when the file has several) and its records."""
    st_raw = sess.get("start_time")
    el_raw = sess.get("total_elapsed_time")
    if multi and st_raw is not None and el_raw is not None:
        lo, hi = st_raw, st_raw + el_raw / 1000.0
        raw = [r for r in fd.records if r.get("timestamp") is not None and lo <= r["timestamp"] <= hi]
    else:
        raw = fd.records
    return raw, _records(raw, clock.to_dt, foot)


def _session_activity(
    fd: FitData,
    sess: dict[str, Any],
    index: int,
    *,
    multi: bool,
    synthetic: bool,
    clock: _Clock,
    warnings_out: list[str],
    source: tuple[str, str],
    with_records: bool,
) -> Activity:
    """One session as an activity; its samples fill in what the summary lacks."""
    sport, detail = _sport(sess.get("sport"), sess.get("sub_sport"))
    raw, records = _session_records(fd, sess, multi, clock, sport in FOOT_SPORTS)
    timed = [r for r in records if r.time is not None]
    label = f"session {index + 1}: " if multi else ""
    start = _session_start(fd, sess.get("start_time"), timed, clock, label, synthetic, warnings_out)
    elapsed, timer = _session_times(fd, sess, raw, timed, label, warnings_out)
    distance = _scaled(sess, "total_distance", 100.0)
    if distance is None:
        dists = [r.distance_m for r in records if r.distance_m is not None]
        distance = max(dists) if dists else 0.0
    stats = summarise_records(records)
    avg_cad_spm, max_cad_spm = _session_cadences(sess, sport, stats)
    ascent = _scaled(sess, "total_ascent")
    if ascent is None:
        alts = [r.altitude_m for r in records if r.altitude_m is not None]
        ascent = ascent_from_altitudes(alts) if sport not in ("treadmill",) else None
    avg_hr = sess.get("avg_heart_rate")
    max_hr = sess.get("max_heart_rate")
    return Activity(
        sport=sport,
        start=start.astimezone(clock.zone),
        distance_m=round(distance, 2),
        elapsed_s=round(elapsed, 3),
        timer_s=round(timer, 3),
        moving_s=moving_time_s(records),
        ascent_m=ascent,
        avg_cadence_spm=avg_cad_spm,
        max_cadence_spm=max_cad_spm,
        avg_hr_bpm=float(avg_hr) if avg_hr is not None else stats["avg_hr_bpm"],
        max_hr_bpm=float(max_hr) if max_hr is not None else stats["max_hr_bpm"],
        source_path=source[0],
        source_sha256=source[1],
        source_format="fit",
        session_index=index,
        sport_detail=detail,
        records=tuple(records) if with_records else None,
    )


def activities_from_fit(
    fd: FitData, *, source_path: str, source_sha256: str, with_records: bool = False
) -> ParseResult:
    """Turn decoded FIT messages into one activity per session (records fill in missing summaries)."""
    warnings_out = list(fd.warnings)
    _check_activity_file(fd)
    clock = _clock(fd, warnings_out)
    sessions = list(fd.sessions)
    keep = _sessions_to_count(sessions, warnings_out)
    if not sessions:
        warnings_out.append(
            f"the file has no session summary; totals were computed from its {len(fd.records)} samples"
        )
        sport_msg = fd.sports[0] if fd.sports else {}
        sessions = [{"sport": sport_msg.get("sport"), "sub_sport": sport_msg.get("sub_sport")}]
        keep = [0]
    acts = [
        _session_activity(
            fd,
            sessions[index],
            index,
            multi=len(keep) > 1,
            synthetic=not fd.sessions,
            clock=clock,
            warnings_out=warnings_out,
            source=(source_path, source_sha256),
            with_records=with_records,
        )
        for index in keep
    ]
    return ParseResult(tuple(acts), tuple(warnings_out))


def parse_fit(
    data: bytes, *, source_path: str, source_sha256: str, with_records: bool = False, fast: bool = True
) -> ParseResult:
    """Parse FIT bytes into activities; falls back to fitdecode if the fast decoder gives up."""
    if fast:
        try:
            fd = decode_fit(data)
        except FitDecodeError as exc:
            try:
                fd = decode_with_fitdecode(data)
            except FitDecodeError:
                raise exc from None
    else:
        fd = decode_with_fitdecode(data)
    return activities_from_fit(
        fd, source_path=source_path, source_sha256=source_sha256, with_records=with_records
    )
