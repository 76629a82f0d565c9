"""English of the plausibility warnings on the school page (issue 3)."""

EN = {
    "数据异常（已填写情况说明）：": "Unusual figures (explained in the note):",
    "数据异常，须填写情况说明": "Unusual figures: an explanation note (情况说明) is needed",
}
