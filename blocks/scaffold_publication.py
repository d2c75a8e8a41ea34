"""The publication.yaml that `compose.py new-publication` writes: every setting explained, SAMPLE
on each value to confirm. tests/blocks/test_scaffold.py checks it names every key of the schema and loads.
`template_values` finds the lines still as written, which `check` and `send` refuse."""
from __future__ import annotations

from pathlib import Path

from common.errors import NewsletterError
from common.problems import Problem
from common.yaml_source import display_path

TEMPLATE = """\
# Publication-wide settings: used by every issue in {folder}/ (one folder per issue beside this file).
# Values marked SAMPLE are placeholders to confirm before the first real send; `python compose.py
# check {folder}/<issue>` checks this file too. Lines starting with # are explanations or options.

# The publication's name, in the masthead, the footer and "You are receiving this email because..."
name: {title}                                 # SAMPLE: the office's name
# The organization it belongs to, shown after the name.
organization: West Hartford Public Schools     # SAMPLE
# Who the newsletter comes from: a name families recognize and an address the provider lets you send from.
sender:
  name: {title}                               # SAMPLE
  email: {slug}@example.org                   # SAMPLE: the office's sending address
# Where replies go (optional; default: the sender's address).
reply_to: {slug}@example.org                  # SAMPLE
# A postal address is required in bulk email (CAN-SPAM); it is printed in the footer.
postal_address: 50 South Main Street, West Hartford, CT 06107   # SAMPLE: confirm the mailing address
# The office's web site (optional).
website: https://www.whps.org                  # SAMPLE
# The publication's short name in web addresses: <NEWSLETTER_BASE_URL>/{slug}/<issue>/. It is the
# folder's name; keep it once issues have been sent (links in sent emails use it).
slug: {slug}
# Sent issues (web editions, .ics files, archive) are served by the preference center at
# NEWSLETTER_BASE_URL/<slug>/. Only to publish them on another host, set web_base_url:
# web_base_url: https://static.example.org/{slug}
# A logo above the title (optional): a public https:// PNG or JPEG, what it says, its width in pixels.
# logo:
#   url: https://www.example.org/logo.png
#   alt: {title}
#   width: 160
# The publication's colour: masthead, headings, links, rules and buttons. It needs 4.5:1 contrast
# on white (check says so, with a darker shade that passes, if it does not).
brand_color: "#1f4e79"                         # SAMPLE: the office's colour
# More colours (optional; what is not given is derived from brand_color, and every pair of text and
# background is checked for 4.5:1):
# colors:
#   accent: "#1f4e79"                # buttons (default: brand_color)
#   button_text: "#ffffff"           # the words on buttons (default: white)
#   text: "#1f2933"                  # body text
#   callout_background: "#e9edf2"    # boxed announcements (default: a light tint of brand_color)
#   important: "#b3261e"             # the bar beside 'important' callouts and the crisis line
#   important_background: "#f7e9e8"  # 'important' callouts (default: a light tint of important)
#   panel_background: "#f7f9fa"      # shaded blocks such as community partners (default: a faint tint)
# The time zone of event times written in issues.
timezone: America/New_York
# A short paragraph about the office at the bottom of every issue, in Markdown (optional).
footer: |
  SAMPLE: one or two sentences about the office and where to learn more.
# The languages this publication is written and translated in, the first being the one issues are
# written in; codes are Babel's (en, es, pt, ar, zh_Hans, ...).
languages: [en, es]                            # SAMPLE
# What families get when an issue lacks their language: english (the English edition) or hold
# (nothing until it is translated). An issue may override it.
fallback: english
# true: every family on the roster gets it until they unsubscribe from it; false: only families
# imported with --publication {slug} or who opt in on their preference page.
default_subscribe: true                        # SAMPLE: confirm who should get it
# Machine translations (python compose.py translations machine ...): send them (with a banner saying
# so) or hold them until a reviewer approves them; one policy, or per language: {{default: send, ar: hold}}.
machine: hold
# The translation services to use, in order: each language goes to the first that offers it
# (DeepL: DEEPL_AUTH_KEY; Google Cloud Translation: GOOGLE_TRANSLATE_API_KEY).
machine_providers: [deepl, google]
# Before a send (the studio's Send page, the worker, `compose.py send`): none; required (a sender
# approves exactly the content that goes out: any change afterwards voids the approval); or
# two-person (and the approver is not the issue's last editor).
approval: none
# When no scheduled send starts unless forced, in the timezone above (HH:MM-HH:MM, or none).
quiet_hours: "21:00-07:00"
"""


def publication_yaml(slug: str, folder: str) -> str:
    """The file for the publication in `folder` (as shown to the user), whose slug is its name."""
    title = " ".join(word.capitalize() for word in slug.split("-"))
    return TEMPLATE.format(folder=folder, slug=slug, title=title)


def template_values(publication_file: Path, slug: str) -> list[Problem]:
    """Lines of `publication_file` still exactly as `new-publication` wrote them with a SAMPLE
    mark (the sample district's name, address, colours, the footer's "SAMPLE: ..." text): what
    `check` and `send` refuse, with the file and line, until someone confirms each value and
    deletes its mark. (A hand-written file, like the samples shipped in newsletters/, is never
    the template line for line.)"""
    try:
        lines = publication_file.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return []                                  # the loader says what is wrong with the file
    written = {line.rstrip() for line in publication_yaml(slug, "").splitlines()
               if "SAMPLE" in line and not line.lstrip().startswith("#")}
    found, key = [], ""
    for number, line in enumerate(lines, 1):
        if line.strip() and not line.startswith((" ", "#")):
            key = line.split(":", 1)[0]
        if line.rstrip() in written:
            inner = line.strip().split(":", 1)[0] if line.startswith(" ") and ":" in line.strip() else ""
            name = f"{key}.{inner}" if inner and inner != "SAMPLE" else key
            found.append(Problem(display_path(publication_file), name,
                                 f"is still the sample value new-publication wrote ({' '.join(line.split())})",
                                 "write the office's own value, then delete the SAMPLE mark on that line",
                                 line=number))
    return found


def refuse_template_values(issue, outcome: str) -> None:
    """NewsletterError naming every line of the issue's publication.yaml still as new-publication
    wrote it (`check`, and `send` before anything is looked up or connected)."""
    found = template_values(issue.path.parent / "publication.yaml", issue.publication.slug)
    if found:
        raise NewsletterError(found, outcome=outcome)
