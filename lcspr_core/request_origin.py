"""Where a request comes from: on this machine or not, and which source to throttle.

Pure functions of the connection's address and the HTTP headers, so they are tested without a
browser; lcspr_ui.auth passes Streamlit's st.context values in.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from urllib.parse import urlsplit

# The headers a browser itself sends to Streamlit (its websocket request, whose headers are
# what st.context.headers holds, and page requests). Logged from Chromium driving the app
# (host, user-agent, accept-encoding, accept-language, cache-control, connection, cookie,
# origin, pragma, upgrade, sec-websocket-*), plus what other browsers and request kinds add.
# A request is local only if every header it carries is one of these: a reverse proxy on the
# same machine connects from loopback, and there are too many forwarding headers to list
# (X-Forwarded-Prefix, X-Original-URL, Client-IP, CF-Ray, CDN-Loop, …; issue 11, finding 5 and
# re-test F), so anything not known to come from a browser counts as a proxy's.
BROWSER_HEADERS = frozenset(
    {
        "host",
        "user-agent",
        "accept",
        "accept-language",
        "accept-encoding",
        "connection",
        "upgrade",
        "cache-control",
        "pragma",
        "origin",
        "cookie",
        "referer",
        "dnt",
        "priority",
        "upgrade-insecure-requests",
        "content-type",
        "content-length",
        "sec-gpc",
        "x-xsrftoken",
        "if-none-match",
        "if-modified-since",
        "te",
    }
)
# Families a browser sends under a common prefix (and that name no forwarding): the websocket
# handshake, fetch metadata, client hints, and Streamlit's own.
BROWSER_HEADER_PREFIXES = ("sec-websocket-", "sec-fetch-", "sec-ch-", "x-streamlit-")
# Set to 1 when the app runs behind a reverse proxy that sets X-Forwarded-For: throttling then
# counts per browser address the proxy reports, not per proxy (see README, Security).
TRUST_PROXY_ENV_VAR = "LCSPR_TRUST_PROXY"
LOCAL_SOURCE = "local"


def _lower(headers: Mapping[str, str]) -> dict[str, str]:
    return {key.lower(): value for key, value in headers.items()}


def is_local_request(remote_ip: str | None, headers: Mapping[str, str]) -> bool:
    """Whether the browser runs on the machine the app runs on.

    Streamlit reports no address for a loopback connection. Any header a browser does not
    send itself (see BROWSER_HEADERS), or a Host that is not a loopback name, counts as
    remote. (A proxy that adds no header at all is indistinguishable: create the first
    administrator with the CLI before putting one in front of the app.)
    """
    if remote_ip is not None and not _is_loopback(remote_ip):
        # Streamlit gives None for a loopback connection over "localhost", but the address
        # itself for one to 127.0.0.1 (as "::ffff:127.0.0.1", seen from Chromium): either is
        # this machine. Any other address is a network connection.
        return False
    lowered = _lower(headers)
    if not all(_from_a_browser(name) for name in lowered):
        return False
    host = lowered.get("host")
    if host is None:  # no HTTP request at all: the app is run in-process (AppTest)
        return True
    name = host.strip()
    if name.startswith("["):  # [::1]:8501
        name = name[1 : name.find("]")]
    elif name.count(":") == 1:  # localhost:8501
        name = name.split(":")[0]
    return name.lower() == "localhost" or _is_loopback(name)


def _from_a_browser(name: str) -> bool:
    return name in BROWSER_HEADERS or name.startswith(BROWSER_HEADER_PREFIXES)


def _is_loopback(address: str) -> bool:
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return False
    if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped is not None:
        return parsed.ipv4_mapped.is_loopback  # ::ffff:127.0.0.1 is 127.0.0.1
    return parsed.is_loopback


def client_source(
    remote_ip: str | None, headers: Mapping[str, str], *, trust_proxy: bool | None = None
) -> str:
    """The source a sign-in attempt is counted against: the connection's address, or, behind a
    trusted proxy (LCSPR_TRUST_PROXY=1), the last address in X-Forwarded-For (the one the proxy
    itself added; earlier ones are whatever the browser claimed)."""
    if trust_proxy is None:
        trust_proxy = os.environ.get(TRUST_PROXY_ENV_VAR, "") == "1"
    if trust_proxy:
        forwarded = _lower(headers).get("x-forwarded-for", "")
        last = forwarded.split(",")[-1].strip()
        if last and _valid_address(last):
            return last
    return remote_ip or LOCAL_SOURCE


def _valid_address(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def same_origin(headers: Mapping[str, str], *, trust_proxy: bool | None = None) -> bool:
    """Whether a sign-in or sign-out POST comes from the app's own page (issue 14, part 4).

    Browsers send Origin with every form POST; it must name the host the request was sent to
    (behind a trusted proxy, the X-Forwarded-Host it reports). Fetch metadata, where sent, must
    say same-origin. The session cookie's SameSite=Strict already keeps it off other sites'
    requests; this also stops another site signing a browser in to an account of its choosing.
    """
    if trust_proxy is None:
        trust_proxy = os.environ.get(TRUST_PROXY_ENV_VAR, "") == "1"
    lowered = _lower(headers)
    if lowered.get("sec-fetch-site", "same-origin") != "same-origin":
        return False
    origin = urlsplit(lowered.get("origin", "").strip())
    host = lowered.get("host", "")
    if trust_proxy and lowered.get("x-forwarded-host"):
        host = lowered["x-forwarded-host"].split(",")[-1]
    return origin.scheme in ("http", "https") and bool(host) and (
        origin.netloc.lower() == host.strip().lower()
    )


def served_over_https(
    scheme: str, headers: Mapping[str, str], *, trust_proxy: bool | None = None
) -> bool:
    """Whether the browser reached the app over HTTPS: directly, or (LCSPR_TRUST_PROXY=1)
    through a proxy that says so in X-Forwarded-Proto. The session cookie is then Secure."""
    if scheme == "https":
        return True
    if trust_proxy is None:
        trust_proxy = os.environ.get(TRUST_PROXY_ENV_VAR, "") == "1"
    forwarded = _lower(headers).get("x-forwarded-proto", "")
    return trust_proxy and forwarded.split(",")[-1].strip().lower() == "https"
