"""Homeward project configuration: settings, URLs, the Celery app, WSGI and ASGI entry points."""

from .celery import app as celery_app
from .text import install_form_validator

install_form_validator()

__all__ = ("celery_app",)
