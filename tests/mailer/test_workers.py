"""Several `send` processes on one issue and one store: each family gets it exactly once,
counted at a real SMTP server. Also a SendGrid run killed mid-request: in doubt, not resent."""
from __future__ import annotations

import subprocess
import sys
import time

import pytest

from tests.mailer.smtp_sink import SMTPSink
from tests.mailer.test_send import ISSUE_DIR, ROOT, SIGNER, compose
from tests.mailer.crashing_compose import CRASHED

FAMILIES = 240


@pytest.fixture
def many(store_url, write_roster, run):
    rows = [[f"family{i}@example.org", f"Family {i}", ["Spanish", "English", "Arabic"][i % 3], "Aiken", "2"]
            for i in range(FAMILIES)]
    assert run("subscribers", "import", write_roster(rows, name="many.csv")).exit_code == 0
    return store_url


def start(args, env):
    return subprocess.Popen([sys.executable, str(ROOT / "compose.py"), *map(str, args)], cwd=ROOT, env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def smtp_env(store_url, port):
    import os
    return {**os.environ, "NEWSLETTER_DB": store_url, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(port),
            "SMTP_SECURITY": "none", "SMTP_POOL": "2", "NEWSLETTER_SECRET": SIGNER.secret,
            "NEWSLETTER_BASE_URL": SIGNER.base_url, "NEWSLETTER_AUDIENCES": str(ROOT / "audiences.yaml")}


@pytest.mark.parametrize("workers, staggered", [(2, True), (4, False)])
def test_concurrent_sends_deliver_each_family_exactly_once(many, tmp_path, workers, staggered):
    args = ("send", ISSUE_DIR, "--to", "all-families", "--backend", "smtp", "--yes", "--reports", tmp_path,
            "--skip-link-check", "--allow-local-translations")  # no server at the base URL; stub-made editions
    with SMTPSink() as sink:
        sink.delay = 0.02                   # slow enough that the runs overlap (not asserted: timing)
        env = smtp_env(many, sink.port)
        processes = [start(args, env)]
        if staggered:                       # the second starts once the first is well under way
            for _ in range(600):
                if len(sink.messages) >= 20 or processes[0].poll() is not None:
                    break
                time.sleep(0.05)
        processes += [start(args, env) for _ in range(workers - 1)]
        outputs = [p.communicate(timeout=300) for p in processes]
        for process, (out, err) in zip(processes, outputs):
            assert process.returncode == 0, err
        counts = sink.per_address()
    assert len(counts) == FAMILIES and set(counts.values()) == {1}
    finished = compose(*args, env=env)
    assert "Nothing to send" in finished.stdout, finished.stderr


def test_a_sendgrid_run_killed_mid_request_leaves_its_families_in_doubt_not_resent(many, tmp_path):
    from tests.mailer.http_stub import Stub
    with Stub([(202, {"X-Message-Id": "first"}, None)]) as stub:
        env = {"NEWSLETTER_DB": many, "SENDGRID_API_KEY": "SG.test", "SENDGRID_API_HOST": stub.url,
               "NEWSLETTER_SECRET": SIGNER.secret, "NEWSLETTER_BASE_URL": SIGNER.base_url,
               "NEWSLETTER_AUDIENCES": str(ROOT / "audiences.yaml")}
        args = ("send", ISSUE_DIR, "--to", "all-families", "--backend", "sendgrid", "--yes", "--reports", tmp_path,
                "--skip-link-check", "--allow-local-translations")  # no server at the base URL; stub-made editions
        crashed = compose(*args, env=env, crash_after=1, crash_point="posted")
        assert crashed.returncode == CRASHED and len(stub.requests) == 1
        in_flight = {p["to"][0]["email"] for p in stub.requests[0]["json"]["personalizations"]}
        rerun = compose(*args, env=env)
        assert rerun.returncode == 3, rerun.stderr               # staff must look: some are in doubt
        resent = [p["to"][0]["email"] for r in stub.requests[1:] for p in r["json"]["personalizations"]]
        assert not in_flight & set(resent) and len(resent) + len(in_flight) == FAMILIES
        assert "in doubt" in rerun.stdout and "--failures" in rerun.stdout
        before = len(stub.requests)
        again = compose(*args, "--resend-in-doubt", env=env)
        assert again.returncode == 0, again.stderr
        last = [p["to"][0]["email"] for r in stub.requests[before:] for p in r["json"]["personalizations"]]
        assert sorted(last) == sorted(in_flight)


def _wait_until(condition, what: str, seconds: float = 120) -> None:
    for _ in range(int(seconds / 0.02)):
        if condition():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_worker_killed_mid_send_leaves_nobody_behind_the_survivor_takes_its_claims_over(many, tmp_path):
    """Issue 25, fault 1: worker A killed (SIGKILL) mid-send while B runs; B used to exit 0 with A's
    claims left pending under the dead process. Now B takes them over before it ends."""
    import re
    import signal
    args = ("send", ISSUE_DIR, "--to", "all-families", "--backend", "smtp", "--yes", "--reports", tmp_path,
            "--skip-link-check", "--allow-local-translations")  # no server at the base URL; stub-made editions
    with SMTPSink() as sink:
        sink.delay = 0.03                    # slow enough that both are mid-send when A dies
        env = {**smtp_env(many, sink.port), "SMTP_POOL": "1"}   # at most one message in flight per run
        a = start(args, env)
        _wait_until(lambda: len(sink.messages) >= 15 or a.poll() is not None, "worker A to be under way")
        b = start(args, env)
        from mailer.store.subscribers import Store
        with Store.open(many) as store:      # B holds a batch of its own: both are mid-send
            def b_claimed():
                with store.read() as connection:
                    from sqlalchemy import func, select

                    from mailer.store.tables import send_log
                    return connection.execute(select(func.count(func.distinct(send_log.c.owner)))).scalar() >= 2
            _wait_until(lambda: b_claimed() or b.poll() is not None, "worker B to claim a batch")
        assert a.poll() is None and b.poll() is None, "both workers must still be sending"
        a.send_signal(signal.SIGKILL)
        a.wait()                             # reaped: its process id is gone at once
        out, err = b.communicate(timeout=300)
        assert b.returncode == 0, err
        counts = sink.per_address()
        assert len(counts) == FAMILIES, f"{FAMILIES - len(counts)} families never got it\n{out}"
        assert sum(counts.values()) - FAMILIES <= 1             # at most A's one message in flight, again
        twice = [address for address, n in counts.items() if n > 1]
        for address in twice:                                   # ... with the same Message-ID
            ids = {re.search(rb"Message-I[Dd]: (\S+)", c).group(1) for _, r, c in sink.messages if address in r}
            assert len(ids) == 1
        # ... and B, which took A's claims over, names it (issue 25, fault 7): at most A's one connection
        warned = [line for line in out.splitlines() if "may get this issue twice" in line]
        named = set(re.findall(r"([\w.+-]+@[\w.-]+) \(\w+\)", warned[0].rsplit(": ", 1)[1])) if warned else set()
        assert set(twice) <= named and len(named) <= 1, out
    finished = compose(*args, env=env)
    assert finished.returncode == 0 and "Nothing to send" in finished.stdout, finished.stdout + finished.stderr
