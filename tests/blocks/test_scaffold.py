"""`compose.py new` and `new-publication`: a new issue from the previous one, TODOs that `check`
names with their lines, and refusals that say what to do instead."""
import re
import shutil
import subprocess
import sys

import pytest

from blocks.loader import load_issue, load_publication
from blocks.publication import SCHEMA
from blocks.scaffold import new_issue, new_publication
from common.errors import NewsletterError
from tests.conftest import ROOT, SAMPLE

COMPOSE = str(ROOT / "compose.py")
VALUES = {"start": "2021-11-17T18:00", "end": "2021-11-17T19:30", "date": "2021-11-20", "deadline": "2021-11-19",
          "month": "2021-11", "url": "https://www.whps.org/equitypolicy",
          "registration": "https://www.whps.org/equitypolicy"}


def run(*args, cwd):
    return subprocess.run([sys.executable, COMPOSE, *map(str, args)], capture_output=True, text=True, cwd=cwd)


@pytest.fixture
def equity(tmp_path, monkeypatch):
    """A copy of the equity publication with its sample issue (translations included), and the library."""
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "newsletters" / "equity"
    folder.mkdir(parents=True)
    shutil.copy(SAMPLE.parent / "publication.yaml", folder)
    shutil.copytree(SAMPLE, folder / SAMPLE.name)
    shutil.copytree(ROOT / "newsletters" / "library", tmp_path / "newsletters" / "library")
    return folder


def fill_todos(path):
    """What staff do: replace each TODO with a real value of the kind the key wants."""
    def value(match):
        key = match.group(2)
        return f'{match.group(1)}{key}: "{VALUES.get(key, "Filled in for November")}"'
    text = re.sub(r"^(\s*(?:- )?)(\w+): \"TODO:[^\n]*\"$", value, path.read_text(), flags=re.M)
    path.write_text(text)
    assert "TODO" not in text.replace("# Replace every TODO", "")


def test_new_issue_from_the_previous_one_passes_check_once_filled_in(equity):
    result = run("new", "newsletters/equity/2021-11-nov", "--from", "newsletters/equity/2021-09-sept-oct", cwd=equity.parent.parent)
    assert result.returncode == 0, result.stderr
    issue_file = equity / "2021-11-nov" / "issue.yaml"
    assert not (equity / "2021-11-nov" / "i18n").exists()          # translations are not copied
    listed = re.findall(r"newsletters/equity/2021-11-nov/issue\.yaml:(\d+)  (.*)", result.stdout)
    lines = issue_file.read_text().splitlines()
    assert len(listed) > 10 and all("TODO" in lines[int(n) - 1] for n, _ in listed)
    assert any(text.startswith("period:") for _, text in listed)

    before = run("check", "newsletters/equity/2021-11-nov", cwd=equity.parent.parent)
    assert before.returncode == 1 and "Traceback" not in before.stderr
    assert f"issue.yaml:{listed[0][0]}: period: not filled in yet (TODO: e.g. November 2021)" in before.stderr
    assert f"{len(listed)} problems found" in before.stderr             # every TODO, each with its line

    fill_todos(issue_file)
    after = run("check", "newsletters/equity/2021-11-nov", cwd=equity.parent.parent)
    assert after.returncode == 0, after.stderr
    issue = load_issue(equity / "2021-11-nov")
    previous = load_issue(SAMPLE)
    assert [b.type for b in issue.blocks] == [b.type for b in previous.blocks]          # the same structure
    assert [b.library for b in issue.blocks] == [b.library for b in previous.blocks]    # standing blocks kept
    assert issue.title == previous.title and issue.period == "Filled in for November"
    food = next(b for b in issue.blocks if b.type == "foodshare_calendar")
    assert [d.every for d in food.fields.distributions][:2] == ["tuesday", "thursday"]  # weekly ones stay
    assert all(not d.get("except") for d in food.fields.distributions)                # last month's exceptions go


def test_new_issue_defaults_to_the_newest_issue_by_name(equity):
    shutil.copytree(equity / SAMPLE.name, equity / "2021-08-aug")
    started = new_issue(equity / "2021-11-nov")
    assert started.source == equity / SAMPLE.name


def test_first_issue_of_a_publication_without_issues(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    new_publication(tmp_path / "newsletters" / "special-ed")
    started = new_issue(tmp_path / "newsletters" / "special-ed" / "2021-11-nov")
    assert started.source is None and started.todos
    with pytest.raises(NewsletterError) as caught:
        load_issue(started.folder)
    assert all("not filled in yet" in p.message and p.line for p in caught.value.problems)


def test_new_refuses_an_existing_folder_a_missing_publication_and_a_bad_source(equity):
    here = equity.parent.parent
    result = run("new", "newsletters/equity/2021-09-sept-oct", cwd=here)
    assert result.returncode == 1 and "already exists" in result.stderr and "Traceback" not in result.stderr
    result = run("new", "newsletters/nowhere/2021-11-nov", cwd=here)
    assert result.returncode == 1 and "no publication.yaml" in result.stderr
    assert "python compose.py new-publication newsletters/nowhere" in result.stderr
    assert not (here / "newsletters" / "nowhere").exists()
    result = run("new", "newsletters/equity/2021-11-nov", "--from", "newsletters/equity/missing", cwd=here)
    assert result.returncode == 1 and "no issue.yaml here to start from" in result.stderr
    result = run("new", "newsletters/equity/November 2021", cwd=here)
    assert result.returncode == 1 and "cannot be part of a web address" in result.stderr
    assert sorted(p.name for p in equity.iterdir()) == ["2021-09-sept-oct", "publication.yaml"]


def test_new_publication_explains_every_key_and_loads(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("new-publication", "newsletters/special-ed", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    path = tmp_path / "newsletters" / "special-ed" / "publication.yaml"
    text = path.read_text()
    for key in SCHEMA.fields:
        assert re.search(rf"^#? ?{key}:", text, flags=re.M), key
    assert "SAMPLE" in text
    publication = load_publication(path)
    assert publication.slug == "special-ed" and publication.colors.brand == "#1f4e79"
    again = run("new-publication", "newsletters/special-ed", cwd=tmp_path)
    assert again.returncode == 1 and "already exists" in again.stderr
    assert path.read_text() == text


def test_check_and_send_refuse_a_new_publication_never_edited_with_file_and_line(equity):
    """A publication new-publication wrote, its SAMPLE values (the sample district's name and address,
    the footer's "SAMPLE: ...") left as they were: check and send (even a dry run) refuse, naming each
    line; a send never reaches the server. The shipped samples (written by hand) pass."""
    here = equity.parent.parent
    assert run("new-publication", "newsletters/parents", cwd=here).returncode == 0
    folder = here / "newsletters" / "parents" / "2021-11-nov"
    folder.mkdir()
    (folder / "issue.yaml").write_text("title: November\nperiod: November 2021\nsubject: News\npreheader: News\n"
                                       "blocks:\n  - {type: text, id: hello, body: Hello}\n")
    written = (here / "newsletters" / "parents" / "publication.yaml").read_text().splitlines()
    line_of = {key: next(n for n, line in enumerate(written, 1) if line.lstrip().startswith(key))
               for key in ("organization:", "postal_address:", "SAMPLE: one or two")}
    checked = run("check", folder, cwd=here)
    assert checked.returncode == 1 and "Traceback" not in checked.stderr
    for key, where in (("organization", line_of["organization:"]), ("postal_address", line_of["postal_address:"]),
                       ("footer", line_of["SAMPLE: one or two"])):
        assert f"newsletters/parents/publication.yaml:{where}: {key}: is still the sample value" in checked.stderr
    assert "no problems" not in checked.stdout
    env_smtp = ["--backend", "smtp", "--yes", "--skip-link-check"]
    for args in (["--dry-run"], env_smtp):
        sent = subprocess.run([sys.executable, COMPOSE, "send", str(folder), "--to", "all-families", *args],
                              capture_output=True, text=True, cwd=here,
                              env={"PATH": "/usr/bin:/bin", "SMTP_HOST": "127.0.0.1", "SMTP_PORT": "9",
                                   "NEWSLETTER_SECRET": "x" * 8 + "Zq4-Lm9_Tv2pWc7Rb1Ks3Yh6Nd0Fg5Xa",
                                   "NEWSLETTER_BASE_URL": "https://n.example.org",
                                   "NEWSLETTER_DB": f"sqlite:///{here / 'store.db'}",
                                   "NEWSLETTER_AUDIENCES": str(ROOT / "audiences.yaml")})
        assert sent.returncode == 1, sent.stderr
        assert f"newsletters/parents/publication.yaml:{line_of['postal_address:']}: postal_address" in sent.stderr
        assert "127.0.0.1:9" not in sent.stderr                 # refused before any server
    # confirmed (values written, marks deleted): check passes those lines
    path = here / "newsletters" / "parents" / "publication.yaml"
    text = path.read_text().replace("SAMPLE: one or two sentences about the office and where to learn more.",
                                    "The parents' office keeps families informed.")
    path.write_text(re.sub(r"\s+# SAMPLE.*$", "", text, flags=re.M))
    assert run("check", folder, cwd=here).returncode == 0
    assert run("check", "newsletters/equity/2021-09-sept-oct", cwd=here).returncode == 0
