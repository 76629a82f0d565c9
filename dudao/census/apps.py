from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CensusConfig(AppConfig):
    name = "dudao.census"
    verbose_name = _("学校年度统计")
