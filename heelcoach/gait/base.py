"""The common shape of every gait algorithm (after gaitmap's ``BaseAlgorithm``).

An algorithm object

- takes its parameters, and only its parameters, in ``__init__`` (stored under the same names);
- acts through the one verb of its family, which returns ``self``:

  ============================  ==========  ==================================================
  family                        verb        signature
  ============================  ==========  ==================================================
  :class:`KeypointFilter`       ``filter``  ``filter(kp) -> Self``; result ``keypoints_``
  :class:`EventDetector`        ``detect``  ``detect(kp, *, leg_length_px, direction) -> Self``
  view detection                ``detect``  ``detect(kp) -> Self``
  runner selection              ``select``  ``select(frames) -> Self``
  activity classification       ``classify``
  metric calculation            ``calculate``
  finding rules                 ``evaluate``
  the whole analysis            ``run``     (a pipeline, as in gaitmap/tpcp)
  ============================  ==========  ==================================================

- declares its results on the class, with their types, as attributes ending in ``_`` and
  documents them (with units) in a numpydoc ``Attributes`` section. A result is set by the verb;
  reading it before raises ``AttributeError``.

Options with a fixed set of values are ``Literal`` types, checked when the object is made.
"""

from __future__ import annotations

import inspect
from typing import Any, ClassVar, get_args

from heelcoach.gait.keypoints import FloatArray, Keypoints


class GaitAlgorithm:
    """Base of every gait algorithm: parameters in ``__init__``, one verb, results declared."""

    #: The name of the method that computes the results (one per family).
    _action_method: ClassVar[str]

    @classmethod
    def parameter_names(cls) -> tuple[str, ...]:
        """The ``__init__`` parameters, in order."""
        params = inspect.signature(cls.__init__).parameters
        return tuple(p for p in params if p != "self")

    def get_params(self) -> dict[str, Any]:
        """The parameters this object was made with."""
        return {name: getattr(self, name) for name in self.parameter_names()}

    @classmethod
    def result_names(cls) -> tuple[str, ...]:
        """The results the verb sets: class annotations ending in ``_``, base classes first."""
        names: list[str] = []
        for klass in reversed(cls.__mro__):
            for name in getattr(klass, "__annotations__", {}):
                if name.endswith("_") and not name.startswith("_") and name not in names:
                    names.append(name)
        return tuple(names)

    def results(self) -> dict[str, Any]:
        """The results set so far (after the verb: all of them)."""
        return {name: getattr(self, name) for name in self.result_names() if hasattr(self, name)}

    def clone(self) -> GaitAlgorithm:
        """A fresh object with the same parameters and no results."""
        return type(self)(**self.get_params())

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items() if k != "rules")
        return f"{type(self).__name__}({params})"


class KeypointFilter(GaitAlgorithm):
    """A clean-up step on keypoints: ``filter(kp)`` sets ``keypoints_``.

    Attributes
    ----------
    keypoints_ : the cleaned keypoints (pixels, same frames as the input).
    """

    _action_method: ClassVar[str] = "filter"
    keypoints_: Keypoints

    def filter(self, kp: Keypoints) -> KeypointFilter:
        raise NotImplementedError


class EventDetector(GaitAlgorithm):
    """Foot contacts from keypoints: ``detect(kp, *, leg_length_px, direction)`` sets ``contacts_``.

    ``direction`` is the running direction in the image (+1 to the right, -1 to the left, or one
    value per frame); a detector that does not need it ignores it.

    Attributes
    ----------
    contacts_ : the foot contacts found, in time order (:class:`heelcoach.gait.events.Contact`).
    """

    _action_method: ClassVar[str] = "detect"
    contacts_: list[Any]

    def detect(
        self, kp: Keypoints, *, leg_length_px: float, direction: int | FloatArray = 1
    ) -> EventDetector:
        raise NotImplementedError


def check_option(name: str, value: object, options: Any) -> None:
    """Raise ``ValueError`` when ``value`` is not one of the ``Literal`` type ``options``."""
    allowed = get_args(options)
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, allowed))}, not {value!r}")


__all__ = ["EventDetector", "GaitAlgorithm", "KeypointFilter", "check_option"]
