"""Bad input fails before training starts, with a message saying what was received and expected."""

import numpy as np
import pytest

import nn
from nn.layers import Dense


@pytest.fixture(autouse=True)
def seeded():
    nn.utils.set_random_seed(0)


def compiled(loss="mse", width=2, metrics=None):
    model = nn.Sequential([Dense(4, activation="relu", input_shape=(width,)), Dense(1, activation="sigmoid")])
    model.compile(optimizer="sgd", loss=loss, metrics=metrics)
    return model


def untouched(model):
    """Assert that a failed fit did not change any weight."""
    before = model.get_weights()

    def check():
        for a, b in zip(before, model.get_weights()):
            np.testing.assert_array_equal(a, b)

    return check


def test_unknown_identifiers_list_the_valid_names():
    model = nn.Sequential([Dense(1, input_dim=2)])
    with pytest.raises(ValueError, match=r"Unknown optimizer identifier 'sgdd'.*'adam'.*'sgd'"):
        model.compile(optimizer="sgdd", loss="mse")
    with pytest.raises(ValueError, match=r"Unknown loss identifier 'mean_square_error'.*'mean_squared_error'"):
        model.compile(optimizer="sgd", loss="mean_square_error")
    with pytest.raises(ValueError, match=r"Unknown metric identifier 'accuracyy'"):
        model.compile(optimizer="sgd", loss="mse", metrics=["accuracyy"])
    with pytest.raises(ValueError, match=r"Unknown activation identifier 'sigmod'.*'sigmoid'"):
        nn.layers.Activation("sigmod")
    with pytest.raises(TypeError, match="unexpected keyword argument.*'lr'"):
        model.compile(optimizer="sgd", loss="mse", lr=0.1)
    with pytest.raises(ValueError, match="metric names must be unique"):
        model.compile(optimizer="sgd", loss="mse", metrics=["mae", "mae"])


def test_fit_before_compile():
    model = nn.Sequential([Dense(1, input_dim=2)])
    with pytest.raises(RuntimeError, match=r"must compile the model before fit.*model.compile\("):
        model.fit(np.ones((4, 2)), np.ones(4))
    with pytest.raises(RuntimeError, match="before evaluate"):
        model.evaluate(np.ones((4, 2)), np.ones(4))
    model.compile(optimizer="sgd")
    with pytest.raises(ValueError, match="compiled without a loss"):
        model.fit(np.ones((4, 2)), np.ones(4))


def test_x_and_y_of_different_lengths():
    model = compiled()
    check = untouched(model)
    with pytest.raises(ValueError, match="same number of samples, received 10 in x and 9 in y"):
        model.fit(np.ones((10, 2)), np.ones(9), verbose=0)
    check()


def test_input_width_different_from_input_shape():
    model = compiled(width=20)
    check = untouched(model)
    with pytest.raises(ValueError, match=r"expects inputs of shape \(None, 20\).*x has shape \(8, 3\)"):
        model.fit(np.ones((8, 3)), np.ones(8), verbose=0)
    with pytest.raises(ValueError, match=r"expects inputs of shape \(None, 20\)"):
        model.predict(np.ones((8, 3)), verbose=0)
    with pytest.raises(ValueError, match=r'Input 0 of layer "dense" is incompatible.*value 20'):
        model(np.ones((8, 3)))
    check()


def test_targets_of_the_wrong_width():
    model = compiled()
    with pytest.raises(ValueError, match=r"each target has shape \(3,\), but the model outputs \(1,\)"):
        model.fit(np.ones((8, 2)), np.ones((8, 3)), verbose=0)


def test_labels_outside_the_loss_domain():
    model = compiled(loss="binary_crossentropy")
    check = untouched(model)
    with pytest.raises(ValueError, match=r"binary_crossentropy expects labels in \[0, 1\], received values from 0.0 to 2.0"):
        model.fit(np.ones((6, 2)), [0, 1, 2, 0, 1, 0], verbose=0)
    with pytest.raises(ValueError, match="binary_crossentropy expects labels in"):
        model.fit(np.ones((6, 2)), np.ones(6), validation_data=(np.ones((2, 2)), [-1, 1]), verbose=0)
    check()
    multi = nn.Sequential([Dense(3, activation="softmax", input_dim=2)])
    multi.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match="class ids"):
        multi.fit(np.ones((3, 2)), [0, 1.5, 2], verbose=0)


@pytest.mark.parametrize(
    "x, error, pattern",
    [
        ([["a", "b"], ["c", "d"]], TypeError, r"fit: x must be numeric, received .* with dtype <U1"),
        ([{"a": 1}, {"b": 2}], TypeError, r"fit: x must hold only numbers"),
        ([[1, None], [2, 3]], TypeError, r"x must hold only numbers, .* 1 None value\(s\), the first at index \(0, 1\)"),
        ([[1, 2], [3]], ValueError, r"fit: x must be a rectangular array of numbers"),
        (np.array([[1 + 1j, 2], [3, 4]]), TypeError, r"x must be numeric.*complex128"),
        ("hello", TypeError, r"x must be numeric"),
    ],
)
def test_non_numeric_data(x, error, pattern):
    model = compiled()
    with pytest.raises(error, match=pattern):
        model.fit(x, [0, 1], verbose=0)


def test_non_numeric_labels():
    with pytest.raises(TypeError, match=r"fit: y must be numeric.*dtype <U3"):
        compiled().fit(np.ones((2, 2)), ["cat", "dog"], verbose=0)


def test_nan_in_the_inputs():
    model = compiled()
    check = untouched(model)
    x = np.ones((5, 2))
    x[3, 1] = np.nan
    with pytest.raises(ValueError, match=r"fit: x contains 1 NaN or infinite value\(s\), the first at index \(3, 1\)"):
        model.fit(x, np.ones(5), verbose=0)
    with pytest.raises(ValueError, match=r"y contains 1 NaN or infinite value\(s\), the first at index 2"):
        model.fit(np.ones((5, 2)), [0, 1, np.inf, 0, 1], verbose=0)
    with pytest.raises(ValueError, match=r"predict: x contains"):
        model.predict(x, verbose=0)
    check()


def test_bad_fit_arguments():
    model = compiled()
    x, y = np.ones((4, 2)), np.ones(4)
    with pytest.raises(ValueError, match="batch_size to be a positive integer, received 0"):
        model.fit(x, y, batch_size=0)
    with pytest.raises(ValueError, match="epochs to be a non-negative integer, received 2.5"):
        model.fit(x, y, epochs=2.5)
    with pytest.raises(ValueError, match="verbose to be 'auto', 0, 1 or 2, received 'loud'"):
        model.fit(x, y, verbose="loud")
    with pytest.raises(ValueError, match=r"validation_data=\(x_val, y_val\)"):
        model.fit(x, y, validation_data=x, verbose=0)
    with pytest.raises(ValueError, match="x holds no samples"):
        model.fit(np.ones((0, 2)), np.ones(0), verbose=0)
    with pytest.raises(ValueError, match="x is required"):
        model.fit(None, y, verbose=0)
    with pytest.raises(ValueError, match="y \\(the targets\\) is required"):
        model.fit(x, verbose=0)
    with pytest.raises(TypeError, match="shuffle=True or False"):
        model.fit(x, y, shuffle="yes", verbose=0)


def test_nan_loss_message_names_epoch_and_batch():
    model = nn.Sequential([Dense(1, input_dim=1)])
    model.compile(optimizer=nn.optimizers.SGD(learning_rate=10.0), loss="mse")
    with pytest.raises(nn.NonFiniteLossError) as caught:
        model.fit(np.arange(1, 41).reshape(-1, 1), np.arange(40) * 1e3, epochs=50,
                  batch_size=20, shuffle=False, verbose=0)
    error = caught.value
    assert f"at epoch {error.epoch}/50, batch {error.batch}/2 " in str(error)
    assert error.epoch > 1 and len(error.history.history["loss"]) == error.epoch - 1
