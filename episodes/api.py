"""The episodes API: police reports in (one feed row as JSON, through the same intake as the feed
file), episodes out (scoped like the pages)."""

import datetime

import django_filters
from django.db.models import DateTimeField, DurationField, ExpressionWrapper, F, Prefetch, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import serializers, status, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import JSONParser
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from missing.api import IsVerifiedUser
from privacy.api import AccessLogged

from . import feed, services
from .authentication import ApiKeyAuthentication, key_refusal
from .models import ApiKey, Category, Episode, EpisodeState, RiskLevel, SafeAndWellCheck, Source
from .permissions import can_record_report, report_refusal

# --- Episodes out ------------------------------------------------------------------------------


class ChildSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="full_name")


class LocalAuthoritySummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class EpisodeListSerializer(serializers.ModelSerializer):
    child = ChildSummarySerializer()
    force = serializers.CharField(source="force.code", allow_null=True, default=None)
    local_authority = LocalAuthoritySummarySerializer()
    duration_hours = serializers.FloatField(allow_null=True, help_text="Returned − last seen; null while missing.")

    class Meta:
        model = Episode
        fields = [
            "id",
            "state",
            "category",
            "risk_level",
            "whereabouts_known",
            "last_seen_at",
            "reported_at",
            "returned_at",
            "duration_hours",
            "child",
            "force",
            "force_reference",
            "local_authority",
            "version",
        ]


class ReclassificationSerializer(serializers.Serializer):
    field = serializers.CharField()
    to = serializers.CharField(source="to_value")
    changed_at = serializers.DateTimeField()
    reason = serializers.CharField()

    def get_fields(self):
        fields = super().get_fields()
        # "from" is a Python keyword, so it cannot be declared above.
        fields["from"] = serializers.CharField(source="from_value")
        return {name: fields[name] for name in ("field", "from", "to", "changed_at", "reason")}


class SafeAndWellSerializer(serializers.Serializer):
    held_at = serializers.DateTimeField(allow_null=True)
    outcome = serializers.CharField()
    harm_disclosed = serializers.CharField()
    not_held_reason = serializers.CharField()


class EpisodeDetailSerializer(EpisodeListSerializer):
    linked = serializers.SerializerMethodField(help_text="Episodes of children who went missing with this one.")
    reclassifications = ReclassificationSerializer(many=True)
    safe_and_well = serializers.SerializerMethodField()

    class Meta(EpisodeListSerializer.Meta):
        fields = [
            *EpisodeListSerializer.Meta.fields,
            "missing_from",
            "missing_from_postcode",
            "last_seen_location",
            "found_location",
            "found_postcode",
            "return_method",
            "cse_concern",
            "linked",
            "reclassifications",
            "safe_and_well",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_linked(self, episode) -> list[int]:
        # Only the linked episodes the reader may see (the queryset prefetches them scoped).
        return [other.pk for other in episode.visible_linked]

    @extend_schema_field(SafeAndWellSerializer(allow_null=True))
    def get_safe_and_well(self, episode):
        try:
            return SafeAndWellSerializer(episode.safe_and_well).data
        except SafeAndWellCheck.DoesNotExist:
            return None


def visible_episodes(request):
    """What the caller may read: a person's scope; for a key (after it sent a report), its force."""
    if isinstance(request.auth, ApiKey):
        return Episode.objects.filter(force_id=request.auth.agency_id)
    return Episode.objects.visible_to(request.user)


def add_episode_detail_field(name: str, field: serializers.Field) -> None:
    """The extension point for apps built on episodes (return interviews, escalations): each adds
    its part of the episode detail from its own side, in its AppConfig.ready. The field is made
    with `source="*", read_only=True`: it gets the whole episode, and the request in its context,
    and must show only what the reader may see."""
    if name in EpisodeDetailSerializer._declared_fields:
        return
    if field.source != "*" or not field.read_only:
        raise ValueError(f"The episode detail field {name!r} must be read-only with source='*'.")
    EpisodeDetailSerializer._declared_fields[name] = field
    EpisodeDetailSerializer.Meta.fields = [*EpisodeDetailSerializer.Meta.fields, name]


def detail_queryset(visible):
    return visible.select_related("child", "force", "local_authority", "safe_and_well").prefetch_related(
        "reclassifications", Prefetch("linked", queryset=visible.only("pk"), to_attr="visible_linked")
    )


def _uk_midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), tzinfo=feed.UK)


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.NumberFilter):
    pass


class EpisodeFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=EpisodeState.choices)
    local_authority = IdFilter(field_name="local_authority_id", help_text="Local authority id.")
    category = django_filters.ChoiceFilter(choices=Category.choices)
    risk_level = django_filters.ChoiceFilter(choices=RiskLevel.choices)
    last_seen_from = django_filters.DateFilter(
        method="filter_last_seen_from", help_text="Last seen on or after this day (UK time)."
    )
    last_seen_to = django_filters.DateFilter(
        method="filter_last_seen_to", help_text="Last seen on or before this day (UK time)."
    )
    child = IdFilter(field_name="child_id", help_text="Child id.")
    ordering = django_filters.OrderingFilter(
        fields=(("last_seen_at", "last_seen_at"), ("time_missing", "duration")),
        help_text="last_seen_at or duration (time missing so far while still missing); '-' for descending.",
    )

    class Meta:
        model = Episode
        fields = []

    def filter_last_seen_from(self, queryset, name, value):
        return queryset.filter(last_seen_at__gte=_uk_midnight(value))

    def filter_last_seen_to(self, queryset, name, value):
        return queryset.filter(last_seen_at__lt=_uk_midnight(value + datetime.timedelta(days=1)))


class ReadsNeedAPerson(IsVerifiedUser):
    """Episodes are read by signed-in people (with MFA); an API key only sends police reports."""

    def has_permission(self, request, view):
        if isinstance(request.auth, ApiKey):
            self.message = "An API key can only send police reports: reading episodes needs a signed-in person."
            return False
        return super().has_permission(request, view)


NOT_A_PERSON = OpenApiResponse(
    description="Not signed in with two-factor authentication, or an API key (keys cannot read)."
)
NOT_IN_SCOPE = OpenApiResponse(description="No such episode, or not one you may see.")
BAD_FILTER = OpenApiResponse(OpenApiTypes.OBJECT, description="A filter value cannot be read.")


@extend_schema_view(
    list=extend_schema(responses={200: EpisodeListSerializer(many=True), 400: BAD_FILTER, 403: NOT_A_PERSON}),
    retrieve=extend_schema(responses={200: EpisodeDetailSerializer, 403: NOT_A_PERSON, 404: NOT_IN_SCOPE}),
)
# Keys are recognised here only to be refused; reading is for people signed in.
@extend_schema(tags=["episodes"], auth=[{"cookieAuth": []}])
class EpisodeViewSet(AccessLogged, viewsets.ReadOnlyModelViewSet):
    """Episodes of the children the signed-in user may see; any other id answers 404."""

    authentication_classes = [SessionAuthentication, ApiKeyAuthentication]
    permission_classes = [ReadsNeedAPerson]
    filterset_class = EpisodeFilter
    access_what = "episode"

    def access_subjects(self, obj) -> list[dict]:
        return [{"child": obj.child_id, "episode": obj.pk}]

    def get_serializer_class(self):
        return EpisodeDetailSerializer if self.action == "retrieve" else EpisodeListSerializer

    def get_queryset(self):
        visible = Episode.objects.visible_to(self.request.user)
        if self.action == "retrieve":
            return detail_queryset(visible)
        time_missing = ExpressionWrapper(
            Coalesce("returned_at", Value(timezone.now(), output_field=DateTimeField())) - F("last_seen_at"),
            output_field=DurationField(),
        )
        return (
            visible.select_related("child", "force", "local_authority")
            .annotate(time_missing=time_missing)
            .order_by("-last_seen_at", "-pk")
        )


# --- Police reports in -------------------------------------------------------------------------

TEXT_COLUMN_HELP = "Text, as in the police feed CSV (shared spec); null or absent means blank."


@extend_schema_field(
    {
        "oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}],
        "description": "force_reference values of the same force: text separated by ';', or a list.",
    }
)
class CompanionsField(serializers.Field):
    """`went_missing_with` as the feed has it ('a;b') or as a JSON list of references."""

    default_error_messages = {"invalid": "Give references as text separated by ';' or as a list of text."}

    def to_internal_value(self, data):
        if isinstance(data, str):
            return data
        if isinstance(data, list) and all(isinstance(item, str) for item in data):
            return ";".join(data)
        self.fail("invalid")

    def to_representation(self, value):
        return value


def _column_field(column: str) -> serializers.Field:
    required = column in feed.REQUIRED
    if column == "went_missing_with":
        return CompanionsField(required=False, allow_null=True)
    return serializers.CharField(
        required=required,
        allow_null=True,
        allow_blank=True,
        trim_whitespace=False,
        error_messages={"required": "is required", "invalid": "must be text"},
        help_text=("Required. " if required else "") + TEXT_COLUMN_HELP,
    )


class PoliceReportInputSerializer(serializers.Serializer):
    """One row of the police feed: the same field names as the CSV columns."""

    version = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        help_text="The episode version you last read: if the episode changed since, the report is refused (409).",
    )

    def get_fields(self):
        fields = {column: _column_field(column) for column in feed.COLUMNS}
        fields.update(super().get_fields())
        return fields

    def row(self) -> dict[str, str]:
        return {column: self.validated_data.get(column) or "" for column in feed.COLUMNS}

    def ignored(self) -> list[str]:
        """Fields that are not feed columns: ignored, and named (as the feed names extra columns)."""
        return [f"{name}: not a police feed field; ignored" for name in self.initial_data if name not in self.fields]


class EpisodeOutcomeSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=["created", "updated", "unchanged"])
    episode = EpisodeDetailSerializer()
    warnings = serializers.ListField(child=serializers.CharField())


class HeldOutcomeSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=["held for matching"])
    held_report = serializers.IntegerField(help_text="The record waiting for a coordinator to confirm the child.")
    warnings = serializers.ListField(child=serializers.CharField())


ROW_ERRORS = inline_serializer(
    "PoliceReportErrors",
    {"errors": serializers.DictField(child=serializers.ListField(child=serializers.CharField()))},
)
CONFLICT = inline_serializer(
    "EpisodeConflict",
    {
        "detail": serializers.CharField(),
        "version": serializers.IntegerField(help_text="The episode's version now."),
        "changes": inline_serializer(
            "EpisodeChange",
            {"field": serializers.CharField(), "then": serializers.CharField(), "now": serializers.CharField()},
            many=True,
        ),
    },
)


class MaySendPoliceReports(BasePermission):
    """A partner system's key, or a signed-in person (with MFA) whose role records police reports.
    Whether this caller may send this particular row is decided once the row is read."""

    message = "Sign in with two-factor authentication as a police SPOC, coordinator or manager, or send an API key."

    def has_permission(self, request, view):
        if isinstance(request.auth, ApiKey):
            return True
        return IsVerifiedUser().has_permission(request, view) and can_record_report(request.user)


@extend_schema(tags=["police reports"])
class PoliceReportView(APIView):
    """Send one police record (the latest state of a force's missing-person record), as one row of
    the police feed. The same rules as the feed file apply; the record is created, updated or left
    unchanged, matched by force and force_reference."""

    # The key first, so a request with no credentials answers 401 with `WWW-Authenticate: Api-Key`.
    authentication_classes = [ApiKeyAuthentication, SessionAuthentication]
    permission_classes = [MaySendPoliceReports]
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="police_reports_create",
        request=PoliceReportInputSerializer,
        responses={
            201: OpenApiResponse(EpisodeOutcomeSerializer, description="A new episode was created."),
            200: OpenApiResponse(EpisodeOutcomeSerializer, description="The episode was updated, or was unchanged."),
            202: OpenApiResponse(
                HeldOutcomeSerializer,
                description="The child could not be matched with certainty: held for a coordinator to confirm.",
            ),
            400: OpenApiResponse(ROW_ERRORS, description="The row breaks the feed's rules; nothing was written."),
            401: OpenApiResponse(OpenApiTypes.OBJECT, description="No API key or session, or a bad or revoked key."),
            403: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="The key is for another force, or the person may not send reports for this record.",
            ),
            409: OpenApiResponse(CONFLICT, description="The episode changed since `version`; nothing was written."),
        },
    )
    def post(self, request):
        """1. Read the JSON into a feed row (the CSV's columns, as text).
        2. A key refuses another force's row before anything else is said about it.
        3. Read the row by the feed's rules: every broken rule is a 400 naming its field.
        4. A person sends for their own force, or for their council's area.
        5. The intake: created, updated, unchanged or held; a stale `version` is a 409.
        """
        data = PoliceReportInputSerializer(data=request.data)
        if not data.is_valid():
            return Response({"errors": _as_lists(data.errors)}, status=status.HTTP_400_BAD_REQUEST)
        row, lookups = data.row(), feed.Lookups()
        key = request.auth if isinstance(request.auth, ApiKey) else None
        force = lookups.force(row["force"])
        if key is not None and force is not None and (refusal := key_refusal(key, force)):
            raise PermissionDenied(refusal)
        # Line 0: a request has no line number, so history and reclassifications name only the sender.
        report, errors = feed.parse_report(row, line=0, lookups=lookups)
        if errors:
            return Response({"errors": {e.column: [e.reason] for e in errors}}, status=status.HTTP_400_BAD_REQUEST)
        if key is None and (refusal := report_refusal(request.user, report.force, report.local_authority)):
            column, reason = refusal
            raise PermissionDenied(f"{column} {reason}.")
        source = services.IntakeSource(
            Source.API,
            f"Police API, key {key.name}" if key else f"Police API, {request.user}",
            None if key else request.user,
        )
        try:
            (outcome,) = services.intake_reports(
                reports=[report], source=source, expected_version=data.validated_data.get("version")
            )
        except services.EpisodeConflict as conflict:
            return _conflict_response(conflict)
        return _outcome_response(
            request, outcome, warnings=data.ignored() + [w.removeprefix("line 0: ") for w in report.warnings]
        )


def _as_lists(errors) -> dict[str, list[str]]:
    return {column: [str(reason) for reason in reasons] for column, reasons in errors.items()}


def _conflict_response(conflict: services.EpisodeConflict) -> Response:
    return Response(
        {
            "detail": "The episode changed since the version you read; nothing was saved.",
            "version": conflict.episode.version,
            "changes": [{"field": field, "then": then, "now": now} for field, then, now in conflict.changes],
        },
        status=status.HTTP_409_CONFLICT,
    )


def _outcome_response(request, outcome: services.IntakeOutcome, *, warnings: list[str]) -> Response:
    if outcome.outcome == services.Outcome.HELD:
        return Response(
            {"outcome": str(outcome.outcome), "held_report": outcome.held.pk, "warnings": warnings},
            status=status.HTTP_202_ACCEPTED,
        )
    episode = detail_queryset(visible_episodes(request)).filter(pk=outcome.episode.pk).first()
    return Response(
        {
            "outcome": str(outcome.outcome),
            # A council sender may not see the child the record matched: then only the episode's id.
            "episode": EpisodeDetailSerializer(episode).data if episode else {"id": outcome.episode.pk},
            "warnings": warnings,
        },
        status=status.HTTP_201_CREATED if outcome.outcome == services.Outcome.CREATED else status.HTTP_200_OK,
    )
