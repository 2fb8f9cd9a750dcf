"""Rate-limit keys: the client network (IPv6 by /64), and that client with one account."""

from __future__ import annotations

import hashlib
import ipaddress

from flask import request


def client_key() -> str:
    """The client address; all of an IPv6 /64 counts as one client (it is one subscriber).

    Behind a proxy, ``TRUSTED_PROXIES`` makes ProxyFix put the real client in remote_addr.
    """
    address = request.remote_addr or "unknown"
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def login_account_client_key() -> str:
    """The (account, client) pair: one client's guesses at one account."""
    email = (request.form.get("email") or "").strip().lower()[:254]
    digest = hashlib.sha256(email.encode()).hexdigest()[:24]
    return f"account:{digest}|{client_key()}"
