from django.urls import path

from . import exports

app_name = "exports"
urlpatterns = [
    path("", exports.exports, name="exports"),
]
