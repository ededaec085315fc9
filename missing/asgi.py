"""ASGI entry point (not used by the default deployment, which runs gunicorn's sync workers)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "missing.settings")

application = get_asgi_application()
