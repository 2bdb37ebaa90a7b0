"""The comment form's endpoint: POST, then a redirect or, for scripts, JSON."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from yamabiko.core.exceptions import InvalidInput, NotFound
from yamabiko.core.ratelimit import client_ip
from yamabiko.discussion import services
from yamabiko.discussion.forms import CommentForm
from yamabiko.discussion.models import Comment, CommentStatus
from yamabiko.discussion.threads import REMEMBER_COOKIE, comment_context, remember_value
from yamabiko.discussion.tokens import FormTokenInvalid, form_token_age
from yamabiko.posts.models import Blog, Post

REMEMBER_SECONDS = 365 * 24 * 3600


def wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def same_origin(request: HttpRequest) -> bool:
    """The browser says the form was posted from this site (or says nothing at all).

    Browsers send Origin with every cross-site POST; scripts that send neither header are
    not a cross-site forgery risk, and the signed form token still has to be right.
    """
    source = request.headers.get("Origin") or request.headers.get("Referer")
    if source is None:
        return True
    if source == "null":  # a sandboxed frame or a privacy-stripped origin: not ours
        return False
    try:
        host = urlsplit(source).netloc
    except ValueError:  # an unclosed IPv6 bracket ("http://[::1"): no origin, so not ours
        return False
    allowed = {request.get_host(), urlsplit(settings.YAMABIKO_SITE_URL).netloc}
    return host in allowed


def refuse(request: HttpRequest, post: Post, *, status: int, message: str) -> HttpResponse:
    if wants_json(request):
        return JsonResponse({"errors": {"__all__": [message]}}, status=status)
    context = {"post": post, "message": message}
    return render(request, "discussion/refused.html", context, status=status)


def form_errors(request: HttpRequest, post: Post, form: CommentForm) -> HttpResponse:
    if wants_json(request):
        return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
    context = {"post": post, "categories": list(post.categories.all()), "comment_form": form}
    context.update(comment_context(request, post, form=form))
    return render(request, "posts/detail.html", context, status=400)


def comment_input(request: HttpRequest, post: Post, form: CommentForm) -> services.CommentInput:
    data = form.cleaned_data
    return services.CommentInput(
        post_id=post.pk,
        parent_id=data.get("parent"),
        author_name=data["name"],
        author_email=data.get("email", ""),
        author_url=data.get("url", ""),
        body=data["body"],
        honeypot=data.get("homepage", ""),
        form_age_seconds=form_token_age(data.get("token", ""), post_id=post.pk),
        ip_address=client_ip(request),
        user_agent=request.headers.get("User-Agent", ""),
        user=request.user,
    )


def accepted(request: HttpRequest, post: Post, comment: Comment, *, remember: bool) -> HttpResponse:
    approved = comment.status == CommentStatus.APPROVED
    url = post.get_absolute_url()
    if wants_json(request):
        html = render_to_string(
            "discussion/_comment.html",
            {
                "comment": comment,
                "comments_open": True,
                "max_depth": Blog.load().comment_max_depth,
            },
            request=request,
        )
        payload = {
            "status": "approved" if approved else "held",
            "id": comment.pk,
            "parent": comment.parent_id,
            "html": html if approved else "",
            "message": "" if approved else gettext("Thank you. Your comment awaits moderation."),
        }
        response: HttpResponse = JsonResponse(payload, status=201)
    else:
        target = f"{url}#comment-{comment.pk}" if approved else f"{url}?held=1#comments"
        response = HttpResponseRedirect(target, status=303)
    if remember:
        response.set_cookie(
            REMEMBER_COOKIE,
            remember_value(comment),
            max_age=REMEMBER_SECONDS,
            samesite="Lax",
            secure=request.is_secure(),
            httponly=True,
        )
    return response


@csrf_exempt  # the signed form token and the origin check stand in; see tokens.py
@require_POST
def comment_post(request: HttpRequest, post_id: int) -> HttpResponse:
    post = get_object_or_404(Post.objects.live().for_listing(), pk=post_id)
    if not same_origin(request):
        message = gettext("This form was sent from another site.")
        return refuse(request, post, status=403, message=message)
    form = CommentForm(request.POST)
    if not form.is_valid():
        return form_errors(request, post, form)
    try:
        comment = services.comment_submit(data=comment_input(request, post, form))
    except FormTokenInvalid as error:
        message = gettext("The form could not be checked: %(reason)s.") % {"reason": error}
        return refuse(request, post, status=403, message=message)
    except services.CommentRateLimited as error:
        response = refuse(request, post, status=429, message=str(error))
        response["Retry-After"] = str(error.retry_after)
        return response
    except NotFound as error:
        raise Http404(str(error)) from error
    except InvalidInput as error:
        # The services word their reasons as clauses; the sentence's end is the language's.
        form.add_error(None, gettext("%(reason)s.") % {"reason": capfirst(str(error))})
        return form_errors(request, post, form)
    return accepted(request, post, comment, remember=form.cleaned_data.get("remember", False))
