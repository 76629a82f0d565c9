from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "dudao.reports"
    verbose_name = _("自查自评与迎检")
