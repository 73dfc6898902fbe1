"""Django settings for the Myotome clinic, all from the environment (see docs/deployment.md).

Values are read through the helpers in :mod:`myotome.clinic.config`, which raise a
``ConfigError`` naming the variable, the value and what would be right.
"""

from __future__ import annotations

import os
from pathlib import Path

from myotome.clinic import config, logs

PACKAGE_DIR = Path(__file__).resolve().parent
HOME = config.home_dir()

SECRET_KEY = config.read_secret_key(HOME)
DEBUG = config.env_bool("MYOTOME_DEBUG", False)
ALLOWED_HOSTS = config.env_list("MYOTOME_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = config.env_list("MYOTOME_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "myotome.clinic.accounts",
    "myotome.clinic.audit",
    "myotome.clinic.patients",
    "myotome.clinic.exams",
    "myotome.clinic.treatments",
    "myotome.clinic.documents",
    "myotome.clinic.outcomes",
    "myotome.clinic.analytics",
    "myotome.clinic.mfa",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages compressed (static files come compressed from WhiteNoise, above). Django's GZip pads
    # each response with random bytes against BREACH; Cache-Control (no-store) is left as set.
    "django.middleware.gzip.GZipMiddleware",
    "myotome.clinic.security.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before the idle timeout, which leaves a message for the login page.
    "django.contrib.messages.middleware.MessageMiddleware",
    "myotome.clinic.accounts.middleware.IdleTimeoutMiddleware",
    # A kiosk opened in this browser holds the staff session to the kiosk until the password (outcomes/lock.py).
    "myotome.clinic.outcomes.lock.KioskLockMiddleware",
    "myotome.clinic.accounts.middleware.ActiveClinicMiddleware",
    # After the active clinic: a clinic admin must have a second factor.
    "myotome.clinic.mfa.middleware.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "myotome.clinic.urls"
WSGI_APPLICATION = "myotome.clinic.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "myotome.clinic.accounts.context.active_clinic",
            ],
            # Dates and scores in one format on every page, without a {% load %} in each template.
            "builtins": ["myotome.clinic.patients.templatetags.clinic_format"],
        },
    },
]

DATABASES = {"default": config.database_settings(config.database_url(HOME))}
# A SQLite write that waited this long for the write lock is logged (sqlite_locks.py; 0: every write).
SQLITE_LOCK_LOG_MS = config.env_int("MYOTOME_SQLITE_LOCK_LOG_MS", 1000, minimum=0, maximum=600_000)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# -- authentication -----------------------------------------------------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# The throttling backend reserves a guess in the sign-in counters before checking a password.
AUTHENTICATION_BACKENDS = ["myotome.clinic.accounts.backends.ThrottledModelBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "day"
LOGOUT_REDIRECT_URL = "accounts:login"

# Sign-in throttling (docs/security.md): failures per account from unrecognised browsers and per
# recognised browser; failures per client address across accounts, sized for a clinic behind one NAT.
LOGIN_FAILURE_LIMIT = config.env_int("MYOTOME_LOGIN_FAILURES", 5, minimum=1, maximum=100)
LOGIN_ADDRESS_FAILURE_LIMIT = config.env_int("MYOTOME_LOGIN_ADDRESS_FAILURES", 50, minimum=1, maximum=100_000)
LOGIN_LOCK_MINUTES = config.env_int("MYOTOME_LOGIN_LOCK_MINUTES", 15, minimum=1, maximum=24 * 60)
DEVICE_COOKIE_DAYS = config.env_int("MYOTOME_DEVICE_COOKIE_DAYS", 90, minimum=1, maximum=400)
IDLE_MINUTES = config.env_int("MYOTOME_IDLE_MINUTES", 30, minimum=1, maximum=24 * 60)

# -- audit ------------------------------------------------------------------------
# Anonymous events (failed sign-ins, refused forms) kept as audit rows per address, hour and
# kind of event; beyond that they are only counted (docs/security.md, "The audit log").
AUDIT_ANONYMOUS_PER_HOUR = config.env_int("MYOTOME_AUDIT_ANONYMOUS_PER_HOUR", 50, minimum=1, maximum=100_000)

# -- outcome measures (docs/outcome-measures.md) ---------------------------------
# A kiosk link (a questionnaire handed to the patient on a clinic device) lasts this long, once;
# kiosk requests that are not a staff member's (posts, refused links) are bounded per address and hour.
KIOSK_LINK_MINUTES = config.env_int("MYOTOME_KIOSK_LINK_MINUTES", 30, minimum=1, maximum=24 * 60)
KIOSK_PER_HOUR = config.env_int("MYOTOME_KIOSK_PER_HOUR", 60, minimum=1, maximum=100_000)
# Licensed item wording the clinic loads (one <measure>.yaml a file); none is shipped.
_WORDING = os.environ.get("MYOTOME_OUTCOME_WORDING_DIR", "").strip()
if _WORDING and not Path(_WORDING).is_absolute():
    raise config.ConfigError(f"MYOTOME_OUTCOME_WORDING_DIR must be an absolute path, got {_WORDING!r}; write e.g. /srv/clinic/wording")
OUTCOME_WORDING_DIR = Path(_WORDING) if _WORDING else HOME / "wording"

# -- sessions, cookies and headers -------------------------------------------
# Sessions live in the database so that several app servers can share them.
SESSION_ENGINE = "myotome.clinic.accounts.session_store"  # Django's database sessions, read by a prepared query
SESSION_COOKIE_AGE = 12 * 60 * 60  # an absolute limit on top of the idle timeout
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
HTTPS = config.env_bool("MYOTOME_HTTPS", False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "myotome.clinic.security.csrf_failure"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)

# -- static files (served by WhiteNoise from MYOTOME_HOME/static) -------------
STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("MYOTOME_STATIC_ROOT", "") or HOME / "static")
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Files whose names carry a hash of their content (the body chart's sprite) never change:
# browsers may keep them for good. Others keep WhiteNoise's short default lifetime.
WHITENOISE_IMMUTABLE_FILE_TEST = r"chart-sprite\.[0-9a-f]{10}\.svg$"

LANGUAGE_CODE = "en-gb"
# Dates are shown and typed in one format, the clinic's: "d MMM yyyy" is 28 Nov 2026.
MYOTOME_DATE_FORMAT = config.env_choice("MYOTOME_DATE_FORMAT", "d MMM yyyy", config.DATE_FORMATS)
TIME_ZONE = os.environ.get("MYOTOME_TIME_ZONE", "") or "UTC"
USE_I18N = False
USE_TZ = True

# -- logging: paths only, never query strings, bodies or SQL parameters (myotome/clinic/logs.py) --
LOGGING = logs.logging_config()
