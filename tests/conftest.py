import os

import pytest


@pytest.fixture
def demo_pledge(db):
    """The Åsele 2017 demo pledge, as `seed_demo` creates it."""
    from reports.demo import seed_all

    return seed_all()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """In CI (CI=true) a skipped test is a failure: nothing may pass by not running."""
    report = yield
    if os.environ.get("CI") == "true" and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped in CI, which counts as a failure: {report.longrepr}"
    return report
