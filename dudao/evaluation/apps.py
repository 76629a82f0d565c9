from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "dudao.evaluation"
    verbose_name = _("督导评估")

    def ready(self) -> None:
        # The task queue's app (and with it the settings its jobs run by) before any job is queued.
        import dudao.celery  # noqa: F401

    def reset_demo(self, counties: Any) -> int:
        """``seed_demo --reset`` calls this on every app that has it, the last installed first."""
        from dudao.evaluation.demo import reset

        return reset(counties)
