"""``kvitt mail parse-reply FILE.eml``: how the gateway reads one reply, without a database.

The support tool for "why did my reply not count?": it prints whether the message counts
as an auto-reply or a bounce, the intent read from its first line, the reason and the
visible text the decision was made on. The intent is read even from an auto-reply or a
bounce, which the gateway drops before deciding: "auto_reply": true is then the answer.
Names of the JSON fields are part of the contract.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from pathlib import Path

EXIT_OK = 0
EXIT_BAD_INPUT = 2


def parse_reply(raw: bytes) -> dict[str, object]:
    """Everything the gateway concludes from one raw message, as the JSON fields."""
    # imported here: building ``kvitt``'s parser imports this module for ``arguments``
    from mail.classify import classify
    from mail.decision import Decision, decide
    from mail.message import parse_message
    from mail.visible import visible_reply

    message = parse_message(raw)
    verdict = classify(message)
    text = visible_reply(message)
    # nothing is to be done with a machine's mail: the gateway never reads its words
    decision = Decision("none") if verdict.auto_reply or verdict.bounce else decide(text)
    return {"auto_reply": verdict.auto_reply, "bounce": verdict.bounce,
            "intent": decision.intent, "reason": decision.reason, "text": text}


def arguments(parser: argparse.ArgumentParser) -> None:
    """Add the command's one argument: the message file."""
    parser.add_argument("file", type=Path, help="the reply as a raw RFC 5322 message (.eml)")


def _print_json(data: object) -> None:
    if isinstance(sys.stdout, io.TextIOWrapper):  # replies are Norwegian, whatever the locale
        sys.stdout.reconfigure(encoding="utf-8")
    print(json.dumps(data, ensure_ascii=False, indent=2))


def run(args: argparse.Namespace) -> int:
    """Print the reading of ``args.file`` as JSON; exit 2 when the file cannot be read."""
    try:
        raw = Path(args.file).read_bytes()
    except OSError as exc:
        _print_json({"error": f"cannot read {args.file}: {exc.strerror or exc}"})
        return EXIT_BAD_INPUT
    _print_json(parse_reply(raw))
    return EXIT_OK
