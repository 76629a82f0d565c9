from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core import checks
from django.utils.translation import gettext_lazy as _


def check_default_channels(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """A misspelt DUDAO_NOTIFY_DEFAULT_CHANNELS stops `dudao check`/`runserver`/`migrate`."""
    from dudao.notifications.models import Channel

    unknown = [name for name in settings.DUDAO_NOTIFY_DEFAULT_CHANNELS if name not in Channel.values]
    if unknown:
        return [
            checks.Error(
                f"DUDAO_NOTIFY_DEFAULT_CHANNELS names unknown channels {unknown} (use {', '.join(Channel.values)})",
                id="dudao.E101",
            )
        ]
    return []


class NotificationsConfig(AppConfig):
    name = "dudao.notifications"
    verbose_name = _("通知")

    def ready(self) -> None:
        checks.register(check_default_channels)
