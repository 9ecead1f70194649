"""The indexing queue (ui/service_indexing.py): a re-index queued behind another job loads its new model when the
re-index itself ends, not when the job before it ends."""

from __future__ import annotations

import pytest

from tests.conftest import TINY_WEIGHTS
from tests.gui.conftest import copy_shapes

pytestmark = pytest.mark.gui


def test_a_queued_reindex_loads_the_new_model_when_it_ends(qtbot, window, shapes_200, tmp_path,
                                                            monkeypatch) -> None:  # noqa: ANN001
    from artseek.embedding import registry

    spec = registry.MODELS["tiny-test"]
    monkeypatch.setitem(registry.MODELS, "tiny-alias", registry.ModelSpec(
        "tiny-alias", spec.architecture, spec.weights_filename, extra_dirs=spec.extra_dirs))
    service = window.service
    qtbot.waitUntil(lambda: service.model_state == "ready", timeout=120_000)
    events: list[tuple] = []
    service.indexStarted.connect(lambda title: events.append(("started", title)))
    service.indexFinished.connect(lambda report: events.append(("finished", report.indexed)))
    service.modelStateChanged.connect(lambda state, detail: events.append(("model", state, detail)))

    assert service.import_folders([str(copy_shapes(shapes_200, tmp_path / "images", 0, 12))])
    service.index_jobs.pause()  # the import waits before its first file while the re-index is queued behind it
    assert service.reindex("tiny-alias", str(TINY_WEIGHTS))
    assert service.index_jobs.queued == ["Re-indexing with the model tiny-alias"]
    service.index_jobs.resume()
    qtbot.waitUntil(lambda: ("model", "ready", "tiny-alias") in events, timeout=120_000)

    finished = [i for i, e in enumerate(events) if e[0] == "finished"]
    assert len(finished) == 2 and events[finished[1]] == ("finished", 12)  # the re-index embedded all 12 again
    model_events = [(i, e) for i, e in enumerate(events) if e[0] == "model"]
    assert model_events and all(i > finished[1] for i, _ in model_events), events  # none after the first job
    assert model_events[-1][1] == ("model", "ready", "tiny-alias")
    assert service.library.encoder_loaded and service.library.model_name == "tiny-alias"
    assert window.model_label.text() == "Model: tiny-alias"
