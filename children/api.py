"""Read-only API for children, through the same scope as the pages."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets

from privacy.api import AccessLogged

from .models import Child


class ChildOutputSerializer(serializers.ModelSerializer):
    responsible_authority = serializers.CharField(source="responsible_authority.name")
    host_authority = serializers.CharField(source="host_authority.name", allow_null=True, default=None)
    aliases = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")
    vulnerabilities = serializers.ListField(source="vulnerability_labels", child=serializers.CharField())
    looked_after = serializers.BooleanField(source="is_looked_after")

    class Meta:
        model = Child
        fields = [
            "id",
            "given_name",
            "family_name",
            "aliases",
            "date_of_birth",
            "date_of_birth_estimated",
            "gender",
            "ethnicity",
            "postcode",
            "legal_status",
            "looked_after",
            "responsible_authority",
            "host_authority",
            "placement_type",
            "vulnerabilities",
        ]


@extend_schema(tags=["children"])
class ChildViewSet(AccessLogged, viewsets.ReadOnlyModelViewSet):
    """Children the signed-in user may see; any other id answers 404."""

    serializer_class = ChildOutputSerializer
    access_what = "child record"

    def access_subjects(self, obj) -> list[dict]:
        return [{"child": obj.pk}]

    def get_queryset(self):
        return (
            Child.objects.visible_to(self.request.user)
            .select_related("responsible_authority", "host_authority")
            .prefetch_related("aliases")
            .order_by("pk")
        )
