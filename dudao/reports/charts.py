"""The report's charts as PNG images (matplotlib, Agg, a CJK font from fonts-noto-cjk)."""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib import font_manager

from dudao.engine.fields import LEVEL_ZH
from dudao.reports.content import ReportData

CJK_FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
)


def _font() -> font_manager.FontProperties | None:
    for path in CJK_FONTS:
        if Path(path).exists():
            return font_manager.FontProperties(fname=path)
    return None


def _png(fig: plt.Figure) -> bytes:
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=150, bbox_inches="tight")
    plt.close(fig)
    return out.getvalue()


def cv_chart(data: ReportData, level: str) -> bytes:
    """Bars of each indicator's CV (3 decimals, the run's ``cv_3dp``) against its limit."""
    font = _font()
    indicators = data.result.levels[level].indicators
    codes = list(indicators)
    values = [indicators[c].cv_3dp or 0 for c in codes]
    limits = [indicators[c].cv_limit for c in codes]
    fig, ax = plt.subplots(figsize=(6.4, 3.2))
    colors = ["#2e7d32" if indicators[c].cv_passed else "#c62828" for c in codes]
    bars = ax.bar(codes, values, color=colors)
    for i, limit in enumerate(limits):
        if limit is not None:
            ax.hlines(limit, i - 0.4, i + 0.4, colors="#333333", linestyles="dashed")
    for bar, value in zip(bars, values, strict=True):
        ax.annotate(f"{value:.3f}", (bar.get_x() + bar.get_width() / 2, value), ha="center", va="bottom", fontsize=8)
    ax.set_title(f"{LEVEL_ZH[level]}校际差异系数（虚线为限值）", fontproperties=font)
    ax.set_ylabel("差异系数", fontproperties=font)
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


def compliance_chart(data: ReportData, level: str) -> bytes:
    """Bars of the schools meeting each indicator's threshold, out of the level's schools."""
    font = _font()
    indicators = data.result.levels[level].indicators
    codes = list(indicators)
    met = [indicators[c].schools_met or 0 for c in codes]
    total = [indicators[c].schools or 0 for c in codes]
    fig, ax = plt.subplots(figsize=(6.4, 3.2))
    ax.bar(codes, total, color="#cfd8dc", label="学校数")
    ax.bar(codes, met, color="#1565c0", label="达标学校数")
    ax.legend(prop=font, fontsize=8)
    ax.set_title(f"{LEVEL_ZH[level]}各指标达标学校数", fontproperties=font)
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)
