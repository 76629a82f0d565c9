"""The REST API (django-ninja), mounted at ``/api/v1/``: one router module per app, access through
``dudao.orgs.access``, every change through the app's ``actions``. See ``dudao.api.api``."""
