"""An indexing job's rate, ETA and elapsed time leave out the time it was paused (issue #19, item 4)."""

from artseek.ingest.progress import IndexProgress, JobControl
from artseek.library import Library


def test_indexing_rate_and_elapsed_exclude_paused_time(tmp_path, shapes_200) -> None:
    now = [0.0]
    control = JobControl(lambda: now[0])
    seen: list[IndexProgress] = []
    paused = []

    def listener(p: IndexProgress) -> None:
        now[0] += 0.01  # every report: 10 ms of work on the fake clock
        if p.phase == "indexing" and p.done >= 20 and not paused:
            control.pause()
            now[0] += 1000.0  # a long pause...
            control.resume()
            paused.append(p.done)
        seen.append(IndexProgress(**{**p.__dict__, "failures": []}))

    folder = shapes_200[0][0].parent
    with Library(tmp_path / "lib", model="tiny-test") as lib:
        report = lib.index([folder], listener=listener, control=control)
    assert paused and report.indexed == 200
    assert report.elapsed_s < 100, report.elapsed_s  # ...is not in "Finished in"
    after = [p for p in seen if p.phase == "indexing" and p.done > paused[0]]
    assert after
    for p in after:  # nor in the rate and the time left
        assert p.rate > p.done / 100, (p.rate, p.done)
        assert p.eta_s is not None and p.eta_s < 100
