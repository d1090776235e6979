"""Settings for citymgmt: one module, configured by the environment.

Run modes (see README): the embedded default (SQLite, filesystem Celery broker), production
(PostgreSQL + Redis, DJANGO_DEBUG=0) and tests (PostgreSQL and Redis when DATABASE_URL and
REDIS_URL are set).
"""

import datetime
from pathlib import Path
from urllib.parse import urlsplit

from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from citymgmt.env import (
    env_bool,
    env_database,
    env_email,
    env_int,
    env_list,
    env_path,
    env_rate,
    env_redis_url,
    env_str,
    env_time_zone,
)
from citymgmt.tiles import tile_layers

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = env_path("CITYMGMT_VAR_DIR", BASE_DIR / "var")

DEBUG = env_bool("DJANGO_DEBUG", default=True)
# Under DEBUG (make run) pages still show the app's own 404 and 500 pages (web.middleware); 1
# shows Django's technical pages instead (every URL pattern, tracebacks) for debugging.
CITYMGMT_DEBUG_ERROR_PAGES = env_bool("CITYMGMT_DEBUG_ERROR_PAGES", default=False)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DJANGO_DEBUG is off")
    SECRET_KEY = "dev-only-insecure-key-change-me"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "drf_standardized_errors",
    "django_celery_beat",
    "django_ratelimit",
    "simple_history",
    "ops",
    # Login protection (issue 11): lockouts, TOTP second factor, Content-Security-Policy.
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    "outbox",
    "accounts",
    "grids",
    "cases",
    "notifications",
    "residents",
    "patrols",
    "assessments",
    "shops",
    "open311",
    "privacy",
    "webhooks",
    "command",
    "demo",
]

MIDDLEWARE = [
    # Probes first: they answer before host checks, HTTPS redirects, sessions and locale.
    "ops.middleware.ProbeMiddleware",
    "ops.middleware.RequestIdMiddleware",
    # Under /api/, Django's own error pages (no route, refused request) answered as API JSON.
    "citymgmt.rest.ApiErrorsAsJson",
    "django.middleware.security.SecurityMiddleware",
    "citymgmt.middleware.VaryOnHtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Under DEBUG (make run), our 404 and 500 pages rather than Django's technical ones.
    "web.middleware.OwnErrorPages",
    # Last, as django-axes asks: it turns a locked-out login into our lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "web.urls"
WSGI_APPLICATION = "citymgmt.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.roles",
                "notifications.context_processors.notifications",
            ],
        },
    },
]

DATABASES = {"default": env_database("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # Web, worker and beat share the file: wait for the writer instead of failing at once.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_redis_url("REDIS_URL")
if REDIS_URL:
    # Redis down must not take the pages down with it (citymgmt/cache.py): a miss, logged.
    CACHES = {
        "default": {
            "BACKEND": "citymgmt.cache.TolerantRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Per-IP limits on the public forms (residents.views) count in the default cache. Django's
# own RedisCache increments atomically, though django-ratelimit's check lists only django-redis.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]
# With the cache unreachable, let the public forms through rather than refuse every resident
# (the code lookup and erasure requests refuse then: citymgmt.ratelimits).
RATELIMIT_FAIL_OPEN = True
if not REDIS_URL:
    # The embedded mode runs one web process, so a per-process locmem count is the true count.
    SILENCED_SYSTEM_CHECKS.append("django_ratelimit.E003")
# How many reverse proxies we run in front of gunicorn (see citymgmt/client_ip.py).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

AUTH_USER_MODEL = "accounts.User"
# django-axes first: it refuses a locked-out username or address before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Argon2 for new and changed passwords; PBKDF2 stays so older hashes still verify (and are
# upgraded to Argon2 at the next successful login).
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # Staff accounts see residents' phone numbers: ten characters, not Django's eight.
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "grids:board_index"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_time_zone("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env_path("STATIC_ROOT", BASE_DIR / "staticfiles")
MEDIA_URL = "media/"
MEDIA_ROOT = env_path("MEDIA_ROOT", VAR_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Celery: Redis when REDIS_URL is set, otherwise the filesystem broker under var/ so that the
# embedded default needs no server at all.
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}
else:
    _broker_dir = VAR_DIR / "celery" / "broker"
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir),
        "data_folder_out": str(_broker_dir),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "store_processed": False,
    }
    CELERY_RESULT_BACKEND = f"file://{VAR_DIR / 'celery' / 'results'}"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 15 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 14 * 60)
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# A broker that is down must not hold a user's request (citymgmt/queue.py publishes once).
CELERY_BROKER_CONNECTION_TIMEOUT = env_int("CELERY_BROKER_CONNECTION_TIMEOUT", 2)
if REDIS_URL:
    CELERY_BROKER_TRANSPORT_OPTIONS["socket_connect_timeout"] = 2
    CELERY_BROKER_TRANSPORT_OPTIONS["socket_timeout"] = 10
    # A task whose worker died (acks_late, SIGKILL) is delivered again after this long.
    CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] = env_int(
        "CELERY_VISIBILITY_TIMEOUT", 30 * 60
    )
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=False)

# E-mail: EMAIL_URL (see citymgmt/env.py); unset means notifications stay in the in-app inbox.
EMAIL_SETTINGS = env_email("EMAIL_URL")
globals().update(EMAIL_SETTINGS)
EMAIL_ENABLED = bool(EMAIL_SETTINGS)
DEFAULT_FROM_EMAIL = EMAIL_SETTINGS.get("DEFAULT_FROM_EMAIL", "citymgmt@localhost")
EMAIL_SUBJECT_PREFIX = "[citymgmt] "

# Deadline reminders (cases/tasks.py): "due soon" when the ticket's warn_at passes (80% of the
# time used, cases/deadlines.py), "overdue" at the deadline, and an escalation to the command
# centre once this fraction of the time is used.
CITYMGMT_ESCALATE_FRACTION = float(env_str("CITYMGMT_ESCALATE_FRACTION", "1.5"))
# How many reminder rows one scan writes in a transaction (the rest follow in the same run).
CITYMGMT_REMINDER_BATCH = env_int("CITYMGMT_REMINDER_BATCH", 200)
# E-mail delivery: attempts before giving up, and the first retry's delay (doubling after).
CITYMGMT_EMAIL_MAX_RETRIES = env_int("CITYMGMT_EMAIL_MAX_RETRIES", 5)
CITYMGMT_EMAIL_RETRY_SECONDS = env_int("CITYMGMT_EMAIL_RETRY_SECONDS", 60)

# The outbox (SMS, residents' e-mails, 12345 write-backs, webhooks): attempts before a message
# is marked failed, and the first retry's delay (doubling after each failure, at most 6 hours).
CITYMGMT_OUTBOX_MAX_ATTEMPTS = env_int("CITYMGMT_OUTBOX_MAX_ATTEMPTS", 8)
CITYMGMT_OUTBOX_RETRY_SECONDS = env_int("CITYMGMT_OUTBOX_RETRY_SECONDS", 30)

# Webhooks: an endpoint failing for this long is switched off and the admins told.
CITYMGMT_WEBHOOK_DISABLE_AFTER_HOURS = env_int("CITYMGMT_WEBHOOK_DISABLE_AFTER_HOURS", 24)

# SMS: SMS_URL (console://, file:///DIR, aliyun://…, tencent://…); unset means no SMS.
SMS_URL = env_str("SMS_URL")

# Per-IP limits on what anyone may do without an account (django-ratelimit rates, e.g. "5/10m").
# Reports filed from the public form, and its posts counted however they end (errors too):
CITYMGMT_RATE_REPORT = env_rate("CITYMGMT_RATE_REPORT", "5/10m")
CITYMGMT_RATE_REPORT_POSTS = env_rate("CITYMGMT_RATE_REPORT_POSTS", "20/10m")
# Looking up a tracking code by ticket number and phone digits, and asking for erasure (every
# POST counted, typos too: both guess at someone else's report):
CITYMGMT_RATE_CODE_LOOKUP = env_rate("CITYMGMT_RATE_CODE_LOOKUP", "10/h")
CITYMGMT_RATE_ERASURE = env_rate("CITYMGMT_RATE_ERASURE", "10/h")
# The complaint form's "same problem nearby?" offer (asked as the resident taps the map):
CITYMGMT_RATE_NEARBY = env_rate("CITYMGMT_RATE_NEARBY", "60/10m")
# Open311 requests without an API key (a client with a key has its own rate, set in the admin):
CITYMGMT_RATE_OPEN311 = env_rate("CITYMGMT_RATE_OPEN311", "120/m")

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "citymgmt.api_errors.AutoSchema",
    "DEFAULT_PARSER_CLASSES": [
        "citymgmt.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Tokens are issued and revoked in the admin; first, so a bad one is a 401.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["citymgmt.rest.SingleValueFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "citymgmt.rest.NewestFirstCursor",
    "PAGE_SIZE": 50,
    # One error body for every answer (drf-standardized-errors), see citymgmt/rest.py.
    "EXCEPTION_HANDLER": "drf_standardized_errors.handler.exception_handler",
}
DRF_STANDARDIZED_ERRORS = {
    "EXCEPTION_HANDLER_CLASS": "citymgmt.api_errors.ApiExceptionHandler",
    # Each operation's schema lists those of these it can answer (citymgmt.api_errors.AutoSchema).
    "ALLOWED_ERROR_STATUS_CODES": [
        "400",
        "401",
        "403",
        "404",
        "405",
        "406",
        "409",
        "413",
        "415",
        "429",
        "500",
    ],
    "ERROR_SCHEMAS": {
        "400": "citymgmt.rest.Error400",
        "409": "citymgmt.rest.Error409",
        "413": "citymgmt.rest.Error413",
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "citymgmt API",
    "DESCRIPTION": (
        "Casework of the city's urban management bureau (城管进社区): tickets and their "
        "workflow, places and unit grids, officers and postings, patrols and daily logs, "
        "notifications. Authenticate "
        "with a session or with `Authorization: Token <key>`; every list and object is scoped "
        "to the user exactly as in the web pages, and anything out of scope is a 404. "
        "Open311 GeoReport v2 clients use /open311/v2/ instead. Every error is one JSON body: "
        '`{"type": "validation_error" | "client_error" | "server_error", "errors": [{"code", '
        '"detail", "attr"}]}`, where `attr` names the field (null when none); each operation '
        "lists the statuses it can answer."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "TicketStateEnum": "cases.models.State",
        "RejectReasonEnum": "cases.models.RejectReason",
        "OutreachKindEnum": "patrols.models.OutreachKind",
        "AssessmentRunStatusEnum": "assessments.models.RunStatus",
        "LogStatusEnum": "patrols.models.LogStatus",
        # A ticket's source, and the sources staff intake may give (cases.api: never "api").
        "TicketSourceEnum": "cases.models.Source",
        "IntakeSourceEnum": "cases.forms.INTAKE_SOURCES",
        # GeoJSON's "type": "Feature" of grids and patrol tracks: one enum, named, not a hash.
        "FeatureTypeEnum": ["Feature"],
        # drf-standardized-errors' error bodies (citymgmt.rest's 400 has two kinds).
        "Error400TypeEnum": [
            ("validation_error", "Validation Error"),
            ("client_error", "Client Error"),
        ],
        **{
            name: f"drf_standardized_errors.openapi_serializers.{name}.choices"
            for name in [
                "ValidationErrorEnum",
                "ClientErrorEnum",
                "ServerErrorEnum",
                *(f"ErrorCode{code}Enum" for code in (401, 403, 404, 405, 406, 415, 429, 500)),
            ]
        },
    },
    "POSTPROCESSING_HOOKS": [
        "drf_standardized_errors.openapi_hooks.postprocess_schema_enums",
        "web.api_schema.describe",
    ],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Public site URL used in QR codes and printed cards; empty means "the host of the request".
SITE_URL = env_str("SITE_URL").rstrip("/")
# Map backgrounds (citymgmt/tiles.py): a preset (MAP_TILES=tianditu with TIANDITU_KEY, or amap)
# or a tile server of one's own (MAP_TILE_URL, with MAP_TILE_GCJ02 when it draws in GCJ-02, as
# most Chinese sources do: we store WGS84 and shift on display). None set: grid outlines on a
# plain background (no tile server offline, as in the demo).
MAP_TILE_URL = env_str("MAP_TILE_URL")
_tiles = tile_layers(
    preset=env_str("MAP_TILES"),
    tianditu_key=env_str("TIANDITU_KEY"),
    url=MAP_TILE_URL,
    gcj02=env_bool("MAP_TILE_GCJ02", default=False),
    attribution=env_str("MAP_TILE_ATTRIBUTION"),
)
MAP_TILE_LAYERS = _tiles.layers
MAP_TILE_GCJ02 = _tiles.gcj02
# Office hours that ticket deadlines count (citymgmt/workcalendar.py), on official working days.
CITYMGMT_WORKING_PERIODS = (
    (datetime.time(8, 30), datetime.time(12, 0)),
    (datetime.time(13, 30), datetime.time(17, 30)),
)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SAMESITE = "Lax"
# TLS ends at the proxy in front of gunicorn (docker-compose.yml), which says so in this header.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# The container's healthcheck calls these over plain HTTP from inside: never redirect them.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
# Preload is hard to undo (browsers ship the list): only when the operator asks for it.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=False)
if not SECURE_HSTS_PRELOAD:
    # check --deploy warns when preload is off; off is our deliberate default (see above).
    SILENCED_SYSTEM_CHECKS.append("security.W021")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Uploaded photos (citymgmt/images.py): the most pixels one may have. The page shrinks photos to
# at most 2048 px a side before sending them (4 Mpx); 16 Mpx still takes a phone's full-size
# photo from a client that does not, and bounds what decoding one costs (64 MiB, one at a time).
CITYMGMT_IMAGE_MAX_PIXELS = env_int("CITYMGMT_IMAGE_MAX_PIXELS", 16_000_000)
# Queue tabs and the unit's list count finished tickets (closed, rejected) only up to this many and
# show "10,000+" beyond it (cases/tab_counts.py): a count that never scans the whole casebook.
CASES_COUNT_CAP = env_int("CITYMGMT_COUNT_CAP", 10_000)
# No form takes more than 9 photos (a patrol finding: 3 + 3 before + 3 after); a post with more
# files is refused (400) before any is read.
DATA_UPLOAD_MAX_NUMBER_FILES = 10
# Hotspots (command/hotspots.py): a unit grid and a category where at least this many tickets
# were reported within this many days keep coming back: a case for 源头治理.
CITYMGMT_HOTSPOT_MIN_TICKETS = env_int("CITYMGMT_HOTSPOT_MIN_TICKETS", 3)
CITYMGMT_HOTSPOT_DAYS = env_int("CITYMGMT_HOTSPOT_DAYS", 30)

# A running assessment whose task gave no sign of life for this many seconds lost its worker: the
# page shows it interrupted and it can be started again (assessments/models.py).
CITYMGMT_ASSESSMENT_STALE_SECONDS = env_int("CITYMGMT_ASSESSMENT_STALE_SECONDS", 90)

# /readyz (ops/health.py) fails when no enabled periodic task has run for this long.
HEALTH_BEAT_MAX_AGE = datetime.timedelta(minutes=env_int("HEALTH_BEAT_MAX_AGE_MINUTES", 15))

# Every console line carries the request id (ops.middleware) or the Celery task id; one JSON
# object a line in production, plain text in the embedded default.
LOG_FORMAT = env_str("LOG_FORMAT", "text" if DEBUG else "json").strip().lower()
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or text, not {LOG_FORMAT!r}")

# PIPL: reporters' names and phones (and original photos) are removed this many months after a
# ticket is closed or rejected (privacy.services.anonymise_expired_contacts, daily).
CITYMGMT_CONTACT_RETENTION_MONTHS = env_int("CITYMGMT_CONTACT_RETENTION_MONTHS", 24)
if CITYMGMT_CONTACT_RETENTION_MONTHS < 1:
    raise ImproperlyConfigured("CITYMGMT_CONTACT_RETENTION_MONTHS must be at least 1")


# Content-Security-Policy (django-csp): our own static files only. No template has an inline
# script, event handler or style attribute (tests/citymgmt/test_csp.py keeps it so); Leaflet,
# Bootstrap and htmx set styles through the DOM, which CSP allows. The API's Swagger UI and ReDoc
# pages widen it for themselves (citymgmt/api_urls.py).
def _tile_source(url: str) -> str:
    """The CSP source of a Leaflet tile URL template: its scheme and host, with a ``{s}``
    subdomain label as CSP's leading wildcard (webrd0{s}.is.autonavi.com → *.is.autonavi.com)."""
    parts = urlsplit(url)
    labels = parts.hostname.split(".") if parts.hostname else []
    if not parts.scheme or not labels:
        raise ImproperlyConfigured(f"MAP_TILE_URL must be an absolute URL, not {url!r}")
    if "{" in labels[0]:
        labels[0] = "*"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{'.'.join(labels)}{port}"


_img_src = [SELF, "data:", "blob:"]
for _layer in MAP_TILE_LAYERS:
    if _tile_source(_layer["url"]) not in _img_src:
        _img_src.append(_tile_source(_layer["url"]))
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": _img_src,
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Failed logins (django-axes): after AXES_FAILURE_LIMIT failures for one username, or from one
# address, logins stop for AXES_COOLOFF_MINUTES; an administrator unlocks earlier in the admin
# (Axes › Access attempts: delete the row).
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_CLIENT_IP_CALLABLE = "citymgmt.client_ip.client_ip_or_none"
AXES_LOCKOUT_CALLABLE = "accounts.login_views.locked_out"
AXES_HTTP_RESPONSE_CODE = 429
# A success does not wipe the count: otherwise anyone with an account could reset the per-address
# count between guesses at other people's passwords. Failures age out after the cool-off.
AXES_RESET_ON_SUCCESS = False
AXES_SENSITIVE_PARAMETERS = ["password", "otp_token"]
# Second factor (django-otp): the issuer is the name the authenticator app shows.
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "徐州城管进社区")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_context": {"()": "ops.logs.RequestContextFilter"}},
    "formatters": {
        "json": {"()": "ops.logs.JsonFormatter"},
        "text": {
            "format": "%(asctime)s %(levelname)s %(name)s "
            "[req=%(request_id)s task=%(task_id)s] %(message)s"
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_context"],
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # django-axes announces itself at INFO in every process (each manage.py command).
    "loggers": {"axes.apps": {"level": "WARNING"}},
}
