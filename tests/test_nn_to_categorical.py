"""nn.utils.to_categorical against a plain-loop one-hot written from Keras' documented rule."""

import numpy as np
import pytest

import nn


def one_hot_reference(ids: list, num_classes: int) -> np.ndarray:
    out = np.zeros((len(ids), num_classes))
    for row, k in enumerate(ids):
        out[row][k] = 1.0
    return out


def test_flat_ids_infer_num_classes_as_max_plus_one():
    got = nn.utils.to_categorical([3, 0, 1, 3])
    np.testing.assert_array_equal(got, one_hot_reference([3, 0, 1, 3], 4))
    assert got.dtype == np.float64  # Keras returns np.zeros' default dtype


def test_trailing_axis_of_one_is_dropped_and_num_classes_honoured():
    got = nn.utils.to_categorical(np.array([[1], [0], [2]]), num_classes=5)
    np.testing.assert_array_equal(got, one_hot_reference([1, 0, 2], 5))


def test_higher_rank_ids_keep_their_shape_with_the_class_axis_last():
    ids = np.array([[0, 1, 2], [2, 2, 0]])
    got = nn.utils.to_categorical(ids, num_classes=3)
    assert got.shape == (2, 3, 3)
    np.testing.assert_array_equal(got.reshape(6, 3), one_hot_reference(ids.ravel().tolist(), 3))


def test_whole_floats_are_accepted_as_class_ids():
    np.testing.assert_array_equal(
        nn.utils.to_categorical([1.0, 0.0]), one_hot_reference([1, 0], 2)
    )


@pytest.mark.parametrize(
    "ids, num_classes, message",
    [
        ([0, 3], 3, "class ids in \\[0, 3\\)"),
        ([-1, 0], None, "received ids from -1"),
        ([0.5, 1.0], None, "integer class ids"),
        (["a"], None, "integer class ids"),
    ],
)
def test_bad_ids_raise_value_error_quoting_them(ids, num_classes, message):
    with pytest.raises(ValueError, match=message):
        nn.utils.to_categorical(ids, num_classes=num_classes)


def test_labels_from_to_categorical_train_with_categorical_crossentropy():
    nn.utils.set_random_seed(0)
    x = np.array([[0.0], [1.0], [2.0], [3.0]])
    y = nn.utils.to_categorical([0, 1, 0, 1])
    model = nn.Sequential([nn.layers.Dense(2, activation="softmax", input_shape=(1,))])
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    history = model.fit(x, y, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2
