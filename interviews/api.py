"""The return interviews API (read only, scoped like the pages), and the return interview
summary the episode detail carries."""

import django_filters
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.authentication import SessionAuthentication

from missing.api import IsVerifiedUser
from privacy.api import AccessLogged

from .models import OPEN_STATUSES, ReturnInterview, Status, Triage


class ReturnInterviewSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Status.choices)
    due_at = serializers.DateTimeField()
    completed_at = serializers.DateTimeField(allow_null=True)
    within_72_hours = serializers.BooleanField(allow_null=True, help_text="Computed; null until completed.")
    triage = serializers.ChoiceField(choices=Triage.choices, source="effective_triage")


class ReturnInterviewSerializer(ReturnInterviewSummarySerializer):
    child = serializers.SerializerMethodField()
    episodes = serializers.SerializerMethodField()
    returned_at = serializers.DateTimeField()
    triage_reasons = serializers.ListField(child=serializers.CharField())
    triage_override_reason = serializers.CharField()
    worker = serializers.SerializerMethodField()
    allocated_at = serializers.DateTimeField(allow_null=True)
    outcome_at = serializers.DateTimeField(allow_null=True)
    breached = serializers.SerializerMethodField()
    record_state = serializers.SerializerMethodField()

    @extend_schema_field({"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}})
    def get_child(self, interview) -> dict:
        return {"id": interview.child_id, "name": interview.child.full_name}

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_episodes(self, interview) -> list[int]:
        return [episode.pk for episode in interview.episodes.all()]

    @extend_schema_field(
        {"type": "object", "nullable": True, "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}}
    )
    def get_worker(self, interview):
        return None if interview.worker is None else {"id": interview.worker_id, "name": str(interview.worker)}

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_breached(self, interview) -> bool:
        """Open past its due time, or an outcome recorded after it."""
        if interview.is_open:
            return interview.due_at <= timezone.now()
        return interview.outcome_at is not None and interview.outcome_at > interview.due_at

    @extend_schema_field(
        {"type": "string", "nullable": True, "enum": ["draft", "submitted", "returned", "authorised", None]}
    )
    def get_record_state(self, interview):
        record = getattr(interview, "record", None)
        return None if record is None else record.state


@extend_schema_field(ReturnInterviewSummarySerializer(allow_null=True))
class ReturnInterviewSummaryField(serializers.Field):
    """The episode's return interview, when the reader may see it (null otherwise)."""

    def to_representation(self, episode):
        request = self.context.get("request")
        interview = (
            ReturnInterview.objects.visible_to(request.user).filter(episodes=episode).order_by("-pk").first()
            if request is not None
            else None
        )
        return None if interview is None else ReturnInterviewSummarySerializer(interview).data


def extend_episode_detail() -> None:
    """Add "return_interview" to the episode detail from this side: episodes knows nothing of
    return interviews."""
    from episodes.api import add_episode_detail_field

    add_episode_detail_field("return_interview", ReturnInterviewSummaryField(source="*", read_only=True))


class ReturnInterviewFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Status.choices)
    worker = django_filters.NumberFilter(field_name="worker_id", help_text="The allocated worker's user id.")
    due_before = django_filters.IsoDateTimeFilter(
        field_name="due_at", lookup_expr="lt", help_text="Due before this time."
    )
    due_after = django_filters.IsoDateTimeFilter(
        field_name="due_at", lookup_expr="gte", help_text="Due at or after this time."
    )
    breached = django_filters.BooleanFilter(
        method="filter_breached", help_text="Open past the due time, or closed after it."
    )

    class Meta:
        model = ReturnInterview
        fields = []

    def filter_breached(self, queryset, name, value):
        from django.db.models import F, Q

        now = timezone.now()
        breached = Q(status__in=OPEN_STATUSES, due_at__lte=now) | Q(outcome_at__gt=F("due_at"))
        return queryset.filter(breached) if value else queryset.exclude(breached)


NOT_A_PERSON = OpenApiResponse(description="Not signed in with two-factor authentication.")
NOT_IN_SCOPE = OpenApiResponse(description="No such return interview, or not one you may see.")
BAD_FILTER = OpenApiResponse(OpenApiTypes.OBJECT, description="A filter value cannot be read.")


@extend_schema_view(
    list=extend_schema(responses={200: ReturnInterviewSerializer(many=True), 400: BAD_FILTER, 403: NOT_A_PERSON}),
    retrieve=extend_schema(responses={200: ReturnInterviewSerializer, 403: NOT_A_PERSON, 404: NOT_IN_SCOPE}),
)
@extend_schema(tags=["return interviews"], auth=[{"cookieAuth": []}])
class ReturnInterviewViewSet(AccessLogged, viewsets.ReadOnlyModelViewSet):
    """Return interviews the signed-in user may see; any other id answers 404."""

    authentication_classes = [SessionAuthentication]
    permission_classes = [IsVerifiedUser]
    serializer_class = ReturnInterviewSerializer
    filterset_class = ReturnInterviewFilter
    access_what = "return interview"

    def get_queryset(self):
        return (
            ReturnInterview.objects.visible_to(self.request.user)
            .select_related("child", "worker", "record")
            .prefetch_related("episodes")
            .order_by("due_at", "pk")
        )
