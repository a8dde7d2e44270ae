"""What a Jupyter notebook shows: a notebook built here is run in a real ipykernel by nbclient.

The kernel runs this interpreter (the venv's) with the repository importable, from a kernel spec
written in tmp_path, so no Jupyter set-up of the machine is read or changed.
"""

from __future__ import annotations

import json
import math
import sys
import warnings
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

from nn.progress import Progbar, in_notebook

REPO = Path(__file__).resolve().parents[1]
EPOCHS, BATCHES = 4, 25

CELLS = {
    "value": """
from autograd import Value, Tensor, draw_graph
a, b = Value(2.0, label="a"), Value(-3.0, label="b")
out = (a * b + a).tanh()
out.backward()
out
""",
    "leaf": "a",
    "tensor": """
w = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
(w @ Tensor([1.0, -1.0])).sum()
""",
    "draw_graph": "draw_graph(out)",
    "explain": """
from autograd import explain
explain((a * b + a).tanh())
""",
    "model": """
import numpy as np, nn
model = nn.Sequential([nn.layers.Dense(4, input_dim=2, activation="tanh"), nn.layers.Dense(1)])
model.compile(optimizer="sgd", loss="mse")
model
""",
    "fit": f"""
import time
x = np.random.default_rng(0).normal(size=({BATCHES} * 2, 2))
slow = nn.callbacks.LambdaCallback(on_train_batch_end=lambda batch, logs: time.sleep(0.01))
# slowed to ~0.25 s an epoch, so that the bar (drawn every 0.05 s) redraws mid-epoch
history = model.fit(x, x.sum(axis=1), batch_size=2, epochs={EPOCHS}, verbose=1, callbacks=[slow])
""",
    "plot": "history.plot()",
}


class RecordingClient(NotebookClient):
    """Also keeps the type of every message each cell's execution sent."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.messages: dict[int, list[str]] = {}

    def process_message(self, msg: dict[str, Any], cell: Any, cell_index: int) -> Any:
        self.messages.setdefault(cell_index, []).append(msg["msg_type"])
        return super().process_message(msg, cell, cell_index)


def kernel_spec(root: Path) -> None:
    """A "python3" kernel that is this interpreter, found first on JUPYTER_PATH."""
    spec = root / "kernels" / "python3"
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    argv.append("--IPKernelApp.log_level=ERROR")  # not its warning that loopback TCP is plain text
    body = {"argv": argv, "display_name": "chainrule", "language": "python",
            "env": {"PYTHONPATH": str(REPO)}}
    (spec / "kernel.json").write_text(json.dumps(body))


@pytest.fixture(scope="module")
def notebook(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], RecordingClient]:
    """Each cell's outputs by name, and the client (its messages) after running them all."""
    root = tmp_path_factory.mktemp("jupyter")
    kernel_spec(root)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("JUPYTER_PATH", str(root))
        env.setenv("JUPYTER_PLATFORM_DIRS", "1")  # no "migrating to platformdirs" warning
        env.setenv("JUPYTER_RUNTIME_DIR", str(root / "runtime"))
        env.setenv("IPYTHONDIR", str(root / "ipython"))
        notebook = nbformat.v4.new_notebook()
        notebook.cells = [nbformat.v4.new_code_cell(code.strip()) for code in CELLS.values()]
        client = RecordingClient(
            notebook, kernel_name="python3", timeout=60, resources={"metadata": {"path": root}}
        )
        with warnings.catch_warnings():
            # jupyter_client's own deprecations (e.g. of datetime.utcnow) are not ours to fix
            warnings.simplefilter("ignore", DeprecationWarning)
            client.execute()
    return {name: cell.outputs for name, cell in zip(CELLS, notebook.cells)}, client


@pytest.fixture(scope="module")
def outputs(notebook: tuple[dict[str, Any], RecordingClient]) -> dict[str, list[Any]]:
    return notebook[0]


def result(outputs: list[Any]) -> dict[str, Any]:
    (shown,) = [o for o in outputs if o.output_type == "execute_result"]
    return dict(shown.data)


def is_svg(text: str) -> bool:
    return "<svg" in text and text.rstrip().endswith("</svg>")


def test_a_value_made_by_an_op_shows_its_graph(outputs: dict[str, list[Any]]) -> None:
    data = result(outputs["value"])
    assert data["text/plain"].startswith("Value(data=-0.9")
    assert is_svg(data["image/svg+xml"])
    assert ">tanh<" in data["image/svg+xml"] and "grad" in data["image/svg+xml"]


def test_a_leaf_shows_its_repr_only(outputs: dict[str, list[Any]]) -> None:
    (text,) = result(outputs["leaf"]).values()
    grad = (1 - math.tanh(-4.0) ** 2) * (-3.0 + 1)  # d tanh(a * b + a) / da at a=2, b=-3
    assert text.startswith("Value(data=2.0, grad=") and text.endswith(", label='a')")
    assert float(text.split("grad=")[1].split(",")[0]) == pytest.approx(grad, rel=1e-12)


def test_a_tensor_shows_its_graph(outputs: dict[str, list[Any]]) -> None:
    data = result(outputs["tensor"])
    assert data["text/plain"] == "Tensor(-2., requires_grad=True)"
    assert is_svg(data["image/svg+xml"]) and ">@<" in data["image/svg+xml"]


def test_draw_graph_shows_inline(outputs: dict[str, list[Any]]) -> None:
    data = result(outputs["draw_graph"])
    assert is_svg(data["image/svg+xml"]) and ">a<" in data["image/svg+xml"]


def test_explain_shows_its_steps_as_a_table(outputs: dict[str, list[Any]]) -> None:
    data = result(outputs["explain"])
    assert data["text/plain"].startswith("<Explanation of ") and "steps>" in data["text/plain"]
    table = data["text/html"]
    assert table.startswith("<table>") and table.count("<tr data-node-id=") == 5  # 5 nodes
    assert "<td>tanh</td>" in table


def test_a_model_shows_its_summary_as_a_table(outputs: dict[str, list[Any]]) -> None:
    data = result(outputs["model"])
    assert data["text/plain"].splitlines()[0].startswith('Model: "sequential')
    table = data["text/html"]
    assert table.startswith("<table>") and "dense (Dense)" in table and ">12<" in table
    assert "Total params: 17" in table


def test_fit_updates_its_bar_in_place(notebook: tuple[dict[str, Any], RecordingClient]) -> None:
    fit = notebook[0]["fit"]
    streams = "".join(o.text for o in fit if o.output_type == "stream")
    assert "Traceback" not in streams and "\r" not in streams
    # one "Epoch k/N" line per epoch, not one line per redraw
    assert streams.splitlines() == [f"Epoch {k}/{EPOCHS}" for k in range(1, EPOCHS + 1)]
    sent = notebook[1].messages[list(CELLS).index("fit")]
    assert sent.count("update_display_data") >= EPOCHS  # the bars were redrawn mid-epoch
    bars = [o for o in fit if o.output_type == "display_data"]
    assert len(bars) == EPOCHS  # one bar per epoch, its redraws updated in place
    for bar in bars:
        line = bar.data["text/plain"]
        assert line.startswith(f"{BATCHES}/{BATCHES} [{'=' * 30}]") and " - loss: " in line


def test_history_plot_draws_its_figure_once(outputs: dict[str, list[Any]]) -> None:
    # a returned Figure would be drawn twice: by its repr and by the inline backend's show
    pictures = [o for o in outputs["plot"] if "image/png" in o.get("data", {})]
    assert len(pictures) == 1, [o.output_type for o in outputs["plot"]]
    assert "Traceback" not in str(outputs["plot"])


def test_ipykernel_imported_without_a_kernel_is_no_notebook(
    notebook: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    import ipykernel  # noqa: F401  (as a Jupyter client in this process may import it)

    assert not in_notebook()
    Progbar(3).update(3, [("loss", 0.5)])  # so the bar prints its one final line, no redraws
    assert capsys.readouterr().out.startswith("3/3 [====")


def test_without_dot_a_node_shows_its_text_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from autograd import Tensor, Value

    monkeypatch.setenv("PATH", str(tmp_path))  # no `dot` on it
    value = Value(2.0) * 3
    assert value._repr_mimebundle_() == {"text/plain": repr(value)}
    tensor = Tensor([1.0, 2.0], requires_grad=True) * 2
    assert tensor._repr_mimebundle_() == {"text/plain": repr(tensor)}


def test_a_failing_dot_gives_text_and_an_excluded_svg_does_not_run_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from autograd import Value

    runs = tmp_path / "runs"
    fails = tmp_path / "dot"
    fails.write_text(f"#!/bin/sh\necho ran >> {runs}\nexit 1\n")
    fails.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))  # a `dot` that fails as soon as it runs
    value = Value(2.0) * 3
    assert value._repr_mimebundle_(exclude=["image/svg+xml"]) == {"text/plain": repr(value)}
    assert not runs.exists()
    assert value._repr_mimebundle_() == {"text/plain": repr(value)}
    assert runs.exists()
