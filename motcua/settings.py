"""motcua settings: everything is here, production differs only by environment variables.

See README.md ("Configuration") for the variables. A production start (DEBUG off) refuses the
development secret key and an empty ALLOWED_HOSTS.
"""

import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from motcua.lib.env import env_bool, env_int, env_list, env_str
from motcua.lib.storage import S3_STORAGE, s3_options, storage_backend

BASE_DIR = Path(__file__).resolve().parent.parent

_DEV_SECRET = "django-insecure-motcua-development-only"  # noqa: S105 — refused when DEBUG is off
DEBUG = env_bool("DEBUG", default=False)
TESTING = "pytest" in sys.modules or env_bool("MOTCUA_TESTING", default=False)
SECRET_KEY = env_str("SECRET_KEY", _DEV_SECRET)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG or TESTING else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# What makes this configuration unsafe to serve in production. The server entry points
# (motcua/wsgi.py, motcua/asgi.py) refuse to start while any is listed; management commands
# such as makemigrations still run, so that a developer's tools work without a secret key.
UNSAFE_TO_SERVE: list[str] = []
if not DEBUG and not TESTING:
    if SECRET_KEY == _DEV_SECRET or len(SECRET_KEY) < 40:
        UNSAFE_TO_SERVE.append(
            "DEBUG is off but SECRET_KEY is the development key or shorter than 40 characters: "
            "set SECRET_KEY (or SECRET_KEY_FILE) to a long random value."
        )
    if not ALLOWED_HOSTS:
        UNSAFE_TO_SERVE.append(
            "DEBUG is off but ALLOWED_HOSTS is empty: set ALLOWED_HOSTS to the host names "
            "this server answers to, separated by commas."
        )

INSTALLED_APPS = [
    "motcua.accounts",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",  # serves the API docs page from its own static files, never a CDN
    "django_tasks_db",
    "axes",
    "motcua.audit",
    "motcua.workcalendar",
    "motcua.org",
    "motcua.catalog",
    "motcua.notifications",
    "motcua.dossiers",
    "motcua.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages compressed for the citizen's phone (a procedure page: ~160 KB of HTML, ~20 KB gzipped);
    # after whitenoise, which serves its own compressed static files. Django pads each compressed
    # answer at random (BREACH mitigation) and masks the CSRF token per response.
    "django.middleware.gzip.GZipMiddleware",
    # Before anything reads the request: NUL characters and unreadable multipart bodies → 400.
    "motcua.lib.request_guard.RequestGuardMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "motcua.lib.language.LanguageMiddleware",  # Vietnamese whatever the browser's language
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "motcua.urls"

# The inbox's covering indexes (INCLUDE id, status_code) are PostgreSQL's; SQLite builds them
# without the included columns, which is what the warning says and what is wanted there.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
WSGI_APPLICATION = "motcua.wsgi.application"
ASGI_APPLICATION = "motcua.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "motcua" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "motcua.context_processors.site",
            ],
        },
    },
]

# Database: SQLite (WAL) by default so that `make run` needs no server; PostgreSQL in
# production and in CI through DATABASE_URL=postgres://user@host:5432/name.
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers work while one writer writes; IMMEDIATE takes the write lock at the
        # start of a transaction so that two writers queue instead of failing halfway.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    DATABASES["default"].setdefault("TEST", {})["NAME"] = env_str("TEST_DATABASE_NAME", "test_motcua")
# Services own their transactions (transaction.atomic in each app's services).
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache holds what processes share: versions of reference data (motcua/lib/versioned.py),
# the tracking and sign-in counters. Redis with more than one process; every part of the
# application survives it not answering (the health check then says "cache": "degraded"), so a
# Redis that does not answer must cost a request little: short timeouts, no retries with backoff.
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "motcua.lib.cache.RedisCache",
            "LOCATION": REDIS_URL,
            # Several sites may share one Redis database: each clears only its own keys.
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX"),
            "OPTIONS": {
                "socket_connect_timeout": env_int("REDIS_TIMEOUT_MS", 500) / 1000,
                "socket_timeout": env_int("REDIS_TIMEOUT_MS", 500) / 1000,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Argon2 is deliberately slow; tests create many users.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# How many reverse proxies (nginx, a load balancer) stand in front of the application, each
# appending to X-Forwarded-For: the client's address is read through them (motcua/lib/clients.py)
# for the throttles, the sign-in lock-out and the audit log. 0: REMOTE_ADDR, the header ignored.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured(f"TRUSTED_PROXY_COUNT={TRUSTED_PROXY_COUNT} must be 0 or more.")

# Repeated failed sign-ins: after AXES_FAILURE_LIMIT failures for one user name from one
# address, that pair is locked out for AXES_COOLOFF_MINUTES; the same user name from another
# address is not. The address is the one motcua.lib.clients.client_ip finds (proxies honoured).
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_ENABLED = env_bool("AXES_ENABLED", default=True)
AXES_CLIENT_IP_CALLABLE = "motcua.lib.clients.client_ip"
# Guessing one account's password from many addresses: after SIGNIN_ACCOUNT_LIMIT failures from
# all addresses together in a window of SIGNIN_ACCOUNT_WINDOW_MINUTES, the account may be signed
# in to only from a device that signed in to it before, until the window ends
# (motcua/accounts/signin.py). 0 turns the pause off.
SIGNIN_ACCOUNT_LIMIT = env_int("SIGNIN_ACCOUNT_LIMIT", 20)
SIGNIN_ACCOUNT_WINDOW_MINUTES = env_int("SIGNIN_ACCOUNT_WINDOW_MINUTES", 15)
if SIGNIN_ACCOUNT_LIMIT < 0 or SIGNIN_ACCOUNT_WINDOW_MINUTES < 1:
    raise ImproperlyConfigured(
        "SIGNIN_ACCOUNT_LIMIT must be 0 or more and SIGNIN_ACCOUNT_WINDOW_MINUTES 1 or more."
    )

# Sign-in through the national identity (VNeID through the national portal; OpenID Connect,
# motcua/accounts/oidc.py, README "Đăng nhập bằng định danh điện tử"). Offered only when
# OIDC_ISSUER and OIDC_CLIENT_ID are set. The discovery document defaults to the issuer's
# /.well-known/openid-configuration; OIDC_REDIRECT_URI (empty: built from the request) must be the
# one registered with the provider. OIDC_CLAIM_<FIELD> names the claim each attribute comes from.
OIDC_ISSUER = env_str("OIDC_ISSUER")
OIDC_DISCOVERY_URL = env_str("OIDC_DISCOVERY_URL")
OIDC_CLIENT_ID = env_str("OIDC_CLIENT_ID")
OIDC_CLIENT_SECRET = env_str("OIDC_CLIENT_SECRET")
OIDC_SCOPES = env_str("OIDC_SCOPES", "openid profile email phone address")
OIDC_ACR_VALUES = env_str("OIDC_ACR_VALUES", "LoA1")
OIDC_REDIRECT_URI = env_str("OIDC_REDIRECT_URI")
OIDC_STATE_MAX_AGE = env_int("OIDC_STATE_MAX_AGE_SECONDS", 600)
OIDC_TIMEOUT = env_int("OIDC_TIMEOUT_SECONDS", 10)
OIDC_LEEWAY = env_int("OIDC_LEEWAY_SECONDS", 60)  # clock difference allowed on the ID token's times
OIDC_CLAIMS = {
    field: env_str(f"OIDC_CLAIM_{field.upper()}", default)
    for field, default in {
        "full_name": "name",
        "citizen_id": "citizen_id",
        "date_of_birth": "birthdate",
        "phone": "phone_number",
        "email": "email",
        "address": "address",
    }.items()
}

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "motcua" / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "motcua" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))

# Object storage (README, "Object storage"): FILE_STORAGE=s3 keeps uploaded files in an
# S3-compatible bucket (AWS S3, MinIO, Ceph, a provider's object store) through django-storages.
# The bucket is private: objects are written with the private ACL and never linked to; every file
# is read through the storage API by the application's checked views.
FILE_STORAGE = storage_backend(env_str("FILE_STORAGE", "django.core.files.storage.FileSystemStorage"))
STORAGES = {
    "default": {"BACKEND": FILE_STORAGE, "OPTIONS": s3_options() if FILE_STORAGE == S3_STORAGE else {}},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Background work: Django's Tasks API with the database backend (manage.py db_worker).
TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# Audit log (README, "Audit log"): the key of its HMAC chain and the checkpoints that anchor its
# chains' heads live outside the database. A development key when DEBUG or testing, like
# SECRET_KEY's; with DEBUG off there is none, and the server refuses to start without one.
_DEV_AUDIT_KEY = "motcua-audit-development-key-not-a-secret"  # noqa: S105 — refused when DEBUG is off
AUDIT_KEY = env_str("AUDIT_KEY", _DEV_AUDIT_KEY if DEBUG or TESTING else "")
AUDIT_CHECKPOINT_KEY = env_str("AUDIT_CHECKPOINT_KEY")  # empty: derived from AUDIT_KEY
AUDIT_CHECKPOINT_DIR = env_str("AUDIT_CHECKPOINT_DIR", str(BASE_DIR / "var" / "audit-checkpoints"))
_AUDIT_CHECKPOINT_BACKEND = storage_backend(
    # Tests keep checkpoints in memory, never beside a developer's own.
    env_str(
        "AUDIT_CHECKPOINT_STORAGE",
        f"django.core.files.storage.{'InMemoryStorage' if TESTING else 'FileSystemStorage'}",
    )
)
STORAGES["audit_checkpoints"] = {
    "BACKEND": _AUDIT_CHECKPOINT_BACKEND,
    # In a bucket, AUDIT_CHECKPOINT_DIR is the key prefix (default "audit-checkpoints").
    "OPTIONS": {**s3_options(), "location": env_str("AUDIT_CHECKPOINT_DIR", "audit-checkpoints").strip("/")}
    if _AUDIT_CHECKPOINT_BACKEND == S3_STORAGE
    else {"location": AUDIT_CHECKPOINT_DIR},
}
if not DEBUG and not TESTING and (not AUDIT_KEY.strip() or _DEV_AUDIT_KEY in AUDIT_KEY.split()):
    UNSAFE_TO_SERVE.append(
        "DEBUG is off but AUDIT_KEY is not set or holds the development key: set AUDIT_KEY_FILE to "
        "the file holding the audit log's key (README, Audit log)."
    )

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG and not TESTING and env_bool("HTTPS", default=True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# A form sent without its token: a Vietnamese page (reload and try again), or under /api/ the
# API's error shape.
CSRF_FAILURE_VIEW = "motcua.error_pages.csrf_failure"
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY", default=True) else None
)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Browsers remember to use HTTPS only (a year; subdomains are the province's own business).
SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 31536000 if SESSION_COOKIE_SECURE else 0)
# Content Security Policy: only this site's own scripts, styles, images and frames (the dossier
# page previews scans in a same-origin frame); no plug-ins, no other site may frame a page.
# Inline style attributes stay allowed: htmx and the admin set a few.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.SELF],
}
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 10 * 1024 * 1024)

# Name shown in page headers and printed forms: a deploying province sets its own.
MOTCUA_SITE_NAME = env_str("MOTCUA_SITE_NAME", "Cổng Dịch vụ công")
MOTCUA_PROVINCE_NAME = env_str("MOTCUA_PROVINCE_NAME", "Tỉnh Demo")

# An apology and extension (Mẫu 04) sets a new appointment at most this many processing times
# of the procedure after the current one (on the handling agency's working calendar).
MOTCUA_EXTENSION_MAX_PERIODS = env_int("EXTENSION_MAX_PERIODS", 1)

# A dossier guided at reception (Mẫu 02) whose applicant has not come back with the documents
# after this many calendar days is closed as not received (manage.py close_expired_guidance).
MOTCUA_INTAKE_SUPPLEMENT_EXPIRY_DAYS = env_int("INTAKE_SUPPLEMENT_EXPIRY_DAYS", 30)
# A result not collected this many working days after it was ready is marked on the counter's
# pages ("chờ nhận lâu"), so that the officer calls the applicant.
MOTCUA_RESULT_UNCOLLECTED_WORKING_DAYS = env_int("RESULT_UNCOLLECTED_WORKING_DAYS", 10)
for _name in ("INTAKE_SUPPLEMENT_EXPIRY_DAYS", "RESULT_UNCOLLECTED_WORKING_DAYS"):
    if globals()[f"MOTCUA_{_name}"] < 1:
        raise ImproperlyConfigured(f"{_name} must be 1 or more.")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # WeasyPrint narrates every step of every PDF at INFO: only its warnings are worth a line.
    "loggers": {"django.db.backends": {"level": "WARNING"}, "weasyprint": {"level": "WARNING"}},
}
