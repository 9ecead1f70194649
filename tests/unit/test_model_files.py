"""Model files a curator brings (``models add``, the window's model setup) and downloads (``models fetch``).

Recognised from their tensors, checked, copied atomically; every bad file gets a clear, typed refusal
and leaves nothing behind. Downloads run through an injected opener: never the network.
"""

from __future__ import annotations

import io
import json
import shutil
import struct
import urllib.error
from pathlib import Path

import pytest

from artseek.embedding import fetch, model_files
from artseek.embedding.model_files import ModelFileError, add_model_file, recognise
from tests.conftest import TINY_WEIGHTS

TINY_SHA = model_files.KNOWN_SHA256["artseek-tiny.safetensors"]


@pytest.fixture()
def renamed(tmp_path: Path) -> Path:
    path = tmp_path / "incoming" / "my favourite model.safetensors"
    path.parent.mkdir()
    shutil.copyfile(TINY_WEIGHTS, path)
    return path


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".")) if folder.exists() else []


def test_the_signatures_file_matches_the_architectures() -> None:
    stored = json.loads(model_files.SIGNATURES_FILE.read_text(encoding="utf-8"))
    assert stored["ArtSeek-Tiny"] == model_files.signature(model_files.architecture_shapes("ArtSeek-Tiny"))
    assert stored["ViT-B-32"]["tensors"] == 302 and stored["ViT-B-32"]["probes"]["visual.conv1.weight"] == [768, 3,
                                                                                                          32, 32]


def test_a_renamed_file_is_recognised_from_its_tensors_and_added(renamed: Path, tmp_path: Path) -> None:
    found = recognise(renamed)
    assert (found.kind, found.architecture, found.models, found.model) == ("safetensors", "ArtSeek-Tiny",
                                                                          ("tiny-test",), "tiny-test")
    assert found.sha256 == TINY_SHA
    models = tmp_path / "models"
    lines: list[str] = []
    found, target = add_model_file(renamed, models, log=lines.append)
    assert target == models / "artseek-tiny.safetensors"
    assert target.read_bytes() == TINY_WEIGHTS.read_bytes() and renamed.exists()
    assert _leftovers(models) == [] and lines[0].startswith("Checking")
    # Adding it again (or the installed file itself) is harmless.
    add_model_file(target, models)
    assert target.read_bytes() == TINY_WEIGHTS.read_bytes()


def test_the_added_file_loads(renamed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from artseek.embedding.torch_backend import TorchEncoder

    _, target = add_model_file(renamed, tmp_path / "models")
    encoder = TorchEncoder(model_files.MODELS["tiny-test"], target, device="cpu")
    assert encoder.encode_texts(["a red star"]).shape == (1, 64)


@pytest.mark.parametrize("damage, words", [
    (lambda b: b[: len(b) // 2], "incomplete"),
    (lambda b: b[:5], "not a model weights file"),
    (lambda b: bytes(range(256)) * 64, "not a model weights file"),
    (lambda b: b"", "not a model weights file"),
    (lambda b: struct.pack("<Q", 12) + b'{"a": 1}    ', "damaged tensor table"),
])
def test_bad_files_are_refused_with_what_to_do(tmp_path: Path, damage, words: str) -> None:  # noqa: ANN001
    bad = tmp_path / "weights.safetensors"
    bad.write_bytes(damage(TINY_WEIGHTS.read_bytes()))
    with pytest.raises(ModelFileError) as info:
        add_model_file(bad, tmp_path / "models")
    assert words in info.value.message and "weights.safetensors" in info.value.message
    assert info.value.hint  # what to do
    assert not (tmp_path / "models" / "artseek-tiny.safetensors").exists()


def test_a_model_of_another_architecture_is_refused(tmp_path: Path) -> None:
    import torch
    from safetensors.torch import save_file

    other = tmp_path / "resnet.safetensors"
    save_file({"conv.weight": torch.zeros(8, 3, 3, 3), "fc.weight": torch.zeros(10, 8)}, str(other))
    with pytest.raises(ModelFileError, match="does not know") as info:
        recognise(other)
    assert "2 tensors" in info.value.message and "ViT-B-32" in info.value.hint
    # The tiny model's tensors with one shape changed: no longer the tiny model.
    from safetensors.torch import load_file

    state = load_file(str(TINY_WEIGHTS))
    state["text_projection"] = torch.zeros(64, 32)
    save_file(state, str(other))
    with pytest.raises(ModelFileError, match="text_projection is 64x32|does not know"):
        recognise(other)


def test_the_expected_name_with_another_checksum_is_refused(tmp_path: Path) -> None:
    data = bytearray(TINY_WEIGHTS.read_bytes())
    data[-10] ^= 0xFF  # one weight altered: the header still matches the architecture
    bad = tmp_path / "artseek-tiny.safetensors"
    bad.write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match="checksum"):
        add_model_file(bad, tmp_path / "models")
    # Under another name the same tensors are accepted as tiny-test weights of unknown origin.
    other = tmp_path / "fine-tuned.safetensors"
    other.write_bytes(bytes(data))
    found = recognise(other)
    assert found.models == ("tiny-test",) and found.pretrained_tag is None and found.sha256 != TINY_SHA


def test_a_torch_checkpoint_is_read_with_weights_only_and_converted(tmp_path: Path) -> None:
    import torch
    from safetensors.torch import load_file

    state = load_file(str(TINY_WEIGHTS))
    ckpt = tmp_path / "tiny.pt"
    torch.save({"state_dict": {f"module.{k}": v for k, v in state.items()}}, str(ckpt))
    found = recognise(ckpt)
    assert (found.kind, found.models) == ("torch", ("tiny-test",))
    _, target = add_model_file(ckpt, tmp_path / "models")
    assert target.name == "artseek-tiny.safetensors"
    converted = load_file(str(target))
    assert set(converted) == set(state) and all(torch.equal(converted[k], state[k]) for k in state)

    class Evil:
        def __reduce__(self):  # noqa: ANN204
            return (print, ("pwned",))

    evil = tmp_path / "evil.pt"
    torch.save({"w": Evil()}, str(evil))
    with pytest.raises(ModelFileError, match="more than plain tensors"):
        recognise(evil)


def _fake_export(folder: Path, model: str = "tiny-test", architecture: str = "ArtSeek-Tiny") -> Path:
    from artseek.embedding.onnx_backend import MANIFEST_FORMAT
    from artseek.embedding.tokenizer import VOCAB_FILENAME

    folder.mkdir(parents=True)
    for name in ("image.onnx", "text.onnx", VOCAB_FILENAME):
        (folder / name).write_bytes(b"x" * 10)
    manifest = {"format": MANIFEST_FORMAT, "model": model, "architecture": architecture,
                "source_weights": {"file": "artseek-tiny.safetensors", "size": 1, "sha256": "0"},
                "variants": {"fp32": {"image": "image.onnx", "text": "text.onnx", "sizes": {"image": 10, "text": 10}}}}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder


def test_an_onnx_export_folder_is_recognised_by_its_manifest_and_copied(tmp_path: Path) -> None:
    export = _fake_export(tmp_path / "some export")
    found, target = add_model_file(export, tmp_path / "models")
    assert (found.kind, found.models) == ("onnx", ("tiny-test",))
    assert target == tmp_path / "models" / "artseek-tiny.onnx" and (target / "manifest.json").is_file()
    assert _leftovers(tmp_path / "models") == []

    (export / "text.onnx").unlink()
    with pytest.raises(ModelFileError, match="cannot be used.*text.onnx"):
        recognise(export)
    with pytest.raises(ModelFileError, match="does not know"):
        recognise(_fake_export(tmp_path / "other", model="ViT-H-14", architecture="ViT-H-14"))
    (tmp_path / "plain folder").mkdir()
    with pytest.raises(ModelFileError, match="no manifest.json"):
        recognise(tmp_path / "plain folder")
    with pytest.raises(ModelFileError, match="single ONNX file"):
        recognise(target / "image.onnx")


def test_models_add_on_the_command_line(renamed: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    from artseek.cli import main

    assert main(["models", "add", str(renamed), "--dest", str(tmp_path / "models")]) == 0
    out = capsys.readouterr().out
    assert "model tiny-test (ArtSeek-Tiny" in out and str(tmp_path / "models" / "artseek-tiny.safetensors") in out
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(b"not weights")
    assert main(["models", "add", str(bad), "--dest", str(tmp_path / "models")]) == 2
    err = capsys.readouterr().err
    assert "'bad.safetensors' is not a model weights file" in err and "Traceback" not in err


# ------------------------------------------------------------------ downloads (never the network)
class _Body(io.BytesIO):
    pass


def _serving(data: bytes, sha: str | None = None, length: int | None = None):  # noqa: ANN202
    calls: list[str] = []

    def open_url(url: str):  # noqa: ANN202
        calls.append(url)
        return fetch._Response(_Body(data), len(data) if length is None else length, sha)

    return open_url, calls


@pytest.fixture()
def downloadable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(fetch.DOWNLOAD_URLS, "tiny-test", "https://example.invalid/artseek-tiny.safetensors")
    monkeypatch.setattr(fetch, "CHUNK", 1 << 20)


def test_download_streams_checks_and_installs(tmp_path: Path, downloadable: None) -> None:
    open_url, calls = _serving(TINY_WEIGHTS.read_bytes(), sha=TINY_SHA)
    seen: list[tuple[int, int]] = []
    path = fetch.fetch_weights("tiny-test", tmp_path, open_url=open_url, progress=lambda d, t: seen.append((d, t)))
    assert path == tmp_path / "artseek-tiny.safetensors" and path.read_bytes() == TINY_WEIGHTS.read_bytes()
    assert calls == ["https://example.invalid/artseek-tiny.safetensors"]
    assert len(seen) >= 8 and seen[-1] == (TINY_WEIGHTS.stat().st_size,) * 2
    assert _leftovers(tmp_path) == []


def test_offline_download_says_so_and_keeps_nothing(tmp_path: Path, downloadable: None) -> None:
    def offline(url: str):  # noqa: ANN202
        raise urllib.error.URLError(OSError(-3, "Temporary failure in name resolution"))

    with pytest.raises(fetch.DownloadError) as info:
        fetch.fetch_weights("tiny-test", tmp_path, open_url=offline)
    assert "cannot reach the download server" in info.value.message
    assert "Temporary failure in name resolution" in info.value.message
    assert "Choose a model file" in info.value.hint
    assert list(tmp_path.iterdir()) == []


ALTERED = bytearray(TINY_WEIGHTS.read_bytes())
ALTERED[-10] ^= 0xFF


def test_without_a_published_checksum_the_servers_is_checked(tmp_path: Path, downloadable: None,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(model_files.KNOWN_SHA256, "artseek-tiny.safetensors")
    with pytest.raises(fetch.DownloadError, match="checksum"):
        fetch.fetch_weights("tiny-test", tmp_path, open_url=_serving(TINY_WEIGHTS.read_bytes(), "0" * 64)[0])
    with pytest.raises(fetch.DownloadError, match="not the weights of 'tiny-test'"):
        fetch.fetch_weights("tiny-test", tmp_path, open_url=_serving(b"<html>rate limited</html>")[0])
    assert list(tmp_path.iterdir()) == []
    fetch.fetch_weights("tiny-test", tmp_path, open_url=_serving(TINY_WEIGHTS.read_bytes(), TINY_SHA)[0])


@pytest.mark.parametrize("data, sha, length, words", [
    (bytes(ALTERED), None, None, "checksum"),  # the published sha256 wins
    (bytes(ALTERED), TINY_SHA, None, "checksum"),
    (TINY_WEIGHTS.read_bytes()[:100_000], None, TINY_WEIGHTS.stat().st_size, "stopped at 100,000"),
    (b"<html>rate limited</html>", None, None, "checksum"),
])
def test_bad_downloads_are_refused_and_nothing_is_kept(tmp_path: Path, downloadable: None, data: bytes,
                                                       sha: str | None, length: int | None, words: str) -> None:
    open_url, _ = _serving(data, sha, length)
    with pytest.raises(fetch.DownloadError, match=words):
        fetch.fetch_weights("tiny-test", tmp_path, open_url=open_url)
    assert list(tmp_path.iterdir()) == []


def test_a_cancelled_download_keeps_nothing(tmp_path: Path, downloadable: None) -> None:
    open_url, _ = _serving(TINY_WEIGHTS.read_bytes())
    received: list[int] = []
    with pytest.raises(fetch.DownloadCancelled):
        fetch.fetch_weights("tiny-test", tmp_path, open_url=open_url, progress=lambda d, t: received.append(d),
                            cancelled=lambda: len(received) >= 2)
    assert list(tmp_path.iterdir()) == []


def test_a_model_without_a_download_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(fetch.DownloadError, match="cannot be downloaded"):
        fetch.fetch_weights("tiny-test", tmp_path, open_url=lambda url: pytest.fail("no network"))


def test_without_torch_safetensors_files_are_still_recognised_and_added(renamed: Path, tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """The packaged app has no torch: the safetensors header and the stored signatures are enough."""
    import sys

    monkeypatch.setitem(sys.modules, "torch", None)  # any import of torch now fails
    found, target = add_model_file(renamed, tmp_path / "models")
    assert found.models == ("tiny-test",) and target.read_bytes() == TINY_WEIGHTS.read_bytes()
    ckpt = tmp_path / "tiny.pt"
    ckpt.write_bytes(b"PK\x03\x04 a torch zip")
    with pytest.raises(ModelFileError, match="torch checkpoint, which this installation cannot read") as info:
        recognise(ckpt)
    assert ".safetensors" in info.value.hint
