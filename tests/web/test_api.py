"""The JSON API: schema, health, triage without storing, check-ins with validation."""

from __future__ import annotations

from typing import Any

from tests.web.answers import RED_FLAG, TYPICAL


def test_openapi_schema_lists_the_api(client: Any) -> None:
    schema = client.get("/api/openapi.json").json()
    paths = set(schema["paths"])
    assert {
        "/api/health",
        "/api/questions",
        "/api/triage",
        "/api/checkins",
        "/api/progress",
        "/api/plan",
    } <= paths
    assert not any(p.startswith("/start") for p in paths)


def test_health_and_questions(client: Any) -> None:
    health = client.get("/api/health").json()
    assert health["status"] == "ok"
    assert "not a diagnosis" in health["disclaimer"]
    ids = {q["id"] for q in client.get("/api/questions").json()}
    assert {"first_step_pain", "can_bear_weight"} <= ids


def test_triage_levels_without_storing(client: Any) -> None:
    ok = client.post("/api/triage", json={"answers": TYPICAL})
    assert ok.status_code == 200
    assert ok.json()["level"] in ("self_manage", "caution")
    stop = client.post("/api/triage", json={"answers": RED_FLAG})
    assert stop.json()["level"] in ("refer", "emergency")
    assert stop.json()["red_flags"]
    bad = client.post("/api/triage", json={"answers": {**TYPICAL, "first_step_pain": 42}})
    assert bad.status_code == 422
    assert "first_step_pain" in bad.json()["detail"]


def test_api_checkin_flow(onboarded: Any) -> None:
    today = onboarded.get("/api/today").json()
    assert today["checked_in_today"] is False
    saved = onboarded.post("/api/checkins", json={"first_step_pain": 4, "worst_pain": 5})
    assert saved.status_code == 200, saved.text
    assert saved.json()["replaced"] is False
    again = onboarded.post("/api/checkins", json={"first_step_pain": 3})
    assert again.json()["replaced"] is True
    assert onboarded.get("/api/today").json()["checked_in_today"] is True
    bad = onboarded.post("/api/checkins", json={"first_step_pain": 11})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "first_step_pain"
    future = onboarded.post("/api/checkins", json={"first_step_pain": 2, "day": "2999-01-01"})
    assert future.status_code == 422
    assert "future" in future.json()["detail"]


def test_api_plan_before_and_after(client: Any, onboarded: Any) -> None:
    plan = onboarded.get("/api/plan").json()
    assert plan["version"] == 1
    assert plan["plan"]["items"]


def _answer_schemas(operation: dict[str, Any]) -> list[dict[str, Any]]:
    ok = operation.get("responses", {}).get("200", {})
    return [media.get("schema") or {} for media in ok.get("content", {}).values()]


def _described(schema: dict[str, Any], components: dict[str, Any]) -> bool:
    """A schema that says something: a model with named fields, a list of them, or a typed value."""
    if "$ref" in schema:
        target = components[schema["$ref"].rsplit("/", 1)[-1]]
        return bool(target.get("properties"))
    if schema.get("type") == "array":
        return _described(schema.get("items") or {}, components)
    return schema.get("type") not in (None, "object")


def test_every_api_route_documents_its_answer(client: Any) -> None:
    schema = client.get("/api/openapi.json").json()
    components = schema.get("components", {}).get("schemas", {})
    vague = [
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if not any(_described(s, components) for s in _answer_schemas(operation))
    ]
    assert len(schema["paths"]) > 20
    assert vague == []
