"""Who may talk to the local app, against the real server (``heelcoach serve`` on a free port).

One test per finding of the hardening review (issue 13): foreign Host headers, cross-site writes,
security headers, listening off this computer, upload size while streaming, and the smaller ones.
"""

from __future__ import annotations

import io
import re
import socket
import subprocess
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.web.security_server import (
    Server,
    browser_session,
    finished_import,
    post_import,
    running_server,
    serve_command,
    server_env,
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("security"), max_upload_mb="5") as srv:
        yield srv


def _checkins(client: httpx.Client) -> list[dict[str, object]]:
    return list(client.get("/api/export").json()["tables"].get("checkins", []))


def _same_origin(server: Server) -> dict[str, str]:
    return {"Origin": server.base}


# ---------------------------------------------------------------------------------------- 1. Host
def test_a_foreign_host_header_is_refused_for_reads_and_writes(server: Server) -> None:
    client, _token = browser_session(server)
    evil = {"Host": f"evil.example:{server.port}"}
    read = client.get("/api/export", headers=evil)
    assert read.status_code == 400
    assert "tables" not in read.text
    write = client.post(
        "/api/checkins",
        json={"first_step_pain": 7, "notes": "rebinding"},
        headers={**evil, "Origin": f"http://evil.example:{server.port}"},
    )
    assert write.status_code == 400
    assert all(c.get("notes") != "rebinding" for c in _checkins(client))
    assert client.get("/api/health", headers={"Host": f"localhost:{server.port}"}).status_code == 200


def test_a_foreign_origin_or_referer_is_refused_on_pages_and_api(server: Server) -> None:
    client, token = browser_session(server)
    assert client.post("/api/checkins", json={"first_step_pain": 2}, headers=_same_origin(server)).is_success
    # the delete form with a valid token, but sent from another site: nothing is deleted
    foreign = client.post(
        "/settings/delete",
        data={"csrf_token": token, "confirm": "DELETE"},
        headers={"Origin": "http://evil.example"},
        follow_redirects=False,
    )
    assert foreign.status_code == 403
    by_referer = client.post(
        "/settings/delete",
        data={"csrf_token": token, "confirm": "DELETE"},
        headers={"Referer": "http://evil.example/page.html"},
        follow_redirects=False,
    )
    assert by_referer.status_code == 403
    api = client.post("/api/checkins", json={"first_step_pain": 9}, headers={"Origin": "http://evil.example"})
    assert api.status_code == 403
    assert [c["first_step_pain"] for c in _checkins(client)] == [2]


# ---------------------------------------------------------------------------------------- 2. API writes
def test_a_cross_site_form_post_to_the_api_changes_nothing(server: Server) -> None:
    owner, _token = browser_session(server)
    owner.post("/api/intake", json={"answers": _typical()}, headers=_same_origin(server))
    before = owner.get("/api/progress").json()["plan_history"]
    with server.client() as stranger:  # no cookie, as a cross-site form would arrive
        form = stranger.post(
            "/api/plan",
            content=b"",
            headers={"Content-Type": "application/x-www-form-urlencoded", "Origin": "http://evil.example"},
        )
        assert form.status_code == 403
        no_origin = stranger.post(
            "/api/plan", content=b"", headers={"Content-Type": "application/x-www-form-urlencoded"}
        )
        assert no_origin.status_code == 415
        nobody = stranger.post("/api/plan", json={}, headers=_same_origin(server))
        assert nobody.status_code == 401  # no session: acts as nobody, not as the first runner
        assert stranger.get("/api/export").status_code == 401
    assert owner.get("/api/progress").json()["plan_history"] == before


def test_api_writes_need_json_and_the_token_or_this_origin(server: Server) -> None:
    client, token = browser_session(server)
    plain = client.post("/api/checkins", json={"first_step_pain": 3})  # a script without any proof
    assert plain.status_code == 403
    assert "X-CSRF-Token" in plain.json()["detail"] or "x-csrf-token" in plain.json()["detail"]
    assert client.post(
        "/api/checkins", json={"first_step_pain": 3}, headers={"X-CSRF-Token": token}
    ).is_success
    assert client.post("/api/checkins", json={"first_step_pain": 3}, headers=_same_origin(server)).is_success
    text = client.post(
        "/api/checkins",
        content=b'{"first_step_pain": 3}',
        headers={"Content-Type": "text/plain", "X-CSRF-Token": token},
    )
    assert text.status_code == 415


# ---------------------------------------------------------------------------------------- 3. headers
@pytest.mark.parametrize("path", ["/", "/today", "/api/health", "/static/app.css", "/no-such-page"])
def test_security_headers_on_every_answer(server: Server, path: str) -> None:
    response = httpx.get(server.base + path)
    csp = response.headers.get("content-security-policy", "")
    assert "frame-ancestors 'none'" in csp
    assert "default-src 'self'" in csp
    assert response.headers.get("x-frame-options") == "DENY"
    assert response.headers.get("x-content-type-options") == "nosniff"
    assert response.headers.get("referrer-policy") == "same-origin"


# ---------------------------------------------------------------------------------------- 4. off loopback
def test_serve_off_loopback_without_a_secret_refuses_to_start(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    done = subprocess.run(
        serve_command(_free_port(), "--host", "0.0.0.0"),
        env=server_env(data),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "HEELCOACH_ACCESS_SECRET" in done.stderr
    assert "--new-access-secret" in done.stderr


def test_serve_off_loopback_with_a_secret_asks_for_it(tmp_path: Path) -> None:
    secret = "correct horse battery staple 42"
    with running_server(tmp_path, "--host", "0.0.0.0", access_secret=secret) as srv:
        with srv.client() as client:
            page = client.get("/today")
            assert page.status_code == 401
            assert str(page.url).startswith(srv.base + "/login")
            assert 'name="secret"' in page.text
            assert client.get("/api/export").status_code == 401
            assert client.get("/api/questions").status_code == 401
            assert client.get("/api/health").status_code == 200
            token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
            login = {"csrf_token": token, "next": "/today"}
            wrong = client.post("/login", data={**login, "secret": "guess"}, headers=_origin(srv))
            assert wrong.status_code == 401
            assert client.get("/api/export").status_code == 401
            right = client.post("/login", data={**login, "secret": secret}, headers=_origin(srv))
            assert right.status_code == 200
            assert str(right.url) == srv.base + "/today"
            assert client.get("/api/questions").status_code == 200  # nobody has started: no person yet
        bearer = httpx.get(srv.base + "/api/health", headers={"Authorization": f"Bearer {secret}"})
        assert bearer.status_code == 200
        assert httpx.get(
            srv.base + "/api/questions", headers={"Authorization": f"Bearer {secret}"}
        ).is_success
        srv.proc.terminate()
        out = srv.proc.communicate(timeout=30)[0]
    assert "Access secret required" in out


def test_new_access_secret_is_shown_once_and_works(tmp_path: Path) -> None:
    with running_server(tmp_path, "--host", "0.0.0.0", "--new-access-secret") as srv:
        srv.proc.terminate()
        out = srv.proc.communicate(timeout=30)[0]
    secret = out.split("shown only this once", 1)[1].splitlines()[1].strip()
    assert len(secret) >= 30
    assert secret not in (tmp_path / "data" / "web_access_secret.sha256").read_text()
    with running_server(tmp_path, "--host", "0.0.0.0") as again:
        assert httpx.get(again.base + "/api/questions").status_code == 401
        ok = httpx.get(again.base + "/api/questions", headers={"Authorization": f"Bearer {secret}"})
        assert ok.status_code == 200
        again.proc.terminate()
        assert secret not in again.proc.communicate(timeout=30)[0]


# ---------------------------------------------------------------------------------------- 7. upload size
def test_a_declared_large_upload_is_answered_413_before_it_is_read(server: Server) -> None:
    client, _token = browser_session(server)
    cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.sendall(
            (
                "POST /runs/import HTTP/1.1\r\n"
                f"Host: 127.0.0.1:{server.port}\r\nOrigin: {server.base}\r\nCookie: {cookie}\r\n"
                "Content-Type: multipart/form-data; boundary=x\r\n"
                f"Content-Length: {1024**3}\r\n\r\n"
            ).encode()
        )
        received = b""
        while chunk := sock.recv(65536):  # the server closes the connection after its answer
            received += chunk
        answer = received.decode("latin-1")
    assert answer.startswith("HTTP/1.1 413")
    assert "5 MB limit" in answer


def test_a_chunked_upload_is_stopped_at_the_limit(server: Server) -> None:
    client, token = browser_session(server)
    uploads = server.data_dir / "uploads"

    def body() -> Iterator[bytes]:
        yield b'--x\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n' + token.encode() + b"\r\n"
        yield b'--x\r\nContent-Disposition: form-data; name="files"; filename="big.gpx"\r\n\r\n<gpx>'
        chunk = b" " * (1024 * 1024)
        for _ in range(60):  # 60 MB, twelve times the limit, with no Content-Length
            yield chunk
        yield b"</gpx>\r\n--x--\r\n"

    written = server.written_bytes()
    response = client.post(
        "/runs/import",
        content=body(),
        headers={"Content-Type": "multipart/form-data; boundary=x", "Origin": server.base},
    )
    assert response.status_code == 413
    assert "5 MB limit" in response.text
    assert server.written_bytes() - written < 8 * 1024 * 1024  # the spool stopped near the limit
    assert not [p for p in uploads.rglob("*") if p.is_file()] if uploads.exists() else True


# ---------------------------------------------------------------------------------------- 8. smaller ones
def test_uploads_are_removed_once_imported_or_refused(server: Server, shared_data: Path) -> None:
    client, token = browser_session(server)
    real = shared_data / "activities" / "fit" / "activity-small-fenix2-run.fit"
    response = post_import(
        client, token, [(real.name, real.read_bytes()), ("fake.fit", b"not a fit file at all, no")]
    )
    assert response.status_code == 303
    page = finished_import(client, response.headers["location"])
    assert "activity-small-fenix2-run.fit" in page
    assert "does not look like a FIT file" in page
    assert str(server.data_dir) not in page
    # the refused file is gone; the file the run was read from stays (the run's detail is drawn from it)
    left = [p.name for p in (server.data_dir / "uploads").rglob("*") if p.is_file()]
    assert [n for n in left if not n.endswith("-activity-small-fenix2-run.fit")] == []
    assert len(left) == 1


def test_a_failed_gait_job_names_the_clip_not_the_server_path(server: Server) -> None:
    client, token = browser_session(server)
    fake = b"\x00\x00\x00\x18ftypmp42" + b"not really a video " * 200
    sent = client.post(
        "/gait/upload",
        data={"csrf_token": token, "view": "side"},
        files={"video": ("my-run.mp4", fake, "video/mp4")},
        headers=_same_origin(server),
        follow_redirects=False,
    )
    assert sent.status_code == 303
    job_id = sent.headers["location"].rsplit("/", 1)[1]
    status: dict[str, object] = {}
    for _ in range(600):
        status = client.get(f"/api/jobs/{job_id}").json()
        if status["state"] in ("done", "failed"):
            break
        time.sleep(0.2)
    assert status["state"] == "failed"
    error = str(status["error"])
    assert "my-run.mp4" in error
    assert str(server.data_dir) not in error
    assert "uploads" not in error
    assert not [p for p in (server.data_dir / "uploads").rglob("*") if p.name.endswith("my-run.mp4")]


def test_csv_export_neutralises_formulas(server: Server) -> None:
    client, _token = browser_session(server)
    notes = '=HYPERLINK("http://evil.example","click")'
    saved = client.post(
        "/api/checkins",
        json={"first_step_pain": 1, "notes": notes, "day": "2026-01-02"},
        headers=_same_origin(server),
    )
    assert saved.is_success, saved.text
    archive = zipfile.ZipFile(io.BytesIO(client.get("/settings/export.zip").content))
    text = archive.read("checkins.csv").decode()
    assert "'=HYPERLINK" in text
    assert ",=HYPERLINK" not in text
    assert '"=HYPERLINK' not in text


def test_delete_needs_the_word_in_capitals(server: Server) -> None:
    client, token = browser_session(server)
    assert client.post("/api/checkins", json={"first_step_pain": 4}, headers=_origin(server)).is_success
    lower = client.post(
        "/settings/delete", data={"csrf_token": token, "confirm": "delete"}, headers=_origin(server)
    )
    assert lower.status_code == 422
    assert "capitals" in lower.text
    assert _checkins(client)  # nothing was deleted


def test_nothing_answers_500_straight_after_delete_all(tmp_path: Path) -> None:
    with running_server(tmp_path) as srv:
        client, token = browser_session(srv)
        client.post("/api/intake", json={"answers": _typical()}, headers=_origin(srv))
        assert client.get("/api/export").json()["tables"]["intakes"]
        deleted = client.post(
            "/settings/delete", data={"csrf_token": token, "confirm": "DELETE"}, headers=_origin(srv)
        )
        assert deleted.status_code == 200
        # straight after (well within any cache lifetime): pages and the API work for a new start
        pages = ("/", "/today", "/plan", "/progress", "/runs", "/settings", "/start/extras")
        for path in (*pages, "/api/progress", "/api/export"):
            answer = client.get(path)
            assert answer.status_code < 500, (path, answer.status_code)
        assert client.get("/api/export").status_code == 401  # nobody has started again: no one to export
        assert len(re.findall(r'href="/start', client.get("/today").text)) >= 1  # the "start here" state


def _origin(srv: Server) -> dict[str, str]:
    return {"Origin": srv.base}


def _free_port() -> int:
    from tests.web.browser import free_port

    return free_port()


def _typical() -> dict[str, object]:
    from tests.web.answers import TYPICAL

    return dict(TYPICAL)
