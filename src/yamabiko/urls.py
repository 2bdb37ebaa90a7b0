from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("yamabiko.discussion.urls")),
    path("search/", include("yamabiko.search.urls")),
    path("", include("yamabiko.feeds.urls")),
    path("", include("yamabiko.posts.urls")),
]

handler404 = "yamabiko.posts.views.not_found"
handler500 = "yamabiko.posts.views.server_error"
