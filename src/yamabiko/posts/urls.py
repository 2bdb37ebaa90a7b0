from __future__ import annotations

from django.urls import path, register_converter

from yamabiko.posts import converters, views

register_converter(converters.UnicodeSlugConverter, "uslug")
register_converter(converters.CategoryPathConverter, "catpath")
register_converter(converters.TwoDigitMonthConverter, "mm")

app_name = "posts"
urlpatterns = [
    path("", views.home, name="home"),
    path("category/<catpath:path>/", views.category, name="category"),
    path("tag/<uslug:slug>/", views.tag, name="tag"),
    path("author/<str:username>/", views.author, name="author"),
    path("<int:year>/", views.year_archive, name="year"),
    path("<int:year>/<mm:month>/", views.month_archive, name="month"),
    path("<int:year>/<mm:month>/<uslug:slug>/", views.detail, name="detail"),
    path("<uslug:slug>/", views.page, name="page"),
]
