"""A 20-32-32-1 feed-forward network and where the numbers in its `summary()` come from.

A Dense layer from n inputs to m units holds an n x m kernel and m biases: n*m + m
parameters. The summary's counts are checked against that arithmetic:

    20*32 + 32 =   672    (dense:   20 features -> 32 relu units)
    32*32 + 32 = 1,056    (dense_1: 32 -> 32 relu units)
    32*1  + 1  =    33    (dense_2: 32 -> 1 sigmoid unit)
                 -----
                 1,761

Run it: `python examples/feed_forward_summary.py`
"""

from __future__ import annotations

from typing import Any

import nn as keras

SIZES = [20, 32, 32, 1]


def build_model() -> keras.Sequential:
    keras.models.clear_session()  # layer and model names start from 'dense' and 'sequential'
    return keras.Sequential([
        keras.layers.Dense(32, activation="relu", input_shape=(20,)),
        keras.layers.Dense(32, activation="relu"),
        keras.layers.Dense(1, activation="sigmoid"),
    ])


def parameter_arithmetic(sizes: list[int] = SIZES) -> list[tuple[int, int, int]]:
    """(inputs, units, inputs*units + units) for each Dense layer."""
    return [(n, m, n * m + m) for n, m in zip(sizes[:-1], sizes[1:])]


def main() -> dict[str, Any]:
    model = build_model()
    lines: list[str] = []
    model.summary(print_fn=lines.append)
    print("\n".join(lines))
    rows = parameter_arithmetic()
    print("where the counts come from (kernel n*m plus m biases):")
    for layer, (n, m, count) in zip(model.layers, rows):
        kernel, bias = layer.get_weights()
        assert kernel.shape == (n, m) and bias.shape == (m,), (kernel.shape, bias.shape)
        assert layer.count_params() == count, (layer.name, layer.count_params(), count)
        print(f"  {layer.name:<8} {n:>2}*{m:<2} + {m:<2} = {count:>5,}")
    total = sum(count for _, _, count in rows)
    assert model.count_params() == total == 1761, (model.count_params(), total)
    print(f"  total{'':<15} = {total:>5,}")
    return {"model": model, "summary": lines, "rows": rows, "total": total}


if __name__ == "__main__":
    main()
