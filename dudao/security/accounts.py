"""The account pages: log in, log out, change the password; resetting a forgotten password by
e-mail only where the site sends real mail (a feature that cannot work is not shown)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import forms, views
from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy as _

MAIL_BACKENDS_THAT_DELIVER = ("django.core.mail.backends.smtp.EmailBackend",)


class PasswordChangeForm(forms.PasswordChangeForm):
    """Django's form, refusing the current password as the new one."""

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data  # what Django's clean returns (its stub says it may be None)
        new = cleaned.get("new_password2")
        if new and self.user.check_password(new):
            self.add_error("new_password2", _("新密码不能与当前密码相同。"))
        return cleaned


def mail_delivers() -> bool:
    return settings.EMAIL_BACKEND in MAIL_BACKENDS_THAT_DELIVER


def urlpatterns() -> list[URLPattern]:
    patterns = [
        path("login/", views.LoginView.as_view(), name="login"),
        path("logout/", views.LogoutView.as_view(), name="logout"),
        path("password_change/", views.PasswordChangeView.as_view(form_class=PasswordChangeForm),
             name="password_change"),
        path("password_change/done/", views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    ]  # fmt: skip
    if mail_delivers():
        patterns += [
            path("password_reset/", views.PasswordResetView.as_view(), name="password_reset"),
            path("password_reset/done/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
            path("reset/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
            path("reset/done/", views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
        ]
    return patterns
