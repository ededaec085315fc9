"""The address of a record's page, for lists that link every row to one (the tasking page links
about a hundred). Django's `reverse` matches the URL patterns again for each row, about 40 µs a
link; here the address is reversed once per request for each kind of record, around a
placeholder, and each row's id put in its place (docs/benchmarks.md, "Less Python on the
tasking page")."""

from django.urls import reverse

from .requestmemo import once_per_request

# Stands in for the record's id while the address is reversed; no pattern holds it otherwise.
_PLACEHOLDER = "7314159265358979"


def record_url(name: str, pk: int) -> str:
    """`reverse(name, args=[pk])` for a URL pattern that takes one integer id."""
    before, after = once_per_request(("record url", name), lambda: _around_the_id(name))
    return f"{before}{int(pk)}{after}"


def _around_the_id(name: str) -> tuple[str, str]:
    before, after = reverse(name, args=[int(_PLACEHOLDER)]).split(_PLACEHOLDER)
    return before, after
