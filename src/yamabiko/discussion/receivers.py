"""The three linkback endpoints: parse the protocol, call linkback_receive, answer per spec.

None of them fetches anything while the sender waits (PROTOCOLS.md 5.2, 5.3): answers depend
only on the request and our own database, so they cannot be used to probe other hosts.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseNotFound, QueryDict
from django.views.decorators.csrf import csrf_exempt

from yamabiko.core import xmlrpc
from yamabiko.core.exceptions import NotFound
from yamabiko.core.ratelimit import client_ip, ip_rate_key, rate_hit
from yamabiko.discussion import linkbacks
from yamabiko.discussion.advertise import request_blog
from yamabiko.discussion.models import LinkbackKind
from yamabiko.discussion.protocols import pingback, trackback, webmention
from yamabiko.discussion.targets import TargetMissing, TargetNotAccepted, post_for_target
from yamabiko.posts.models import Blog

# TrackBack and Webmention bodies are a few form fields; XML-RPC calls a few hundred bytes.
MAX_FORM_BYTES = 64 * 1024
MAX_XMLRPC_BYTES = 256 * 1024


class BodyTooLarge(Exception):
    pass


def read_body(request: HttpRequest, limit: int) -> bytes:
    """The raw body, refused past ``limit`` having read at most ``limit + 1`` bytes.

    A declared Content-Length over the limit is refused without reading anything. The read
    itself is capped all the same, because the header may be missing (chunked) or lie.
    """
    try:
        declared = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        raise BodyTooLarge
    body = request.read(limit + 1)
    if len(body) > limit:
        raise BodyTooLarge
    return body


# --- TrackBack ----------------------------------------------------------------------


def trackback_answer(error: str | None, status: int = 200) -> HttpResponse:
    return HttpResponse(
        trackback.response_xml(error), status=status, content_type="text/xml; charset=utf-8"
    )


@csrf_exempt
def trackback_receive(request: HttpRequest, post_id: int) -> HttpResponse:
    if request.method != "POST":
        response = trackback_answer("TrackBack pings must use HTTP POST.", status=405)
        response["Allow"] = "POST"  # RFC 9110 §15.5.6: a 405 MUST list the allowed methods
        return response
    try:
        ping = trackback.parse_ping(
            read_body(request, MAX_FORM_BYTES), request.headers.get("Content-Type")
        )
    except BodyTooLarge:
        return trackback_answer("The ping is too large.", status=413)
    except trackback.TrackbackError as error:
        return trackback_answer(str(error))
    try:
        linkbacks.linkback_receive(
            ping=linkbacks.PingInput(
                kind=LinkbackKind.TRACKBACK,
                post_id=post_id,
                source_url=ping.url,
                title=ping.title,
                excerpt=ping.excerpt,
                blog_name=ping.blog_name,
                ip_address=client_ip(request),
            )
        )
    except NotFound:
        return trackback_answer("There is no such entry.", status=404)
    except linkbacks.LinkbackRateLimited as error:
        response = trackback_answer(str(error).capitalize() + ".", status=429)
        response["Retry-After"] = str(error.retry_after)
        return response
    except (linkbacks.PingsClosed, linkbacks.SourceBlocked) as error:
        return trackback_answer(str(error).capitalize() + ".")
    return trackback_answer(None)


# --- XML-RPC: Pingback ---------------------------------------------------------------


def pingback_ping(request: HttpRequest, call: xmlrpc.MethodCall) -> xmlrpc.XmlRpcValue:
    source, target = pingback.ping_args(call)
    try:
        post = post_for_target(target, request_host=request.get_host())
    except TargetMissing as error:
        raise xmlrpc.XmlRpcFault(pingback.FAULT_TARGET_DOES_NOT_EXIST, str(error)) from error
    except TargetNotAccepted as error:
        raise xmlrpc.XmlRpcFault(pingback.FAULT_TARGET_NOT_PINGABLE, str(error)) from error
    try:
        received = linkbacks.linkback_receive(
            ping=linkbacks.PingInput(
                kind=LinkbackKind.PINGBACK,
                post_id=post.pk,
                source_url=source,
                target_url=target,
                ip_address=client_ip(request),
            )
        )
    except (NotFound, linkbacks.PingsClosed) as error:
        raise xmlrpc.XmlRpcFault(pingback.FAULT_TARGET_NOT_PINGABLE, str(error)) from error
    except (linkbacks.SourceBlocked, linkbacks.LinkbackRateLimited) as error:
        raise xmlrpc.XmlRpcFault(pingback.FAULT_ACCESS_DENIED, str(error)) from error
    if not received.created:
        # Re-verification is queued all the same, so the stored copy follows the source.
        raise xmlrpc.XmlRpcFault(
            pingback.FAULT_ALREADY_REGISTERED, "The pingback has already been registered."
        )
    return f"Pingback from {source} to {target} is queued for verification."


def system_list_methods(request: HttpRequest, call: xmlrpc.MethodCall) -> xmlrpc.XmlRpcValue:
    if call.params:
        raise xmlrpc.XmlRpcFault(xmlrpc.INVALID_PARAMS, "system.listMethods takes no parameters")
    return sorted(XMLRPC_METHODS)


XmlRpcMethod = Callable[[HttpRequest, xmlrpc.MethodCall], xmlrpc.XmlRpcValue]

# The one list of what /xmlrpc/ offers; system.listMethods reads it.
XMLRPC_METHODS: dict[str, XmlRpcMethod] = {
    "pingback.ping": pingback_ping,
    "system.listMethods": system_list_methods,
}

# Refused by name, so a client learns it is a policy and not a typo. One multicall of 2,000
# pingback.ping calls kept WordPress busy for ten minutes (PROTOCOLS.md 5.2, Rec 6), and it
# would let one request step past the per-request rate limit.
REFUSED_METHODS = {
    "system.multicall": "system.multicall is not supported: send one pingback.ping per request",
}


def xmlrpc_answer(body: bytes, status: int = 200) -> HttpResponse:
    return HttpResponse(body, status=status, content_type="text/xml; charset=utf-8")


def xmlrpc_method(name: str) -> XmlRpcMethod:
    if name in REFUSED_METHODS:
        raise xmlrpc.XmlRpcFault(xmlrpc.METHOD_NOT_FOUND, REFUSED_METHODS[name])
    method = XMLRPC_METHODS.get(name)
    if method is None:
        raise xmlrpc.XmlRpcFault(xmlrpc.METHOD_NOT_FOUND, f"no method {name[:100]!r}")
    return method


def xmlrpc_call(request: HttpRequest, body: bytes) -> bytes:
    """The response document for one call: its value, or the fault it raised."""
    try:
        call = xmlrpc.parse_method_call(body, max_bytes=MAX_XMLRPC_BYTES)
        return xmlrpc.success_response(xmlrpc_method(call.name)(request, call))
    except xmlrpc.XmlRpcFault as fault:
        return xmlrpc.fault_response(fault.code, fault.message)


def xmlrpc_rate_refusal(request: HttpRequest, blog: Blog) -> HttpResponse | None:
    """429 once this address has made more calls this hour than linkback_rate_per_ip.

    Counted before the body is read, so malformed calls and calls that never reach
    linkback_receive (unknown targets, wrong params) are bounded too. The endpoint serves
    only pingbacks, so one call is one linkback attempt. An HTTP 429 and not fault 49:
    senders (ours included) take 49 as permanent, and this refusal lifts in an hour.
    """
    address = client_ip(request)
    if address is None:
        return None
    decision = rate_hit(
        scope="xmlrpc-ip",
        key=ip_rate_key(address),
        limit=blog.linkback_rate_per_ip,
        window=linkbacks.RATE_WINDOW_SECONDS,
    )
    if decision.allowed:
        return None
    message = "too many XML-RPC calls from this address in the last hour; try again later"
    response = xmlrpc_answer(
        xmlrpc.fault_response(pingback.FAULT_ACCESS_DENIED, message), status=429
    )
    response["Retry-After"] = str(decision.retry_after)
    return response


def xmlrpc_body(request: HttpRequest) -> bytes:
    """The call's bytes, or the fault to answer with; BodyTooLarge past the cap."""
    if request.headers.get("Content-Encoding", "identity").lower() != "identity":
        # PROTOCOLS.md 5.5: a gzip bomb is refused by never inflating anything.
        raise xmlrpc.XmlRpcFault(xmlrpc.PARSE_ERROR, "compressed requests are not accepted")
    return read_body(request, MAX_XMLRPC_BYTES)


@csrf_exempt
def xmlrpc_endpoint(request: HttpRequest) -> HttpResponse:
    blog = request_blog(request)
    if not blog.xmlrpc_enabled:
        # As if there were no endpoint: discovery no longer names it either.
        return HttpResponseNotFound(
            "XML-RPC is switched off on this blog.\n", content_type="text/plain; charset=utf-8"
        )
    if request.method != "POST":
        return HttpResponse(
            "XML-RPC server accepts POST requests only.\n",
            status=405,
            content_type="text/plain; charset=utf-8",
            headers={"Allow": "POST"},
        )
    refusal = xmlrpc_rate_refusal(request, blog)
    if refusal is not None:
        return refusal
    try:
        body = xmlrpc_body(request)
    except xmlrpc.XmlRpcFault as fault:
        return xmlrpc_answer(xmlrpc.fault_response(fault.code, fault.message))
    except BodyTooLarge:
        # XRS: 200 OK "unless there's a lower-level error". An oversized request is refused
        # by HTTP before any XML-RPC message is read, as TrackBack and Webmention do; the
        # fault in the body is for clients that read it whatever the status.
        message = f"the request is larger than {MAX_XMLRPC_BYTES} bytes"
        return xmlrpc_answer(xmlrpc.fault_response(xmlrpc.PARSE_ERROR, message), status=413)
    return xmlrpc_answer(xmlrpc_call(request, body))


# --- Webmention ----------------------------------------------------------------------


def webmention_answer(message: str, status: int) -> HttpResponse:
    return HttpResponse(message + "\n", status=status, content_type="text/plain; charset=utf-8")


@csrf_exempt
def webmention_receive(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return HttpResponse(
            "Send Webmentions here as a form-encoded POST of source and target.\n",
            status=405,
            content_type="text/plain; charset=utf-8",
            headers={"Allow": "POST"},
        )
    # Media types compare case-insensitively (RFC 9110 §8.3.1).
    if "application/x-www-form-urlencoded" not in request.headers.get("Content-Type", "").lower():
        return webmention_answer("invalid_content_type: send a form-encoded body", 400)
    try:
        form = QueryDict(read_body(request, MAX_FORM_BYTES), encoding="utf-8")
    except BodyTooLarge:
        return webmention_answer("request too large", 413)
    try:
        source, target = webmention.validate_request(form.get("source", ""), form.get("target", ""))
        post = post_for_target(target, request_host=request.get_host())
        linkbacks.linkback_receive(
            ping=linkbacks.PingInput(
                kind=LinkbackKind.WEBMENTION,
                post_id=post.pk,
                source_url=source,
                target_url=target,
                ip_address=client_ip(request),
            )
        )
    except webmention.WebmentionError as error:
        return webmention_answer(str(error), 400)
    except (TargetMissing, TargetNotAccepted, NotFound) as error:
        return webmention_answer(f"invalid_target: {error}", 400)
    except (linkbacks.PingsClosed, linkbacks.SourceBlocked) as error:
        return webmention_answer(f"target_not_accepting: {error}", 400)
    except linkbacks.LinkbackRateLimited as error:
        response = webmention_answer(str(error), 429)
        response["Retry-After"] = str(error.retry_after)
        return response
    return webmention_answer("Accepted: the source will be checked for a link shortly.", 202)
