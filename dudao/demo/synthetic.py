"""Synthetic but realistic school tables for demos, tests of scale and benchmarks (pure numpy/pandas).

The rows have the engine's canonical columns (``dudao.engine.fields``): one row per single-level
school (小学, 初中, 教学点, 特殊教育学校) and one whole-school row (level ``all``) per one-through
school (九年一贯制, 十二年一贯制, 完全中学) with per-level pupils (``students_primary`` ...) and
per-level teacher columns (``pe_art_teachers_primary`` ...), as ``dudao.engine.prepare`` splits them.

The figures are drawn around the 2017 quality-balanced thresholds (教督〔2017〕6号, §1.3 of the
domain reference): most schools meet most indicators, rural schools are weaker in teachers and
equipment, urban schools are short of floor and sports area, small schools are noisy. With the
defaults about 70–85 % of the evaluated schools pass the per-school rule and a share of the counties
fail one or more inter-school CVs. Nothing here is real data: county codes follow the 6-digit
行政区划代码 pattern (province, prefecture, county) and school codes the 10-digit 学校标识码 pattern,
but names and figures are invented.

>>> frame = synthetic_schools(3, (40, 80), seed=1)
>>> demo = demo_county()          # one county of ~60 schools for ``make demo``
"""

from __future__ import annotations

from typing import cast

import numpy as np
import pandas as pd

from dudao.engine.fields import LEVEL_TEACHER_FIELDS, TEACHER_FIELDS

__all__ = ["COLUMNS", "PROVINCES", "demo_county", "synthetic_schools"]

# Province codes with the approximate number of county-level divisions (2023): national samples
# are spread over the provinces in these proportions.
PROVINCES: dict[str, tuple[str, int]] = {
    "11": ("北京市", 16),
    "12": ("天津市", 16),
    "13": ("河北省", 167),
    "14": ("山西省", 117),
    "15": ("内蒙古自治区", 103),
    "21": ("辽宁省", 100),
    "22": ("吉林省", 60),
    "23": ("黑龙江省", 121),
    "31": ("上海市", 16),
    "32": ("江苏省", 95),
    "33": ("浙江省", 90),
    "34": ("安徽省", 104),
    "35": ("福建省", 84),
    "36": ("江西省", 100),
    "37": ("山东省", 136),
    "41": ("河南省", 157),
    "42": ("湖北省", 103),
    "43": ("湖南省", 122),
    "44": ("广东省", 122),
    "45": ("广西壮族自治区", 111),
    "46": ("海南省", 25),
    "50": ("重庆市", 38),
    "51": ("四川省", 183),
    "52": ("贵州省", 88),
    "53": ("云南省", 129),
    "54": ("西藏自治区", 74),
    "61": ("陕西省", 107),
    "62": ("甘肃省", 86),
    "63": ("青海省", 44),
    "64": ("宁夏回族自治区", 22),
    "65": ("新疆维吾尔自治区", 106),
}
MUNICIPALITIES = ("11", "12", "31", "50")

BASE_COLUMNS = [
    "county_code",
    "county_name",
    "school_code",
    "school_name",
    "school_type",
    "level",
    "location",
    "ownership",
    "students",
    "students_primary",
    "students_junior",
    "students_senior",
    *TEACHER_FIELDS,
    "teaching_aux_area_m2",
    "indoor_gym_area_m2",
    "sports_area_m2",
    "equipment_value_yuan",
    "multimedia_classrooms",
    "computers",
    "books",
]
COLUMNS = [*BASE_COLUMNS, *LEVEL_TEACHER_FIELDS]
_INT_COLUMNS = [
    "students",
    "students_primary",
    "students_junior",
    "students_senior",
    *TEACHER_FIELDS,
    "multimedia_classrooms",
    "computers",
    "books",
    *LEVEL_TEACHER_FIELDS,
]
_AREA_COLUMNS = ["teaching_aux_area_m2", "indoor_gym_area_m2", "sports_area_m2", "equipment_value_yuan"]

# The 2017 thresholds the figures are drawn around (L1..L7; primary, junior).
_THRESHOLDS = {
    "primary": (4.2, 1.0, 0.9, 4.5, 7.5, 2000.0, 2.3),
    "junior": (5.3, 1.0, 0.9, 5.8, 10.2, 2500.0, 2.4),
}
# Median multiple of the threshold by location (urban, town, rural) and the per-school spread (log
# scale). Rural schools are weaker in teachers and equipment; urban ones are crowded (less area).
_MEDIAN = np.array(
    [
        # L1    L2    L3    L4    L5    L6    L7
        [1.45, 1.90, 1.50, 1.35, 1.30, 1.70, 1.60],  # urban
        [1.38, 1.60, 1.40, 1.50, 1.60, 1.55, 1.50],  # town
        [1.30, 1.35, 1.30, 1.70, 1.90, 1.45, 1.40],  # rural
    ]
)
_SPREAD = np.array([0.10, 0.28, 0.22, 0.16, 0.26, 0.24, 0.20])
_LOCATIONS = np.array(["urban", "town", "rural"], dtype=object)

# School types, the probability of each (one-through types are scaled by ``one_through_share``).
_SINGLE_TYPES = ("primary", "junior", "teaching_point", "special")
_SINGLE_WEIGHTS = np.array([0.655, 0.27, 0.06, 0.015])
_ONE_THROUGH = ("nine_year", "twelve_year", "complete_middle")
_ONE_THROUGH_WEIGHTS = np.array([0.82, 0.06, 0.12])

_CN_DIGITS = "零一二三四五六七八九"
_COUNTY_FIRST = (
    "安宝昌长崇大德定东丰阜高固广海和河鹤衡华怀淮黄会吉建江金晋靖景乐临灵龙隆鲁洛满蒙南宁平浦齐清庆泉仁容汝"
    "瑞三沙商上寿双顺泰唐通威卫温文武西仙襄新兴修延阳永榆玉元云枣彰昭中周遵"
)
_COUNTY_SECOND = "安城川丰和河华化江康乐林陵宁平丘泉山水台田阳源远州泽昌定口谷邑德兴义阴明顺溪峰乡津原"
_PLACE_CHARS = (
    "白柏北博曹岔长陈城崔大店丁东董杜范方冯付高葛关郭韩何洪侯胡黄贾姜蒋金孔"
    "李梁林刘柳龙卢鲁吕马孟牛潘秦任石宋孙唐田王魏吴夏谢徐许杨姚于袁张赵郑周朱"
)
_VILLAGE_SUFFIX = "庄村营楼岗集寨湾屯洼店坡沟家坊铺桥堡"
_TOWN_SUFFIX = ("庄", "集", "桥", "店", "口", "河", "屯", "铺", "坡", "寨", "港", "湖", "山", "岭", "堡")
_SUBDISTRICTS = (
    "城关",
    "东关",
    "西关",
    "南关",
    "北关",
    "城东",
    "城西",
    "城南",
    "城北",
    "新华",
    "人民路",
    "解放路",
    "建设路",
    "文化路",
    "朝阳",
    "和平",
)
_PRIVATE_NAMES = ("博雅", "育才", "英才", "启明", "明德", "新星", "华英", "双语", "实验外国语", "求是")


def _cn_number(n: int) -> str:
    """1 -> 一, 12 -> 十二, 20 -> 二十, 35 -> 三十五 (n < 100)."""
    if n < 10:
        return _CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else _CN_DIGITS[tens]
    return head + "十" + (_CN_DIGITS[ones] if ones else "")


def _sround(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Stochastic rounding to whole numbers (keeps small schools' expected figures right)."""
    x = np.maximum(x, 0.0)
    return np.floor(x + rng.random(x.shape)).astype(np.int64)


def _allocate(n: int, weights: np.ndarray) -> np.ndarray:
    """Largest-remainder split of ``n`` in proportion to ``weights``."""
    share = n * weights / weights.sum()
    out = np.floor(share).astype(int)
    rest = n - out.sum()
    out[np.argsort(-(share - out), kind="stable")[:rest]] += 1
    return out


class _Names:
    """Unique place names drawn from syllable pools (deterministic per generator)."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def county(self, suffix: str) -> str:
        for _ in range(200):
            stem = self.rng.choice(list(_COUNTY_FIRST)) + self.rng.choice(list(_COUNTY_SECOND))
            if stem not in self.used:
                self.used.add(stem)
                return stem + suffix
        stem = "".join(self.rng.choice(list(_COUNTY_FIRST), 3))
        self.used.add(stem)
        return stem + suffix

    def places(self, n: int, suffix: str, taken: set[str]) -> list[str]:
        out: list[str] = []
        chars = list(_PLACE_CHARS)
        while len(out) < n:
            name = self.rng.choice(chars) + self.rng.choice(_TOWN_SUFFIX) + suffix
            if name not in taken:
                taken.add(name)
                out.append(name)
        return out


def _county_codes(n_counties: int, province: str | None, rng: np.random.Generator) -> list[tuple[str, str, str]]:
    """(code, kind, province code) per county; kind is 区, 县 or 市 (县级市)."""
    if province is not None:
        if province not in PROVINCES:
            raise ValueError(f"unknown province code {province!r}")
        per_province = {province: n_counties}
    else:
        codes = list(PROVINCES)
        counts = _allocate(n_counties, np.array([PROVINCES[c][1] for c in codes], dtype=float))
        per_province = {c: int(k) for c, k in zip(codes, counts, strict=True) if k}
    out = []
    for prov, n in per_province.items():
        if n > 999:
            raise ValueError("at most 999 counties per province (school codes hold a 3-digit county number)")
        per_pref = 16 if prov in MUNICIPALITIES else 11
        for start in range(0, n, per_pref):
            pref = start // per_pref + 1
            size = min(per_pref, n - start)
            if prov in MUNICIPALITIES:
                kinds = ["区"] * size
            else:
                # About 22 % districts, 66 % counties, 12 % county-level cities; numbered in that order.
                drawn = rng.choice(3, size, p=[0.22, 0.66, 0.12])
                kinds = [("区", "县", "市")[k] for k in sorted(drawn)]
            serial = {"区": 1, "县": 20, "市": 80}
            for kind in kinds:
                serial[kind] += 1
                out.append((f"{prov}{pref:02d}{serial[kind]:02d}", kind, prov))
    return out


def _draw_students(kind: np.ndarray, loc: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Enrolment by school kind and location, log-uniform inside realistic ranges."""
    ranges = {
        # kind: (urban, town, rural) ranges
        "primary": ((800, 2500), (300, 1300), (80, 400)),
        "junior": ((700, 2200), (350, 1400), (150, 600)),
        "teaching_point": ((10, 60), (10, 60), (10, 60)),
        "special": ((40, 220), (30, 150), (30, 120)),
        "np": ((600, 1800), (250, 1000), (120, 450)),  # nine-year primary part
        "nj": ((300, 1000), (120, 600), (60, 300)),  # nine-year junior part
        "tp": ((500, 1500), (400, 1000), (400, 1000)),  # twelve-year parts
        "tj": ((400, 1100), (300, 800), (300, 800)),
        "ts": ((400, 1500), (300, 900), (300, 900)),
        "cj": ((600, 1600), (400, 1200), (300, 900)),  # complete middle parts
        "cs": ((800, 2400), (600, 1600), (400, 1200)),
    }
    lo = np.empty(len(kind))
    hi = np.empty(len(kind))
    for k, rows in ranges.items():
        for li, (a, b) in enumerate(rows):
            m = (kind == k) & (loc == li)
            lo[m], hi[m] = a, b
    return np.round(np.exp(rng.uniform(np.log(lo), np.log(hi)))).astype(np.int64)


def _level_block(
    level: str,
    students: np.ndarray,
    loc: np.ndarray,
    factor: np.ndarray,
    rng: np.random.Generator,
    tp: np.ndarray,
) -> dict[str, np.ndarray]:
    """Teachers and facilities of one level part (zeros where ``students`` is 0)."""
    t = _THRESHOLDS[level]
    p = students.astype(float)
    m = factor  # shape (n, 7): multiples of the threshold
    out: dict[str, np.ndarray] = {}
    out["teachers_above_qualification"] = _sround(t[0] * p / 100 * m[:, 0], rng)
    out["backbone_teachers"] = _sround(t[1] * p / 100 * m[:, 1], rng)
    out["pe_art_teachers"] = _sround(t[2] * p / 100 * m[:, 2], rng)
    # Pupil–teacher ratio: lower in the countryside and at teaching points.
    ptr = (
        np.where(loc == 0, 18.0, np.where(loc == 1, 16.0, 13.0))
        if level == "primary"
        else np.where(loc == 0, 13.0, np.where(loc == 1, 12.0, 11.0))
    )
    ptr = np.where(tp, 7.0, ptr)
    base = _sround(p / ptr * rng.uniform(0.9, 1.1, len(p)), rng)
    floor = out["teachers_above_qualification"] + _sround(p / 100 * rng.uniform(0.2, 1.5, len(p)), rng)
    teachers = np.maximum.reduce([base, floor, out["backbone_teachers"], out["pe_art_teachers"]])
    out["teachers"] = np.where(p > 0, np.maximum(teachers, 1), 0)
    out["senior_title_teachers"] = np.minimum(_sround(out["teachers"] * rng.uniform(0.3, 0.65, len(p)), rng), teachers)
    out["teaching_aux_area_m2"] = t[3] * p * m[:, 3]
    out["sports_area_m2"] = t[4] * p * m[:, 4]
    out["equipment_value_yuan"] = t[5] * p * m[:, 5]
    out["multimedia_classrooms"] = _sround(t[6] * p / 100 * m[:, 6], rng)
    out["computers"] = _sround(p * rng.uniform(0.08, 0.22, len(p)), rng)
    out["books"] = _sround(
        p * (rng.uniform(25, 45, len(p)) if level == "primary" else rng.uniform(35, 60, len(p))), rng
    )
    return out


def synthetic_schools(
    n_counties: int,
    schools_per_county: int | tuple[int, int],
    seed: int = 0,
    one_through_share: float = 0.08,
    province: str | None = None,
) -> pd.DataFrame:
    """Realistic synthetic school rows for ``n_counties`` counties (deterministic for a seed).

    ``schools_per_county`` is a number of rows per county or an inclusive range drawn uniformly.
    ``one_through_share`` is the share of one-through schools (mostly 九年一贯制, a few 完全中学 and
    十二年一贯制), each given as one whole-school row. ``province`` (a 2-digit code such as "41")
    puts every county in that province; by default the counties are spread over the provinces in
    proportion to their real number of county-level divisions.
    """
    if n_counties < 1:
        raise ValueError("n_counties must be at least 1")
    if not 0 <= one_through_share <= 1:
        raise ValueError("one_through_share must be between 0 and 1")
    rng = np.random.default_rng(seed)
    if isinstance(schools_per_county, tuple):
        lo, hi = schools_per_county
        sizes = rng.integers(lo, hi + 1, n_counties)
    else:
        sizes = np.full(n_counties, int(schools_per_county))
    if sizes.min() < 1 or sizes.max() > 9999:
        raise ValueError("schools_per_county must be between 1 and 9999")

    counties = _county_codes(n_counties, province, rng)
    names = _Names(rng)
    county_names = [names.county(kind) for _, kind, _ in counties]
    n = int(sizes.sum())
    cid = np.repeat(np.arange(n_counties), sizes)

    one_through = rng.random(n) < one_through_share
    stype = np.empty(n, dtype=object)
    stype[~one_through] = np.array(_SINGLE_TYPES, dtype=object)[
        rng.choice(len(_SINGLE_TYPES), int((~one_through).sum()), p=_SINGLE_WEIGHTS / _SINGLE_WEIGHTS.sum())
    ]
    stype[one_through] = np.array(_ONE_THROUGH, dtype=object)[
        rng.choice(len(_ONE_THROUGH), int(one_through.sum()), p=_ONE_THROUGH_WEIGHTS)
    ]

    # Location: a district (区) is mostly urban, a county (县) mostly rural, each with its own mix.
    urban_share = np.array([{"区": 0.6, "市": 0.3, "县": 0.15}[k] for _, k, _ in counties])
    town_share = np.array([{"区": 0.25, "市": 0.35, "县": 0.35}[k] for _, k, _ in counties])
    urban_share = np.clip(urban_share + rng.normal(0, 0.05, n_counties), 0.05, 0.9)
    town_share = np.clip(town_share + rng.normal(0, 0.05, n_counties), 0.05, 0.95 - urban_share)
    u = rng.random(n)
    loc = np.where(u < urban_share[cid], 0, np.where(u < urban_share[cid] + town_share[cid], 1, 2))
    # Teaching points are rural; 完全中学, 十二年一贯制 and special schools sit in the county town.
    loc[stype == "teaching_point"] = 2
    town_types = np.isin(stype, ["complete_middle", "twelve_year", "special"])
    loc[town_types] = np.where(rng.random(int(town_types.sum())) < 0.75, 0, 1)

    private = (rng.random(n) < np.array([0.07, 0.03, 0.005])[loc]) & np.isin(stype, ["primary", "junior", "nine_year"])
    private |= (stype == "twelve_year") & (rng.random(n) < 0.5)
    return _generate(rng, counties, county_names, cid, stype, loc, private)


def _generate(
    rng: np.random.Generator,
    counties: list[tuple[str, str, str]],
    county_names: list[str],
    cid: np.ndarray,
    stype: np.ndarray,
    loc: np.ndarray,
    private: np.ndarray,
    students: dict[int, int] | None = None,
    places: tuple[list[str], list[str], list[str]] | None = None,
    effects: tuple[float, float] | None = None,
) -> pd.DataFrame:
    """The school rows, given each school's county, type, location (0 urban, 1 town, 2 rural), ownership.

    ``effects`` fixes (strength, spread) of every county instead of drawing them.
    """
    n = len(cid)
    n_counties = len(counties)
    # County-level effects: general strength, per-indicator strength, how unequal the county is.
    county_level = rng.normal(0.0, 0.07, n_counties)
    county_ind = rng.normal(0.0, 0.08, (n_counties, 7))
    county_spread = rng.lognormal(0.0, 0.3, n_counties)
    if effects is not None:
        county_level[:] = effects[0]
        county_ind[:] = 0.0
        county_spread[:] = effects[1]

    # Pupils by level.
    sp = np.zeros(n, dtype=np.int64)
    sj = np.zeros(n, dtype=np.int64)
    ss = np.zeros(n, dtype=np.int64)
    for t, parts in {
        "primary": (("primary", sp),),
        "teaching_point": (("teaching_point", sp),),
        "special": (("special", sp),),
        "junior": (("junior", sj),),
        "nine_year": (("np", sp), ("nj", sj)),
        "twelve_year": (("tp", sp), ("tj", sj), ("ts", ss)),
        "complete_middle": (("cj", sj), ("cs", ss)),
    }.items():
        m = stype == t
        for kind, target in parts:
            target[m] = _draw_students(np.full(int(m.sum()), kind, dtype=object), loc[m], rng)
    for i, value in (students or {}).items():
        sp[i] = value

    # Multiples of the thresholds: location median × county effects × school effect × noise.
    school_effect = rng.normal(0.0, 0.06, n)
    teaching_point = stype == "teaching_point"

    def factors() -> np.ndarray:
        noise = rng.normal(0.0, 1.0, (n, 7)) * _SPREAD * county_spread[cid, None]
        log_m = np.log(_MEDIAN[loc]) + county_level[cid, None] + county_ind[cid] + school_effect[:, None] + noise
        # Private schools: better equipped, fewer backbone teachers.
        log_m[private, 1] -= 0.35
        log_m[private, 5] += 0.15
        return np.exp(log_m)

    primary = _level_block("primary", sp, loc, factors(), rng, teaching_point)
    junior = _level_block("junior", sj, loc, factors(), rng, teaching_point)
    senior = _level_block("junior", ss, loc, factors() * 1.1, rng, teaching_point)

    whole = np.isin(stype, _ONE_THROUGH)
    data: dict[str, np.ndarray] = {}
    for key in TEACHER_FIELDS:
        data[key] = primary[key] + junior[key] + senior[key]
        data[f"{key}_primary"] = np.where(whole & (sp > 0), primary[key], -1)
        data[f"{key}_junior"] = np.where(whole, junior[key], -1)
    for key in ("teaching_aux_area_m2", "sports_area_m2", "equipment_value_yuan"):
        data[key] = primary[key] + junior[key] + senior[key]
    for key in ("multimedia_classrooms", "computers", "books"):
        data[key] = primary[key] + junior[key] + senior[key]
    gym = (loc < 2) & (rng.random(n) < np.where(loc == 0, 0.5, 0.25)) & ~teaching_point
    data["indoor_gym_area_m2"] = np.where(gym, data["teaching_aux_area_m2"] * rng.uniform(0.03, 0.09, n), 0.0)
    # Special schools: a small staff for few pupils.
    special = stype == "special"
    data["teachers"] = np.where(special, np.maximum(sp // 4, 3), data["teachers"])

    level = np.where(whole, "all", np.where(sj > 0, "junior", "primary")).astype(object)
    level[special] = "primary"  # special schools are entered by the level they mainly teach (as the census does)
    codes, school_names = _school_identity(counties, county_names, cid, stype, loc, private, rng, places)
    text = {
        "county_code": np.array([c[0] for c in counties], dtype=object)[cid],
        "county_name": np.array(county_names, dtype=object)[cid],
        "school_code": codes,
        "school_name": school_names,
        "school_type": stype,
        "level": level,
        "location": _LOCATIONS[loc],
        "ownership": np.where(private, "private", "public").astype(object),
    }
    data.update(
        {
            "students": sp + sj + ss,
            "students_primary": np.where(whole & (sp > 0), sp, -1),
            "students_junior": np.where(whole, sj, -1),
            "students_senior": np.where(whole & (ss > 0), ss, -1),
        }
    )
    columns: dict[str, object] = {}
    for c in COLUMNS:
        if c in text:
            columns[c] = text[c]
        elif c in _AREA_COLUMNS:
            columns[c] = np.round(data[c].astype(float), 2)
        else:
            values = data[c].astype(np.int64)
            columns[c] = pd.arrays.IntegerArray(np.maximum(values, 0), values < 0)
    return pd.DataFrame(columns)


def _school_identity(
    counties: list[tuple[str, str, str]],
    county_names: list[str],
    cid: np.ndarray,
    stype: np.ndarray,
    loc: np.ndarray,
    private: np.ndarray,
    rng: np.random.Generator,
    places: tuple[list[str], list[str], list[str]] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """10-digit school codes (2 + province + county number + serial) and Chinese names.

    ``places`` fixes the (subdistricts, towns, townships) of a single county; by default they are drawn.
    """
    n = len(cid)
    codes = np.empty(n, dtype=object)
    school_names = np.empty(n, dtype=object)
    county_serial: dict[str, int] = {}
    starts = np.flatnonzero(np.r_[True, cid[1:] != cid[:-1]])
    ends = np.r_[starts[1:], n]
    names = _Names(rng)
    for start, end in zip(starts, ends, strict=True):
        _, kind, prov = counties[cid[start]]
        county_serial[prov] = county_serial.get(prov, 0) + 1
        prefix = f"2{prov}{county_serial[prov]:03d}"
        stem = county_names[cid[start]]
        short = stem[:-1] if len(stem) > 2 else stem
        k = end - start
        taken: set[str] = set()
        n_sub = min(len(_SUBDISTRICTS), max(2, k // 25))
        subdistricts = [s + "街道" for s in _SUBDISTRICTS[:n_sub]]
        towns = ["城关镇", *names.places(max(3, k // 10), "镇", taken)] if kind != "区" else subdistricts[:]
        townships = names.places(max(2, k // 14), "乡", taken)
        if places is not None:
            subdistricts, towns, townships = places
        serial = {"primary": 0, "junior": 0, "complete_middle": 0}
        seen: set[str] = set()
        for i in range(start, end):
            t, li, priv = stype[i], loc[i], private[i]
            codes[i] = f"{prefix}{i - start + 1:04d}"
            for attempt in range(50):
                name = _school_name(t, li, priv, stem, short, subdistricts, towns, townships, serial, names, attempt)
                if name not in seen:
                    break
            campus = 2
            base = name
            while name in seen:  # a second campus (二校区) when the draws keep colliding
                name = f"{base}（{_cn_number(campus) if campus < 100 else campus}校区）"
                campus += 1
            seen.add(name)
            school_names[i] = name
    return codes, school_names


def _school_name(
    stype: str,
    loc: int,
    private: bool,
    county: str,
    short: str,
    subdistricts: list[str],
    towns: list[str],
    townships: list[str],
    serial: dict[str, int],
    names: _Names,
    attempt: int,
) -> str:
    rng = names.rng
    village = rng.choice(list(_PLACE_CHARS)) + rng.choice(list(_VILLAGE_SUFFIX))
    if private:
        brand = _PRIVATE_NAMES[int(rng.integers(len(_PRIVATE_NAMES)))]
        tail = {"primary": "小学", "junior": "中学", "nine_year": "学校", "twelve_year": "学校"}[stype]
        return f"{short}{brand}{tail}" if attempt == 0 else f"{short}{brand}{tail}{_cn_number(attempt + 1)}部"
    place_town = towns[int(rng.integers(len(towns)))]
    place_rural = townships[int(rng.integers(len(townships)))]
    if stype == "teaching_point":
        return f"{place_rural}{village}教学点"
    if stype == "special":
        if attempt == 0:
            return f"{county}特殊教育学校"
        return f"{county}培智学校" if attempt == 1 else f"{county}第{_cn_number(attempt)}特殊教育学校"
    if stype == "primary":
        if loc == 0:
            serial["primary"] += 1
            k = serial["primary"]
            if k == 1:
                return f"{county}实验小学"
            if k <= 30:
                return f"{county}第{_cn_number(k - 1)}小学"
            return f"{subdistricts[int(rng.integers(len(subdistricts)))]}{village}小学"
        if loc == 1:
            return f"{place_town}中心小学" if attempt == 0 and rng.random() < 0.4 else f"{place_town}{village}小学"
        return f"{place_rural}中心小学" if attempt == 0 and rng.random() < 0.3 else f"{place_rural}{village}小学"
    if stype in ("junior", "complete_middle"):
        if loc == 0:
            serial["junior"] += 1
            k = serial["junior"]
            if stype == "complete_middle" and attempt == 0:
                return f"{county}第一中学"
            if stype == "junior" and k == 1:
                return f"{county}实验中学"
            return f"{county}第{_cn_number(min(k, 99))}中学"
        place = place_town if loc == 1 else place_rural
        if attempt == 0:
            return f"{place}初级中学" if stype == "junior" else f"{place}中学"
        return f"{place}第{_cn_number(attempt + 1)}初级中学"
    if stype == "nine_year":
        if loc == 0:
            sub = subdistricts[int(rng.integers(len(subdistricts)))][:-2]
            return f"{county}{sub}学校" if attempt < 3 else f"{county}{sub}{village}学校"
        place = place_town if loc == 1 else place_rural
        return f"{place}九年一贯制学校" if attempt == 0 else f"{place}{village}九年一贯制学校"
    return f"{county}育才学校" if attempt == 0 else f"{county}{_cn_number(attempt + 1)}育才学校"


# The demo county: (type, location, private, count), in the order of the school list.
_DEMO_SCHOOLS = (
    ("primary", 0, False, 8),
    ("primary", 0, True, 1),
    ("junior", 0, False, 3),
    ("complete_middle", 0, False, 1),
    ("twelve_year", 0, False, 1),
    ("nine_year", 0, False, 1),
    ("special", 0, False, 2),
    ("primary", 1, False, 12),
    ("junior", 1, False, 5),
    ("nine_year", 1, False, 2),
    ("primary", 2, False, 16),
    ("junior", 2, False, 3),
    ("nine_year", 2, False, 2),
    ("teaching_point", 2, False, 3),
)
_DEMO_TEACHING_POINT_PUPILS = (18, 43, 57)
_DEMO_PLACES = (
    ["东关街道", "西关街道", "南关街道", "北关街道"],
    ["城关镇", "柳河镇", "石桥镇", "杨庄镇", "高集镇", "马店镇"],
    ["王岗乡", "李营乡", "白沟乡", "双庙乡"],
)


def demo_county(seed: int = 2025) -> pd.DataFrame:
    """One fictional county, 示范县 (code 130135, 河北省石家庄市), of 60 schools of every type.

    Deterministic for a seed. It holds urban, town and rural primary and junior schools (one
    private), nine-year and twelve-year schools and a 完全中学 as whole-school rows, two
    special-education schools (out of scope) and three teaching points of 18, 43 and 57 pupils (the
    first two are left out under the Hebei profile, ``load("national-2017", province="hebei")``).
    Whatever the seed, some schools fail: the largest urban primary school is short of sports
    ground (far below 85 % of the standard), the smallest rural primary school has no backbone
    teacher, the largest town junior school meets 6 of 7 indicators with the seventh above 85 %
    (it passes), and the county-seat junior schools are so much better equipped than the town and
    village ones that the junior equipment CV is high (with the default seed it exceeds 0.45
    although every junior school meets the equipment standard).
    """
    rng = np.random.default_rng(seed)
    spec = [(t, loc, priv) for t, loc, priv, k in _DEMO_SCHOOLS for _ in range(k)]
    stype = np.array([t for t, _, _ in spec], dtype=object)
    loc = np.array([x for _, x, _ in spec])
    private = np.array([p for _, _, p in spec])
    tp = np.flatnonzero(stype == "teaching_point")
    students = dict(zip(tp.tolist(), _DEMO_TEACHING_POINT_PUPILS, strict=True))
    frame = _generate(
        rng,
        [("130135", "县", "13")],
        ["示范县"],
        np.zeros(len(spec), dtype=int),
        stype,
        loc,
        private,
        students=students,
        places=_DEMO_PLACES,
        effects=(0.05, 0.8),
    )
    _demo_failures(frame, rng)
    return frame


def _demo_failures(frame: pd.DataFrame, rng: np.random.Generator) -> None:
    """Make the demo show the rules at work (see :func:`demo_county`)."""
    public = frame["ownership"] == "public"
    pupils = frame["students"].astype(float)

    def pick(mask: pd.Series, largest: bool) -> int:
        label = pupils[mask].idxmax() if largest else pupils[mask].idxmin()
        return int(cast("int", label))  # the frame's index is its row numbers

    def figure(row: int, key: str) -> float:
        return float(frame[key].astype(float)[row])

    # A crowded urban primary school: 3.4 m² of sports ground per pupil (standard 7.5).
    i = pick((frame["school_type"] == "primary") & (frame["location"] == "urban") & public, True)
    frame.loc[i, "sports_area_m2"] = round(float(pupils[i]) * 3.4, 2)
    # A small rural primary school without a county-level backbone teacher.
    i = pick((frame["school_type"] == "primary") & (frame["location"] == "rural"), False)
    frame.loc[i, "backbone_teachers"] = 0
    # A town junior school: 6 of 7 met; PE and art teachers at about 90 % of the standard.
    i = pick((frame["school_type"] == "junior") & (frame["location"] == "town"), True)
    p = float(pupils[i])
    needed = 0.9 * p / 100
    frame.loc[i, "pe_art_teachers"] = int(np.ceil(0.9 * needed))
    for key, bound, per in (
        ("teachers_above_qualification", 5.3, 100),
        ("backbone_teachers", 1.0, 100),
        ("multimedia_classrooms", 2.4, 100),
    ):
        frame.loc[i, key] = max(int(figure(i, key)), int(np.ceil(bound * p / per * 1.15)))
    for key, bound in (("teaching_aux_area_m2", 5.8), ("sports_area_m2", 10.2), ("equipment_value_yuan", 2500.0)):
        frame.loc[i, key] = max(figure(i, key), round(bound * p * 1.2, 2))
    frame.loc[i, "teachers"] = max(int(figure(i, "teachers")), int(figure(i, "teachers_above_qualification")) + 5)
    # Equipment: the county-seat junior schools hold 8,000–9,500 yuan per pupil, the town and village
    # junior schools just meet the standard (2,500): a high equipment CV with no school below it.
    junior = (frame["school_type"] == "junior").to_numpy()
    urban = (frame["location"] == "urban").to_numpy()
    for row in np.flatnonzero(junior):
        low, high = (8000, 9500) if urban[row] else (2550, 2900)
        frame.loc[row, "equipment_value_yuan"] = round(float(pupils[row]) * rng.uniform(low, high), 2)
