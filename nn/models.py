"""`Sequential` (and the `Model` base it shares with subclassed models): layers, weights,
`summary()`, and weight files. Training (`compile`, `fit`, ...) lives in `nn.training`.

>>> import nn
>>> model = nn.Sequential([nn.layers.Dense(2, input_shape=(3,))])
>>> model.predict([[1.0, 2.0, 3.0]], verbose=0).shape
(1, 2)
"""

from __future__ import annotations

import inspect
import itertools
from typing import Any, Callable, ClassVar, Iterable, Sequence

import numpy as np

from autograd import Tensor
from nn import saving
from nn.cloning import clone_model  # noqa: F401  (keras.models.clone_model)
from nn.layers.base import Layer, Shape, to_tensor
from nn.layers.input import InputLayer
from nn.layers.symbolic import KerasTensor
from nn.saving import load_model, save_model  # noqa: F401  (keras.models' names too)
from nn.training import TrainingMixin

# Keras numbers models process-wide: sequential, sequential_1, ... (reset by clear_session)
_MODEL_COUNTS: dict[str, itertools.count[int]] = {}


def _unique_model_name(base: str) -> str:
    n = next(_MODEL_COUNTS.setdefault(base, itertools.count()))
    return base if n == 0 else f"{base}_{n}"


def clear_session() -> None:
    """Restart model numbering, so the next `Sequential()` is named 'sequential' again.

    >>> import nn
    >>> nn.clear_session()
    >>> nn.Sequential().name, nn.Sequential().name
    ('sequential', 'sequential_1')
    """
    _MODEL_COUNTS.clear()


class Model(TrainingMixin):
    """The base of every model: subclass it, create layers in `__init__`, write `call`.

    >>> import nn
    >>> class TwoLayers(nn.Model):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.hidden = nn.layers.Dense(4, activation="relu")
    ...         self.out = nn.layers.Dense(1)
    ...     def call(self, inputs, training=False):
    ...         return self.out(self.hidden(inputs))
    >>> model = TwoLayers()
    >>> model(np.ones((2, 3))).shape
    (2, 1)
    >>> [layer.name for layer in model.layers]
    ['dense', 'dense_1']
    """

    _call_takes_training: ClassVar[bool] = True
    _tracked: list[Layer]  # set in __init__ with object.__setattr__, bypassing tracking

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "call" in cls.__dict__:  # users often write call(self, inputs) without training
            cls._call_takes_training = "training" in inspect.signature(cls.call).parameters

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        # Model(inputs, outputs) is the functional API: it returns a Functional (as Keras 3)
        functional = (len(args) >= 2 or "inputs" in kwargs or "outputs" in kwargs
                      or (len(args) == 1 and _symbolic(args[0])))
        if cls is Model and functional:
            from nn.functional import Functional

            return object.__new__(Functional)
        return object.__new__(cls)

    def __init__(self, name: str | None = None, *args: Any, **kwargs: Any) -> None:
        if _symbolic(name) or args or {"inputs", "outputs"} & set(kwargs):
            raise TypeError(
                f"{type(self).__name__}.__init__ received inputs/outputs: a subclass of Model "
                "built from the functional API (super().__init__(inputs, outputs)) is not "
                "supported; build nn.Model(inputs, outputs) directly, or write call()"
            )
        if kwargs:
            raise TypeError(
                f"{type(self).__name__}.__init__ got unexpected keyword argument(s) "
                f"{', '.join(map(repr, kwargs))}"
            )
        if name is not None and (not isinstance(name, str) or not name):
            raise ValueError(f"model name must be a non-empty string, received name={name!r}")
        default = "sequential" if isinstance(self, Sequential) else _snake(type(self).__name__)
        object.__setattr__(self, "_tracked", [])
        self.name = name or _unique_model_name(default)
        self._batch_input_shape: Shape | None = None
        self.stop_training = False
        self.history: Any = None
        self._reset_compile()

    def __setattr__(self, key: str, value: Any) -> None:
        # subclassed models: layers assigned as attributes become model.layers, in order
        if isinstance(value, Layer) and not key.startswith("_"):
            self._track(value)
        object.__setattr__(self, key, value)

    def _track(self, layer: Layer) -> None:
        if any(layer is known for known in self._tracked):
            return
        self._claim_name(layer)
        self._tracked.append(layer)

    def _claim_name(self, layer: Layer) -> None:
        """Give `layer` a name unique in this model ('dense', 'dense_1', ...)."""
        taken = {known.name for known in self.layers}
        if layer.name not in taken:
            return
        if not layer._auto_name:
            raise ValueError(
                f'All layers added to a model must have unique names: "{layer.name}" is already '
                f'used in model "{self.name}" (layers: {", ".join(sorted(taken))})'
            )
        base = layer.name.rsplit("_", 1)[0] if _has_number(layer.name) else layer.name
        n = 1
        while f"{base}_{n}" in taken:
            n += 1
        layer._set_name(f"{base}_{n}")

    # -- structure ---------------------------------------------------------------------------
    @property
    def layers(self) -> list[Layer]:
        """The model's layers in order (a copy: changing the list changes nothing); an
        `Input` is not listed, as in Keras.

        >>> import nn
        >>> model = nn.Sequential([nn.Input(shape=(2,)), nn.layers.Dense(3), nn.layers.Dense(1)])
        >>> [layer.name for layer in model.layers]
        ['dense', 'dense_1']
        """
        return list(self._tracked)

    def get_layer(self, name: str | None = None, index: int | None = None) -> Layer:
        """A layer by name or by position (ValueError listing the names if none matches).

        >>> import nn
        >>> model = nn.Sequential([nn.layers.Dense(3, input_dim=2), nn.layers.Dense(1)])
        >>> model.get_layer("dense_1"), model.get_layer(index=0)
        (<Dense name='dense_1', built=True>, <Dense name='dense', built=True>)
        """
        if index is not None:
            count = len(self.layers)
            if isinstance(index, bool) or not isinstance(index, (int, np.integer)):
                raise TypeError(f"get_layer expects index to be an int, received {index!r}")
            if not -count <= index < count:
                raise ValueError(
                    f'get_layer: asked for the layer at index {index}, but model "{self.name}" '
                    f"has {count} layer(s) (indices 0 to {count - 1})"
                )
            return self.layers[index]
        if name is None:
            raise ValueError("get_layer expects a layer name or an index, received neither")
        for layer in self.layers:
            if layer.name == name:
                return layer
        names = ", ".join(layer.name for layer in self.layers)
        raise ValueError(f'no layer named "{name}" in model "{self.name}"; layers: {names}')

    @property
    def built(self) -> bool:
        """True once every layer has its weights (the input shape became known).

        >>> import nn
        >>> model = nn.Sequential([nn.layers.Dense(3)])
        >>> before = model.built
        >>> model.build((None, 4))
        >>> before, model.built
        (False, True)
        """
        return bool(self.layers) and all(layer.built for layer in self.layers)

    @property
    def dtype(self) -> np.dtype:
        """The dtype inputs are cast to: the first layer's (float32 by default, as Keras).

        >>> import nn
        >>> nn.Sequential([nn.layers.Dense(1, input_dim=2)]).dtype
        dtype('float32')
        """
        layers = self.layers
        return layers[0].dtype if layers else np.dtype(np.float32)

    def call(self, inputs: Tensor, training: bool = False) -> Tensor:
        """The forward pass on a Tensor: subclasses write it (see the class docstring);
        `model(x)` wraps arrays as Tensors and calls it. `training` is True inside `fit`.

        >>> import nn
        >>> class Double(nn.Model):
        ...     def call(self, inputs):
        ...         return inputs * 2
        >>> Double()([[1.0, 2.0]])
        Tensor([[2., 4.]], dtype=float32)
        """
        raise NotImplementedError(f"{type(self).__name__} must define call(self, inputs)")

    def __call__(self, inputs: Any, training: bool | None = None) -> Tensor:
        """Run the model: a Tensor in, a Tensor out (arrays and lists are wrapped)."""
        x = inputs if isinstance(inputs, Tensor) else to_tensor(inputs, self.dtype, self.name)
        if self._batch_input_shape is None and x.ndim > 0:
            self._batch_input_shape = (None,) + x.shape[1:]
        if self._call_takes_training:
            return self.call(x, training=bool(training))  # type: ignore[call-arg]
        return self.call(x)

    def build(self, input_shape: Sequence[int | None]) -> None:
        """Create every weight for inputs of `input_shape` (batch axis first, e.g. (None, 20)).

        >>> import nn
        >>> model = nn.Sequential([nn.layers.Dense(3), nn.layers.Dense(1)])
        >>> model.build((None, 4))
        >>> model.count_params()  # (4 * 3 + 3) + (3 * 1 + 1)
        19
        """
        shape = tuple(input_shape)
        self(np.zeros((1,) + tuple(1 if n is None else n for n in shape[1:]), dtype=self.dtype))
        self._batch_input_shape = (None,) + shape[1:]

    @property
    def input_shape(self) -> Shape:
        """The batch shape of the inputs, batch axis None (AttributeError before building).

        >>> import nn
        >>> nn.Sequential([nn.layers.Dense(1, input_shape=(5,))]).input_shape
        (None, 5)
        """
        if self._batch_input_shape is None:
            raise AttributeError(f'model "{self.name}" has no input shape yet: it is not built')
        return self._batch_input_shape

    @property
    def output_shape(self) -> Shape:
        """The batch shape of the outputs: the last layer's `output_shape`.

        >>> import nn
        >>> nn.Sequential([nn.layers.Dense(3, input_dim=5), nn.layers.Dense(2)]).output_shape
        (None, 2)
        """
        if not self.layers:
            raise AttributeError(f'model "{self.name}" has no layers')
        return self.layers[-1].output_shape

    # -- weights -----------------------------------------------------------------------------
    @property
    def trainable_weights(self) -> list[Tensor]:
        """The Tensors that training updates, in layer order (frozen layers excluded).

        >>> import nn
        >>> model = nn.Sequential([nn.layers.Dense(3, input_dim=2), nn.layers.Dense(1)])
        >>> model.layers[0].trainable = False
        >>> [w.shape for w in model.trainable_weights]
        [(3, 1), (1,)]
        """
        return [w for layer in self.layers for w in layer.trainable_weights]

    @property
    def non_trainable_weights(self) -> list[Tensor]:
        """The weights training leaves alone (those of frozen layers), in layer order.

        >>> import nn
        >>> model = nn.Sequential([nn.layers.Dense(3, input_dim=2), nn.layers.Dense(1)])
        >>> model.layers[0].trainable = False
        >>> [w.shape for w in model.non_trainable_weights]
        [(2, 3), (3,)]
        """
        return [w for layer in self.layers for w in layer.non_trainable_weights]

    @property
    def weights(self) -> list[Tensor]:
        """Every weight Tensor, layer by layer (each layer: trainable first).

        >>> import nn
        >>> model = nn.Sequential([nn.layers.Dense(3, input_dim=2), nn.layers.Dense(1)])
        >>> [(w.name, w.shape) for w in model.weights]
        [('kernel', (2, 3)), ('bias', (3,)), ('kernel', (3, 1)), ('bias', (1,))]
        """
        return [w for layer in self.layers for w in layer.weights]

    def count_params(self) -> int:
        """The number of weight elements, trainable or not (ValueError before building).

        >>> import nn
        >>> nn.Sequential([nn.layers.Dense(3, input_dim=2), nn.layers.Dense(1)]).count_params()
        13
        """
        return sum(layer.count_params() for layer in self.layers)

    def get_weights(self) -> list[np.ndarray]:
        """Every layer's `get_weights()` (copies), concatenated in layer order.

        >>> import nn
        >>> model = nn.Sequential([nn.layers.Dense(3, input_dim=2), nn.layers.Dense(1)])
        >>> [w.shape for w in model.get_weights()]
        [(2, 3), (3,), (3, 1), (1,)]
        """
        return [array for layer in self.layers for array in layer.get_weights()]

    def set_weights(self, weights: Sequence[Any]) -> None:
        """Inverse of `get_weights()`: count and shapes are checked layer by layer.

        >>> import numpy as np, nn
        >>> model = nn.Sequential([nn.layers.Dense(1, input_dim=2)])
        >>> model.set_weights([np.array([[1.0], [2.0]]), np.array([0.5])])
        >>> model.predict([[1.0, 1.0]], verbose=0)
        array([[3.5]], dtype=float32)
        """
        expected = sum(len(layer.weights) for layer in self.layers)
        if len(weights) != expected:
            raise ValueError(
                f'model "{self.name}" expects {expected} weight arrays (as get_weights() returns), '
                f"received {len(weights)}"
            )
        start = 0
        for layer in self.layers:
            count = len(layer.weights)
            layer.set_weights(weights[start : start + count])
            start += count

    @classmethod
    def from_config(
        cls,
        config: dict[str, Any],
        make_layer: Callable[[str, dict[str, Any]], Layer] | None = None,
    ) -> Model:
        """Rebuild a model from its `get_config()` (Keras' `Model.from_config`): a
        functional config (see `nn.functional.Functional.from_config`), a Sequential's, or
        else `cls(**config)` for a subclassed model that defines `get_config`.

        >>> import nn
        >>> x = nn.Input(shape=(2,))
        >>> nn.Model.from_config(nn.Model(x, nn.layers.Dense(1)(x)).get_config()).output_shape
        (None, 1)
        """
        if not isinstance(config, dict):
            raise TypeError(f"{cls.__name__}.from_config expects a dict, received {config!r}")
        if {"layers", "input_layers", "output_layers"} <= set(config):
            from nn.functional import Functional

            return Functional.from_config(config, make_layer)
        if issubclass(cls, Sequential):
            from nn.serialization import sequential_from_config

            return sequential_from_config(cls, config)  # type: ignore[no-any-return]
        return cls(**config)

    def save(self, filepath: str, overwrite: bool = True) -> None:
        """Write the whole model to a `.keras` file, atomically: architecture, weights,
        compile settings and optimizer state (see `nn.model_files`); `load_model` reads it.

        >>> import os, tempfile, nn
        >>> model = nn.Sequential([nn.layers.Dense(2, input_dim=3)])
        >>> path = os.path.join(tempfile.mkdtemp(), "model.keras")
        >>> model.save(path)
        >>> nn.models.load_model(path).count_params()
        8
        """
        saving.save_model(self, filepath, overwrite=overwrite)

    def save_weights(self, filepath: str, overwrite: bool = True) -> None:
        """Write the weights to an `.npz` file, atomically (see `nn.saving`); with
        `overwrite=False` an existing file raises FileExistsError.

        >>> import os, tempfile, nn
        >>> model = nn.Sequential([nn.layers.Dense(2, input_dim=3)])
        >>> path = os.path.join(tempfile.mkdtemp(), "model.weights.npz")
        >>> model.save_weights(path)
        >>> os.path.exists(path)
        True
        """
        saving.save_weights(self, filepath, overwrite=overwrite)

    def load_weights(self, filepath: str) -> None:
        """Read weights written by `save_weights`; the architecture must match (else
        ValueError, and nothing is changed).

        >>> import os, tempfile, numpy as np, nn
        >>> path = os.path.join(tempfile.mkdtemp(), "model.weights.npz")
        >>> saved = nn.Sequential([nn.layers.Dense(2, input_dim=3)])
        >>> saved.save_weights(path)
        >>> fresh = nn.Sequential([nn.layers.Dense(2, input_dim=3)])
        >>> fresh.load_weights(path)
        >>> all(np.array_equal(a, b) for a, b in zip(saved.get_weights(), fresh.get_weights()))
        True
        """
        saving.load_weights(self, filepath)

    # -- display -----------------------------------------------------------------------------
    def summary(
        self,
        line_length: int | None = None,
        positions: Sequence[float] | None = None,
        print_fn: Callable[[str], Any] | None = None,
    ) -> None:
        """Print Keras 2's table of layers, output shapes and parameter counts
        (`print_fn` receives each line instead of `print`). A layer not built yet shows
        '?' and '0 (unbuilt)', as Keras 3; a functional model that is not a plain chain adds
        Keras' 'Connected to' column.

        >>> import nn
        >>> model = nn.Sequential([nn.layers.Dense(3, input_dim=2)], name="tiny")
        >>> model.summary()  # doctest: +NORMALIZE_WHITESPACE
        Model: "tiny"
        _________________________________________________________________
        Layer (type)                 Output Shape              Param #
        =================================================================
        dense (Dense)                (None, 3)                 9
        =================================================================
        Total params: 9
        Trainable params: 9
        Non-trainable params: 0
        _________________________________________________________________
        """
        for line in self._summary_lines(line_length, positions):
            (print_fn or print)(line)

    def _summary_lines(
        self, line_length: int | None = None, positions: Sequence[float] | None = None
    ) -> list[str]:
        return summary_lines(self, line_length, positions)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r}, layers={len(self.layers)}>"

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None, **_: Any) -> Any:
        """Jupyter shows `summary()` as an HTML table and as its text (unbuilt: the repr).

        >>> import nn
        >>> model = nn.Sequential([nn.layers.Dense(3, input_dim=2)], name="tiny")
        >>> bundle = model._repr_mimebundle_()
        >>> bundle["text/plain"].splitlines()[0], '<td colspan="3">Total params: 9' in bundle["text/html"]
        ('Model: "tiny"', True)
        """
        if not self.built:
            return {"text/plain": repr(self)}
        from autograd.display import html_table

        lines = self._summary_lines()
        header, rows = self._summary_table()
        # the caption and the three totals are summary()'s own lines
        table = html_table(header, rows, caption=lines[0], footer=lines[-4:-1])
        return {"text/plain": "\n".join(lines), "text/html": table}

    def _summary_table(self) -> tuple[list[str], list[tuple[Any, ...]]]:
        """The header and rows of the notebook's summary table."""
        rows = [
            (f"{layer.name} ({type(layer).__name__})",
             "multiple" if layer._output_shape is None else layer._output_shape,
             layer.count_params())
            for layer in self.layers
        ]
        return ["Layer (type)", "Output Shape", "Param #"], rows


class Sequential(Model):
    """A plain stack of layers, each feeding the next.

    >>> import nn
    >>> model = nn.Sequential()
    >>> model.add(nn.layers.Dense(3, input_dim=2))
    >>> model.add(nn.layers.Activation("tanh"))
    >>> [layer.name for layer in model.layers], model.output_shape
    (['dense', 'activation'], (None, 3))
    """

    def __init__(
        self, layers: Iterable[Layer | KerasTensor] | Layer | None = None, name: str | None = None
    ) -> None:
        super().__init__(name=name)
        if layers is not None:
            if isinstance(layers, (Layer, KerasTensor)):
                layers = [layers]
            try:
                items = list(layers)
            except TypeError:
                raise TypeError(
                    f"Sequential expects a list of layers, received {layers!r}"
                ) from None
            for layer in items:
                self.add(layer)

    def __setattr__(self, key: str, value: Any) -> None:
        object.__setattr__(self, key, value)  # a Sequential's layers come only from add()

    def add(self, layer: Layer | KerasTensor) -> None:
        """Append a layer; its weights are created at once when the input shape is known.

        >>> import nn
        >>> model = nn.Sequential([nn.layers.Dense(4, input_dim=2)])
        >>> model.add(nn.layers.Dense(1))
        >>> model.layers[-1].built, model.output_shape
        (True, (None, 1))
        """
        history = getattr(layer, "_keras_history", None)
        if isinstance(layer, KerasTensor) and isinstance(
            getattr(history, "layer", None), InputLayer
        ):
            layer = history.layer  # type: ignore[union-attr]  # nn.Input(...), as Keras
        if isinstance(layer, type) and issubclass(layer, Layer):
            raise TypeError(
                f"Sequential.add expects a layer instance, received the class {layer.__name__}: "
                f"write {layer.__name__}(...)"
            )
        if isinstance(layer, Model):
            raise TypeError(
                f"Sequential.add received the model {layer.name!r}: nesting models is not "
                "supported; add its layers one by one"
            )
        if not isinstance(layer, Layer):
            raise TypeError(
                f"Sequential.add expects a Layer instance, received {layer!r} of type "
                f"{type(layer).__name__}"
            )
        if isinstance(layer, InputLayer):
            if self._tracked or self._batch_input_shape is not None:
                raise ValueError(
                    "an Input can only be the first element of a Sequential model; this model "
                    "already has an input shape or layers"
                )
            self._batch_input_shape = layer.input_shape
            return
        declared = layer._declared_input_shape
        if declared is not None and self._tracked:
            previous = self._tracked[-1]._output_shape
            if previous is not None and tuple(previous[1:]) != tuple(declared[1:]):
                raise ValueError(
                    f'layer "{layer.name}" declares input_shape {declared[1:]}, but the layer '
                    f"before it outputs {previous}"
                )
        if declared is not None and not self._tracked and self._batch_input_shape is None:
            self._batch_input_shape = declared
        shape = self._batch_input_shape if not self._tracked else self._tracked[-1]._output_shape
        self._track(layer)
        if shape is not None:
            if layer.built:
                layer._check_input_shape(tuple(1 if n is None else n for n in shape))
                layer._output_shape = layer._infer_output_shape(shape)
            else:
                layer._build(shape)

    def get_config(self) -> dict[str, Any]:
        """The name, each layer's serialized config and the input shape (see
        `nn.serialization.sequential_config`).

        >>> import nn
        >>> nn.Sequential([nn.layers.Dense(2, input_dim=3)], name="s").get_config()["name"]
        's'
        """
        from nn.serialization import sequential_config

        return sequential_config(self)

    def pop(self) -> Layer:
        """Remove and return the last layer (IndexError when there is none).

        >>> import nn
        >>> model = nn.Sequential([nn.layers.Dense(4, input_dim=2), nn.layers.Dense(1)])
        >>> model.pop(), len(model.layers)
        (<Dense name='dense_1', built=True>, 1)
        """
        if not self._tracked:
            raise IndexError("pop from a Sequential model with no layers")
        return self._tracked.pop()

    def call(self, inputs: Tensor, training: bool = False) -> Tensor:
        """Feed `inputs` through each layer in turn (`training` is passed on, for Dropout).

        >>> import numpy as np, nn
        >>> from autograd import Tensor
        >>> model = nn.Sequential([nn.layers.Dense(1, input_dim=2, kernel_initializer="ones")])
        >>> model.call(Tensor(np.array([[1.0, 2.0]], dtype=np.float32)))
        Tensor([[3.]], dtype=float32, requires_grad=True)
        """
        x = inputs
        for layer in self._tracked:
            x = layer(x, training=training)
        return x

    def __call__(self, inputs: Any, training: bool | None = None) -> Tensor:
        if not self._tracked:
            raise ValueError(f'model "{self.name}" has no layers: add some before calling it')
        return super().__call__(inputs, training)


def _symbolic(value: Any) -> bool:
    items = value.values() if isinstance(value, dict) else value
    return isinstance(value, KerasTensor) or (
        isinstance(value, (list, tuple, dict)) and any(isinstance(v, KerasTensor) for v in items)
    )


def _snake(name: str) -> str:
    from nn.layers.base import _snake_case

    return _snake_case(name)


def _has_number(name: str) -> bool:
    head, _, tail = name.rpartition("_")
    return bool(head) and tail.isdigit()


# ---------------------------------------------------------------------------------------
# Keras 2's print_summary for sequential-like models


def summary_lines(
    model: Model, line_length: int | None = None, positions: Sequence[float] | None = None
) -> list[str]:
    """The lines of `model.summary()`, in Keras 2's layout (65 columns, stops at 45%/85%).

    >>> import nn
    >>> model = nn.Sequential([nn.layers.Dense(3, input_dim=2)], name="tiny")
    >>> lines = summary_lines(model)
    >>> lines[0], lines[-3]
    ('Model: "tiny"', 'Trainable params: 9')
    """
    layers = model.layers
    labels = [f"{layer.name} ({type(layer).__name__})" for layer in layers]
    # an unbuilt layer: Keras 3's "?" and "0 (unbuilt)" (keras/src/utils/summary_utils.py)
    shapes = [layer._output_shape if layer._output_shape is not None else "?"
              for layer in layers]
    params = [str(layer.count_params()) if layer.built else "0 (unbuilt)" for layer in layers]
    stops: list[float] = list(positions or [0.45, 0.85, 1.0])
    if line_length is None and positions is None:
        # Keras 2's 65 columns, widened so that no name or shape is cut (Keras 3 cuts none)
        first = max([29] + [len(label) + 1 for label in labels])
        second = max([26] + [len(str(shape)) + 1 for shape in shapes])
        third = max([10] + [len(count) + 1 for count in params])
        stops = [first, first + second, first + second + third]
    if line_length is None:
        line_length = int(stops[-1]) if stops[-1] > 1 else 65
    if stops[-1] <= 1:
        stops = [int(line_length * p) for p in stops]
    stops_int = [int(p) for p in stops]

    def row(fields: Sequence[Any]) -> str:
        line = ""
        for i, field in enumerate(fields):
            if i > 0:  # each column starts after a space, even when the last one overflowed
                line = line[:-1] + " "
            line += str(field)
            line = line[: stops_int[i]]
            line += " " * (stops_int[i] - len(line))
        return line

    lines = [f'Model: "{model.name}"', "_" * line_length]
    lines += [row(["Layer (type)", "Output Shape", "Param #"]), "=" * line_length]
    for i, (label, shape, count) in enumerate(zip(labels, shapes, params)):
        lines.append(row([label, shape, count]))
        lines.append("=" * line_length if i == len(layers) - 1 else "_" * line_length)
    trainable = sum(w.size for w in model.trainable_weights)
    frozen = sum(w.size for w in model.non_trainable_weights)
    lines += [
        f"Total params: {trainable + frozen:,}",
        f"Trainable params: {trainable:,}",
        f"Non-trainable params: {frozen:,}",
        "_" * line_length,
    ]
    return lines
