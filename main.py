"""ArtSeek entry point: a command (see --help), or the desktop window when none is given.

Ctrl+C at any moment, start-up imports included, ends with one line and no
traceback (a command also stops so on SIGTERM/SIGHUP: artseek.stop_signals); any other unexpected error becomes one line too,
with the details in the user log (artseek.crash_log).
"""

import sys


def _run() -> int:
    try:
        import multiprocessing

        multiprocessing.freeze_support()  # decode worker processes in the packaged app
        from artseek.cli import main

        return main()
    except KeyboardInterrupt as exc:
        how = str(exc) if exc.__class__.__name__ == "StopRequested" else "Ctrl+C"
        print(f"\nStopped ({how}): work done so far is kept; run the same command again to resume.",
              file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - no traceback ever reaches a user
        from artseek import crash_log

        print(f"error: {crash_log.report(exc)}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    code = _run()
    try:
        import signal

        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a late Ctrl+C during interpreter shutdown: no traceback
        sys.stdout.flush()
    except (KeyboardInterrupt, OSError, ValueError):
        pass
    sys.exit(code)
