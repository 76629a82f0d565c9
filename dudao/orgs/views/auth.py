"""Logging in with a temporary password (docs/adr/0015).

An account whose password an administrator set (a new account, a reset) carries
``Account.must_change_password``. Its login is not completed: the login page keeps only "this browser
proved the temporary password" in the session (for 15 minutes, and only while that password is
unchanged) and sends the person to choose their own password; they are logged in once they have. So
nobody works under a password an administrator has seen, and no page needs to check for it.
"""

from __future__ import annotations

import time

from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm, SetPasswordForm
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from dudao.orgs.actions import set_first_password
from dudao.orgs.models import Account
from dudao.parsing import local_path

PENDING = "dudao_first_password"
PENDING_SECONDS = 15 * 60


def _fingerprint(user: User) -> str:
    """Changes when the password does: a pending change ends when the password is reset again."""
    return salted_hmac("dudao.first-password", user.password).hexdigest()


def must_change_password(user: User) -> bool:
    return Account.objects.filter(user=user, must_change_password=True).exists()


class LoginView(auth_views.LoginView):
    """Django's login, except for an account holding a temporary password (see the module doc)."""

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        user = form.get_user()
        if must_change_password(user):
            self.request.session[PENDING] = {
                "user": user.pk,
                "fingerprint": _fingerprint(user),
                "at": int(time.time()),
                "next": self.get_redirect_url(),
                "backend": getattr(user, "backend", ""),
            }
            return redirect("first_password")
        return super().form_valid(form)


def first_password(request: HttpRequest) -> HttpResponse:
    pending = request.session.get(PENDING) or {}
    user = User.objects.filter(pk=pending.get("user") or 0, is_active=True).first() if pending else None
    fresh = bool(pending) and time.time() - pending.get("at", 0) < PENDING_SECONDS
    if user is None or not fresh or not constant_time_compare(pending.get("fingerprint", ""), _fingerprint(user)):
        request.session.pop(PENDING, None)
        messages.error(request, _("请先用临时密码登录。"))
        return redirect("login")
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        password = form.cleaned_data["new_password1"]
        if user.check_password(password):
            form.add_error("new_password1", _("新密码不能与临时密码相同。"))
        else:
            set_first_password(user, password)
            request.session.pop(PENDING, None)
            auth_login(request, user, backend=pending.get("backend") or "django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("密码已设置，欢迎使用。"))
            target = local_path(request, pending.get("next"))
            if target:
                return redirect(target)
            return redirect("home")
    return render(request, "orgs/first_password.html", {"form": form, "pending_user": user})
