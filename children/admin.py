from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Establishment


@admin.register(Establishment)
class EstablishmentAdmin(SimpleHistoryAdmin):
    list_display = ["name", "placement_type", "local_authority", "postcode"]
    list_filter = ["placement_type"]
    search_fields = ["name", "postcode"]
