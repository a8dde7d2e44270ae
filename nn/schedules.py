"""Learning-rate schedules, as `keras.optimizers.schedules`: a function of the step count.

An optimizer given a schedule as its `learning_rate` calls it with `optimizer.iterations`
(the number of updates already applied) before each update, so the first step uses
`schedule(0)`. The formulas are Keras 3's (keras/src/optimizers/schedules/
learning_rate_schedule.py), computed here in float64 on Python numbers.

>>> import nn
>>> schedule = nn.optimizers.schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
>>> opt = nn.optimizers.SGD(learning_rate=schedule)
>>> opt.learning_rate, schedule(20)
(0.1, 0.025)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import pairwise
from typing import Any

from nn.configurable import Configurable


def _positive(value: Any, what: str, owner: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ValueError(f"{owner} expects {what} > 0, received {what}={value!r}")
    return value


def _real(value: Any, what: str, owner: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise TypeError(f"{owner} expects a finite number for {what}, received {what}={value!r}")
    return value


def _step(step: Any) -> float:
    step = float(step)
    if step < 0:
        raise ValueError(f"a learning-rate schedule expects a step >= 0, received {step}")
    return step


class LearningRateSchedule(Configurable):
    """Base class: implement `__call__(step)` (and `get_config` to be serializable).

    >>> class InverseSqrt(LearningRateSchedule):
    ...     def __init__(self, initial_learning_rate):
    ...         self.initial_learning_rate = initial_learning_rate
    ...     def __call__(self, step):
    ...         return self.initial_learning_rate / (step + 1) ** 0.5
    ...     def get_config(self):
    ...         return {"initial_learning_rate": self.initial_learning_rate}
    >>> import nn
    >>> nn.optimizers.SGD(learning_rate=InverseSqrt(0.3)).learning_rate
    0.3
    """

    def __call__(self, step: Any) -> float:
        raise NotImplementedError(
            f"Learning rate schedule '{type(self).__name__}' must override `__call__(self, step)`"
        )

    _ARGS: tuple[str, ...] = ()  # the built-in schedules: __init__'s arguments, kept as attributes

    def get_config(self) -> dict[str, Any]:
        """The arguments that rebuild this schedule (`from_config`).

        >>> ExponentialDecay(0.1, 100, 0.9).get_config()["decay_rate"]
        0.9
        >>> ExponentialDecay.from_config(ExponentialDecay(0.1, 100, 0.9).get_config())(100)
        0.09000000000000001
        """
        if self._ARGS:
            return {name: getattr(self, name) for name in self._ARGS}
        raise NotImplementedError(
            f"Learning rate schedule '{type(self).__name__}' must override `get_config()` to be "
            "serializable"
        )


class _RateDecay(LearningRateSchedule):
    """Shared by ExponentialDecay and InverseTimeDecay: the same arguments, and the same
    exponent `step / decay_steps` (floored with `staircase=True`)."""

    _ARGS = ("initial_learning_rate", "decay_steps", "decay_rate", "staircase", "name")

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: int,
        decay_rate: float,
        staircase: bool = False,
        name: str | None = None,
    ) -> None:
        kind = type(self).__name__
        self.initial_learning_rate = _real(initial_learning_rate, "initial_learning_rate", kind)
        self.decay_steps = _positive(decay_steps, "decay_steps", kind)
        self.decay_rate = _real(decay_rate, "decay_rate", kind)
        self.staircase = bool(staircase)
        self.name = kind if name is None else name

    def _progress(self, step: Any) -> float:
        p = _step(step) / self.decay_steps
        return float(math.floor(p)) if self.staircase else p


class ExponentialDecay(_RateDecay):
    """`initial_learning_rate * decay_rate ** (step / decay_steps)`; with `staircase=True`
    the exponent is `floor(step / decay_steps)`.

    >>> schedule = ExponentialDecay(1.0, decay_steps=2, decay_rate=0.5, staircase=True)
    >>> [schedule(step) for step in range(5)]
    [1.0, 1.0, 0.5, 0.5, 0.25]
    """

    def __call__(self, step: Any) -> float:
        return float(self.initial_learning_rate * self.decay_rate ** self._progress(step))


class InverseTimeDecay(_RateDecay):
    """`initial_learning_rate / (1 + decay_rate * step / decay_steps)` (staircase: floor).

    >>> InverseTimeDecay(1.0, decay_steps=1, decay_rate=0.5)(2)
    0.5
    """

    def __call__(self, step: Any) -> float:
        return float(self.initial_learning_rate / (1.0 + self.decay_rate * self._progress(step)))


class PolynomialDecay(LearningRateSchedule):
    """From `initial_learning_rate` to `end_learning_rate` in `decay_steps`:
    `(initial - end) * (1 - step / decay_steps) ** power + end`, the step capped at
    `decay_steps`; with `cycle=True` the horizon grows to the next multiple of `decay_steps`.

    >>> schedule = PolynomialDecay(1.0, decay_steps=4, end_learning_rate=0.0)
    >>> [schedule(step) for step in (0, 2, 4, 8)]
    [1.0, 0.5, 0.0, 0.0]
    """

    _ARGS = ("initial_learning_rate", "decay_steps", "end_learning_rate", "power", "cycle", "name")

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: int,
        end_learning_rate: float = 0.0001,
        power: float = 1.0,
        cycle: bool = False,
        name: str = "PolynomialDecay",
    ) -> None:
        self.initial_learning_rate = _real(initial_learning_rate, "initial_learning_rate", name)
        self.decay_steps = _positive(decay_steps, "decay_steps", "PolynomialDecay")
        self.end_learning_rate = _real(end_learning_rate, "end_learning_rate", name)
        self.power = _real(power, "power", name)
        self.cycle = bool(cycle)
        self.name = name

    def __call__(self, step: Any) -> float:
        step, horizon = _step(step), float(self.decay_steps)
        if self.cycle:
            horizon *= 1.0 if step == 0 else math.ceil(step / horizon)  # Keras: 1 at step 0
        else:
            step = min(step, horizon)
        fraction = 1.0 - step / horizon
        span = self.initial_learning_rate - self.end_learning_rate
        return float(span * fraction**self.power + self.end_learning_rate)



class PiecewiseConstantDecay(LearningRateSchedule):
    """`values[0]` while `step <= boundaries[0]`, `values[i]` while
    `boundaries[i-1] < step <= boundaries[i]`, and `values[-1]` after the last boundary.

    >>> schedule = PiecewiseConstantDecay(boundaries=[2, 4], values=[1.0, 0.5, 0.1])
    >>> [schedule(step) for step in range(6)]
    [1.0, 1.0, 1.0, 0.5, 0.5, 0.1]
    """

    _ARGS = ("boundaries", "values", "name")

    def __init__(
        self, boundaries: Sequence[float], values: Sequence[float], name: str = "PiecewiseConstant"
    ) -> None:
        boundaries, values = list(boundaries), list(values)
        if len(boundaries) != len(values) - 1:
            raise ValueError(
                "PiecewiseConstantDecay expects one more value than boundaries, received "
                f"boundaries={boundaries} of length {len(boundaries)} and values={values} of "
                f"length {len(values)}"
            )
        for b in boundaries:
            _real(b, "boundaries", name)
        for v in values:
            _real(v, "values", name)
        if any(low >= high for low, high in pairwise(boundaries)):
            raise ValueError(
                f"PiecewiseConstantDecay expects strictly increasing boundaries, received "
                f"{boundaries}"
            )
        self.boundaries = boundaries
        self.values = values
        self.name = name

    def __call__(self, step: Any) -> float:
        step = _step(step)
        for boundary, value in zip(self.boundaries, self.values):
            if step <= boundary:
                return float(value)
        return float(self.values[-1])



class CosineDecay(LearningRateSchedule):
    """Cosine decay from the starting rate to `alpha` times it over `decay_steps`, after an
    optional linear warmup from `initial_learning_rate` to `warmup_target` over
    `warmup_steps` (then the decay starts from `warmup_target`).

    Without warmup: `lr(step) = initial * ((1 - alpha) * 0.5 * (1 + cos(pi * s / decay_steps))
    + alpha)` with `s = min(step, decay_steps)`.

    >>> schedule = CosineDecay(1.0, decay_steps=4, alpha=0.1)
    >>> [round(schedule(step), 4) for step in (0, 2, 4, 9)]
    [1.0, 0.55, 0.1, 0.1]
    >>> warm = CosineDecay(0.0, decay_steps=2, warmup_target=1.0, warmup_steps=2)
    >>> [round(warm(step), 4) for step in range(5)]
    [0.0, 0.5, 1.0, 0.5, 0.0]
    """

    _ARGS = ("initial_learning_rate", "decay_steps", "alpha", "name", "warmup_target", "warmup_steps")

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: int,
        alpha: float = 0.0,
        name: str = "CosineDecay",
        warmup_target: float | None = None,
        warmup_steps: int = 0,
    ) -> None:
        self.initial_learning_rate = _real(initial_learning_rate, "initial_learning_rate", name)
        self.decay_steps = _positive(decay_steps, "decay_steps", "CosineDecay")
        self.alpha = _real(alpha, "alpha", name)
        self.name = name
        self.warmup_target = None if warmup_target is None else _real(
            warmup_target, "warmup_target", name
        )
        if isinstance(warmup_steps, bool) or not isinstance(warmup_steps, (int, float)) or (
            warmup_steps < 0
        ):
            raise ValueError(f"CosineDecay expects warmup_steps >= 0, received {warmup_steps!r}")
        self.warmup_steps = warmup_steps

    def _decay(self, step: float, start: float) -> float:
        cosine = 0.5 * (1.0 + math.cos(math.pi * step / self.decay_steps))
        return start * ((1.0 - self.alpha) * cosine + self.alpha)

    def __call__(self, step: Any) -> float:
        step = _step(step)
        if self.warmup_target is None:
            return float(self._decay(min(step, self.decay_steps), self.initial_learning_rate))
        step = min(step, self.decay_steps + self.warmup_steps)
        if step < self.warmup_steps:
            delta = self.warmup_target - self.initial_learning_rate
            return float(delta * step / self.warmup_steps + self.initial_learning_rate)
        return float(self._decay(step - self.warmup_steps, self.warmup_target))



_BUILT_IN = {
    cls.__name__: cls
    for cls in (
        ExponentialDecay,
        InverseTimeDecay,
        PolynomialDecay,
        PiecewiseConstantDecay,
        CosineDecay,
    )
}


def serialize(schedule: LearningRateSchedule) -> dict[str, Any]:
    """`{'class_name': ..., 'config': ...}`, as Keras' `schedules.serialize`.

    >>> serialize(PiecewiseConstantDecay([10], [0.1, 0.01]))["class_name"]
    'PiecewiseConstantDecay'
    """
    if not isinstance(schedule, LearningRateSchedule):
        raise TypeError(
            f"serialize expects a LearningRateSchedule, received {type(schedule).__name__}"
        )
    return {"class_name": type(schedule).__name__, "config": schedule.get_config()}


def deserialize(config: dict[str, Any], custom_objects: dict[str, Any] | None = None) -> Any:
    """The schedule that `serialize` described (custom classes through `custom_objects`).

    >>> deserialize(serialize(CosineDecay(0.1, 1000)))
    CosineDecay(initial_learning_rate=0.1, decay_steps=1000, alpha=0.0, name='CosineDecay', \
warmup_target=None, warmup_steps=0)
    """
    known = {**_BUILT_IN, **(custom_objects or {})}
    if not isinstance(config, dict) or config.get("class_name") not in known:
        raise ValueError(
            f"Could not deserialize learning rate schedule {config!r}: expected "
            f"{{'class_name': one of {sorted(known)}, 'config': {{...}}}}"
        )
    return known[config["class_name"]].from_config(config.get("config", {}))


__all__ = [
    "CosineDecay",
    "ExponentialDecay",
    "InverseTimeDecay",
    "LearningRateSchedule",
    "PiecewiseConstantDecay",
    "PolynomialDecay",
    "deserialize",
    "serialize",
]
