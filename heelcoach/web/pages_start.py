"""Onboarding pages: the questionnaire (saved as it goes), the triage result, self-tests, extras."""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from heelcoach.domain.triage import unanswered_questions
from heelcoach.domain.units import DistanceUnit
from heelcoach.errors import InvalidInputError
from heelcoach.web.backend import Backend
from heelcoach.web.deps import (
    BackendDep,
    MaybePerson,
    distance_unit,
    existing_person,
    get_ctx,
    person_id,
    render,
)
from heelcoach.web.questions import group_ids, group_view, missing_required, parse_group, questions_of
from heelcoach.web.result_views import summary_view
from heelcoach.web.selftests import parse_self_tests, self_test_views
from heelcoach.web.views import attr

router = APIRouter()


def _draft_key(request: Request) -> str:
    key = request.session.get("draft_key")
    if not isinstance(key, str):
        key = secrets.token_hex(12)
        request.session["draft_key"] = key
    return key


async def _form_lists(request: Request) -> dict[str, list[str]]:
    form = await request.form()
    out: dict[str, list[str]] = {}
    for key, value in form.multi_items():
        if isinstance(value, str):
            out.setdefault(key, []).append(value)
    return out


def _unit(request: Request, remember: bool = True) -> DistanceUnit:
    """The runner's distance unit for the questions (km for someone who has not started or chosen).
    Reads the database: async routes call it in a worker thread.

    ``remember`` puts the runner in the session so every page shows the unit. The autosave does
    not: a session it changed would be sent back as a cookie and could arrive after, and so undo,
    the cookie of the group's own submit running beside it."""
    if remember and getattr(request.app.state, "resolve_person", None) is None:  # clinics: the login
        existing_person(request)
    return distance_unit(request)


def _group_page(
    request: Request, backend: Backend, group: str, errors: dict[str, str], status_code: int = 200
) -> Response:
    cat = get_ctx(request).catalogue
    groups = group_ids(cat)
    if group not in groups:
        raise HTTPException(404, f"There is no question group called '{group}'.")
    answers = backend.load_draft(_draft_key(request))
    index = groups.index(group)
    steps = [group_view(cat, g, {}, {}) for g in groups]
    return render(
        request,
        "start_group.html",
        status_code=status_code,
        group=group_view(cat, group, answers, errors, _unit(request)),
        steps=steps,
        step=index + 1,
        prev=groups[index - 1] if index else None,
        is_last=index == len(groups) - 1,
        errors=errors,
    )


@router.get("/start", response_class=HTMLResponse)
def start(request: Request) -> Response:
    """The first question group (or a 'not ready' page while the questions are not written)."""
    groups = group_ids(get_ctx(request).catalogue)
    if not groups:
        return render(request, "start_group.html", title="Questions", group=None)
    return RedirectResponse(f"/start/q/{groups[0]}", status_code=303)


@router.get("/start/q/{group}", response_class=HTMLResponse)
def question_group(request: Request, backend: BackendDep, group: str) -> Response:
    """One group of questions with the answers saved so far."""
    return _group_page(request, backend, group, {})


@router.post("/start/q/{group}/autosave", response_class=HTMLResponse)
async def autosave(request: Request, backend: BackendDep, group: str) -> Response:
    """htmx: save the group's valid answers as the runner goes; report problems in a line."""
    cat = get_ctx(request).catalogue
    if group not in group_ids(cat):
        raise HTTPException(404, f"There is no question group called '{group}'.")
    key = _draft_key(request)
    unit = await run_in_threadpool(_unit, request, False)
    answers, errors = parse_group(cat, group, await _form_lists(request), unit)
    await run_in_threadpool(_keep_draft, backend, key, answers, errors)
    if errors:
        return HTMLResponse(f"Saved, but {len(errors)} answer(s) need checking.")
    return HTMLResponse("Saved ✓")


def _keep_draft(
    backend: Backend, key: str, answers: dict[str, Any], errors: dict[str, str]
) -> dict[str, Any]:
    """Add the valid answers to the stored draft (a worker thread: the draft store may be remote)."""
    return backend.update_draft(key, {k: v for k, v in answers.items() if k not in errors})


@router.post("/start/q/{group}", response_class=HTMLResponse)
async def save_group(request: Request, backend: BackendDep, group: str) -> Response:
    """Save the group; show problems next to the fields, or go on to the next group."""
    cat = get_ctx(request).catalogue
    groups = group_ids(cat)
    if group not in groups:
        raise HTTPException(404, f"There is no question group called '{group}'.")
    key = _draft_key(request)
    unit = await run_in_threadpool(_unit, request)
    answers, errors = parse_group(cat, group, await _form_lists(request), unit)
    draft = await run_in_threadpool(_keep_draft, backend, key, answers, errors)
    group_qids = {str(attr(q, "id")) for q in questions_of(cat) if attr(q, "group") == group}
    errors.update(
        {k: v for k, v in missing_required(cat, draft).items() if k in group_qids and k not in errors}
    )
    if errors:
        return await run_in_threadpool(_group_page, request, backend, group, errors, 422)
    index = groups.index(group)
    if index + 1 < len(groups):
        return RedirectResponse(f"/start/q/{groups[index + 1]}", status_code=303)
    return await run_in_threadpool(_finish, request, backend, draft)


def _finish(request: Request, backend: Backend, draft: dict[str, Any]) -> Response:
    cat = get_ctx(request).catalogue
    missing = missing_required(cat, draft)
    if missing:
        first = next(str(attr(q, "group")) for q in questions_of(cat) if str(attr(q, "id")) in missing)
        return _group_page(request, backend, first, missing, status_code=422)
    pid = person_id(request)  # the answers start the runner off: local mode makes the person now
    try:
        triage = backend.save_intake(pid, draft)
    except InvalidInputError as exc:  # IntakeError: per-question problems, shown next to the fields
        problems = backend.intake_problems(exc)
        if not problems:
            raise
        first = next(
            (str(attr(q, "group")) for q in questions_of(cat) if str(attr(q, "id")) in problems),
            group_ids(cat)[0],
        )
        return _group_page(request, backend, first, problems, status_code=422)
    request.session["triage_stop"] = bool(triage.stop)
    return RedirectResponse("/start/result", status_code=303)


@router.get("/start/result", response_class=HTMLResponse)
def result(request: Request, backend: BackendDep, pid: MaybePerson) -> Response:
    """The triage result: a red flag stops here and says what to do."""
    groups = group_ids(get_ctx(request).catalogue)
    triage = backend.latest_triage(pid) if pid is not None else None
    return render(
        request,
        "start_result.html",
        title="Your result",
        triage=triage,
        first_group=groups[0] if groups else "",
    )


@router.get("/start/summary", response_class=HTMLResponse)
def summary(request: Request, backend: BackendDep, pid: MaybePerson) -> Response:
    """The result and every answer in words, laid out to print and take to a clinician."""
    record = backend.latest_intake(pid) if pid is not None else None
    view = None
    if record is not None:
        cat = get_ctx(request).catalogue
        view = summary_view(dict(record.answers), dict(record.triage), record.created_at, cat, _unit(request))
    return render(request, "start_summary.html", title="Summary for a clinician", summary=view)


@router.get("/start/answer-new")
def answer_new(request: Request, backend: BackendDep, pid: MaybePerson) -> Response:
    """Ask the questions added since the stored answers were given: the form opens on the first
    group holding one, with every earlier answer filled in (questionnaire versions, issue 14)."""
    cat = get_ctx(request).catalogue
    record = backend.latest_intake(pid) if pid is not None else None
    if record is None:
        return RedirectResponse("/start", status_code=303)
    missing = set(unanswered_questions(record.answers, cat.triage))
    key = _draft_key(request)
    backend.update_draft(key, dict(record.answers), under=True)  # answers typed since stay
    group = next((str(attr(q, "group")) for q in questions_of(cat) if str(attr(q, "id")) in missing), None)
    return RedirectResponse(f"/start/q/{group or group_ids(cat)[0]}", status_code=303)


def _stopped(request: Request, backend: Backend, pid: int | None) -> bool:
    """Whether a warning sign in the stored triage stops the start here. The database decides,
    not the session cookie alone: a request racing the last answers may bring back an older one.
    Reads the database: async routes call it in a worker thread."""
    triage = backend.latest_triage(pid) if pid is not None else None
    if triage is not None:
        return bool(triage.stop)
    return bool(request.session.get("triage_stop"))


@router.get("/start/tests", response_class=HTMLResponse)
def tests(request: Request, backend: BackendDep, pid: MaybePerson) -> Response:
    """Self-tests with how-to steps and a timer where the test is timed."""
    if _stopped(request, backend, pid):
        return RedirectResponse("/start/result", status_code=303)
    views = self_test_views(get_ctx(request).catalogue, {}, {})
    return render(request, "start_tests.html", title="Self-tests", tests=views, errors={})


@router.post("/start/tests", response_class=HTMLResponse)
async def save_tests(request: Request, backend: BackendDep) -> Response:
    """Save the self-test values (all optional); problems are shown next to the field."""
    if await run_in_threadpool(lambda: _stopped(request, backend, existing_person(request))):
        return RedirectResponse("/start/result", status_code=303)
    cat = get_ctx(request).catalogue
    form = await _form_lists(request)
    results, values, errors = parse_self_tests(cat, form)
    if errors:
        views = self_test_views(cat, values, errors)
        return render(
            request, "start_tests.html", status_code=422, title="Self-tests", tests=views, errors=errors
        )
    if results:
        pid = await run_in_threadpool(person_id, request)
        await run_in_threadpool(backend.save_screen, pid, results)
    return RedirectResponse("/start/extras", status_code=303)


@router.get("/start/extras", response_class=HTMLResponse)
def extras(request: Request, backend: BackendDep, pid: MaybePerson) -> Response:
    """Optional: a running video and watch files; then make the plan."""
    if _stopped(request, backend, pid):
        return RedirectResponse("/start/result", status_code=303)
    verdicts = backend.screen_verdicts(pid) if pid is not None else ()
    return render(request, "start_extras.html", title="Optional extras", verdicts=verdicts)


@router.post("/start/plan", response_class=HTMLResponse)
def make_plan(request: Request, backend: BackendDep, pid: MaybePerson) -> Response:
    """Build the first plan and go to it."""
    if _stopped(request, backend, pid):
        return RedirectResponse("/start/result", status_code=303)
    backend.make_plan(person_id(request))  # the plan starts the runner off (person made if needed)
    request.session["onboarded"] = True
    backend.clear_draft(_draft_key(request))
    return RedirectResponse("/plan", status_code=303)
