"""The rectification rules as data (``rules.yaml`` beside this module, or the file named by
``settings.DUDAO_RECTIFICATION_RULES``): which departments answer for which indicator, deadlines,
target wording, when a task is at risk, reminder and 办实事 targets — with per-county overrides.

Nothing here is a Python constant a county would want to change: edit the YAML.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol, TypeVar

import yaml
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

DEFAULT_PATH = Path(__file__).with_name("rules.yaml")


@dataclass(frozen=True)
class IndicatorRule:
    departments: tuple[str, ...]
    deadline_days: int
    target_zh: str
    target_en: str


@dataclass(frozen=True)
class Rules:
    """The rules in force for one county."""

    data: dict[str, Any]

    @property
    def defaults(self) -> dict[str, Any]:
        return self.data["defaults"]

    def indicator(self, code: str) -> IndicatorRule:
        spec = {**self.data.get("indicators", {}).get(code, {})}
        return IndicatorRule(
            departments=tuple(spec.get("departments") or self.defaults["departments"]),
            deadline_days=int(spec.get("deadline_days", self.defaults["deadline_days"])),
            target_zh=spec.get("target_zh", "{school}：" + code + " 补足差距 {gap}"),
            target_en=spec.get("target_en", "{school}: close the " + code + " gap of {gap}"),
        )

    @property
    def cv(self) -> dict[str, str]:
        return self.data["cv"]

    @property
    def at_risk_days(self) -> int:
        return int(self.defaults["at_risk"]["days"])

    @property
    def at_risk_percent(self) -> int:
        return int(self.defaults["at_risk"]["percent_below"])

    @property
    def remind_days(self) -> int:
        return int(self.defaults["remind_days"])

    @property
    def practical_matters(self) -> tuple[int, int]:
        spec = self.defaults["practical_matters_per_year"]
        return int(spec["min"]), int(spec["max"])


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _check(data: Any, path: Path) -> dict[str, Any]:
    if not isinstance(data, dict) or not isinstance(data.get("defaults"), dict) or "cv" not in data:
        raise ImproperlyConfigured(f"{path}: rectification rules need `defaults` and `cv` sections")
    for key in ("deadline_days", "departments", "at_risk", "remind_days", "practical_matters_per_year"):
        if key not in data["defaults"]:
            raise ImproperlyConfigured(f"{path}: defaults.{key} is missing")
    for code, spec in (data.get("indicators") or {}).items():
        if not isinstance(spec, dict) or not isinstance(spec.get("departments", []), list):
            raise ImproperlyConfigured(f"{path}: indicators.{code}.departments must be a list")
    return data


@lru_cache(maxsize=4)
def _load(path: str) -> dict[str, Any]:
    file = Path(path)
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ImproperlyConfigured(f"cannot read the rectification rules {file}: {exc}") from exc
    return _check(data, file)


def rules_for(county_code: str) -> Rules:
    """The rules for ``county_code``: the defaults with that county's overrides applied."""
    data = _load(str(settings.DUDAO_RECTIFICATION_RULES or DEFAULT_PATH))
    own = (data.get("counties") or {}).get(county_code) or {}
    return Rules(_merge({k: v for k, v in data.items() if k != "counties"}, own))


class _Unit(Protocol):
    """What a rule entry is matched against: a department's kind and name."""

    @property
    def kind(self) -> str: ...

    @property
    def name(self) -> str: ...


_U = TypeVar("_U", bound=_Unit)


def pick_departments(entries: Sequence[str], departments: Iterable[_U]) -> list[_U]:
    """The county's departments that ``entries`` name, in the entries' order, each once.
    ``"hr"`` takes every department of that kind; ``"education_section:人事科"`` only those whose
    name contains 人事科."""
    units = list(departments)
    out: list[_U] = []
    for entry in entries:
        kind, _, part = entry.partition(":")
        for unit in units:
            if unit.kind == kind and part in unit.name and unit not in out:
                out.append(unit)
    return out
