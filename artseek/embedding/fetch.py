"""``models fetch``: the one place ArtSeek uses the network, run once on a networked machine."""

from __future__ import annotations

from pathlib import Path

from artseek import config
from artseek.embedding.registry import get_spec
from artseek.errors import ArtSeekError


def fetch_weights(model_name: str, dest: Path | None = None) -> Path:
    """Download ``model_name``'s pretrained weights via open_clip and save them as safetensors."""
    spec = get_spec(model_name)
    if not spec.pretrained_tag:
        raise ArtSeekError(f"The model '{model_name}' is not downloadable.",
                           "The tiny test model is trained by tests/fixtures/train_tiny_model.py.")
    dest = (dest or config.user_models_dir()).expanduser()
    target = dest / spec.weights_filename
    try:
        import logging

        import open_clip
        from safetensors.torch import save_file

        logging.getLogger("huggingface_hub").setLevel(logging.CRITICAL)
        logging.getLogger().setLevel(logging.CRITICAL)

        model = open_clip.create_model(spec.architecture, pretrained=spec.pretrained_tag, device="cpu")
    except Exception as exc:  # noqa: BLE001 - any network or hub failure
        raise ArtSeekError(
            f"Could not download the weights of '{model_name}' ({type(exc).__name__}: {str(exc).splitlines()[0][:200]}).",
            "This command needs internet access. On a networked machine run "
            f"'python main.py models fetch --model {model_name}', then copy '{spec.weights_filename}' "
            f"into {config.user_models_dir()} (or resources/models/ before packaging).",
        ) from None
    dest.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().contiguous() for k, v in model.state_dict().items()}
    tmp = target.with_suffix(".tmp")
    save_file(state, str(tmp), metadata={"architecture": spec.architecture, "pretrained": spec.pretrained_tag})
    tmp.replace(target)
    return target
