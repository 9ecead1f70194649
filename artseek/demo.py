"""The demo for a newcomer without model weights: the tiny test model on generated sample images.

Only in a source checkout: it uses the committed tiny model
(``tests/fixtures/tiny_model``) and the shape generator
(``tests/fixtures/shapes.py``), loaded from their files (never ``import tests``),
so the packaged app, which has neither, simply does not offer it. The demo
library and its images live in a fresh temporary folder; the curator's own
libraries are never touched. No Qt here: ``main.py --demo`` and the window's
*Try the Demo* both use it.
"""

from __future__ import annotations

import importlib.util
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from artseek import config
from artseek.errors import ArtSeekError

DEMO_MODEL = "tiny-test"
DEMO_IMAGES = 160
SAMPLE_QUERIES = ("a red star", "a blue circle", "a yellow triangle", "a green square")


@dataclass(frozen=True)
class Demo:
    """A demo's temporary library folder and its sample images."""

    folder: Path  # holds both
    library: Path
    images: Path


def _generator_file() -> Path:
    return config.project_root() / "tests" / "fixtures" / "shapes.py"


def available() -> bool:
    """True in a source checkout that has the tiny model and the sample generator (never in the packaged app)."""
    if config.is_frozen():
        return False
    from artseek.embedding.registry import MODELS

    weights = [d / MODELS[DEMO_MODEL].weights_filename for d in MODELS[DEMO_MODEL].extra_dirs]
    return _generator_file().is_file() and any(w.is_file() for w in weights)


def create(count: int = DEMO_IMAGES, parent: Path | None = None) -> Demo:
    """Write ``count`` generated sample images into a new temporary folder; the library goes beside them."""
    if not available():
        raise ArtSeekError("The demo is only available in a source checkout of ArtSeek.",
                           "Choose or download a model in Model Setup instead.")
    spec = importlib.util.spec_from_file_location("artseek_demo_shapes", _generator_file())
    if spec is None or spec.loader is None:
        raise ArtSeekError("The demo's sample generator could not be loaded.", "Check the source checkout.")
    shapes = sys.modules.get(spec.name)
    if shapes is None:
        shapes = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = shapes  # dataclasses look their module up there
        spec.loader.exec_module(shapes)
    folder = Path(tempfile.mkdtemp(prefix="artseek-demo-", dir=parent))
    images = folder / "sample images"
    shapes.generate_folder(images, count, size=128)
    return Demo(folder, folder / "library", images)
