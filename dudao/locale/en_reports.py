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
}
