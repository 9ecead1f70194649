"""Downloading weights: the one place ArtSeek uses the network (``models fetch`` and the window's *Download*).

The file is streamed into a partial file beside its destination, hashed as it
comes, checked (its sha256 against the published one when known, else against
the sha256 the server states for it; then its tensors must be the model's, see
:mod:`artseek.embedding.model_files`) and only then renamed into place. Cancel
or failure leaves nothing behind. ``open_url`` is injectable so that tests
never touch the network.
"""

from __future__ import annotations

import hashlib
import os
import re
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from artseek import config
from artseek.embedding import catalogue
from artseek.embedding.registry import get_spec
from artseek.errors import ArtSeekError

# Where each downloadable model's weights come from (the OpenCLIP release on the Hugging Face hub).
DOWNLOAD_URLS: dict[str, str] = catalogue.download_urls()
CHUNK = 1 << 20
TIMEOUT_S = 30.0
_SHA256 = re.compile(r"^[0-9a-f]{64}$")

Progress = Callable[[int, int], None]  # (bytes received, total bytes or 0 when unknown)


class DownloadError(ArtSeekError):
    """The weights could not be downloaded (offline, server error, wrong checksum)."""


class DownloadCancelled(ArtSeekError):
    """The curator cancelled the download; nothing was kept."""


class _Response:
    """What :func:`open_url` returns: a readable body, its length and the sha256 the server states (if any)."""

    def __init__(self, body: BinaryIO, length: int, sha256: str | None) -> None:
        self.body, self.length, self.sha256 = body, length, sha256

    def read(self, n: int) -> bytes:
        return self.body.read(n)

    def close(self) -> None:
        self.body.close()


class _RecordingRedirects(urllib.request.HTTPRedirectHandler):
    """Keeps the ``X-Linked-ETag`` (the file's sha256 on the Hugging Face hub) of the redirect responses."""

    def __init__(self) -> None:
        self.linked_etag: str | None = None

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: ANN001, ANN201
        etag = (headers.get("X-Linked-ETag") or "").strip().strip('"').lower()
        if _SHA256.match(etag):
            self.linked_etag = etag
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def open_url(url: str) -> _Response:
    """Open ``url`` for reading (the real network; tests pass their own)."""
    redirects = _RecordingRedirects()
    opener = urllib.request.build_opener(redirects)
    response = opener.open(urllib.request.Request(url, headers={"User-Agent": "ArtSeek"}), timeout=TIMEOUT_S)
    stated = (response.headers.get("X-Linked-ETag") or "").strip().strip('"').lower()
    sha = stated if _SHA256.match(stated) else redirects.linked_etag
    return _Response(response, int(response.headers.get("Content-Length") or 0), sha)


def download_url(model_name: str) -> str:
    spec = get_spec(model_name)
    url = DOWNLOAD_URLS.get(spec.name)
    if not url:
        raise DownloadError(f"The model '{model_name}' cannot be downloaded.",
                            "The tiny test model comes with the source code (tests/fixtures/tiny_model); "
                            "other models: choose their weights file instead.")
    return url


def fetch_weights(model_name: str, dest: Path | None = None, open_url: Callable[[str], _Response] = open_url,
                  progress: Progress | None = None, cancelled: Callable[[], bool] | None = None) -> Path:
    """Download ``model_name``'s weights into ``dest`` (the user model folder) and return the file's path."""
    from artseek.embedding.model_files import KNOWN_SHA256, ModelFileError, recognise

    spec = get_spec(model_name)
    url = download_url(model_name)
    dest = Path(dest or config.user_models_dir()).expanduser()
    target = dest / spec.weights_filename
    try:
        dest.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DownloadError(f"The models folder '{dest}' cannot be created ({exc.strerror or exc}).",
                            "Choose a folder you can write to.") from exc
    partial = dest / f".{spec.weights_filename}.partial-{os.getpid()}"
    try:
        try:
            response = open_url(url)
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise DownloadError(
                f"The weights of '{model_name}' could not be downloaded: this computer cannot reach the download "
                f"server ({_reason(exc)}).",
                "Connect to the internet and try again, or download on a networked computer "
                f"('python main.py models fetch --model {model_name}') and bring the file "
                f"'{spec.weights_filename}' here with Choose a model file….") from None
        digest, received = hashlib.sha256(), 0
        try:
            with open(partial, "wb") as out:
                while block := response.read(CHUNK):
                    if cancelled is not None and cancelled():
                        raise DownloadCancelled("The download was cancelled; nothing was kept.")
                    out.write(block)
                    digest.update(block)
                    received += len(block)
                    if progress is not None:
                        progress(received, response.length)
                out.flush()
                os.fsync(out.fileno())
        except (urllib.error.URLError, OSError) as exc:
            raise DownloadError(f"The download of '{model_name}' broke off after {received:,} bytes "
                                f"({_reason(exc)}).", "Check the connection and try again; "
                                                      "nothing incomplete was kept.") from None
        finally:
            response.close()
        if response.length and received != response.length:
            raise DownloadError(f"The download of '{model_name}' stopped at {received:,} of {response.length:,} "
                                "bytes.", "Try again; nothing incomplete was kept.")
        expected = KNOWN_SHA256.get(spec.weights_filename) or response.sha256
        if expected and digest.hexdigest() != expected:
            raise DownloadError(f"The downloaded weights of '{model_name}' do not have the expected checksum "
                                "(a damaged or altered download).", "Try again; nothing was kept.")
        try:
            found = recognise(partial)
        except ModelFileError as exc:
            raise DownloadError(f"The downloaded file is not the weights of '{model_name}' ({exc.message})",
                                "Nothing was kept. Please report this.") from None
        if spec.name not in found.models:
            raise DownloadError(f"The downloaded file holds a {found.architecture} model, not '{model_name}'.",
                                "Nothing was kept. Please report this.")
        os.replace(partial, target)
    finally:
        if partial.exists():
            partial.unlink()
    return target


def _reason(exc: BaseException) -> str:
    reason = getattr(exc, "reason", None) or getattr(exc, "strerror", None) or exc
    return str(reason).splitlines()[0][:160] if str(reason) else type(exc).__name__
