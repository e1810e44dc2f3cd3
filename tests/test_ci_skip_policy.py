"""The CI skip policy of tests/conftest.py, proved on throwaway test files in a temporary directory.

Each case runs an inner pytest session (pytester, in a temp dir) with a copy of our conftest, so
the suite itself never contains a test that always skips.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

CONFTEST = (Path(__file__).resolve().parent / "conftest.py").read_text(encoding="utf-8")

MIXED = """
import pytest

def test_passes():
    assert True

@pytest.mark.skip(reason="needs the moon")
def test_marked():
    assert False

def test_skips_inside():
    pytest.skip("input folder absent")

@pytest.fixture
def resource():
    pytest.skip("fixture cannot build the resource")

def test_fixture_skip(resource):
    assert False
"""


@pytest.fixture
def inner(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    pytester.makeconftest(CONFTEST)
    monkeypatch.delenv("CI", raising=False)
    return pytester


def test_skips_fail_the_session_in_ci(inner: pytest.Pytester, monkeypatch: pytest.MonkeyPatch):
    inner.makepyfile(test_mixed=MIXED)
    monkeypatch.setenv("CI", "true")
    result = inner.runpytest()
    result.assert_outcomes(passed=1, skipped=3)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines([
        "*a skipped test in CI is a failed test*3 skipped*",
        "SKIPPED-IN-CI test_mixed.py::test_marked: needs the moon",
        "SKIPPED-IN-CI test_mixed.py::test_skips_inside: input folder absent",
        "SKIPPED-IN-CI test_mixed.py::test_fixture_skip: fixture cannot build the resource",
    ])


@pytest.mark.parametrize("value", [None, "false", "1", "TRUE"])
def test_skips_are_only_skips_off_ci(inner: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, value: str | None):
    inner.makepyfile(test_mixed=MIXED)
    if value is not None:
        monkeypatch.setenv("CI", value)
    result = inner.runpytest()
    result.assert_outcomes(passed=1, skipped=3)
    assert result.ret == pytest.ExitCode.OK
    assert "a skipped test in CI is a failed test" not in result.stdout.str()


def test_no_skip_no_failure_in_ci(inner: pytest.Pytester, monkeypatch: pytest.MonkeyPatch):
    inner.makepyfile(test_clean="def test_one():\n    assert 1 + 1 == 2\n")
    monkeypatch.setenv("CI", "true")
    result = inner.runpytest()
    result.assert_outcomes(passed=1)
    assert result.ret == pytest.ExitCode.OK
    assert "a skipped test in CI is a failed test" not in result.stdout.str()


def test_xfail_is_not_a_skip(inner: pytest.Pytester, monkeypatch: pytest.MonkeyPatch):
    inner.makepyfile(test_xfail="""
import pytest

@pytest.mark.xfail(reason="known bug", strict=True)
def test_known_bug():
    assert False
""")
    monkeypatch.setenv("CI", "true")
    result = inner.runpytest()
    result.assert_outcomes(xfailed=1)
    assert result.ret == pytest.ExitCode.OK


def test_module_skipped_at_collection_fails_in_ci(inner: pytest.Pytester, monkeypatch: pytest.MonkeyPatch):
    inner.makepyfile(test_whole="""
import pytest

pytest.skip("whole module needs a database", allow_module_level=True)

def test_never_runs():
    assert False
""", test_other="def test_fine():\n    pass\n")
    monkeypatch.setenv("CI", "true")
    result = inner.runpytest()
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["SKIPPED-IN-CI test_whole.py: whole module needs a database"])


def test_real_failure_keeps_its_status(inner: pytest.Pytester, monkeypatch: pytest.MonkeyPatch):
    inner.makepyfile(test_both="""
import pytest

def test_fails():
    assert 1 == 2

def test_skips():
    pytest.skip("later")
""")
    monkeypatch.setenv("CI", "true")
    result = inner.runpytest()
    result.assert_outcomes(failed=1, skipped=1)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["SKIPPED-IN-CI test_both.py::test_skips: later"])


def test_policy_holds_in_a_separate_process(inner: pytest.Pytester, monkeypatch: pytest.MonkeyPatch):
    """The exit status is what CI sees: check it on a real pytest process, not only in-process."""
    inner.makepyfile(test_mixed=MIXED)
    monkeypatch.setenv("CI", "true")
    result = inner.runpytest_subprocess()
    assert result.ret == 1
    result.stdout.fnmatch_lines(["*a skipped test in CI is a failed test*"])
