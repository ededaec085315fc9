"""The product's addresses and `/bench/empty/`, a view that does nothing (benchmarks/bench_http.py)."""

from django.http import HttpResponse
from django.urls import path

from missing.urls import urlpatterns as product


def empty(request):
    return HttpResponse("", content_type="text/plain")


urlpatterns = [path("bench/empty/", empty, name="bench_empty"), *product]
