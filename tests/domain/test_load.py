"""Load metrics: weekly table, single-run spike bands, ACWR forms, monotony, evidence, caps."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from heelcoach.domain import load
from heelcoach.domain.load import ActivityLoad
from heelcoach.knowledge.catalogue import data_dir
from heelcoach.knowledge.schema_load import LoadRules

# The load rules alone (the whole catalogue is loaded and cross-checked by tests/knowledge).
RULES = LoadRules.model_validate(yaml.safe_load((data_dir() / "load.yaml").read_text(encoding="utf-8")))
TODAY = date(2026, 3, 15)  # a Sunday


def run(days_ago: int, km: float, sport: str = "running", minutes: float | None = None) -> ActivityLoad:
    start = datetime.combine(TODAY - timedelta(days=days_ago), datetime.min.time(), UTC) + timedelta(hours=8)
    return ActivityLoad(start, sport, km * 1000, (minutes if minutes is not None else km * 6) * 60)


def test_spike_bands_follow_frandsen() -> None:
    base = [run(20, 10.0)]
    cases = {10.5: None, 11.5: "10_30", 13.0: "10_30", 15.0: "30_100", 20.0: "30_100", 21.0: "over_100"}
    for km, band in cases.items():
        found = load.spike_findings([*base, run(2, km)], RULES)
        assert (found[0].band if found else None) == band, km
    [finding] = load.spike_findings([*base, run(2, 25.0)], RULES)
    assert finding.hazard_ratio == 2.28
    assert finding.previous_longest_km == 10.0
    assert finding.increase_pct == 150.0


def test_spike_needs_a_reference_run_within_the_window() -> None:
    assert load.spike_findings([run(45, 5.0), run(1, 20.0)], RULES) == []
    assert load.spike_findings([run(1, 20.0)], RULES) == []


def test_cross_training_is_not_running_load() -> None:
    acts = [run(20, 10.0), run(2, 60.0, "cycling"), run(1, 30.0, "walking"), run(1, 10.0, "other")]
    assert load.spike_findings(acts, RULES) == []
    snap = load.load_snapshot(acts, TODAY, RULES)
    assert snap.weekly_run_km == 0
    assert snap.runs_last_7d == 0
    week = load.weekly_table(acts, TODAY, weeks=1)[0]
    assert week.run_km == 0
    assert week.cross_sessions == 3
    assert week.cross_s > 0


def test_snapshot_and_evidence_for_a_recent_spike() -> None:
    acts = [run(25, 8.0), run(18, 8.0), run(11, 9.0), run(3, 20.0)]
    snap = load.load_snapshot(acts, TODAY, RULES)
    assert snap.spike_band == "over_100"
    assert snap.spike_run_km == 20.0
    assert snap.longest_run_30d_km == 20.0
    assert snap.weekly_run_km == 20.0
    assert snap.runs_last_7d == 1
    assert snap.chronic_weekly_run_km == pytest.approx(45.0 / 4)
    evidence = load.load_evidence(acts, TODAY, RULES)
    ids = {e.item_id for e in evidence}
    assert ids == {"single_run_spike", "weekly_change"}
    assert all(e.driver == "load_spike" and e.source == "activities" for e in evidence)
    spike = next(e for e in evidence if e.item_id == "single_run_spike")
    assert spike.weight == RULES.band("over_100").evidence_weight  # type: ignore[union-attr]


def test_old_spike_is_not_recent() -> None:
    snap = load.load_snapshot([run(25, 8.0), run(12, 20.0)], TODAY, RULES)
    assert snap.spike_band == "none"
    assert load.load_evidence([run(40, 8.0), run(25, 8.0), run(12, 9.0)], TODAY, RULES) == []


def test_weekly_table_and_change() -> None:
    acts = [run(13, 10.0), run(8, 10.0), run(6, 15.0), run(1, 15.0), run(0, 5.0)]
    rows = load.weekly_table(acts, TODAY, weeks=2)
    assert [r.week_start for r in rows] == [date(2026, 3, 2), date(2026, 3, 9)]
    assert [r.run_km for r in rows] == [20.0, 35.0]
    assert rows[1].change_pct == 75.0
    assert rows[1].runs == 3
    assert rows[1].longest_run_km == 15.0
    assert rows[1].partial
    assert not rows[0].partial


def test_acwr_forms_and_caveat() -> None:
    steady = [run(d, 5.0) for d in range(28)]
    values = load.acwr(steady, TODAY, RULES)
    assert values.coupled == pytest.approx(1.0, abs=0.15)
    assert values.uncoupled == pytest.approx(1.0, abs=0.15)
    assert values.ewma is not None
    assert "Impellizzeri" in values.caveat
    assert values.grade == "D"
    # A big week after three quiet ones: the uncoupled ratio exceeds the coupled one (coupling bias).
    jump = [run(d, 3.0) for d in range(8, 28, 3)] + [run(d, 10.0) for d in range(0, 7, 2)]
    v = load.acwr(jump, TODAY, RULES)
    assert v.uncoupled is not None
    assert v.coupled is not None
    assert v.uncoupled > v.coupled > 1
    assert load.acwr([], TODAY, RULES).coupled is None


def test_monotony_and_strain() -> None:
    same_every_day = [run(d, 5.0, minutes=30) for d in range(7)]
    assert load.monotony_strain(same_every_day, TODAY, RULES).monotony is None  # SD 0: undefined
    varied = [run(0, 10.0, minutes=60), run(2, 5.0, minutes=30), run(4, 5.0, minutes=30)]
    m = load.monotony_strain(varied, TODAY, RULES)
    assert m.weekly_load_min == 120.0
    assert m.monotony is not None
    assert m.strain == pytest.approx(120.0 * m.monotony, rel=1e-3)


def test_run_caps_from_own_history() -> None:
    snap = load.load_snapshot([run(20, 10.0), run(10, 12.0), run(3, 8.0)], TODAY, RULES)
    caps = load.run_caps(snap, RULES)
    assert caps.next_long_run_max_km == pytest.approx(12.0 * 1.1, abs=0.05)
    assert caps.weekly_max_km == pytest.approx(30.0 / 4 * 1.1, abs=0.06)
    assert "12.0 km" in caps.why


runs_strategy = st.lists(
    st.tuples(
        st.integers(0, 60), st.floats(0.5, 40.0), st.sampled_from(["running", "trail", "cycling", "walking"])
    ),
    max_size=25,
)


@settings(max_examples=60, deadline=None)
@given(runs_strategy, st.tuples(st.integers(0, 60), st.floats(0.5, 80.0)))
def test_cross_training_never_changes_running_load(
    items: list[tuple[int, float, str]], extra: tuple[int, float]
) -> None:
    acts = [run(d, km, sport) for d, km, sport in items]
    more = [*acts, run(extra[0], extra[1], "cycling")]
    assert load.load_snapshot(acts, TODAY, RULES) == load.load_snapshot(more, TODAY, RULES)
    assert load.spike_findings(acts, RULES) == load.spike_findings(more, RULES)


@settings(max_examples=60, deadline=None)
@given(runs_strategy)
def test_snapshot_invariants(items: list[tuple[int, float, str]]) -> None:
    acts = [run(d, km, sport) for d, km, sport in items]
    snap = load.load_snapshot(acts, TODAY, RULES)
    assert snap.weekly_run_km >= 0
    assert snap.longest_run_30d_km >= 0
    assert snap.spike_band in ("none", "10_30", "30_100", "over_100")
    assert (snap.spike_band == "none") == (snap.spike_run_km is None)
    for finding in load.spike_findings(acts, RULES):
        assert finding.run_km > finding.previous_longest_km * 1.1 - 1e-9


def test_weekly_cap_never_below_the_long_run_cap() -> None:
    # one 12.7 km run 20 days ago and a quiet week since: the chronic average is small, yet the
    # week must have room for the long run the long-run cap allows (issue 12, item 3)
    snap = load.load_snapshot([run(20, 12.7), run(2, 3.0)], TODAY, RULES)
    caps = load.run_caps(snap, RULES)
    assert caps.next_long_run_max_km == pytest.approx(14.0, abs=0.05)
    assert caps.weekly_max_km is not None
    assert caps.weekly_max_km >= caps.next_long_run_max_km


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 40), st.floats(0.5, 40.0)), min_size=1, max_size=20))
def test_run_caps_agree(items: list[tuple[int, float]]) -> None:
    snap = load.load_snapshot([run(d, km) for d, km in items], TODAY, RULES)
    caps = load.run_caps(snap, RULES)
    if caps.next_long_run_max_km is not None:
        assert caps.weekly_max_km is not None
        assert caps.weekly_max_km >= caps.next_long_run_max_km
