from __future__ import annotations

from django.http import HttpRequest

from yamabiko.posts.models import Blog


def blog(request: HttpRequest) -> dict[str, object]:
    """The settings record for every template (loaded once by BlogMiddleware)."""
    found = getattr(request, "blog", None)
    return {"blog": found if found is not None else Blog.load()}
