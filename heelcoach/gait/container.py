"""What a video file itself says about time: capture rate, playback rate, edit lists.

A phone's own slow-motion file keeps its capture rate: Android writes it as metadata
(``com.android.capture.fps``) while the timestamps play slower; iPhone slow motion keeps the
media at 120-240 frames/s and an edit list that stretches playback. Either way the file says how
much slower it plays, so the analysis runs at the true rate without asking. Re-encoded exports
keep no marker (the physics in ``rhythm`` is for them). Read with ffprobe (FFmpeg) and a small
MP4/QuickTime box reader for the edit list, which ffprobe does not show.
"""

from __future__ import annotations

import itertools
import json
import shutil
import struct
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

#: Metadata keys that carry a capture frame rate.
CAPTURE_TAGS = ("com.android.capture.fps", "com.apple.quicktime.capture.fps")


@dataclass(frozen=True)
class ContainerTiming:
    """Time as the file records it.

    ``playback_fps``: frames per second as the stream plays (what a decoder reports);
    ``capture_fps``: frames per second of real time; ``slowed``: how many times slower than real
    time the file plays (1.0 in real time); ``how``: what in the file said so ("" when nothing).
    """

    playback_fps: float
    capture_fps: float
    slowed: float
    how: str = ""

    @property
    def says_slowed(self) -> bool:
        """True when the file itself records a slow-down of more than 5%."""
        return self.slowed > 1.05


def _rate(text: str) -> float:
    num, _, den = str(text).partition("/")
    try:
        value = float(num) / float(den or 1)
    except (ValueError, ZeroDivisionError):
        return 0.0
    return value if value > 0 else 0.0


def _probe(path: Path) -> dict[str, object] | None:
    exe = shutil.which("ffprobe")
    if exe is None:
        return None
    try:
        out = subprocess.run(
            [
                exe,
                "-v",
                "error",
                "-select_streams",
                "v:0",
                "-show_entries",
                "stream=r_frame_rate,avg_frame_rate,time_base,nb_frames,duration:stream_tags:format_tags",
                "-of",
                "json",
                str(path),
            ],
            check=True,
            capture_output=True,
            text=True,
            timeout=30,
        ).stdout
        data = json.loads(out)
    except (OSError, subprocess.SubprocessError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _capture_tag(data: dict[str, object]) -> float | None:
    tags: dict[str, object] = {}
    fmt = data.get("format")
    if isinstance(fmt, dict) and isinstance(fmt.get("tags"), dict):
        tags.update(fmt["tags"])
    streams = data.get("streams")
    first = streams[0] if isinstance(streams, list) and streams else None
    if isinstance(first, dict) and isinstance(first.get("tags"), dict):
        tags.update(first["tags"])
    for key in CAPTURE_TAGS:
        if key in tags:
            value = _rate(str(tags[key]))
            if 1.0 <= value <= 2000.0:
                return value
    return None


def frame_timestamps_fps(path: Path, max_frames: int = 2000) -> float | None:
    """Frames per second from the video packets' own timestamps (median interval), as played."""
    exe = shutil.which("ffprobe")
    if exe is None:
        return None
    try:
        out = subprocess.run(
            [
                exe,
                "-v",
                "error",
                "-select_streams",
                "v:0",
                "-read_intervals",
                f"%+#{max_frames}",
                "-show_entries",
                "packet=pts_time",
                "-of",
                "csv=p=0",
                str(path),
            ],
            check=True,
            capture_output=True,
            text=True,
            timeout=30,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    times = sorted(float(t) for t in out.split() if t.strip() and t.strip() != "N/A")
    steps = [b - a for a, b in itertools.pairwise(times) if b > a]
    if len(steps) < 2:
        return None
    steps.sort()
    return round(1.0 / steps[len(steps) // 2], 3)


def read_timing(path: Path, decoder_fps: float) -> ContainerTiming:
    """The file's own timing; falls back to ``decoder_fps`` in real time when it says nothing."""
    plain = ContainerTiming(decoder_fps, decoder_fps, 1.0)
    data = _probe(path)
    if data is None:
        return plain
    streams = data.get("streams")
    stream = streams[0] if isinstance(streams, list) and streams and isinstance(streams[0], dict) else {}
    playback = (
        frame_timestamps_fps(path)
        or _rate(str(stream.get("avg_frame_rate", "")))
        or _rate(str(stream.get("r_frame_rate", "")))
        or decoder_fps
    )
    capture = _capture_tag(data)
    if capture is not None and capture > 1.05 * playback:
        return ContainerTiming(playback, capture, capture / playback, "the file's capture-rate tag")
    stretch = edit_list_stretch(path)
    if stretch is not None and stretch > 1.05:
        # the edit list plays the media slower; the media's own frame rate is the capture rate
        return ContainerTiming(playback / stretch, playback, stretch, "the file's edit list")
    return ContainerTiming(playback, playback, 1.0)


def _children(f: BinaryIO, start: int, end: int) -> list[tuple[bytes, int, int]]:
    """(type, payload offset, payload size) of the boxes in ``[start, end)``."""
    out = []
    pos = start
    while pos + 8 <= end:
        f.seek(pos)
        head = f.read(16)
        if len(head) < 8:
            break
        size, kind = struct.unpack(">I4s", head[:8])
        header = 8
        if size == 1 and len(head) == 16:
            size, header = struct.unpack(">Q", head[8:16])[0], 16
        elif size == 0:
            size = end - pos
        if size < header:
            break
        out.append((kind, pos + header, size - header))
        pos += size
    return out


def edit_list_stretch(path: Path) -> float | None:
    """How many times longer the video track's edits play than its media (None: no edit list / not MP4).

    Reads only box headers and the small ``mvhd``, ``mdhd`` and ``elst`` boxes.
    """
    try:
        with path.open("rb") as f:
            f.seek(0, 2)
            end = f.tell()
            moov = next((b for b in _children(f, 0, end) if b[0] == b"moov"), None)
            if moov is None:
                return None
            inner = _children(f, moov[1], moov[1] + moov[2])
            mvhd = next((b for b in inner if b[0] == b"mvhd"), None)
            if mvhd is None:
                return None
            movie_scale = _timescale(f, mvhd[1])
            for kind, off, size in inner:
                if kind != b"trak":
                    continue
                stretch = _track_stretch(f, off, size, movie_scale)
                if stretch is not None:
                    return stretch
    except OSError:
        return None
    return None


def _timescale(f: BinaryIO, payload: int) -> int:
    f.seek(payload)
    version = f.read(1)[0]
    f.seek(payload + (20 if version == 1 else 12))
    return int(struct.unpack(">I", f.read(4))[0]) or 1


def _track_stretch(f: BinaryIO, off: int, size: int, movie_scale: int) -> float | None:
    """Edit duration over media duration of one track, if it is a video track with an edit list."""
    boxes = _children(f, off, off + size)
    mdia = next((b for b in boxes if b[0] == b"mdia"), None)
    edts = next((b for b in boxes if b[0] == b"edts"), None)
    if mdia is None or edts is None:
        return None
    mdia_boxes = _children(f, mdia[1], mdia[1] + mdia[2])
    hdlr = next((b for b in mdia_boxes if b[0] == b"hdlr"), None)
    mdhd = next((b for b in mdia_boxes if b[0] == b"mdhd"), None)
    if hdlr is None or mdhd is None:
        return None
    f.seek(hdlr[1] + 8)
    if f.read(4) != b"vide":
        return None
    f.seek(mdhd[1])
    version = f.read(1)[0]
    f.seek(mdhd[1] + (20 if version == 1 else 12))
    media_scale = struct.unpack(">I", f.read(4))[0] or 1
    media_duration = struct.unpack(">Q" if version == 1 else ">I", f.read(8 if version == 1 else 4))[0]
    elst = next((b for b in _children(f, edts[1], edts[1] + edts[2]) if b[0] == b"elst"), None)
    if elst is None or media_duration <= 0:
        return None
    f.seek(elst[1])
    version = f.read(1)[0]
    f.seek(elst[1] + 4)
    count = struct.unpack(">I", f.read(4))[0]
    edit_total = 0.0
    for _ in range(min(count, 1000)):
        if version == 1:
            seg, media_time = struct.unpack(">Qq", f.read(16))
        else:
            seg, media_time = struct.unpack(">Ii", f.read(8))
        f.read(4)  # media rate
        if media_time >= 0:  # an empty edit (-1) only delays the start
            edit_total += seg / movie_scale
    media_s = media_duration / media_scale
    return edit_total / media_s if edit_total > 0 else None
