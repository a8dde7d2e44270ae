"""One small registry behind every string identifier ("mse", "adam", "glorot_uniform", ...).

Names are matched case-insensitively and without underscores, so the Keras function name
("mean_squared_error") and the Keras class name ("MeanSquaredError") find the same entry.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar

T = TypeVar("T")

# the custom classes and functions a load may name (Keras' custom_object_scope), by name
_CUSTOM_OBJECTS: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar(
    "custom_objects", default=None
)


@contextlib.contextmanager
def custom_object_scope(objects: dict[str, Any] | None) -> Iterator[None]:
    """Inside the block, every registry also finds `objects` by their exact names, as
    Keras' `keras.saving.custom_object_scope` (what `load_model(custom_objects=...)` uses).

    >>> from nn import activations
    >>> def swish(x):
    ...     return x * x.sigmoid()
    >>> with custom_object_scope({"swish": swish}):
    ...     activations.get("swish") is swish
    True
    """
    if objects is not None and not (
        isinstance(objects, dict) and all(isinstance(k, str) for k in objects)
    ):
        raise TypeError(
            f"custom_objects must be a dict of names to classes or functions, received {objects!r}"
        )
    token = _CUSTOM_OBJECTS.set({**custom_objects(), **(objects or {})})
    try:
        yield
    finally:
        _CUSTOM_OBJECTS.reset(token)


# what register_keras_serializable filed, by "package>name": found by every load
_REGISTERED: dict[str, Any] = {}


def register_keras_serializable(
    package: str = "Custom", name: str | None = None
) -> Callable[[T], T]:
    """Decorator (Keras' `keras.saving.register_keras_serializable`): a class or function
    of yours, found by every load under "package>name" without `custom_objects`.

    >>> import nn
    >>> @register_keras_serializable(package="Docs")
    ... def halve(x):
    ...     return x * 0.5
    >>> get_registered_name(halve), nn.activations.get("Docs>halve") is halve
    ('Docs>halve', True)
    """
    if not isinstance(package, str) or ">" in package:
        raise ValueError(f"register_keras_serializable expects a package name without '>', "
                         f"received package={package!r}")

    def decorate(obj: T) -> T:
        key = f"{package}>{name or getattr(obj, '__name__', '')}"
        if _REGISTERED.get(key, obj) is not obj:
            raise ValueError(f"{key!r} is already registered to {_REGISTERED[key]!r}")
        _REGISTERED[key] = obj
        return obj

    return decorate


def get_registered_name(obj: Any) -> str:
    """The name `register_keras_serializable` gave `obj`, else its own `__name__`.

    >>> get_registered_name(len)
    'len'
    """
    for key, registered in _REGISTERED.items():
        if registered is obj:
            return key
    return getattr(obj, "__name__", type(obj).__name__)


def custom_objects() -> dict[str, Any]:
    """The registered objects and the names the current `custom_object_scope` adds.

    >>> with custom_object_scope({"swish": abs}):
    ...     custom_objects()["swish"] is abs
    True
    """
    return {**_REGISTERED, **(_CUSTOM_OBJECTS.get() or {})}


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
        custom = custom_objects()
        if name in custom:  # a user's object, by its exact name, wins (as in Keras)
            return custom[name]
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
        >>> registry.get({"class_name": "SGD", "config": {"learning_rate": 0.5}})
        SGD(learning_rate=0.5, momentum=0.0, nesterov=False)
        """
        if identifier is None:
            if self.default is None:
                raise ValueError(
                    f"{self.kind.capitalize()} identifier required, received None. "
                    f"Valid names: {', '.join(repr(n) for n in self.names())}"
                )
            identifier = self.default
        if isinstance(identifier, dict):
            return self.deserialize(identifier)
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

    def serialize(self, obj: Any) -> Any:
        """What a config stores for `obj`: its registered name when it has its class's
        defaults ('glorot_uniform'), else Keras' `{"class_name", "config"}` (an object's
        `get_config()`), else a function's name (found again through custom_objects).

        >>> from nn.initializers import RandomNormal, registry
        >>> registry.serialize(RandomNormal()), registry.serialize(RandomNormal(stddev=0.5))
        ('random_normal', {'class_name': 'RandomNormal', 'config': {'mean': 0.0, 'stddev': 0.5, \
'seed': None}})
        """
        name = self.name_of(obj)
        get_config = getattr(obj, "get_config", None)
        if isinstance(obj, type) or get_config is None:  # a function (or a class given as one)
            return name or get_registered_name(obj)
        config = get_config()
        if name is not None and self.name_of(type(obj)) == name:
            try:
                default = type(obj)().get_config()
            except TypeError:  # a class with required arguments has no default instance
                default = None
            if default == config:
                return name
        spec = {"class_name": type(obj).__name__, "config": config}
        registered = get_registered_name(type(obj))
        if registered != spec["class_name"]:  # Keras writes "module" too, never read here
            spec["registered_name"] = registered
        return spec

    def deserialize(self, spec: dict[str, Any]) -> Any:
        """The object `serialize` described: `{"class_name": ..., "config": {...}}`, the
        class found in this registry or the current `custom_object_scope` (never imported:
        a config cannot run code), built by its `from_config` or `cls(**config)`.

        >>> from nn.initializers import registry
        >>> registry.deserialize({"class_name": "RandomNormal", "config": {"stddev": 0.5}})
        RandomNormal(mean=0.0, stddev=0.5, seed=None)
        >>> registry.deserialize({"class_name": "Mine", "config": {}})
        Traceback (most recent call last):
        ...
        ValueError: Unknown initializer class 'Mine' in {'class_name': 'Mine', 'config': {}}: \
not a built-in initializer; pass custom_objects={'Mine': Mine} to find a class of your own
        """
        class_name, config = spec.get("class_name"), spec.get("config", {})
        if not isinstance(class_name, str) or not isinstance(config, (dict, str)):
            raise ValueError(
                f"A serialized {self.kind} is {{'class_name': str, 'config': dict}}, received "
                f"{spec!r}"
            )
        if class_name == "function" and isinstance(config, str):  # Keras' form for functions
            class_name, config = config, {}
        registered = spec.get("registered_name")
        try:
            custom = custom_objects()
            found = (custom[registered] if isinstance(registered, str) and registered in custom
                     else self.lookup(class_name))
        except ValueError:
            raise ValueError(
                f"Unknown {self.kind} class {class_name!r} in {spec!r}: not a built-in "
                f"{self.kind}; pass custom_objects={{{class_name!r}: {class_name}}} to find a "
                "class of your own"
            ) from None
        if not isinstance(found, type):
            return found  # a function: nothing to configure
        if not isinstance(config, dict):
            raise ValueError(f"The config of {self.kind} {class_name!r} must be a dict: {spec!r}")
        from_config = getattr(found, "from_config", None)
        return from_config(config) if from_config is not None else found(**config)
