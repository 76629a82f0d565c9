from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BriefingsConfig(AppConfig):
    name = "dudao.briefings"
    verbose_name = _("工作简报")

    def reset_demo(self, counties: Any) -> int:
        """``seed_demo --reset``: the demo counties' briefings go before their regions."""
        from dudao.briefings.models import Briefing, BriefingCall

        deleted = Briefing.objects.filter(county__in=counties).delete()[0]
        cities = {c.parent_id for c in counties}
        return deleted + BriefingCall.objects.filter(city_id__in=cities).delete()[0]
