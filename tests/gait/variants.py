"""Test clips made from the real videos in ../shared/data/video, each with the truth it must give.

Built with ffmpeg at test or benchmark time into a cache folder (never committed):
``$HEELCOACH_GAIT_CACHE`` or ``/tmp/heelcoach-gait-variants``. The pose keypoints of each clip are
cached there too (``<name>.pose.npz``), so the slow pose model runs once per clip and machine.

Variants: downscaled to 360p and resampled to 25 fps; a moving crop window that pans like a
camera following the runner; re-timed to play 2x and 4x slower at the same frame rate (frames
repeated: a phone's slow motion has real in-between frames, these do not); mirrored; cut short;
and two files whose container says the clip is slowed down, made without re-encoding: timestamps
stretched with a capture-rate tag (Android style), and an edit list that stretches playback
(QuickTime style). A real phone's file differs: iPhone slow motion keeps 120-240 frames/s media
with an edit list over only the slowed part, and Android writes ``com.android.capture.fps`` in
its own metadata box; here the source is 30 fps, so "captured" rates are 25-30 fps.

Usage::

    clip = build(VARIANTS["treadmill_pan"], shared_data / "video")
"""

from __future__ import annotations

import hashlib
import os
import shutil
import struct
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from heelcoach.gait.keypoints import Keypoints

SHARED_VIDEO = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "video"

#: Cadence of the treadmill clip measured from raw pixels (its groundtruth.json): 168.9 +/- 0.5.
TREADMILL_SPM = 168.9


@dataclass(frozen=True)
class Variant:
    """One test clip: how it is made and what the analysis must say about it.

    ``slowed`` is how many times slower than real time the clip plays (1 = real time);
    ``file_says`` is True when the container itself records the slow-down (the analysis then
    needs no confirmation); ``truth_spm`` is the real-time cadence, None when not running.
    """

    name: str
    source: str
    filters: str = ""
    seconds: float | None = None
    slowed: float = 1.0
    truth_activity: str = "running"
    truth_spm: float | None = TREADMILL_SPM
    container: str = ""  # "" (re-encoded), "capture_tag" or "edit_list" (made from ``base`` by remuxing)
    base: str = ""
    file_says: bool = False
    note: str = ""


_360 = "scale=-2:360"
_PAN = "crop=w=540:h=960:x='90+80*sin(2*PI*t/4)+30*sin(2*PI*t/1.7)':y='160+60*sin(2*PI*t/5.3)',scale=-2:360"

VARIANTS: dict[str, Variant] = {
    v.name: v
    for v in (
        Variant("treadmill_360p25", "treadmill_side_30fps.mp4", f"{_360},fps=25", note="360p, 25 fps"),
        Variant(
            "treadmill_pan", "treadmill_side_30fps.mp4", f"{_PAN},fps=25", note="panning crop, 360p, 25 fps"
        ),
        Variant(
            "treadmill_mirror", "treadmill_side_30fps.mp4", f"hflip,{_360},fps=25", note="mirrored, 360p"
        ),
        Variant(
            "treadmill_short", "treadmill_side_30fps.mp4", f"{_360},fps=25", seconds=4.0, note="first 4 s"
        ),
        Variant(
            "treadmill_slow2x",
            "treadmill_side_30fps.mp4",
            f"setpts=2*PTS,{_360},fps=25",
            slowed=2.0,
            note="plays 2x slower at 25 fps (frames repeated)",
        ),
        Variant(
            "treadmill_slow4x",
            "treadmill_side_30fps.mp4",
            f"setpts=4*PTS,{_360},fps=25",
            seconds=6.0,
            slowed=4.0,
            note="first 6 s, plays 4x slower at 25 fps (frames repeated)",
        ),
        Variant(
            "treadmill_pan_slow2x",
            "treadmill_side_30fps.mp4",
            f"setpts=2*PTS,{_PAN},fps=25",
            seconds=8.0,
            slowed=2.0,
            note="panning crop and 2x slower",
        ),
        Variant(
            "treadmill_tagged_slow4x",
            "treadmill_side_30fps.mp4",
            container="capture_tag",
            base="treadmill_360p25",
            slowed=4.0,
            file_says=True,
            note="timestamps stretched 4x without re-encoding, capture rate 25 fps in the metadata",
        ),
        Variant(
            "treadmill_editlist_slow4x",
            "treadmill_side_30fps.mp4",
            container="edit_list",
            base="treadmill_360p25",
            slowed=4.0,
            file_says=True,
            note="an edit list stretches playback 4x; media timestamps keep the 25 fps capture",
        ),
        Variant(
            "walking_360p25",
            "walking_side_720p30.mp4",
            f"{_360},fps=25",
            truth_activity="walking",
            truth_spm=None,
            note="walking, 360p, 25 fps",
        ),
    )
}


def cache_dir() -> Path:
    """Where clips and pose results are kept between runs."""
    path = Path(os.environ.get("HEELCOACH_GAIT_CACHE", "/tmp/heelcoach-gait-variants"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def _ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-v", "error", "-y", *args], check=True, timeout=600)


def build(variant: Variant, video_dir: Path = SHARED_VIDEO) -> Path:
    """The clip of ``variant`` (made on first use, then taken from the cache)."""
    out = cache_dir() / f"{variant.name}.mp4"
    if out.is_file():
        return out
    tmp = out.with_suffix(".part.mp4")
    if variant.container:
        base = build(VARIANTS[variant.base], video_dir)
        if variant.container == "capture_tag":
            _ffmpeg(
                "-itsscale",
                f"{variant.slowed:g}",
                "-i",
                str(base),
                "-c",
                "copy",
                "-movflags",
                "use_metadata_tags",
                "-metadata",
                f"com.android.capture.fps={_fps(base):g}",
                str(tmp),
            )
        else:
            shutil.copyfile(base, tmp)
            stretch_edit_list(tmp, variant.slowed)
    else:
        cut = ["-t", f"{variant.seconds:g}"] if variant.seconds else []
        _ffmpeg(
            *cut,
            "-i",
            str(video_dir / variant.source),
            "-vf",
            variant.filters,
            "-an",
            "-c:v",
            "libx264",
            "-preset",
            "veryfast",
            "-crf",
            "23",
            "-pix_fmt",
            "yuv420p",
            str(tmp),
        )
    tmp.replace(out)
    return out


def _fps(path: Path) -> float:
    text = subprocess.run(
        [
            "ffprobe",
            "-v",
            "error",
            "-select_streams",
            "v:0",
            "-show_entries",
            "stream=r_frame_rate",
            "-of",
            "csv=p=0",
            str(path),
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout.strip()
    num, _, den = text.partition("/")
    return float(num) / float(den or 1)


# --- an edit list that stretches playback (what QuickTime slow motion does) -----------------------


def _boxes(data: bytes, start: int, end: int) -> list[tuple[bytes, int, int]]:
    """(type, offset, size) of the boxes between ``start`` and ``end``."""
    out = []
    pos = start
    while pos + 8 <= end:
        size, kind = struct.unpack(">I4s", data[pos : pos + 8])
        if size < 8:
            break
        out.append((kind, pos, size))
        pos += size
    return out


def stretch_edit_list(path: Path, factor: float) -> None:
    """Give the video track of an MP4 (moov after mdat) one edit whose duration is ``factor`` x the
    media's, so players stretch playback; frames and timestamps are untouched."""
    data = bytearray(path.read_bytes())
    top = _boxes(bytes(data), 0, len(data))
    kinds = [k for k, _, _ in top]
    if kinds.index(b"moov") < kinds.index(b"mdat"):
        raise ValueError("moov must come after mdat (no +faststart) so chunk offsets stay valid")
    _, moov, moov_size = next(b for b in top if b[0] == b"moov")
    mvhd = next(b for b in _boxes(bytes(data), moov + 8, moov + moov_size) if b[0] == b"mvhd")
    movie_duration = struct.unpack(">I", data[mvhd[1] + 24 : mvhd[1] + 28])[0]
    trak = next(b for b in _boxes(bytes(data), moov + 8, moov + moov_size) if b[0] == b"trak")
    inner = _boxes(bytes(data), trak[1] + 8, trak[1] + trak[2])
    if any(k == b"edts" for k, _, _ in inner):  # drop ffmpeg's own edit list first
        _kind, off, size = next(b for b in inner if b[0] == b"edts")
        del data[off : off + size]
        _grow(data, [moov, trak[1]], -size)
    new_duration = round(movie_duration * factor)
    elst = struct.pack(">I4sBBBBI", 28, b"elst", 0, 0, 0, 0, 1) + struct.pack(">IiHH", new_duration, 0, 1, 0)
    edts = struct.pack(">I4s", 8 + len(elst), b"edts") + elst
    tkhd_off = trak[1] + 8
    tkhd_size = struct.unpack(">I", data[tkhd_off : tkhd_off + 4])[0]
    insert_at = tkhd_off + tkhd_size
    data[insert_at:insert_at] = edts
    _grow(data, [moov, trak[1]], len(edts))
    # the movie and track durations follow the edit
    struct.pack_into(">I", data, mvhd[1] + 24, new_duration)
    version = data[tkhd_off + 8]
    if version == 0:
        struct.pack_into(">I", data, tkhd_off + 28, new_duration)
    path.write_bytes(bytes(data))


def _grow(data: bytearray, offsets: list[int], delta: int) -> None:
    for off in offsets:
        size = struct.unpack(">I", data[off : off + 4])[0]
        struct.pack_into(">I", data, off, size + delta)


def clip_digest(path: Path) -> str:
    """A short content hash of ``path`` (pose results are cached under it)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def pose(
    variant: Variant, video_dir: Path = SHARED_VIDEO, workers: int | None = 1
) -> tuple[Keypoints, float]:
    """MediaPipe keypoints of ``variant``'s clip, cached by content; also the pose time in seconds
    (0.0 when taken from the cache). Container variants share the frames of their ``base``."""
    import numpy as np

    from heelcoach.gait.keypoints import Keypoints
    from heelcoach.gait.pipeline import video_keypoints

    clip = build(variant, video_dir)
    frames_of = build(VARIANTS[variant.base], video_dir) if variant.container else clip
    cached = cache_dir() / f"{frames_of.stem}.{clip_digest(frames_of)}.pose.npz"
    if cached.is_file():
        data = np.load(cached)
        kp = Keypoints(
            xy=data["xy"],
            score=data["score"],
            fps=float(data["fps"]),
            width=int(data["width"]),
            height=int(data["height"]),
            source="mediapipe",
        )
        return kp, 0.0
    import time

    start = time.perf_counter()
    kp, _info = video_keypoints(frames_of, workers=workers)
    took = time.perf_counter() - start
    tmp = cached.with_suffix(".part.npz")
    np.savez(tmp, xy=kp.xy, score=kp.score, fps=kp.fps, width=kp.width, height=kp.height)
    tmp.replace(cached)
    return kp, took
