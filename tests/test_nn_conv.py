"""Conv1D/Conv2D, pooling, ZeroPadding and Reshape against plain-loop numpy references of the
Keras/TF definitions (channels-last), their SGD step against central differences, weight
round trips, Keras' shapes and parameter counts in summary(), and bad input."""

from __future__ import annotations

import itertools
import os

import numpy as np
import pytest

import nn
from autograd import Tensor, gradcheck
from autograd.backprop import walk
from autograd.convolution import conv
from nn.layers import (
    AveragePooling1D,
    AveragePooling2D,
    Conv1D,
    Conv2D,
    Dense,
    Flatten,
    GlobalAveragePooling1D,
    GlobalAveragePooling2D,
    GlobalMaxPooling1D,
    GlobalMaxPooling2D,
    Input,
    MaxPooling1D,
    MaxPooling2D,
    Reshape,
    ZeroPadding1D,
    ZeroPadding2D,
)

# ---------------------------------------------------------------------------------------
# References, written from Keras/TF's documented math with plain loops.
# TF 'same': output ceil(n / s), total pad max((out - 1) * s + (k - 1) * d + 1 - n, 0), the
# smaller half before and the extra one after; 'causal' pads (k - 1) * d before only.
# A convolution is a cross-correlation: out[i] = sum_j x[i * s + j * d] . kernel[j].


def ref_pads(size, kernel, stride, dilation, padding):
    if padding == "valid":
        return 0, 0
    if padding == "causal":
        return (kernel - 1) * dilation, 0
    out = -(-size // stride)
    total = max((out - 1) * stride + (kernel - 1) * dilation + 1 - size, 0)
    return total // 2, total - total // 2


def ref_zero_pad(x, widths):
    rank = x.ndim - 2
    shape = tuple(x.shape[1 + a] + sum(widths[a]) for a in range(rank))
    out = np.zeros((x.shape[0], *shape, x.shape[-1]), dtype=x.dtype)
    for index in np.ndindex(*x.shape):
        n, *spatial, c = index
        out[(n, *(spatial[a] + widths[a][0] for a in range(rank)), c)] = x[index]
    return out


def ref_conv(x, kernel, strides, padding, dilation, bias=None):
    rank = x.ndim - 2
    window = kernel.shape[:rank]
    widths = [ref_pads(x.shape[1 + a], window[a], strides[a], dilation[a], padding) for a in range(rank)]
    padded = ref_zero_pad(x, widths)
    sizes = [
        (padded.shape[1 + a] - (window[a] - 1) * dilation[a] - 1) // strides[a] + 1 for a in range(rank)
    ]
    out = np.zeros((x.shape[0], *sizes, kernel.shape[-1]), dtype=x.dtype)
    for n in range(x.shape[0]):
        for pos in itertools.product(*map(range, sizes)):
            for f in range(kernel.shape[-1]):
                total = 0.0 if bias is None else bias[f]
                for offset in itertools.product(*map(range, window)):
                    at = tuple(pos[a] * strides[a] + offset[a] * dilation[a] for a in range(rank))
                    for c in range(x.shape[-1]):
                        total += padded[(n, *at, c)] * kernel[(*offset, c, f)]
                out[(n, *pos, f)] = total
    return out


def ref_pool(x, pool_size, strides, padding, mode):
    """Max or mean of each window over the real elements only (padding never counts)."""
    rank = x.ndim - 2
    widths = [ref_pads(x.shape[1 + a], pool_size[a], strides[a], 1, padding) for a in range(rank)]
    sizes = [
        (x.shape[1 + a] + sum(widths[a]) - pool_size[a]) // strides[a] + 1 for a in range(rank)
    ]
    out = np.zeros((x.shape[0], *sizes, x.shape[-1]), dtype=x.dtype)
    for n in range(x.shape[0]):
        for pos in itertools.product(*map(range, sizes)):
            for c in range(x.shape[-1]):
                values = []
                for offset in itertools.product(*map(range, pool_size)):
                    at = [pos[a] * strides[a] + offset[a] - widths[a][0] for a in range(rank)]
                    if all(0 <= at[a] < x.shape[1 + a] for a in range(rank)):
                        values.append(x[(n, *at, c)])
                out[(n, *pos, c)] = max(values) if mode == "max" else sum(values) / len(values)
    return out


def ref_global_pool(x, mode, keepdims):
    rank = x.ndim - 2
    kept = (1,) * rank if keepdims else ()
    out = np.zeros((x.shape[0], *kept, x.shape[-1]), dtype=x.dtype)
    for n in range(x.shape[0]):
        for c in range(x.shape[-1]):
            values = [x[(n, *pos, c)] for pos in np.ndindex(*x.shape[1:-1])]
            at = (n,) + (0,) * (rank if keepdims else 0) + (c,)
            out[at] = max(values) if mode == "max" else sum(values) / len(values)
    return out


ACTIVATIONS = {"linear": lambda z: z, "tanh": np.tanh, "relu": lambda z: np.maximum(z, 0.0)}
MAX_POOLS = (MaxPooling1D, MaxPooling2D)
POOLS = MAX_POOLS + (AveragePooling1D, AveragePooling2D)
GLOBAL_MAX = (GlobalMaxPooling1D, GlobalMaxPooling2D)
GLOBALS = GLOBAL_MAX + (GlobalAveragePooling1D, GlobalAveragePooling2D)


def ref_forward(layers, weights, x):
    """The model's layers on x by the references, with `weights` in get_weights() order."""
    weights = list(weights)
    for layer in layers:
        if isinstance(layer, (Conv1D, Conv2D, Dense)):
            kernel = weights.pop(0)
            bias = weights.pop(0) if layer.use_bias else None
            if isinstance(layer, Dense):
                z = x @ kernel + bias
            else:
                z = ref_conv(x, kernel, layer.strides, layer.padding, layer.dilation_rate, bias)
            x = ACTIVATIONS[layer.get_config()["activation"]](z)
        elif isinstance(layer, POOLS):
            mode = "max" if isinstance(layer, MAX_POOLS) else "avg"
            x = ref_pool(x, layer.pool_size, layer.strides, layer.padding, mode)
        elif isinstance(layer, GLOBALS):
            mode = "max" if isinstance(layer, GLOBAL_MAX) else "avg"
            x = ref_global_pool(x, mode, layer.keepdims)
        elif isinstance(layer, (ZeroPadding1D, ZeroPadding2D)):
            x = ref_zero_pad(x, layer.padding)
        elif isinstance(layer, Reshape):
            x = x.reshape((x.shape[0],) + layer.target_shape)
        elif isinstance(layer, Flatten):
            x = x.reshape(x.shape[0], -1)
        else:
            raise AssertionError(f"no reference for {layer!r}")
    assert not weights, "every weight is used once"
    return x


def ref_mse_gradients(layers, weights, x, y, eps=1e-6):
    """dL/dw of L = mean((forward - y) ** 2) by central differences of the reference."""
    grads = []
    for i, w in enumerate(weights):
        g = np.zeros_like(w)
        for index in np.ndindex(*w.shape):
            losses = []
            for sign in (1.0, -1.0):
                shifted = [v.copy() for v in weights]
                shifted[i][index] += sign * eps
                losses.append(np.mean((ref_forward(layers, shifted, x) - y) ** 2))
            g[index] = (losses[0] - losses[1]) / (2 * eps)
        grads.append(g)
    return grads


@pytest.fixture(autouse=True)
def seeded():
    nn.utils.set_random_seed(0)


def randomize(layer, rng):
    """Non-trivial weights (a non-zero bias), so the reference sees every term."""
    layer.set_weights([rng.normal(size=w.shape) for w in layer.get_weights()])


def check_forward(make, x_shape, seed=0):
    """The layer on random inputs equals the reference: float64 tightly, float32 to 1e-5."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=x_shape)
    for dtype, tol in (("float64", 1e-12), ("float32", 1e-5)):
        layer = make(dtype)
        out = layer(x.astype(dtype))
        randomize(layer, rng)
        out = layer(x.astype(dtype))
        expected = ref_forward([layer], layer.get_weights(), x.astype(dtype).astype(np.float64))
        assert out.dtype == np.dtype(dtype)
        declared = layer.compute_output_shape((None, *x_shape[1:]))
        assert out.shape == expected.shape == (x_shape[0], *declared[1:])
        np.testing.assert_allclose(out.data, expected, rtol=tol, atol=tol)


# ---------------------------------------------------------------------------------------
# (1) forward against the references

CONV1D = [  # kernel_size, strides, padding, dilation_rate
    (3, 1, "valid", 1),
    (3, 2, "valid", 1),
    (3, 1, "valid", 2),
    (4, 2, "same", 1),
    (3, 1, "same", 2),
    (5, 3, "same", 1),
    (2, 1, "causal", 1),
    (3, 1, "causal", 2),
    (3, 2, "causal", 1),
]


@pytest.mark.parametrize("kernel_size, strides, padding, dilation", CONV1D)
def test_conv1d_equals_the_reference(kernel_size, strides, padding, dilation):
    check_forward(
        lambda dtype: Conv1D(4, kernel_size, strides, padding, dilation_rate=dilation, dtype=dtype),
        (2, 9, 3),
    )


CONV2D = [
    ((3, 3), 1, "valid", 1),
    ((2, 3), (2, 1), "valid", 1),
    ((3, 2), 1, "valid", (2, 1)),
    ((3, 3), 2, "same", 1),
    ((2, 4), 1, "same", 2),
    ((4, 3), (3, 2), "same", 1),
]


@pytest.mark.parametrize("kernel_size, strides, padding, dilation", CONV2D)
def test_conv2d_equals_the_reference(kernel_size, strides, padding, dilation):
    check_forward(
        lambda dtype: Conv2D(2, kernel_size, strides, padding, dilation_rate=dilation, dtype=dtype),
        (2, 7, 8, 3),
    )


@pytest.mark.parametrize("shape, kernel, strides, dilation", [
    ((2, 11, 9, 1), (3, 2), (1, 1), (1, 1)),  # one channel: the windows copied position-major
    ((2, 11, 9, 1), (2, 3), (2, 1), (1, 2)),
    ((3, 13, 1), (3,), (1,), (2,)),
])
def test_single_channel_input_without_grad_gives_the_kernels_gradient(shape, kernel, strides,
                                                                       dilation):
    # a data batch (no gradient of its own) of one channel takes conv's other im2col layout:
    # its forward equals the usual layout's (taken for an input needing a gradient), and the
    # kernel's and bias' gradients are central differences'
    rng = np.random.default_rng(5)
    x = rng.normal(size=shape)
    w = Tensor(rng.normal(size=(*kernel, 1, 4)), requires_grad=True)
    b = Tensor(rng.normal(size=4), requires_grad=True)
    run = lambda inp, w, b: conv(inp, w, strides, "valid", dilation, bias=b)  # noqa: E731
    usual, other = run(Tensor(x, requires_grad=True), w, b), run(Tensor(x), w, b)
    columns = [[p.data for p in n._parents] for n in walk(other) if n.op == "affine"][0][0]
    assert columns.flags.f_contiguous and not columns.flags.c_contiguous  # the other layout
    np.testing.assert_array_equal(other.data, usual.data)
    np.testing.assert_allclose(usual.data, ref_conv(x, w.data, strides, "valid", dilation, b.data),
                               rtol=1e-12, atol=1e-12)
    assert gradcheck(lambda w, b: run(Tensor(x), w, b), w, b)


def test_conv_activation_and_no_bias():
    check_forward(lambda dtype: Conv2D(3, 2, activation="tanh", dtype=dtype), (2, 4, 5, 2))
    check_forward(
        lambda dtype: Conv1D(3, 2, use_bias=False, activation="relu", dtype=dtype), (2, 6, 2)
    )
    layer = Conv1D(3, 2, use_bias=False)
    layer(np.zeros((1, 4, 2)))
    assert layer.weight_names == ["kernel"] and layer.bias is None


POOL1D = [(2, None, "valid"), (3, 1, "valid"), (3, 2, "same"), (2, 1, "same"), (4, 3, "same")]
POOL2D = [
    ((2, 2), None, "valid"),
    ((3, 2), (1, 2), "valid"),
    ((3, 3), 2, "same"),
    ((2, 3), (2, 1), "same"),
]


@pytest.mark.parametrize("cls", [MaxPooling1D, AveragePooling1D])
@pytest.mark.parametrize("pool_size, strides, padding", POOL1D)
def test_pooling1d_equals_the_reference(cls, pool_size, strides, padding):
    check_forward(lambda dtype: cls(pool_size, strides, padding, dtype=dtype), (2, 7, 3))


@pytest.mark.parametrize("cls", [MaxPooling2D, AveragePooling2D])
@pytest.mark.parametrize("pool_size, strides, padding", POOL2D)
def test_pooling2d_equals_the_reference(cls, pool_size, strides, padding):
    check_forward(lambda dtype: cls(pool_size, strides, padding, dtype=dtype), (2, 5, 7, 3))


def test_tf_same_and_causal_padding_by_hand():
    x = np.array([[[1.0], [2.0], [3.0]]])
    layer = Conv1D(1, 2, padding="same", use_bias=False, dtype="float64")
    layer(x)
    layer.set_weights([np.array([[[1.0]], [[10.0]]])])
    # 'same' with k=2 pads (0, 1): the extra zero goes at the end
    np.testing.assert_array_equal(layer(x).data[..., 0], [[21.0, 32.0, 3.0]])
    assert ref_pads(3, 2, 1, 1, "same") == (0, 1) and ref_pads(5, 4, 1, 1, "same") == (1, 2)
    causal = Conv1D(1, 2, padding="causal", use_bias=False, dtype="float64")
    causal(x)
    causal.set_weights(layer.get_weights())
    np.testing.assert_array_equal(causal(x).data[..., 0], [[10.0, 21.0, 32.0]])  # pads (1, 0)


def test_average_pooling_same_averages_only_real_elements():
    out = AveragePooling1D(2, strides=2, padding="same")(np.array([[[2.0], [4.0], [9.0]]]))
    np.testing.assert_array_equal(out.data[..., 0], [[3.0, 9.0]])  # not (9 + 0) / 2
    out = MaxPooling1D(2, padding="same")(np.array([[[-2.0], [-4.0], [-9.0]]]))
    np.testing.assert_array_equal(out.data[..., 0], [[-2.0, -9.0]])  # the zero pad never wins


@pytest.mark.parametrize("cls", GLOBALS)
@pytest.mark.parametrize("keepdims", [False, True])
def test_global_pooling_equals_the_reference(cls, keepdims):
    shape = (2, 5, 3) if cls in (GlobalMaxPooling1D, GlobalAveragePooling1D) else (2, 4, 5, 3)
    check_forward(lambda dtype: cls(keepdims=keepdims, dtype=dtype), shape)


@pytest.mark.parametrize(
    "make, shape",
    [
        (lambda dtype: ZeroPadding1D(dtype=dtype), (2, 4, 3)),
        (lambda dtype: ZeroPadding1D((2, 0), dtype=dtype), (2, 4, 3)),
        (lambda dtype: ZeroPadding2D(dtype=dtype), (2, 3, 4, 2)),
        (lambda dtype: ZeroPadding2D((1, 2), dtype=dtype), (2, 3, 4, 2)),
        (lambda dtype: ZeroPadding2D(((1, 0), (2, 3)), dtype=dtype), (2, 3, 4, 2)),
        (lambda dtype: Reshape((3, 4), dtype=dtype), (2, 12)),
        (lambda dtype: Reshape((-1, 2, 2), dtype=dtype), (2, 12)),
        (lambda dtype: Reshape((2, -1), dtype=dtype), (2, 3, 4)),
    ],
)
def test_padding_and_reshape_equal_the_reference(make, shape):
    check_forward(make, shape)


def test_zero_padding_and_reshape_shapes_and_arguments_as_keras():
    assert ZeroPadding1D().padding == ((1, 1),) and ZeroPadding2D().padding == ((1, 1), (1, 1))
    assert ZeroPadding2D((1, 2)).padding == ((1, 1), (2, 2))
    assert ZeroPadding2D((1, 2)).compute_output_shape((None, 3, None, 2)) == (None, 5, None, 2)
    assert Reshape((-1, 3)).compute_output_shape((None, 12)) == (None, 4, 3)
    assert Reshape((-1, 3)).compute_output_shape((None, None, 3)) == (None, None, 3)
    assert Reshape([2, 6]).target_shape == (2, 6)


# ---------------------------------------------------------------------------------------
# shapes, defaults and names as Keras


def test_compute_output_shape_as_keras_and_none_stays_none():
    assert Conv2D(6, 5).compute_output_shape((None, 28, 28, 1)) == (None, 24, 24, 6)
    same = Conv2D(4, 3, padding="same", strides=2)
    assert same.compute_output_shape((None, 7, None, 1)) == (None, 4, None, 4)
    assert Conv1D(8, 3, dilation_rate=2).compute_output_shape((None, 10, 2)) == (None, 6, 8)
    causal = Conv1D(8, 3, padding="causal", strides=2)
    assert causal.compute_output_shape((None, 10, 2)) == (None, 5, 8)
    assert Conv1D(8, 3).compute_output_shape((None, None, 2)) == (None, None, 8)
    assert MaxPooling2D().compute_output_shape((None, 7, 7, 3)) == (None, 3, 3, 3)
    assert AveragePooling1D(3, 2, "same").compute_output_shape((None, 7, 3)) == (None, 4, 3)
    assert GlobalMaxPooling2D().compute_output_shape((None, None, None, 3)) == (None, 3)
    layer = Conv2D(4, 3)
    layer.build((None, None, None, 2))
    assert layer.kernel.shape == (3, 3, 2, 4) and layer.output_shape == (None, None, None, 4)
    assert layer(np.zeros((1, 5, 6, 2))).shape == (1, 3, 4, 4)


def test_keras_defaults_and_config():
    conv = Conv2D(3, 2)
    assert (conv.strides, conv.padding, conv.dilation_rate) == ((1, 1), "valid", (1, 1))
    assert conv.groups == 1
    assert conv.data_format == "channels_last" and conv.use_bias
    config = conv.get_config()
    assert config["kernel_size"] == (2, 2) and config["filters"] == 3
    assert config["activation"] == "linear"
    assert Conv1D(3, 2, padding="CAUSAL").padding == "causal"
    assert MaxPooling1D().pool_size == (2,) and MaxPooling1D().strides == (2,)
    assert MaxPooling2D().pool_size == (2, 2) and MaxPooling2D(3).strides == (3, 3)
    assert AveragePooling2D(2, strides=1).get_config()["strides"] == (1, 1)
    assert GlobalAveragePooling1D().keepdims is False
    assert GlobalMaxPooling2D(keepdims=True).get_config()["keepdims"] is True


def test_default_names_as_keras():
    layers = [
        Conv1D(1, 1), Conv2D(1, 1), MaxPooling1D(), MaxPooling2D(), AveragePooling1D(),
        AveragePooling2D(), GlobalAveragePooling1D(), GlobalAveragePooling2D(),
        GlobalMaxPooling1D(), GlobalMaxPooling2D(), ZeroPadding1D(), ZeroPadding2D(), Reshape((1,)),
    ]
    assert [layer.name for layer in layers] == [
        "conv1d", "conv2d", "max_pooling1d", "max_pooling2d", "average_pooling1d",
        "average_pooling2d", "global_average_pooling1d", "global_average_pooling2d",
        "global_max_pooling1d", "global_max_pooling2d", "zero_padding1d", "zero_padding2d",
        "reshape",
    ]


def lenet():
    return nn.Sequential(
        [
            Input((28, 28, 1)),
            Conv2D(6, 5, activation="relu"),
            MaxPooling2D(),
            Conv2D(16, 5, activation="relu"),
            MaxPooling2D(),
            Flatten(),
            Dense(120, activation="relu"),
            Dense(84, activation="relu"),
            Dense(10, activation="softmax"),
        ],
        name="lenet",
    )


def test_lenet_summary_shows_keras_shapes_and_param_counts():
    lines = []
    lenet().summary(print_fn=lines.append)
    rows = [line.split() for line in lines[4:-5:2]]
    # what Keras prints for this model; the counts by hand:
    # conv2d 5*5*1*6 + 6 = 156; conv2d_1 5*5*6*16 + 16 = 2416; flatten 4*4*16 = 256;
    # dense 256*120 + 120 = 30840; dense_1 120*84 + 84 = 10164; dense_2 84*10 + 10 = 850
    assert [(r[0], " ".join(r[2:-1]), int(r[-1])) for r in rows] == [
        ("conv2d", "(None, 24, 24, 6)", 156),
        ("max_pooling2d", "(None, 12, 12, 6)", 0),
        ("conv2d_1", "(None, 8, 8, 16)", 2416),
        ("max_pooling2d_1", "(None, 4, 4, 16)", 0),
        ("flatten", "(None, 256)", 0),
        ("dense", "(None, 120)", 30840),
        ("dense_1", "(None, 84)", 10164),
        ("dense_2", "(None, 10)", 850),
    ]
    assert "Total params: 44,426" in lines  # 156 + 2416 + 30840 + 10164 + 850
    assert lines[4].startswith("conv2d (Conv2D)")


# ---------------------------------------------------------------------------------------
# (2) one SGD step equals w - lr * dL/dw from central differences of the reference


def sgd_models():
    f = "float64"
    return {
        "conv2d, 2-D pools, zero padding": [
            Input((6, 7, 2)),
            ZeroPadding2D(((1, 0), (0, 1)), dtype=f),
            Conv2D(3, (3, 2), dilation_rate=(1, 2), activation="tanh", dtype=f),
            MaxPooling2D(dtype=f),
            AveragePooling2D(2, strides=1, padding="same", dtype=f),
            GlobalAveragePooling2D(dtype=f),
            Dense(2, dtype=f),
        ],
        "conv1d, 1-D pools, zero padding": [
            Input((8, 2)),
            ZeroPadding1D((0, 1), dtype=f),
            Conv1D(3, 3, strides=2, padding="same", activation="tanh", dtype=f),
            MaxPooling1D(2, strides=1, padding="same", dtype=f),
            AveragePooling1D(3, strides=2, padding="same", dtype=f),
            GlobalMaxPooling1D(dtype=f),
            Dense(2, dtype=f),
        ],
        "causal conv1d, reshape, strided conv2d": [
            Input((8, 2)),
            Conv1D(3, 2, dilation_rate=2, padding="causal", dtype=f),
            Reshape((4, 2, 3), dtype=f),
            Conv2D(2, 2, strides=(2, 1), padding="same", dtype=f),
            GlobalMaxPooling2D(keepdims=True, dtype=f),
            Reshape((-1, 2), dtype=f),
            GlobalAveragePooling1D(dtype=f),
            Dense(1, dtype=f),
        ],
    }


@pytest.mark.parametrize("which", list(sgd_models()))
def test_one_sgd_step_equals_central_differences_of_the_reference(which):
    model = nn.Sequential(sgd_models()[which])
    rng = np.random.default_rng(3)
    for layer in model.layers:
        randomize(layer, rng)
    x = rng.normal(size=(3, *model.input_shape[1:]))
    y = rng.normal(size=(3, model.output_shape[-1]))
    before = model.get_weights()
    expected_loss = np.mean((ref_forward(model.layers, before, x) - y) ** 2)
    grads = ref_mse_gradients(model.layers, before, x, y)
    model.compile(optimizer=nn.optimizers.SGD(learning_rate=0.1), loss="mse")
    loss = model.train_on_batch(x, y)
    assert loss == pytest.approx(expected_loss, rel=1e-12)
    for w, g, after in zip(before, grads, model.get_weights()):
        assert np.abs(g).max() > 1e-4  # every weight moves: the test sees each gradient
        np.testing.assert_allclose(after, w - 0.1 * g, rtol=0, atol=1e-8)


# ---------------------------------------------------------------------------------------
# (3) weights round-trip bit-exactly


def every_layer_model():
    return nn.Sequential(
        [
            Input((8, 8, 2)),
            ZeroPadding2D(1),  # (10, 10, 2)
            Conv2D(3, 3, activation="relu"),  # (8, 8, 3)
            MaxPooling2D(),  # (4, 4, 3)
            AveragePooling2D(2, strides=1, padding="same"),  # (4, 4, 3)
            Reshape((16, 3)),
            ZeroPadding1D(2),  # (20, 3)
            Conv1D(4, 3, padding="causal"),  # (20, 4)
            MaxPooling1D(),  # (10, 4)
            AveragePooling1D(),  # (5, 4)
            GlobalAveragePooling1D(keepdims=True),  # (1, 4)
            GlobalMaxPooling1D(keepdims=True),  # (1, 4)
            Reshape((1, -1, 4)),  # (1, 1, 4)
            GlobalMaxPooling2D(keepdims=True),  # (1, 1, 4)
            GlobalAveragePooling2D(),  # (4,)
            Dense(2),
        ]
    )


def test_weights_round_trip_bit_exactly(tmp_path):
    model = every_layer_model()
    assert model.output_shape == (None, 2)
    shapes = [w.shape for w in model.get_weights()]
    assert shapes == [(3, 3, 2, 3), (3,), (3, 3, 4), (4,), (4, 2), (2,)]
    rng = np.random.default_rng(5)
    for layer in model.layers:
        randomize(layer, rng)
    x = rng.normal(size=(2, 8, 8, 2))
    out = model.predict(x, verbose=0)
    copy = every_layer_model()
    copy.set_weights(model.get_weights())
    loaded = every_layer_model()
    path = os.path.join(tmp_path, "every.weights.npz")
    model.save_weights(path)
    loaded.load_weights(path)
    for other in (copy, loaded):
        for a, b in zip(model.get_weights(), other.get_weights()):
            assert a.dtype == b.dtype and np.array_equal(a, b)
        np.testing.assert_array_equal(other.predict(x, verbose=0), out)


# ---------------------------------------------------------------------------------------
# (4) bad input


def test_conv2d_rejects_a_3d_batch():
    expected = r"expects a 4-D input \(batch, height, width, channels\), received input shape"
    with pytest.raises(ValueError, match=rf'"conv2d" \(Conv2D\) {expected} \(None, 8, 8\)'):
        Conv2D(2, 3)(np.zeros((2, 8, 8)))
    layer = Conv2D(2, 3, input_shape=(8, 8, 1))
    with pytest.raises(ValueError, match=r"expects a 4-D input .*received input shape \(2, 8, 8\)"):
        layer(np.zeros((2, 8, 8)))
    with pytest.raises(ValueError, match=r"expects a 3-D input \(batch, steps, channels\).*\(None, 8, 8, 1\)"):
        Conv1D(2, 3, input_shape=(8, 8, 1))


@pytest.mark.parametrize(
    "make, pattern",
    [
        (lambda: Conv2D(0, 3), "filters=0"),
        (lambda: Conv2D(2.5, 3), "filters=2.5"),
        (lambda: Conv2D(2, 3, padding="full"), "padding='full'"),
        (lambda: Conv2D(2, 3, padding="causal"), "one of 'valid', 'same', received padding='causal'"),
        (lambda: Conv2D(2, 3, strides=0), "strides=0"),
        (lambda: Conv2D(2, (3, 3, 3)), r"kernel_size to be an integer or a tuple of 2 integers.*\(3, 3, 3\)"),
        (lambda: Conv1D(2, 0), "kernel_size=0"),
        (lambda: Conv2D(2, 3, groups=2), "supports only groups=1, received groups=2"),
        (lambda: Conv2D(2, 3, data_format="channels_first"), "channels_last.*received data_format='channels_first'"),
        (lambda: Conv2D(2, 3, strides=2, dilation_rate=2), "strides > 1 together with dilation_rate > 1"),
        (lambda: MaxPooling2D(pool_size=0), "pool_size=0"),
        (lambda: AveragePooling1D(strides=0), "strides=0"),
        (lambda: MaxPooling1D(padding="causal"), "padding='causal'"),
        (lambda: GlobalMaxPooling2D(data_format="channels_first"), "data_format='channels_first'"),
        (lambda: ZeroPadding2D((1, 2, 3)), r"padding=\(1, 2, 3\)"),
        (lambda: ZeroPadding1D(-1), "padding=-1"),
        (lambda: Reshape((2, -1, -1)), r"at most one -1.*\(2, -1, -1\)"),
        (lambda: Reshape((0, 3)), r"target_shape=\(0, 3\)"),
    ],
)
def test_bad_arguments_quote_what_was_received(make, pattern):
    with pytest.raises(ValueError, match=pattern):
        make()


def test_kernel_larger_than_the_unpadded_input():
    with pytest.raises(ValueError, match=r"window \(5, 5\), received input shape \(None, 4, 4, 1\)"):
        Conv2D(2, 5, input_shape=(4, 4, 1))
    with pytest.raises(ValueError, match=r"window \(5,\), received input shape \(None, 4, 1\)"):
        Conv1D(2, 3, dilation_rate=2)(np.zeros((1, 4, 1)))
    Conv2D(2, 5, padding="same", input_shape=(4, 4, 1))  # padding makes room
    layer = Conv2D(2, 5)
    layer.build((None, None, None, 1))
    with pytest.raises(ValueError, match=r"window \(5, 5\), received input shape \(1, 4, 9, 1\)"):
        layer(np.zeros((1, 4, 9, 1)))
    with pytest.raises(ValueError, match=r"window \(3, 3\), received input shape \(None, 2, 5, 1\)"):
        MaxPooling2D(3)(np.zeros((1, 2, 5, 1)))


def test_wrong_channel_count_after_build():
    layer = Conv2D(2, 3, input_shape=(8, 8, 3))
    with pytest.raises(ValueError, match=r'layer "conv2d" is incompatible.*value 3.*shape \(1, 8, 8, 2\)'):
        layer(np.zeros((1, 8, 8, 2)))
    with pytest.raises(ValueError, match="known number of input channels"):
        Conv1D(2, 3).build((None, 5, None))


def test_reshape_whose_target_size_does_not_match():
    with pytest.raises(ValueError, match=r"samples of shape \(12,\) \(12 values\) to target_shape=\(5, 2\)"):
        nn.Sequential([Input((12,)), Reshape((5, 2))])
    with pytest.raises(ValueError, match=r"samples of shape \(3, 4\) \(12 values\) to target_shape=\(-1, 5\)"):
        Reshape((-1, 5))(np.zeros((2, 3, 4)))
    layer = Reshape((3, 4))
    layer(np.zeros((1, 12)))
    with pytest.raises(ValueError, match=r"samples of shape \(10,\)"):
        layer(np.zeros((1, 10)))


# ---------------------------------------------------------------------------------------
# (5) a small convolutional model learns with fit


def test_small_convnet_learns_with_fit():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(48, 8, 8, 1)).astype(np.float32)
    labels = (x[:, :4].mean(axis=(1, 2, 3)) > x[:, 4:].mean(axis=(1, 2, 3))).astype(int)
    labels += (x[:, :, :4].mean(axis=(1, 2, 3)) > 0).astype(int)  # three classes: 0, 1, 2
    model = nn.Sequential(
        [Input((8, 8, 1)), Conv2D(4, 3, activation="relu"), MaxPooling2D(), Flatten(), Dense(3)]
    )
    model.compile(
        optimizer=nn.optimizers.Adam(learning_rate=0.01),
        loss=nn.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    history = model.fit(x, labels, epochs=15, batch_size=16, verbose=0)
    losses = history.history["loss"]
    assert losses[-1] < 0.7 * losses[0], losses
