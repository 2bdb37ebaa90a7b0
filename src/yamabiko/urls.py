from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.http.response import FileResponse
from django.urls import include, path
from django.views.decorators.csp import csp_override
from django.views.static import serve

# Imported files are outside content: an SVG or HTML file opened directly must not run a
# script as the blog, so every file is sent with a sandbox policy (an opaque origin, no
# scripts), which images, audio and video do not mind. PDF viewers are scripts of their
# own that a sandboxed document cannot start, and a PDF's scripts never run in our origin.
UNSANDBOXED_MEDIA = "application/pdf"


# The site's policy is for our pages; files get the sandbox alone (a PDF viewer, none).
@csp_override({})
def media(request: HttpRequest, path: str) -> HttpResponse | FileResponse:
    """A file below MEDIA_ROOT (read at call time); serve() refuses paths that leave it."""
    response = serve(request, path, document_root=str(settings.MEDIA_ROOT))
    if response.get("Content-Type") != UNSANDBOXED_MEDIA:
        response["Content-Security-Policy"] = "sandbox"
    return response


urlpatterns = [
    # Before the admin's own URLs, whose catch-all would answer these paths with a 404.
    path("admin/two-factor/", include("yamabiko.accounts.urls")),
    path("admin/", admin.site.urls),
    # The same prefix as MEDIA_URL ("media/"); files imported with posts live here.
    path("media/<path:path>", media, name="media"),
    path("", include("yamabiko.discussion.urls")),
    path("search/", include("yamabiko.search.urls")),
    path("", include("yamabiko.feeds.urls")),
    path("", include("yamabiko.posts.urls")),
]

handler404 = "yamabiko.posts.views.not_found"
handler500 = "yamabiko.posts.views.server_error"
