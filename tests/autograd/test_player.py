"""The backprop player: its frames are backprop_steps', its page is self-contained and works
in a real browser (headless Chromium driven by selenium)."""

import os
import re
import shutil
from pathlib import Path

import pytest
from graphviz_dot import needs_dot
from pictures import assert_shows_graph, drawn_values

from autograd import Value
from autograd.viz import BackpropPlayer, backprop_player, backprop_steps

try:  # the browser test needs selenium (the dev extra) and Debian's chromium + chromium-driver
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
except ImportError:
    webdriver = None

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("TAPEGRAD_TEST_ARTIFACTS", ROOT / "test-artifacts"))
pytestmark = needs_dot


def expression():
    """L = (a*b + c) * f, labelled, with a used twice so one gradient sums two paths."""
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c, f = Value(10.0, label="c"), Value(-2.0, label="f")
    e = a * b
    d = e + c + a
    L = d * f
    e.label, d.label, L.label = "e", "d", "L"
    return L


def test_one_frame_per_backprop_step_with_the_same_numbers_and_words():
    L = expression()
    player = backprop_player(L)
    steps = list(backprop_steps(L))
    assert len(player) == len(player.steps) == len(steps) == 4
    for step, frame, drawing in zip(player.steps, player.frames, steps):
        assert drawn_values(frame) == drawn_values(drawing.pipe(format="svg"))
        caption = drawing.source
        assert step.title in caption and all(line in caption for line in step.lines)
    L.backward()  # the last frame holds every gradient of backward()
    assert_shows_graph(player.frames[-1], L)


def test_the_graphs_own_gradients_are_left_alone():
    L = expression()
    backprop_player(L)
    assert [node.grad for node in L._topological_order()] == [0.0] * 8


def test_the_saved_page_is_one_self_contained_file(tmp_path):
    player = backprop_player(expression())
    path = player.save(tmp_path / "pages" / "backprop.html")
    page = path.read_text(encoding="utf-8")
    assert page == player.html() and page.startswith("<!DOCTYPE html>")
    assert page.count("<svg") == len(player) and page.count('<div class="tgp-step') == len(player)
    # nothing to fetch: no address but the SVG/XLink namespaces, no src= or <link>
    assert set(re.findall(r"https?://[^\s\"'<>]+", page)) <= {
        "http://www.w3.org/2000/svg",
        "http://www.w3.org/1999/xlink",
    }
    assert not re.search(r"\ssrc=|<link|@import|url\(", page)
    assert "∂L/∂d × L.grad" in page  # the arithmetic, as text beside the picture
    assert list(path.parent.iterdir()) == [path]  # no temporary file left behind


def test_saving_replaces_the_file_and_refuses_other_suffixes(tmp_path):
    player = backprop_player(expression())
    path = tmp_path / "backprop.html"
    path.write_text("old")
    player.save(path)
    assert path.read_text(encoding="utf-8") == player.html()
    with pytest.raises(ValueError, match=r"\.html"):
        player.save(tmp_path / "backprop.svg")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["backprop.html"]


def test_inline_in_jupyter_the_arrow_keys_belong_to_the_player():
    player = backprop_player(expression())
    inline, page = player._repr_html_(), player.html()
    assert isinstance(player, BackpropPlayer) and "<!DOCTYPE" not in inline
    assert inline.count("<svg") == len(player)
    assert 'player.addEventListener("keydown"' in inline  # not the notebook's own keys
    assert 'document.addEventListener("keydown"' in page
    ids = re.findall(r'id="(tapegrad-player-[^"]+)"', inline + player._repr_html_())
    assert len(set(ids)) == 2  # two players in one notebook do not share an id


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: backprop_player(Value(1.0)), ValueError, "no step"),
        (lambda: backprop_player(3.0), TypeError, "backprop_player: root must be a Value"),
        (lambda: backprop_player(expression(), title=1), TypeError, "title must be a str"),
        (lambda: backprop_player(expression(), rankdir="XY"), ValueError, "rankdir"),
        (lambda: backprop_player(expression(), max_nodes=3), ValueError, "max_nodes=8"),
    ],
)
def test_bad_arguments_are_named(call, error, match):
    with pytest.raises(error, match=match):
        call()


# --- in a real browser -------------------------------------------------------------------


def browser_missing() -> str | None:
    """Why the browser test cannot run here, or None."""
    if webdriver is None:
        return "selenium is not installed (pip install tapegrad[dev])"
    for program, package in (("chromium", "chromium"), ("chromedriver", "chromium-driver")):
        if shutil.which(program) is None:
            return f"no `{program}` (apt-get install {package}; scripts/test installs it)"
    return None


@pytest.fixture
def chromium():
    if reason := browser_missing():
        pytest.skip(f"no headless browser: {reason}")

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1400,900"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def visible_step(driver):
    """(the player's step number, the visible frame's number, the visible arithmetic)."""
    return driver.execute_script(
        """
        const player = document.querySelector(".tgp");
        const frames = [...player.querySelectorAll(".tgp-frame")]
            .filter(frame => getComputedStyle(frame).visibility === "visible");
        const steps = [...player.querySelectorAll(".tgp-step")]
            .filter(step => getComputedStyle(step).visibility === "visible");
        return [Number(player.dataset.step), frames.map(f => Number(f.dataset.step)),
                steps.map(s => s.querySelector("h3").textContent)];
        """
    )


def test_the_page_steps_through_backward_in_chromium(chromium, tmp_path):
    player = backprop_player(expression())
    page = player.save(tmp_path / "backprop.html")
    chromium.get(page.as_uri())
    titles = [step.title for step in player.steps]
    assert visible_step(chromium) == [1, [1], [titles[0]]]
    assert chromium.find_element(By.CLASS_NAME, "tgp-previous").get_attribute("disabled")

    chromium.find_element(By.CLASS_NAME, "tgp-next").click()
    assert visible_step(chromium) == [2, [2], [titles[1]]]
    assert chromium.find_element(By.CLASS_NAME, "tgp-counter").text == "Step 2 of 4"
    frame = chromium.find_element(By.CSS_SELECTOR, ".tgp-frame.tgp-current svg")
    assert frame.size["width"] > 200 and frame.size["height"] > 100  # the picture is drawn

    body = chromium.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.ARROW_RIGHT)
    assert visible_step(chromium)[:2] == [3, [3]]
    body.send_keys(Keys.ARROW_LEFT)
    assert visible_step(chromium)[:2] == [2, [2]]
    slider = chromium.find_element(By.CLASS_NAME, "tgp-slider")
    slider.send_keys(Keys.END)  # the slider, moved by the keyboard, moves the frames
    assert visible_step(chromium) == [4, [4], [titles[3]]]
    assert chromium.find_element(By.CLASS_NAME, "tgp-next").get_attribute("disabled")
    slider.send_keys(Keys.ARROW_LEFT)
    assert visible_step(chromium)[:2] == [3, [3]]

    # nothing was fetched: the page is the only resource it loaded
    assert chromium.execute_script("return performance.getEntriesByType('resource').length") == 0
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "backprop_player.png"
    assert chromium.save_screenshot(str(shot))
    assert shot.read_bytes().startswith(b"\x89PNG")
