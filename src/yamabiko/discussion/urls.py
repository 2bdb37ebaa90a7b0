from __future__ import annotations

from django.urls import path

from yamabiko.discussion import views

app_name = "discussion"
urlpatterns = [
    path("comments/<int:post_id>/", views.comment_post, name="post"),
]
