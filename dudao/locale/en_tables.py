"""English for the shared table block and the overview app's frame."""

EN = {
    "下载": "Download",
    "无": "None",
    "总览": "Overview",
    "结果摘要": "Result summary",
}
EN.update(
    {
        "密码太短，至少需要 %(min_length)d 个字符。": (
            "This password is too short. It must contain at least %(min_length)d characters."
        ),
        "密码至少需要 %(min_length)d 个字符。": "Your password must contain at least %(min_length)d characters.",
    }
)
