from __future__ import annotations

from django.urls import path

from yamabiko.search import views

app_name = "search"
urlpatterns = [
    path("", views.results, name="results"),
    path("feed/", views.feed, name="feed"),
    path("suggest/", views.suggest, name="suggest"),
]
