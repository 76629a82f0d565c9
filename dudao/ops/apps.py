from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Running a deployment: the health check, request ids and structured logs, the state command,
    backups and restores (docs/deploy.md)."""

    name = "dudao.ops"
    label = "ops"
    verbose_name = _("运行维护")
