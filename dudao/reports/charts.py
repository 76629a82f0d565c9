"""The report's charts as PNG images (matplotlib's Agg canvas, a CJK font from fonts-noto-cjk).

matplotlib is imported when a chart is drawn, not when the module is: it costs about a second of CPU,
which every process (a web or queue worker, each ``dudao`` command) would otherwise pay at start-up
although only a report draws charts. The figures are plain ``Figure`` objects, not pyplot's, so no
global state is shared between the threads of a worker."""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

from dudao.engine.fields import LEVEL_ZH
from dudao.reports.content import ReportData

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties

CJK_FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
)


def _font() -> FontProperties | None:
    from matplotlib.font_manager import FontProperties

    for path in CJK_FONTS:
        if Path(path).exists():
            return FontProperties(fname=path)
    return None


def _axes() -> tuple[Figure, Axes]:
    """A new 6.4 × 3.2 inch figure drawn by Agg, and its one axes."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.4, 3.2))
    FigureCanvasAgg(fig)
    return fig, fig.subplots()


def _png(fig: Figure) -> bytes:
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=150, bbox_inches="tight")
    return out.getvalue()


def cv_chart(data: ReportData, level: str) -> bytes:
    """Bars of each indicator's CV (3 decimals, the run's ``cv_3dp``) against its limit."""
    font = _font()
    indicators = data.result.levels[level].indicators
    codes = list(indicators)
    values = [indicators[c].cv_3dp or 0 for c in codes]
    limits = [indicators[c].cv_limit for c in codes]
    fig, ax = _axes()
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
    fig, ax = _axes()
    ax.bar(codes, total, color="#cfd8dc", label="学校数")
    ax.bar(codes, met, color="#1565c0", label="达标学校数")
    ax.legend(prop=font, fontsize=8)
    ax.set_title(f"{LEVEL_ZH[level]}各指标达标学校数", fontproperties=font)
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)
