"""A small mixin for Keras-style objects rebuilt from `get_config()` (schedules,
regularizers): `from_config` and a `repr` that shows the config."""

from __future__ import annotations

from typing import Any, TypeVar

T = TypeVar("T", bound="Configurable")


class Configurable:
    """`cls.from_config(obj.get_config())` rebuilds `obj`; `repr` lists the config.

    >>> class Scale(Configurable):
    ...     def __init__(self, factor=1.0):
    ...         self.factor = factor
    ...     def get_config(self):
    ...         return {"factor": self.factor}
    >>> Scale.from_config(Scale(2.0).get_config())
    Scale(factor=2.0)
    """

    def get_config(self) -> dict[str, Any]:
        raise NotImplementedError(f"{type(self).__name__} does not implement get_config()")

    @classmethod
    def from_config(cls: type[T], config: dict[str, Any]) -> T:  # noqa: PYI019 (3.10: no Self)
        """An instance from its `get_config()`."""
        return cls(**config)

    def __repr__(self) -> str:
        try:
            args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        except NotImplementedError:
            args = ""
        return f"{type(self).__name__}({args})"
