"""The visible-reply rules scored over the public reply corpus in ../shared/emails/.

Gate, per the corpus README: (a) the first non-empty line of the extracted reply equals the
first line of the expected reply, (b) nothing quoted leaks (no ``>`` line, no ``wrote:`` or
``skrev`` header, no ``From:/Sent:`` or ``Fra:/Sendt:`` line, no Original/Opprinnelig
separator, no ``____`` line) unless the expected reply itself keeps that line (inline
answers). Files listed together in DUPLICATES.tsv count once. Run this file as a script
(``python -m tests.unit.test_reply_corpus``) to list every case that is not safe.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from mail.classify import classify
from mail.message import html_to_text, parse_message
from mail.visible import visible_reply, visible_text
from tests.support.unavailable import unavailable


def _corpus() -> Path:
    """``KVITT_EMAIL_CORPUS``, else ``shared/emails`` beside the checkout, else where the
    project's machines keep it (a CI clone may sit elsewhere on the same machine)."""
    candidates = [Path(os.environ["KVITT_EMAIL_CORPUS"])] if os.environ.get(
        "KVITT_EMAIL_CORPUS") else []
    candidates += [Path(__file__).resolve().parents[2].parent / "shared" / "emails",
                   Path("/work/shared/emails")]
    return next((c for c in candidates if c.is_dir()), candidates[0])


EMAILS = _corpus()

# Measured when these rules were written: 326 of 336 replies safe overall (97.0 %; the rest
# are Discourse's keep-the-quote conventions and talon's reply-and-header-on-one-line cases),
# 71 of 71 Norwegian. A drop below these numbers is a regression.
MIN_SAFE_OVERALL = 0.96
MIN_SAFE_NORWEGIAN = 1.0

_LEAKS = [re.compile(pattern, re.IGNORECASE) for pattern in (
    r"^\s*>", r"\bwrote:?\s*$", r"\bskrev\b.*(:|følgende)\s*$", r"^\*?(from|fra|sent|sendt):",
    r"(original message|opprinnelig melding|original melding)", r"^\s*_{5,}",
)]


def _checked_out() -> Path:
    if not EMAILS.is_dir():
        unavailable(f"the email corpus is not checked out beside the repo: {EMAILS}")
    return EMAILS


@dataclass(frozen=True)
class Case:
    name: str
    expected: str
    norwegian: bool
    kind: str  # "eml", "html", "text" (files) or "inline", "inline-html" (strings)
    source: str  # a path under the corpus, or the text itself for inline cases

    def extract(self, root: Path) -> str:
        if self.kind == "inline":
            return visible_text(self.source)
        if self.kind == "inline-html":
            return visible_text(html_to_text(self.source))
        path = root / self.source
        if self.kind == "eml":
            return visible_reply(parse_message(path.read_bytes()))
        text = path.read_text("utf-8", errors="replace")
        return visible_text(html_to_text(text) if self.kind == "html" else text)


def _duplicate_groups(root: Path) -> dict[str, str]:
    groups: dict[str, str] = {}
    for row in (root / "DUPLICATES.tsv").read_text("utf-8").splitlines()[1:]:
        group, _, files = row.split("\t")
        groups.update({file: group for file in files.split()})
    return groups


def _finn_inputs(root: Path) -> dict[str, dict[str, str]]:
    cases = json.loads((root / "roarjoh-EmailReplyParser/finn/ContentFilterImplTest.cases.json")
                       .read_text("utf-8"))
    return {case["test"]: case for case in cases}


def cases(root: Path) -> Iterator[Case]:
    """Every labelled reply once, duplicates folded into their group."""
    groups, seen, finn = _duplicate_groups(root), set(), _finn_inputs(root)
    for labels in sorted(root.glob("*/expected.json")):
        folder = labels.parent.name
        for entry in json.loads(labels.read_text("utf-8")):
            expected, file = entry["visible_reply"], entry["file"]
            if not isinstance(expected, str) or not expected.strip():
                continue
            path = f"{labels.parent.relative_to(root)}/{file}"
            norwegian = str(entry.get("language", "")).startswith("no")
            if "#" in file:
                test = finn[file.split("#")[1]]
                html = not (test["plain_input"] or "").strip()
                source = test["html_input"] if html else test["plain_input"]
                yield Case(path, expected, norwegian, "inline-html" if html else "inline", source)
                continue
            key = groups.get(f"{folder}/{file}", path)
            if key in seen:
                continue
            seen.add(key)
            kind = {".eml": "eml", ".html": "html"}.get(Path(file).suffix, "text")
            yield Case(path, expected, norwegian, kind, path)
    for entry in json.loads((root / "mailgun-talon/inline_cases_text_quotations_test.json")
                            .read_text("utf-8")):
        yield Case(f"mailgun-talon#{entry['test']}", entry["expected"], False, "inline",
                   entry["input"])
    dates = root / "willdurand-EmailReplyParser"
    template = (dates / "email_with_date_headers.txt").read_text("utf-8")
    for variant in json.loads((dates / "date_header_variants.json").read_text("utf-8")):
        header = variant["quote_header_line"]
        yield Case(f"willdurand#{header}", variant["visible_reply"], "skrev" in header,
                   "inline", template.replace("[DATE]", header))


def _lines(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.strip().splitlines() if line.strip()]


@dataclass(frozen=True)
class Score:
    case: Case
    got: str

    @property
    def first_line_right(self) -> bool:
        got, expected = _lines(self.got), _lines(self.case.expected)
        return bool(got) and got[0] == expected[0]

    @property
    def leaks(self) -> list[str]:
        allowed = set(_lines(self.case.expected))
        return [line for line in _lines(self.got)
                if line not in allowed and any(leak.search(line) for leak in _LEAKS)]

    @property
    def safe(self) -> bool:
        return self.first_line_right and not self.leaks


def score(root: Path) -> list[Score]:
    return [Score(case, case.extract(root)) for case in cases(root)]


def summary(scores: list[Score]) -> str:
    def line(label: str, subset: list[Score]) -> str:
        n = len(subset)
        first = sum(s.first_line_right for s in subset)
        clean = sum(not s.leaks for s in subset)
        safe = sum(s.safe for s in subset)
        return (f"{label}: {n} replies, first line right {first} ({first / n:.0%}), "
                f"no leak {clean} ({clean / n:.0%}), safe {safe} ({safe / n:.1%})")
    return "\n".join([line("overall", scores),
                      line("Norwegian", [s for s in scores if s.case.norwegian])])


@pytest.fixture(scope="module")
def scores() -> list[Score]:
    return score(_checked_out())


def test_the_corpus_scores_at_least_the_measured_thresholds(scores, record_property):
    norwegian = [s for s in scores if s.case.norwegian]
    text = summary(scores)
    print(text)
    record_property("reply_corpus", text)
    assert len(scores) > 300 and len(norwegian) > 60, text
    assert sum(s.safe for s in scores) / len(scores) >= MIN_SAFE_OVERALL, text
    assert sum(s.safe for s in norwegian) / len(norwegian) >= MIN_SAFE_NORWEGIAN, text


# Labelled "bounce" in their corpora, but nothing in their headers says "automatic mail".
# Each is named so the list stays honest: detecting one of them fails the test until the
# entry is removed.
KNOWN_MISSES = {
    "bounces/cfortune-PHP-Bounce-Handler/unsubscribe.txt": "a bounce handler's debug log",
    "bounces/rjbs-Mail-DeliveryStatus-BounceParser/bluebottle.msg": "a challenge-response "
    "request sent as ordinary mail",
    **{f"bounces/rjbs-Mail-DeliveryStatus-BounceParser/spam-{name}.msg": "spam kept in a "
       "bounce parser's corpus" for name in ("bogus-email-in-report", "lots-of-bogus-addresses",
                                             "with-badly-parsed-email", "with-image")},
    "bounces/sisimai-set-of-emails/lhost-fml-02.eml": "a mailing-list manager's notice",
    "bounces/sisimai-set-of-emails/lhost-fml-03.eml": "a mailing-list manager's notice",
    "bounces/sisimai-set-of-emails/lhost-sendmail-14.eml": "a person forwarding a bounce",
}


def _labelled(root: Path) -> Iterator[tuple[str, str]]:
    for labels in sorted(root.glob("*/**/labels.json")):
        for entry in json.loads(labels.read_text("utf-8")):
            yield str((labels.parent / entry["file"]).relative_to(root)), entry["expected_class"]


def _kind(root: Path, file: str) -> str:
    return classify(parse_message((root / file).read_bytes())).kind


@pytest.fixture(scope="module")
def kinds() -> dict[str, tuple[str, str]]:
    root = _checked_out()
    return {file: (label, _kind(root, file)) for file, label in _labelled(root)}


def test_every_auto_reply_and_bounce_is_ignored(kinds, record_property):
    machine = {f: k for f, (label, k) in kinds.items()
               if label.startswith(("auto_reply", "bounce", "feedback_report", "unsubscribe"))}
    missed = {f for f, kind in machine.items() if kind == "reply"}
    auto = [k for f, (label, k) in kinds.items() if label.startswith("auto_reply")]
    bounces = [k for f, (label, k) in kinds.items()
               if label.startswith(("bounce", "feedback_report"))]
    text = (f"auto-replies: {auto.count('auto_reply')}/{len(auto)} detected as auto-replies; "
            f"bounces and complaints: {sum(k != 'reply' for k in bounces)}/{len(bounces)} "
            f"ignored, {bounces.count('bounce')} of them as bounces")
    print(text)
    record_property("auto_reply_and_bounce_detection", text)
    assert missed == set(KNOWN_MISSES), text
    assert auto.count("auto_reply") == len(auto), text


def test_the_negatives_are_processed_as_replies(kinds):
    assert kinds["autoreplies/negatives/discourse/quirks_exchange_xars.eml"][1] == "reply"
    # a bounce that carries Auto-Submitted: auto-replied is a bounce, not an out-of-office
    assert kinds["autoreplies/negatives/rjbs-Mail-DeliveryStatus-BounceParser/"
                 "non-autoreply.msg"][1] == "bounce"
    for name in ("is-not-bounce-01.eml", "is-not-bounce-02.eml"):
        assert kinds[f"bounces/sisimai-set-of-emails/not-a-bounce/{name}"][1] == "reply"


def test_a_postmaster_notice_that_sisimai_calls_no_bounce_is_still_never_answered(kinds):
    # "Mailbox full" from postmaster@ with Return-Path <>: automatic mail whatever its label
    label, kind = kinds["bounces/sisimai-set-of-emails/not-a-bounce/rb-issue-368-bug.eml"]
    assert (label, kind) == ("not_a_bounce", "bounce")


if __name__ == "__main__":
    found = score(EMAILS)
    for s in found:
        if not s.safe:
            print(f"--- {s.case.name}\nexpected: {_lines(s.case.expected)[:1]}\n"
                  f"got:      {_lines(s.got)[:3]}\nleaks:    {s.leaks}")
    print(summary(found))
