"""Sessions in the database, as Django keeps them, read with a query compiled once.

Every request reads its session by key; Django's store builds that query anew each time
(myotome.clinic.prepared says why that matters). Expiry is checked here as Django's store
checks it in SQL: a session past its expiry date is no session.
"""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.utils import timezone

from myotome.clinic.prepared import Prepared

_BY_KEY = Prepared(lambda key: Session.objects.filter(session_key=key), str)


class SessionStore(db.SessionStore):
    def _get_session_from_db(self) -> Any:
        key = self.session_key
        session = _BY_KEY.first(key) if key else None
        if session is None or session.expire_date <= timezone.now():
            self._session_key = None
            return None
        return session
