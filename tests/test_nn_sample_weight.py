"""fit/evaluate with sample_weight and class_weight, against numpy written from Keras 3's
rule: a batch's loss is sum(w_i * loss_i) / batch_size ("sum_over_batch_size", divided by the
number of loss values, not by the sum of the weights), the epoch's loss averages batches by
size, class_weight[class] becomes each sample's weight (argmax of one-hot rows), compiled
`metrics` are not weighted (Keras weighs only `weighted_metrics`)."""

import numpy as np
import pytest

import nn


def linear_model(kernel: float, bias: float, lr: float = 0.0) -> nn.Sequential:
    model = nn.Sequential([nn.layers.Dense(1, input_dim=1, dtype="float64")])
    model.set_weights([np.array([[kernel]]), np.array([bias])])
    model.compile(optimizer=nn.optimizers.SGD(lr), loss="mse", metrics=["mae"])
    return model


X = np.array([[0.0], [1.0], [2.0], [3.0], [4.0], [5.0]])
Y = np.array([1.0, 0.0, 4.0, 2.0, 9.0, 3.0])
W = np.array([1.0, 0.0, 2.0, 0.5, 3.0, 1.5])


def weighted_mse(kernel, bias, x, y, w):
    total = 0.0
    for xi, yi, wi in zip(x[:, 0], y, w):
        total += wi * (kernel * xi + bias - yi) ** 2
    return total / len(y)


def test_fit_reports_the_weighted_sum_over_the_number_of_samples():
    model = linear_model(0.5, 0.25)  # lr 0: the weights stay, each epoch sees the same loss
    history = model.fit(X, Y, sample_weight=W, batch_size=4, epochs=2, verbose=0, shuffle=False)
    want = weighted_mse(0.5, 0.25, X, Y, W)
    np.testing.assert_allclose(history.history["loss"], [want, want], rtol=1e-12)
    unweighted_mae = np.mean(np.abs(0.5 * X[:, 0] + 0.25 - Y))  # metrics are not weighted
    np.testing.assert_allclose(history.history["mae"], [unweighted_mae] * 2, rtol=1e-12)


def test_one_step_follows_the_gradient_of_the_weighted_loss():
    k, b, lr = 0.5, 0.25, 0.01
    model = linear_model(k, b, lr)
    model.fit(X, Y, sample_weight=W, batch_size=len(X), epochs=1, verbose=0, shuffle=False)
    residual = k * X[:, 0] + b - Y
    grad_k = np.sum(W * 2 * residual * X[:, 0]) / len(X)
    grad_b = np.sum(W * 2 * residual) / len(X)
    kernel, bias = model.get_weights()
    np.testing.assert_allclose([kernel[0, 0], bias[0]], [k - lr * grad_k, b - lr * grad_b])


def test_zero_weights_still_count_in_the_divisor_as_keras():
    """Weights (1, 1, 0, 0) on 4 samples halve the gradient of training on the 2 alone."""
    x, y = X[:4], Y[:4]
    weighted = linear_model(0.5, 0.25, lr=0.1)
    weighted.fit(x, y, sample_weight=[1, 1, 0, 0], batch_size=4, verbose=0, shuffle=False)
    alone = linear_model(0.5, 0.25, lr=0.05)
    alone.fit(x[:2], y[:2], batch_size=2, verbose=0, shuffle=False)
    for a, b in zip(weighted.get_weights(), alone.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_evaluate_weighs_the_loss_not_the_metrics():
    model = linear_model(0.5, 0.25)
    loss, mae = model.evaluate(X, Y, sample_weight=W, batch_size=4, verbose=0)
    assert loss == pytest.approx(weighted_mse(0.5, 0.25, X, Y, W), rel=1e-12)
    assert mae == pytest.approx(np.mean(np.abs(0.5 * X[:, 0] + 0.25 - Y)), rel=1e-12)
    assert model.test_on_batch(X, Y, sample_weight=W)[0] == pytest.approx(loss, rel=1e-12)


def test_validation_data_may_carry_sample_weights_and_validation_split_splits_them():
    model = linear_model(0.5, 0.25)
    history = model.fit(X[:4], Y[:4], validation_data=(X[4:], Y[4:], W[4:]), verbose=0)
    assert history.history["val_loss"][0] == pytest.approx(
        weighted_mse(0.5, 0.25, X[4:], Y[4:], W[4:]), rel=1e-12
    )
    history = model.fit(X, Y, sample_weight=W, validation_split=1 / 3, verbose=0, shuffle=False)
    assert history.history["loss"][0] == pytest.approx(
        weighted_mse(0.5, 0.25, X[:4], Y[:4], W[:4]), rel=1e-12
    )
    assert history.history["val_loss"][0] == pytest.approx(
        weighted_mse(0.5, 0.25, X[4:], Y[4:], W[4:]), rel=1e-12
    )


def classifier(lr: float) -> nn.Sequential:
    nn.utils.set_random_seed(3)
    model = nn.Sequential([nn.layers.Dense(3, input_dim=2, dtype="float64")])
    model.compile(optimizer=nn.optimizers.SGD(lr),
                  loss=nn.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


def test_class_weight_equals_the_sample_weights_it_maps_to():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(12, 2))
    labels = np.array([0, 1, 2, 2, 1, 0, 0, 2, 1, 1, 0, 2])
    class_weight = {0: 0.5, 2: 4.0}  # class 1 is absent: weight 1.0, as Keras
    by_class = classifier(0.1)
    h1 = by_class.fit(x, labels, class_weight=class_weight, batch_size=5, epochs=3,
                      verbose=0, shuffle=False)
    by_sample = classifier(0.1)
    by_hand = np.array([class_weight.get(int(c), 1.0) for c in labels])
    h2 = by_sample.fit(x, labels, sample_weight=by_hand, batch_size=5, epochs=3,
                       verbose=0, shuffle=False)
    np.testing.assert_allclose(h1.history["loss"], h2.history["loss"], rtol=1e-12)
    for a, b in zip(by_class.get_weights(), by_sample.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    unweighted = classifier(0.1)
    h3 = unweighted.fit(x, labels, batch_size=5, epochs=3, verbose=0, shuffle=False)
    assert h3.history["loss"] != h1.history["loss"]


def test_class_weight_reads_one_hot_rows_by_argmax_and_binary_columns_by_value():
    from nn.sample_weights import class_weight_to_sample_weights

    one_hot = nn.utils.to_categorical([2, 0, 1])
    np.testing.assert_array_equal(
        class_weight_to_sample_weights(one_hot, {0: 5.0, 2: 7.0}), [7.0, 5.0, 1.0]
    )
    binary = np.array([[1.0], [0.0], [1.0]])
    np.testing.assert_array_equal(class_weight_to_sample_weights(binary, {1: 3}), [3.0, 1.0, 3.0])
    np.testing.assert_array_equal(class_weight_to_sample_weights([0, 1], {"1": 2}), [1.0, 2.0])


def test_a_sequence_output_spreads_each_sample_weight_over_its_time_steps():
    nn.utils.set_random_seed(4)
    model = nn.Sequential(
        [nn.layers.SimpleRNN(2, return_sequences=True, input_shape=(3, 1)), nn.layers.Dense(1)]
    )
    model.compile(optimizer="sgd", loss="mse")
    x = np.random.default_rng(1).normal(size=(4, 3, 1))
    y = np.zeros((4, 3, 1))
    w = np.array([1.0, 0.0, 2.0, 0.5])
    out = model.predict(x, verbose=0).astype(np.float64)
    per_step = (out - y)[..., 0] ** 2  # (4, 3): mse over the last axis of size 1
    want = np.sum(w[:, None] * per_step) / per_step.size
    assert model.evaluate(x, y, sample_weight=w, verbose=0) == pytest.approx(want, rel=1e-5)


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"sample_weight": W, "class_weight": {0: 1.0}}, ValueError, "not both"),
        ({"sample_weight": W[:5]}, ValueError, "one weight per sample \\(6\\)"),
        ({"sample_weight": np.where(W > 2, np.nan, W)}, ValueError, "NaN or infinite"),
        ({"sample_weight": ["a"] * 6}, TypeError, "must hold numbers"),
        ({"class_weight": [1.0, 2.0]}, ValueError, "must be a dict"),
        ({"class_weight": {"one": 2.0}}, ValueError, "integer class indices"),
        ({"class_weight": {0: float("inf")}}, ValueError, "finite numbers"),
    ],
)
def test_bad_weights_fail_before_any_step(kwargs, error, message):
    model = linear_model(0.5, 0.25, lr=0.1)
    with pytest.raises(error, match=message):
        model.fit(X, Y, verbose=0, **kwargs)
    assert model.optimizer.iterations == 0


def test_weighted_metrics_use_the_sample_weights_as_a_weighted_mean():
    """Keras' Mean: sum(w * value) / sum(w) (unlike the loss, divided by the weights)."""
    model = nn.Sequential([nn.layers.Dense(1, input_dim=1, dtype="float64")])
    model.set_weights([np.array([[0.5]]), np.array([0.25])])
    model.compile(optimizer=nn.optimizers.SGD(0.0), loss="mse", metrics=["mae"],
                  weighted_metrics=["mae", "mse"])
    assert model.metrics_names == ["loss", "mae", "weighted_mae", "mse"]
    history = model.fit(X, Y, sample_weight=W, batch_size=4, verbose=0, shuffle=False)
    error = 0.5 * X[:, 0] + 0.25 - Y
    assert history.history["mae"][0] == pytest.approx(np.mean(np.abs(error)), rel=1e-12)
    assert history.history["weighted_mae"][0] == pytest.approx(
        np.sum(W * np.abs(error)) / np.sum(W), rel=1e-12
    )
    assert history.history["mse"][0] == pytest.approx(np.sum(W * error**2) / np.sum(W), rel=1e-12)
    logs = model.evaluate(X, Y, sample_weight=W, verbose=0, return_dict=True)
    assert logs["weighted_mae"] == pytest.approx(history.history["weighted_mae"][0], rel=1e-12)
    unweighted = model.evaluate(X, Y, verbose=0, return_dict=True)  # no weights: plain means
    assert unweighted["weighted_mae"] == pytest.approx(np.mean(np.abs(error)), rel=1e-12)


def test_class_weight_weighs_the_training_part_of_a_split_not_the_validation_part():
    model = linear_model(0.5, 0.25)
    labels = np.array([0, 1, 0, 1, 1, 0])  # 0/1 targets: the classes the weights name
    class_weight = {0: 3.0, 1: 0.5}
    history = model.fit(X, labels, class_weight=class_weight, validation_split=1 / 3,
                        verbose=0, shuffle=False)
    w = np.array([class_weight[c] for c in labels])
    assert history.history["loss"][0] == pytest.approx(
        weighted_mse(0.5, 0.25, X[:4], labels[:4], w[:4]), rel=1e-12
    )
    assert history.history["val_loss"][0] == pytest.approx(
        weighted_mse(0.5, 0.25, X[4:], labels[4:], np.ones(2)), rel=1e-12
    )


def test_train_on_batch_takes_sample_and_class_weights():
    model = linear_model(0.5, 0.25)
    loss, _ = model.train_on_batch(X, Y, sample_weight=W)
    assert loss == pytest.approx(weighted_mse(0.5, 0.25, X, Y, W), rel=1e-12)
    labels = np.array([0, 1, 0, 1, 1, 0])
    loss, _ = model.train_on_batch(X, labels, class_weight={1: 2.0})
    w = np.where(labels == 1, 2.0, 1.0)
    assert loss == pytest.approx(weighted_mse(0.5, 0.25, X, labels, w), rel=1e-12)
