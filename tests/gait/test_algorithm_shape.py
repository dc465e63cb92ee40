"""Every gait algorithm has the common shape of ``heelcoach.gait.base``: parameters in ``__init__``,
one verb per family that returns ``self``, results declared on the class and documented with units,
``Literal`` options checked when the object is made."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

from heelcoach.gait.activity import ActivityClassifier
from heelcoach.gait.base import EventDetector, GaitAlgorithm, KeypointFilter
from heelcoach.gait.events import FrontalEventDetector, SagittalEventDetector, ViewDetector
from heelcoach.gait.findings import FindingRules
from heelcoach.gait.metrics import MetricSet
from heelcoach.gait.pipeline import GaitAnalysis
from heelcoach.gait.tracking import (
    GapFiller,
    LowPassFilter,
    OutlierRejector,
    RunnerSelector,
    SideSwapCorrector,
    leg_length_px,
)
from heelcoach.knowledge.schema_gait import GaitRules
from tests.gait.synthetic import rear_view, side_view

ALGORITHMS: tuple[type[GaitAlgorithm], ...] = (
    RunnerSelector,
    SideSwapCorrector,
    OutlierRejector,
    GapFiller,
    LowPassFilter,
    ViewDetector,
    SagittalEventDetector,
    FrontalEventDetector,
    ActivityClassifier,
    MetricSet,
    FindingRules,
    GaitAnalysis,
)
FILTERS = (SideSwapCorrector, OutlierRejector, GapFiller, LowPassFilter)


def _all_subclasses(cls: type) -> set[type]:
    return {c for sub in cls.__subclasses__() for c in (sub, *_all_subclasses(sub))}


def test_the_list_covers_every_algorithm() -> None:
    concrete = _all_subclasses(GaitAlgorithm) - {KeypointFilter, EventDetector}
    assert {c for c in concrete if c.__module__.startswith("heelcoach.")} == set(ALGORITHMS)


@pytest.mark.parametrize("cls", ALGORITHMS, ids=lambda c: c.__name__)
def test_one_verb_that_returns_self(cls: type[GaitAlgorithm]) -> None:
    verb = getattr(cls, cls._action_method)
    assert inspect.signature(verb).return_annotation == cls.__name__
    others = {"run", "filter", "detect", "select", "classify", "calculate", "evaluate"} - {cls._action_method}
    assert not [name for name in others if callable(getattr(cls, name, None))]


@pytest.mark.parametrize("cls", ALGORITHMS, ids=lambda c: c.__name__)
def test_results_are_declared_and_documented(cls: type[GaitAlgorithm]) -> None:
    names = cls.result_names()
    assert names
    doc = inspect.getdoc(cls) or ""
    assert "Attributes\n----------" in doc
    attributes = doc.split("Attributes\n----------", 1)[1]
    assert [n for n in names if f"{n} :" not in attributes] == []


@pytest.mark.parametrize("cls", ALGORITHMS, ids=lambda c: c.__name__)
def test_parameters_are_kept_under_their_names(cls: type[GaitAlgorithm], gait_rules: GaitRules) -> None:
    needs_rules = "rules" in cls.parameter_names()
    algo = cls(rules=gait_rules) if needs_rules else cls()  # type: ignore[call-arg]
    assert set(algo.get_params()) == set(cls.parameter_names())
    assert algo.clone().get_params() == algo.get_params()
    assert algo.results() == {}


def test_event_detectors_share_one_signature() -> None:
    side = inspect.signature(SagittalEventDetector.detect)
    front = inspect.signature(FrontalEventDetector.detect)
    family = inspect.signature(EventDetector.detect)
    assert side.parameters.keys() == front.parameters.keys() == family.parameters.keys()


@pytest.mark.parametrize("cls", FILTERS, ids=lambda c: c.__name__)
def test_a_filter_sets_every_declared_result(cls: type[KeypointFilter]) -> None:
    kp, _truth = side_view(duration_s=3.0)
    algo = cls()
    assert algo.filter(kp) is algo
    assert set(algo.results()) == set(cls.result_names())
    assert algo.keypoints_.xy.shape == kp.xy.shape


@pytest.mark.parametrize("detector", [SagittalEventDetector(), FrontalEventDetector()], ids=repr)
def test_an_event_detector_sets_every_declared_result(detector: EventDetector) -> None:
    side = isinstance(detector, SagittalEventDetector)
    kp = side_view(duration_s=4.0)[0] if side else rear_view(duration_s=4.0)
    assert detector.detect(kp, leg_length_px=leg_length_px(kp), direction=1) is detector
    assert set(detector.results()) == set(type(detector).result_names())
    assert len(detector.contacts_) >= 6


def test_options_outside_their_literal_are_refused(gait_rules: GaitRules) -> None:
    with pytest.raises(ValueError, match="ic_point"):
        SagittalEventDetector(ic_point="toe")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="view"):
        GaitAnalysis(gait_rules, view="top")  # type: ignore[arg-type]


def test_the_analysis_sets_every_declared_result(gait_rules: GaitRules) -> None:
    kp, _truth = side_view(duration_s=6.0)
    analysis = GaitAnalysis(gait_rules)
    assert analysis.run(kp) is analysis
    assert set(analysis.results()) == set(GaitAnalysis.result_names())
    assert np.isfinite(analysis.leg_length_px_)
