"""English for the inspection-readiness pages: self-evaluation report and annex tables (issue 7)."""

EN = {
    "自查自评与迎检": "Self-evaluation and inspection readiness",
    "自查自评报告": "Self-evaluation report",
    "报告与附表中的全部数字取自 %(at)s 的评估结果；县里可修改报告模板的字体、页边距、页码和开头段落。": (
        "Every figure in the report and its annex tables comes from the evaluation of %(at)s; the county may edit "
        "the report template's fonts, margins, page numbers and opening paragraphs."
    ),
    "下载自查自评报告（Word）": "Download the self-evaluation report (Word)",
    "下载附表（Excel）": "Download the annex tables (Excel)",
    "县级指标和整改任务中上传的佐证材料共 %(n)s 份，按指标分文件夹打包，附清单。": (
        "%(n)s supporting documents uploaded to county items and rectification tasks, packed in a folder per "
        "indicator with a manifest."
    ),
    "下载佐证材料包（zip）": "Download the evidence pack (zip)",
    "随机种子": "Random seed",
    "每层抽取校数": "Schools per stratum",
    "未达标学校权重": "Weight of failing schools",
    "抽取时间": "Drawn at",
    "实地核验抽样": "On-site sampling",
    "核验发现": "Findings",
    "核实值": "Verified value",
    "记录时间": "Recorded at",
    "抽中学校数": "Schools drawn",
    "抽取人": "Drawn by",
    "实地核验抽样记录": "On-site sampling draws",
    "抽中学校": "Schools drawn",
    "分层情况": "Strata",
    "已记录核验发现，并列入整改事项。": "The finding is recorded and listed as a rectification item.",
    "实地核验清单": "On-site checklist",
    "返回抽样": "Back to the draw",
    "核验内容": "What to verify",
    "填报值": "Reported value",
    "核验结果（一致 / 不一致）": "Result (matches / does not match)",
    "一致": "matches",
    "不一致": "does not match",
    "尚无核验发现。": "No findings yet.",
    "（其他）": "(other)",
    "整改要求": "Required rectification",
    "记录并列入整改": "Record and list for rectification",
    "抽样与核验清单": "Sampling and checklists",
    "用同一种子重新抽取，结果一致": "Drawn again with the same seed: the same schools",
    "用同一种子重新抽取，结果不一致": "Drawn again with the same seed: different schools",
    "抽取学校": "Draw schools",
    "按学段和城区、镇区、乡村分层随机抽取；记录随机种子，用同一种子可重现抽样结果。未达标学校权重大于1时，未达标学校更容易被抽中。": (  # noqa: E501
        "Schools are drawn at random within each level and urban/town/rural stratum; the seed is recorded and the "
        "same seed reproduces the draw. With a weight above 1, failing schools are more likely to be drawn."
    ),
    "随机种子（留空自动生成）": "Random seed (leave empty to generate one)",
    "抽取": "Draw",
    "县级督导部门和上级督学可在此生成自查自评报告、附表和佐证材料包，并进行实地核验抽样。": (
        "County supervision offices and the inspectors above them generate the self-evaluation report, its annex "
        "tables and the evidence pack here, and draw schools for on-site verification."
    ),
    "报告、附表与佐证材料": "Report, annex tables and evidence",
    "报告模板": "Report template",
    "报告使用本县上传的模板 %(name)s（%(at)s）。": "The report uses the county's own template %(name)s (%(at)s).",
    "报告使用默认模板。下载后可在 Word 中修改封面和开头段落的文字（保留 {县名}、{年度} 等占位符）、字体、页边距和页码，再上传。": (  # noqa: E501
        "The report uses the default template. Download it, edit the cover and opening text in Word (keep the "
        "placeholders such as {县名} and {年度}), the fonts, margins and page numbers, then upload it."
    ),
    "下载当前模板": "Download the template in use",
    "上传本县模板（.docx）": "Upload the county's template (.docx)",
    "上传": "Upload",
    "已使用新的报告模板。": "The new report template is in use.",
}
