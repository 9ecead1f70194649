"""Rates, time left and "finished in" do not count paused time (issue #19, item 4)."""

from artseek.ingest.progress import JobControl


class FakeClock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def test_active_time_excludes_pauses() -> None:
    clock = FakeClock()
    control = JobControl(clock)
    control.start_clock()
    clock.t += 2.0
    assert control.active_s() == 2.0
    control.pause()
    clock.t += 25.0
    assert control.active_s() == 2.0  # still paused: the pause so far does not count
    control.resume()
    clock.t += 1.0
    assert control.active_s() == 3.0
    control.pause()
    control.pause()  # a second pause does not restart the paused interval
    clock.t += 10.0
    control.cancel()  # cancelling ends the pause
    clock.t += 1.0
    assert control.active_s() == 4.0


def test_clock_started_while_paused() -> None:
    clock = FakeClock()
    control = JobControl(clock)
    control.pause()
    control.start_clock()
    clock.t += 30.0
    control.resume()
    clock.t += 5.0
    assert control.active_s() == 5.0
