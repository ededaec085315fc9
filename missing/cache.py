"""The cache (Redis in production) holds only what can be lost: rate-limit counters and throttle
budgets. When Redis is down, Homeward keeps working (security battery S8): a read finds nothing,
a write is dropped, and the outage is logged once a minute, not on every request. Sessions and
the account lockout are in the database and are not affected."""

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

WARN_EVERY_SECONDS = 60


class ResilientRedisCache(RedisCache):
    _warned_at = 0.0

    def _unavailable(self, error: Exception, default=None):
        now = time.monotonic()
        if now - ResilientRedisCache._warned_at >= WARN_EVERY_SECONDS:
            ResilientRedisCache._warned_at = now
            logger.warning("The cache is unavailable (%s): carrying on without it", type(error).__name__)
        return default

    def _guard(self, method, *args, default=None, **kwargs):
        from redis.exceptions import ConnectionError, TimeoutError

        try:
            return method(*args, **kwargs)
        except (ConnectionError, TimeoutError, OSError) as error:
            return self._unavailable(error, default)

    def get(self, key, default=None, version=None):
        return self._guard(super().get, key, default, version, default=default)

    def get_many(self, keys, version=None):
        return self._guard(super().get_many, keys, version, default={})

    def has_key(self, key, version=None):
        return self._guard(super().has_key, key, version, default=False)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard(super().set, key, value, timeout, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        # As if added: callers take a lock with add() (allauth's rate limits) and must not wait
        # for a cache that is not there.
        return self._guard(super().add, key, value, timeout, version, default=True)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard(super().set_many, data, timeout, version, default=list(data))

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard(super().touch, key, timeout, version, default=False)

    def delete(self, key, version=None):
        return self._guard(super().delete, key, version, default=False)

    def delete_many(self, keys, version=None):
        return self._guard(super().delete_many, keys, version)

    def incr(self, key, delta=1, version=None):
        return self._guard(super().incr, key, delta, version, default=delta)
