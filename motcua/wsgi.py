import gc
import os
from importlib import import_module

from django.conf import settings
from django.core.wsgi import get_wsgi_application

from motcua.lib.env import refuse_unsafe_start

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
application = get_wsgi_application()
refuse_unsafe_start()

# Every view and what it imports is loaded now rather than on the first request: that request
# does not wait for it, and it is frozen below with the rest.
import_module(settings.ROOT_URLCONF)

# What is loaded by now (Django, the apps, every library: some 220,000 objects) lives as long as
# the worker. Frozen, it is left out of the garbage collector's full passes, each of which would
# otherwise walk all of it while a request waits (about a tenth of a second on a server core).
gc.collect()
gc.freeze()
