"""English for the shared table block and the overview app's frame."""

EN = {
    "下载": "Download",
    "无": "None",
    "总览": "Overview",
    "结果摘要": "Result summary",
}
