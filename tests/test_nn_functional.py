"""The functional API (issue 17, item 1): nn.Input, layers called on symbolic tensors,
nn.Model(inputs, outputs) with several inputs, shared layers and merge layers; fit, evaluate,
predict, summary's 'Connected to', plot_model of the DAG, get_config / from_config.

Parity with Keras is shown against numpy written from Keras' documented math, in float64."""

import numpy as np
import pytest

import nn
from autograd import Tensor
from nn import layers
from nn.functional import Functional

F64 = "float64"


@pytest.fixture(autouse=True)
def seeded():
    nn.utils.set_random_seed(0)


def two_tower(dtype=None):
    """Two inputs through one shared Dense, merged by concatenate and add, then a head."""
    a, b = nn.Input(shape=(3,), name="a", dtype=dtype), nn.Input(shape=(3,), name="b", dtype=dtype)
    shared = layers.Dense(4, activation="tanh", name="shared", dtype=dtype)
    ha, hb = shared(a), shared(b)
    joined = layers.concatenate([ha, layers.add([ha, hb], dtype=dtype)], dtype=dtype)
    out = layers.Dense(1, name="head", dtype=dtype)(joined)
    return nn.Model([a, b], out, name="towers")


def reference(model, xa, xb):
    """The two-tower model in plain numpy, from its weights (Keras' Dense: x @ kernel + bias)."""
    kernel, bias, head_k, head_b = model.get_weights()
    ha, hb = np.tanh(xa @ kernel + bias), np.tanh(xb @ kernel + bias)
    joined = np.concatenate([ha, ha + hb], axis=-1)
    return joined @ head_k + head_b


def data(n=16):
    rng = np.random.default_rng(1)
    xa, xb = rng.normal(size=(n, 3)), rng.normal(size=(n, 3))
    return xa, xb, (xa[:, :1] - 0.5 * xb[:, 1:2])


def test_the_issue_snippet_builds_trains_and_predicts():
    inputs = nn.Input(shape=(4,))
    x = layers.Dense(8, activation="relu")(inputs)
    outputs = layers.Dense(1)(x)
    model = nn.Model(inputs, outputs)
    assert isinstance(model, Functional) and model.name.startswith("functional")
    assert [layer.name for layer in model.layers] == ["input_layer", "dense", "dense_1"]
    assert model.input_shape == (None, 4) and model.output_shape == (None, 1)
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    x_train = np.random.default_rng(0).normal(size=(32, 4))
    y_train = x_train.sum(axis=1)
    history = model.fit(x_train, y_train, epochs=5, batch_size=8, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    loss, mae = model.evaluate(x_train, y_train, verbose=0)
    assert np.isfinite(loss) and np.isfinite(mae)
    assert model.predict(x_train, verbose=0).shape == (32, 1)


def test_two_inputs_shared_layer_and_merges_match_numpy():
    model = two_tower(F64)
    assert [layer.name for layer in model.layers] == ["a", "b", "shared", "add", "concatenate",
                                                      "head"]
    assert model.count_params() == (3 * 4 + 4) + (8 * 1 + 1)  # the shared Dense once
    xa, xb, _ = data()
    np.testing.assert_allclose(model.predict([xa, xb], verbose=0), reference(model, xa, xb),
                               rtol=1e-12)
    by_name = model.predict({"b": xb, "a": xa}, verbose=0)
    np.testing.assert_array_equal(by_name, model.predict([xa, xb], verbose=0))


def test_gradients_through_the_shared_layer_match_central_differences():
    model = two_tower(F64)
    xa, xb, y = data(6)
    loss = ((model([Tensor(xa), Tensor(xb)]) - Tensor(y)) ** 2).mean()
    loss.backward()
    kernel = model.get_layer("shared").kernel
    weights = model.get_weights()

    def numpy_loss(k):
        model.set_weights([k] + weights[1:])
        return float(((reference(model, xa, xb) - y) ** 2).mean())

    numeric = np.zeros_like(weights[0])
    for i in np.ndindex(*weights[0].shape):
        step = np.zeros_like(weights[0])
        step[i] = 1e-6
        numeric[i] = (numpy_loss(weights[0] + step) - numpy_loss(weights[0] - step)) / 2e-6
    np.testing.assert_allclose(kernel.grad, numeric, rtol=1e-5, atol=1e-8)


def test_fit_with_a_list_or_a_dict_of_inputs_learns():
    model = two_tower()
    model.compile(optimizer=nn.optimizers.Adam(0.02), loss="mse")
    xa, xb, y = data(64)
    before = model.evaluate([xa, xb], y, verbose=0)
    history = model.fit({"a": xa, "b": xb}, y, epochs=30, batch_size=16, verbose=0,
                        validation_split=0.25)
    after = model.evaluate([xa, xb], y, verbose=0)
    assert after < 0.5 * before
    assert sorted(history.history) == ["loss", "val_loss"]
    assert model.evaluate({"a": xa, "b": xb}, y, verbose=0) == after
    assert np.isfinite(model.train_on_batch([xa[:4], xb[:4]], y[:4]))


def test_get_config_round_trips_and_predicts_bit_identically():
    model = two_tower()
    config = model.get_config()
    assert set(config) == {"name", "layers", "input_layers", "output_layers"}
    assert config["input_layers"] == [["a", 0, 0], ["b", 0, 0]]
    assert config["output_layers"] == [["head", 0, 0]]
    specs = {spec["name"]: spec for spec in config["layers"]}
    assert specs["a"]["inbound_nodes"] == []
    assert specs["shared"]["inbound_nodes"] == [[["a", 0, 0, {}]], [["b", 0, 0, {}]]]
    assert specs["add"]["inbound_nodes"] == [[["shared", 0, 0, {}], ["shared", 1, 0, {}]]]
    assert specs["shared"]["class_name"] == "Dense" and specs["shared"]["config"]["units"] == 4
    copy = nn.Model.from_config(config)
    assert [layer.name for layer in copy.layers] == [layer.name for layer in model.layers]
    assert copy.get_config() == config
    copy.set_weights(model.get_weights())
    xa, xb, _ = data()
    np.testing.assert_array_equal(copy.predict([xa, xb], verbose=0),
                                  model.predict([xa, xb], verbose=0))


def test_from_config_takes_a_layer_factory():
    made = []

    def make_layer(class_name, config):
        made.append(class_name)
        return getattr(layers, class_name).from_config(config)

    copy = Functional.from_config(two_tower().get_config(), make_layer)
    assert made == ["InputLayer", "InputLayer", "Dense", "Add", "Concatenate", "Dense"]
    assert copy.count_params() == 25
    with pytest.raises(ValueError, match="unknown layer class 'Mine'"):
        config = two_tower().get_config()
        config["layers"][2]["class_name"] = "Mine"
        nn.Model.from_config(config)


def test_summary_has_keras_connected_to_column():
    lines = []
    two_tower().summary(print_fn=lines.append)
    assert lines[0] == 'Model: "towers"'
    assert lines[2].split() == ["Layer", "(type)", "Output", "Shape", "Param", "#", "Connected",
                                "to"]
    rows = [line.split() for line in lines if line and line[0] not in "_="]
    assert ["a", "(InputLayer)", "(None,", "3)", "0", "-"] in rows
    assert ["shared", "(Dense)", "(None,", "4)", "16", "a[0][0]"] in rows
    assert ["b[0][0]"] in rows  # the shared layer's second call, on the next line
    assert ["add", "(Add)", "(None,", "4)", "0", "shared[0][0]"] in rows
    assert ["shared[1][0]"] in rows
    assert "Total params: 25" in lines


def test_a_chain_has_the_sequential_summary():
    inputs = nn.Input(shape=(2,))
    model = nn.Model(inputs, layers.Dense(1)(inputs))
    lines = []
    model.summary(print_fn=lines.append)
    assert "Connected to" not in lines[2]  # Keras 3 drops the column for a plain chain
    assert lines[4].split() == ["input_layer", "(InputLayer)", "(None,", "2)", "0"]


def test_plot_model_draws_the_graph(tmp_path):
    model = two_tower()
    dot = nn.utils.plot_model(model, to_file=str(tmp_path / "towers.svg"))
    source = dot.source
    for label in ("a (InputLayer)", "b (InputLayer)", "shared (Dense)", "add (Add)",
                  "concatenate (Concatenate)", "head (Dense)"):
        assert label in source
    ids = {layer.name: f"layer{i}" for i, layer in enumerate(model.layers)}
    edges = {line.strip() for line in source.splitlines() if "->" in line}
    expected = {("a", "shared"), ("b", "shared"), ("shared", "add"), ("shared", "concatenate"),
                ("add", "concatenate"), ("concatenate", "head")}
    assert edges == {f"{ids[s]} -> {ids[t]}" for s, t in expected}
    assert (tmp_path / "towers.svg").read_text().count("<svg") == 1


@pytest.mark.parametrize("merge, numpy_fn", [
    (layers.Add, lambda a, b, c: a + b + c),
    (layers.Multiply, lambda a, b, c: a * b * c),
    (layers.Average, lambda a, b, c: (a + b + c) / 3),
    (layers.Maximum, lambda a, b, c: np.maximum(np.maximum(a, b), c)),
    (layers.Minimum, lambda a, b, c: np.minimum(np.minimum(a, b), c)),
])
def test_elementwise_merges_match_numpy_with_their_gradients(merge, numpy_fn):
    rng = np.random.default_rng(2)
    arrays = [rng.normal(size=(2, 3)) for _ in range(3)]
    tensors = [Tensor(a, requires_grad=True) for a in arrays]
    out = merge(dtype=F64)(tensors)
    np.testing.assert_allclose(out.data, numpy_fn(*arrays), rtol=1e-12)
    out.sum().backward()
    for i, tensor in enumerate(tensors):
        numeric = np.zeros_like(arrays[i])
        for j in np.ndindex(*arrays[i].shape):
            up, down = [a.copy() for a in arrays], [a.copy() for a in arrays]
            up[i][j] += 1e-6
            down[i][j] -= 1e-6
            numeric[j] = (numpy_fn(*up).sum() - numpy_fn(*down).sum()) / 2e-6
        np.testing.assert_allclose(tensor.grad, numeric, rtol=1e-6, atol=1e-9)


def test_subtract_and_concatenate():
    a, b = np.array([[5.0, 1.0]]), np.array([[2.0, 3.0]])
    np.testing.assert_array_equal(layers.subtract([a, b]).data, [[3.0, -2.0]])
    x = nn.Input(shape=(2, 3))
    y = nn.Input(shape=(4, 3))
    assert layers.Concatenate(axis=1)([x, y]).shape == (None, 6, 3)
    assert layers.concatenate([x, x]).shape == (None, 2, 6)
    ta = Tensor(np.ones((1, 2)), requires_grad=True)
    tb = Tensor(np.ones((1, 1)), requires_grad=True)
    joined = layers.concatenate([ta, tb])
    (joined * Tensor(np.array([[1.0, 2.0, 3.0]]))).sum().backward()
    assert ta.grad.tolist() == [[1.0, 2.0]] and tb.grad.tolist() == [[3.0]]


def test_merge_layers_check_shapes_as_keras():
    a, b = nn.Input(shape=(3,), name="a"), nn.Input(shape=(4,), name="b")
    with pytest.raises(ValueError, match=r"incompatible shapes, received shapes \[\(None, 3\), "
                                         r"\(None, 4\)\]"):
        layers.add([a, b])
    with pytest.raises(ValueError, match="exactly 2 inputs, received 3"):
        layers.subtract([a, a, a])
    with pytest.raises(ValueError, match="matching shapes except for the concatenation axis"):
        layers.Concatenate(axis=1)([nn.Input(shape=(2, 3)), nn.Input(shape=(2, 4))])
    with pytest.raises(ValueError, match="should be called on a list of inputs"):
        layers.Add()(a)
    assert layers.add([a, nn.Input(shape=(1,))]).shape == (None, 3)  # 1 broadcasts


def two_heads():
    inputs = nn.Input(shape=(2,), dtype=F64)
    hidden = layers.Dense(3, activation="tanh", name="hidden", dtype=F64)(inputs)
    p = layers.Dense(1, name="p", dtype=F64)(hidden)
    q = layers.Dense(2, name="q", dtype=F64)(hidden)
    return nn.Model(inputs, [p, q])


def two_heads_loss(weights, x, yp, yq, q_weight):
    """Keras' rule in numpy: mse of output p plus q_weight times mae of output q."""
    hk, hb, pk, pb, qk, qb = weights
    h = np.tanh(x @ hk + hb)
    return ((h @ pk + pb - yp) ** 2).mean() + q_weight * np.abs(h @ qk + qb - yq).mean()


def test_several_outputs_predict_a_list_and_train_on_the_weighted_sum_of_losses():
    model = two_heads()
    assert model.output_shape == [(None, 1), (None, 2)] and model.output_names == ["p", "q"]
    rng = np.random.default_rng(3)
    x, yp, yq = rng.normal(size=(8, 2)), rng.normal(size=(8, 1)), rng.normal(size=(8, 2))
    first, second = model.predict(x, verbose=0)
    assert first.shape == (8, 1) and second.shape == (8, 2)
    model.compile(optimizer=nn.optimizers.SGD(0.1), loss={"q": "mae", "p": "mse"},
                  loss_weights=[1.0, 0.5], metrics={"q": ["mae"]})
    assert model.metrics_names == ["loss", "p_loss", "q_loss", "q_mae"]
    before = model.get_weights()
    loss, p_loss, q_loss, q_mae = model.train_on_batch(x, {"p": yp, "q": yq})
    assert loss == pytest.approx(two_heads_loss(before, x, yp, yq, 0.5), rel=1e-12)
    assert loss == pytest.approx(p_loss + 0.5 * q_loss, rel=1e-12) and q_mae == q_loss
    hidden_kernel = before[0]
    numeric = np.zeros_like(hidden_kernel)
    for i in np.ndindex(*hidden_kernel.shape):
        up, down = [w.copy() for w in before], [w.copy() for w in before]
        up[0][i] += 1e-6
        down[0][i] -= 1e-6
        numeric[i] = (two_heads_loss(up, x, yp, yq, 0.5)
                      - two_heads_loss(down, x, yp, yq, 0.5)) / 2e-6
    # one SGD step: the shared layer moved by -0.1 times the gradient of the summed loss
    np.testing.assert_allclose(model.get_weights()[0], hidden_kernel - 0.1 * numeric,
                               rtol=1e-6, atol=1e-9)
    history = model.fit(x, [yp, yq], epochs=3, verbose=0, validation_data=(x, [yp, yq]))
    assert sorted(history.history) == sorted(
        ["loss", "p_loss", "q_loss", "q_mae", "val_loss", "val_p_loss", "val_q_loss", "val_q_mae"])
    assert model.evaluate(x, [yp, yq], verbose=0, return_dict=True)["loss"] < loss


def test_several_outputs_check_their_losses_and_targets():
    model = two_heads()
    with pytest.raises(ValueError, match=r"loss as a list needs one entry per output \['p', "
                                         r"'q'\], received 3"):
        model.compile(loss=["mse"] * 3)
    with pytest.raises(ValueError, match=r"received keys \['p', 'r'\]"):
        model.compile(loss={"p": "mse", "r": "mse"})
    with pytest.raises(ValueError, match="loss_weights must be finite numbers"):
        model.compile(loss="mse", loss_weights=[1.0, float("nan")])
    model.compile(optimizer="sgd", loss="mse")  # one loss for every output, as Keras
    x = np.ones((4, 2))
    with pytest.raises(ValueError, match=r"has 2 outputs \['p', 'q'\]: pass y as a list"):
        model.fit(x, np.ones((4, 1)), verbose=0)
    with pytest.raises(ValueError, match=r"\(output 'q'\): each target has shape \(3,\)"):
        model.fit(x, [np.ones((4, 1)), np.ones((4, 3))], verbose=0)
    with pytest.raises(ValueError, match="need a model with one output"):
        model.fit(x, [np.ones((4, 1)), np.ones((4, 2))], sample_weight=np.ones(4), verbose=0)
    with pytest.raises(ValueError, match="need a model with one output"):
        model.fit(x, [np.ones((4, 1)), np.ones((4, 2))], class_weight={0: 2.0}, verbose=0)


def test_layers_with_several_outputs_give_several_tensors():
    inputs = nn.Input(shape=(5, 2))
    sequence, state = layers.SimpleRNN(3, return_state=True)(inputs)
    assert sequence.shape == state.shape == (None, 3)
    model = nn.Model(inputs, layers.concatenate([sequence, state]))
    assert model.predict(np.ones((2, 5, 2)), verbose=0).shape == (2, 6)


def test_sequential_still_takes_an_input_first():
    model = nn.Sequential([nn.Input(shape=(3,)), layers.Dense(2)])
    assert model.input_shape == (None, 3) and [layer.name for layer in model.layers] == ["dense"]
    added = nn.Sequential()
    added.add(nn.Input(shape=(2,)))
    added.add(layers.Dense(1))
    assert added.output_shape == (None, 1)


def test_unsupported_patterns_name_themselves():
    a, b = nn.Input(shape=(3,), name="a"), nn.Input(shape=(3,), name="b")
    with pytest.raises(ValueError, match='layer "add" received a mix of symbolic tensors'):
        layers.add([a, np.ones((1, 3))])
    with pytest.raises(ValueError, match="Graph disconnected: the output 'dense' depends on the "
                                         r"input 'b', which is not among the model's inputs"):
        nn.Model(a, layers.Dense(1)(layers.add([a, b])))
    with pytest.raises(ValueError, match=r"the input\(s\) \['b'\] are not used"):
        nn.Model([a, b], layers.Dense(1)(a))
    hidden = layers.Dense(2, name="hidden")(a)
    with pytest.raises(ValueError, match="is the output of layer \"hidden\", not an nn.Input"):
        nn.Model(hidden, layers.Dense(1)(hidden))
    with pytest.raises(TypeError, match="expects outputs to be symbolic tensors"):
        nn.Model(a, np.ones((1, 3)))
    with pytest.raises(TypeError, match="arithmetic on the symbolic tensor 'a' is not supported"):
        _ = a + b
    with pytest.raises(ValueError, match=r'layer "dense" \(Dense\) takes one tensor'):
        layers.Dense(1)([a, b])


def test_calling_with_the_wrong_inputs_says_what_it_expects():
    model = two_tower()
    xa, xb, _ = data(4)
    with pytest.raises(ValueError, match=r"has 2 inputs \['a', 'b'\]: pass a list of 2 arrays"):
        model.predict(xa, verbose=0)
    with pytest.raises(ValueError, match=r"a dict with the keys \['a', 'b'\].*received keys "
                                         r"\['a', 'c'\]"):
        model.predict({"a": xa, "c": xb}, verbose=0)
    with pytest.raises(ValueError, match=r'input "b" expects shape \(None, 3\), received x of '
                                         r"shape \(4, 2\)"):
        model.predict([xa, xb[:, :2]], verbose=0)
    with pytest.raises(ValueError, match="same number of samples"):
        model.predict([xa, xb[:3]], verbose=0)
    with pytest.raises(ValueError, match="using a functional model as a layer"):
        model([nn.Input(shape=(3,)), nn.Input(shape=(3,))])
    with pytest.raises(TypeError, match="functional API .* is not supported"):

        class Sub(nn.Model):
            def __init__(self):
                inputs = nn.Input(shape=(2,))
                super().__init__(inputs, layers.Dense(1)(inputs))

        Sub()


def test_a_deleted_functional_model_is_freed_by_reference_counting():
    # as Sequential models (issue 16, item 14): the graph of layer calls holds no cycle
    import gc
    import weakref

    def fitted():
        model = two_tower()
        model.compile(optimizer="adam", loss="mse", metrics=["mae"])
        xa, xb, y = data(8)
        model.fit([xa, xb], y, epochs=2, batch_size=4, verbose=0, validation_split=0.25)
        model.evaluate([xa, xb], y, verbose=0)
        model.summary(print_fn=lambda line: None)
        return model, model.get_config()

    fitted()  # first use: module-level caches fill here, not below
    gc.collect()
    gc.disable()
    try:
        model, config = fitted()
        copy = nn.Model.from_config(config)
        refs = [weakref.ref(model), weakref.ref(copy), weakref.ref(model.layers[2])]
        del model, copy
        assert [ref() for ref in refs] == [None, None, None], "a cycle keeps the model alive"
    finally:
        gc.enable()


def test_keyword_form_input_output_and_the_notebook_table():
    inputs = nn.Input(shape=(3,), name="x")
    outputs = layers.Dense(2, name="y")(inputs)
    model = nn.Model(inputs=inputs, outputs=outputs, name="kw")
    assert model.input is inputs and model.output is outputs and model.name == "kw"
    towers = two_tower()
    assert [t.name for t in towers.input] == ["a", "b"]
    bundle = towers._repr_mimebundle_()
    assert bundle["text/plain"].splitlines()[2].split()[-2:] == ["Connected", "to"]
    assert "<th>Connected to</th>" in bundle["text/html"]
    assert "shared[0][0], shared[1][0]" in bundle["text/html"]
