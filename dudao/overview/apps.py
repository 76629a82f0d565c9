from typing import Any

from django.apps import AppConfig
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _


def check_first_tier(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """A wrong DUDAO_FIRST_TIER stops `dudao check`/`runserver`/`migrate`, not a city's page later."""
    from dudao.overview.regions import tier_rule

    try:
        tier_rule()
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="dudao.E001")]
    return []


class OverviewConfig(AppConfig):
    name = "dudao.overview"
    verbose_name = _("总览")

    def ready(self) -> None:
        checks.register(check_first_tier)
