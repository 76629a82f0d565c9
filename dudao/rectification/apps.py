from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RectificationConfig(AppConfig):
    name = "dudao.rectification"
    verbose_name = _("对标整改与部门任务")

    def reset_demo(self, counties: Any) -> int:
        """``seed_demo --reset`` calls this on every app that has it, the last installed first."""
        from dudao.rectification.demo import reset

        return sum(reset(county) for county in counties)
