"""The visible part of a reply: what the approver wrote, without quotes and signatures.

Rules come from the headers real Norwegian and English clients write (see
``../shared/emails/README.md``): Apple ``Den 15. jun. 2016 kl. 20.42 skrev A <a>:``, Gmail
``tir. 18. apr. 2017 kl. 13:09 skrev A <a`` with ``>:`` on the next line, ``2013/1/3 A <a>``,
Thunderbird, Yahoo, Outlook's ``-----Opprinnelig melding-----`` and ``Fra:/Sendt:`` blocks,
``On … wrote:``, ``>`` lines and ``____`` lines; signatures ``-- ``, ``Sendt fra min iPhone``
and sign-offs (``Med vennlig hilsen`` and what follows).

The reply is the text before the first quote (top-posting) or, when nothing precedes it,
the text after a ``>``-quoted block (bottom-posting). Text written between ``>`` blocks
(inline answers) is kept with its quotes: cutting it apart would lose the meaning, and
the decision never reads ``>`` lines anyway. Unmarked text below a quote header or an
Outlook block is never taken for the answer: it is most likely our own request, whose
words must not decide anything, so such a reply is empty.
"""

from __future__ import annotations

import re
from email.message import EmailMessage

from mail.message import body_text

_VERB = (r"(wrote|skrev|schrieb|schreef|a écrit|escribió|ha escrit|ha scritto|escreveu"
         r"|napisał\w*|pisze|пише|kirjoitti|написал\w*|het volgende geschreven)")
_ADDRESS = r"<[^<>\s]+@[^<>\s]+>"
# "<date or time> … <verb> …": every client's "On … wrote:", "Den … skrev … følgende:"
_DATED = re.compile(rf"^[-*\s]*(?P<lead>\S.{{0,200}}?)\b{_VERB}\b(?P<tail>.{{0,200}}?)[\s*-]*$",
                    re.IGNORECASE)
_HEADERS = [re.compile(pattern, re.IGNORECASE) for pattern in (
    r"^-{2,}\s*\S.{0,80}\bwrote\s*-{2,}$",  # Android: ---- John Smith wrote ----
    # old Gmail "2013/1/3 A <a>", Yandex "26.06.2014, 14:41, "A" <a>:"
    r"^\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}\b.{0,100}<\s*[^<>\s]+@[^<>\s]+\s*>\s*:?$",
)]
# where a quote header can begin: a lead-in word, a weekday, a date or time, or dashes
_HEADER_START = re.compile(
    r"^\s*(-{2,}|\d|(on|at|le|el|am|op|il|in data|w dniu|dnia|den|på|em)\s|(man|tir|ons|tor"
    rf"|fre|lør|søn|mon|tue|wed|thu|fri|sat|sun)[a-zæøå]*\.?,?\s|[^<>]{{0,60}}{_ADDRESS}\s*{_VERB})",
    re.IGNORECASE)
_SEPARATOR = re.compile(
    r"^[\s*]*(-{2,}\s*(original message|opprinnelig melding|original melding|oprindelig"
    r" (meddelelse|besked)|ursprüngliche nachricht|message d'origine|ursprungligt meddelande"
    r"|mensaje original|messaggio originale|forwarded message|videresendt melding)\s*-*:?"
    r"|_{5,}|begin forwarded message:?|start på videresendt melding:?)[\s*]*$", re.IGNORECASE)
_KEY = (r"^\*?({keys})\s?:\*?(\s|$)")
_FROM_KEY = re.compile(_KEY.format(keys="from|fra|från|von|van|de|da|od|frá|от"),
                       re.IGNORECASE)
_OTHER_KEY = re.compile(_KEY.format(
    keys="sent|sendt|date|dato|to|til|subject|emne|cc|kopi|skickat|till|ämne|gesendet|an"
         "|betreff|datum|envoyé|à|objet|verzonden|aan|onderwerp|inviato|a|oggetto|wysłano"
         "|do|temat|enviado|para|asunto|assunto|data|отправлено|кому|тема"), re.IGNORECASE)
_SIGNATURE = re.compile(
    r"^(--|(sent from|sendt fra|get outlook for|hent outlook for|skickat från|envoyé depuis"
    r"|von meinem)\b[^,;:<]{0,40}(<[^<>\s]+>)?)\s*$", re.IGNORECASE)
_SIGN_OFF = re.compile(
    r"^(med vennlig hilsen|vennlig hilsen|med hilsen|beste hilsen|mvh|hilsen|vennleg helsing"
    r"|venleg helsing|med venleg helsing|helsing|best regards|kind regards|regards)"
    r"([,.!/]\s*.{0,40}|\s+\S.{0,40})?\s*$", re.IGNORECASE)
_RULE = re.compile(r"^\s*([-_=*]\s*){5,}$")


def _quoted(line: str) -> bool:
    return line.lstrip().startswith(">")


def _is_header(text: str) -> bool:
    """True for a quote header; a sentence that happens to hold a date and "skrev" is not."""
    dated = _DATED.match(text)
    if dated and re.search(rf"\d|{_ADDRESS}", dated["lead"]):
        tail = dated["tail"].strip()
        ends_like_header = not tail or tail.endswith((":", "：", ">", "følgende"))
        names_someone = "@" in tail or (len(tail.split()) <= 6 and not re.search(r"[,;?!]", tail))
        if ends_like_header and names_someone:
            return True
    return any(header.match(text) for header in _HEADERS)


def _header_length(lines: list[str], index: int) -> int:
    """How many lines the quote header at ``index`` spans (0: none); Gmail wraps it."""
    if _quoted(lines[index]) or not _HEADER_START.match(lines[index]):
        return 0
    parts: list[str] = []
    for offset, line in enumerate(lines[index:index + 7]):  # wrapped, even over blank lines
        if line.strip():
            if parts and _HEADER_START.match(line):
                break  # a header of its own: never join it onto the text above
            parts.append(line.strip())
            if _is_header(" ".join(parts)):
                return offset + 1
            if len(parts) == 4:
                break
    return 0


def _block_length(lines: list[str], index: int) -> int:
    """Lines in an Outlook ``From:/Sent:/To:`` header block starting at ``index`` (0: none)."""
    window = [line.strip() for line in lines[index:index + 5]]
    keys = [bool(_FROM_KEY.match(line) or _OTHER_KEY.match(line)) for line in window]
    if not keys or not keys[0] or not any(_FROM_KEY.match(line) for line in window[:4]):
        return 0
    end = max(i for i, key in enumerate(keys) if key) + 1
    # "From: Ola\nTo: Kari" may be typed text; a client's block has more or an address
    addressed = any("@" in line for line in window[:end] if _FROM_KEY.match(line))
    return end if sum(keys[:end]) >= 3 or (sum(keys[:end]) == 2 and addressed) else 0


def _quote_start(lines: list[str], start: int) -> tuple[int, int, bool]:
    """The first quote header, separator or header block at or after ``start``.

    Returns its index, how many lines it spans and whether a ``>`` quote may follow it
    (only ``On … wrote:`` headers are followed by a marked quote).
    """
    for index in range(start, len(lines)):
        if length := _header_length(lines, index):
            return index, length, True
        if _SEPARATOR.match(lines[index]):
            return index, 1, False
        if length := _block_length(lines, index):
            return index, length, False
    return len(lines), 0, False


def _quote_follows(lines: list[str], index: int) -> bool:
    """True when the first non-blank line at or after ``index`` is ``>``-quoted."""
    rest = [line for line in lines[index:] if line.strip()]
    return bool(rest) and _quoted(rest[0])


def _without_signature(lines: list[str]) -> list[str]:
    """Cut at the signature, or at a sign-off and its name (unless that is all there is)."""
    seen_text = False
    for index, line in enumerate(lines):
        text = line.strip()
        if _quoted(line):
            continue
        if _SIGNATURE.match(text) or (seen_text and _SIGN_OFF.match(text)):
            return lines[:index]
        seen_text = seen_text or bool(text)
    return lines


def _trimmed(lines: list[str]) -> list[str]:
    """The answer alone: quotes dropped unless they sit between answers, no trailing rules."""
    answer = [i for i, line in enumerate(lines) if line.strip() and not _quoted(line)]
    if not answer:
        return []
    kept = lines[:answer[-1] + 1]
    if not any(_quoted(line) for line in kept[answer[0]:]):  # not inline answers
        kept = [line for line in kept if not _quoted(line)]
    while kept and (not kept[-1].strip() or _RULE.match(kept[-1])):
        kept.pop()
    while kept and not kept[0].strip():
        kept.pop(0)
    return kept


def visible_text(text: str) -> str:
    """The new text of a reply, with quoted text, quote headers and signatures removed."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n")
             .replace("\xa0", " ").split("\n")]
    index, length, marked = _quote_start(lines, 0)
    region = lines[:index]
    if not any(line.strip() and not _quoted(line) for line in region):
        after = index + length  # bottom-posted: the answer is below a marked quote, if any
        region = lines[after:_quote_start(lines, after)[0]] if (
            marked and _quote_follows(lines, after)) else []
    return "\n".join(_trimmed(_without_signature(region)))


def visible_reply(message: EmailMessage) -> str:
    """What the sender of ``message`` wrote themselves (see the module docstring)."""
    return visible_text(body_text(message))
