"""Values worked out once per request and forgotten when it ends (RequestMemoMiddleware): the
scope of the person asking, which every list on a page is filtered by, is the same for all of
them (docs/benchmarks.md, "Less query building on every page")."""

from collections.abc import Callable, Hashable
from contextvars import ContextVar

_memo: ContextVar[dict | None] = ContextVar("homeward_request_memo", default=None)


def once_per_request[T](key: Hashable, build: Callable[[], T]) -> T:
    """`build()`, or what it returned for `key` earlier in this request. Outside a request
    (Celery tasks, commands, services called directly) it is built every time."""
    memo = _memo.get()
    if memo is None:
        return build()
    if key not in memo:
        memo[key] = build()
    return memo[key]


class RequestMemoMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _memo.set({})
        try:
            return self.get_response(request)
        finally:
            _memo.reset(token)
