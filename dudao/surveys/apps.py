from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "dudao.surveys"
    verbose_name = _("社会认可度调查")
