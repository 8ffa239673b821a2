"""Test-suite root: pytest puts this folder on sys.path, so tests in sub-folders can share the helpers of test_reliability."""
import signal


def pytest_configure(config):
    """A suite started in the background of a non-interactive shell inherits SIGINT ignored, and
    the Ctrl-C tests need it delivered, in this process and in those it starts (exec resets a
    handled signal to its default, but keeps an ignored one ignored)."""
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
