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
