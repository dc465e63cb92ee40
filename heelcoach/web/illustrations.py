"""Exercise and self-test illustrations as files: an animated SVG (no script) and PNG frames.

``<img src="/exercises/{id}/illustration.svg">`` shows the movement looping; ``.png`` gives a strip
of the keyframes, or one of them with ``?frame=N`` (1 is the start position).
"""

from __future__ import annotations

import re

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from heelcoach.services import exercises
from heelcoach.web.deps import get_ctx

router = APIRouter()

_ID = re.compile(r"^[a-z][a-z0-9_]{1,63}$")
#: The drawings change only with a new release: let the browser keep them for a day.
_HEADERS = {
    "Cache-Control": "public, max-age=86400",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
    "X-Content-Type-Options": "nosniff",
}


def _title(request: Request, item_id: str) -> str:
    if not _ID.match(item_id) or not exercises.keyframe_names(item_id):
        raise HTTPException(
            404,
            f"No illustration for '{item_id[:64]}'. `heelcoach exercise --list` lists the exercise ids.",
        )
    cat = get_ctx(request).catalogue
    item = cat.exercises.get(item_id) or cat.self_tests.get(item_id) or cat.passive.get(item_id)
    return item.name if item is not None else item_id.replace("_", " ")


@router.get("/exercises/{item_id}/illustration.svg")
async def illustration_svg(request: Request, item_id: str) -> Response:
    """The animated illustration of one exercise or self-test."""
    title = _title(request, item_id)
    body = await run_in_threadpool(exercises.illustration_svg, item_id, title)
    return Response(body, media_type="image/svg+xml", headers=_HEADERS)


@router.get("/exercises/{item_id}/illustration.png")
async def illustration_png(
    request: Request,
    item_id: str,
    frame: int | None = Query(default=None, ge=1, le=12, description="1 = start position; none: all frames"),
) -> Response:
    """The keyframes of one exercise or self-test as a PNG strip, or one keyframe."""
    _title(request, item_id)
    count = len(exercises.keyframe_names(item_id))
    if frame is not None and frame > count:
        raise HTTPException(404, f"'{item_id}' has {count} frames: ask for frame 1 to {count}.")
    index = None if frame is None else frame - 1
    body = await run_in_threadpool(exercises.illustration_png, item_id, index)
    return Response(body, media_type="image/png", headers=_HEADERS)
