"""English for the balance view (均衡分析) and the what-if (模拟测算)."""

EN = {
    # balance: page
    "%(year)s学年均衡分析": "Balance analysis, %(year)s",
    "每幅图下方的表格列出同样的数字，可下载为 Excel 或 CSV。均值和差异系数均按在校生数加权。": (
        "The table under each chart holds the same figures and downloads as Excel or CSV. "
        "Means and CVs are weighted by enrolment."
    ),
    "城乡、公办民办比较": "Urban, town and rural; public and private",
    "图：%(title)s，各指标达标学校比例；数字见下表": (
        "Chart: %(title)s, share of schools meeting each indicator's standard; the figures are in the table below"
    ),
    "各指标的校际分布": "How each indicator is spread across schools",
    (
        "图中每个点是一所学校（学段），按城乡分行，点越大在校生越多：● 达标，▲ 未达标，■ 未判定；"
        "虚线为标准，实线为县均值（加权）。"
    ): (
        "Each dot is a school (level part), in rows by location; a larger dot, more pupils: ● met, ▲ not met, "
        "■ undetermined. The dashed line is the standard, the solid line the (weighted) county mean."
    ),
    "（%(unit)s）": "(%(unit)s)",
    "图：%(title)s的各校取值分布；数字见下表": (
        "Chart: the schools' values of %(title)s; the figures are in the table below"
    ),
    "各校取值（%(n)s 所）": "Every school's value (%(n)s)",
    "本学年没有参评学校，无法做均衡分析": "No school is evaluated this year: there is nothing to analyse",
    # balance: tables and charts
    "未注明": "not given",
    "学校数": "Schools",
    "加权均值": "Weighted mean",
    "组内差异系数": "CV within the group",
    "达标学校数": "Schools meeting the standard",
    "达标学校比例": "Share of schools meeting the standard",
    "%(level)s各指标按%(dimension)s比较": "%(level)s: indicators by %(dimension)s",
    (
        "均值按在校生数加权；"
        "组内差异系数为组内各校的加权差异系数；达标学校比例 = 达到该项标准的学校数 ÷ 有数据的学校数。"
    ): (
        "Means are weighted by enrolment; the CV within a group is the weighted CV of the group's schools; "
        "share meeting the standard = schools meeting it ÷ schools with a figure."
    ),
    "序号": "No.",
    "指标值": "Value",
    "与县均值相比": "Against the county mean",
    "占加权方差比例": "Share of the weighted variance",
    "高于": "above",
    "低于": "below",
    "%(code)s 拉大差异最多的学校": "%(code)s: the schools that widen the spread most",
    "占加权方差比例 = 在校生数 ×（本校值 − 县均值）² ÷ 全县各校之和；比例越大，该校对差异系数的影响越大。": (
        "Share of the weighted variance = pupils × (school value − county mean)² ÷ the sum over the county's "
        "schools; the larger the share, the more the school raises the CV."
    ),
    "是否达标": "Standard met",
    "%(code)s 各校取值（由低到高）": "%(code)s: every school's value (lowest first)",
    "各指标达标学校比例（按%(dimension)s）": "Share of schools meeting each standard (by %(dimension)s)",
    "全县": "County",
    "按%(dimension)s比较": "By %(dimension)s",
    "标准 %(threshold)s，县均值 %(mean)s，差异系数 %(cv)s（限值 %(limit)s），达标学校 %(met)s/%(n)s 所": (
        "Standard %(threshold)s, county mean %(mean)s, CV %(cv)s (limit %(limit)s), "
        "%(met)s/%(n)s schools meet the standard"
    ),
    # what-if: page
    "%(year)s学年模拟测算": "What-if, %(year)s",
    (
        "选一所学校，修改它的统计数字，即可看到该校各项指标和全县差异系数的测算结果。"
        "测算只在本页进行，不保存、不改动任何数据。"
    ): (
        "Choose a school and change its figures to see its indicators and the county's CVs recomputed. "
        "The what-if stays on this page: nothing is saved or changed."
    ),
    "学校（学段）": "School (level)",
    "请选择学校": "Choose a school",
    "选择": "Choose",
    "%(name)s的统计数字": "Figures of %(name)s",
    "当前值为本次评估所用的数字；改动后自动测算。": (
        "The current figures are those of this evaluation; a change is recomputed as you type."
    ),
    "当前：%(value)s": "now: %(value)s",
    "测算": "Recompute",
    "恢复当前值": "Back to the current figures",
    "测算中…": "Recomputing…",
    "已测算": "Recomputed",
    "测算失败，请重试或点“测算”按钮提交": "The recomputation failed; try again or press “Recompute”",
    # what-if: result
    "测算结果": "What-if result",
    "已修改：": "Changed:",
    "%(name)s：%(old)s → <strong>%(new)s</strong>": "%(name)s: %(old)s → <strong>%(new)s</strong>",
    "尚未修改任何数字，下表为当前评估结果。": "Nothing changed yet: the tables show the current result.",
    "模拟测算不保存任何数据。": "A what-if saves nothing.",
    "每校要求：": "Per-school rule: ",
    "（达标 %(met)s/%(n)s 项）": "(%(met)s/%(n)s indicators met)",
    "不参评": "not evaluated",
    "全县%(level)s": "County, %(level)s",
    "县域结论：": "County verdict: ",
    "达到每校要求的学校 %(a)s → %(b)s/%(n)s 所": "schools meeting the per-school rule %(a)s → %(b)s/%(n)s",
    "（未达标）": " (not met)",
    "当前值": "Now",
    "测算值": "What-if",
    "变化": "Change",
    "当前结论": "Verdict now",
    "测算结论": "What-if verdict",
    "当前差距": "Gap now",
    "测算差距": "What-if gap",
    "%(level)s各项指标：当前与测算": "%(level)s indicators: now and what-if",
    "当前差异系数": "CV now",
    "测算差异系数": "What-if CV",
    "%(level)s校际差异系数：当前与测算": "%(level)s CVs: now and what-if",
    # what-if: the figures
    "专任教师数": "Full-time teachers",
    "高于规定学历专任教师数": "Teachers above the statutory qualification",
    "县级及以上骨干教师数": "County-level-or-above backbone teachers",
    "体育、艺术(美术、音乐)专任教师数": "Full-time PE and art (fine art, music) teachers",
    "中级及以上专业技术职务教师数": "Teachers with an intermediate or higher title",
    "教学及辅助用房面积(平方米)": "Teaching and auxiliary floor area (m²)",
    "其中：室内体育用房面积(平方米)": "of which indoor sports rooms (m²)",
    "体育运动场馆面积(平方米)": "Sports ground and hall area (m²)",
    "教学仪器设备值(元)": "Teaching equipment value (yuan)",
    "网络多媒体教室数(间)": "Networked multimedia classrooms",
    "计算机数(台)": "Computers",
    "图书(册)": "Books (volumes)",
    "小学部": "primary section",
    "初中部": "junior section",
    "高中部": "senior section",
    "%(part)s%(figure)s": "%(figure)s, %(part)s",
}
