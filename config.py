"""Settings, read from the environment (API.md lists them).

``APP_ENV`` picks the class: ``development`` (default), ``testing`` or ``production``.
"""

import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("INSTANCE_PATH", BASE_DIR / "instance"))

# The key earlier versions shipped in this file: published, so refused everywhere.
DEVELOPMENT_SECRET_KEY = "development-only-secret-key-change-me-0123456789"
SECRET_KEY_MIN_LENGTH = 32


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _seconds(name: str, default: int, maximum: int) -> int:
    value = int(os.environ.get(name, default))
    if not 0 < value <= maximum:
        raise RuntimeError(f"{name} must be between 1 and {maximum} seconds, not {value}.")
    return value


def secret_key_problem(key: str | None) -> str | None:
    """Why ``key`` cannot sign sessions and tokens, or None when it can."""
    if not key:
        return "SECRET_KEY is not set"
    if key == DEVELOPMENT_SECRET_KEY:
        return "SECRET_KEY is the published development key"
    if len(key) < SECRET_KEY_MIN_LENGTH:
        return f"SECRET_KEY is shorter than {SECRET_KEY_MIN_LENGTH} characters"
    return None


def check_secret_key(key: str | None) -> None:
    """Refuse to build an app whose cookies and tokens anyone could forge (docs/SECURITY.md)."""
    problem = secret_key_problem(key)
    if problem:
        raise RuntimeError(
            f"{problem}: anyone who knows the key can forge sessions and API tokens. "
            f"Set SECRET_KEY to a random value of at least {SECRET_KEY_MIN_LENGTH} characters, e.g. "
            "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`. Only `python run.py` "
            "serving on the loopback address makes a key of its own (instance/secret_key)."
        )


def database_url(url: str | None) -> str:
    """Return a SQLAlchemy URL; plain ``postgresql://`` URLs use psycopg 3."""
    if not url:
        return f"sqlite:///{INSTANCE_DIR / 'complaints.db'}"
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class Config:
    APP_ENV = "development"
    APP_NAME = "投诉处理管理系统"
    # No default: create_app refuses to start without a real key (check_secret_key);
    # `python run.py` on the loopback address makes one in instance/secret_key.
    SECRET_KEY = os.environ.get("SECRET_KEY") or None
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("DATABASE_URL"))
    # No ping on every checkout: app/extensions.py tests a connection only after 10 s idle.
    SQLALCHEMY_ENGINE_OPTIONS = {}
    REDIS_URL = os.environ.get("REDIS_URL") or None
    APP_TIMEZONE = os.environ.get("APP_TIMEZONE", "Asia/Shanghai")
    DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "demo")
    PORT = int(os.environ.get("PORT", "8080"))
    # The address `python run.py` listens on: this machine only, unless told otherwise.
    HOST = os.environ.get("HOST", "127.0.0.1")

    # Attached files live here, outside the database, under generated names.
    ATTACHMENT_FOLDER = os.environ.get("ATTACHMENT_FOLDER") or str(INSTANCE_DIR / "attachments")
    # Printable notices (公文): the organisation in the red header, the prefix of document
    # numbers, and a CJK font file (TrueType or OpenType, .ttc collections too) to embed.
    DOCUMENT_ISSUER = os.environ.get("DOCUMENT_ISSUER", "中国移动东莞分公司")
    DOCUMENT_NUMBER_PREFIX = os.environ.get("DOCUMENT_NUMBER_PREFIX", "东移")
    DOCUMENT_FONT = os.environ.get("DOCUMENT_FONT") or None

    MAIL_SERVER = os.environ.get("MAIL_SERVER") or None
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = _bool("MAIL_USE_TLS")
    MAIL_USE_SSL = _bool("MAIL_USE_SSL")
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "complaints@localhost")

    # Flask-AppBuilder
    AUTH_TYPE = 1  # AUTH_DB
    AUTH_ROLE_ADMIN = "Admin"
    AUTH_ROLE_PUBLIC = "Public"
    FAB_API_SWAGGER_UI = True
    FAB_ADD_SECURITY_API = False
    # Permissions are synced once, by `flask --app run complaints demo` or at the
    # first start of `python run.py`, never by every process (STACK.md: it races).
    FAB_UPDATE_PERMS = False
    FAB_SECURITY_MANAGER_CLASS = "app.security.ComplaintSecurityManager"
    FAB_INDEX_VIEW = "app.views.home.HomeView"
    FAB_BASE_TEMPLATE = "layout.html"
    BABEL_DEFAULT_LOCALE = "zh"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    LANGUAGES = {
        "zh": {"flag": "cn", "name": "中文"},
        "en": {"flag": "gb", "name": "English"},
    }
    # API tokens live an hour, refresh tokens a working day; neither may be set longer (docs/SECURITY.md).
    JWT_ACCESS_TOKEN_EXPIRES = _seconds("JWT_ACCESS_TOKEN_EXPIRES", 3600, maximum=8 * 3600)
    JWT_REFRESH_TOKEN_EXPIRES = _seconds("JWT_REFRESH_TOKEN_EXPIRES", 8 * 3600, maximum=24 * 3600)
    PERMANENT_SESSION_LIFETIME = 8 * 3600
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # Every change made with the session cookie carries the page's token (app/csrf.py),
    # valid as long as the session: a form kept open over lunch can still be saved.
    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None
    # Failed sign-ins per client address and per user name (case-folded), the sign-in
    # form and the API's token endpoint together, counted in the app's Redis (every
    # process shares the count); past the limit even the right password is refused
    # until the window passes. When Redis is down each process counts in its own
    # memory; any other limiter failure lets the request through. Flask-AppBuilder
    # leaves the limiter off unless told (RATELIMIT_ENABLED), and its own sign-in limit
    # is replaced by the app's (app.web_security.limit_sign_in).
    RATELIMIT_ENABLED = True
    AUTH_RATE_LIMIT = os.environ.get("AUTH_RATE_LIMIT", "10 per minute")
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True
    # Reverse proxies in front of the app whose X-Forwarded-For and -Proto to believe.
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
    # Passwords set in the forms: at least this long, with three kinds of character.
    FAB_PASSWORD_COMPLEXITY_ENABLED = True
    PASSWORD_MIN_LENGTH = int(os.environ.get("PASSWORD_MIN_LENGTH", "10"))
    HSTS_MAX_AGE = 0
    # Bulk import of the 10086 export: the largest file, its most rows, and the rows
    # imported within the request (more go to the queue, with a progress bar).
    IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", str(5 * 1024 * 1024)))
    IMPORT_MAX_ROWS = int(os.environ.get("IMPORT_MAX_ROWS", "5000"))
    IMPORT_INLINE_ROWS = int(os.environ.get("IMPORT_INLINE_ROWS", "200"))
    # Excel exports of a list: more rows than this are written by a worker, with a progress bar.
    EXPORT_INLINE_ROWS = int(os.environ.get("EXPORT_INLINE_ROWS", "2000"))
    # The most rows a page shows, on the list pages and in the API (docs/SECURITY.md).
    FAB_API_MAX_PAGE_SIZE = 100

    DEBUG = False
    TESTING = False


class DevConfig(Config):
    pass


class TestConfig(Config):
    APP_ENV = "testing"
    TESTING = True
    # Fast hashes keep the suite quick; production keeps FAB's scrypt.
    FAB_PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"
    DEMO_PASSWORD = "demo"
    # A key of this process's own: never one written down anywhere.
    SECRET_KEY = os.environ.get("SECRET_KEY") or secrets.token_urlsafe(48)


class ProdConfig(Config):
    APP_ENV = "production"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    HSTS_MAX_AGE = 365 * 24 * 3600

    @classmethod
    def check(cls) -> None:
        check_secret_key(os.environ.get("SECRET_KEY"))


CONFIGS = {"development": DevConfig, "testing": TestConfig, "production": ProdConfig}


def config_for(name: str | None = None) -> type[Config]:
    name = name or os.environ.get("APP_ENV", "development")
    try:
        config = CONFIGS[name]
    except KeyError:
        raise RuntimeError(f"APP_ENV must be one of {', '.join(CONFIGS)}, not {name!r}") from None
    if hasattr(config, "check"):
        config.check()
    return config
