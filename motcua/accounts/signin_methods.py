"""How the current session signed in (the dossier records a national-identity sign-in, indicator 4.5)."""

SESSION_KEY = "motcua_signin_method"
NATIONAL_IDENTITY = "national_identity"
PASSWORD = "password"


def signed_in_with_national_identity(request) -> bool:
    return request.session.get(SESSION_KEY) == NATIONAL_IDENTITY
