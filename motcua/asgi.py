import os

from django.core.asgi import get_asgi_application

from motcua.lib.env import refuse_unsafe_start

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
application = get_asgi_application()
refuse_unsafe_start()
