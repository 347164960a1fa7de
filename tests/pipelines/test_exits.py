"""Every command ends through one mapping (CONTRACT.md: 0 finished, 2 bad usage or config, 1 else)."""

from __future__ import annotations

import pytest

from pipelines.commands.exits import CommandFailed, UsageError, run_command
from pipelines.runners.lock import RunLockHeld
from schemas.errors import ConfigError


def raising(exc: BaseException):
    def command() -> int:
        raise exc

    return command


@pytest.mark.parametrize(
    ("outcome", "code", "says"),
    [
        (lambda: 0, 0, ""),
        (raising(ConfigError("[store] url is empty; set it")), 2, "buysignal demo: [store] url is empty"),
        (raising(UsageError("needs a FEED")), 2, "buysignal demo: needs a FEED"),
        (raising(RunLockHeld("batch", "sqlite:///x.db", "pid 7")), 1, "another buysignal batch run"),
        (raising(CommandFailed("the broker went away")), 1, "buysignal demo: the broker went away"),
        (raising(RuntimeError("boom")), 1, "error: RuntimeError: boom"),
        (raising(BrokenPipeError()), 0, ""),
        (raising(KeyboardInterrupt()), 130, ""),
    ],
)
def test_each_outcome_has_one_exit_code(
    outcome, code: int, says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_command("demo", outcome) == code
    err = capsys.readouterr().err
    assert says in err
    assert ("BUYSIGNAL_DEBUG" in err) == (says.startswith("error:"))  # the traceback hint, only there


def test_the_traceback_is_shown_when_asked_for(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BUYSIGNAL_DEBUG", "1")
    with pytest.raises(RuntimeError, match="boom"):
        run_command("demo", raising(RuntimeError("boom")))
