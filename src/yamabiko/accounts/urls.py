"""Mounted at admin/two-factor/, before the admin's own URLs."""

from __future__ import annotations

from django.contrib import admin
from django.urls import path

from yamabiko.accounts import views

app_name = "accounts"
urlpatterns = [
    path("", admin.site.admin_view(views.overview), name="twofactor"),
    path("verify/", admin.site.admin_view(views.verify), name="verify"),
    path("setup/", admin.site.admin_view(views.setup), name="setup"),
    path("setup/start/", admin.site.admin_view(views.setup_start), name="setup_start"),
    path("recovery-codes/", admin.site.admin_view(views.recovery_codes), name="recovery_codes"),
    path("disable/", admin.site.admin_view(views.disable), name="disable"),
]
