"""Django settings. Everything that differs between machines comes from the environment
(see ``.env.example``); SQLite is the default, ``DATABASE_URL`` switches to PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from dudao.env import env_bool, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("DUDAO_DATA_DIR", str(BASE_DIR.parent / "var")))

DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = env_str("DJANGO_SECRET_KEY", "dudao-insecure-development-key-change-me" if DEBUG else "")
if not SECRET_KEY:
    # Commands that never sign anything (evaluate, template, migrate) still work without a key;
    # a deployment must set DJANGO_SECRET_KEY or DJANGO_SECRET_KEY_FILE.
    SECRET_KEY = "dudao-unset-secret-key"
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "dudao.orgs",
    "dudao.audit",
    "dudao.census",
    "dudao.evaluation",
    "dudao.overview",
    "dudao.rectification",
    "dudao.surveys",
    "dudao.reports",
    "dudao.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Uploaded evidence lives here and is served only through views that check access (no public MEDIA_URL).
MEDIA_ROOT = Path(env_str("DUDAO_MEDIA_ROOT", str(DATA_DIR / "media")))

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
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

# Which standards profile is evaluated when none is named.
DUDAO_DEFAULT_STANDARD = env_str("DUDAO_DEFAULT_STANDARD", "national-2017")
# The census: an override file for the plausibility rule table (dudao/standards/data/checks/census.yaml,
# merged rule by rule), and how long an uploaded census file waits for its confirmation after the preview.
DUDAO_CENSUS_CHECKS = env_str("DUDAO_CENSUS_CHECKS", "")
DUDAO_IMPORT_PREVIEW_MINUTES = int(env_str("DUDAO_IMPORT_PREVIEW_MINUTES", "60"))
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
