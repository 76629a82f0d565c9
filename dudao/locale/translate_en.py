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
    "学校年度统计": "School census",
    "学年": "School year",
    "填报截止日期": "Deadline",
    "已锁定": "Locked",
    "年度统计": "Census year",
    "全校（一贯制整校）": "Whole school (one-through)",
    "草稿": "draft",
    "已提交": "submitted",
    "已审核": "approved",
    "已退回": "returned",
    "状态": "Status",
    "情况说明": "Explanation note",
    "退回原因": "Reason for return",
    "学校年度统计记录": "Census record",
    "导入批次": "Import batch",
    "创建": "created",
    "提交": "submitted",
    "审核通过": "approved",
    "退回": "returned",
    "锁定年度": "year locked",
    "解锁年度": "year unlocked",
    "导入": "imported",
    "组织与学校": "Organisations and schools",
    "省": "province",
    "市": "city",
    "县（市、区）": "county",
    "乡镇（街道）": "town or street",
    "行政区划代码": "Division code",
    "名称": "Name",
    "层级": "Level",
    "常住人口": "Resident population",
    "行政区域": "Region",
    "省级区域没有上级": "A province has no parent region",
    "上级区域层级不符": "The parent region is at the wrong level",
    "财政局": "Finance bureau",
    "编办": "Staffing office",
    "人社局": "Human resources bureau",
    "公安局": "Public security bureau",
    "市场监管局": "Market regulation bureau",
    "交通运输局": "Transport bureau",
    "发改局": "Development and reform bureau",
    "住建局": "Housing and construction bureau",
    "教育局": "Education bureau",
    "教育局科室": "Education bureau section",
    "督导室": "Supervision office",
    "其他": "Other",
    "类别": "Kind",
    "部门": "Department",
    "在办": "open",
    "已撤销": "closed",
    "已合并": "merged",
    "办学性质": "Ownership",
    "乡镇": "Town",
    "学校学年信息": "School in a school year",
    "省级督学": "Provincial inspector",
    "市级督学": "City inspector",
    "县级督导室": "County supervisor",
    "部门联络员": "Department clerk",
    "学校填报员": "School clerk",
    "只读观察员": "Observer (read only)",
    "角色": "Role",
    "角色授权": "Role assignment",
    "该角色须且只须关联一个%(unit)s": "This role needs exactly one %(unit)s",
    "角色与区域层级不符": "The role does not fit the level of the region",
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
