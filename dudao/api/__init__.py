"""The REST API (django-ninja), mounted at ``/api/v1/``: one router module per app, objects through the
doors of ``dudao.orgs.access`` and the apps' ``access`` modules (docs/adr/0025), every change through the
app's ``actions``. See ``dudao.api.api``."""
