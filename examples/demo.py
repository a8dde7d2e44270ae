"""`make demo`: a tour of chainrule in under a minute, with pictures written into out/.

Each step runs one of the examples in this folder (some shortened), says what it shows, and
prints its results:

  1. one neuron of `Value`s: backward, its gradients checked by hand, its graph drawn
  2. a small Keras-style model's forward and backward pass drawn as one graph (layers framed)
  3. logistic regression: hand-derived gradients vs backward(), equal to 1e-12
  4. house prices: one Dense unit trained with fit() in 500 epochs
  5. a 20-32-32-1 network's summary() and its parameter arithmetic
  6. the 2-3-1 network on two moons: summary, accuracy, decision boundary, loss curve
  7. the same network trained by an explicit loop: the same weights as fit()
  8. a convnet tells strokes apart in 12x12 images: held-out accuracy, its graph and layers
  9. an LSTM forecasts noisy sine waves: held-out MSE against repeating the last value
 10. a functional model with two inputs, a shared encoder and a merge
 11. micrograd's network traced once by autograd.jit: the same losses, a faster step
 12. backward step by step (explain): each node's local derivative, on a page
 13. property tests: gradients of your own functions against finite differences

`python examples/demo.py --docs` also refreshes the pictures the README shows (docs/).
"""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path
from typing import Any, Callable

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # the examples import each other by module name
    sys.path.insert(0, str(HERE))

import numpy as np  # noqa: E402

import convnet  # noqa: E402
import custom_training_loop  # noqa: E402
import explain_backprop  # noqa: E402
import feed_forward_summary  # noqa: E402
import functional_api  # noqa: E402
import jit_speedup  # noqa: E402
import house_prices  # noqa: E402
import logistic_regression_from_scratch  # noqa: E402
import neuron_graph  # noqa: E402
import nn as keras  # noqa: E402
import sequence_forecast  # noqa: E402
import two_layer_network  # noqa: E402
from autograd import Tensor, save_graph  # noqa: E402
from moons import make_moons  # noqa: E402

OUT = Path("out")
DOCS = HERE.parent / "docs"
# the pictures the README shows, copied from out/ by --docs
README_PICTURES = ["neuron.svg", "mlp.svg", "model.svg", "moons_boundary.png", "moons_loss.svg",
                   "conv_pool.svg"]


def mlp_graph(out_dir: Path) -> dict[str, Any]:
    """A 2-3-1 model on two points: forward, loss, backward, then the model's graph drawn.

    The output Tensor is asked to `retain_grad()` (Tensors keep .grad on leaves only), so
    the picture shows d loss / d prediction as well as every weight's gradient.
    """
    keras.utils.set_random_seed(0)
    model = two_layer_network.build_model()
    X, y = make_moons(200, noise=0.2, seed=0)
    x = Tensor(X[:2].astype(np.float32), name="x")
    prediction = model(x)
    prediction.name = "prediction"
    prediction.retain_grad()
    loss = keras.losses.BinaryCrossentropy()(y[:2].reshape(-1, 1), prediction)
    loss.backward()
    files = [save_graph(prediction, out_dir / f"mlp.{fmt}") for fmt in ("svg", "png")]
    grads = {f"{layer.name}/{name}": w.grad for layer in model.layers
             for name, w in zip(layer.weight_names, layer.weights)}
    return {"model": model, "loss": loss.item(), "grads": grads, "files": files}


def model_picture(out_dir: Path) -> dict[str, Any]:
    """Keras' `plot_model`: one box per layer with shapes and parameter counts."""
    model = feed_forward_summary.build_model()
    files = []
    for fmt in ("svg", "png"):
        path = out_dir / f"model.{fmt}"
        keras.utils.plot_model(model, to_file=str(path), show_shapes=True)
        files.append(path)
    return {"model": model, "files": files}


def _property_tests() -> int:
    try:
        import property_test
    except ImportError as error:  # hypothesis is a test extra
        print(f"skipped: {error.name} is not installed (pip install -e '.[dev]')")
        return 0
    return property_test.main()


def steps(out_dir: Path, quick: bool) -> list[tuple[str, str, Callable[[], Any]]]:
    """(title, what it shows, run) for each stop of the tour."""
    moon_epochs = 300 if quick else 900
    return [
        ("One neuron of Values",
         "o = tanh(x1*w1 + x2*w2 + b); backward() fills every node's .grad",
         lambda: neuron_graph.main(out_dir)),
        ("A model's forward and backward pass as a graph",
         "a 2-3-1 Sequential on two points; each Dense layer drawn as a frame",
         lambda: _report_mlp(mlp_graph(out_dir))),
        ("Logistic regression from scratch",
         "gradients derived by hand vs the engine's backward(), 20 epochs",
         lambda: logistic_regression_from_scratch.main()),
        ("House prices with one Dense unit",
         "fit() with SGD on the mean squared error (raw prices, then in units of 10,000)",
         lambda: house_prices.main(out_dir=out_dir)),
        ("Where summary()'s parameter counts come from",
         "a 20-32-32-1 network: n*m + m per Dense layer",
         lambda: _report_model(model_picture(out_dir), feed_forward_summary.main)),
        ("A 2-3-1 network on two moons",
         f"compile('sgd', 'binary_crossentropy', ['acc']) and fit(epochs={moon_epochs}); then the same "
         "with SGD(learning_rate=0.5), whose boundary is drawn",
         lambda: _moons(out_dir, moon_epochs)),
        ("The same network by an explicit training loop",
         "forward, loss, backward(), optimizer.step(): the same weights as fit()",
         lambda: custom_training_loop.main(epochs=30 if quick else 100)),
        ("A convnet on 12x12 images of strokes",
         "Conv2D, MaxPooling2D, Conv2D, GlobalAveragePooling2D, Dense with Adam; 4 classes",
         lambda: convnet.main(out_dir=out_dir)),
        ("An LSTM forecasts a noisy sine wave",
         "LSTM(16) then Dense(1) on windows of 20 values, mse and Adam, 15 epochs",
         lambda: sequence_forecast.main(out_dir=out_dir)),
        ("A functional model with two inputs",
         "keras.Model([left, right], same): one shared encoder, concatenate and multiply",
         lambda: functional_api.main(out_dir=out_dir)),
        ("The same training, traced once: autograd.jit",
         "micrograd's 2-16-16-1 Value network on moons, eager and under jit: the same losses",
         lambda: jit_speedup.main(steps=8 if quick else 12, points=24, out_dir=out_dir)),
        ("Backward, step by step",
         "explain() on the house-price neuron (against the formula) and a 2-2-1 tanh net; "
         "a page to step through each",
         lambda: explain_backprop.main(out_dir)),
        ("Property tests of gradients",
         "hypothesis draws inputs; gradcheck compares backward() with finite differences",
         _property_tests),
    ]


def _report_mlp(result: dict[str, Any]) -> dict[str, Any]:
    print(f"loss on the two points: {result['loss']:.4f}; gradients of the weights:")
    for name, grad in result["grads"].items():
        print(f"  {name:<15} {np.array2string(grad.ravel(), precision=4)}")
    for path in result["files"]:
        print(f"wrote {path}")
    return result


def _report_model(picture: dict[str, Any], summary: Callable[[], Any]) -> dict[str, Any]:
    result = summary()
    for path in picture["files"]:
        print(f"wrote {path} (nn.utils.plot_model)")
    return result


def _moons(out_dir: Path, epochs: int) -> dict[str, Any]:
    plain = two_layer_network.main(epochs=epochs, out_dir=None)
    print()
    print("the default learning rate 0.01 leaves the boundary almost straight; with 0.5:")
    fast = two_layer_network.train(epochs=epochs, learning_rate=0.5)
    print(f"final accuracy with SGD(learning_rate=0.5): {fast['accuracy']:.3f}")
    fast["files"] = two_layer_network.save_pictures(fast, out_dir)
    for path in fast["files"]:
        print(f"wrote {path}")
    return {"default": plain, "fast": fast}


def main(out_dir: Path = OUT, quick: bool = False, docs: bool = False) -> dict[str, Any]:
    """Run the tour; return each step's result by title."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    results = {}
    tour = steps(out_dir, quick)
    for number, (title, what, run) in enumerate(tour, start=1):
        print(f"\n{'=' * 78}\n{number}/{len(tour)}  {title}\n    {what}\n{'=' * 78}")
        results[title] = run()
    if docs:
        DOCS.mkdir(exist_ok=True)
        for name in README_PICTURES:
            shutil.copyfile(out_dir / name, DOCS / name)
        print(f"\ncopied {', '.join(README_PICTURES)} into {DOCS}")
    pictures = sorted(p.name for p in out_dir.iterdir() if p.suffix in (".svg", ".png"))
    print(f"\npictures in {out_dir}/: {', '.join(pictures)}")
    print(f"the tour took {time.perf_counter() - started:.1f} s")
    return results


if __name__ == "__main__":
    main(quick="--quick" in sys.argv, docs="--docs" in sys.argv)
