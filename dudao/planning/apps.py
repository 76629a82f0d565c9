from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlanningConfig(AppConfig):
    name = "dudao.planning"
    verbose_name = _("规划测算")

    def reset_demo(self, counties: Any) -> int:
        """Delete the demo counties' planning inputs and their audit events (``dudao seed_demo --reset``)."""
        from dudao.planning.demo import reset

        return reset(counties)
