"""Issue 18: every layer class nn.layers exports (found automatically, as tests/test_nn_config.py
finds them) gives the same loss and gradients under autograd.jit as eagerly, over 3 steps,
and runs as a plan (no fallback): a new layer is tested with no edit."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import nn
from autograd import Tensor, jit
from tests.test_nn_config import LAYER_CLASSES, example, inputs_for

TRACEABLE = [cls for cls in LAYER_CLASSES if cls not in (nn.layers.Layer, nn.layers.InputLayer)]


def _loss(layer, xs):
    out = layer(xs[0] if len(xs) == 1 else list(xs), training=True)
    return (out * out).sum()


@pytest.mark.parametrize("cls", TRACEABLE, ids=lambda cls: cls.__name__)
def test_a_layer_under_jit_gives_the_eager_loss_and_gradients(cls: type) -> None:
    layer = example(cls)
    batch = inputs_for(layer)
    if len(batch) > 1 and not layer._accepts_list:  # two rows of one batch, not two inputs
        batch = [np.array(batch)]
    batch = [x.astype(np.float32) for x in batch]
    traced = jit(lambda *xs: _loss(layer, xs))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a fallback would warn
        for step in range(3):
            xs = [(x + step) % 4 for x in batch]  # other data each step; still valid ids
            results = []
            for run in (lambda ts: _loss(layer, ts), traced):
                nn.utils.set_random_seed(step)  # the same draws (Dropout, noise) for both
                for w in layer.trainable_weights:
                    w.grad = None
                ts = [Tensor(x, requires_grad=True) for x in xs]
                loss = run(*ts) if run is traced else run(ts)
                loss.backward()
                results.append((loss.item(), [t.grad for t in ts],
                                [w.grad for w in layer.trainable_weights]))
            (eager_loss, eager_in, eager_w), (jit_loss, jit_in, jit_w) = results
            assert eager_loss == jit_loss
            for a, b in zip(eager_in + eager_w, jit_in + jit_w):
                np.testing.assert_array_equal(a, b)
    assert traced.traces == 1 and traced.eager_because is None
