"""get_config / from_config for every layer nn.layers exports, found automatically: a new layer
is tested here with no edit (ARGUMENTS supplies the few required arguments by name).

Each class is built with its required arguments, then `type(layer).from_config(config)` must
give a layer with the same config (also through JSON, as a saved file stores it), every
constructor argument of the class must be a config key (Keras 3's rule), and after
`set_weights` the rebuilt layer must give the same outputs, bit for bit.
"""

from __future__ import annotations

import inspect
import json

import numpy as np
import pytest

import nn
from nn import initializers
from nn.cloning import clone_layer, clone_model
from nn.layers import Layer
from nn.registry import custom_object_scope
from nn.serialization import deserialize_layer, layer_registry, serialize_layer

LAYER_CLASSES = sorted(
    {
        obj
        for obj in (getattr(nn.layers, name) for name in nn.layers.__all__)
        if isinstance(obj, type) and issubclass(obj, Layer)
    },
    key=lambda cls: cls.__name__,
)

# a value for each required constructor argument, by its (Keras) name
ARGUMENTS = {
    "units": lambda: 3,
    "filters": lambda: 2,
    "kernel_size": lambda: 2,
    "rate": lambda: 0.5,
    "activation": lambda: "tanh",
    "target_shape": lambda: (-1,),
    "input_dim": lambda: 5,
    "output_dim": lambda: 3,
    "layer": lambda: nn.layers.LSTM(2),
    "shape": lambda: (4,),
}

# constructor arguments a config leaves out, on purpose
NOT_IN_CONFIG = {
    # Layer's own: Keras keeps a model's input shape in the model's config (build_input_shape)
    (Layer, "input_shape"), (Layer, "input_dim"), (Layer, "batch_input_shape"),
    (nn.layers.Embedding, "weights"),  # the initial matrix is weights, saved as such (Keras too)
}
# aliases of an argument that is in the config (Keras 3's InputLayer keeps only batch_shape,
# and no 'trainable': an input has no weights)
ALIASES = {nn.layers.InputLayer: {"shape", "batch_size", "input_shape", "trainable"}}

# a batch for the first rank a layer accepts; integer values, so that Embedding takes them
CANDIDATE_SHAPES = [(2, 4), (2, 5, 4), (2, 6, 6, 3)]


def constructor_arguments(cls: type) -> dict[str, tuple[type, inspect.Parameter]]:
    """Every named argument of the __init__ chain of `cls`, with the class declaring it
    (the subclass's first)."""
    found: dict[str, tuple[type, inspect.Parameter]] = {}
    for klass in cls.__mro__:
        if "__init__" not in vars(klass) or klass is object:
            continue
        for name, parameter in inspect.signature(vars(klass)["__init__"]).parameters.items():
            if name != "self" and parameter.kind not in (parameter.VAR_POSITIONAL,
                                                         parameter.VAR_KEYWORD):
                found.setdefault(name, (klass, parameter))
    return found


def example(cls: type) -> Layer:
    arguments = constructor_arguments(cls)
    required = {
        name: ARGUMENTS[name]() for name, (_, parameter) in arguments.items()
        if parameter.default is parameter.empty
    }
    try:
        return cls(**required)
    except ValueError:  # one of several optional ones is needed (InputLayer's shape)
        optional = {n: ARGUMENTS[n]() for n, (owner, _) in arguments.items()
                    if n in ARGUMENTS and owner is not Layer and n not in required}
        return cls(**required, **optional)


def inputs_for(layer: Layer) -> list[np.ndarray]:
    """The batches (one per input) of the first candidate shape `layer` accepts."""
    rng = np.random.default_rng(0)
    problems = []
    for shape in CANDIDATE_SHAPES:
        x = rng.integers(0, 4, size=shape).astype(np.float64)
        for batch in ([x], [x, x + 1.0]):  # one input, or a merge layer's two
            try:
                probe = example(type(layer)) if not layer.built else layer
                probe(batch[0] if len(batch) == 1 else batch)
                return batch
            except (ValueError, TypeError) as error:
                problems.append(f"{shape} x{len(batch)}: {error}")
    raise AssertionError(f"no candidate input fits {type(layer).__name__}: {problems}")


def test_every_exported_layer_class_is_found():
    names = {cls.__name__ for cls in LAYER_CLASSES}
    assert {"Dense", "Conv2D", "LSTM", "Bidirectional", "Embedding", "InputLayer"} <= names
    assert names <= set(layer_registry().names()) | {"Layer"}


@pytest.mark.parametrize("cls", LAYER_CLASSES, ids=lambda cls: cls.__name__)
def test_config_holds_every_constructor_argument(cls):
    config = example(cls).get_config()
    expected = {
        name for name, (owner, _) in constructor_arguments(cls).items()
        if (owner, name) not in NOT_IN_CONFIG and name not in ALIASES.get(cls, set())
    }
    missing = sorted(expected - set(config))
    assert not missing, f"{cls.__name__}.get_config() lacks constructor arguments {missing}"


@pytest.mark.parametrize("cls", LAYER_CLASSES, ids=lambda cls: cls.__name__)
def test_from_config_rebuilds_an_equal_layer_with_the_same_outputs(cls):
    layer = example(cls)
    config = layer.get_config()
    rebuilt = type(layer).from_config(config)
    assert type(rebuilt) is type(layer) and rebuilt.get_config() == config
    through_json = json.loads(json.dumps(serialize_layer(layer)))
    again = deserialize_layer(through_json)
    assert json.dumps(again.get_config()) == json.dumps(through_json["config"])
    batch = inputs_for(layer)
    args = batch[0] if len(batch) == 1 else batch
    original_out = layer(args)
    copy = type(layer).from_config(config)
    copy(args)  # builds it
    copy.set_weights(layer.get_weights())
    for a, b in zip(_flat(original_out), _flat(copy(args))):
        np.testing.assert_array_equal(a, b)


def _flat(out):
    items = out if isinstance(out, (list, tuple)) else [out]
    return [np.asarray(item.data) for item in items]


NON_DEFAULT = [
    nn.layers.Dense(4, activation="relu", use_bias=False, kernel_initializer="he_normal",
                    bias_initializer=initializers.Constant(0.5), name="d", dtype="float64",
                    trainable=False, kernel_regularizer=nn.regularizers.L1L2(0.1, 0.2)),
    nn.layers.Conv2D(3, (2, 3), strides=(1, 2), padding="same", dilation_rate=1,
                     kernel_initializer=initializers.RandomNormal(stddev=0.3, seed=7)),
    nn.layers.LSTM(3, return_sequences=True, return_state=True, go_backwards=True,
                   dropout=0.25, recurrent_dropout=0.5, seed=3, unit_forget_bias=False),
    nn.layers.GRU(2, reset_after=False, recurrent_activation="tanh"),
    nn.layers.Bidirectional(nn.layers.SimpleRNN(2, return_sequences=True), merge_mode="ave"),
    nn.layers.BatchNormalization(axis=1, momentum=0.5, epsilon=1e-4, center=False),
    nn.layers.LayerNormalization(axis=[1, 2], epsilon=1e-5),
    nn.layers.ZeroPadding2D(((1, 0), (2, 3))),
    nn.layers.MaxPooling2D(3, strides=2, padding="same"),
    nn.layers.Reshape((2, -1)),
    nn.layers.Embedding(7, 2, embeddings_initializer=initializers.RandomUniform(-1.0, 1.0)),
]


@pytest.mark.parametrize("layer", NON_DEFAULT, ids=lambda layer: type(layer).__name__)
def test_non_default_arguments_survive_a_json_round_trip(layer):
    spec = json.loads(json.dumps(serialize_layer(layer)))
    rebuilt = deserialize_layer(spec)
    assert json.dumps(rebuilt.get_config()) == json.dumps(spec["config"])
    assert rebuilt.name == layer.name and rebuilt.trainable == layer.trainable


def test_an_initializer_with_arguments_is_serialized_as_keras_dict():
    # Keras 3 writes {"module", "class_name", "config", "registered_name"}; a name (the
    # defaults) or {"class_name", "config"} here, and both are read back
    config = nn.layers.Dense(2, kernel_initializer=initializers.RandomNormal(stddev=0.3, seed=7),
                             bias_initializer="zeros").get_config()
    assert config["kernel_initializer"] == {
        "class_name": "RandomNormal", "config": {"mean": 0.0, "stddev": 0.3, "seed": 7}
    }
    assert config["bias_initializer"] == "zeros"
    layer = nn.layers.Dense.from_config(config)
    assert layer.kernel_initializer.stddev == 0.3 and layer.kernel_initializer.seed == 7
    keras_form = {"module": "keras.initializers", "class_name": "GlorotUniform",
                  "config": {"seed": 5}, "registered_name": None}
    assert nn.layers.Dense(2, kernel_initializer=keras_form).kernel_initializer.seed == 5


def test_an_unknown_class_names_itself_and_custom_objects():
    with pytest.raises(ValueError, match=r"Unknown layer class 'Scale'.*custom_objects="
                                         r"\{'Scale': Scale\}"):
        deserialize_layer({"class_name": "Scale", "config": {}})
    with pytest.raises(ValueError, match=r"Unknown initializer class 'os.system'"):
        nn.layers.Dense(2, kernel_initializer={"class_name": "os.system", "config": {}})


class Scale(Layer):
    def __init__(self, factor: float = 2.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def call(self, inputs):
        return inputs * self.factor

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


def test_a_custom_layer_and_activation_are_found_through_custom_objects():
    def cube(x):
        return x * x * x

    layer = nn.layers.Dense(2, activation=cube, name="cubed")
    spec = json.loads(json.dumps(serialize_layer(layer)))
    assert spec["config"]["activation"] == "cube"
    with pytest.raises(ValueError, match="Unknown activation identifier 'cube'"):
        deserialize_layer(spec)
    with custom_object_scope({"cube": cube, "Scale": Scale}):
        assert deserialize_layer(spec).activation is cube
        scale = deserialize_layer(json.loads(json.dumps(serialize_layer(Scale(3.0)))))
    assert isinstance(scale, Scale) and scale.factor == 3.0


def test_clone_layer_and_clone_model_make_new_layers_with_fresh_weights():
    nn.utils.set_random_seed(1)
    model = nn.Sequential([
        nn.layers.Conv1D(2, 3, input_shape=(6, 2), activation="relu"),
        nn.layers.Flatten(),
        nn.layers.Dense(1, kernel_initializer="he_uniform"),
    ], name="net")
    twin = clone_model(model)
    assert twin.name == "net" and twin.input_shape == model.input_shape
    assert [type(a) for a in twin.layers] == [type(b) for b in model.layers]
    assert all(a is not b for a, b in zip(twin.layers, model.layers))
    assert [a.get_config() for a in twin.layers] == [b.get_config() for b in model.layers]
    assert not np.array_equal(twin.get_weights()[0], model.get_weights()[0])  # Keras: fresh
    twin.set_weights(model.get_weights())
    x = np.random.default_rng(0).normal(size=(4, 6, 2))
    np.testing.assert_array_equal(twin.predict(x, verbose=0), model.predict(x, verbose=0))
    shared = clone_model(model, clone_function=lambda layer: layer)
    assert all(a is b for a, b in zip(shared.layers, model.layers))
    renamed = clone_model(
        model, clone_function=lambda layer: type(layer).from_config(
            {**layer.get_config(), "name": "copy_" + layer.name}))
    assert [layer.name for layer in renamed.layers] == ["copy_conv1d", "copy_flatten",
                                                        "copy_dense"]
    assert clone_layer(model.layers[2]).get_config() == model.layers[2].get_config()
    with pytest.raises(TypeError, match="clone_function must return a Layer"):
        clone_model(model, clone_function=lambda layer: None)

    class Net(nn.Model):
        def call(self, inputs):
            return inputs

    with pytest.raises(TypeError, match="a subclassed model's layers are created by its own"):
        clone_model(Net())
