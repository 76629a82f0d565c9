"""``dudao status``: the deployment's state — version and commit, database, pending migrations, queue and
the workers that answer, disk, uploaded files and the main counts. Exits 1 when a part is not well
(the same checks as ``/healthz``) or migrations are pending; ``--json`` prints it as one JSON object."""

from __future__ import annotations

import json
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from dudao.ops.state import State, gather

STATE_WORDS = {
    "ok": "正常", "in-process": "进程内执行（未配置 DUDAO_BROKER_URL）", "reachable": "可连接",
    "unreachable": "无法连接", "low": "空间不足", "unreadable": "无法读取",
}  # fmt: skip


def _size(count: int) -> str:
    value = float(count)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024:
            return f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TB"


def lines(state: State) -> list[str]:
    """The state as lines for people, each in Chinese and English."""
    checks = {check.name: check for check in state.checks}
    db, queue, disk = checks["database"], checks["queue"], checks["disk"]
    where = state.database
    place = f"{where['name']}" + (f" @ {where['host']}:{where['port'] or 5432}" if where["host"] else "")
    out = [
        f"dudao {state.version}" + (f" (commit {state.commit[:12]})" if state.commit else ""),
        f"数据库 database:        {STATE_WORDS[db.state]} / {db.state} — {where['engine']} {place}",
    ]
    if state.pending is not None:
        pending = ", ".join(state.pending[:5]) + (" …" if len(state.pending) > 5 else "")
        out.append(
            f"待执行迁移 migrations:  {len(state.pending)}" + (f" ({pending}) → dudao migrate" if pending else "")
        )
    out.append(f"任务队列 queue:         {STATE_WORDS[queue.state]} / {queue.state}")
    if state.workers is not None:
        out.append(
            f"工作进程 workers:       {len(state.workers)}"
            + (f" ({', '.join(state.workers)})" if state.workers else "")
        )
    free = disk.details.get("free_bytes")
    out.append(
        f"磁盘 disk:              {STATE_WORDS[disk.state]} / {disk.state} — "
        + (f"{_size(free)} 可用 free" if free is not None else "")
        + f"（下限 threshold {_size(disk.details['min_free_bytes'])}）at {settings.MEDIA_ROOT}"
    )
    out.append(f"上传文件 media:         {state.media[0]} 个 files, {_size(state.media[1])}")
    if state.counts:
        out.append("数量 counts:            " + ", ".join(f"{name} {value}" for name, value in state.counts.items()))
    out.append("状态 state:             " + ("正常 / ok" if state.ok else "异常 / not well"))
    return out


class Command(BaseCommand):
    help = "显示部署状态 / print the deployment's state"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="输出 JSON / print JSON")

    def handle(self, *args: Any, **opts: Any) -> None:
        state = gather()
        if opts["json"]:
            self.stdout.write(json.dumps(state.as_json(), ensure_ascii=False, indent=1))
        else:
            self.stdout.write("\n".join(lines(state)))
        if not state.ok:
            sys.exit(1)
