"""How an API request proves who it is: the browser session (with the pages' own rules) or an
integration's bearer token. Used by the project API and by routers that name their auth."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer


class KaimenSession(APIKeyCookie):
    """The signed-in browser session, only once it has passed the second factor and has no
    password change pending (the same rules the pages enforce)."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None):
        from kaimen.org import scope
        from kaimen.org.middleware import password_expired

        user = request.user
        if not user.is_authenticated or password_expired(user):
            return None
        if scope.requires_second_factor(user) and not user.is_verified():
            return None
        return user


class KaimenToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        from kaimen.org.services import api_token_authenticate

        user = api_token_authenticate(token)
        if user is not None:
            request.user = user
        return user
