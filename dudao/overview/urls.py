"""Every overview page is addressed by unit, school year and standard."""

from django.urls import path  # noqa: F401

app_name = "overview"
urlpatterns: list = []
