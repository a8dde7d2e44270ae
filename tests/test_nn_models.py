"""Sequential and Model: structure, naming, summary, predict/evaluate, custom loops, plot_model."""

import numpy as np
import pytest

import nn
from autograd import Tensor
from nn.layers import Activation, Dense, Dropout


@pytest.fixture(autouse=True)
def seeded():
    nn.clear_session()
    nn.utils.set_random_seed(0)


def mlp(**compile_args):
    model = nn.Sequential([
        Dense(8, activation="relu", input_shape=(4,)),
        Dense(3, activation="softmax"),
    ])
    if compile_args:
        model.compile(**compile_args)
    return model


def test_model_names_are_process_wide_and_layer_names_unique_per_model():
    a, b = nn.Sequential(), nn.Sequential()
    assert (a.name, b.name) == ("sequential", "sequential_1")
    for model in (a, b):
        model.add(Dense(2, input_dim=2))
        model.add(Dense(2))
        model.add(Activation("relu"))
    assert [layer.name for layer in b.layers] == ["dense", "dense_1", "activation"]
    nn.clear_session()
    assert nn.Sequential().name == "sequential"
    assert nn.Sequential(name="mine").name == "mine"


def test_explicit_names_are_kept_and_duplicates_rejected():
    model = nn.Sequential([Dense(2, input_dim=2, name="hidden"), Dense(1)])
    assert [layer.name for layer in model.layers] == ["hidden", "dense"]
    assert model.get_layer("hidden") is model.layers[0] and model.get_layer(index=1).name == "dense"
    with pytest.raises(ValueError, match='unique names: "hidden" is already used'):
        model.add(Dense(1, name="hidden"))
    with pytest.raises(ValueError, match='no layer named "nope"'):
        model.get_layer("nope")


def test_add_builds_each_layer_from_the_previous_output_shape():
    model = nn.Sequential()
    model.add(Dense(5, input_dim=3))
    model.add(Dense(2))
    assert model.built and model.layers[1].kernel.shape == (5, 2)
    assert model.output_shape == (None, 2) and model.input_shape == (None, 3)
    assert model.pop().name == "dense_1" and model.output_shape == (None, 5)


def test_unbuilt_model_builds_on_first_data():
    model = nn.Sequential([Dense(4), Dense(1)])
    assert not model.built
    unbuilt = []
    model.summary(print_fn=unbuilt.append)  # as Keras 3: what is known, no error
    assert unbuilt[4].split() == ["dense", "(Dense)", "?", "0", "(unbuilt)"]
    assert "Total params: 0" in unbuilt
    model.compile(optimizer="sgd", loss="mse")
    model.fit(np.ones((6, 3)), np.ones(6), verbose=0)
    assert model.built and model.input_shape == (None, 3)
    lines = []
    model.summary(print_fn=lines.append)
    assert lines[4].startswith("dense (Dense)                (None, 4)                 16")


def test_build_with_an_explicit_shape():
    model = nn.Sequential([Dense(4), Dense(1)])
    model.build((None, 7))
    assert model.count_params() == 7 * 4 + 4 + 5


def test_add_rejects_non_layers():
    model = nn.Sequential()
    with pytest.raises(TypeError, match="received the class Dense: write Dense"):
        model.add(Dense)
    with pytest.raises(TypeError, match="expects a Layer instance, received 3"):
        model.add(3)
    with pytest.raises(TypeError, match="expects a list of layers"):
        nn.Sequential(5)
    with pytest.raises(TypeError, match="nesting models is not supported"):
        model.add(nn.Sequential())
    model.add(Dense(2, input_dim=2))
    with pytest.raises(ValueError, match="first element"):
        model.add(nn.Input(shape=(2,)))
    with pytest.raises(ValueError, match=r"declares input_shape \(5,\).*outputs \(None, 2\)"):
        model.add(Dense(1, input_shape=(5,)))


def test_calling_a_model_on_a_tensor_returns_a_tensor_in_the_graph():
    model = mlp()
    x = Tensor(np.ones((2, 4), dtype=np.float32), requires_grad=True)
    out = model(x)
    assert isinstance(out, Tensor) and out.requires_grad and out.shape == (2, 3)
    out.sum().backward()
    assert x.grad.shape == (2, 4)
    assert isinstance(model(np.ones((1, 4))), Tensor)  # arrays are wrapped
    assert isinstance(model([[1.0, 2.0, 3.0, 4.0]]), Tensor)  # lists too


def test_predict_is_batched_without_graph_and_matches_call():
    model = mlp()
    x = np.random.default_rng(0).normal(size=(70, 4)).astype(np.float32)
    out = model.predict(x, batch_size=32, verbose=0)
    assert isinstance(out, np.ndarray) and out.shape == (70, 3) and out.dtype == np.float32
    np.testing.assert_allclose(out, model(x).data, rtol=1e-6)
    np.testing.assert_allclose(out.sum(axis=1), 1.0, rtol=1e-5)


def test_predict_prints_a_bar_by_default(capsys):
    mlp().predict(np.ones((70, 4)))
    assert capsys.readouterr().out.startswith("3/3 [==============================] - ")
    mlp().predict(np.ones((2, 4)), verbose=0)
    assert capsys.readouterr().out == ""


def test_evaluate_returns_a_scalar_without_metrics_and_a_list_with():
    x = np.random.default_rng(0).normal(size=(50, 4))
    y = np.random.default_rng(1).integers(0, 3, size=50)
    model = mlp(optimizer="adam", loss="sparse_categorical_crossentropy")
    loss = model.evaluate(x, y, verbose=0)
    assert isinstance(loss, float)
    probabilities = model.predict(x, verbose=0)
    expected = -np.mean(np.log(np.clip(probabilities[np.arange(50), y], 1e-7, 1)))
    assert loss == pytest.approx(expected, rel=1e-5)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    loss2, acc = model.evaluate(x, y, batch_size=7, verbose=0)
    assert loss2 == pytest.approx(loss, rel=1e-5)
    assert acc == pytest.approx(np.mean(probabilities.argmax(1) == y))
    assert model.evaluate(x, y, verbose=0, return_dict=True).keys() == {"loss", "accuracy"}
    assert model.metrics_names == ["loss", "accuracy"]


def test_custom_training_loop_matches_fit():
    x = np.random.default_rng(0).normal(size=(40, 4)).astype(np.float32)
    y = np.random.default_rng(1).integers(0, 3, size=40)

    nn.utils.set_random_seed(3)
    fitted = mlp(optimizer="sgd", loss="sparse_categorical_crossentropy")
    fitted.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0)

    nn.utils.set_random_seed(3)
    model = mlp()
    loss_fn = nn.losses.get("sparse_categorical_crossentropy")
    optimizer = nn.optimizers.get("sgd")
    for _ in range(3):
        for lo in range(0, 40, 16):
            out = model(Tensor(x[lo : lo + 16]), training=True)
            loss = loss_fn(y[lo : lo + 16], out)
            optimizer.zero_grad(model.trainable_weights)
            loss.backward()
            optimizer.step(model.trainable_weights)
    for a, b in zip(fitted.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_subclassed_model_trains_with_fit():
    class TwoLayers(nn.Model):
        def __init__(self):
            super().__init__()
            self.hidden = Dense(8, activation="tanh")
            self.drop = Dropout(0.1)
            self.out = Dense(1)

        def call(self, inputs, training=False):
            return self.out(self.drop(self.hidden(inputs), training=training))

    model = TwoLayers()
    assert model.name == "two_layers"
    x = np.linspace(-1, 1, 64).reshape(-1, 1)
    model.compile(optimizer="adam", loss="mse")
    history = model.fit(x, x**2, epochs=30, batch_size=16, verbose=0)
    assert [layer.name for layer in model.layers] == ["dense", "dropout", "dense_1"]
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert len(model.trainable_weights) == 4
    lines = []
    model.summary(print_fn=lines.append)
    assert lines[0] == 'Model: "two_layers"' and "Total params: 25" in lines


def test_model_set_weights_checks_the_total_count():
    model = mlp()
    weights = model.get_weights()
    assert [w.shape for w in weights] == [(4, 8), (8,), (8, 3), (3,)]
    with pytest.raises(ValueError, match='model "sequential" expects 4 weight arrays.*received 3'):
        model.set_weights(weights[:3])
    with pytest.raises(ValueError, match=r'layer "dense_1": weight \'kernel\' has shape \(8, 3\)'):
        model.set_weights(weights[:2] + [np.zeros((3, 8)), weights[3]])
    model.set_weights([w + 1 for w in weights])
    np.testing.assert_array_equal(model.get_weights()[0], weights[0] + 1)


def test_summary_widens_for_long_names_instead_of_cutting_them():
    model = nn.Sequential([Dense(2, input_dim=2, name="a_very_long_layer_name_that_overflows")])
    lines = []
    model.summary(print_fn=lines.append)
    # Keras 2 cut the name column at 28 characters; Keras 3 cuts nothing: the column widens
    label = "a_very_long_layer_name_that_overflows (Dense)"
    assert lines[4] == label + " " + "(None, 2)".ljust(26) + "6".ljust(10)
    assert all(len(line) == len(label) + 37 for line in lines[1:6])
    short: list[str] = []
    nn.Sequential([Dense(2, input_dim=2)]).summary(print_fn=short.append)
    assert all(len(line) == 65 for line in short[1:6])  # short names keep Keras 2's 65 columns


def test_plot_model_draws_one_box_per_layer(tmp_path):
    model = mlp()
    target = tmp_path / "model.png"
    dot = nn.utils.plot_model(model, to_file=str(target))
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    source = dot.source
    assert "dense (Dense)" in source and "dense_1 (Dense)" in source
    assert "output: (None, 8)" in source and "params: 40" in source and "params: 27" in source
    assert source.count("->") == 2
    svg = tmp_path / "model.svg"
    nn.utils.plot_model(model, to_file=str(svg), show_shapes=False, rankdir="LR")
    assert b"<svg" in svg.read_bytes()
    with pytest.raises(ValueError, match="rankdir"):
        nn.utils.plot_model(model, to_file=None, rankdir="XY")


def test_predict_on_one_sample_quotes_its_shape_and_suggests_a_batch():
    # issue 17, item 5: predict(X[0]) used to blame a (4, 1) array the user never passed
    model = nn.Sequential([nn.Input(shape=(4,)), Dense(1)])
    X = np.ones((10, 4))
    with pytest.raises(ValueError) as error:
        model.predict(X[0], verbose=0)
    message = str(error.value)
    assert "but x has shape (4,)" in message
    assert "x[None] (shape (1, 4))" in message and "X[:1] instead of X[0]" in message
    assert model.predict(X[0][None], verbose=0).shape == model.predict(X[:1], verbose=0).shape
    images = nn.Sequential([nn.Input(shape=(3, 3)), nn.layers.Flatten(), Dense(1)])
    with pytest.raises(ValueError, match=r"x has shape \(3, 3\)\. That is the shape of one sample"):
        images.predict(np.ones((3, 3)), verbose=0)
    with pytest.raises(ValueError) as other:
        model.predict(np.ones((2, 5)), verbose=0)
    assert "x[None]" not in str(other.value)  # only when it looks like one sample
