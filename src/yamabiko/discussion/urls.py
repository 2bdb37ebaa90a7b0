from __future__ import annotations

from django.urls import path

from yamabiko.discussion import receivers, views

app_name = "discussion"
urlpatterns = [
    path("comments/<int:post_id>/", views.comment_post, name="post"),
    path("trackback/<int:post_id>/", receivers.trackback_receive, name="trackback"),
    path("xmlrpc/", receivers.xmlrpc_endpoint, name="xmlrpc"),
    path("webmention/", receivers.webmention_receive, name="webmention"),
]
