"""The fixed evaluation set and the agreement measures an export is judged by. No torch.

``models export`` embeds these synthetic pictures and catalogue-like texts with
torch (the reference) and with each exported variant, and records
:func:`agreement` in the manifest; the loader compares the same measures, taken
on the machine that runs the model, before ``auto`` picks OpenVINO
(:mod:`artseek.embedding.openvino_backend`).
"""

from __future__ import annotations

import hashlib

import numpy as np

from artseek.embedding.preprocess import PreprocessConfig, to_model_input

EVAL_IMAGES = 48
_COLOURS = ["red", "blue", "green", "yellow", "black", "white", "orange", "purple"]
_SUBJECTS = ["circle", "square", "star", "triangle", "ship", "harbour at night", "portrait of a woman",
             "landscape with mountains", "bowl of fruit", "cathedral"]
_STYLES = ["an engraving of", "a woodcut of", "an oil painting of", "a photograph of", "a watercolour of", "a map of"]


def evaluation_texts() -> list[str]:
    """A fixed set of catalogue-like queries (short and long) for measuring agreement."""
    texts = [f"a {c} {s}" for c, s in zip(_COLOURS * 2, _SUBJECTS + _SUBJECTS[:6], strict=False)]
    texts += [f"{st} a {s}" for st, s in zip(_STYLES * 2, reversed(_SUBJECTS), strict=False)]
    texts += [
        "Gravure sur cuivre : vue du port de Marseille, vers 1750 (épreuve rehaussée à l'aquarelle).",
        "葛飾北斎《神奈川沖浪裏》 woodblock print, c. 1831",
        "Portrait of a lady in a blue silk dress, half-length, holding a fan; gilt frame 🖼️",
        "Untitled (study for a ceiling), pen and brown ink with grey wash over black chalk on laid paper. "
        "Provenance: private collection, Paris; sold 1923; acquired by the museum in 1951. " * 3,
    ]
    return texts


def evaluation_images(cfg: PreprocessConfig, n: int = EVAL_IMAGES, seed: int = 1234) -> np.ndarray:
    """``n`` deterministic synthetic pictures (backgrounds, shapes, strokes) as a model input batch."""
    from PIL import Image, ImageDraw

    rng = np.random.default_rng(seed)
    size = cfg.image_size * 2
    batch = []
    for i in range(n):
        base = rng.integers(0, 256, 3)
        grad = np.linspace(0, 1, size, dtype=np.float32)[None, :, None] * rng.integers(-120, 120, 3)[None, None, :]
        noise = rng.normal(0, 12 if i % 3 else 40, (size, size, 3))
        pixels = np.clip(base[None, None, :] + grad + noise, 0, 255).astype(np.uint8)
        image = Image.fromarray(pixels, "RGB")
        draw = ImageDraw.Draw(image)
        for _ in range(int(rng.integers(1, 6))):
            colour = tuple(int(v) for v in rng.integers(0, 256, 3))
            x0, y0 = (int(v) for v in rng.integers(0, size * 3 // 4, 2))
            w, h = (int(v) for v in rng.integers(size // 8, size // 2, 2))
            kind = int(rng.integers(0, 4))
            if kind == 0:
                draw.ellipse((x0, y0, x0 + w, y0 + h), fill=colour)
            elif kind == 1:
                draw.rectangle((x0, y0, x0 + w, y0 + h), fill=colour)
            elif kind == 2:
                draw.polygon([(x0, y0 + h), (x0 + w // 2, y0), (x0 + w, y0 + h)], fill=colour)
            else:
                draw.line((x0, y0, x0 + w, y0 + h), fill=colour, width=int(rng.integers(1, 8)))
        batch.append(to_model_input(image, cfg))
    return np.stack(batch)


def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a = a / np.linalg.norm(a, axis=1, keepdims=True)
    b = b / np.linalg.norm(b, axis=1, keepdims=True)
    return np.sum(a * b, axis=1)


def top_k_overlap(queries_a: np.ndarray, items_a: np.ndarray, queries_b: np.ndarray, items_b: np.ndarray,
                  k: int = 10) -> float:
    """Mean fraction of the top-``k`` items shared by two embeddings of the same queries and items."""
    k = min(k, len(items_a))
    top_a = np.argsort(-(queries_a @ items_a.T), axis=1)[:, :k]
    top_b = np.argsort(-(queries_b @ items_b.T), axis=1)[:, :k]
    return float(np.mean([len(set(x) & set(y)) / k for x, y in zip(top_a, top_b, strict=True)]))


def agreement(ref_images: np.ndarray, ref_texts: np.ndarray, images: np.ndarray, texts: np.ndarray) -> dict:
    """Cosine to the reference per image and text, and top-10 retrieval overlap (text->image and image->image)."""
    ci, ct = cosines(ref_images, images), cosines(ref_texts, texts)
    overlap_t = top_k_overlap(ref_texts, ref_images, texts, images)
    overlap_i = top_k_overlap(ref_images, ref_images, images, images)
    return {
        "image_cosine_min": round(float(ci.min()), 6), "image_cosine_mean": round(float(ci.mean()), 6),
        "text_cosine_min": round(float(ct.min()), 6), "text_cosine_mean": round(float(ct.mean()), 6),
        "top10_overlap": round((overlap_t + overlap_i) / 2, 4),
        "top10_overlap_text_to_image": round(overlap_t, 4), "top10_overlap_image_to_image": round(overlap_i, 4),
        "n_images": int(len(ref_images)), "n_texts": int(len(ref_texts)),
    }


def batch_sha256(batch: np.ndarray) -> str:
    """The sha256 of a model input batch's float32 bytes: proves the evaluation set was rebuilt exactly."""
    return hashlib.sha256(np.ascontiguousarray(batch, dtype=np.float32).tobytes()).hexdigest()
