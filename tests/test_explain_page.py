"""explain(...).save("backward.html") in a real headless Chromium (installed by `make test`'s
set-up, scripts/ensure-browser): the page loads without a script error, shows the first step
with the output outlined, and a key press or a button moves through the steps."""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from autograd import Tensor, Value, explain
from autograd.explain_page import page

# the flags Chromium needs here: no sandbox as root, and no background connections (the
# machine's network is closed, and a test must not wait on one)
_FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
          "--disable-quic", "--no-first-run", "--disable-background-networking",
          "--disable-component-update", "--disable-sync", "--window-size=1400,900")


@pytest.fixture(scope="module")
def browser() -> Iterator[webdriver.Chrome]:
    chromium, driver_path = shutil.which("chromium"), shutil.which("chromedriver")
    assert chromium and driver_path, (
        "Chromium and chromedriver are needed: `make test` installs them (scripts/ensure-browser)"
    )
    options = Options()
    options.binary_location = chromium
    for flag in _FLAGS + (f"--user-data-dir={tempfile.mkdtemp()}",):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def _house_neuron() -> Value:
    """MSE of w * x + b over three flats (examples/house_prices.py has the seven)."""
    w, b = Value(0.5, label="w"), Value(0.0, label="b")
    flats = [(1.0, 1.0), (2.0, 1.5), (3.0, 2.0)]
    loss = sum(((w * x + b - y) ** 2 for x, y in flats), Value(0.0)) * (1.0 / len(flats))
    loss.label = "L"
    return loss


def _open(browser: webdriver.Chrome, path: Path) -> None:
    browser.get(path.as_uri())
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert not errors, errors


def _current(browser: webdriver.Chrome) -> list[str]:
    return [g.find_element(By.TAG_NAME, "title").get_attribute("textContent")
            for g in browser.find_elements(By.CSS_SELECTOR, "#graph g.node.current")]


def test_the_page_steps_through_backward_with_keys_and_buttons(
    browser: webdriver.Chrome, tmp_path: Path
) -> None:
    explanation = explain(_house_neuron())
    path = explanation.save(tmp_path / "backward.html")
    _open(browser, path)
    body = browser.find_element(By.TAG_NAME, "body")
    steps = explanation.steps
    assert body.get_attribute("data-step") == "0"
    assert browser.find_element(By.ID, "counter").text == f"step 1 of {len(steps)}"
    assert _current(browser) == [steps[0].node_id]  # the output, outlined
    assert browser.find_element(By.ID, "prev").get_attribute("disabled")
    body.send_keys(Keys.ARROW_RIGHT)
    assert body.get_attribute("data-step") == "1"
    assert _current(browser) == [steps[1].node_id]
    assert browser.find_element(By.ID, "text").text == steps[1].describe()
    assert len(browser.find_elements(By.CSS_SELECTOR, "#graph g.node.done")) == 1
    body.send_keys(Keys.END)
    last = steps[-1]
    assert body.get_attribute("data-step") == str(len(steps) - 1)
    assert browser.find_element(By.ID, "text").text == last.describe()
    browser.find_element(By.ID, "prev").click()
    assert body.get_attribute("data-step") == str(len(steps) - 2)
    shot = tmp_path / "page.png"
    assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 10_000


def test_the_leaf_steps_show_the_gradients_backward_gives(
    browser: webdriver.Chrome, tmp_path: Path
) -> None:
    loss = _house_neuron()
    explanation = explain(loss)
    _open(browser, explanation.save(tmp_path / "b.html"))
    body = browser.find_element(By.TAG_NAME, "body")
    shown = {}
    for step in explanation.steps:
        shown[browser.find_element(By.ID, "title").text.split()[0]] = (
            browser.find_element(By.ID, "grad").text)
        body.send_keys(Keys.ARROW_RIGHT)
    loss.backward()
    leaves = {s.label: s.node for s in explanation.steps if s.op is None}
    for name in ("w", "b"):
        assert shown[name] == f"dL/d({name}) = {leaves[name].grad:.4f}"
    assert shown["w"] == "dL/d(w) = -2.0000"  # (2/3) * sum((0.5 x - y) x) over the three flats


def _no_network(text: str) -> bool:
    """True when the page loads nothing from outside (no src/href to a URL)."""
    return re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", text) is None


def test_a_tensor_graph_page_is_self_contained() -> None:
    x = Tensor(np.ones((2, 3)), requires_grad=True, name="x")
    text = page(explain((x * Tensor([1.0, 2.0, 3.0])).sum()))
    assert _no_network(text) and "<svg" in text and "<\\/" not in text.split("<script")[0]
    with pytest.raises(ValueError, match="expects an .html path"):
        explain(x.sum()).save("backward.svg")
