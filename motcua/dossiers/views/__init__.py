"""Dossier pages, one module per face: ``counter`` (/quay/), ``backoffice`` (/xu-ly/),
``tracking`` (/tra-cuu/, public) and ``printing`` (the legal forms as PDF). Each module keeps
its own ``urlpatterns``; ``motcua/dossiers/urls.py`` mounts them."""
