"""English for the county cockpit (县域总览), the school list, the school page (学校详情), the county subnav
and the landing page."""

EN = {
    # wording of results
    "公办": "public",
    "民办": "private",
    "%(code)s 无数据": "%(code)s: no data",
    "%(code)s 缺 %(gap)s %(unit)s": "%(code)s: %(gap)s %(unit)s short",
    "缺 %(gap)s %(unit)s%(noun)s": "%(noun)s: %(gap)s %(unit)s short",
    "等 %(n)d 项": "and %(n)d more",
    "；": "; ",
    "%(level)s：%(reason)s": "%(level)s: %(reason)s",
    # tables
    "%(level)s差异系数": "CV %(level)s",
    "%(level)s限值": "Limit %(level)s",
    "%(level)s结果": "Result %(level)s",
    "校际差异系数": "Inter-school coefficients of variation (CV)",
    "差异系数按在校生数加权计算，保留三位小数；不高于限值为达标。": (
        "CVs are weighted by enrolment and shown to 3 decimals; a CV at or below its limit is met."
    ),
    "未达标（无数据）": "not met (no data)",
    "未达标（无定义）": "not met (undefined)",
    "在校生": "Pupils",
    "未达到每校要求的学校及差距": "Schools not meeting the per-school rule, and what they lack",
    "差距为达到标准所需补足的最少数量（人、平方米、元、间等）。": (
        "A gap is the least whole number of planning units (persons, m², yuan, rooms …) that reaches the standard."
    ),
    "一票否决": "Veto",
    "未触发": "not triggered",
    "代码": "Code",
    "一票否决事项": "Veto conditions",
    "情况": "State",
    "%(year)s学年没有统计数据，无法比较。": "%(year)s has no census data; nothing to compare with.",
    "%(year)s学年的数据无法评估：%(error)s": "The data of %(year)s cannot be evaluated: %(error)s",
    "%(level)s %(year)s": "%(level)s %(year)s",
    "%(level)s变化": "Change %(level)s",
    "差异系数与上一学年比较": "CVs against the previous school year",
    "变化为负表示校际差距缩小。": "A negative change means the gaps between schools narrowed.",
    "%(year)s达标学校": "Schools met %(year)s",
    "%(year)s未达标学校": "Schools not met %(year)s",
    "%(year)s参评学校": "Schools evaluated %(year)s",
    "达标学校数与上一学年比较": "Schools meeting the rule against the previous school year",
    "参评学校": "Schools evaluated",
    "达到标准的比例": "Share of the standard",
    "%(level)s各项指标": "Indicators (%(level)s)",
    "历年评估结果": "Results over the years",
    "各学年取该学年最近一次评估；标红的数值未达到标准。": (
        "Each year shows its latest evaluation; figures in red do not meet the standard."
    ),
    "统计数据填报记录": "Census records",
    "版本": "Version",
    "修改人": "Changed by",
    "%(level)s修改与审核记录": "Changes and reviews (%(level)s)",
    "区划代码": "Division code",
    "%(year)s学年填报进度": "Census progress %(year)s",
    # county subnav
    "县域页面": "County pages",
    "均衡分析": "Balance",
    "模拟测算": "What-if",
    "全部": "All",
    "学年应为四位数字，如 2025": "The school year is a four-digit number, e.g. 2025",
    "没有该学年或评估标准": "No such school year or standard",
    # cockpit
    "县域总览": "County overview",
    "%(year)s学年县域总览": "County overview %(year)s",
    "本学年数据尚未锁定，结果可能随填报变化": (
        "This year's data is not locked; the result may change as schools enter data"
    ),
    "暂时无法评估": "Cannot be evaluated yet",
    "请先补齐或更正学校统计数据：": "Complete or correct the schools' census data first:",
    "查看填报进度": "Census progress",
    "导入全县学校数据表": "Import the county's school table",
    "本结果依据 %(n)s 项未经核实的默认设置": "This result rests on %(n)s unconfirmed default setting(s)",
    "各项设置的取值见评估记录": "The values of these settings are in the evaluation run",
    "各领域结论": "Verdict by area",
    "总体：": "Overall: ",
    "截止日期：": "Deadline: ",
    "每校要求：": "Per-school rule: ",
    "%(n)s 条说明": "%(n)s note(s)",
    "%(n)s 项触发": "%(n)s triggered",
    "%(n)s 项未填报": "%(n)s not entered",
    "逐项查看": "Item by item",
    "达到每校要求的学校": "Schools meeting the per-school rule",
    "未达标 %(failed)s 所 · 无法判定 %(undetermined)s 所": "not met %(failed)s · undetermined %(undetermined)s",
    "参评学校（本标准不设每校要求）": "schools evaluated (no per-school rule in this standard)",
    "查看全部参评学校": "All evaluated schools",
    "未达到每校要求的学校": "Schools not meeting the per-school rule",
    "与 %(before)s 学年比较": "Change since %(before)s",
    "学校数据填报": "School census",
    "%(n)s 所已逾期": "%(n)s overdue",
    # school list
    "%(year)s学年参评学校": "Schools evaluated %(year)s",
    "筛选学校": "Filter schools",
    "筛选": "Filter",
    "清除筛选": "Clear filters",
    "显示 %(shown)s / %(total)s 个学校学段（一贯制学校按学段分列）": (
        "Showing %(shown)s of %(total)s school levels (one-through schools are listed per level)"
    ),
    # school page
    "学校详情": "School",
    "下一学年": "Next year",
    "返回县域总览": "Back to the county overview",
    "办学条件指标与标准": "Indicators against the standard",
    "%(met)s/%(n)s 项达标": "%(met)s/%(n)s indicators met",
    "在校生 %(students)s 人": "%(students)s pupils",
    "一贯制学校按学段分摊后的数据": "figures of a one-through school apportioned to this level",
    "本校不参加资源配置评估：": "This school is not part of the resource evaluation: ",
    "本校本学年没有可评估的统计数据。": "This school has no census data to evaluate this year.",
    "历年情况": "Over the years",
    "%(level)s各项指标达到标准的比例逐年变化的折线图，数据同上表": (
        "Line chart (%(level)s) of each indicator's share of the standard by year; the figures are in the table above"
    ),
    "%(level)s：纵轴为达到标准的比例，100 即恰好达到标准": (
        "%(level)s: vertical axis is the share of the standard; 100 is exactly the standard"
    ),
    "统计数据与审核": "Census data and review",
    "查看或修改本校统计数据": "View or change this school's census data",
    # landing
    "%(name)s各县（市、区）对比": "%(name)s: counties side by side",
}
EN.update(
    {
        "本校整改事项": "This school's rectification items",
        "本校没有整改事项。": "This school has no rectification items.",
    }
)
