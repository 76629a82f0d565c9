from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "dudao.reports"
    verbose_name = _("自查自评与迎检")

    def reset_demo(self, counties: Any) -> int:
        """``seed_demo --reset``: the demo counties' templates, draws and findings go before their runs and items."""
        from dudao.reports.models import Finding, ReportTemplate, SampledSchool, SamplingDraw

        templates = ReportTemplate.objects.filter(county__in=counties)
        for template in templates:
            template.file.delete(save=False)
        deleted = templates.delete()[0]
        deleted += Finding.objects.filter(sampled__draw__county__in=counties).delete()[0]
        deleted += SampledSchool.objects.filter(draw__county__in=counties).delete()[0]
        return deleted + SamplingDraw.objects.filter(county__in=counties).delete()[0]
