"""One small registry behind every string identifier ("mse", "adam", "glorot_uniform", ...).

Names are matched case-insensitively and without underscores, so the Keras function name
("mean_squared_error") and the Keras class name ("MeanSquaredError") find the same entry.
"""

from __future__ import annotations

from typing import Any, Callable, Generic, TypeVar

T = TypeVar("T")


def _key(name: str) -> str:
    # "MeanSquaredError", "mean_squared_error" and "MEAN_SQUARED_ERROR" are one identifier
    return name.replace("_", "").lower()


class Registry(Generic[T]):
    """Named objects of one kind (losses, optimizers, ...), with aliases.

    `get(identifier)` resolves what a user passes: a string gives the registered object (a
    registered class is instantiated with its defaults), a callable or an instance of `base`
    comes back unchanged, None gives the default (or a ValueError when the kind has none).

    >>> optimizers = Registry("optimizer")
    >>> @optimizers.register("sgd", "gradient_descent")
    ... class SGD:
    ...     pass
    >>> type(optimizers.get("SGD")).__name__
    'SGD'
    >>> optimizers.get("sgdd")
    Traceback (most recent call last):
    ...
    ValueError: Unknown optimizer identifier 'sgdd'. Valid names: 'gradient_descent', 'sgd'
    """

    def __init__(self, kind: str, default: str | None = None, base: type | None = None) -> None:
        self.kind = kind
        self.default = default
        self.base = base
        self._entries: dict[str, T] = {}  # normalized key -> object
        self._names: dict[str, str] = {}  # registered spelling -> normalized key
        self._canonical: dict[int, str] = {}  # id(object) -> its first name

    def register(self, *names: str) -> Callable[[T], T]:
        """Decorator: file the object under `names` (the first is its canonical name).

        >>> activations = Registry("activation")
        >>> @activations.register("relu", "rectifier")
        ... def relu(x):
        ...     return max(x, 0.0)
        >>> activations.get("Rectifier")(-2.0), activations.name_of(relu)
        (0.0, 'relu')
        """
        if not names:
            raise ValueError(f"register() needs at least one name for the {self.kind} registry")

        def decorate(obj: T) -> T:
            for name in names:
                key = _key(name)
                if key in self._entries and self._entries[key] is not obj:
                    raise ValueError(
                        f"{self.kind} name {name!r} is already registered to {self._entries[key]!r}"
                    )
                self._entries[key] = obj
                self._names[name] = key
            self._canonical.setdefault(id(obj), names[0])
            return obj

        return decorate

    def names(self) -> list[str]:
        """Every registered name and alias, sorted.

        >>> from nn.losses import registry
        >>> registry.names()[:4]
        ['binary_crossentropy', 'categorical_crossentropy', 'hinge', 'huber']
        """
        return sorted(self._names)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and _key(name) in self._entries

    def lookup(self, name: str) -> T:
        """The registered object itself (a class stays a class), or ValueError.

        >>> from nn.optimizers import registry
        >>> registry.lookup("Adam")
        <class 'nn.optimizers.Adam'>
        """
        try:
            return self._entries[_key(name)]
        except KeyError:
            valid = ", ".join(repr(n) for n in self.names())
            raise ValueError(
                f"Unknown {self.kind} identifier {name!r}. Valid names: {valid}"
            ) from None

    def name_of(self, obj: Any) -> str | None:
        """The canonical name `obj` (or its class) was registered under, if any.

        >>> from nn.optimizers import Adam, registry
        >>> registry.name_of(Adam()), registry.name_of(object())
        ('adam', None)
        """
        for candidate in (obj, type(obj)):
            name = self._canonical.get(id(candidate))
            if name is not None:
                return name
        return None

    def get(self, identifier: Any) -> Any:
        """Resolve a user's identifier to an object of this kind: a name gives the registered
        object (a class instantiated with its defaults), an instance or callable comes back.

        >>> from nn.optimizers import SGD, registry
        >>> registry.get("sgd")
        SGD(learning_rate=0.01, momentum=0.0, nesterov=False)
        >>> mine = SGD(learning_rate=0.5)
        >>> registry.get(mine) is mine
        True
        """
        if identifier is None:
            if self.default is None:
                raise ValueError(
                    f"{self.kind.capitalize()} identifier required, received None. "
                    f"Valid names: {', '.join(repr(n) for n in self.names())}"
                )
            identifier = self.default
        if isinstance(identifier, str):
            obj: Any = self.lookup(identifier)
            return obj() if isinstance(obj, type) else obj
        if isinstance(identifier, type) and self.base is not None:
            if issubclass(identifier, self.base):
                return identifier()  # a class given for its defaults, as with a string
        elif self.base is not None and isinstance(identifier, self.base):
            return identifier
        if callable(identifier):
            return identifier
        raise TypeError(
            f"Could not interpret {self.kind} identifier {identifier!r} of type "
            f"{type(identifier).__name__}: expected a string, a callable"
            + (f" or a {self.base.__name__} instance" if self.base is not None else "")
        )
