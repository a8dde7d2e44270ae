"""Initializers: Keras' limits and variances, truncation, dtypes, seeding, identifiers."""

from __future__ import annotations

import random

import numpy as np
import pytest

from nn import initializers
from nn.initializers import (
    Constant,
    GlorotNormal,
    GlorotUniform,
    HeNormal,
    HeUniform,
    Ones,
    RandomNormal,
    RandomUniform,
    Zeros,
    compute_fans,
)
from nn.utils import rng, set_random_seed

SHAPE = (300, 500)  # fan_in 300, fan_out 500: 150,000 draws, statistics within ~1%


@pytest.mark.parametrize(
    "init, limit",
    [
        (GlorotUniform(), np.sqrt(6 / (300 + 500))),
        (HeUniform(), np.sqrt(6 / 300)),
        (RandomUniform(), 0.05),
    ],
    ids=repr,
)
def test_uniform_limits_and_variance(init, limit):
    set_random_seed(0)
    w = init(SHAPE)
    assert np.abs(w).max() <= limit
    assert np.abs(w).max() > 0.99 * limit  # the whole range is used
    assert w.var() == pytest.approx(limit**2 / 3, rel=0.02)
    assert abs(w.mean()) < 0.01 * limit


@pytest.mark.parametrize(
    "init, stddev",
    [
        (GlorotNormal(), np.sqrt(2 / (300 + 500))),
        (HeNormal(), np.sqrt(2 / 300)),
    ],
    ids=repr,
)
def test_truncated_normals_have_keras_variance_and_bounds(init, stddev):
    set_random_seed(0)
    w = init(SHAPE)
    # Keras draws N(0, stddev / 0.8796...) truncated at two of *its* standard deviations
    bound = 2 * stddev / 0.87962566103423978
    assert np.abs(w).max() <= bound
    assert np.abs(w).max() > 0.99 * bound
    assert w.std() == pytest.approx(stddev, rel=0.02)


def test_random_normal_defaults():
    set_random_seed(0)
    w = RandomNormal()(SHAPE)
    assert w.std() == pytest.approx(0.05, rel=0.02)
    assert abs(w.mean()) < 1e-3
    w = RandomNormal(mean=1.0, stddev=0.5)(SHAPE)
    assert w.mean() == pytest.approx(1.0, abs=0.01) and w.std() == pytest.approx(0.5, rel=0.02)


def test_constant_initializers():
    np.testing.assert_array_equal(Zeros()((2, 3)), np.zeros((2, 3)))
    np.testing.assert_array_equal(Ones()((4,)), np.ones(4))
    np.testing.assert_array_equal(Constant(0.25)((2,)), [0.25, 0.25])


def test_fans_follow_keras():
    assert compute_fans((3, 5)) == (3, 5)  # Dense kernel: (inputs, units)
    assert compute_fans((7,)) == (7, 7)  # a bias
    assert compute_fans(()) == (1, 1)
    assert compute_fans((3, 3, 4, 8)) == (36, 72)  # a 3x3 conv kernel, 4 -> 8 channels
    # a 1-D shape uses fan_in = fan_out = n
    set_random_seed(0)
    assert np.abs(GlorotUniform()((50,))).max() <= np.sqrt(6 / 100)


@pytest.mark.parametrize("name", initializers.registry.names())
def test_float32_by_default_and_float64_on_request(name):
    init = initializers.get(name)
    assert init((3, 2)).dtype == np.float32
    assert init((3, 2), dtype=np.float64).dtype == np.float64
    assert init((4,), dtype=None).dtype == np.float32


def test_same_seed_same_weights_different_seed_different_weights():
    def draw():
        names = ("glorot_uniform", "he_normal", "random_normal")
        return [initializers.get(n)((4, 3)) for n in names]

    set_random_seed(123)
    first = draw()
    set_random_seed(123)
    second = draw()
    set_random_seed(124)
    third = draw()
    for a, b, c in zip(first, second, third):
        np.testing.assert_array_equal(a, b)
        assert not np.array_equal(a, c)


def test_consecutive_draws_differ_unless_the_initializer_has_its_own_seed():
    set_random_seed(0)
    init = GlorotUniform()
    assert not np.array_equal(init((3, 3)), init((3, 3)))
    seeded = GlorotUniform(seed=5)
    np.testing.assert_array_equal(seeded((3, 3)), seeded((3, 3)))


def test_set_random_seed_also_seeds_python_and_numpy_global_state():
    set_random_seed(9)
    a = (random.random(), np.random.rand(), rng().random())
    set_random_seed(9)
    assert (random.random(), np.random.rand(), rng().random()) == a
    with pytest.raises(TypeError, match="int"):
        set_random_seed(1.5)
    with pytest.raises(ValueError, match="2\\*\\*32"):
        set_random_seed(-1)


@pytest.mark.parametrize(
    "identifier, cls",
    [
        ("glorot_uniform", GlorotUniform),
        ("GlorotUniform", GlorotUniform),
        ("glorot_normal", GlorotNormal),
        ("he_uniform", HeUniform),
        ("he_normal", HeNormal),
        ("random_normal", RandomNormal),
        ("random_uniform", RandomUniform),
        ("zeros", Zeros),
        ("ones", Ones),
        (HeNormal, HeNormal),
    ],
)
def test_get_resolves_names(identifier, cls):
    assert type(initializers.get(identifier)) is cls


def test_get_keeps_instances_and_callables():
    init = RandomNormal(stddev=1.0)
    assert initializers.get(init) is init

    def halves(shape, dtype=np.float32):
        return np.full(shape, 0.5, dtype=dtype)

    assert initializers.get(halves) is halves
    assert initializers.serialize(HeUniform()) == "he_uniform"


def test_unknown_initializer_and_bad_arguments():
    with pytest.raises(ValueError) as info:
        initializers.get("glorot")
    message = str(info.value)
    assert message.startswith("Unknown initializer identifier 'glorot'. Valid names: ")
    assert "'glorot_uniform'" in message and "'zeros'" in message
    with pytest.raises(ValueError, match="Initializer identifier required, received None"):
        initializers.get(None)
    with pytest.raises(ValueError, match="non-negative ints"):
        GlorotUniform()((3, -1))
    with pytest.raises(TypeError, match="shape tuple"):
        GlorotUniform()(None)
    with pytest.raises(TypeError, match="float dtype"):
        Zeros()((2,), dtype=np.int32)
    with pytest.raises(ValueError, match="minval <= maxval"):
        RandomUniform(minval=1.0, maxval=0.0)
