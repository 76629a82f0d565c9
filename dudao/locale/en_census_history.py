"""English for the census history of school attributes and the county-item columns (issue 3)."""

EN = {
    "导入 %(file)s": "Imported from %(file)s",
    "九年一贯制": "Nine-year school",
    "十二年一贯制": "Twelve-year school",
}
