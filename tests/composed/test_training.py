"""Training the mapper on a library's own embeddings, and composed search choosing Pic2Word or averaging."""

from __future__ import annotations

import numpy as np
import pytest

from artseek.composed import MapperError, prompt_for
from artseek.composed.composer import AUTO_USES_MAPPER, is_composed
from artseek.composed.mapper import META_FILE, WEIGHTS_FILE
from artseek.composed.training import TrainingOptions, default_steps
from artseek.search.query import Query
from tests.composed.conftest import TRAIN_STEPS


def test_prompts_put_the_image_where_the_modifier_leaves_room() -> None:
    assert prompt_for("blue") == "a blue *"
    assert prompt_for("  on a striped   background ") == "a * on a striped background"
    assert prompt_for("an engraving of *") == "an engraving of *"


def test_default_steps_follow_the_library_size() -> None:
    assert default_steps(200, 256) == 300
    assert default_steps(100_000, 256) == 3000
    assert default_steps(5000, 256) == 600


def test_training_saves_a_mapper_with_its_stats(trained_library) -> None:
    info = trained_library.composer.info()
    assert info is not None and info.model == "tiny-test"
    assert (info.embed_dim, info.token_width, info.prompt) == (64, 64, "a photo of *")
    assert info.stats["images"] == 200 and info.stats["steps"] == TRAIN_STEPS
    assert info.stats["seconds"] > 0 and np.isfinite(info.stats["final_loss"])
    assert (trained_library.folder / WEIGHTS_FILE).is_file() and (trained_library.folder / META_FILE).is_file()


def test_the_trained_pseudo_word_stands_for_its_image(trained_library, shapes_200) -> None:
    """The training objective: "a photo of *" with an image's pseudo-word retrieves images like it."""
    lib = trained_library
    mapper = lib.composer.mapper()
    hits = 0
    for path, spec in shapes_200[:32]:
        vector = lib.composer.pic2word(mapper, "a photo of *", [lib.embed_image(path)])
        top = lib.search_vector(vector, 5)
        hits += sum(spec.label in {s.label for p, s in shapes_200 if p == __import__("pathlib").Path(r.path)}
                    for r in top)
    assert hits / (32 * 5) > 0.3  # chance: 1/32


def test_progress_reports_steps_and_a_time_estimate_and_cancel_keeps_the_old_mapper(trained_library) -> None:
    from artseek.ingest.progress import JobControl

    before = (trained_library.folder / WEIGHTS_FILE).read_bytes()
    control, seen = JobControl(), []

    def listener(p) -> None:  # noqa: ANN001
        seen.append(p)
        if p.step >= 10:
            control.cancel()

    assert trained_library.train_mapper(TrainingOptions(steps=40, threads=1), listener, control) is None
    steps = [p.step for p in seen if p.phase == "training"]
    assert steps == sorted(steps) and 10 <= max(steps) < 40
    assert all(p.eta_s is not None and p.eta_s >= 0 for p in seen if p.phase == "training" and p.step)
    assert seen[-1].phase == "cancelled"
    assert (trained_library.folder / WEIGHTS_FILE).read_bytes() == before


def test_retraining_replaces_the_mapper(trained_library) -> None:
    before = (trained_library.folder / WEIGHTS_FILE).read_bytes()
    phases = []
    info = trained_library.train_mapper(TrainingOptions(steps=8, threads=1, seed=3), lambda p: phases.append(p.phase))
    assert info is not None and info.stats["steps"] == 8
    assert phases[-2:] == ["saving", "done"]
    assert (trained_library.folder / WEIGHTS_FILE).read_bytes() != before


def test_composed_search_uses_the_method_asked_for(trained_library, shapes_200) -> None:
    lib = trained_library
    image = str(shapes_200[3][0])
    pic2word = Query(text="blue", images=[image], composed="pic2word")
    average = Query(text="blue", images=[image], composed="average")
    assert lib.composer.method_for(pic2word) == "pic2word"
    assert lib.composer.method_for(average) == "average"
    assert lib.composer.method_for(Query(text="blue", images=[image])) == ("pic2word" if AUTO_USES_MAPPER
                                                                          else "average")
    assert lib.composer.method_for(Query(text="blue")) is None and not is_composed(Query(images=[image]))
    p2w = [r.image_id for r in lib.search_query(pic2word, 10)]
    avg = [r.image_id for r in lib.search_query(average, 10)]
    assert len(p2w) == 10 and p2w != avg
    # Pic2Word is the text tower reading the prompt with the image's pseudo-word in it
    mapper = lib.composer.mapper()
    token = mapper(lib.embed_image(image)[None] / np.linalg.norm(lib.embed_image(image)))
    expected = lib.encoder.encode_texts_with_tokens(["a blue *"], token)[0]
    assert [r.image_id for r in lib.search_vector(expected, 10)] == p2w


def test_without_a_mapper_pic2word_is_refused_and_auto_averages(indexed_library, shapes_200) -> None:
    query = Query(text="blue", images=[str(shapes_200[0][0])], composed="pic2word")
    with pytest.raises(MapperError, match="(?s)no composed-query mapper.*train mapper"):
        indexed_library.search_query(query, 5)
    query.composed = "auto"
    assert indexed_library.composer.method_for(query) == "average"
    assert indexed_library.composer.method_to_use("pic2word") == "average"
    assert len(indexed_library.search_query(query, 5)) == 5


def test_a_mapper_of_another_model_is_not_used(trained_library, shapes_200) -> None:
    import json

    meta = trained_library.folder / META_FILE
    raw = json.loads(meta.read_text())
    meta.write_text(json.dumps({**raw, "model": "ViT-B-32"}))
    query = Query(text="blue", images=[str(shapes_200[0][0])], composed="auto")
    assert trained_library.composer.method_for(query) == "average"
    assert trained_library.composer.method_to_use("pic2word") == "average"
    query.composed = "pic2word"
    with pytest.raises(MapperError, match="trained for the model 'ViT-B-32'"):
        trained_library.search_query(query, 5)


def test_training_needs_a_writable_library_and_enough_images(composed_library_folder, tmp_path) -> None:
    from artseek.errors import LibraryError
    from artseek.library import Library

    with Library(composed_library_folder, model="tiny-test", read_only=True) as lib:
        with pytest.raises(LibraryError, match="read-only"):
            lib.train_mapper(TrainingOptions(steps=1))
    with Library(tmp_path / "empty", model="tiny-test") as lib:
        with pytest.raises(MapperError, match="0 indexed images"):
            lib.train_mapper(TrainingOptions(steps=1))
