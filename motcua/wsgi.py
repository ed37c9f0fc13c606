import os

from django.core.wsgi import get_wsgi_application

from motcua.lib.env import refuse_unsafe_start

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
application = get_wsgi_application()
refuse_unsafe_start()
