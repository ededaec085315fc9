"""The escalations and meetings API (read only, scoped like the pages), and the escalations the
episode detail carries."""

import django_filters
from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.authentication import SessionAuthentication

from missing.api import IsVerifiedUser
from privacy.api import AccessLogged

from . import rules, selectors
from .models import Escalation, LegalOption, Meeting, MeetingAction, MeetingRecord, MeetingState


class EscalationSummarySerializer(serializers.Serializer):
    rule = serializers.ChoiceField(choices=rules.RULE_CHOICES)
    fired_at = serializers.DateTimeField()
    acknowledged_at = serializers.SerializerMethodField()

    @extend_schema_field(
        {
            "type": "string",
            "format": "date-time",
            "nullable": True,
            "description": "When the reader acknowledged it, if it was sent to them; otherwise the "
            "first acknowledgement by anyone it was sent to; null until then.",
        }
    )
    def get_acknowledged_at(self, escalation):
        if hasattr(escalation, "acknowledged_at"):
            moment = escalation.acknowledged_at
        else:
            moment = selectors.acknowledged_at_for(escalation, self.context["request"].user)
        return None if moment is None else serializers.DateTimeField().to_representation(moment)


class EscalationSerializer(EscalationSummarySerializer):
    id = serializers.IntegerField()
    rule_name = serializers.CharField(source="get_rule_display")
    source = serializers.CharField(source="definition.source")
    response = serializers.CharField(source="definition.response")
    child = serializers.IntegerField(source="child_id")
    episode = serializers.IntegerField(source="episode_id", allow_null=True)
    reason = serializers.CharField()
    created_work = serializers.ListField(child=serializers.CharField(), help_text="What the firing created.")
    sent_to = serializers.SerializerMethodField()

    @extend_schema_field(
        {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "name": {"type": "string"},
                    "why": {"type": "string"},
                    "acknowledged_at": {"type": "string", "format": "date-time", "nullable": True},
                },
            },
        }
    )
    def get_sent_to(self, escalation) -> list[dict]:
        moment = serializers.DateTimeField()
        return [
            {
                "name": str(r.user),
                "why": r.why,
                "acknowledged_at": None if r.acknowledged_at is None else moment.to_representation(r.acknowledged_at),
            }
            for r in escalation.recipients.all()
        ]


@extend_schema_field(EscalationSummarySerializer(many=True))
class EscalationsField(serializers.Field):
    """The episode's escalations (the episode is in the reader's scope, so its child is)."""

    def to_representation(self, episode):
        request = self.context.get("request")
        if request is None:
            return []
        escalations = selectors.escalations_of(user=request.user, episode=episode)
        return EscalationSummarySerializer(escalations, many=True, context=self.context).data


def extend_episode_detail() -> None:
    """Add "escalations" to the episode detail from this side: episodes knows nothing of risk."""
    from episodes.api import add_episode_detail_field

    add_episode_detail_field("escalations", EscalationsField(source="*", read_only=True))


class EscalationFilter(django_filters.FilterSet):
    rule = django_filters.ChoiceFilter(choices=rules.RULE_CHOICES)
    child = django_filters.NumberFilter(field_name="child_id")
    episode = django_filters.NumberFilter(field_name="episode_id")
    to_acknowledge = django_filters.BooleanFilter(
        method="filter_to_acknowledge", help_text="Sent to you and not acknowledged by you yet."
    )
    fired_after = django_filters.IsoDateTimeFilter(field_name="fired_at", lookup_expr="gte")
    fired_before = django_filters.IsoDateTimeFilter(field_name="fired_at", lookup_expr="lt")

    class Meta:
        model = Escalation
        fields = []

    def filter_to_acknowledge(self, queryset, name, value):
        mine = queryset.filter(recipients__user=self.request.user, recipients__acknowledged_at__isnull=True)
        return mine if value else queryset.exclude(pk__in=mine.values("pk"))


NOT_A_PERSON = OpenApiResponse(description="Not signed in with two-factor authentication.")
NOT_IN_SCOPE = OpenApiResponse(description="No such escalation, or not one you may see.")
BAD_FILTER = OpenApiResponse(OpenApiTypes.OBJECT, description="A filter value cannot be read.")


@extend_schema_view(
    list=extend_schema(responses={200: EscalationSerializer(many=True), 400: BAD_FILTER, 403: NOT_A_PERSON}),
    retrieve=extend_schema(responses={200: EscalationSerializer, 403: NOT_A_PERSON, 404: NOT_IN_SCOPE}),
)
@extend_schema(tags=["escalations"], auth=[{"cookieAuth": []}])
class EscalationViewSet(AccessLogged, viewsets.ReadOnlyModelViewSet):
    """Escalations of the children the signed-in user may see; any other id answers 404."""

    authentication_classes = [SessionAuthentication]
    permission_classes = [IsVerifiedUser]
    serializer_class = EscalationSerializer
    filterset_class = EscalationFilter
    access_what = "escalation"

    def get_queryset(self):
        return selectors.with_recipients(Escalation.objects.visible_to(self.request.user)).order_by("-fired_at", "-pk")


# --- Meetings ------------------------------------------------------------------------------------


class MeetingActionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    description = serializers.CharField()
    owner = serializers.CharField(source="owner.__str__")
    due_on = serializers.DateField()
    completed_at = serializers.DateTimeField(allow_null=True)


class MeetingRecordSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    child = serializers.IntegerField(source="child_id")
    escalation = serializers.IntegerField(source="escalation_id", allow_null=True)
    information_shared = serializers.CharField()
    legal_options = serializers.ListField(child=serializers.ChoiceField(choices=LegalOption.choices))
    legal_reasons = serializers.CharField()
    media = serializers.CharField()
    plan_on_return = serializers.CharField()
    reducing_risk = serializers.CharField()
    actions = MeetingActionSerializer(many=True, source="actions.all")


class InviteeSerializer(serializers.Serializer):
    name = serializers.CharField()
    agency = serializers.CharField()
    role = serializers.CharField()
    attended = serializers.BooleanField(allow_null=True)


class MeetingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=rules.MeetingKind.choices)
    state = serializers.ChoiceField(choices=MeetingState.choices)
    local_authority = serializers.CharField(source="local_authority.name")
    due_at = serializers.DateTimeField(allow_null=True)
    held_at = serializers.DateTimeField(allow_null=True)
    chair = serializers.SerializerMethodField()
    chair_post = serializers.CharField()
    review_on = serializers.DateField(allow_null=True)
    invitees = InviteeSerializer(many=True, source="invitees.all")
    records = MeetingRecordSerializer(
        many=True, source="visible_records", help_text="Only the children's records you may see."
    )

    @extend_schema_field(OpenApiTypes.STR)
    def get_chair(self, meeting):
        return None if meeting.chair is None else str(meeting.chair)


class MeetingFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=rules.MeetingKind.choices)
    state = django_filters.ChoiceFilter(choices=MeetingState.choices)
    child = django_filters.NumberFilter(field_name="records__child_id", distinct=True)

    class Meta:
        model = Meeting
        fields = []


NO_MEETING = OpenApiResponse(description="No such meeting, or not one you may see.")


@extend_schema_view(
    list=extend_schema(responses={200: MeetingSerializer(many=True), 400: BAD_FILTER, 403: NOT_A_PERSON}),
    retrieve=extend_schema(responses={200: MeetingSerializer, 403: NOT_A_PERSON, 404: NO_MEETING}),
)
@extend_schema(tags=["meetings"], auth=[{"cookieAuth": []}])
class MeetingViewSet(AccessLogged, viewsets.ReadOnlyModelViewSet):
    """Meetings with a child the signed-in user may see, each with only those children's records."""

    authentication_classes = [SessionAuthentication]
    permission_classes = [IsVerifiedUser]
    serializer_class = MeetingSerializer
    filterset_class = MeetingFilter
    access_what = "meeting"

    def access_subjects(self, obj) -> list[dict]:
        # The meeting shows the parts of the children the reader may see: a row for each.
        return [{"child": record.child_id} for record in obj.visible_records]

    def get_queryset(self):
        user = self.request.user
        actions = MeetingAction.objects.select_related("owner")
        records = MeetingRecord.objects.visible_to(user).prefetch_related(Prefetch("actions", queryset=actions))
        return (
            Meeting.objects.visible_to(user)
            .select_related("chair", "local_authority")
            .prefetch_related("invitees", Prefetch("records", queryset=records, to_attr="visible_records"))
            .order_by("state", "due_at", "-pk")
        )
