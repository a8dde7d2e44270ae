"""`Layer`: the Keras 3 life cycle over autograd Tensors.

`__init__` validates and resolves identifiers, `build(input_shape)` creates the weights as soon
as the input shape is known, and `call` is only the math on Tensors: every gradient comes from
the engine. Each call runs inside `name_scope("dense (Dense)")` so drawn graphs group a layer's
nodes into one cluster.
"""

from __future__ import annotations

import functools
import inspect
import itertools
import re
from typing import Any, ClassVar, Sequence

import numpy as np

from autograd import Tensor, name_scope, no_grad
from autograd.modes import _SCOPE
from nn import initializers
from nn.layers.symbolic import is_symbolic, symbolic_call

Shape = tuple[int | None, ...]


class _LayerMeta(type):
    """Builds a layer whose input shape was declared once its whole `__init__` chain has run."""

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        layer = super().__call__(*args, **kwargs)
        if not layer.built and layer._declared_input_shape is not None:
            layer._build(layer._declared_input_shape)
        return layer


class Layer(metaclass=_LayerMeta):
    """Base class of every layer: weights, naming, shape checks, `get_weights`/`set_weights`.

    Subclasses override `build(input_shape)` (create weights with `add_weight`), `call(inputs)`
    (or `call(inputs, training=False)`) and, when the output shape differs from the input
    shape, `compute_output_shape(input_shape)`.

    >>> import numpy as np
    >>> from nn.layers import Layer
    >>> class Scale(Layer):
    ...     def build(self, input_shape):
    ...         self.w = self.add_weight("w", (input_shape[-1],), "ones")
    ...     def call(self, inputs):
    ...         return inputs * self.w
    >>> Scale()(np.array([[1.0, 2.0]])).data
    array([[1., 2.]], dtype=float32)
    """

    # True when the subclass's `call` takes `training` (Dropout): decided once per class
    _accepts_training: ClassVar[bool] = False
    # True when `call` may receive a list of tensors: merge layers and users' own layers (as
    # Keras); nn's other layers take one tensor and say so when given a list
    _accepts_list: ClassVar[bool] = True

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        declared = any("_accepts_list" in base.__dict__ for base in cls.__mro__[:-1]
                       if base is not Layer and base is not object)
        if not declared and cls.__module__.startswith("nn.layers."):
            cls._accepts_list = False
        if "call" in cls.__dict__:
            cls._accepts_training = "training" in inspect.signature(cls.call).parameters
        if "build" in cls.__dict__:  # as Keras: `layer.build(shape)` called directly builds it
            setattr(cls, "build", _marking_built(cls.__dict__["build"]))

    def __init__(
        self,
        *,
        name: str | None = None,
        dtype: Any = None,
        trainable: bool = True,
        input_shape: Sequence[int | None] | None = None,
        input_dim: int | None = None,
        batch_input_shape: Sequence[int | None] | None = None,
        **kwargs: Any,
    ) -> None:
        if kwargs:
            unknown = ", ".join(repr(k) for k in kwargs)
            raise TypeError(f"{type(self).__name__} got unexpected keyword argument(s) {unknown}")
        if name is not None and (not isinstance(name, str) or not name or "/" in name):
            raise ValueError(
                f"{type(self).__name__} expects name to be a non-empty string without '/', "
                f"received name={name!r}"
            )
        self._name = name or _snake_case(type(self).__name__)
        # an automatic name may be changed by the model to stay unique ('dense_1')
        self._auto_name = name is None
        self.dtype = resolve_dtype(dtype, type(self).__name__)
        self._trainable = _check_bool(trainable, "trainable", type(self).__name__)
        self._slots: list[tuple[str, Tensor, bool]] = []  # (weight name, tensor, trainable)
        self.built = False
        self._building = False  # inside _build: `build` runs only the subclass's code
        self._build_input_shape: Shape | None = None
        self._output_shape: Shape | None = None
        self._declared_input_shape = declared_input_shape(
            type(self).__name__, input_shape, input_dim, batch_input_shape
        )
        self._scope_name = ""
        # a weak reference to the Node of each call on symbolic tensors (node_index counts them)
        self._inbound_nodes: list[Any] = []
        self._set_name(self._name)

    # -- naming --------------------------------------------------------------------------
    @property
    def name(self) -> str:
        """The layer's name: given, or the snake-cased class name ('dense'), which a model
        numbers to keep unique ('dense_1').

        >>> from nn.layers import Dense
        >>> Dense(2).name, Dense(2, name="hidden").name
        ('dense', 'hidden')
        """
        return self._name

    def _set_name(self, name: str) -> None:
        self._name = name
        self._scope_name = f"{name} ({type(self).__name__})"
        for _, weight, _ in self._slots:
            weight.scope = self._scope_name

    # -- the life cycle --------------------------------------------------------------------
    def build(self, input_shape: Shape) -> None:
        """Create the weights for inputs of `input_shape` (batch axis `None`).

        Override it in a subclass (with `add_weight`); it runs once, on the first call or as
        soon as the input shape is declared. Calling it directly builds the layer, as in Keras.

        >>> from nn.layers import Dense
        >>> layer = Dense(2)
        >>> layer.build((None, 4))
        >>> layer.built, layer.kernel.shape, layer([[1.0, 2.0, 3.0, 4.0]]).shape
        (True, (4, 2), (1, 2))
        """

    def call(self, inputs: Tensor) -> Tensor:
        """The layer's math on a Tensor: override it (add `training=False` to the signature
        to be told whether `fit` is running). The base layer passes inputs through.

        >>> from autograd import Tensor
        >>> from nn.layers import Layer
        >>> class Square(Layer):
        ...     def call(self, inputs):
        ...         return inputs * inputs
        >>> Square()([[3.0]])
        Tensor([[9.]], dtype=float32)
        """
        return inputs

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        """The output's batch shape for inputs of `input_shape`; the base returns it as is,
        layers that change the shape (Dense, Flatten) override it.

        >>> from nn.layers import Activation
        >>> Activation("relu").compute_output_shape((None, 5))
        (None, 5)
        """
        return tuple(input_shape)

    def _build(self, input_shape: Any) -> None:
        # several inputs (a merge layer): a list of shapes, as Keras passes them to build
        input_shape = ([tuple(s) for s in input_shape] if _is_shape_list(input_shape)
                       else tuple(input_shape))
        self._building = True
        try:
            with name_scope(self._scope_name):  # weights are drawn inside the layer's cluster
                self.build(input_shape)
        finally:
            self._building = False
        self.built = True
        self._build_input_shape = input_shape
        self._output_shape = self._infer_output_shape(input_shape)

    def _infer_output_shape(self, input_shape: Any) -> Any:
        """`compute_output_shape`, or, for a layer that does not define it, the shape of
        `call` on a zero batch of one sample (Keras infers it by a symbolic call)."""
        own = type(self).__module__.startswith("nn.layers.")  # nn's own keep the shape if silent
        if own or type(self).compute_output_shape is not Layer.compute_output_shape:
            shape: Any = self.compute_output_shape(input_shape)
            return tuple(tuple(s) for s in shape) if _is_shape_list(shape) else tuple(shape)
        several = isinstance(input_shape, list)
        shapes = input_shape if several else [input_shape]
        zeros = [Tensor(np.zeros(tuple(1 if n is None else n for n in s), dtype=self.dtype))
                 for s in shapes]
        args: Any = zeros if several else zeros[0]
        token = _SCOPE.set(self._scope_name)
        try:
            # errstate: zeros may hit a log or a division; only the shape is wanted
            with no_grad(), np.errstate(all="ignore"):
                out = (self.call(args, training=False)  # type: ignore[call-arg]
                       if self._accepts_training else self.call(args))
        except Exception as error:
            message = (
                f'layer "{self.name}" ({type(self).__name__}) defines no compute_output_shape, '
                f"and calling it on a zero batch of shape(s) {input_shape} to infer its output "
                f"shape failed: {error}"
            )
            try:  # the same kind of error, now naming the layer it comes from
                blamed = type(error)(message)
            except Exception:
                blamed = ValueError(message)
            raise blamed from error
        finally:
            _SCOPE.reset(token)
        outs = out if isinstance(out, (list, tuple)) else [out]
        if not all(isinstance(o, Tensor) for o in outs):
            raise TypeError(
                f'layer "{self.name}" ({type(self).__name__}): call() must return a Tensor (or '
                f"a list of Tensors), returned {type(out).__name__}"
            )
        found = [(None,) + tuple(o.shape[1:]) for o in outs]
        return tuple(found) if isinstance(out, (list, tuple)) else found[0]

    def _check_input_shape(self, shape: tuple[int, ...]) -> None:
        """Raise ValueError when inputs of `shape` cannot go through the built layer."""

    def __call__(self, inputs: Any, training: bool | None = None) -> Any:
        """Apply the layer: a Tensor in, a Tensor out (arrays and lists are wrapped); on
        symbolic tensors (from `nn.Input`) it records the call for `nn.Model(inputs, outputs)`."""
        if isinstance(inputs, Tensor):
            x = inputs
        elif is_symbolic(inputs):
            return symbolic_call(self, inputs)
        elif _is_tensor_list(inputs, self._accepts_list):
            return self._call_list(inputs, training)
        else:
            x = to_tensor(inputs, self.dtype, self.name)
        if not self.built:
            if x.ndim == 0:
                raise ValueError(
                    f'layer "{self.name}" expects a batch of inputs, received a scalar'
                )
            self._build((None,) + x.shape[1:])
        else:
            self._check_input_shape(x.shape)
        # name_scope's effect, without an object per call: this runs once per layer per batch
        token = _SCOPE.set(self._scope_name)
        try:
            if self._accepts_training:
                return self.call(x, training=bool(training))  # type: ignore[call-arg]
            return self.call(x)
        finally:
            _SCOPE.reset(token)

    def _call_list(self, inputs: Sequence[Any], training: bool | None) -> Any:
        """A call on a list of tensors (merge layers, users' layers that take several)."""
        if not self._accepts_list:
            raise ValueError(
                f'layer "{self.name}" ({type(self).__name__}) takes one tensor, received a '
                f"list of {len(inputs)}: merge them first (layers.Concatenate(), ...)"
            )
        xs = [t if isinstance(t, Tensor) else to_tensor(t, self.dtype, self.name) for t in inputs]
        if not self.built:
            self._build([(None,) + x.shape[1:] for x in xs])
        token = _SCOPE.set(self._scope_name)
        try:
            if self._accepts_training:
                return self.call(xs, training=bool(training))  # type: ignore[arg-type,call-arg]
            return self.call(xs)  # type: ignore[arg-type]
        finally:
            _SCOPE.reset(token)

    # -- weights ---------------------------------------------------------------------------
    def add_weight(
        self,
        *args: Any,
        shape: Sequence[int] | None = None,
        initializer: Any = None,
        dtype: Any = None,
        trainable: bool = True,
        name: str | None = None,
    ) -> Tensor:
        """Create a weight Tensor from `initializer` (an identifier or a callable; default
        'glorot_uniform'): call it in `build`. A frozen layer's weights (or `trainable=False`)
        do not require grad.

        Keras 3's keywords (`shape=`, `initializer=`, `trainable=`, `name=`) or its
        positional order `(shape, initializer, dtype, trainable)`; a first positional
        string is the name, in Keras 2's order `(name, shape, initializer, trainable)`.
        Without a name the weight is 'variable', 'variable_1', ... (Keras 3 numbers them
        process-wide, keras/src/backend/common/variables.py; here within the layer).

        >>> from nn.layers import Layer
        >>> layer = Layer()
        >>> w = layer.add_weight("scale", (2,), "ones")
        >>> w, layer.weight_names
        (Tensor([1., 1.], dtype=float32, requires_grad=True, name='scale'), ['scale'])
        >>> _ = layer.add_weight(shape=(2, 2), initializer="zeros", trainable=False)
        >>> layer.weight_names
        ['scale', 'variable']
        """
        name, shape, initializer, dtype, trainable = _weight_args(
            self.name, args, name, shape, initializer, dtype, trainable
        )
        if name is None:
            taken = {n for n, _, _ in self._slots}
            name = next(c for c in ("variable" if i == 0 else f"variable_{i}"
                                    for i in itertools.count()) if c not in taken)
        if any(n == name for n, _, _ in self._slots):
            raise ValueError(f'layer "{self.name}" already has a weight named {name!r}')
        dtype = self.dtype if dtype is None else resolve_dtype(dtype, type(self).__name__)
        init = initializers.get(initializer) if not callable(initializer) else initializer
        data = np.asarray(init(shape, dtype=dtype), dtype=dtype)
        if data.shape != shape:
            raise ValueError(
                f"initializer {initializer!r} returned shape {data.shape} for weight {name!r} "
                f"of shape {shape}"
            )
        weight = Tensor(data, requires_grad=trainable and self._trainable, name=name)
        weight.scope = self._scope_name
        self._slots.append((name, weight, trainable))
        return weight

    @property
    def trainable(self) -> bool:
        """Settable: False freezes the layer (its weights get no gradient and move to
        `non_trainable_weights`), True unfreezes it.

        >>> from nn.layers import Dense
        >>> layer = Dense(2, input_dim=3)
        >>> layer.trainable = False
        >>> layer.kernel.requires_grad, len(layer.trainable_weights)
        (False, 0)
        """
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        self._trainable = _check_bool(value, "trainable", type(self).__name__)
        for _, weight, slot_trainable in self._slots:
            weight.requires_grad = value and slot_trainable

    @property
    def weight_names(self) -> list[str]:
        """Names of `weights`, in the same order ('kernel', 'bias').

        >>> from nn.layers import Dense
        >>> Dense(2, input_dim=3).weight_names
        ['kernel', 'bias']
        """
        trainable = [n for n, _, t in self._slots if t and self._trainable]
        return trainable + [n for n, _, t in self._slots if not (t and self._trainable)]

    @property
    def trainable_weights(self) -> list[Tensor]:
        """The weights training updates (none when the layer is frozen).

        >>> from nn.layers import Dense
        >>> [w.shape for w in Dense(2, input_dim=3).trainable_weights]
        [(3, 2), (2,)]
        """
        return [w for _, w, t in self._slots if t and self._trainable]

    @property
    def non_trainable_weights(self) -> list[Tensor]:
        """The weights training leaves alone: all of them when the layer is frozen.

        >>> from nn.layers import Dense
        >>> layer = Dense(2, input_dim=3, trainable=False)
        >>> [w.name for w in layer.non_trainable_weights]
        ['kernel', 'bias']
        """
        return [w for _, w, t in self._slots if not (t and self._trainable)]

    @property
    def weights(self) -> list[Tensor]:
        """Trainable weights first, then the others (Keras' order).

        >>> from nn.layers import Dense
        >>> [(w.name, w.shape) for w in Dense(2, input_dim=3).weights]
        [('kernel', (3, 2)), ('bias', (2,))]
        """
        return self.trainable_weights + self.non_trainable_weights

    def count_params(self) -> int:
        """The number of weight elements (ValueError before the layer is built).

        >>> from nn.layers import Dense
        >>> Dense(2, input_dim=3).count_params()  # 3 * 2 + 2
        8
        """
        if not self.built:
            raise ValueError(
                f'layer "{self.name}" is not built yet, so it has no weights to count: give it '
                "an input_shape or call it on data first"
            )
        return int(sum(w.size for w in self.weights))

    def get_weights(self) -> list[np.ndarray]:
        """Copies of the weights as arrays: `[kernel, bias]` for a Dense layer.

        >>> from nn.layers import Dense
        >>> [w.shape for w in Dense(2, input_dim=3, bias_initializer="ones").get_weights()]
        [(3, 2), (2,)]
        """
        return [w.data.copy() for w in self.weights]

    def set_weights(self, weights: Sequence[Any]) -> None:
        """Overwrite the weights; count and shapes must match `get_weights()` (else
        ValueError naming the weight and both shapes).

        >>> import numpy as np
        >>> from nn.layers import Dense
        >>> layer = Dense(1, input_dim=2)
        >>> layer.set_weights([np.array([[1.0], [1.0]]), np.array([0.5])])
        >>> layer([[1.0, 2.0]])
        Tensor([[3.5]], dtype=float32, requires_grad=True)
        """
        current = self.weights
        if not self.built and len(weights) > 0:
            raise ValueError(
                f'layer "{self.name}" is not built yet, so it has no weights to set: give it an '
                "input_shape or call it on data first"
            )
        expected = ", ".join(f"{n} {w.shape}" for n, w in zip(self.weight_names, current))
        if len(weights) != len(current):
            raise ValueError(
                f'layer "{self.name}" expects {len(current)} weight arrays ({expected or "none"}), '
                f"received {len(weights)}"
            )
        arrays = [_weight_array(self.name, name, w) for name, w in zip(self.weight_names, weights)]
        for name, weight, array in zip(self.weight_names, current, arrays):
            if array.shape != weight.shape:
                raise ValueError(
                    f'layer "{self.name}": weight {name!r} has shape {weight.shape}, received '
                    f"an array of shape {array.shape} (the layer expects {expected})"
                )
        for weight, array in zip(current, arrays):
            weight.data = np.array(array, dtype=weight.dtype)

    # -- shapes and display ------------------------------------------------------------------
    @property
    def input_shape(self) -> Shape:
        """The batch shape the layer was built for (AttributeError before that).

        >>> from nn.layers import Dense
        >>> Dense(2, input_shape=(3,)).input_shape
        (None, 3)
        """
        if self._build_input_shape is None:
            raise AttributeError(f'layer "{self.name}" has no input shape yet: it is not built')
        return self._build_input_shape

    @property
    def output_shape(self) -> Shape:
        """The batch shape of the layer's output (AttributeError before it is built).

        >>> from nn.layers import Dense
        >>> Dense(2, input_shape=(3,)).output_shape
        (None, 2)
        """
        if self._output_shape is None:
            raise AttributeError(f'layer "{self.name}" has no output shape yet: it is not built')
        return self._output_shape

    def get_config(self) -> dict[str, Any]:
        """The layer's settings as a dict (Keras' `get_config`); subclasses add their own.

        >>> from nn.layers import Layer
        >>> Layer(name="identity").get_config()
        {'name': 'identity', 'trainable': True, 'dtype': 'float32'}
        """
        return {"name": self.name, "trainable": self.trainable, "dtype": self.dtype.name}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Layer:
        """A new, unbuilt layer from `get_config()`'s dict (Keras' `from_config`).

        >>> from nn.layers import Dense
        >>> Dense.from_config(Dense(3, activation="tanh", name="h").get_config())
        <Dense name='h', built=False>
        """
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r}, built={self.built}>"


# ---------------------------------------------------------------------------------------
# Helpers shared by layers and models


def _weight_array(layer: str, name: str, weight: Any) -> np.ndarray:
    """set_weights' input as a numeric ndarray, else a clear error quoting what was received."""
    data = getattr(weight, "data", weight)
    try:
        array = np.asarray(data)
    except (TypeError, ValueError) as error:  # ragged nested lists
        raise ValueError(
            f'layer "{layer}": weight {name!r} must be a rectangular numeric array, received '
            f"{_short(data)}: {error}"
        ) from None
    if array.dtype.kind not in "biuf":
        raise TypeError(
            f'layer "{layer}": weight {name!r} must be a numeric array, received {_short(data)} '
            f"(dtype {array.dtype})"
        )
    return array


def _short(data: Any) -> str:
    text = " ".join(repr(data).split())
    return text if len(text) <= 60 else text[:57] + "..."


def _is_tensor_list(inputs: Any, accepts_list: bool) -> bool:
    """A list of Tensors (or, for a layer that takes lists, of arrays): several inputs."""
    if not isinstance(inputs, (list, tuple)) or not inputs:
        return False
    if not all(isinstance(t, (Tensor, np.ndarray)) for t in inputs):
        return False
    return accepts_list or any(isinstance(t, Tensor) for t in inputs)


def _is_shape_list(shape: Any) -> bool:
    return isinstance(shape, (list, tuple)) and len(shape) > 0 and isinstance(
        shape[0], (list, tuple)
    )


def _weight_args(
    layer: str, args: tuple[Any, ...], name: Any, shape: Any, initializer: Any, dtype: Any,
    trainable: Any,
) -> tuple[str | None, tuple[int, ...], Any, Any, bool]:
    """add_weight's arguments in Keras 3's order, or Keras 2's when the first is a name."""
    order = ("name", "shape", "initializer", "trainable") if args and isinstance(
        args[0], str) else ("shape", "initializer", "dtype", "trainable")
    if len(args) > len(order):
        raise TypeError(
            f"add_weight takes at most {len(order)} positional arguments {order}, received "
            f"{len(args)}"
        )
    given = {"name": name, "shape": shape, "initializer": initializer, "dtype": dtype,
             "trainable": trainable}
    for key, value in zip(order, args):
        if key != "trainable" and given[key] is not None:
            raise TypeError(f"add_weight got {key} both by position and by keyword")
        given[key] = value
    shape = () if given["shape"] is None else given["shape"]  # Keras 3: a scalar weight
    if isinstance(shape, (int, np.integer)) and not isinstance(shape, bool):
        shape = (shape,)
    if not isinstance(shape, (tuple, list)) or not all(
        _is_int(n) and n >= 0 for n in shape
    ):
        raise ValueError(
            f'layer "{layer}": add_weight expects shape to be a tuple of non-negative '
            f"integers, received shape={shape!r}"
        )
    name = given["name"]
    if name is not None and (not isinstance(name, str) or not name or "/" in name):
        raise ValueError(
            f'layer "{layer}": add_weight expects name to be a non-empty string without '
            f"'/', received name={name!r}"
        )
    init = "glorot_uniform" if given["initializer"] is None else given["initializer"]
    return name, tuple(int(n) for n in shape), init, given["dtype"], _check_bool(
        given["trainable"], "trainable", "add_weight")


def _marking_built(build: Any) -> Any:
    """Wrap a subclass's `build` so that a direct call also marks the layer built (shapes,
    name scope), as Keras does; inside `_build` it is the subclass's code alone."""

    @functools.wraps(build)
    def wrapper(self: Layer, input_shape: Shape) -> None:
        if self._building:
            build(self, input_shape)
        else:
            self._build(input_shape)

    return wrapper


def _snake_case(name: str) -> str:
    """A class name as Keras 3 names its instances (keras/src/utils/naming.py).

    >>> [_snake_case(n) for n in ("Conv2D", "MaxPooling2D", "SimpleRNN", "BatchNormalization")]
    ['conv2d', 'max_pooling2d', 'simple_rnn', 'batch_normalization']
    """
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)  # a capitalised word after anything
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()  # an acronym after a lowercase


def _is_int(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def positive_int(value: Any, name: str, owner: str) -> int:
    """`value` as an int, ValueError unless it is a positive integer (units, filters, ...).

    >>> positive_int(6, "filters", "Conv2D")
    6
    """
    if not _is_int(value) or value <= 0:
        raise ValueError(
            f"{owner} expects {name} to be a positive integer, received {name}={value!r}"
        )
    return int(value)


def last_axis_error(name: str, shape: tuple[int, ...], expected: int) -> ValueError:
    """Keras' error for an input whose last axis (features, channels) is not `expected`.

    >>> str(last_axis_error("dense", (2, 3), 4)).split(": ")[1]
    'expected axis -1 of input shape to have value 4, but received input with shape (2, 3)'
    """
    return ValueError(
        f'Input 0 of layer "{name}" is incompatible with the layer: expected axis -1 of '
        f"input shape to have value {expected}, but received input with shape {shape}"
    )


def _check_bool(value: Any, what: str, owner: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{owner} expects {what} to be True or False, received {value!r}")
    return bool(value)


def resolve_dtype(dtype: Any, owner: str) -> np.dtype:
    """float32 unless asked otherwise (Keras' default); only float32 and float64 are allowed.

    >>> resolve_dtype(None, "Dense"), resolve_dtype("float64", "Dense")
    (dtype('float32'), dtype('float64'))
    """
    if dtype is None:
        return np.dtype(np.float32)
    try:
        resolved = np.dtype(dtype)
    except TypeError:
        resolved = None
    if resolved not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise ValueError(f"{owner} expects dtype 'float32' or 'float64', received dtype={dtype!r}")
    return resolved


def declared_input_shape(
    owner: str,
    input_shape: Sequence[int | None] | None,
    input_dim: int | None,
    batch_input_shape: Sequence[int | None] | None = None,
) -> Shape | None:
    """The batch shape `(None, ...)` declared by `input_shape`, `input_dim` or
    `batch_input_shape`, validated; None when none was given.

    >>> declared_input_shape("Dense", (28, 28), None), declared_input_shape("Dense", None, 3)
    ((None, 28, 28), (None, 3))
    """
    given = [
        k
        for k, v in [
            ("input_shape", input_shape),
            ("input_dim", input_dim),
            ("batch_input_shape", batch_input_shape),
        ]
        if v is not None
    ]
    if len(given) > 1:
        raise ValueError(f"{owner} accepts only one of {', '.join(given)}")
    if input_dim is not None:
        input_shape = (input_dim,)
    if batch_input_shape is not None:
        shape = _check_dims(owner, "batch_input_shape", batch_input_shape)
        return (None,) + shape[1:]
    if input_shape is None:
        return None
    return (None,) + _check_dims(owner, "input_shape", input_shape)


def _check_dims(owner: str, what: str, dims: Any) -> Shape:
    if isinstance(dims, (int, np.integer)) and not isinstance(dims, bool):
        dims = (dims,)  # input_shape=20 is a common slip for (20,)
    if not isinstance(dims, (tuple, list)):
        raise TypeError(f"{owner} expects {what} to be a tuple of integers, received {dims!r}")
    out: list[int | None] = []
    for i, n in enumerate(dims):
        if n is None and (what == "batch_input_shape" and i == 0):
            out.append(None)
        elif isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n > 0:
            out.append(int(n))
        else:
            raise ValueError(
                f"{owner} expects {what} to hold positive integers, received {what}={dims!r}"
            )
    return tuple(out)


def to_tensor(data: Any, dtype: np.dtype, owner: str) -> Tensor:
    """Wrap arrays, lists and numbers as a constant Tensor of `dtype` (TypeError otherwise).

    >>> to_tensor([[1, 2]], np.dtype(np.float32), "dense")
    Tensor([[1., 2.]], dtype=float32)
    """
    try:
        array = np.asarray(data)
    except (TypeError, ValueError) as error:
        raise TypeError(
            f'layer "{owner}" expects numeric input, received {data!r}: {error}'
        ) from None
    if array.dtype.kind not in "biuf":
        raise TypeError(
            f'layer "{owner}" expects numeric input, received an array of dtype {array.dtype}'
        )
    return Tensor(array.astype(dtype, copy=False))
