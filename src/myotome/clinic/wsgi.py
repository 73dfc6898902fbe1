"""The WSGI application, for `myotome serve` (waitress) or any other WSGI server.

waitress-serve --port 8000 myotome.clinic.wsgi:application
"""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "myotome.clinic.settings")
application = get_wsgi_application()
