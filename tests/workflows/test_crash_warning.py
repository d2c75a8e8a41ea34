"""What the studio and a script see after a run stopped mid-send (issue 25, fault 7): the workflow's
result (`SendOutcome.warnings`), the run's line in the store's progress (shown by the studio)
and the saved report name the families the stopped run was transmitting, with their language."""
from __future__ import annotations

import json
import socket
import subprocess
import sys

from tests.workflows.test_send_desk import desk, send_now  # noqa: F401 (fixture)


def test_the_run_that_takes_over_a_stopped_runs_claims_names_what_it_was_transmitting(desk):  # noqa: F811
    from sqlalchemy import select

    from mailer.send import sendlog
    from mailer.store.tables import subscribers
    from workflows import progress
    settings, store = desk
    key = "equity/2021-09-sept-oct"
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()                                              # a process of this machine that no longer exists
    owner = f"{socket.gethostname()[:30]}:{gone.pid}:0badc0de:2"      # it had two connections
    with store.write() as connection:
        first = connection.execute(select(subscribers.c.id, subscribers.c.email).where(
            subscribers.c.language == "es").order_by(subscribers.c.id).limit(3)).all()
        sendlog.claim(connection, key, [{"subscriber_id": r.id, "email": r.email, "language": "es",
                                         "segment": "all-families", "backend": "smtp", "message_id": f"<{r.id}>"}
                                        for r in first], owner, sendlog.PENDING, {})
    outcome = send_now(settings)
    assert outcome.report.delivered == 50                    # its claims taken over: nobody left behind
    [warning] = outcome.warnings
    assert "2 families may get this issue twice" in warning and f"run {gone.pid}@" in warning
    assert f"{first[0].email} (es), {first[1].email} (es)" in warning and first[2].email not in warning
    run = progress.latest(store, key)                        # what the studio's progress page shows
    assert warning in run.detail
    saved = json.loads(outcome.report_path.read_text(encoding="utf-8"))["in_transmission_at_a_stop"]
    assert saved["warning"] == warning
    assert [(f["email"], f["language"]) for f in saved["families"]] == [(first[0].email, "es"),
                                                                        (first[1].email, "es")]
    assert send_now(settings).warnings == []                 # named once
