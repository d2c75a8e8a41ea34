"""The rerun after an SMTP crash names the families that were being transmitted when it stopped
(issue 25, fault 7): they are sent again with the same Message-ID and may get the issue twice;
the rerun says which (address and language), in its output and in its saved report, and no
later run names them again. Nothing is written per message for it: the stopped run's owner
name says how many connections it had, and its threads took the batch in id order."""
from __future__ import annotations

import json
import re

import pytest

from mailer.send import sendlog
from tests.mailer.crashing_compose import CRASHED
from tests.mailer.smtp_sink import SMTPSink
from tests.mailer.test_send import FAMILIES, ISSUE_DIR, ROOT, SIGNER, compose, families  # noqa: F401 (fixture)

MORE = [[f"family{i}@example.org", f"Family {i}", ["Spanish", "English", "Arabic"][i % 3], "Aiken", "1"]
        for i in range(40)]
LANGUAGE = {"Spanish": "es", "English": "en", "Arabic": "ar", "Portuguese": "pt", "Urdu": "ur"}


def named_in(text: str) -> set[str]:
    """The addresses the warning names ("... twice: ... : a@x (es), b@y (en)")."""
    line = next(line for line in text.splitlines() if "may get this issue twice" in line)
    return {address for address, _ in re.findall(r"([\w.+-]+@[\w.-]+) \((\w+)\)", line.rsplit(": ", 1)[1])}


@pytest.mark.parametrize("pool", [1, 2])
def test_the_rerun_after_an_smtp_crash_names_the_families_in_transmission(families, store_url, tmp_path,  # noqa
                                                                         write_roster, run, pool):
    assert run("subscribers", "import", write_roster(MORE, name="more.csv")).exit_code == 0
    languages = {row[0]: LANGUAGE[row[2]] for row in FAMILIES + MORE}
    with SMTPSink() as sink:
        sink.delay = 0.02                    # with two connections, the other is mid-message at the crash
        env = {"NEWSLETTER_DB": store_url, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(sink.port),
               "SMTP_SECURITY": "none", "SMTP_POOL": str(pool), "NEWSLETTER_SECRET": SIGNER.secret,
               "NEWSLETTER_BASE_URL": SIGNER.base_url, "NEWSLETTER_AUDIENCES": str(ROOT / "audiences.yaml")}
        reports = tmp_path / "reports"
        args = ("send", ISSUE_DIR, "--to", "all-families", "--backend", "smtp", "--yes", "--reports", reports,
                "--skip-link-check", "--allow-local-translations")
        # killed once the server accepted the 20th message, before the run recorded it
        crashed = compose(*args, env=env, crash_after=20, crash_point="posted")
        assert crashed.returncode == CRASHED, crashed.stderr
        rerun = compose(*args, env=env)
        assert rerun.returncode == 0, rerun.stdout + rerun.stderr
        counts = sink.per_address()
        assert len(counts) == 45                                      # everyone has it
        twice = {address for address, n in counts.items() if n > 1}
        assert twice and len(twice) <= pool                           # the crashed run's message(s) in flight
        named = named_in(rerun.stdout)
        assert twice <= named and len(named) == pool                  # named: at most one per connection
        if pool == 1:
            assert named == twice
        for address in named:                                         # with its language
            assert f"{address} ({languages[address]})" in rerun.stdout
        assert "Message-ID" in rerun.stdout
        [saved] = [json.loads(p.read_text()) for p in reports.rglob("send-*.json")]
        kept = saved["in_transmission_at_a_stop"]
        assert {f["email"] for f in kept["families"]} == named
        assert {f["language"] for f in kept["families"]} == {languages[a] for a in named}
        assert "may get this issue twice" in kept["warning"]
        again = compose(*args, env=env)                                # named once, by the run that took them over
        assert again.returncode == 0 and "twice" not in again.stdout, again.stdout


def test_a_stopped_run_that_said_nothing_about_its_connections_is_not_guessed_at(families, issue_key):  # noqa: F811
    """Claims of a run whose owner name does not say how many messages it transmits at once (a
    SendGrid run, or a run before this was recorded) are taken over as before, naming nobody."""
    import datetime as dt
    from mailer.store.tables import utcnow
    with families.write() as connection:
        ana = families.get("ana@example.org").id
        joe = families.get("joe@example.org").id
        rows = [{"subscriber_id": i, "email": e, "language": "en", "segment": "all-families", "backend": "smtp",
                 "message_id": f"<{i}>"} for i, e in ((ana, "ana@example.org"), (joe, "joe@example.org"))]
        sendlog.claim(connection, issue_key, rows, "elsewhere:1:abcd", sendlog.PENDING, {})
        later = utcnow() + sendlog.LEASE + dt.timedelta(minutes=1)
        assert sendlog.take_over_in_flight(connection, issue_key, later, "me:2:x:4") == []
        sendlog.claim(connection, issue_key[:-1] + "z", rows, "elsewhere:1:abcd:1", sendlog.PENDING, {})
        [found] = sendlog.take_over_in_flight(connection, issue_key[:-1] + "z", later, "me:2:x:4")
        assert (found.email, found.run) == (min((ana, "ana@example.org"), (joe, "joe@example.org"))[1],
                                            "1@elsewhere")
        assert sendlog.take_over_in_flight(connection, issue_key[:-1] + "z", later, "me:2:x:4") == []


@pytest.fixture
def issue_key():
    return "equity/2021-09-sept-oct"
