"""Kaimen settings: one module, read from the environment, with safe defaults for the demo.

Environment variables (all optional for the demo):
    KAIMEN_ENV             demo | production (production refuses unsafe defaults)
    KAIMEN_SECRET_KEY      secret key; the demo keeps a generated one in var/secret_key
    KAIMEN_DEBUG           1 to turn DEBUG on (never in production)
    KAIMEN_ALLOWED_HOSTS   comma-separated host names
    KAIMEN_HTTPS           1 when served over HTTPS behind a reverse proxy
    KAIMEN_VAR_DIR         where the SQLite database, huey queue and uploads live (default ./var)
    DATABASE_URL           e.g. postgres://kaimen:secret@127.0.0.1:5432/kaimen (SQLite when unset)
    REDIS_URL              e.g. redis://127.0.0.1:6379/0 (SqliteHuey when unset)
    KAIMEN_PASSWORD_MAX_AGE_DAYS, KAIMEN_IDLE_MINUTES, KAIMEN_SESSION_HOURS,
    KAIMEN_LOCKOUT_FAILURES, KAIMEN_LOCKOUT_MINUTES, KAIMEN_IDLE_ACCOUNT_DAYS
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name, "").strip()
    return [part.strip() for part in raw.split(",") if part.strip()] if raw else default


BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("KAIMEN_VAR_DIR", str(BASE_DIR / "var")))
KAIMEN_ENV = env_str("KAIMEN_ENV", "demo")
if KAIMEN_ENV not in {"demo", "production", "test"}:
    raise ImproperlyConfigured("KAIMEN_ENV must be demo, production or test")
PRODUCTION = KAIMEN_ENV == "production"


def _secret_key() -> str:
    key = env_str("KAIMEN_SECRET_KEY")
    if key:
        return key
    if PRODUCTION:
        raise ImproperlyConfigured("KAIMEN_SECRET_KEY must be set in production")
    # The demo keeps one generated key outside git so sessions survive restarts.
    path = VAR_DIR / "secret_key"
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    path.write_text(key, encoding="ascii")
    path.chmod(0o600)
    return key


SECRET_KEY = _secret_key()
DEBUG = env_bool("KAIMEN_DEBUG", False) and not PRODUCTION
ALLOWED_HOSTS = env_list("KAIMEN_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
HTTPS = env_bool("KAIMEN_HTTPS", PRODUCTION)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "huey.contrib.djhuey",
    "kaimen.core",
    "kaimen.org",
    "kaimen.audit",
    "kaimen.campaigns",
    "kaimen.notifications",
    "kaimen.ledger",
    "kaimen.targets",
    "kaimen.evaluation",
    "kaimen.accountability",
    "kaimen.briefings",
    "kaimen.dashboard",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "kaimen.core.middleware.RequestContextMiddleware",
    "kaimen.core.middleware.RejectControlCharactersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # after the messages middleware: it tells the user why they were signed out
    "kaimen.org.middleware.SessionPolicyMiddleware",
    "kaimen.core.middleware.KaimenErrorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kaimen.urls"
WSGI_APPLICATION = "kaimen.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "kaimen" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kaimen.core.context_processors.navigation",
            ],
        },
    }
]


def _databases() -> dict:
    url = env_str("DATABASE_URL")
    if url:
        import dj_database_url

        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
        config.setdefault("TEST", {})
        return {"default": config}
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    return {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "kaimen.sqlite3",
            "OPTIONS": {
                # IMMEDIATE takes the write lock at BEGIN, so a read that turns into a write
                # never fails with "database is locked"; FULL sync for durability of figures.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=FULL;"
                    "PRAGMA foreign_keys=ON;"
                    "PRAGMA busy_timeout=20000;"
                ),
            },
        }
    }


DATABASES = _databases()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "org.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "kaimen.org.validators.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# 等保三级 8.1.4.1: periodic password change. ASVS 5.0 advises against rotation; 等保 is binding
# here, so the default is 90 days and 0 turns it off (see README, "Security").
PASSWORD_MAX_AGE_DAYS = env_int("KAIMEN_PASSWORD_MAX_AGE_DAYS", 90)
IDLE_TIMEOUT = timedelta(minutes=env_int("KAIMEN_IDLE_MINUTES", 30))
SESSION_ABSOLUTE_LIMIT = timedelta(hours=env_int("KAIMEN_SESSION_HOURS", 12))
IDLE_ACCOUNT_DAYS = env_int("KAIMEN_IDLE_ACCOUNT_DAYS", 90)
# Roles that must pass a second factor (系统/安全/审计管理员 and the campaign office).
OTP_REQUIRED_ROLES = ("sysadmin", "secadmin", "auditor", "office")
OTP_TOTP_ISSUER = "Kaimen 开门红"
AUDIT_RETENTION_MONTHS = max(6, env_int("KAIMEN_AUDIT_RETENTION_MONTHS", 6))

# Lockout is keyed by user name alone: a whole town office sits behind one NAT address, and an
# IP key would lock all of them out for one person's typing.
AXES_ENABLED = True
AXES_FAILURE_LIMIT = env_int("KAIMEN_LOCKOUT_FAILURES", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("KAIMEN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_CALLABLE = "kaimen.org.auth.axes_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "kaimen.org.auth.lockout_response"
AXES_VERBOSE = False
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
# axes.W006 asks for an IP key too; deliberately not (see above). Password guessing across many
# names is bounded by the per-name lockout and recorded in the audit trail.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

SESSION_COOKIE_AGE = int(SESSION_ABSOLUTE_LIMIT.total_seconds())
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("KAIMEN_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "kaimen.core.views.csrf_failure"
LOGIN_URL = "org:login"
LOGIN_REDIRECT_URL = "core:home"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "kaimen" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/echarts", BASE_DIR / "node_modules" / "echarts" / "dist"),
    ("vendor/tom-select", BASE_DIR / "node_modules" / "tom-select" / "dist"),
]
STATICFILES_DIRS = [(prefix, path) for prefix, path in STATICFILES_DIRS if path.exists()]
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": VAR_DIR / "uploads"},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG or not STATIC_ROOT.exists()
# Uploads live outside any web root and are only served through permission-checked views.
MEDIA_ROOT = VAR_DIR / "uploads"
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024


def _huey():
    redis_url = env_str("REDIS_URL")
    if redis_url:
        from huey import RedisHuey

        return RedisHuey("kaimen", url=redis_url)
    from huey import SqliteHuey

    VAR_DIR.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("kaimen", filename=str(VAR_DIR / "huey.sqlite3"))


HUEY = _huey()

# Notifications (kaimen.notifications). E-mail channels send through this SMTP server
# (KAIMEN_EMAIL_HOST empty: e-mail is not configured, and the channel page says so); the group
# robots' webhooks are configured by the office in the application. KAIMEN_BASE_URL is the
# address users open the platform at, for the links in robots' and e-mail messages.
EMAIL_HOST = env_str("KAIMEN_EMAIL_HOST")
EMAIL_PORT = env_int("KAIMEN_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("KAIMEN_EMAIL_USER")
EMAIL_HOST_PASSWORD = env_str("KAIMEN_EMAIL_PASSWORD")
EMAIL_USE_TLS = env_bool("KAIMEN_EMAIL_STARTTLS", False)
EMAIL_USE_SSL = env_bool("KAIMEN_EMAIL_SSL", False)
EMAIL_TIMEOUT = env_int("KAIMEN_EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("KAIMEN_EMAIL_FROM")
NOTIFY_WEBHOOK_TIMEOUT = env_int("KAIMEN_WEBHOOK_TIMEOUT", 10)
KAIMEN_BASE_URL = env_str("KAIMEN_BASE_URL")
# The day `kaimen demo` tells its story from (ISO date; empty: today). See lib/demo_calendar.py.
KAIMEN_DEMO_TODAY = env_str("KAIMEN_DEMO_TODAY")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("KAIMEN_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

if PRODUCTION and DEBUG:  # pragma: no cover - guarded above, kept as a tripwire
    raise ImproperlyConfigured("DEBUG must be off in production")
