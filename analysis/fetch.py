"""Fetching one http(s) URL safely: a total deadline, no proxy, and every connection pinned to a checked address.

Part of ingest (the only network reading); ``analysis.ingest.read_url`` turns the bytes into an ``Article``.
The host is resolved ONCE per connection, every address is checked (public unless private targets are allowed),
and the socket connects to one of exactly those addresses, while HTTP sends the host name and TLS checks the
certificate for it; each redirect is a new connection, checked the same way. A wall-clock budget shuts every
socket of the fetch when it runs out, so a server that drips bytes cannot hold it longer.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import socket
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable

from analysis.settings import Settings

FETCH_TIMEOUT = 20.0  # seconds of silence on one socket read
FETCH_DEADLINE = 60.0  # seconds for a whole fetch (connect, redirects, headers and body), however the bytes drip
READ_CHUNK = 64 * 1024
USER_AGENT = "stance-dashboard/0.1 (+analyst tool; one article per request)"


class UnsafeURL(ValueError):
    """A URL the fetcher refuses (scheme, or a private/loopback target without the flag)."""


def _check_scheme(url: str) -> urllib.parse.SplitResult:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        raise UnsafeURL(f"only http and https URLs are fetched, not {parts.scheme}://")
    if not parts.hostname:
        raise UnsafeURL("URL has no host")
    return parts


def resolve_host(host: str, port: int) -> list[str]:
    """Every address the host resolves to (tests replace this with a fake resolver)."""
    return [str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


def checked_addresses(host: str, port: int, *, allow_private: bool) -> list[str]:
    """The host resolved ONCE; UnsafeURL unless every address is public (or private ones are allowed).

    The caller connects to one of exactly these addresses, so a resolver that answers differently the next
    time (DNS rebinding) cannot move the connection to a private target after the check.
    """
    try:
        addresses = resolve_host(host, port)
    except (socket.gaierror, UnicodeError) as exc:
        reason = exc.strerror if isinstance(exc, socket.gaierror) else "invalid host name"
        raise UnsafeURL(f"host {host!r} could not be resolved ({reason})") from exc
    if not addresses:
        raise UnsafeURL(f"host {host!r} could not be resolved (no address)")
    if not allow_private:
        for text in addresses:
            address = ipaddress.ip_address(text.split("%")[0])
            if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
                address = address.ipv4_mapped
            if not address.is_global or address.is_multicast:
                raise UnsafeURL(
                    f"host {host!r} resolves to a private/loopback/link-local address ({address}); "
                    "refused (use --allow-private-urls to permit)"
                )
    return addresses


def check_url(url: str, *, allow_private: bool) -> None:
    """Raise UnsafeURL unless the URL is http(s) to a public host (or private hosts are allowed)."""
    parts = _check_scheme(url)
    if not allow_private:
        checked_addresses(str(parts.hostname), parts.port or (443 if parts.scheme == "https" else 80),
                          allow_private=False)


class _Deadline:
    """The wall-clock budget of one fetch: every socket it opens is shut down when the budget runs out, so a
    server that drips one byte at a time (in the headers or the body) cannot hold the fetch longer."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.ends = time.monotonic() + seconds
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def remaining(self) -> float:
        left = self.ends - time.monotonic()
        if left <= 0:
            self.expired = True
            raise TimeoutError(f"fetch took longer than the {self.seconds:g}-second limit")
        return left

    def track(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
            if self.expired:
                self._shut(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                self._shut(sock)

    @staticmethod
    def _shut(sock: socket.socket) -> None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)

    def cancel(self) -> None:
        self._timer.cancel()


def _pinned_connector(
    allow_private: bool, deadline: _Deadline
) -> Callable[[tuple[str, int], float | None, tuple[str, int] | None], socket.socket]:
    """A replacement for ``socket.create_connection`` that resolves once, checks, and connects to a checked IP.

    http.client still sends the host NAME in the Host header and TLS uses it for SNI and the certificate."""

    def connect(address: tuple[str, int], timeout: float | None = None,
                source_address: tuple[str, int] | None = None) -> socket.socket:
        host, port = address
        last: OSError | None = None
        for ip in checked_addresses(host, port, allow_private=allow_private):
            family = socket.AF_INET6 if ":" in ip else socket.AF_INET
            sock = socket.socket(family, socket.SOCK_STREAM)
            deadline.track(sock)
            try:
                sock.settimeout(min(timeout or FETCH_TIMEOUT, deadline.remaining()))
                if source_address:
                    sock.bind(source_address)
                sock.connect((ip, port))
                return sock
            except OSError as exc:
                sock.close()
                last = exc
        raise last or OSError(f"could not connect to {host}")

    return connect


def _pinned_handlers(allow_private: bool, deadline: _Deadline) -> list[urllib.request.BaseHandler]:
    connector = _pinned_connector(allow_private, deadline)

    class PinnedHTTP(http.client.HTTPConnection):
        def connect(self) -> None:
            self._create_connection = connector
            super().connect()

    class PinnedHTTPS(http.client.HTTPSConnection):
        def connect(self) -> None:
            self._create_connection = connector
            super().connect()  # TCP to the pinned address, then TLS with SNI and the certificate for the NAME

    class HTTP(urllib.request.HTTPHandler):
        def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
            return self.do_open(PinnedHTTP, req)

    class HTTPS(urllib.request.HTTPSHandler):
        def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
            return self.do_open(PinnedHTTPS, req, context=getattr(self, "_context", None))

    return [urllib.request.ProxyHandler({}), HTTP(), HTTPS(), _CheckedRedirects()]


class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
    """Refuse a redirect to another scheme; its address is checked (and pinned) again when it is connected."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        _check_scheme(newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def fetch_url(url: str, settings: Settings, *, deadline: float = FETCH_DEADLINE) -> tuple[bytes, str, str]:
    """(body, content type, final URL) of an http(s) URL, size- and time-limited; UnsafeURL/ValueError/OSError.

    No proxy is used; every connection (the first and each redirect) goes to an address that was checked."""
    _check_scheme(url)
    budget = _Deadline(deadline)
    try:
        opener = urllib.request.build_opener(*_pinned_handlers(settings.allow_private_urls, budget))
        request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
        with opener.open(request, timeout=min(FETCH_TIMEOUT, deadline)) as response:
            chunks: list[bytes] = []
            total = 0
            while total <= settings.max_bytes:
                budget.remaining()
                chunk = response.read1(READ_CHUNK)
                if not chunk:
                    break
                chunks.append(chunk)
                total += len(chunk)
            budget.remaining()
            if total > settings.max_bytes:
                raise ValueError(f"download is over the {settings.max_bytes:,}-byte limit (--max-bytes)")
            return b"".join(chunks), response.headers.get_content_type(), response.geturl()
    except (OSError, http.client.HTTPException) as exc:
        if budget.expired and not isinstance(exc, urllib.error.HTTPError):
            raise TimeoutError(f"fetch took longer than the {deadline:g}-second limit") from exc
        raise
    finally:
        budget.cancel()
