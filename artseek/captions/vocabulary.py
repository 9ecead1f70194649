"""Keyword suggestions from an editable vocabulary, and zero-shot classification into the curator's categories.

A vocabulary file is plain UTF-8 text: one term per line, ``# comments``,
``[section]`` headers (object type, technique, subject ...) and optional
``templates: a painting of {} | an engraving of {}`` lines that set the
prompt templates of the following terms. Each term's embedding is the
normalised mean of its templates' embeddings (prompt ensembling).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
from sqlalchemy import select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from artseek import config
from artseek.errors import ArtSeekError
from artseek.storage import Database, PromptEmbedding

DEFAULT_TEMPLATES = ("{}", "a painting of {}", "an engraving of {}", "a photograph of {}", "a drawing of {}")
CLASSIFY_TEMPLATES = ("{}", "a {}", "an artwork: {}", "an image of {}")
VOCABULARY_FILENAME = "vocabulary.txt"


class VocabularyError(ArtSeekError):
    """A vocabulary file or category definition cannot be used."""


@dataclass(frozen=True)
class Term:
    term: str
    group: str | None
    templates: tuple[str, ...]


@dataclass(frozen=True)
class KeywordMatch:
    """A suggested keyword for an image."""

    term: str
    score: float
    group: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Category:
    """A user-defined category: its name, its values, the templates to embed them with."""

    name: str
    values: list[str]
    templates: tuple[str, ...] = CLASSIFY_TEMPLATES

    def to_dict(self) -> dict:
        return {"name": self.name, "values": self.values, "templates": list(self.templates)}


@dataclass
class ClassifyReport:
    category: str
    counts: dict[str, int] = field(default_factory=dict)
    images: int = 0

    def to_dict(self) -> dict:
        return asdict(self)


def bundled_vocabulary() -> Path:
    return config.resources_dir() / "vocabulary" / "art_terms.txt"


def parse_vocabulary(text: str, name: str = "vocabulary") -> list[Term]:
    terms: list[Term] = []
    group: str | None = None
    templates = DEFAULT_TEMPLATES
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("[") and line.endswith("]"):
            group, templates = line[1:-1].strip() or None, DEFAULT_TEMPLATES
        elif line.lower().startswith("templates:"):
            templates = tuple(t.strip() for t in line.split(":", 1)[1].split("|") if t.strip())
            bad = [t for t in templates if t.count("{}") != 1]
            if not templates or bad:
                raise VocabularyError(f"Line {number} of {name}: each template needs exactly one '{{}}' "
                                      f"({', '.join(bad) or 'none given'}).",
                                      "Write e.g. 'templates: a painting of {} | an engraving of {}'.")
        else:
            terms.append(Term(" ".join(line.split()), group, templates))
    unique = list({t.term.lower(): t for t in terms}.values())
    if not unique:
        raise VocabularyError(f"The {name} has no terms.", "Put one term per line.")
    return unique


def load_vocabulary(path: Path | str | None = None, library_folder: Path | None = None) -> tuple[list[Term], Path]:
    """The vocabulary from ``path``, else ``<library>/vocabulary.txt`` if the curator made one,
    else the bundled list."""
    candidates = [Path(path)] if path else []
    if library_folder is not None and not path:
        candidates.append(library_folder / VOCABULARY_FILENAME)
    if not path:
        candidates.append(bundled_vocabulary())
    for candidate in candidates:
        if candidate.is_file():
            try:
                text = candidate.read_text(encoding="utf-8-sig")
            except (OSError, UnicodeDecodeError) as exc:
                raise VocabularyError(f"Cannot read the vocabulary '{candidate}': {exc}.",
                                      "Save it as UTF-8 text, one term per line.") from None
            return parse_vocabulary(text, f"vocabulary '{candidate.name}'"), candidate
        if path:
            raise VocabularyError(f"The vocabulary file '{candidate}' does not exist.", "Check the path.")
    raise VocabularyError("No vocabulary file found.", f"Create {VOCABULARY_FILENAME} in the library folder.")


def parse_category(spec: str) -> Category:
    """``technique=photograph,engraving,drawing`` -> a :class:`Category`."""
    name, sep, values = spec.partition("=")
    items = [" ".join(v.split()) for v in values.split(",") if v.strip()]
    if not sep or not name.strip() or len(items) < 2:
        raise VocabularyError(f"'{spec}' is not a category definition.",
                              "Write NAME=VALUE1,VALUE2[,...], e.g. technique=photograph,engraving,drawing,painting "
                              "(at least two values).")
    if len(set(v.lower() for v in items)) != len(items):
        raise VocabularyError(f"The category '{name.strip()}' lists a value twice.", "List each value once.")
    return Category(name.strip(), items)


# ---------------------------------------------------------------- embeddings
class PromptEmbedder:
    """Embeds prompts with the library's model, caching them in the database (and in memory)."""

    def __init__(self, db: Database, model: str, encode: Callable[[list[str]], np.ndarray]) -> None:
        self.db, self.model, self.encode = db, model, encode
        self.memory: dict[str, np.ndarray] = {}

    def _key(self, prompt: str) -> str:
        return hashlib.sha256(f"{self.model}\x1f{prompt}".encode()).hexdigest()

    def embed(self, prompts: Sequence[str]) -> np.ndarray:
        keys = {p: self._key(p) for p in prompts}
        missing = [p for p in dict.fromkeys(prompts) if keys[p] not in self.memory]
        if missing:
            with self.db.session() as s:
                for start in range(0, len(missing), 500):
                    chunk = [keys[p] for p in missing[start:start + 500]]
                    for key, blob in s.execute(select(PromptEmbedding.key, PromptEmbedding.vector)
                                               .where(PromptEmbedding.key.in_(chunk))):
                        self.memory[key] = np.frombuffer(blob, dtype=np.float32)
            todo = [p for p in missing if keys[p] not in self.memory]
            for start in range(0, len(todo), 128):
                chunk = todo[start:start + 128]
                vectors = np.asarray(self.encode(chunk), dtype=np.float32)
                for p, v in zip(chunk, vectors, strict=True):
                    self.memory[keys[p]] = v
                if not self.db.read_only:
                    # INSERT OR IGNORE: two threads may embed the same prompt at once (same vector).
                    with self.db.session() as s:
                        s.execute(sqlite_insert(PromptEmbedding).on_conflict_do_nothing(), [
                            dict(key=keys[p], model=self.model, prompt=p, vector=v.tobytes())
                            for p, v in zip(chunk, vectors, strict=True)])
        return np.stack([self.memory[keys[p]] for p in prompts])

    def ensemble(self, items: Sequence[str], templates: Sequence[str] | Sequence[Sequence[str]]) -> np.ndarray:
        """``(len(items), D)``: each item's normalised mean over its templates (one list, or one per item)."""
        per_item = [templates] * len(items) if templates and isinstance(templates[0], str) else templates
        prompts = [t.format(item) for item, ts in zip(items, per_item, strict=True) for t in ts]
        vectors = self.embed(prompts)
        out, pos = [], 0
        for ts in per_item:
            mean = vectors[pos:pos + len(ts)].mean(axis=0)
            out.append(mean / (np.linalg.norm(mean) or 1.0))
            pos += len(ts)
        return np.asarray(out, dtype=np.float32)


def suggest_keywords(image_vector: np.ndarray, terms: Sequence[Term], term_vectors: np.ndarray, top_k: int = 10
                     ) -> list[KeywordMatch]:
    scores = term_vectors @ np.asarray(image_vector, dtype=np.float32)
    order = np.argsort(-scores, kind="stable")[:top_k]
    return [KeywordMatch(terms[i].term, round(float(scores[i]), 6), terms[i].group) for i in order]


def classify_vectors(vectors: np.ndarray, value_vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Zero-shot: the best value per image and its softmax probability (CLIP's logit scale 100)."""
    logits = 100.0 * (np.asarray(vectors, dtype=np.float32) @ value_vectors.T)
    logits -= logits.max(axis=1, keepdims=True)
    probs = np.exp(logits)
    probs /= probs.sum(axis=1, keepdims=True)
    best = probs.argmax(axis=1)
    return best, probs[np.arange(len(best)), best]
