"""Django settings. Everything that differs between machines comes from the environment
(see ``.env.example``); SQLite is the default, ``DATABASE_URL`` switches to PostgreSQL."""

from __future__ import annotations

import secrets
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from dudao.env import env_bool, env_int, env_list, env_str, env_url
from dudao.ops.logs import logging_config
from dudao.sheets.limits import SETTINGS as FILE_LIMITS
from dudao.sheets.limits import Limits

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("DUDAO_DATA_DIR", str(BASE_DIR.parent / "var")))

DEBUG = env_bool("DJANGO_DEBUG", False)
# The key that signs sessions, CSRF tokens and the survey form's start time. The web application
# refuses to start without it unless DEBUG is on (dudao.security.startup, called by dudao.wsgi);
# commands that never sign (evaluate, template, migrate, seed_demo ...) run without it on a key of
# their own process that no one knows, never on a constant written in the source.
SECRET_KEY_GIVEN = bool(env_str("DJANGO_SECRET_KEY", ""))
SECRET_KEY = env_str("DJANGO_SECRET_KEY", "") or (
    "dudao-insecure-development-key-change-me" if DEBUG else secrets.token_urlsafe(50)
)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

# HTTPS (docs/security.md): DUDAO_HTTPS=true redirects to https, sends cookies only over https and
# sends HSTS; behind DUDAO_PROXY_COUNT trusted reverse proxies, X-Forwarded-Proto tells a request
# that came in over https, and X-Forwarded-For the client's address (dudao.security.addresses).
DUDAO_HTTPS = env_bool("DUDAO_HTTPS", False)
DUDAO_PROXY_COUNT = env_int("DUDAO_PROXY_COUNT", 0)
SECURE_SSL_REDIRECT = DUDAO_HTTPS
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = DUDAO_HTTPS
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 31_536_000 if DUDAO_HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if DUDAO_PROXY_COUNT else None
# The health check answers over plain http too: a monitor on the server asks gunicorn directly (docs/deploy.md).
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp): scripts, styles, images and fonts from this site only; no
# inline script or <style>, no plugins, no framing, forms post to this site. Images may be data: URLs (the
# QR codes, ECharts' saved images).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # Style attributes only (not <style> elements, never script): ECharts writes its tooltips as HTML
        # with style attributes; without this the tooltip's colour keys are blocked on every hover.
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "csp",
    "dudao.security",
    "dudao.orgs",
    "dudao.audit",
    "dudao.census",
    "dudao.evaluation",
    "dudao.overview",
    "dudao.notifications",
    "dudao.rectification",
    "dudao.surveys",
    "dudao.reports",
    "dudao.briefings",
    "dudao.evidence",
    "dudao.planning",
    "dudao.jobs",
    "dudao.api",
    "dudao.ops",
]

MIDDLEWARE = [
    "dudao.ops.logs.RequestIdMiddleware",  # first: every log line of the request carries its id
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",  # after the user is known: turns a lock-out into its answer
    # last: refuses an oversized body before any view (or the CSRF check) reads it; the others wrap its 413
    "dudao.uploads.RequestBodyLimitMiddleware",
    # then: a NUL anywhere in the path, query or form is refused (400) before PostgreSQL sees it (ADR 0021)
    "dudao.security.nul.RefuseNulMiddleware",
]

ROOT_URLCONF = "dudao.urls"
WSGI_APPLICATION = "dudao.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dudao.menus.menu",
            ],
            "builtins": ["dudao.tabletags"],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'dudao.sqlite3'}"),
        conn_max_age=60,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

# Login throttling and lock-outs (django-axes; dudao.security.throttle, docs/security.md).
AUTHENTICATION_BACKENDS = ["dudao.security.throttle.LoginBackend", "django.contrib.auth.backends.ModelBackend"]
DUDAO_LOGIN_FAILURE_LIMIT = env_int("DUDAO_LOGIN_FAILURE_LIMIT", 5, minimum=1)
DUDAO_LOGIN_ADDRESS_FAILURE_LIMIT = env_int("DUDAO_LOGIN_ADDRESS_FAILURE_LIMIT", 20, minimum=1)
DUDAO_LOGIN_COOLOFF_MINUTES = env_int("DUDAO_LOGIN_COOLOFF_MINUTES", 15, minimum=1)
AXES_HANDLER = "dudao.security.throttle.ThrottleHandler"
AXES_FAILURE_LIMIT = DUDAO_LOGIN_FAILURE_LIMIT
AXES_LOCKOUT_PARAMETERS = "dudao.security.throttle.lockout_parameters"
AXES_COOLOFF_TIME = "dudao.security.throttle.cool_off"
AXES_CLIENT_IP_CALLABLE = "dudao.security.addresses.axes_address"
AXES_LOCKOUT_CALLABLE = "dudao.security.throttle.locked_out"
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Uploaded evidence lives here and is served only through views that check access (no public MEDIA_URL).
MEDIA_ROOT = Path(env_str("DUDAO_MEDIA_ROOT", str(DATA_DIR / "media")))

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("DUDAO_STATIC_ROOT", str(DATA_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# WhiteNoise serves the static files from the application itself (collected or, in DEBUG, found on demand).
WHITENOISE_USE_FINDERS = DEBUG

# A new password (the change-password page, the admin) must be 8 characters or more, not a common
# password, not all digits and not like the user's name (Django's validators; messages in zh and en).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "dudao.passwords.MinimumLength", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Running a deployment (dudao.ops, docs/deploy.md): /healthz and `dudao status` report the disk as failing
# below this free space on the media root; DUDAO_LOG_FORMAT=json writes the log as JSON lines, each with
# the request's id; DUDAO_COMMIT (or DUDAO_COMMIT_FILE, which install.sh writes) names the code's commit
# where the code is not a git checkout; DUDAO_BACKUP_PASSPHRASE (or _FILE) encrypts `dudao backup --encrypt`.
DUDAO_HEALTH_MIN_FREE_BYTES = env_int("DUDAO_HEALTH_MIN_FREE_BYTES", 1024 * 1024 * 1024, minimum=0)
DUDAO_LOG_FORMAT = env_str("DUDAO_LOG_FORMAT", "text")
if DUDAO_LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured(f"DUDAO_LOG_FORMAT={DUDAO_LOG_FORMAT!r} is not text or json")
DUDAO_LOG_LEVEL = env_str("DUDAO_LOG_LEVEL", "INFO").upper()
LOGGING = logging_config(DUDAO_LOG_FORMAT, DUDAO_LOG_LEVEL)
DUDAO_COMMIT = env_str("DUDAO_COMMIT", "")
DUDAO_BACKUP_PASSPHRASE = env_str("DUDAO_BACKUP_PASSPHRASE", "")

# Which standards profile is evaluated when none is named.
DUDAO_DEFAULT_STANDARD = env_str("DUDAO_DEFAULT_STANDARD", "national-2017")
# The census: an override file for the plausibility rule table (dudao/standards/data/checks/census.yaml,
# merged rule by rule), and how long an uploaded census file waits for its confirmation after the preview.
DUDAO_CENSUS_CHECKS = env_str("DUDAO_CENSUS_CHECKS", "")
DUDAO_IMPORT_PREVIEW_MINUTES = env_int("DUDAO_IMPORT_PREVIEW_MINUTES", 60, minimum=1)
# The first tier (第一方阵) of a city's or province's ranking: a share ("1/3", "30%") or a count ("5").
DUDAO_FIRST_TIER = env_str("DUDAO_FIRST_TIER", "1/3")

# Rectification: the rules file (departments per indicator, deadlines, targets; default: the one in
# dudao/rectification/) and the e-mail that carries notifications (console unless configured).
DUDAO_RECTIFICATION_RULES = env_str("DUDAO_RECTIFICATION_RULES", "")
EMAIL_BACKEND = env_str("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(env_str("DJANGO_EMAIL_PORT", "25"))
EMAIL_HOST_USER = env_str("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", "dudao@localhost")
# Links in e-mails need the site's address, e.g. https://dudao.example.gov.cn
DUDAO_SITE_URL = env_str("DUDAO_SITE_URL", "http://127.0.0.1:8000")

# Background work (Celery, dudao/celery.py). With DUDAO_BROKER_URL (e.g. redis://127.0.0.1:6379/0) jobs
# go to the workers (`celery -A dudao worker`, the schedule by `celery -A dudao beat`); without it a job
# runs at once in the process that queues it, after the transaction commits (the demo needs no Redis).
CELERY_BROKER_URL = env_str("DUDAO_BROKER_URL", "") or "memory://"
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL == "memory://"
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_WORKER_HIJACK_ROOT_LOGGER = False  # the workers log like the web application (LOGGING, DUDAO_LOG_FORMAT)
# The sweep that brings every out-of-date result up to date (a job missed, data changed by hand).
CELERY_BEAT_SCHEDULE = {
    "evaluate-stale": {"task": "dudao.evaluation.jobs.refresh_stale", "schedule": 300.0},
    # What cron ran before (`dudao send_reminders` daily at DUDAO_REMINDER_HOUR local time, 8 by default;
    # `dudao deliver_notifications` every minute); the commands remain for a server without a broker.
    "task-reminders": {
        "task": "dudao.rectification.tasks.send_task_reminders",
        "schedule": crontab(hour=env_int("DUDAO_REMINDER_HOUR", 8, minimum=0), minute=0),
    },
    "deliver-notifications": {"task": "dudao.notifications.tasks.deliver_due_notifications", "schedule": 60.0},
}
# Background jobs (后台任务, dudao.jobs): retried on database and connection errors this many times, the
# first after this many seconds, then doubling.
DUDAO_JOB_RETRIES = env_int("DUDAO_JOB_RETRIES", 5, minimum=0)
DUDAO_JOB_RETRY_SECONDS = env_int("DUDAO_JOB_RETRY_SECONDS", 10, minimum=1)
# A confirmed census import of a file this large or larger runs as a background job (the preview and its
# checks stay in the request).
DUDAO_IMPORT_BACKGROUND_BYTES = env_int("DUDAO_IMPORT_BACKGROUND_BYTES", 2 * 1024 * 1024, minimum=0)

# Untrusted files (uploads, imports, a county's report template) are read within these bounds:
# DUDAO_UPLOAD_MAX_BYTES, DUDAO_UPLOAD_MAX_UNCOMPRESSED_BYTES, ... (dudao.sheets.limits; docs/adr/0010).
for _setting, _field in FILE_LIMITS.items():
    globals()[_setting] = env_int(_setting, getattr(Limits(), _field), minimum=1)
# A supporting document (佐证材料) stored as evidence, and a census file sent to the API's import (the national
# file goes through the command, with DUDAO_UPLOAD_MAX_BYTES raised for it).
DUDAO_EVIDENCE_MAX_BYTES = env_int("DUDAO_EVIDENCE_MAX_BYTES", 20 * 1024 * 1024, minimum=1)
DUDAO_IMPORT_MAX_BYTES = env_int("DUDAO_IMPORT_MAX_BYTES", globals()["DUDAO_UPLOAD_MAX_BYTES"], minimum=1)
# The self-evaluation report's template for counties that did not upload their own (default: the shipped one).
DUDAO_REPORT_TEMPLATE = env_str("DUDAO_REPORT_TEMPLATE", "")

# Notifications (dudao.notifications; docs/notifications.md). Besides the site and e-mail, each
# channel is offered once its address is set: an SMS gateway (JSON POST {"mobile", "text"}, optional
# bearer token), an enterprise-WeChat (企业微信) group robot, a DingTalk (钉钉) group robot (optional
# signing secret). The addresses carry access keys: they are secrets (use NAME_FILE) and never logged.
# Failed deliveries are retried by Celery beat every minute (CELERY_BEAT_SCHEDULE; without a broker by
# `dudao deliver_notifications` from cron) after RETRY_SECONDS × 2^(n-1), at most MAX_ATTEMPTS times.
# DEFAULT_CHANNELS: the channels a person receives every kind on until they choose otherwise.
DUDAO_SMS_WEBHOOK_URL = env_url("DUDAO_SMS_WEBHOOK_URL")
DUDAO_SMS_WEBHOOK_TOKEN = env_str("DUDAO_SMS_WEBHOOK_TOKEN", "")
DUDAO_WECOM_WEBHOOK_URL = env_url("DUDAO_WECOM_WEBHOOK_URL")
DUDAO_DINGTALK_WEBHOOK_URL = env_url("DUDAO_DINGTALK_WEBHOOK_URL")
DUDAO_DINGTALK_SECRET = env_str("DUDAO_DINGTALK_SECRET", "")
DUDAO_NOTIFY_DEFAULT_CHANNELS = env_list("DUDAO_NOTIFY_DEFAULT_CHANNELS", ["email"])
DUDAO_NOTIFY_TIMEOUT = env_int("DUDAO_NOTIFY_TIMEOUT", 5, minimum=1)
DUDAO_NOTIFY_MAX_ATTEMPTS = env_int("DUDAO_NOTIFY_MAX_ATTEMPTS", 6, minimum=1)
DUDAO_NOTIFY_RETRY_SECONDS = env_int("DUDAO_NOTIFY_RETRY_SECONDS", 60, minimum=1)
