"""`subscribers opt-in`: the one way back after a complaint, recorded with its source."""
from __future__ import annotations


def test_opt_in_after_a_complaint_needs_a_source_and_is_recorded(run, store, write_roster, tmp_path):
    assert run("subscribers", "import", write_roster([["ana@example.org", "Ana", "Spanish", "Aiken", "2"]])
               ).exit_code == 0
    (tmp_path / "complaints.csv").write_text("email,status\nana@example.org,complaint\n", encoding="utf-8")
    assert run("subscribers", "suppress", tmp_path / "complaints.csv").exit_code == 0
    missing = run("subscribers", "opt-in", "ana@example.org")
    assert missing.exit_code == 2 and "--source" in missing.output
    done = run("subscribers", "opt-in", "ana@example.org", "--source", "signed form at Aiken")
    assert done.exit_code == 0 and "complained -> subscribed" in done.stdout
    history = store.get("ana@example.org", history=True).history
    assert history[-1].new_status == "subscribed" and "signed form at Aiken" in history[-1].reason
    unknown = run("subscribers", "opt-in", "nobody@example.org", "--source", "x")
    assert unknown.exit_code == 1 and "not in the subscriber store" in unknown.stderr
