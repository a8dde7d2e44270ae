"""A hypothesis soak of `autograd.testing.graphs()` against central differences (issue 16).

Random expression DAGs (reuse, diamonds, long chains, broadcasting) over every op of the
table, each checked by `assert_gradients_match`. A few examples by default, to stay fast;
a long run sets the number per kind in the environment:

    CHAINRULE_SOAK=2000 .venv/bin/python -m pytest -q tests/adversarial/test_soak.py

Measured (2 shared cores): 2,000 graphs of each kind all match, "value" in 19 s and
"tensor" in 32 s; the default 50 of each take under 2 s.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import given, settings

from autograd.testing import Graph, assert_gradients_match, graphs

EXAMPLES = int(os.environ.get("CHAINRULE_SOAK", "50"))


@pytest.mark.parametrize("kind", ["value", "tensor"])
def test_random_graphs_match_finite_differences(kind: str) -> None:
    @settings(max_examples=EXAMPLES, database=None)
    @given(graphs(kind))
    def check(graph: tuple[Graph, tuple]) -> None:
        fn, inputs = graph
        assert_gradients_match(fn, *inputs)

    check()
