"""Recurrent layers as Keras 3: SimpleRNN, LSTM, GRU and the Bidirectional wrapper.

A layer unrolls over time on the engine, so every gradient is the engine's: the input
projection of all timesteps is one `affine` node, `unstack` takes the timesteps out (one stack
in the backward), and each step adds only `h @ recurrent_kernel` and the gate math
(nn/layers/rnn_cells.py). Weights as Keras': `kernel` (features, k * units),
`recurrent_kernel` (units, k * units), `bias` (k * units,), k = 1, 4 (i, f, c, o), 3 (z, r, h).

>>> import numpy as np
>>> from nn.layers import LSTM
>>> LSTM(4)(np.zeros((2, 5, 3))).shape
(2, 4)
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from autograd import Tensor, affine, concatenate, stack, unstack
from autograd.recurrent import gru, lstm
from autograd.tracing import replayed
from nn import activations, initializers, regularizers
from nn import utils as nn_utils
from nn.layers.base import (
    Layer,
    Shape,
    _check_bool,
    last_axis_error,
    positive_int,
    to_tensor,
)
from nn.layers.rnn_cells import (
    Masks,
    dropout_masks,
    gru_step,
    lstm_step,
    simple_rnn_step,
)

States = list[Tensor]


class _TakesInitialState(Layer):
    """`layer(x, initial_state=[...])` as Keras: the states are kept for one call."""

    _initial_state: Any = None

    def __call__(  # type: ignore[override]
        self, inputs: Any, training: bool | None = None, initial_state: Any = None
    ) -> Any:
        """Apply the layer; `initial_state` (a list of (batch, units) states: [h], or [h, c]
        for LSTM; a Bidirectional takes the forward layer's then the backward's) replaces
        the zero states."""
        self._initial_state = initial_state
        try:
            return super().__call__(inputs, training)
        finally:
            self._initial_state = None


class RecurrentLayer(_TakesInitialState):
    """What SimpleRNN, LSTM and GRU share: arguments, weights, the loop over time, shapes.

    A subclass sets `gates` (k) and `state_count`, and writes `_step`; `call` projects the
    inputs of all timesteps at once and feeds them to `_step` one timestep at a time.
    `layer(x, initial_state=[...])` starts from given states instead of zeros.

    >>> import numpy as np
    >>> from nn.layers import SimpleRNN
    >>> out, h = SimpleRNN(2, return_state=True)(np.ones((3, 4, 5)))
    >>> out.shape, h.shape
    ((3, 2), (3, 2))
    """

    gates: ClassVar[int] = 1
    state_count: ClassVar[int] = 1
    _arguments: tuple[tuple[Any, ...], dict[str, Any]]

    def __new__(cls, *args: Any, **kwargs: Any) -> RecurrentLayer:
        layer = super().__new__(cls)
        # Bidirectional builds fresh copies from the arguments, as Keras does from the config
        layer._arguments = (args, dict(kwargs))
        return layer

    def __init__(
        self,
        units: int,
        activation: Any = "tanh",
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        recurrent_initializer: Any = "orthogonal",
        bias_initializer: Any = "zeros",
        kernel_regularizer: Any = None,
        recurrent_regularizer: Any = None,
        bias_regularizer: Any = None,
        dropout: float = 0.0,
        recurrent_dropout: float = 0.0,
        return_sequences: bool = False,
        return_state: bool = False,
        go_backwards: bool = False,
        stateful: bool = False,
        unroll: bool = False,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        owner = type(self).__name__
        self.units = positive_int(units, "units", owner)
        self.activation = activations.get(activation)
        self.recurrent_activation = activations.linear  # GatedLayer sets its own
        self.use_bias = _check_bool(use_bias, "use_bias", owner)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)  # fit adds the penalty
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.dropout = _check_rate(dropout, "dropout", owner)
        self.recurrent_dropout = _check_rate(recurrent_dropout, "recurrent_dropout", owner)
        self.return_sequences = _check_bool(return_sequences, "return_sequences", owner)
        self.return_state = _check_bool(return_state, "return_state", owner)
        self.go_backwards = _check_bool(go_backwards, "go_backwards", owner)
        self.stateful = _check_bool(stateful, "stateful", owner)
        if self.stateful:
            raise ValueError(
                f"{owner} does not support stateful=True (received stateful={stateful!r}): "
                "pass the last states of one batch as initial_state of the next instead"
            )
        self.unroll = _check_bool(unroll, "unroll", owner)  # no effect: we always unroll
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise TypeError(f"{owner} expects an int seed or None, received seed={seed!r}")
        self.seed = seed
        self._generator = np.random.default_rng(seed) if seed is not None else None
        self.kernel: Tensor | None = None
        self.recurrent_kernel: Tensor | None = None
        self.bias: Tensor | None = None

    # -- weights -----------------------------------------------------------------------------
    def build(self, input_shape: Shape) -> None:
        """Create `kernel` (features, k * units), `recurrent_kernel` (units, k * units) and,
        with `use_bias`, `bias`, for inputs of shape (batch, timesteps, features).

        >>> from nn.layers import GRU
        >>> layer = GRU(2)
        >>> layer.build((None, 7, 3))
        >>> layer.kernel.shape, layer.recurrent_kernel.shape, layer.bias.shape
        ((3, 6), (2, 6), (2, 6))
        """
        if len(input_shape) != 3 or input_shape[-1] is None:
            raise _ndim_error(self.name, input_shape)
        width = self.gates * self.units
        self.kernel = self.add_weight("kernel", (input_shape[-1], width), self.kernel_initializer)
        self.recurrent_kernel = self.add_weight(
            "recurrent_kernel", (self.units, width), self.recurrent_initializer
        )
        if self.use_bias:
            self.bias = self.add_weight("bias", self._bias_shape(), self._bias_init())

    def _bias_shape(self) -> tuple[int, ...]:
        return (self.gates * self.units,)

    def _bias_init(self) -> Any:
        return self.bias_initializer

    def _input_bias(self) -> Tensor | None:
        return self.bias

    # -- the loop over time ------------------------------------------------------------------
    def call(self, inputs: Tensor, training: bool = False) -> Any:
        """Run over the timesteps (reversed with go_backwards): the last output, or all of
        them (return_sequences), followed by the last states (return_state).

        >>> import numpy as np
        >>> from nn.layers import SimpleRNN
        >>> layer = SimpleRNN(1, activation=None, kernel_initializer="ones",
        ...                   recurrent_initializer="ones", return_sequences=True)
        >>> layer(np.ones((1, 3, 1))).data.ravel().tolist()  # h = x + h
        [1.0, 2.0, 3.0]
        """
        batch, steps, features = inputs.shape
        if steps == 0:
            raise ValueError(
                f'layer "{self.name}" expects at least one timestep, received inputs of shape '
                f"{inputs.shape}"
            )
        states = self._start_states(batch, inputs.dtype)
        input_masks, recurrent_masks = (
            # replayed: a jit plan draws each step's masks afresh
            replayed(self._draw_masks)(batch, features, inputs.dtype) if training
            else (None, None)
        )
        output, states = self._recur(self._project(inputs, input_masks), states, recurrent_masks)
        return [output, *states] if self.return_state else output

    def _recur(
        self, projection: Tensor, states: States, recurrent_masks: Masks
    ) -> tuple[Tensor, States]:
        """The loop over time, a step at a time: (the output, the last states)."""
        timesteps = self._timesteps(projection)
        if self.go_backwards:
            timesteps.reverse()
        step = self._stepper(recurrent_masks)
        outputs = []
        for x_t in timesteps:
            states = step(x_t, states)
            if self.return_sequences:
                outputs.append(states[0])
        output = stack(outputs, axis=1) if self.return_sequences else states[0]
        return output, states

    def _timesteps(self, projection: Tensor) -> list[Any]:
        """The projection's timesteps, what `_stepper`'s step takes as its input."""
        return unstack(projection, axis=1)

    def _project(self, inputs: Tensor, masks: Masks) -> Tensor:
        """`inputs @ kernel + bias` for every timestep at once; with
        one dropout mask per gate (Keras' implementation 1), each gate's block sees its own
        masked inputs."""
        bias, kernel = self._input_bias(), self.kernel
        assert kernel is not None, "built before called"
        if masks is None or len(masks) == 1:
            x = inputs if masks is None else inputs * masks[0]
            return x @ kernel if bias is None else affine(x, kernel, bias)
        u = self.units
        blocks = [slice(g * u, (g + 1) * u) for g in range(self.gates)]
        return concatenate(
            [
                (inputs * m) @ kernel[:, b] if bias is None
                else affine(inputs * m, kernel[:, b], bias[b])
                for m, b in zip(masks, blocks)
            ],
            axis=-1,
        )

    def _stepper(self, recurrent_masks: Masks) -> Any:
        """A function (x_t, states) -> new states (the output first) for this call."""
        raise NotImplementedError

    def _recurrent_blocks(self, per_gate: bool) -> list[Tensor]:
        """The recurrent kernel, or its gate blocks (sliced once per call, not per step)."""
        kernel = self.recurrent_kernel
        assert kernel is not None, "built before called"
        if not per_gate:
            return [kernel]
        u = self.units
        return [kernel[:, g * u : (g + 1) * u] for g in range(self.gates)]

    def _draw_masks(self, batch: int, features: int, dtype: np.dtype) -> tuple[Masks, Masks]:
        """Keras' dropout masks for one sequence: one for the inputs (one per gate when there
        is recurrent dropout, Keras' implementation 1), shaped (batch, 1, features) to apply to
        every timestep, and one per gate for the state. Replayed under jit: the arrays
        returned are the ones the ops use, so a plan reads each step's fresh masks."""
        generator = self._generator or nn_utils.rng()
        count = self.gates if self.recurrent_dropout > 0 else 1
        inputs = dropout_masks(generator, count, (batch, features), self.dropout, dtype)
        if inputs is not None:  # one per sequence, over its timesteps: (batch, 1, features)
            inputs = [m[:, None, :] for m in inputs]
        state = dropout_masks(
            generator, count, (batch, self.units), self.recurrent_dropout, dtype
        )
        return inputs, state

    def _start_states(self, batch: int, dtype: np.dtype) -> States:
        given = self._initial_state
        if given is None:
            return [Tensor(np.zeros((batch, self.units), dtype=dtype))] * self.state_count
        given = list(given) if isinstance(given, (list, tuple)) else [given]
        if len(given) != self.state_count:
            raise ValueError(
                f'layer "{self.name}" expects initial_state to hold {self.state_count} '
                f"state(s) of shape (batch, {self.units}), received {len(given)}"
            )
        states = [s if isinstance(s, Tensor) else to_tensor(s, dtype, self.name) for s in given]
        for s in states:
            if s.shape != (batch, self.units):
                raise ValueError(
                    f'layer "{self.name}" expects initial states of shape ({batch}, '
                    f"{self.units}), received a state of shape {s.shape}"
                )
        return states

    # -- shapes and config ---------------------------------------------------------------------
    def compute_output_shape(self, input_shape: Shape) -> Any:
        """(batch, units), or (batch, timesteps, units) with return_sequences; with
        return_state the state shapes follow.

        >>> from nn.layers import LSTM
        >>> LSTM(3, return_sequences=True, return_state=True).compute_output_shape((None, 5, 2))
        ((None, 5, 3), (None, 3), (None, 3))
        """
        batch = input_shape[0]
        output: Shape = (batch, self.units)
        if self.return_sequences:
            output = (batch, input_shape[1], self.units)
        if self.return_state:
            return (output, *[(batch, self.units)] * self.state_count)
        return output

    def _check_input_shape(self, shape: tuple[int, ...]) -> None:
        expected = self.kernel.shape[0]  # type: ignore[union-attr]
        if len(shape) != 3:
            raise _ndim_error(self.name, shape)
        if shape[-1] != expected:
            raise last_axis_error(self.name, shape, expected)

    def get_config(self) -> dict[str, Any]:
        """The base config plus the layer's arguments (activations and initializers by name).

        >>> from nn.layers import SimpleRNN
        >>> config = SimpleRNN(4, return_sequences=True).get_config()
        >>> config["units"], config["recurrent_initializer"], config["return_sequences"]
        (4, 'orthogonal', True)
        """
        return {
            **super().get_config(),
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "recurrent_initializer": initializers.serialize(self.recurrent_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "recurrent_regularizer": regularizers.serialize(self.recurrent_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
            "return_sequences": self.return_sequences,
            "return_state": self.return_state,
            "go_backwards": self.go_backwards,
            "stateful": self.stateful,
            "unroll": self.unroll,
            "seed": self.seed,
        }


class SimpleRNN(RecurrentLayer):
    """Fully-connected RNN: `h = activation(x_t @ kernel + h @ recurrent_kernel + bias)`.

    >>> import numpy as np
    >>> from nn.layers import SimpleRNN
    >>> layer = SimpleRNN(4, return_sequences=True)
    >>> layer(np.ones((2, 6, 3))).shape, [w.shape for w in layer.get_weights()]
    ((2, 6, 4), [(3, 4), (4, 4), (4,)])
    """

    def _stepper(self, recurrent_masks: Masks) -> Any:
        kernel, activation = self._recurrent_blocks(False)[0], self.activation

        def step(x_t: Tensor, states: States) -> States:
            return [simple_rnn_step(x_t, states[0], kernel, recurrent_masks, activation)]

        return step


class GatedLayer(RecurrentLayer):
    """LSTM's and GRU's common part: a `recurrent_activation` for the gates ('sigmoid').
    Arguments after `use_bias` are keyword-only (positional ones would bind differently
    from Keras' order past that point).

    >>> from nn.layers import GRU
    >>> GRU(2, "relu", "tanh").get_config()["recurrent_activation"]
    'tanh'
    """

    def __init__(
        self,
        units: int,
        activation: Any = "tanh",
        recurrent_activation: Any = "sigmoid",
        use_bias: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(units, activation, use_bias, **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)

    def get_config(self) -> dict[str, Any]:
        """The recurrent layers' config plus `recurrent_activation`.

        >>> from nn.layers import LSTM
        >>> LSTM(3).get_config()["recurrent_activation"]
        'sigmoid'
        """
        return {
            **super().get_config(),
            "recurrent_activation": activations.serialize(self.recurrent_activation),
        }


class LSTM(GatedLayer):
    """Long Short-Term Memory (Hochreiter 1997), Keras' gates i, f, c, o:
    `c = f * c + i * tanh(g)`, `h = o * tanh(c)`; the forget gate's bias starts at one
    (`unit_forget_bias`). With return_state it returns `[output, h, c]`.

    >>> import numpy as np
    >>> from nn.layers import LSTM
    >>> layer = LSTM(2, input_shape=(5, 3))
    >>> layer.count_params(), layer.get_weights()[2].tolist()  # 4 * 2 * (3 + 2 + 1)
    (48, [0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0])
    """

    gates = 4
    state_count = 2

    def __init__(self, *args: Any, unit_forget_bias: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.unit_forget_bias = _check_bool(unit_forget_bias, "unit_forget_bias", "LSTM")

    def _bias_init(self) -> Any:
        if not self.unit_forget_bias:
            return self.bias_initializer
        init, u = self.bias_initializer, self.units

        def forget_gate_ones(shape: tuple[int, ...], dtype: Any = None) -> np.ndarray:
            # Keras: the bias initializer for i, ones for f, the initializer again for c and o
            return np.concatenate([init((u,), dtype), np.ones(u, dtype), init((2 * u,), dtype)])

        return forget_gate_ones

    def _recur(
        self, projection: Tensor, states: States, recurrent_masks: Masks
    ) -> tuple[Tensor, States]:
        if (recurrent_masks is None and self.activation is activations.tanh
                and self.recurrent_activation is activations.sigmoid):
            # the default cell: one fused node per timestep (autograd.lstm) instead of fourteen
            assert self.recurrent_kernel is not None, "built before called"
            output, h, c = lstm(projection, self.recurrent_kernel, states[0], states[1],
                                reverse=self.go_backwards, sequences=self.return_sequences)
            return output, [h, c]
        return super()._recur(projection, states, recurrent_masks)

    def _stepper(self, recurrent_masks: Masks) -> Any:
        per_gate = recurrent_masks is not None and len(recurrent_masks) > 1
        kernels = self._recurrent_blocks(per_gate)
        activation, recurrent_activation = self.activation, self.recurrent_activation

        def step(x_t: Tensor, states: States) -> States:
            h, c = lstm_step(
                x_t, states[0], states[1], kernels, recurrent_masks, activation,
                recurrent_activation,
            )  # fmt: skip
            return [h, c]

        return step

    def get_config(self) -> dict[str, Any]:
        """The gated layers' config plus `unit_forget_bias`.

        >>> from nn.layers import LSTM
        >>> config = LSTM(3).get_config()
        >>> config["recurrent_activation"], config["unit_forget_bias"]
        ('sigmoid', True)
        """
        return {**super().get_config(), "unit_forget_bias": self.unit_forget_bias}


class GRU(GatedLayer):
    """Gated Recurrent Unit (Cho et al. 2014), Keras' gates z, r, h:
    `h = z * h_prev + (1 - z) * hh`. With `reset_after=True` (Keras 3's default) the reset
    gate multiplies `h_prev @ U_h + b_h`, and the bias has shape (2, 3 * units): the input
    bias, then the recurrent one; `reset_after=False` applies it to `h_prev` first.

    >>> import numpy as np
    >>> from nn.layers import GRU
    >>> layer = GRU(3, input_shape=(4, 2))
    >>> [w.shape for w in layer.get_weights()], layer.count_params()
    ([(2, 9), (3, 9), (2, 9)], 63)
    """

    gates = 3

    def __init__(self, *args: Any, reset_after: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.reset_after = _check_bool(reset_after, "reset_after", "GRU")

    def _bias_shape(self) -> tuple[int, ...]:
        # reset_after: separate input and recurrent biases, as Keras (and cuDNN)
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def _input_bias(self) -> Tensor | None:
        if self.bias is None or not self.reset_after:
            return self.bias
        return self.bias[0]

    def _timesteps(self, projection: Tensor) -> list[Any]:
        # (z and r columns, h columns) of each step: split once per call, not per step
        split = 2 * self.units
        gates = unstack(projection[:, :, :split], axis=1)
        return list(zip(gates, unstack(projection[:, :, split:], axis=1)))

    def _recur(
        self, projection: Tensor, states: States, recurrent_masks: Masks
    ) -> tuple[Tensor, States]:
        if (recurrent_masks is None and self.reset_after and self.bias is not None
                and self.activation is activations.tanh
                and self.recurrent_activation is activations.sigmoid):
            # Keras 3's default cell: one fused node per timestep (autograd.gru), not about sixteen
            assert self.recurrent_kernel is not None, "built before called"
            output, h = gru(projection, self.recurrent_kernel, self.bias[1], states[0],
                            reverse=self.go_backwards, sequences=self.return_sequences)
            return output, [h]
        return super()._recur(projection, states, recurrent_masks)

    def _stepper(self, recurrent_masks: Masks) -> Any:
        per_gate = recurrent_masks is not None and len(recurrent_masks) > 1
        kernels = self._recurrent_blocks(per_gate)
        if not self.reset_after and not per_gate:
            u, kernel = self.units, kernels[0]
            kernels = [kernel[:, : 2 * u], kernel[:, 2 * u :]]
        recurrent_bias = self.bias[1] if self.bias is not None and self.reset_after else None
        activation, recurrent_activation = self.activation, self.recurrent_activation
        reset_after = self.reset_after

        def step(x_t: tuple[Tensor, Tensor], states: States) -> States:
            return [
                gru_step(
                    x_t[0], x_t[1], states[0], kernels, recurrent_bias, recurrent_masks,
                    activation, recurrent_activation, reset_after,
                )
            ]  # fmt: skip

        return step

    def get_config(self) -> dict[str, Any]:
        """The gated layers' config plus `reset_after`.

        >>> from nn.layers import GRU
        >>> GRU(3).get_config()["reset_after"]
        True
        """
        return {**super().get_config(), "reset_after": self.reset_after}


def _ndim_error(name: str, shape: Shape) -> ValueError:
    return ValueError(
        f'Input 0 of layer "{name}" is incompatible with the layer: expected ndim=3, a batch '
        f"of shape (batch, timesteps, features), found ndim={len(shape)}. Full shape "
        f"received: {tuple(shape)}"
    )


def _check_rate(rate: Any, what: str, owner: str) -> float:
    if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate < 1:
        raise ValueError(f"{owner} expects {what} to be a number in [0, 1), received {rate!r}")
    return float(rate)


class Bidirectional(_TakesInitialState):
    """Run a recurrent layer forwards and a copy backwards, and merge their outputs.

    The copies are built fresh from the layer's arguments (its weights are not reused, as
    in Keras) and named `forward_<name>` and `backward_<name>`; `backward_layer` replaces
    the automatic backward copy. `merge_mode` is "concat", "sum", "mul", "ave", or None
    (both outputs returned in a list). The backward sequence is flipped back to forward time
    order before merging. Weights: the forward layer's, then the backward layer's, named
    `forward_lstm/kernel` and so on.

    >>> import numpy as np
    >>> from nn.layers import LSTM, Bidirectional
    >>> layer = Bidirectional(LSTM(3, return_sequences=True))
    >>> layer(np.ones((2, 5, 4))).shape, layer.weight_names[:2]
    ((2, 5, 6), ['forward_lstm/kernel', 'forward_lstm/recurrent_kernel'])
    """

    MERGE_MODES: ClassVar[tuple[str | None, ...]] = ("concat", "sum", "mul", "ave", None)

    def __init__(
        self,
        layer: RecurrentLayer,
        merge_mode: str | None = "concat",
        backward_layer: RecurrentLayer | None = None,
        **kwargs: Any,
    ) -> None:
        for what, given in (("layer", layer), ("backward_layer", backward_layer)):
            if given is not None and not isinstance(given, RecurrentLayer):
                raise ValueError(
                    f"Bidirectional expects {what} to be a recurrent layer instance (SimpleRNN, "
                    f"LSTM, GRU), received {given!r}"
                )
        if merge_mode not in self.MERGE_MODES:
            raise ValueError(
                f"Bidirectional expects merge_mode in {self.MERGE_MODES}, received "
                f"merge_mode={merge_mode!r}"
            )
        kwargs.setdefault("dtype", layer.dtype.name)
        super().__init__(**kwargs)
        if self._declared_input_shape is None:  # Bidirectional(LSTM(4, input_shape=(5, 3)))
            self._declared_input_shape = layer._declared_input_shape
        self.forward_layer = _fresh_copy(layer, name="forward_" + _unprefixed(layer, "forward_"))
        self.backward_layer = backward_layer or _fresh_copy(
            layer, name="backward_" + _unprefixed(layer, "backward_"), go_backwards=True
        )
        if self.forward_layer.go_backwards == self.backward_layer.go_backwards:
            raise ValueError(
                "Bidirectional expects the forward and backward layers to have different "
                f"go_backwards values, received go_backwards={self.forward_layer.go_backwards} "
                "for both"
            )
        for attribute in ("return_sequences", "return_state"):
            ours, theirs = getattr(self.forward_layer, attribute), getattr(
                self.backward_layer, attribute
            )
            if ours != theirs:
                raise ValueError(
                    f"Bidirectional expects the forward and backward layers to have the same "
                    f"{attribute}, received {ours} (forward) and {theirs} (backward)"
                )
        self.merge_mode = merge_mode
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self.stateful = False

    def build(self, input_shape: Shape) -> None:
        """Build both layers; their weights become this layer's, names prefixed by theirs.

        >>> from nn.layers import GRU, Bidirectional
        >>> layer = Bidirectional(GRU(2))
        >>> layer.build((None, 4, 3))
        >>> len(layer.weights), layer.weight_names[3]
        (6, 'backward_gru/kernel')
        """
        for sub in (self.forward_layer, self.backward_layer):
            if not sub.built:
                sub._build(input_shape)
            for name, weight, trainable in sub._slots:
                key = f"{sub.name}/{name}"
                if any(n == key for n, _, _ in self._slots):
                    raise ValueError(
                        f'layer "{self.name}": the forward and backward layers share the name '
                        f"{sub.name!r}; give the backward layer another name"
                    )
                self._slots.append((key, weight, trainable and sub.trainable))
        self.trainable = self._trainable  # a frozen wrapper freezes the weights it took

    def call(self, inputs: Tensor, training: bool = False) -> Any:
        """Both directions, the backward outputs flipped back to forward time, merged.

        >>> import numpy as np
        >>> from nn.layers import SimpleRNN, Bidirectional
        >>> layer = Bidirectional(SimpleRNN(2), merge_mode="sum")
        >>> layer(np.ones((3, 4, 1))).shape
        (3, 2)
        """
        forward_state = backward_state = None
        if self._initial_state is not None:
            given = list(self._initial_state)
            half = len(given) // 2
            forward_state, backward_state = given[:half], given[half:]
        y = self.forward_layer(inputs, training, forward_state)
        y_rev = self.backward_layer(inputs, training, backward_state)
        states: list[Tensor] = []
        if self.return_state:
            states = [*y[1:], *y_rev[1:]]
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            y_rev = y_rev[:, ::-1]
        if self.merge_mode is None:
            return [y, y_rev, *states]
        merged = {
            "concat": lambda: concatenate([y, y_rev], axis=-1),
            "sum": lambda: y + y_rev,
            "mul": lambda: y * y_rev,
            "ave": lambda: (y + y_rev) * 0.5,
        }[self.merge_mode]()
        return [merged, *states] if self.return_state else merged

    def compute_output_shape(self, input_shape: Shape) -> Any:
        """As Keras: the forward layer's output shape (features doubled by "concat", two of
        them with merge_mode None), then the forward and the backward state shapes.

        >>> from nn.layers import LSTM, Bidirectional
        >>> Bidirectional(LSTM(3, return_state=True)).compute_output_shape((None, 5, 2))
        ((None, 6), (None, 3), (None, 3), (None, 3), (None, 3))
        """
        shape = self.forward_layer.compute_output_shape(input_shape)
        states: tuple[Any, ...] = ()
        if self.return_state:
            shape, states = shape[0], tuple(shape[1:])
        outputs: tuple[Any, ...] = (shape,)
        if self.merge_mode == "concat":
            outputs = (tuple(shape[:-1]) + (2 * shape[-1],),)
        elif self.merge_mode is None:
            outputs = (shape, shape)
        if self.return_state:
            return outputs + states + states
        return outputs if self.merge_mode is None else outputs[0]

    def _check_input_shape(self, shape: tuple[int, ...]) -> None:
        self.forward_layer._check_input_shape(shape)

    def get_config(self) -> dict[str, Any]:
        """The base config plus `merge_mode` and both layers serialized, as Keras:
        `{"class_name", "config", ...}` each.

        >>> from nn.layers import GRU, Bidirectional
        >>> config = Bidirectional(GRU(2), merge_mode="ave").get_config()
        >>> config["merge_mode"], config["layer"]["class_name"], config["layer"]["config"]["name"]
        ('ave', 'GRU', 'forward_gru')
        >>> config["backward_layer"]["config"]["go_backwards"]
        True
        """
        from nn.serialization import serialize_layer

        layers = {
            key: {k: v for k, v in serialize_layer(sub).items() if k != "build_config"}
            for key, sub in (("layer", self.forward_layer), ("backward_layer", self.backward_layer))
        }
        return {**super().get_config(), "merge_mode": self.merge_mode, **layers}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Bidirectional:
        """The wrapper from its config, the two layers rebuilt from theirs (Keras' rule).

        >>> from nn.layers import LSTM, Bidirectional
        >>> Bidirectional.from_config(Bidirectional(LSTM(2)).get_config()).forward_layer.units
        2
        """
        from nn.serialization import deserialize_layer

        config = dict(config)
        for key in ("layer", "backward_layer"):
            if isinstance(config.get(key), dict):
                config[key] = deserialize_layer(config[key], build=False)
        return cls(**config)


def _fresh_copy(layer: RecurrentLayer, **changes: Any) -> RecurrentLayer:
    """A new, unbuilt layer of `layer`'s class and arguments, with `changes` applied."""
    args, kwargs = layer._arguments[0], dict(layer._arguments[1])
    for declared in ("input_shape", "input_dim", "batch_input_shape"):
        kwargs.pop(declared, None)  # the wrapper takes the input shape
    return type(layer)(*args, **{**kwargs, **changes})


def _unprefixed(layer: Layer, prefix: str) -> str:
    return layer.name[len(prefix) :] if layer.name.startswith(prefix) else layer.name
