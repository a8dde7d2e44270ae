"""Whole-model files (issue 17, item 2): model.save("m.keras") / load_model("m.keras") keep the
architecture, the weights, the compile settings and the optimizer state, with Keras 3's
suffix rules, no pickle and no code run on load."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import zipfile

import numpy as np
import pytest

import nn
from nn import initializers
from nn.layers import (
    LSTM,
    BatchNormalization,
    Conv2D,
    Dense,
    Dropout,
    Embedding,
    Flatten,
    GlobalAveragePooling1D,
    Layer,
    MaxPooling2D,
)
from nn.model_files import ModelFileError, load_model, save_model
from nn.serialization import deserialize_layer


def conv_model() -> nn.Sequential:
    return nn.Sequential([
        Conv2D(3, 3, input_shape=(6, 6, 2), activation="relu"),
        BatchNormalization(momentum=0.5),
        MaxPooling2D(),
        Flatten(),
        Dropout(0.25, seed=1),
        Dense(2, kernel_initializer=initializers.RandomNormal(stddev=0.2, seed=4)),
    ], name="convnet")


def data(shape=(16, 6, 6, 2), classes=2, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=shape), rng.integers(0, classes, size=shape[0])


def test_a_trained_model_round_trips_exactly(tmp_path):
    nn.utils.set_random_seed(0)
    model = conv_model()
    model.compile(optimizer=nn.optimizers.Adam(0.01), metrics=["accuracy"],
                  loss=nn.losses.SparseCategoricalCrossentropy(from_logits=True))
    x, y = data()
    model.fit(x, y, epochs=2, batch_size=8, verbose=0)  # moves BatchNorm's moving statistics
    path = tmp_path / "convnet.keras"
    save_model(model, path)
    loaded = load_model(path)
    assert type(loaded) is nn.Sequential and loaded.name == "convnet"
    assert [layer.get_config() for layer in loaded.layers] == [
        layer.get_config() for layer in model.layers
    ]
    for a, b in zip(loaded.get_weights(), model.get_weights()):
        assert a.dtype == b.dtype and a.tobytes() == b.tobytes()
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert loaded.optimizer.get_config() == model.optimizer.get_config()
    assert loaded.loss.get_config() == model.loss.get_config() and loaded.loss.from_logits
    assert loaded.metrics_names == model.metrics_names == ["loss", "accuracy"]
    assert loaded.evaluate(x, y, verbose=0) == model.evaluate(x, y, verbose=0)


def fit_straight_and_resumed(make, x, y, batch_size, path, seed=7):
    """Two models from `make()`: fit 2 epochs; and fit 1, save to `path`, load, fit 1."""
    nn.utils.set_random_seed(seed)
    straight = make()
    straight.fit(x, y, epochs=2, batch_size=batch_size, verbose=0)
    nn.utils.set_random_seed(seed)
    first = make()
    first.fit(x, y, epochs=1, batch_size=batch_size, verbose=0)
    first.save(str(path))
    resumed = load_model(path)
    assert resumed.optimizer.iterations == first.optimizer.iterations
    resumed.fit(x, y, epochs=1, batch_size=batch_size, verbose=0)
    return straight, resumed


@pytest.mark.parametrize("optimizer", [
    lambda: nn.optimizers.Adam(0.05, amsgrad=True),
    lambda: nn.optimizers.RMSprop(0.01, momentum=0.5, centered=True),
    lambda: nn.optimizers.SGD(0.1, momentum=0.9, nesterov=True),
    lambda: nn.optimizers.Adagrad(0.1),
    lambda: nn.optimizers.Adam(nn.optimizers.schedules.ExponentialDecay(0.1, 3, 0.5)),
], ids=["adam", "rmsprop", "sgd", "adagrad", "adam-schedule"])
def test_training_resumes_exactly_after_save_and_load(tmp_path, optimizer):
    # fit 2 epochs == fit 1, save, load, fit 1: weights, slots and iterations, bit for bit in
    # float64; the shuffle of epoch 2 is the same because loading leaves the stream alone
    def make():
        model = nn.Sequential([
            Dense(4, activation="tanh", input_dim=3, dtype="float64"),
            Dense(1, dtype="float64"),
        ])
        model.compile(optimizer=optimizer(), loss="mse")
        return model

    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(24, 3)), rng.normal(size=(24, 1))
    straight, resumed = fit_straight_and_resumed(make, x, y, 5, tmp_path / "half.keras")
    assert resumed.optimizer.iterations == straight.optimizer.iterations == 10
    for a, b in zip(resumed.get_weights(), straight.get_weights()):
        assert a.dtype == np.float64 and a.tobytes() == b.tobytes()
    for w_resumed, w_straight in zip(resumed.weights, straight.weights):
        slots_a = resumed.optimizer._state[w_resumed]
        slots_b = straight.optimizer._state[w_straight]
        assert {k: v.tobytes() for k, v in slots_a.items()} == {
            k: v.tobytes() for k, v in slots_b.items()
        }


def test_without_the_optimizer_state_resuming_differs(tmp_path):
    # the control for the test above: a fresh Adam (zero moments, t = 1) after loading
    nn.utils.set_random_seed(7)
    model = nn.Sequential([Dense(1, input_dim=2, dtype="float64")])
    model.compile(optimizer=nn.optimizers.Adam(0.1), loss="mse")
    x, y = np.ones((4, 2)), np.zeros((4, 1))
    model.fit(x, y, epochs=1, batch_size=2, verbose=0)
    save_model(model, tmp_path / "m.keras")
    with_state = load_model(tmp_path / "m.keras")
    without = load_model(tmp_path / "m.keras", compile=False)
    assert not without.compiled and without.get_weights()[0].tobytes() == (
        model.get_weights()[0].tobytes())
    without.compile(optimizer=nn.optimizers.Adam(0.1), loss="mse")
    for m in (with_state, without):
        m.fit(x, y, epochs=1, batch_size=2, verbose=0, shuffle=False)
    assert not np.array_equal(with_state.get_weights()[0], without.get_weights()[0])


def test_the_archive_is_keras_layout_json_and_npz_without_pickle(tmp_path):
    model = nn.Sequential([Embedding(10, 3, input_shape=(5,)), LSTM(2), Dense(1)])
    model.compile(optimizer="rmsprop", loss="mse", metrics=["mae"])
    path = tmp_path / "m.keras"
    save_model(model, path)
    with zipfile.ZipFile(path) as archive:
        assert archive.namelist() == ["config.json", "metadata.json", "model.weights.npz",
                                      "optimizer.weights.npz"]
        config = json.loads(archive.read("config.json"))
        metadata = json.loads(archive.read("metadata.json"))
        with archive.open("model.weights.npz") as member:
            weights = np.load(member, allow_pickle=False)
            assert sorted(weights.files) == sorted(
                f"{layer.name}/{name}" for layer in model.layers for name in layer.weight_names
            )
    assert set(config) == {"module", "class_name", "config", "registered_name", "build_config",
                           "compile_config"}
    assert config["class_name"] == "Sequential"
    assert [spec["class_name"] for spec in config["config"]["layers"]] == [
        "Embedding", "LSTM", "Dense"]
    assert config["build_config"] == {"input_shape": [None, 5]}
    assert config["compile_config"] == {"optimizer": "rmsprop", "loss": "mean_squared_error",
                                        "metrics": ["mae"], "weighted_metrics": None}
    assert set(metadata) == {"chainrule_version", "date_saved"}


def test_suffixes_follow_keras_and_hdf5_is_refused_saying_why(tmp_path):
    model = nn.Sequential([Dense(1, input_dim=2)])
    for name in ("m.h5", "m.hdf5", "m.weights.h5"):
        with pytest.raises(ValueError, match="h5py, which chainrule does not depend on"):
            save_model(model, tmp_path / name)
        with pytest.raises(ValueError, match="h5py, which chainrule does not depend on"):
            load_model(tmp_path / name)
    for name in ("m", "m.npz", "m.keras.zip"):
        with pytest.raises(ValueError, match=r"Invalid filepath extension for saving. Please "
                                             r"add a `\.keras` extension"):
            save_model(model, tmp_path / name)
        with pytest.raises(ValueError, match="File format not supported"):
            load_model(tmp_path / name)
    assert os.listdir(tmp_path) == []
    missing = tmp_path / "missing.keras"
    with pytest.raises(FileNotFoundError, match="missing.keras"):
        load_model(missing)
    with pytest.raises(ValueError, match="File not found"):  # Keras 3 raises ValueError
        load_model(missing)


def test_overwrite_false_keeps_the_file_and_a_crash_leaves_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "m.keras"
    save_model(nn.Sequential([Dense(1, input_dim=2)]), path)
    old = path.read_bytes()
    with pytest.raises(FileExistsError):
        save_model(nn.Sequential([Dense(3, input_dim=2)]), path, overwrite=False)

    def crash(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(zipfile.ZipFile, "writestr", crash)
    with pytest.raises(OSError, match="disk full"):
        save_model(nn.Sequential([Dense(3, input_dim=2)]), path)
    monkeypatch.undo()
    assert path.read_bytes() == old and os.listdir(tmp_path) == ["m.keras"]
    assert load_model(path).get_weights()[0].shape == (2, 1)


class Scale(Layer):
    def __init__(self, factor: float = 2.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def build(self, input_shape):
        self.offset = self.add_weight("offset", (input_shape[-1],), "ones")

    def call(self, inputs):
        return inputs * self.factor + self.offset

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


def mean_fourth_power(y_true, y_pred):
    return ((y_pred - np.asarray(y_true, dtype=y_pred.dtype)) ** 4).mean(axis=-1)


def test_custom_classes_and_functions_need_custom_objects(tmp_path):
    model = nn.Sequential([Dense(2, input_dim=3), Scale(3.0, name="scale")])
    model.compile(optimizer="sgd", loss=mean_fourth_power)
    path = tmp_path / "custom.keras"
    save_model(model, path)
    with pytest.raises(ValueError, match=r"Unknown layer class 'Scale'.*pass custom_objects="
                                         r"\{'Scale': Scale\}") as error:
        load_model(path)
    assert str(path) in str(error.value)
    with pytest.raises(ValueError, match=r"mean_fourth_power"):
        load_model(path, custom_objects={"Scale": Scale})
    loaded = load_model(path, custom_objects={"Scale": Scale,
                                              "mean_fourth_power": mean_fourth_power})
    assert loaded.layers[1].factor == 3.0 and loaded.loss.fn is mean_fourth_power
    x = np.ones((2, 3))
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    no_compile = load_model(path, custom_objects={"Scale": Scale}, compile=False)
    assert not no_compile.compiled


def test_a_lambda_loss_cannot_be_saved_and_a_subclassed_model_says_what_to_do(tmp_path):
    model = nn.Sequential([Dense(1, input_dim=2)])
    model.compile(optimizer="sgd", loss=lambda y_true, y_pred: (y_pred - y_true) ** 2)
    with pytest.raises(ValueError, match="a lambda has none; use a def"):
        save_model(model, tmp_path / "m.keras")

    class Net(nn.Model):
        def __init__(self):
            super().__init__()
            self.dense = Dense(1)

        def call(self, inputs):
            return self.dense(inputs)

    net = Net()
    net(np.ones((1, 2)))
    with pytest.raises(NotImplementedError, match="define get_config"):
        save_model(net, tmp_path / "net.keras")
    assert os.listdir(tmp_path) == []


def rewrite_config(path, change):
    """The .keras file at `path` with its config.json changed by `change(config)`."""
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    config = json.loads(members["config.json"])
    change(config)
    members["config.json"] = json.dumps(config).encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)


@pytest.mark.parametrize("class_name", ["os.system", "builtins.eval", "Lambda", "subprocess.Popen"])
def test_a_config_cannot_name_code_to_run(tmp_path, class_name):
    path = tmp_path / "m.keras"
    save_model(nn.Sequential([Dense(1, input_dim=2)]), path)

    def poison(config):
        layer = config["config"]["layers"][0]
        layer.update(module="os", class_name=class_name, registered_name=class_name)

    rewrite_config(path, poison)
    with pytest.raises(ValueError, match=f"Unknown layer class '{class_name}'"):
        load_model(path)


def test_a_config_whose_arguments_are_wrong_is_a_value_error_naming_the_file(tmp_path):
    path = tmp_path / "m.keras"
    save_model(nn.Sequential([Dense(1, input_dim=2)]), path)
    rewrite_config(path, lambda config: config["config"]["layers"][0]["config"].update(units=-3))
    with pytest.raises(ValueError, match=r"m\.keras' holds a config that cannot be rebuilt: "
                                         r"ValueError: Dense expects units to be a positive"):
        load_model(path)
    rewrite_config(path, lambda config: config["config"]["layers"][0]["config"].update(colour=1))
    with pytest.raises(ModelFileError, match=r"TypeError: Dense got unexpected keyword"):
        load_model(path)


def test_an_unbuilt_model_saves_and_loads_unbuilt(tmp_path):
    save_model(nn.Sequential([Dense(2), Dense(1)], name="later"), tmp_path / "m.keras")
    loaded = load_model(tmp_path / "m.keras")
    assert loaded.name == "later" and not loaded.built and len(loaded.layers) == 2
    loaded.build((None, 4))
    assert loaded.count_params() == (4 * 2 + 2) + (2 + 1)


def test_load_weights_reads_the_weights_of_a_keras_file(tmp_path):
    source = nn.Sequential([Dense(2, input_dim=3, bias_initializer="ones")])
    save_model(source, tmp_path / "m.keras")
    target = nn.Sequential([Dense(2, input_dim=3)])
    target.load_weights(str(tmp_path / "m.keras"))
    assert [w.tobytes() for w in target.get_weights()] == [
        w.tobytes() for w in source.get_weights()]
    wrong = nn.Sequential([Dense(5, input_dim=3)])
    with pytest.raises(ValueError, match=r"m\.keras\[model\.weights\.npz\].*architectures differ"):
        wrong.load_weights(str(tmp_path / "m.keras"))


def test_a_fresh_process_predicts_bit_identically(tmp_path):
    nn.utils.set_random_seed(3)
    model = nn.Sequential([
        LSTM(3, return_sequences=True, input_shape=(4, 2)), GlobalAveragePooling1D(), Dense(2),
    ])
    model.compile(optimizer="adam", loss="mse")
    x = np.random.default_rng(0).normal(size=(5, 4, 2))
    model.fit(x, np.zeros((5, 2)), epochs=1, verbose=0)
    path = tmp_path / "m.keras"
    save_model(model, path)
    np.save(tmp_path / "x.npy", x)
    script = textwrap.dedent(f"""
        import numpy as np
        from nn.model_files import load_model
        model = load_model({str(path)!r})
        x = np.load({str(tmp_path / "x.npy")!r})
        np.save({str(tmp_path / "out.npy")!r}, model.predict(x, verbose=0))
    """)
    root = os.path.dirname(os.path.dirname(os.path.abspath(nn.__file__)))
    subprocess.run([sys.executable, "-c", script], check=True, cwd=root, timeout=120)
    out = np.load(tmp_path / "out.npy")
    assert out.tobytes() == model.predict(x, verbose=0).tobytes()


def test_metric_objects_and_functions_come_back_with_their_settings(tmp_path):
    def within_a_tenth(y_true, y_pred):
        return (np.abs(np.asarray(y_pred) - np.asarray(y_true)) < 0.1).mean(axis=-1)

    model = nn.Sequential([Dense(1, input_dim=2, activation="sigmoid")])
    model.compile(optimizer=nn.optimizers.SGD(0.3, momentum=0.5), loss="binary_crossentropy",
                  metrics=["acc", nn.metrics.BinaryAccuracy(threshold=0.3, name="lenient"),
                           within_a_tenth])
    save_model(model, tmp_path / "m.keras")
    with pytest.raises(ValueError, match="within_a_tenth"):
        load_model(tmp_path / "m.keras")
    loaded = load_model(tmp_path / "m.keras", custom_objects={"within_a_tenth": within_a_tenth})
    assert loaded.metrics_names == model.metrics_names == [
        "loss", "acc", "lenient", "within_a_tenth"]
    x, y = np.random.default_rng(0).normal(size=(8, 2)), np.arange(8) % 2
    assert loaded.evaluate(x, y, verbose=0) == model.evaluate(x, y, verbose=0)
    assert loaded.optimizer.get_config() == model.optimizer.get_config()


def test_keras_saving_names_are_there(tmp_path):
    model = nn.Sequential([Dense(1, input_dim=2)])
    nn.saving.save_model(model, tmp_path / "m.keras")
    assert nn.saving.load_model(tmp_path / "m.keras").get_weights()[0].tobytes() == (
        model.get_weights()[0].tobytes())
    with nn.saving.custom_object_scope({"Scale": Scale}):
        assert deserialize_layer({"class_name": "Scale", "config": {}}).factor == 2


def two_input_model() -> nn.Model:
    """Two inputs through one shared encoder, merged by concatenate and multiply."""
    left = nn.Input(shape=(3,), name="left")
    right = nn.Input(shape=(3,), name="right")
    encoder = Dense(4, activation="tanh", name="encoder")
    a, b = encoder(left), encoder(right)
    joined = nn.layers.concatenate([a, b, nn.layers.multiply([a, b])])
    out = Dense(1, activation="sigmoid", name="same")(BatchNormalization()(joined))
    return nn.Model([left, right], out, name="pair")


def test_a_functional_model_with_a_shared_layer_saves_and_loads_in_a_fresh_process(tmp_path):
    nn.utils.set_random_seed(2)
    model = two_input_model()
    model.compile(optimizer=nn.optimizers.Adam(0.02), loss="binary_crossentropy",
                  metrics=["acc"], weighted_metrics=["mae"])
    rng = np.random.default_rng(4)
    x_left, x_right = rng.normal(size=(32, 3)), rng.normal(size=(32, 3))
    y = (x_left[:, 0] * x_right[:, 0] > 0).astype(np.float64)
    history = model.fit([x_left, x_right], y, epochs=3, batch_size=8, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    path = tmp_path / "pair.keras"
    model.save(str(path))
    np.save(tmp_path / "left.npy", x_left)
    np.save(tmp_path / "right.npy", x_right)
    script = textwrap.dedent(f"""
        import numpy as np
        import nn
        model = nn.models.load_model({str(path)!r})
        assert type(model).__name__ == "Functional" and model.name == "pair"
        assert [layer.name for layer in model.layers].count("encoder") == 1  # still shared
        x = [np.load({str(tmp_path / "left.npy")!r}), np.load({str(tmp_path / "right.npy")!r})]
        np.save({str(tmp_path / "out.npy")!r}, model.predict(x, verbose=0))
        print(model.metrics_names, model.optimizer.iterations)
    """)
    root = os.path.dirname(os.path.dirname(os.path.abspath(nn.__file__)))
    done = subprocess.run([sys.executable, "-c", script], check=True, cwd=root, timeout=120,
                          capture_output=True, text=True)
    assert done.stdout.split("\n")[0] == "['loss', 'acc', 'mae'] 12"
    out = np.load(tmp_path / "out.npy")
    assert out.tobytes() == model.predict([x_left, x_right], verbose=0).tobytes()
    loaded = nn.models.load_model(path)
    assert loaded.get_config() == model.get_config()
    # training resumes from the saved optimizer state in this process too
    nn.utils.set_random_seed(5)
    model.fit([x_left, x_right], y, epochs=1, batch_size=8, verbose=0)
    nn.utils.set_random_seed(5)
    loaded.fit([x_left, x_right], y, epochs=1, batch_size=8, verbose=0)
    assert [w.tobytes() for w in loaded.get_weights()] == [
        w.tobytes() for w in model.get_weights()]


def test_clone_model_of_a_functional_model_keeps_the_graph_with_new_layers():
    nn.utils.set_random_seed(0)
    model = two_input_model()
    twin = nn.models.clone_model(model)
    assert twin.get_config() == model.get_config()
    assert not any(a is b for a, b in zip(twin.layers, model.layers))
    assert not np.array_equal(twin.get_layer("encoder").kernel.data,
                              model.get_layer("encoder").kernel.data)  # fresh weights
    twin.set_weights(model.get_weights())
    x = [np.ones((2, 3)), np.arange(6.0).reshape(2, 3)]
    np.testing.assert_array_equal(twin.predict(x, verbose=0), model.predict(x, verbose=0))
    shared = nn.models.clone_model(model, clone_function=lambda layer: layer)
    assert shared.get_layer("encoder") is model.get_layer("encoder")


def test_a_model_with_two_outputs_keeps_its_losses_weights_and_metrics(tmp_path):
    nn.utils.set_random_seed(6)
    x = nn.Input(shape=(2,))
    hidden = Dense(3, activation="relu")(x)
    model = nn.Model(x, [Dense(1, name="p")(hidden), Dense(2, name="q")(hidden)])
    model.compile(optimizer="adam", loss={"p": "mse", "q": nn.losses.Huber(delta=0.5)},
                  loss_weights={"p": 1.0, "q": 0.25}, metrics={"q": ["mae"]})
    data = np.random.default_rng(0).normal(size=(8, 2))
    targets = [np.ones((8, 1)), np.zeros((8, 2))]
    model.fit(data, targets, epochs=1, batch_size=4, verbose=0)
    model.save(str(tmp_path / "two.keras"))
    loaded = nn.models.load_model(tmp_path / "two.keras")
    assert loaded.metrics_names == model.metrics_names
    assert loaded.loss.weights == [1.0, 0.25] and loaded.loss.losses[1].delta == 0.5
    assert loaded.evaluate(data, targets, verbose=0) == model.evaluate(data, targets, verbose=0)


def test_model_checkpoint_refuses_an_hdf5_name_before_training(tmp_path):
    model = nn.Sequential([Dense(1, input_dim=2)])
    model.compile(optimizer="sgd", loss="mse")
    checkpoint = nn.callbacks.ModelCheckpoint(str(tmp_path / "ckpt.weights.h5"),
                                              save_weights_only=True, monitor="loss")
    with pytest.raises(ValueError, match="HDF5 needs h5py") as error:
        model.fit(np.ones((2, 2)), np.ones((2, 1)), epochs=1, verbose=0, callbacks=[checkpoint])
    assert "ModelCheckpoint" in str(error.value) and model.optimizer.iterations == 0
    keras_file = tmp_path / "best.keras"
    model.fit(np.ones((2, 2)), np.ones((2, 1)), epochs=2, verbose=0, callbacks=[
        nn.callbacks.ModelCheckpoint(str(keras_file), monitor="loss", save_best_only=True)])
    assert nn.models.load_model(keras_file).get_weights()[0].tobytes() == (
        model.get_weights()[0].tobytes())


@nn.saving.register_keras_serializable(package="Tests")
class Shift(Layer):
    def __init__(self, by: float = 1.0, **kwargs):
        super().__init__(**kwargs)
        self.by = by

    def call(self, inputs):
        return inputs + self.by

    def get_config(self):
        return {**super().get_config(), "by": self.by}


@nn.saving.register_keras_serializable(package="Tests")
def softsign(x):
    return x / (x.abs() + 1.0)


def test_registered_classes_and_functions_load_without_custom_objects(tmp_path):
    # Keras' register_keras_serializable: saved under "package>name", found by every load
    assert nn.saving.get_registered_name(Shift) == "Tests>Shift"
    model = nn.Sequential([Dense(2, input_dim=3, activation=softsign), Shift(0.5)])
    model.save(str(tmp_path / "m.keras"))
    with zipfile.ZipFile(tmp_path / "m.keras") as archive:
        layers = json.loads(archive.read("config.json"))["config"]["layers"]
    assert layers[0]["config"]["activation"] == "Tests>softsign"
    assert (layers[1]["class_name"], layers[1]["registered_name"]) == ("Shift", "Tests>Shift")
    loaded = nn.models.load_model(tmp_path / "m.keras")
    assert isinstance(loaded.layers[1], Shift) and loaded.layers[0].activation is softsign
    x = np.ones((2, 3))
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    with pytest.raises(ValueError, match="already registered"):
        nn.saving.register_keras_serializable(package="Tests", name="Shift")(Scale)


def test_seeded_dropout_and_lstm_masks_resume_exactly(tmp_path):
    # Keras saves a SeedGenerator's state; here each seeded layer's generator state is kept,
    # so the masks after loading are those an uninterrupted fit draws
    def make():
        model = nn.Sequential([
            LSTM(3, dropout=0.3, recurrent_dropout=0.2, seed=5, input_shape=(4, 2),
                 dtype="float64"),
            Dropout(0.5, seed=9, dtype="float64"),
            Dense(1, dtype="float64"),
        ])
        model.compile(optimizer=nn.optimizers.Adam(0.05), loss="mse")
        return model

    x = np.random.default_rng(2).normal(size=(12, 4, 2))
    y = np.random.default_rng(3).normal(size=(12, 1))
    straight, resumed = fit_straight_and_resumed(make, x, y, 4, tmp_path / "m.keras", seed=1)
    assert [w.tobytes() for w in resumed.get_weights()] == [
        w.tobytes() for w in straight.get_weights()]


def test_bidirectional_seeded_layers_keep_their_generators(tmp_path):
    layer = nn.layers.Bidirectional(nn.layers.SimpleRNN(2, dropout=0.4, seed=2))
    model = nn.Sequential([layer])
    model.build((None, 3, 2))
    layer.forward_layer._generator.random(5)  # advance one of the two streams
    model.save(str(tmp_path / "m.keras"))
    loaded = nn.models.load_model(tmp_path / "m.keras")
    for direction in ("forward_layer", "backward_layer"):
        a = getattr(loaded.layers[0], direction)._generator.random(3)
        b = getattr(layer, direction)._generator.random(3)
        np.testing.assert_array_equal(a, b)


class TwoDense(nn.Model):
    """A subclassed model that defines get_config, so it can be saved whole (as in Keras)."""

    def __init__(self, width=3, name=None):
        super().__init__(name=name)
        self.width = width
        self.hidden = Dense(width, activation="tanh")
        self.out = Dense(1)

    def call(self, inputs):
        return self.out(self.hidden(inputs))

    def get_config(self):
        return {"width": self.width, "name": self.name}


def test_a_subclassed_model_with_get_config_loads_through_custom_objects(tmp_path):
    nn.utils.set_random_seed(4)
    net = TwoDense(4, name="net")
    net.compile(optimizer="adam", loss="mse")
    x = np.random.default_rng(0).normal(size=(8, 2))
    net.fit(x, np.ones((8, 1)), epochs=2, batch_size=4, verbose=0)
    net.save(str(tmp_path / "net.keras"))
    with pytest.raises(ValueError, match=r"Unknown model class 'TwoDense'.*custom_objects"):
        nn.models.load_model(tmp_path / "net.keras")
    loaded = nn.models.load_model(tmp_path / "net.keras", custom_objects={"TwoDense": TwoDense})
    assert isinstance(loaded, TwoDense) and loaded.width == 4 and loaded.name == "net"
    assert loaded.optimizer.iterations == net.optimizer.iterations == 4
    assert loaded.predict(x, verbose=0).tobytes() == net.predict(x, verbose=0).tobytes()


class Offsets(Layer):
    """A custom layer whose get_config returns numpy values (and one that JSON cannot hold)."""

    def __init__(self, offsets=(0.0,), tag=None, **kwargs):
        super().__init__(**kwargs)
        self.offsets, self.tag = np.asarray(offsets, dtype=np.float64), tag

    def call(self, inputs):
        return inputs + self.offsets

    def get_config(self):
        return {**super().get_config(), "offsets": self.offsets, "tag": self.tag}


def test_numpy_values_in_a_custom_config_are_saved_and_others_refused(tmp_path):
    model = nn.Sequential([Offsets(np.array([0.5, -1.0]), tag=np.int64(3), input_shape=(2,))])
    model.save(str(tmp_path / "m.keras"))
    loaded = nn.models.load_model(tmp_path / "m.keras", custom_objects={"Offsets": Offsets})
    assert loaded.layers[0].offsets.tolist() == [0.5, -1.0] and loaded.layers[0].tag == 3
    odd = nn.Sequential([Offsets(tag={1, 2}, input_shape=(1,))])
    with pytest.raises(TypeError, match=r"a config holds \{1, 2\} of type set"):
        odd.save(str(tmp_path / "odd.keras"))
    assert sorted(os.listdir(tmp_path)) == ["m.keras"]
