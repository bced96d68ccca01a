"""Where a request comes from: on this machine or not, and which source to throttle.

Pure functions of the connection's address and the HTTP headers, so they are tested without a
browser; lcspr_ui.auth passes Streamlit's st.context values in.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping

# Any of these means a proxy (or someone pretending to be one) stands between the browser and
# the app: a reverse proxy on the same machine connects from loopback, so the connection's
# address alone would call every visitor local. Issue 11, finding 5: treat any as remote.
PROXY_HEADERS = frozenset(
    {
        "forwarded",
        "via",
        "x-forwarded-for",
        "x-forwarded-host",
        "x-forwarded-proto",
        "x-forwarded-port",
        "x-forwarded-server",
        "x-original-forwarded-for",
        "x-real-ip",
        "x-client-ip",
        "x-cluster-client-ip",
        "cf-connecting-ip",
        "true-client-ip",
        "fastly-client-ip",
    }
)
# Set to 1 when the app runs behind a reverse proxy that sets X-Forwarded-For: throttling then
# counts per browser address the proxy reports, not per proxy (see README, Security).
TRUST_PROXY_ENV_VAR = "LCSPR_TRUST_PROXY"
LOCAL_SOURCE = "local"


def _lower(headers: Mapping[str, str]) -> dict[str, str]:
    return {key.lower(): value for key, value in headers.items()}


def is_local_request(remote_ip: str | None, headers: Mapping[str, str]) -> bool:
    """Whether the browser runs on the machine the app runs on.

    Streamlit reports no address for a loopback connection. Any proxy header, or a Host that
    is not a loopback name, counts as remote. (A proxy that sends neither is
    indistinguishable: create the first administrator with the CLI before putting one in
    front of the app.)
    """
    if remote_ip is not None:
        # Streamlit gives None for a loopback connection; an address means a network one.
        return False
    lowered = _lower(headers)
    if PROXY_HEADERS & lowered.keys():
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


def _is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


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
