from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "dudao.api"
    label = "dudao_api"
    # No verbose_name: nothing of this app is shown in the admin (tokens are managed by command).
