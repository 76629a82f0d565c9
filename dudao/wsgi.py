"""The WSGI application. Loading the URL configuration (and with it every view module) and the
standards catalogues here, at start-up, spares the first requests of each server process that work."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dudao.settings")
application = get_wsgi_application()


def _check() -> None:
    from dudao.security.startup import require_secret_key

    require_secret_key()


_check()


def _warm_up() -> None:
    from django.urls import get_resolver

    from dudao.surveys.models import default_config, sample_tiers

    get_resolver().url_patterns  # noqa: B018 — imports the URL modules and the views
    default_config()
    sample_tiers()


_warm_up()
