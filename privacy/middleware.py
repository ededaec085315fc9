"""One access log row per request that read case data (privacy.services), and the restricted
record page in place of a 404 for those in the child's scope."""

from .services import REQUEST_ID_HEADER, OutOfScope, access_log_write, access_refused, request_id_of


class AccessLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request_id_of(request)
        response = self.get_response(request)
        # Written before the response leaves: a read that cannot be logged is not served.
        access_log_write(request, status_code=response.status_code)
        response[REQUEST_ID_HEADER] = str(request_id)
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, OutOfScope):
            refusal = access_refused(request, model=exception.model, pk=exception.pk)
            if refusal is not None:
                from .views import restricted_record_page

                # Someone in the child's scope is told the record is restricted, and may break the glass.
                return restricted_record_page(request, child_id=refusal.child_id)
        return None  # answered as any other 404
