"""The product as gunicorn serves it, plus one empty view behind the same middleware: the
reference of the HTTP throughput benchmark (benchmarks/bench_http.py)."""

import os

import django
from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "missing.settings")
django.setup()
settings.ROOT_URLCONF = "benchmarks.http_urls"

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
