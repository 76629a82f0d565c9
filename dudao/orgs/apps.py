from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "dudao.orgs"
    verbose_name = _("组织与学校")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from dudao.orgs.signals import remember_administration

        user_logged_in.connect(remember_administration, dispatch_uid="dudao.orgs.administers")
