"""Suite-wide policy: in CI a skipped test is a failed test.

A test that skips proves nothing, and in CI every input it could need is present (the public
samples under ``../shared/samples`` included). So when ``CI == "true"`` any skip, whether from a
marker, ``pytest.skip()`` in a fixture or test, or a module skipped at collection, turns the
session's exit status into 1. The summary names each skipped test and its reason. Expected
failures (``xfail``) are not skips and are left alone. Off CI, skips behave as usual.
"""

from __future__ import annotations

import os

import pytest

CI_SKIP_HEADLINE = "a skipped test in CI is a failed test"


def _in_ci() -> bool:
    return os.environ.get("CI") == "true"


def _skip_reason(report: pytest.TestReport | pytest.CollectReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        reason = str(longrepr[2])
        return reason.removeprefix("Skipped: ")
    return str(longrepr) if longrepr else "(no reason given)"


class CISkipPolicy:
    """Collects every skip of the session and fails the session for them in CI."""

    def __init__(self) -> None:
        self.skipped: list[tuple[str, str]] = []

    def _record(self, report: pytest.TestReport | pytest.CollectReport) -> None:
        if report.skipped and not hasattr(report, "wasxfail"):
            self.skipped.append((report.nodeid or "(session)", _skip_reason(report)))

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self._record(report)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        self._record(report)  # a module skipped as a whole never reaches the run phase

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if self.skipped and session.exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED):
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        if not self.skipped:
            return
        terminalreporter.section("CI skip policy", sep="=", red=True, bold=True)
        terminalreporter.write_line(f"{CI_SKIP_HEADLINE} (CI=true): {len(self.skipped)} skipped", red=True)
        for nodeid, reason in self.skipped:
            terminalreporter.write_line(f"SKIPPED-IN-CI {nodeid}: {reason}")


def pytest_configure(config: pytest.Config) -> None:
    if _in_ci():
        config.pluginmanager.register(CISkipPolicy(), "paxgate-ci-skip-policy")
