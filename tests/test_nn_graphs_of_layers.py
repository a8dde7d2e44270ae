"""Convnets and recurrent nets in pictures: a 100-step LSTM backpropagates and its graph lays
out quickly with the real `dot`, layers drawn as their scopes; plot_model draws every new
layer; a Conv1D feeding an LSTM (Keras' "combinations of the two") trains."""

from __future__ import annotations

import time

import graphviz
import numpy as np

import nn
from autograd import Tensor, draw_graph

L = nn.layers


def test_a_100_step_lstm_backpropagates_and_its_graph_lays_out_fast() -> None:
    model = nn.Sequential([nn.Input((100, 3)), L.LSTM(8), L.Dense(1)])
    x = np.random.default_rng(0).random((2, 100, 3)).astype(np.float32)
    loss = (model(Tensor(x)) ** 2).mean()
    loss.backward()
    kernel = model.layers[0].kernel
    assert kernel.grad is not None and np.all(np.isfinite(kernel.grad))
    assert np.abs(kernel.grad).sum() > 0
    graph = draw_graph(loss)
    assert "lstm (LSTM)" in graph.source and "dense (Dense)" in graph.source
    start = time.perf_counter()
    svg = graph.pipe(format="svg").decode()
    assert time.perf_counter() - start < 5.0, "dot took too long on a 100-step LSTM"
    assert svg.lstrip().startswith("<?xml") and "lstm (LSTM)" in svg


def _every_new_layer() -> list[nn.Sequential]:
    image = nn.Sequential([
        nn.Input((12, 12, 2)), L.ZeroPadding2D(1), L.Conv2D(4, 3, activation="relu"),
        L.BatchNormalization(), L.MaxPooling2D(), L.AveragePooling2D(padding="same"),
        L.Conv2D(4, 2, padding="same"), L.GlobalMaxPooling2D(), L.LayerNormalization(),
        L.Dense(3),
    ], name="images")
    sequence = nn.Sequential([
        nn.Input((10,)), L.Embedding(20, 4), L.Conv1D(6, 3, padding="causal"),
        L.MaxPooling1D(), L.AveragePooling1D(), L.ZeroPadding1D(1),
        L.SimpleRNN(5, return_sequences=True),
        L.GRU(4, return_sequences=True), L.Bidirectional(L.LSTM(3, return_sequences=True)),
        L.GlobalAveragePooling1D(), L.Reshape((2, 3)), L.Flatten(), L.Dense(1),
    ], name="sequences")
    return [image, sequence]


def test_summary_and_plot_model_show_every_new_layer() -> None:
    for model in _every_new_layer():
        lines: list[str] = []
        model.summary(print_fn=lines.append)
        text = "\n".join(lines)
        plotted = nn.utils.plot_model(model, to_file=None)
        source = plotted.source if isinstance(plotted, graphviz.Digraph) else str(plotted)
        for layer in model.layers:
            assert f"{layer.name} ({type(layer).__name__})" in text, layer.name  # never cut
            assert layer.name in source, layer.name
        total = sum(layer.count_params() for layer in model.layers)
        assert f"Total params: {total:,}" in text


def test_a_conv1d_feeding_an_lstm_learns() -> None:
    nn.utils.set_random_seed(3)
    rng = np.random.default_rng(3)
    x = rng.standard_normal((64, 12, 2)).astype(np.float32)
    y = (x[:, :, 0].sum(axis=1, keepdims=True) > 0).astype(np.float32)
    model = nn.Sequential([
        nn.Input((12, 2)), L.Conv1D(8, 3, activation="relu"), L.LSTM(8),
        L.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer=nn.optimizers.Adam(learning_rate=0.01), loss="binary_crossentropy")
    history = model.fit(x, y, epochs=30, batch_size=16, verbose=0)
    losses = history.history["loss"]
    assert losses[-1] < 0.6 * losses[0], losses
