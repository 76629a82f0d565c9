"""What a person sees, measured in the browser: text contrast against what is really behind it, and
whether a page fits a phone (no sideways scrolling of the page; a table's key column fully visible).
Shared by the browser tests (the census review queue reuses ``fits_phone``)."""

from __future__ import annotations

from playwright.sync_api import Page

# The WCAG 2 contrast ratio of each element matched by a selector: its computed text colour against the
# first opaque background colour found walking up from it (what Chromium paints behind the text).
_CONTRAST_JS = """
(selector) => {
  const rgb = (text) => (text.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const c = [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  };
  const background = (el) => {
    for (let node = el; node; node = node.parentElement) {
      const c = rgb(getComputedStyle(node).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0.9)) { return c.slice(0, 3); }
    }
    return [255, 255, 255];
  };
  return Array.from(document.querySelectorAll(selector)).filter((el) => el.getClientRects().length).map((el) => {
    const fg = rgb(getComputedStyle(el).color).slice(0, 3), bg = background(el);
    const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
    return { text: el.textContent.trim().slice(0, 40), color: fg.join(","), background: bg.join(","),
             ratio: Math.round(((hi + 0.05) / (lo + 0.05)) * 100) / 100 };
  });
}
"""


def contrasts(page: Page, selector: str) -> list[dict]:
    """``[{"text", "color", "background", "ratio"}]`` for every visible element matching ``selector``."""
    return page.evaluate(_CONTRAST_JS, selector)


def assert_readable(page: Page, selector: str, minimum: float = 4.5) -> list[dict]:
    """Every visible element matching ``selector`` has text contrast of at least ``minimum`` (WCAG AA
    for normal text); there is at least one."""
    found = contrasts(page, selector)
    assert found, f"nothing visible matches {selector}"
    poor = [c for c in found if c["ratio"] < minimum]
    assert not poor, f"text too faint to read ({selector}): {poor}"
    return found


PHONE = {"width": 390, "height": 844}

# Every cell of the page's table blocks (the shared tables, cards on a phone; a page's own wide form
# tables may scroll inside their box): its box, and whether its text is cut.
_CELLS_JS = """
() => {
  const isKey = (el) => {  // the row's key: figure[data-key] names its place; a region table has row headers
    const figure = el.closest("figure.table-block"), place = Number(figure && figure.dataset.key);
    return (place > 0 && el.cellIndex === place - 1) || (el.tagName === "TH" && el.scope === "row");
  };
  const cells = document.querySelectorAll("main figure.table-block table tbody tr > *");
  return Array.from(cells).filter((el) => el.getClientRects().length).map((el) => {
    const r = el.getBoundingClientRect();
    return { text: el.textContent.trim().slice(0, 30), left: r.left, right: r.right,
             clipped: el.scrollWidth > el.clientWidth + 1, key: isKey(el) }; });
}
"""


def fits_phone(page: Page, width: int = PHONE["width"]) -> list[dict]:
    """The page does not scroll sideways (the layout viewport is the screen's width and nothing is
    wider), and every cell of the shared tables — the key column first of all — lies within the screen,
    its text not cut. Returns the cells checked (so a caller can assert on the key column)."""
    inner = page.evaluate("window.innerWidth")
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert inner == width and scroll <= width, f"the page scrolls sideways: {scroll} px wide on a {width} px screen"
    cells = page.evaluate(_CELLS_JS)
    outside = [c for c in cells if c["left"] < -1 or c["right"] > width + 1 or c["clipped"]]
    assert not outside, f"cells cut off or off the screen: {outside[:5]}"
    return cells
