"""Reading a drawn graph back from its SVG, to compare it with the graph itself."""

import math
import re
import xml.etree.ElementTree as ET

from autograd.viz.text import fmt, names_of

SVG = "{http://www.w3.org/2000/svg}"
XLINK_TITLE = "{http://www.w3.org/1999/xlink}title"
TOOLTIP = re.compile(r"^(.*): data=(\S+?)(?:, grad=(\S+))?$")


def drawn_values(svg: str | bytes) -> dict[str, dict]:
    """Each value box of an SVG picture, by name.

    ``{"shown": [texts in the box], "data": float, "grad": float | None}``: the
    texts are what a reader sees (4 digits), the numbers come from the box's
    full-precision hover tooltip.
    """
    root = ET.fromstring(svg)
    boxes = {}
    for group in root.iter(f"{SVG}g"):
        if group.get("class") != "node":
            continue
        link = next((a for a in group.iter(f"{SVG}a") if a.get(XLINK_TITLE)), None)
        if link is None:
            continue  # an op circle
        name, data, grad = TOOLTIP.match(link.get(XLINK_TITLE)).groups()
        shown = [text.text or "" for text in group.iter(f"{SVG}text")]
        boxes[name] = {
            "shown": shown,
            "data": float(data),
            "grad": None if grad is None else float(grad),
        }
    return boxes


def assert_shows_graph(svg: str | bytes, root, rel: float = 1e-12) -> None:
    """The picture ``svg`` shows every value of ``root``'s graph with its data and grad.

    ``root``'s graph must already hold the gradients it should show (a fresh
    ``backward()``); both what the reader sees and the tooltip are checked.
    """
    boxes = drawn_values(svg)
    names = names_of(root._topological_order())
    assert set(boxes) == set(names.values()), (sorted(boxes), sorted(names.values()))
    for node, name in names.items():
        box = boxes[name]
        for drawn, true in ((box["data"], node.data), (box["grad"], node.grad)):
            assert math.isclose(drawn, true, rel_tol=rel, abs_tol=rel), (name, drawn, true)
        assert f"data {fmt(node.data)}" in box["shown"], (name, box["shown"])
        assert f"grad {fmt(node.grad)}" in box["shown"], (name, box["shown"])
