"""The doors' modules import in one direction (docs/adr/0025-one-door-per-object.md): the core,
``dudao/orgs/access.py``, imports no other app; each app's ``access.py`` imports the core and its own app
only (with the pure standards for reports). The evidence app is a catalogue of the files other apps store
(a county item's, a task's, a visit's or a practical matter's): its door reads those files' models to find
their county; those apps import from it only the file checks and storage (``dudao.evidence.files``). An
import the other way round is how the old cycle began."""

from __future__ import annotations

import ast
from pathlib import Path

import dudao

ROOT = Path(dudao.__file__).parent
ALLOWED = {
    "reports": {"dudao.standards"},
    "evidence": {"dudao.standards", "dudao.evaluation.models", "dudao.rectification.models"},
}


def _dudao_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("dudao"):
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("dudao")}
    return found


def test_the_core_imports_no_other_app() -> None:
    assert {m for m in _dudao_imports(ROOT / "orgs" / "access.py") if not m.startswith("dudao.orgs.")} == set()


def test_each_apps_doors_import_the_core_and_their_own_app_only() -> None:
    modules = sorted(ROOT.glob("*/access.py"))
    assert {m.parent.name for m in modules} >= {"orgs", "census", "evaluation", "rectification", "surveys", "reports"}
    for module in modules:
        app = module.parent.name
        if app == "orgs":
            continue
        allowed = {"dudao.orgs.access", "dudao.orgs.models", *ALLOWED.get(app, ())}
        stray = {m for m in _dudao_imports(module) if m not in allowed and not m.startswith(f"dudao.{app}.")}
        assert not stray, f"dudao/{app}/access.py imports {sorted(stray)}"
