from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RectificationConfig(AppConfig):
    name = "dudao.rectification"
    verbose_name = _("对标整改与部门任务")
