"""Every number quoted in a plan-rules text equals a field of the rule it describes.

Texts in ``plan_rules.yaml`` name their numbers as ``{field}`` and are filled on load
(``heelcoach/knowledge/templating.py``); this checks the filled texts, so a text that restates a
number by hand and drifts from its field fails here, and a brace naming no field fails the load.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel, ValidationError

from heelcoach.knowledge.catalogue import largest_study, load_catalogue
from heelcoach.knowledge.schema_plan import PlanRules, WalkRunStage
from heelcoach.knowledge.templating import TemplateError, fill

PLAN_RULES = Path(__file__).resolve().parents[2] / "heelcoach" / "knowledge" / "data" / "plan_rules.yaml"
TEXT_FIELDS = ("plain", "exit_text", "entry", "goal", "message", "concern_text")
#: Not numbers of a rule: the 0-10 pain scale, the arithmetic of "1 minus each weight" and the year
#: of a citation ("Bramah 2018").
SCALE = re.compile(r"(?:/|out of )10\b|\b1 minus\b|\b[A-Z][a-z]+(?: et al\.)? (?:19|20)\d\d\b")
NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?")
#: Texts not checked yet: the walk/run stages quote the published table's miles (the distance-units
#: work owns them).
UNCHECKED: tuple[type[BaseModel], ...] = (WalkRunStage,)


def _numbers_of(model: BaseModel) -> set[float]:
    out: set[float] = set()
    for value in model.__dict__.values():
        if isinstance(value, bool) or not isinstance(value, int | float):
            continue
        out |= {float(value), round(float(value) * 100, 6)}  # shares are quoted as percentages
        if float(value) % 7 == 0:
            out.add(float(value) / 7)  # days quoted as weeks
    return out


def _texts(model: BaseModel, path: str) -> Iterator[tuple[str, BaseModel, str]]:
    for name, value in model.__dict__.items():
        if isinstance(value, BaseModel):
            yield from _texts(value, f"{path}.{name}")
        elif isinstance(value, list | tuple):
            for i, item in enumerate(value):
                if isinstance(item, BaseModel):
                    yield from _texts(item, f"{path}.{name}[{i}]")
        elif name in TEXT_FIELDS and isinstance(value, str) and not isinstance(model, UNCHECKED):
            yield f"{path}.{name}", model, value


def quoted_numbers(text: str) -> list[float]:
    return [float(n) for n in NUMBER.findall(SCALE.sub(" ", text))]


#: Numbers quoted as what they are not: the "180 steps/min" of running lore.
NOT_A_FIELD = {180.0}


def test_every_number_in_a_load_or_gait_text_is_a_field_of_its_rule() -> None:
    catalogue = load_catalogue()
    texts = [t for section in ("load", "gait") for t in _texts(getattr(catalogue, section), section)]
    assert len(texts) >= 20
    wrong = [
        (where, n, text)
        for where, model, text in texts
        for n in quoted_numbers(text)
        if n not in _numbers_of(model) | NOT_A_FIELD | {0.0}
    ]
    assert wrong == []


def test_quoted_numbers_skip_the_pain_scale() -> None:
    assert quoted_numbers("pain of 0-2 out of 10, 4/10 or less, 70% of 3 weeks") == [0, 2, 4, 70, 3]
    assert quoted_numbers("injured runners (Bramah 2018), 2018 runners") == [2018]


def test_every_number_in_a_plan_rules_text_is_a_field_of_its_rule() -> None:
    rules = load_catalogue().plan
    shared = _numbers_of(rules.pain_monitoring) | {0.0}  # "0-2": the bottom of the pain scale
    texts = list(_texts(rules, "plan"))
    assert len(texts) >= 20
    caps = {n for cap in rules.load_caps.__dict__.values() for n in _numbers_of(cap)}
    wrong = [
        (where, n, text)
        for where, model, text in texts
        for n in quoted_numbers(text)
        if n not in _numbers_of(model) | shared | (caps if ".load_caps." in where else set())
    ]
    assert wrong == []


def test_a_number_changed_in_a_field_changes_its_text() -> None:
    raw: dict[str, Any] = yaml.safe_load(PLAN_RULES.read_text(encoding="utf-8"))
    raw["phases"][0]["exit_first_step_pain_max"] = 3
    raw["pain_monitoring"]["during_safe_max"] = 1
    rules = PlanRules.model_validate(raw)
    assert "first-step pain has been 3/10 or less" in rules.phases[0].exit_text
    assert "0-1 out of 10 is safe" in rules.pain_monitoring.plain
    assert "0-1 out of 10" in rules.progression.plain


def test_a_text_naming_no_field_does_not_load() -> None:
    raw: dict[str, Any] = yaml.safe_load(PLAN_RULES.read_text(encoding="utf-8"))
    raw["keep_running"]["plain"] = "Keep running while pain stays at {valeu}/10 or less."
    with pytest.raises(ValidationError, match="valeu"):
        PlanRules.model_validate(raw)


@pytest.mark.parametrize(
    ("template", "fields", "expected"),
    [
        ("{a}/10", {"a": 4}, "4/10"),
        ("{a:pct}", {"a": 0.7}, "70%"),
        ("{a:weeks} and {b:weeks}", {"a": 7, "b": 14}, "a week and two weeks"),
        ("{a:words}", {"a": 3}, "three"),
        ("{a}", {"a": 2.5}, "2.5"),
    ],
)
def test_fill_formats(template: str, fields: dict[str, Any], expected: str) -> None:
    assert fill(template, fields) == expected


@pytest.mark.parametrize(
    ("template", "fields"),
    [("{a:weeks}", {"a": 10}), ("{a:lots}", {"a": 1}), ("{a}", {"a": "x"}), ("{b}", {"a": 1}), ("{", {})],
)
def test_fill_rejects(template: str, fields: dict[str, Any]) -> None:
    with pytest.raises(TemplateError):
        fill(template, fields)


def test_no_text_keeps_a_brace_after_loading() -> None:
    rules = load_catalogue().plan
    left = [where for where, _m, text in _texts(rules, "plan") if "{" in text or "}" in text]
    assert left == []


def test_one_setting_for_the_adherence_an_exercise_needs_to_move_up() -> None:
    raw: dict[str, Any] = yaml.safe_load(PLAN_RULES.read_text(encoding="utf-8"))
    assert "review_adherence_to_progress" not in raw
    assert raw["progression"]["item_adherence_min"] == load_catalogue().plan.progression.item_adherence_min


def test_the_spike_study_size_comes_from_the_reference() -> None:
    catalogue = load_catalogue()
    ref = catalogue.references["frandsen_2025"]
    assert ref.participants == 5205
    text = largest_study(catalogue, catalogue.plan.load_caps.single_run_increase_pct.sources)
    assert text.startswith("5,205 runners (Frandsen")
