"""Shared test schools: one primary and one junior school that meet every 2017 indicator with room to spare."""

from __future__ import annotations

from dudao.standards import load

NATIONAL = load("national-2017")

# 500 pupils; each figure clears its primary threshold.
PRIMARY = {
    "school_type": "primary",
    "students": 500,
    "teachers_above_qualification": 25,  # 5.0 per 100 (≥ 4.2)
    "backbone_teachers": 6,  # 1.2 per 100 (≥ 1)
    "pe_art_teachers": 5,  # 1.0 per 100 (≥ 0.9)
    "teaching_aux_area_m2": 2500,  # 5.0 m² (≥ 4.5)
    "sports_area_m2": 4000,  # 8.0 m² (≥ 7.5)
    "equipment_value_yuan": 1_100_000,  # 2200 yuan (≥ 2000)
    "multimedia_classrooms": 12,  # 2.4 per 100 (≥ 2.3)
}

# 500 pupils; each figure clears its junior threshold.
JUNIOR = {
    "school_type": "junior",
    "students": 500,
    "teachers_above_qualification": 30,  # 6.0 per 100 (≥ 5.3)
    "backbone_teachers": 6,  # 1.2 per 100 (≥ 1)
    "pe_art_teachers": 5,  # 1.0 per 100 (≥ 0.9)
    "teaching_aux_area_m2": 3000,  # 6.0 m² (≥ 5.8)
    "sports_area_m2": 5500,  # 11.0 m² (≥ 10.2)
    "equipment_value_yuan": 1_300_000,  # 2600 yuan (≥ 2500)
    "multimedia_classrooms": 13,  # 2.6 per 100 (≥ 2.4)
}
