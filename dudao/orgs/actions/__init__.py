"""Every change of the organisation: the region tree, departments, the school register and accounts
(docs/adr/0014, 0015).

Each action takes its actor first (a person, checked through ``dudao.orgs.access``, or the system:
docs/adr/0008), validates everything before writing, writes inside one transaction and records one
:class:`~dudao.audit.models.AuditEvent` per change (who, what, the object, the region whose people may
read it, why, and old/new values in ``data``). A refusal is :class:`OrgsError` (a stable code, Chinese
and English) or ``PermissionDenied``; then nothing is written and no event is recorded.

One module per topic: :mod:`.regions`, :mod:`.departments`, :mod:`.schools`, :mod:`.accounts`.
"""

from dudao.orgs.actions.accounts import (
    activate_account,
    create_account,
    create_admin,
    deactivate_account,
    grant_role,
    reset_password,
    revoke_role,
    set_first_password,
    update_account,
)
from dudao.orgs.actions.common import OrgsError
from dudao.orgs.actions.departments import change_department, create_department
from dudao.orgs.actions.regions import close_region, create_region, move_region, rename_region
from dudao.orgs.actions.schools import change_school, close_school, merge_school, open_school

__all__ = [
    "OrgsError",
    "activate_account",
    "change_department",
    "change_school",
    "close_region",
    "close_school",
    "create_account",
    "create_admin",
    "create_department",
    "create_region",
    "deactivate_account",
    "grant_role",
    "merge_school",
    "move_region",
    "open_school",
    "rename_region",
    "reset_password",
    "revoke_role",
    "set_first_password",
    "update_account",
]
