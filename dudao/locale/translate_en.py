"""Fill the English catalogue from this table (run by hand after `make messages`; kept in the repo
so a reviewer sees every English string in one place). Chinese is the source language."""

from __future__ import annotations

import sys
from pathlib import Path

import polib

EN = {
    "督导评估": "Supervision and evaluation",
    "达标": "met",
    "未达标": "not met",
    "未判定": "undetermined",
    "填报不全": "incomplete",
    "未评估": "not assessed",
    "小学": "primary",
    "初中": "junior",
    "九年一贯制学校": "nine-year school",
    "十二年一贯制学校": "twelve-year school",
    "完全中学": "complete middle school",
    "特殊教育学校": "special-education school",
    "教学点": "teaching point",
    "职业学校": "vocational school",
    "城区": "urban",
    "镇区": "town",
    "乡村": "rural",
    "（未命名县）": "(unnamed county)",
    "%(title)s（%(doc_no)s）": "%(title)s (%(doc_no)s)",
    "省级配置：%(province)s": "Provincial profile: %(province)s",
    "县（市、区）：%(county)s    标准版本：%(version)s": "County: %(county)s    standard version: %(version)s",
    "总体结论：%(verdict)s": "Overall verdict: %(verdict)s",
    "  参评学校 %(n)d 所，在校生 %(students)s 人": "  %(n)d schools evaluated, %(students)s pupils",
    "指标": "Indicator",
    "县均值": "County mean",
    "标准": "Standard",
    "达标校数": "Schools met",
    "差异系数": "CV",
    "限值": "Limit",
    "结果": "Result",
    "无定义": "undefined",
    "无数据": "no data",
    "  综合差异系数：%(cv)s（限值 ≤%(limit)s）%(verdict)s": "  Composite CV: %(cv)s (limit ≤%(limit)s) %(verdict)s",
    "  达到每校要求的学校：%(passed)d/%(total)d": "  Schools meeting the per-school rule: %(passed)d/%(total)d",
    "  %(level)s结论：%(verdict)s": "  Verdict (%(level)s): %(verdict)s",
    "    %(code)s 差异主要来自：%(names)s": "    %(code)s: the spread comes mostly from %(names)s",
    "、": ", ",
    "%(school)s（%(value)s，占方差 %(share)s）": "%(school)s (%(value)s, %(share)s of the variance)",
    "%(school)s（%(level)s，%(verdict)s）": "%(school)s (%(level)s, %(verdict)s)",
    "%(area)s：%(status)s": "%(area)s: %(status)s",
    "%(school)s：%(reason)s": "%(school)s: %(reason)s",
    "第%(row)d行：": "row %(row)d: ",
    "【未达到每校要求的学校及差距】": "[Schools not meeting the per-school rule, and their gaps]",
    "【各领域结论】": "[Verdict by area]",
    "【未参评学校】": "[Schools not evaluated]",
    "【提示】": "[Notes]",
    "【本结果所依据的未经核实的默认设置（可由省级配置修改）】": (
        "[Unconfirmed default settings this result rests on (a provincial profile may change them)]"
    ),
    "学段": "Level",
    "指标代码": "Code",
    "差异系数(3位)": "CV (3 d.p.)",
    "综合差异系数": "Composite CV",
    "学校": "Schools",
    "学校标识码": "School code",
    "学校名称": "School name",
    "学校类型": "School type",
    "城乡类型": "Location",
    "在校生数": "Pupils",
    "达标项数": "Indicators met",
    "每校要求": "Per-school rule",
    "差距": "Gaps",
    "现值": "Value",
    "达标比例": "Share of standard",
    "需补足": "To add",
    "单位": "Unit",
    "结论": "Verdicts",
    "领域": "Area",
    "说明": "Explanation",
    "总体结论": "Overall verdict",
    "简体中文": "Simplified Chinese",
    "是": "yes",
    "否": "no",
    "不启用": "off",
    "【%(level)s】": "[%(level)s]",
    "%(name)s（本条未经核实）": "%(name)s (the item itself is unconfirmed)",
    "English": "English",
}


def main(po_path: str) -> int:
    po = polib.pofile(po_path)
    missing = []
    for entry in po:
        if entry.msgid in EN:
            entry.msgstr = EN[entry.msgid]
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
        else:
            missing.append(entry.msgid)
    po.save()
    for msgid in missing:
        print(f"no English for: {msgid!r}", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else str(Path(__file__).parent / "en/LC_MESSAGES/django.po")))
