"""motcua settings: everything is here, production differs only by environment variables.

See README.md ("Configuration") for the variables. A production start (DEBUG off) refuses the
development secret key and an empty ALLOWED_HOSTS.
"""

import sys
from pathlib import Path
from typing import Any

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
    "motcua.portal",  # issue 11: the citizen's pages (online submission, drafts, "Hồ sơ của tôi")
    "motcua.payments",  # issue 12 §1: fees due, payment requests, payments, e-receipts
    "motcua.signing",  # issue 12: signed e-results, /xac-thuc/
    "motcua.demo",
    "motcua.reports",  # issue 13: roll-ups, counting rules, selectors of the oversight pages
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

_CONTEXT_PROCESSORS = [
    "django.template.context_processors.request",
    "django.contrib.auth.context_processors.auth",
    "django.contrib.messages.context_processors.messages",
    "motcua.context_processors.site",
]
# Django's templates for the pages; Jinja2 (<app>/jinja2/, motcua/jinja2/) for the site's layout,
# which every page shares, and for the public tracking page, the busiest page of the site, whose
# rendering took as long as the rest of its answer (motcua/templating.py says why and how).
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "motcua" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": _CONTEXT_PROCESSORS,
            "libraries": {"layout": "motcua.templating"},
        },
    },
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "NAME": "jinja2",
        "DIRS": [BASE_DIR / "motcua" / "jinja2"],
        "APP_DIRS": True,
        "OPTIONS": {
            "environment": "motcua.templating.environment",
            # Django's own csrf_token here is lazy, masked anew each time it is written: this one
            # is masked once per page, as in Django's templates.
            "context_processors": ["django.template.context_processors.csrf", *_CONTEXT_PROCESSORS],
        },
    },
]
# Form fields drawn with Django's Jinja2 widget templates (motcua/templating.py says why).
FORM_RENDERER = "motcua.templating.FormRenderer"

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
    # Server-side binding lets psycopg prepare a statement a connection has run 5 times: PostgreSQL
    # then plans once per connection what it planned on every request (a transition's locked join
    # took longer to plan than to run). A pooler that keeps no prepared statements (PgBouncer in
    # transaction mode before 1.21) needs DB_PREPARE_THRESHOLD=0: bound on the server, never prepared.
    _prepare_threshold = env_int("DB_PREPARE_THRESHOLD", 5)
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options.setdefault("server_side_binding", True)
    _options.setdefault("prepare_threshold", _prepare_threshold or None)
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
        else "motcua.lib.staticfiles.StaticFilesStorage"
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

# Portal (issue 11): an online submission's draft untouched for this many days is deleted with
# its files (motcua.portal.services.drafts_expire, run by the scheduler).
PORTAL_DRAFT_EXPIRY_DAYS = env_int("PORTAL_DRAFT_EXPIRY_DAYS", 30)
if PORTAL_DRAFT_EXPIRY_DAYS < 1:
    raise ImproperlyConfigured("PORTAL_DRAFT_EXPIRY_DAYS must be 1 or more.")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # WeasyPrint narrates every step of every PDF at INFO: only its warnings are worth a line.
    # "django" without handlers of its own: Django's default console handler (DEBUG on) would
    # print each of its lines a second time beside the root's (the task worker's, in `make run`).
    "loggers": {
        "django": {"level": "INFO"},
        "django.db.backends": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
    },
}

# Citizen accounts and staff second factor (motcua/accounts; README "Tài khoản công dân" and
# "Xác thực hai bước của cán bộ").
INSTALLED_APPS += ["django_otp", "django_otp.plugins.otp_totp"]
# django-otp marks the session's user verified once a TOTP device has passed; the staff rule
# (whose roles need it) sends a signed-in, unverified officer to that step before anything else.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "django_otp.middleware.OTPMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django_otp.middleware.OTPMiddleware") + 1,
    "motcua.accounts.middleware.StaffOtpMiddleware",
)
# The TOTP second factor is required, for superusers and for these Membership roles, whenever
# DEBUG is off. The test suite runs with it off (it signs officers in through force_login in
# hundreds of places); the TOTP tests and one browser test turn it on.
STAFF_OTP_REQUIRED = env_bool("STAFF_OTP_REQUIRED", default=not DEBUG and not TESTING)
STAFF_OTP_ROLES = env_list("STAFF_OTP_ROLES", ["leader", "director", "administrator"])
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", MOTCUA_SITE_NAME)
# One-time codes sent by SMS (a local account's sign-up, a forgotten password): valid this many
# minutes, this many wrong tries each, a new one at most every PHONE_CODE_RESEND_SECONDS; at most
# PHONE_CODE_PER_PHONE_LIMIT messages to one number and PHONE_CODE_PER_ADDRESS_LIMIT from one
# client address per PHONE_CODE_WINDOW_MINUTES (counted in the shared cache).
PHONE_CODE_MINUTES = env_int("PHONE_CODE_MINUTES", 10)
PHONE_CODE_MAX_TRIES = env_int("PHONE_CODE_MAX_TRIES", 5)
PHONE_CODE_RESEND_SECONDS = env_int("PHONE_CODE_RESEND_SECONDS", 60)
PHONE_CODE_PER_PHONE_LIMIT = env_int("PHONE_CODE_PER_PHONE_LIMIT", 5)
PHONE_CODE_PER_ADDRESS_LIMIT = env_int("PHONE_CODE_PER_ADDRESS_LIMIT", 20)
PHONE_CODE_WINDOW_MINUTES = env_int("PHONE_CODE_WINDOW_MINUTES", 60)
for _name in (
    "PHONE_CODE_MINUTES",
    "PHONE_CODE_MAX_TRIES",
    "PHONE_CODE_PER_PHONE_LIMIT",
    "PHONE_CODE_PER_ADDRESS_LIMIT",
    "PHONE_CODE_WINDOW_MINUTES",
):
    if globals()[_name] < 1:
        raise ImproperlyConfigured(f"{_name} must be 1 or more.")

# Notifications (README, "Notifications"): the outbox is sent by tasks (manage.py db_worker)
# and swept by the scheduler (manage.py scheduler). A failed attempt is retried after
# NOTIFY_RETRY_BASE_SECONDS, then twice as long each time (at most NOTIFY_RETRY_MAX_SECONDS),
# NOTIFY_MAX_ATTEMPTS attempts in all; then it is a dead letter (admin, "Hộp thư đi").
INSTALLED_APPS += ["motcua.scheduler"]
NOTIFY_MAX_ATTEMPTS = env_int("NOTIFY_MAX_ATTEMPTS", 6)
NOTIFY_RETRY_BASE_SECONDS = env_int("NOTIFY_RETRY_BASE_SECONDS", 60)
NOTIFY_RETRY_MAX_SECONDS = env_int("NOTIFY_RETRY_MAX_SECONDS", 6 * 3600)
NOTIFY_LEASE_SECONDS = env_int("NOTIFY_LEASE_SECONDS", 300)  # a worker's hold on a message it sends
NOTIFY_BATCH_SIZE = env_int("NOTIFY_BATCH_SIZE", 50)
NOTIFY_HTTP_TIMEOUT = env_int("NOTIFY_HTTP_TIMEOUT", 10)  # seconds, SMS gateway and Zalo
NOTIFY_SMTP_TIMEOUT = env_int("NOTIFY_SMTP_TIMEOUT", 10)
NOTIFY_MESSAGE_ID_DOMAIN = env_str("NOTIFY_MESSAGE_ID_DOMAIN", "motcua.local")
# E-mail over SMTP: Django's mailers (EMAIL_* variables, README). The demo (`make run`) writes
# each mail to a file under EMAIL_FILE_PATH instead (Django's file backend): nothing is sent.
_EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
if _EMAIL_BACKEND.endswith("smtp.EmailBackend"):
    _MAILER_OPTIONS: dict[str, Any] = {
        "host": env_str("EMAIL_HOST", "127.0.0.1"),
        "port": env_int("EMAIL_PORT", 25),
        "username": env_str("EMAIL_HOST_USER"),
        "password": env_str("EMAIL_HOST_PASSWORD"),
        "use_tls": env_bool("EMAIL_USE_TLS", default=False),
        "use_ssl": env_bool("EMAIL_USE_SSL", default=False),
        "timeout": NOTIFY_SMTP_TIMEOUT,
    }
elif _EMAIL_BACKEND.endswith("filebased.EmailBackend"):
    _MAILER_OPTIONS = {"file_path": env_str("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail"))}
else:
    _MAILER_OPTIONS = {}
MAILERS = {"default": {"BACKEND": _EMAIL_BACKEND, "OPTIONS": _MAILER_OPTIONS}}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Cổng Dịch vụ công <khong-tra-loi@motcua.local>")
# SMS through an HTTP gateway (motcua/notifications/channels/sms.py). NOTIFY_SMS_ASCII: the
# gateway takes text without Vietnamese diacritics; at most NOTIFY_SMS_MAX_SEGMENTS parts.
SMS_GATEWAY_URL = env_str("SMS_GATEWAY_URL")
SMS_GATEWAY_API_KEY = env_str("SMS_GATEWAY_API_KEY")
SMS_SENDER_NAME = env_str("SMS_SENDER_NAME", "MOTCUA")
NOTIFY_SMS_ASCII = env_bool("NOTIFY_SMS_ASCII", default=True)
NOTIFY_SMS_MAX_SEGMENTS = env_int("NOTIFY_SMS_MAX_SEGMENTS", 2)
# Zalo ZNS (motcua/notifications/channels/zalo.py): the Official Account's access token and the
# approved template of each event, ZALO_TEMPLATES="dossier.receive=123456,dossier.finish=123457".
ZALO_ZNS_URL = env_str("ZALO_ZNS_URL", "https://business.openapi.zalo.me/message/template")
ZALO_ACCESS_TOKEN = env_str("ZALO_ACCESS_TOKEN")
ZALO_TEMPLATES = dict(item.split("=", 1) for item in env_list("ZALO_TEMPLATES") if "=" in item)
ZALO_FIELD_MAX_LENGTH = env_int("ZALO_FIELD_MAX_LENGTH", 100)
# "Due tomorrow" reminders to officers go out once a day, from this local hour on.
NOTIFY_REMINDER_HOUR = env_int("NOTIFY_REMINDER_HOUR", 14)
for _name in ("NOTIFY_MAX_ATTEMPTS", "NOTIFY_RETRY_BASE_SECONDS", "NOTIFY_LEASE_SECONDS"):
    if globals()[_name] < 1:
        raise ImproperlyConfigured(f"{_name} must be 1 or more.")

# -- Đánh giá mức độ hài lòng (issue 13 §1; README "Đánh giá mức độ hài lòng") -----------------
# Ratings (motcua/feedback): a counter tablet's cookie lives a year; a pairing code 30 minutes; a
# rating link in a message and a survey invitation are valid FEEDBACK_LINK_DAYS days.
INSTALLED_APPS += ["motcua.feedback"]
FEEDBACK_DEVICE_COOKIE = "motcua_quay_danh_gia"
FEEDBACK_DEVICE_COOKIE_DAYS = env_int("FEEDBACK_DEVICE_COOKIE_DAYS", 365)
FEEDBACK_PAIRING_MINUTES = env_int("FEEDBACK_PAIRING_MINUTES", 30)
FEEDBACK_LINK_DAYS = env_int("FEEDBACK_LINK_DAYS", 60)
# The counter tablet shows a dossier its officer returned, refused or guided this many minutes ago.
FEEDBACK_DEVICE_RECENT_MINUTES = env_int("FEEDBACK_DEVICE_RECENT_MINUTES", 30)
# The address citizens reach the portal at: rating and survey links in SMS and e-mail start with it.
FEEDBACK_PUBLIC_URL = env_str("MOTCUA_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
# -- Thanh toán trực tuyến: cổng VNPay (issue 12; README "Thanh toán trực tuyến (VNPay)") ------
# The gateway behind motcua/payments/gateways (PAYMENT_GATEWAY names it). The TMN code and the hash
# secret come from VNPay's merchant contract (VNPAY_HASH_SECRET_FILE works too); the defaults are
# the stand-in's (motcua/payments/testing/vnpay_standin.py, started by `make vnpay-demo`), so a
# development machine never talks to VNPay. Production sets all four, https URLs.
PAYMENT_GATEWAY = env_str("PAYMENT_GATEWAY", "vnpay")
VNPAY_TMN_CODE = env_str("VNPAY_TMN_CODE", "MOTCUA01")
VNPAY_HASH_SECRET = env_str("VNPAY_HASH_SECRET", "motcua-vnpay-demo-secret")
VNPAY_STANDIN_URL = env_str("VNPAY_STANDIN_URL", "http://127.0.0.1:8002")
VNPAY_PAY_URL = env_str("VNPAY_PAY_URL", f"{VNPAY_STANDIN_URL}/paymentv2/vpcpay.html")
VNPAY_API_URL = env_str("VNPAY_API_URL", f"{VNPAY_STANDIN_URL}/merchant_webapi/api/transaction")
# The day's transaction report for `manage.py payments_reconcile` (the stand-in serves one; VNPay's
# own is downloaded from its merchant portal and given to the command with --statement).
VNPAY_STATEMENT_URL = env_str("VNPAY_STATEMENT_URL", f"{VNPAY_STANDIN_URL}/merchant/statement")
VNPAY_ORDER_TYPE = env_str("VNPAY_ORDER_TYPE", "other")
VNPAY_TIMEOUT_SECONDS = env_int("VNPAY_TIMEOUT_SECONDS", 10)
# The polling job (motcua/payments/polling.py) asks querydr about a payment still unfinished this
# many minutes after it was created; an attempt unfinished after PAYMENT_EXPIRY_MINUTES expires.
PAYMENT_POLL_AFTER_MINUTES = env_int("PAYMENT_POLL_AFTER_MINUTES", 15)
PAYMENT_POLL_BATCH = env_int("PAYMENT_POLL_BATCH", 100)

# -- Phí, lệ phí và thanh toán (issue 12 §1; README "Phí, lệ phí và thanh toán") --------------
# Days the applicant has to pay a request (calendar days; past it the request reaches the inbox).
PAYMENT_DUE_DAYS = env_int("PAYMENT_DUE_DAYS", 5)
# A gateway payment not confirmed within this many minutes expires (GOV.UK Pay: 90 minutes).
PAYMENT_EXPIRY_MINUTES = env_int("PAYMENT_EXPIRY_MINUTES", 90)
# Postage of a result by post when no tariff line (FeeTariff kind "postage") applies.
PAYMENT_POSTAGE_VND = env_int("PAYMENT_POSTAGE_VND", 30000)
# Where transfers go (VietQR): per agency code, else "*": "BIN:account:holder name".
# Example: "*=970415:113366668888:KHO BAC NHA NUOC TINH,000.00.01.H00=970436:0011001234567:UBND XA A"
PAYMENT_ACCOUNTS = env_str("PAYMENT_ACCOUNTS", "*=970415:113366668888:KHO BAC NHA NUOC TINH DEMO")
# The e-receipt's template number and series as registered with the tax authority (Decree 123/2020).
PAYMENT_RECEIPT_TEMPLATE = env_str("PAYMENT_RECEIPT_TEMPLATE", "01BLP0-001")
PAYMENT_RECEIPT_SERIES = env_str("PAYMENT_RECEIPT_SERIES", "BL-{yy}E")
# -- Bưu chính công ích và đồng bộ Cổng DVC quốc gia (post; issue 12 §3, issue 13 §4) ------------
# The postal operator's API (motcua/dossiers/postal_adapters.py, README "Bưu chính công ích"):
# empty POSTAL_API_URL: the officer types the consignment number the post office gave.
POSTAL_OPERATOR = env_str("POSTAL_OPERATOR", "vnpost")
POSTAL_API_URL = env_str("POSTAL_API_URL")
POSTAL_API_TOKEN = env_str("POSTAL_API_TOKEN")
POSTAL_HTTP_TIMEOUT = env_int("POSTAL_HTTP_TIMEOUT", 10)
POSTAL_POLL_BATCH = env_int("POSTAL_POLL_BATCH", 200)
POSTAL_POLL_SECONDS = env_int("POSTAL_POLL_SECONDS", 900)  # how often the results on their way are tracked
# The national portal (motcua/dossiers/national_sync.py, notifications/channels/national_portal.py):
# empty NATIONAL_PORTAL_URL: nothing is queued (the sweep waits and catches up once it is set).
NATIONAL_PORTAL_URL = env_str("NATIONAL_PORTAL_URL")
NATIONAL_PORTAL_TOKEN = env_str("NATIONAL_PORTAL_TOKEN")
NATIONAL_SYNC_BATCH = env_int("NATIONAL_SYNC_BATCH", 500)
NATIONAL_SYNC_SECONDS = env_int("NATIONAL_SYNC_SECONDS", 60)  # how often the event log is swept
# Events younger than this are left for the next sweep (a transaction that began earlier may
# still commit an event with a smaller id).
NATIONAL_SYNC_SETTLE_SECONDS = env_int("NATIONAL_SYNC_SETTLE_SECONDS", 30)
# Outbox channels whose adapter lives outside motcua.notifications (dotted paths).
OUTBOX_ADAPTERS = {"post": "motcua.dossiers.postal_adapters.ConsignmentAdapter"}
# -- Kết quả điện tử có chữ ký số (issue 12; README "Kết quả điện tử có chữ ký số") --
# The CA certificates (PEM files) whose certificates count when a signature is checked, at
# /xac-thuc/ and on issue. The demo CA (made by `manage.py demo_load` under var/) only in DEBUG.
SIGNING_DEMO_DIR = Path(env_str("SIGNING_DEMO_DIR", str(BASE_DIR / "var" / "signing-demo")))
SIGNING_TRUST_ANCHORS = env_list("SIGNING_TRUST_ANCHORS", [str(SIGNING_DEMO_DIR / "ca.pem")] if DEBUG else [])
# An attached result PDF, and a PDF uploaded to /xac-thuc/, at most this large.
SIGNING_RESULT_MAX_BYTES = env_int("SIGNING_RESULT_MAX_BYTES", 10 * 1024 * 1024)
SIGNING_VERIFY_MAX_BYTES = env_int("SIGNING_VERIFY_MAX_BYTES", 20 * 1024 * 1024)

# Periodic work (manage.py scheduler, motcua/scheduler): name, the function's dotted path and how
# often it runs, in seconds. Other apps add their own lines; a path that does not import yet is
# skipped with a warning.
# -- reports: roll-ups (issue 13) --
# Events are applied to the roll-ups every REPORTS_APPLY_SECONDS by the scheduler (and by the
# reports task); the open dossiers are counted at the close of each working day; the roll-ups are
# rebuilt from the events every night (manage.py reports_rebuild).
REPORTS_APPLY_SECONDS = env_int("REPORTS_APPLY_SECONDS", 30)
REPORTS_BATCH = env_int("REPORTS_BATCH", 20000)  # events applied per transaction
REPORTS_GAP_TTL_SECONDS = env_int("REPORTS_GAP_TTL_SECONDS", 900)  # an id unseen this long was rolled back
# PostgreSQL: the work_mem of the rebuild's transaction.
REPORTS_REBUILD_WORK_MEM = env_str("REPORTS_REBUILD_WORK_MEM", "256MB")

# -- oversight pages (issue 13) --
# Statistical reporting periods close their figures from this day of the month before to the day
# before it in the period's last month (Decree 09/2019 art. 12, read from memory: UNVERIFIED);
# 1 makes them calendar months. A ranking ranks only units with at least REPORTS_RANKING_MIN_VOLUME
# dossiers (or ratings) behind the rate; the others are listed apart.
REPORTS_STATISTICAL_START_DAY = env_int("REPORTS_STATISTICAL_START_DAY", 15)
REPORTS_RANKING_MIN_VOLUME = env_int("REPORTS_RANKING_MIN_VOLUME", 20)

SCHEDULER_JOBS = [
    {"name": "outbox-sweep", "path": "motcua.notifications.jobs.outbox_sweep", "every": 60},
    {"name": "due-reminders", "path": "motcua.dossiers.reminders.send_due_tomorrow_reminders", "every": 900},
    {"name": "expired-drafts", "path": "motcua.portal.services.drafts_expire", "every": 3600},
    {"name": "expired-guidances", "path": "motcua.dossiers.jobs.close_expired_guidances", "every": 3600},
    {"name": "phone-codes-purge", "path": "motcua.accounts.registration.phone_codes_purge", "every": 3600},
    {"name": "reports-apply", "path": "motcua.reports.jobs.reports_apply", "every": REPORTS_APPLY_SECONDS},
    {"name": "reports-snapshot", "path": "motcua.reports.jobs.reports_snapshot", "every": 600},
    {"name": "reports-rebuild", "path": "motcua.reports.jobs.reports_rebuild_nightly", "every": 3600},
    {"name": "payments-expire", "path": "motcua.payments.services.payments_expire", "every": 300},
    {"name": "payments-poll", "path": "motcua.payments.polling.poll_unfinished_payments", "every": 300},
    {"name": "payments-settle", "path": "motcua.payments.services.payments_settle_pending", "every": 60},
    {"name": "postal-poll", "path": "motcua.dossiers.postal.poll_consignments", "every": POSTAL_POLL_SECONDS},
    {
        "name": "national-sync",
        "path": "motcua.dossiers.national_sync.sync_sweep",
        "every": NATIONAL_SYNC_SECONDS,
    },  # noqa: E501
    {"name": "e-results-issue", "path": "motcua.signing.services.issue_pending", "every": 60},
]
SCHEDULER_LEASE_SECONDS = env_int("SCHEDULER_LEASE_SECONDS", 1800)  # a job running longer may run twice
SCHEDULER_POLL_SECONDS = env_int("SCHEDULER_POLL_SECONDS", 5)

# -- API cho ứng dụng di động (issue 11; README "API cho ứng dụng di động") ----------------------
# motcua is the OAuth 2.0 authorisation server of the mobile app (django-oauth-toolkit, /o/…):
# authorization code with PKCE (S256 only) for a public client; the citizen signs in at motcua
# whichever way they have. The tokens it issues open /api/v1/me/… (motcua/me/).
INSTALLED_APPS += ["motcua.me", "oauth2_provider"]  # motcua.me first: its templates override DOT's
OAUTH2_PROVIDER = {
    "OAUTH2_VALIDATOR_CLASS": "motcua.me.oauth.Validator",
    "APPLICATION_ADMIN_CLASS": "motcua.me.oauth_admin.ApplicationAdmin",
    "ACCESS_TOKEN_ADMIN_CLASS": "motcua.me.oauth_admin.AccessTokenAdmin",
    "REFRESH_TOKEN_ADMIN_CLASS": "motcua.me.oauth_admin.RefreshTokenAdmin",
    "GRANT_ADMIN_CLASS": "motcua.me.oauth_admin.GrantAdmin",
    "ID_TOKEN_ADMIN_CLASS": "motcua.me.oauth_admin.IDTokenAdmin",
    "SCOPES": {
        "dossiers:read": "Xem thông tin cá nhân và các hồ sơ của bạn",
        "dossiers:write": "Nộp hồ sơ, bổ sung và rút hồ sơ thay bạn",
    },
    "DEFAULT_SCOPES": ["dossiers:read"],
    "ACCESS_TOKEN_EXPIRE_SECONDS": env_int("OAUTH_ACCESS_TOKEN_SECONDS", 3600),
    "REFRESH_TOKEN_EXPIRE_SECONDS": env_int("OAUTH_REFRESH_TOKEN_DAYS", 30) * 86400,
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": env_int("OAUTH_AUTHORIZATION_CODE_SECONDS", 60),
    # A mobile app comes back through a claimed https link or its own scheme (RFC 8252).
    "ALLOWED_REDIRECT_URI_SCHEMES": env_list("OAUTH_REDIRECT_URI_SCHEMES", ["https", "vn.motcua.app"]),
    "PKCE_REQUIRED": True,
    "ROTATE_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    # Ask once per app and scopes; a citizen who already agreed is sent straight back.
    "REQUEST_APPROVAL_PROMPT": "auto",
    # RFC 9700 (OAuth 2.0 Security Best Current Practice), enforced now rather than in DOT 4.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_SCHEME": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_MATCHING": True,
    "COMPLIANT_BCP_RFC9700_PKCE_REQUIRED": True,
}
for _name in ("OAUTH_ACCESS_TOKEN_SECONDS", "OAUTH_REFRESH_TOKEN_DAYS", "OAUTH_AUTHORIZATION_CODE_SECONDS"):
    if env_int(_name, 1) < 1:
        raise ImproperlyConfigured(f"{_name} must be 1 or more.")
