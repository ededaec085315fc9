"""The episodes pages: the list, an episode and its forms; the feed upload; records to confirm."""

from . import urls_import, urls_matching, urls_pages

app_name = "episodes"
urlpatterns = urls_pages.urlpatterns + urls_import.urlpatterns + urls_matching.urlpatterns
