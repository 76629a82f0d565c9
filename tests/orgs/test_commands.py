"""The set-up commands, from an empty database to a county with towns, schools and clerks (the README's
"用于本县 / Start your own county"), and their exit codes."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.core.management import ManagementUtility, call_command
from django.core.management.base import CommandError

from dudao.orgs.access import may_grant
from dudao.orgs.models import Membership, Region, SchoolYear
from tests.orgs.conftest import sheet, table_counts

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue()


def shell(monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    """The command as from the shell: its exit code (the test's database connection kept open)."""
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)
    try:
        ManagementUtility(["dudao", *args]).execute()
    except SystemExit as exit_info:
        return int(exit_info.code or 0)
    return 0


def test_from_an_empty_database_to_a_county_with_towns_schools_and_clerks(tmp_path: Path) -> None:
    password, err = run("create_admin", "--province", "13", "--name", "河北省", "--username", "hebei-admin")
    assert "已登记区域 河北省（13）" in err and len(password) == 12
    assert authenticate(username="hebei-admin", password=password) is not None
    run("create_admin", "--city", "1301", "--name", "示范市", "--username", "shi-admin")
    county_password, _ = run("create_admin", "--county", "130135", "--name", "示范县", "--username", "xian-admin")
    county = Region.objects.get(code="130135")
    assert (county.level, county.path) == ("county", "/13/1301/130135/")
    admin = User.objects.get(username="xian-admin")
    assert Membership.objects.get(user=admin).role == "region_admin"
    for code, name in (("130135100", "城关镇"), ("130135101", "柳河镇")):
        run("add_region", code, name, "--parent", "130135")
    template = tmp_path / "学校名录模板.xlsx"
    run("import_register", str(template), "--template")
    assert template.stat().st_size > 0
    register = sheet(
        tmp_path / "学校名录.xlsx",
        ["学校标识码", "学校名称", "学校类型", "乡镇（街道）", "城乡类型"],
        [
            ["1301350001", "示范县第一小学", "小学", "城关镇", "城区"],
            ["1301350002", "柳河镇中心小学", "小学", "柳河镇", "乡村"],
        ],
    )
    out, _ = run("import_register", str(register), "--county", "130135", "--year", "2025", "--dry-run")
    assert "试运行" in out and SchoolYear.objects.count() == 0
    out, _ = run("import_register", str(register), "--county", "130135", "--year", "2025")
    assert "新开办 2 所" in out and SchoolYear.objects.filter(year=2025).count() == 2
    accounts = sheet(
        tmp_path / "账号.xlsx",
        ["用户名", "姓名", "角色", "单位"],
        [
            ["chengguan", "城关镇填报员", "学校填报员", "1301350001"],
            ["liuhe", "柳河镇填报员", "学校填报员", "1301350002"],
        ],
    )
    out, err = run("import_accounts", str(accounts))
    lines = dict(line.split("\t") for line in out.splitlines())
    assert set(lines) == {"chengguan", "liuhe"} and "新建账号 2 个" in err
    assert authenticate(username="liuhe", password=lines["liuhe"]) is not None
    # The county's administrator manages what was set up.
    assert may_grant(admin, "school_clerk", Region.objects.get(code="130135"))
    assert county_password


def test_a_county_starting_alone_needs_one_command() -> None:
    """The county's missing city and province are registered by name, without administrators of their own."""
    password, err = run("create_admin", "--county", "130135", "--name", "示范县", "--username", "xian-admin",
                        "--city-name", "示范市", "--province-name", "河北省")  # fmt: skip
    assert [line.split("/")[0] for line in err.splitlines()[:3]] == [
        "已登记区域 河北省（13）", "已登记区域 示范市（1301）", "已登记区域 示范县（130135）",
    ]  # fmt: skip
    assert Region.objects.get(code="130135").path == "/13/1301/130135/"
    assert Region.objects.get(code="1301").level == "city" and Region.objects.get(code="13").level == "province"
    assert [m.region.code for m in Membership.objects.select_related("region")] == ["130135"]
    assert authenticate(username="xian-admin", password=password) is not None
    # a second county of the same city: the names are not needed (and not used) any more
    run("create_admin", "--county", "130136", "--name", "示范区", "--username", "qu-admin", "--city-name", "别的名字")
    assert Region.objects.get(code="1301").name == "示范市" and Region.objects.count() == 4


def test_create_admin_refuses_what_it_cannot_do() -> None:
    with pytest.raises(CommandError, match="尚未登记"):
        run("create_admin", "--province", "13", "--username", "a")  # no name for a new region
    with pytest.raises(CommandError, match="上级区域 1301 尚未登记"):
        run("create_admin", "--county", "130135", "--name", "示范县", "--username", "a")
    run("create_admin", "--province", "13", "--name", "河北省", "--username", "a")
    with pytest.raises(CommandError, match="已被使用"):
        run("create_admin", "--province", "13", "--username", "a")
    with pytest.raises(CommandError, match="不是市"):
        run("create_admin", "--city", "13", "--username", "b")
    assert User.objects.count() == 1


def test_the_import_commands_exit_non_zero_on_any_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    run("create_admin", "--province", "13", "--name", "河北省", "--username", "p")
    run("create_admin", "--city", "1301", "--name", "示范市", "--username", "c")
    run("create_admin", "--county", "130135", "--name", "示范县", "--username", "x")
    bad = sheet(tmp_path / "bad.xlsx", ["学校标识码", "学校名称", "学校类型"], [["1301350001", "一小", "大学"]])
    before = table_counts()
    assert shell(monkeypatch, "import_register", str(bad), "--county", "130135", "--year", "2025") == 1
    err = capsys.readouterr().err
    assert "[unknown_value]" in err and "1 处错误，未导入任何数据" in err
    assert shell(monkeypatch, "import_register", str(bad), "--county", "999999") == 1
    assert shell(monkeypatch, "import_register", str(bad)) == 1  # no county
    accounts = sheet(tmp_path / "a.xlsx", ["用户名", "姓名", "角色", "单位"], [["z", "z", "学校填报员", "404"]])
    assert shell(monkeypatch, "import_accounts", str(accounts), "--lang", "en") == 1
    assert "[unknown_unit]" in capsys.readouterr().err
    assert shell(monkeypatch, "import_accounts", str(tmp_path / "missing.xlsx")) == 1
    assert table_counts() == before
    good = sheet(tmp_path / "good.xlsx", ["学校标识码", "学校名称", "学校类型"], [["1301350001", "一小", "小学"]])
    assert shell(monkeypatch, "import_register", str(good), "--county", "130135", "--dry-run") == 0
