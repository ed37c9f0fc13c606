"""Reads of the mobile app's API that are its own (the dossiers are read through
``motcua.dossiers.selectors``)."""

from typing import Any

from motcua.me.models import AppSignin


def token_signed_in_with_national_identity(access_token: Any) -> bool:
    """Whether the citizen had signed in through the national identity when they let the app act
    for them (the authorisation this access token comes from)."""
    source = access_token.source_refresh_token  # a refreshed token: the refresh token it came from
    if source is None:
        source = getattr(access_token, "refresh_token", None)  # the first: issued with it
    if source is None or source.token_family is None:
        return False
    return AppSignin.objects.filter(token_family=source.token_family, national_identity=True).exists()
