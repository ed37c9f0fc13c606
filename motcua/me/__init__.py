"""The citizen's API for the mobile app (``/api/v1/me/…``) and the OAuth 2.0 authorisation
server that issues its tokens (django-oauth-toolkit at ``/o/…``); README "API cho ứng dụng di
động"."""
