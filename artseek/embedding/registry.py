"""The models ArtSeek knows by name, and where each one's weights are looked for."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from artseek import config
from artseek.embedding import catalogue
from artseek.errors import ArtSeekError, ModelNotFoundError

MODEL_CONFIG_DIR = Path(__file__).resolve().parent / "model_configs"


@dataclass(frozen=True)
class ModelSpec:
    """A model ArtSeek can load: its open_clip architecture and expected weights file."""

    name: str
    architecture: str
    weights_filename: str
    pretrained_tag: str | None = None
    description: str = ""
    extra_dirs: tuple[Path, ...] = field(default_factory=tuple)
    mean: tuple[float, float, float] | None = None  # the weights' preprocessing, when open_clip cannot tell it
    std: tuple[float, float, float] | None = None


MODELS: dict[str, ModelSpec] = {
    # The catalogue (artseek/embedding/catalogue.py): every entry is a --model choice.
    **{e.name: ModelSpec(name=e.name, architecture=e.architecture, weights_filename=e.weights_filename,
                         pretrained_tag=e.pretrained_tag, description=e.description, mean=e.mean, std=e.std)
       for e in catalogue.entries()},
    "tiny-test": ModelSpec(
        name="tiny-test",
        architecture="ArtSeek-Tiny",
        weights_filename="artseek-tiny.safetensors",
        description="4 M-parameter test model trained on generated shapes (tests only)",
        extra_dirs=(config.project_root() / "tests" / "fixtures" / "tiny_model",),
    ),
}


def available_models() -> dict[str, Path]:
    """The known models whose weights are on this computer, with the weights file of each."""
    found = {}
    for spec in MODELS.values():
        path = next((p for p in candidate_paths(spec) if p.is_file()), None)
        if path is not None:
            found[spec.name] = path
    return found


def get_spec(name: str) -> ModelSpec:
    """Return the spec for ``name`` or raise a readable error listing the known models."""
    try:
        return MODELS[name]
    except KeyError:
        raise ArtSeekError(
            f"Unknown model '{name}'.", f"Known models: {', '.join(sorted(MODELS))}."
        ) from None


def candidate_paths(spec: ModelSpec) -> list[Path]:
    """Where the weights of ``spec`` are looked for, in order (after ``--weights``)."""
    dirs = [config.bundled_models_dir(), config.user_models_dir(), *spec.extra_dirs]
    return [d / spec.weights_filename for d in dirs]


def locate_weights(spec: ModelSpec, explicit: str | os.PathLike[str] | None = None) -> Path:
    """Find the weights file: ``explicit`` / ``ARTSEEK_WEIGHTS``, then the model folders.

    Raises :class:`ModelNotFoundError` naming the expected file and folders.
    """
    explicit = explicit or os.environ.get(config.ENV_WEIGHTS)
    if explicit:
        path = Path(explicit).expanduser()
        if path.is_file():
            return path
        raise ModelNotFoundError(
            f"The weights file '{path}' does not exist.",
            "Check the path given with --weights or ARTSEEK_WEIGHTS.",
        )
    candidates = candidate_paths(spec)
    for path in candidates:
        if path.is_file():
            return path
    where = "\n".join(f"  - {p.parent}" for p in candidates)
    raise ModelNotFoundError(
        f"The weights for model '{spec.name}' were not found (expected a file named "
        f"'{spec.weights_filename}').",
        f"Put that file in one of these folders:\n{where}\n"
        "or pass its path with --weights. On a networked machine, "
        f"'python main.py models fetch --model {spec.name}' downloads it (see README).",
    )
