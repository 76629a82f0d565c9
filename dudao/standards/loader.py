"""Load, merge and validate standards catalogues.

A provincial profile (``data/provinces/<name>.yaml``) and an optional override file change a
national catalogue by deep merge: mappings merge key by key, lists of entries that carry a
``code`` merge entry by entry (so ``indicators: [{code: L4, numerator: ...}]`` changes only L4),
any other value is replaced. The merged result is validated as a whole.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from dudao.standards.schema import Sourced, Standard

DATA_DIR = Path(__file__).resolve().parent / "data"
PROVINCE_DIR = DATA_DIR / "provinces"
# The names a standard or a province may have (they come from URLs and forms): letters, digits, "-", "_".
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")


class StandardError(ValueError):
    """A catalogue, profile or override that cannot be used, with a message naming the file."""


def available_standards() -> list[str]:
    return sorted(p.stem for p in DATA_DIR.glob("*.yaml"))


def available_provinces() -> list[str]:
    return sorted(p.stem for p in PROVINCE_DIR.glob("*.yaml"))


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise StandardError(f"{path}: cannot be read / 无法读取: {exc}") from exc
    except yaml.YAMLError as exc:
        raise StandardError(f"{path}: not valid YAML / YAML 格式错误: {exc}") from exc
    if not isinstance(data, dict):
        raise StandardError(f"{path}: expected a mapping at the top / 顶层应为映射")
    return data


def merge(base: Any, override: Any) -> Any:
    """Deep merge ``override`` into a copy of ``base`` (see the module docstring)."""
    if isinstance(base, dict) and isinstance(override, dict):
        out = dict(base)
        for key, value in override.items():
            out[key] = merge(base[key], value) if key in base else copy.deepcopy(value)
        return out
    if (
        isinstance(base, list)
        and isinstance(override, list)
        and all(isinstance(x, dict) and "code" in x for x in base + override)
    ):
        out_list = [dict(x) for x in base]
        index = {x["code"]: i for i, x in enumerate(out_list)}
        for entry in override:
            if entry["code"] in index:
                out_list[index[entry["code"]]] = merge(out_list[index[entry["code"]]], entry)
            else:
                out_list.append(copy.deepcopy(entry))
        return out_list
    return copy.deepcopy(override)


def validation_text(exc: ValidationError) -> str:
    """Each of pydantic's errors as ``path: message``, joined by "; "."""
    return "; ".join(f"{'.'.join(str(p) for p in err['loc']) or '(top)'}: {err['msg']}" for err in exc.errors())


def _validate(data: dict[str, Any], where: str) -> Standard:
    try:
        return Standard.model_validate(data)
    except ValidationError as exc:
        raise StandardError(f"{where}: invalid standard / 标准配置无效: {validation_text(exc)}") from exc


def _named(name: str) -> bool:
    """A name that can be a file of the catalogue: no path, no NUL, not longer than a file name may be."""
    return bool(_NAME.fullmatch(name))


@cache
def _national(standard_id: str) -> dict[str, Any]:
    path = DATA_DIR / f"{standard_id}.yaml"
    if not _named(standard_id) or not path.exists():
        raise StandardError(
            f"unknown standard {standard_id!r} / 未知标准; available / 可用: {', '.join(available_standards())}"
        )
    return _read_yaml(path)


def load(standard_id: str, province: str | None = None, override: Path | None = None) -> Standard:
    """The standard ``standard_id`` with the provincial profile and override file applied."""
    data = copy.deepcopy(_national(standard_id))
    where = f"{standard_id}.yaml"
    if province:
        path = PROVINCE_DIR / f"{province}.yaml"
        if not _named(province) or not path.exists():
            raise StandardError(
                f"unknown province profile {province!r} / 未知省级配置; "
                f"available / 可用: {', '.join(available_provinces())}"
            )
        profile = _read_yaml(path)
        changes = profile.get("standards", {}).get(standard_id)
        if changes is None:
            raise StandardError(
                f"province profile {province!r} has no rules for {standard_id!r} / 该省级配置不含此标准"
            )
        data = merge(data, changes)
        data["sources"] = {**data.get("sources", {}), **profile.get("sources", {})}
        data["province"] = profile["province"]["name_zh"]
        data["version"] = f"{data['version']}+{province}-{profile.get('version', '1')}"
        where += f" + provinces/{province}.yaml"
    if override is not None:
        changes = _read_yaml(Path(override))
        changes.pop("id", None)
        data = merge(data, changes)
        data["version"] = f"{data['version']}+override"
        where += f" + {override}"
    return _validate(data, where)


@dataclass(frozen=True)
class Unconfirmed:
    """A value tagged ``memory`` (unconfirmed): a setting the result rests on."""

    path: str
    name_zh: str
    name_en: str
    value: Any  # None for an item whose existence, not a figure, is unconfirmed
    note: str | None
    source: tuple[str, ...] = ()  # keys of ``Standard.sources``: where the value was read


def unconfirmed_values(standard: Standard) -> list[Unconfirmed]:
    """Every value tagged ``memory`` in ``standard``, with where it sits and what it is called."""
    return list(_walk_unconfirmed(standard, standard.id, ("", "")))


def _walk_unconfirmed(node: Any, path: str, names: tuple[str, str]) -> Iterator[Unconfirmed]:
    if isinstance(node, BaseModel):
        names = (getattr(node, "name_zh", None) or names[0], getattr(node, "name_en", None) or names[1])
    if isinstance(node, Sourced):
        if node.confirmation == "memory":
            yield _sourced(node, path, names)
        return
    if isinstance(node, BaseModel) and getattr(node, "confirmation", None) == "memory":
        threshold = getattr(node, "threshold", None)
        value = threshold.value if threshold is not None else None
        source = tuple(getattr(node, "source", None) or ())
        yield Unconfirmed(path, names[0], names[1], value, getattr(node, "note", None), source)
        return
    yield from _walk_children(node, path, names)


def _sourced(node: Sourced, path: str, names: tuple[str, str]) -> Unconfirmed:
    """An unconfirmed value, named after what holds it (or by its note when nothing named holds it)."""
    if path.endswith(".all_must_pass"):
        names = (f"{names[0]}：所有条目均须达标", f"{names[1]}: every item must be met")
    elif not names[0] and node.note:
        names = (node.note, path.rsplit(".", 1)[-1].replace("_", " "))
    return Unconfirmed(path, names[0], names[1], node.value, node.note, tuple(node.source))


def _walk_children(node: Any, path: str, names: tuple[str, str]) -> Iterator[Unconfirmed]:
    """The fields of a model, the values of a mapping, the entries of a list (each named by its code)."""
    if isinstance(node, BaseModel):
        for name in type(node).model_fields:
            if name == "survey_sample":  # the survey's defaults, not a rule an evaluation rests on
                continue
            child = getattr(node, name)
            label = getattr(child, "code", None)
            yield from _walk_unconfirmed(child, f"{path}.{label or name}", names)
    elif isinstance(node, dict):
        for key, child in node.items():
            yield from _walk_unconfirmed(child, f"{path}.{key}", names)
    elif isinstance(node, list):
        for child in node:
            label = getattr(child, "code", None)
            yield from _walk_unconfirmed(child, f"{path}.{label}" if label else path, names)
