"""The WSGI application, for `myotome serve` (granian) or any other WSGI server.

granian --interface wsgi --workers 2 myotome.clinic.wsgi:application

MYOTOME_TRUSTED_PROXY is applied here, whichever server runs the app: from that address
X-Forwarded-For, -Proto and -Host are believed (the client's address, HTTPS, the host
name); from any other they are removed before Django sees them, so that no client can
claim HTTPS or put another address in the audit log. It uses waitress's own translation,
the one `myotome serve` used when it ran waitress, so the rules have not changed.
"""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application
from waitress.proxy_headers import proxy_headers_middleware

from myotome.clinic import config, sqlite_locks

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "myotome.clinic.settings")
sqlite_locks.watch()
application = proxy_headers_middleware(
    get_wsgi_application(),
    trusted_proxy=config.trusted_proxy(),
    trusted_proxy_count=1,
    trusted_proxy_headers={"x-forwarded-for", "x-forwarded-proto", "x-forwarded-host"},
    clear_untrusted=True,
)
