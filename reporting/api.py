"""The dashboard's figures as JSON: the same numbers as the page, for the same readers, in the
same scope. It names no child, so analysts may use it too."""

from django.http import Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.response import Response
from rest_framework.views import APIView

from missing.api import IsVerifiedUser
from privacy.models import AccessKind
from privacy.services import note_access

from . import dashboard, suppression
from .dashboard_views import DashboardFilterForm

# The API's parameter names for the dashboard form's fields.
PARAMETERS = {"local_authority": "local_authority", "from": "period_from", "to": "period_to"}
FIELDS = {form_field: parameter for parameter, form_field in PARAMETERS.items()}


WITHHELD = (
    f"Null when withheld: for readers who see figures only (analysts), counts from 1 to "
    f"{suppression.SMALLEST_SHOWN - 1}, and a further count that would give one away, are withheld."
)


class PeriodSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()


class FigureSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="What the figure counts: episodes, children, repeat, missing, …")
    label = serializers.CharField()
    value = serializers.IntegerField(allow_null=True, help_text=WITHHELD)
    previous = serializers.IntegerField(
        allow_null=True, help_text="The value in the previous period of equal length. " + WITHHELD
    )
    change = serializers.IntegerField(allow_null=True, help_text="Null when either value is withheld.")
    percent = serializers.IntegerField(allow_null=True, help_text="Of the completed interviews, where given.")


class RowSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField(allow_null=True, help_text=WITHHELD)
    children = serializers.IntegerField(allow_null=True, help_text=WITHHELD)


class BreakdownSerializer(serializers.Serializer):
    measure = serializers.CharField()
    title = serializers.CharField()
    counts = serializers.ChoiceField(choices=["episodes", "interviews"])
    rows = RowSerializer(many=True)


class SummarySerializer(serializers.Serializer):
    local_authorities = serializers.SerializerMethodField()
    period = PeriodSerializer(source="filters")
    previous_period = PeriodSerializer(source="previous")
    headlines = FigureSerializer(many=True)
    interviews = FigureSerializer(many=True)
    breakdowns = BreakdownSerializer(many=True)
    suppressed = serializers.BooleanField(
        help_text="True when small counts are withheld (for readers who see figures only, never names)."
    )
    counted_at = serializers.DateTimeField(
        allow_null=True,
        help_text="When the figures were counted, if they are the figures kept for readers of many "
        "authorities (counted again every few minutes); null when counted for this request.",
    )

    def get_local_authorities(self, board) -> list[int]:
        return list(board.filters.authorities)


BAD_PARAMETERS = OpenApiResponse(
    {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
    description="A parameter cannot be read: each field with what is wrong.",
)


@extend_schema(
    tags=["reports"],
    auth=[{"cookieAuth": []}],
    parameters=[
        OpenApiParameter(
            "local_authority",
            OpenApiTypes.INT,
            description="One of your local authorities (its id); all of them when left out.",
        ),
        OpenApiParameter(
            "from", OpenApiTypes.DATE, description="First UK day of the period; with `to`. Default: last full month."
        ),
        OpenApiParameter("to", OpenApiTypes.DATE, description="Last UK day of the period, included; with `from`."),
    ],
    responses={
        200: SummarySerializer,
        400: BAD_PARAMETERS,
        403: OpenApiResponse(description="Not signed in with two-factor authentication."),
        404: OpenApiResponse(description="You do not read the dashboard (only coordinators, managers and analysts)."),
    },
)
class SummaryView(APIView):
    """The manager dashboard's figures for a period (default: the last full month) and one or
    all of your local authorities, with the previous period of equal length. The same numbers
    and the same scope as the dashboard page; no child is named."""

    authentication_classes = [SessionAuthentication]
    permission_classes = [IsVerifiedUser]

    def get(self, request):
        authorities = dashboard.dashboard_authorities(request.user)
        if not authorities:
            raise Http404("No dashboard for you")
        data = {PARAMETERS[name]: value for name, value in request.query_params.items() if name in PARAMETERS}
        form = DashboardFilterForm(data or None, authorities=authorities, today=timezone.localdate())
        filters = form.filters()
        if filters is None:
            errors = {FIELDS.get(field, field): messages for field, messages in form.errors.items()}
            return Response(errors, status=400)
        board = dashboard.dashboard_for(request.user, filters)
        note_access(
            request,
            kind=AccessKind.API,
            what=f"dashboard summary, {filters.start:%d %b %Y} to {filters.end:%d %b %Y}",
        )
        return Response(SummarySerializer(board).data)
