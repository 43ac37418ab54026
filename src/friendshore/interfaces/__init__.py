"""Interfaces: the command line (``cli``). Thin: they call the layers above.

Ctrl-C while the command line is still importing its modules (the first half second) would end
in a KeyboardInterrupt traceback from the interpreter: an uncaught ``KeyboardInterrupt`` is shown
as one line instead (the process still ends by SIGINT, exit status 130 in a shell). Nothing has
been read or written by then.
"""

import sys
from types import TracebackType

_previous_hook = sys.excepthook


def _quiet_interrupt(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
    if issubclass(kind, KeyboardInterrupt):
        sys.stderr.write("Interrupted while starting: nothing was done.\n")
        return
    _previous_hook(kind, value, tb)


sys.excepthook = _quiet_interrupt
