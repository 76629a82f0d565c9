"""The README's "In a notebook" example runs as written, in a plain Python without Django, on the demo
county's school table."""

from __future__ import annotations

import re
import subprocess
import sys
from io import StringIO
from pathlib import Path

from django.core.management import call_command

README = Path(__file__).parents[2] / "README.md"


def notebook_snippet() -> str:
    section = README.read_text(encoding="utf-8").split("## In a notebook", 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match, "the README has no Python example under 'In a notebook'"
    return match.group(1)


def test_the_readme_notebook_example_runs(tmp_path: Path, db: None) -> None:  # demo_county reads stored items
    call_command("demo_county", str(tmp_path / "schools.xlsx"), stdout=StringIO())
    code = notebook_snippet()
    assert 'read_school_table("schools.xlsx")' in code
    # Every line runs; the last expression's value (the JSON) is printed so it can be checked.
    lines = code.rstrip("\n").split("\n")
    script = "\n".join([*lines[:-1], f"print({lines[-1].split('#')[0].strip()})"])
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(README.parent)}  # no DJANGO_SETTINGS_MODULE
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert '"standard": {' in done.stdout and '"county": {' in done.stdout and '"130135"' in done.stdout
