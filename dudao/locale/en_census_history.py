"""English for the census history of school attributes and the county-item columns (issue 3)."""

EN = {
    "导入 %(file)s": "Imported from %(file)s",
}
