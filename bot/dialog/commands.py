"""Commands work at any step: joining, starting a claim, sending, listing, withdrawing.

Norwegian command names first (``/ny``, ``/send``, ``/mine``, ``/angre``,
``/kommentar``, ``/avbryt``, ``/hjelp``), English ones as aliases.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import replace

from bot.dialog.claim_flow import submit
from bot.dialog.core import END, Button, Ctx, Incoming, Prompt, Reply
from bot.dialog.engine import register, show
from bot.dialog.render import log_text, summary_text
from bot.dialog.steps import ask_buttons, ask_file, ask_text
from domain.claim import Status
from domain.errors import InviteInvalid, UserError
from domain.identity import mask_bank_account, normalise_bank_account
from domain.text import Text
from domain.workflow import status_text
from service.members import check_email
from service.ports import ClaimHead

HELP = Text(
    "Kvitt fører reiseregningen din.\n"
    "/ny – nytt krav\n/linjer – endre eller slette linjer\n/oppsummering – se kravet\n"
    "/send – send til godkjenning\n/mine – dine krav og status\n"
    "/angre – trekk tilbake et innsendt krav (før noen har godkjent)\n"
    "/kommentar – skriv til godkjennerne\n/avbryt – gå ut av spørsmålet (ingenting slettes)\n"
    "/mine_data – alt Kvitt har om deg\n/slettmeg – slett dataene dine",
    "Kvitt keeps your expense claims.\n"
    "/new – new claim\n/lines – change or delete lines\n/summary – see the claim\n"
    "/send – submit for approval\n/mine – your claims and their status\n"
    "/withdraw – pull back a submitted claim (before anyone approved)\n"
    "/comment – write to the approvers\n/cancel – leave the question (nothing is deleted)\n"
    "/my_data – everything Kvitt holds about you\n/erase_me – erase your data")
NEEDS_INVITE = Text("Hei! For å bruke Kvitt trenger du en invitasjonslenke fra den som betaler "
                "(regnskap, klubb eller kommune).",
                "Hi! To use Kvitt you need an invite link from whoever pays "
                "(accounts, club or municipality).")
ALIASES = {"new": "ny", "lines": "linjer", "summary": "oppsummering", "withdraw": "angre",
           "comment": "kommentar", "cancel": "avbryt", "help": "hjelp", "claims": "mine",
           "my_data": "mine_data", "erase_me": "slettmeg"}

Command = Callable[[Ctx, str], Awaitable[None]]


async def _start(ctx: Ctx, code: str) -> None:
    if not code:
        if ctx.turn.claimant is None:
            ctx.say(NEEDS_INVITE.in_(ctx.lang))
        else:
            ctx.say(HELP.in_(ctx.lang))
        return
    org = await ctx.turn.invite_org(code)
    if ctx.turn.claimant is not None:
        await ctx.turn.join(code, ctx.turn.claimant.name, ctx.lang)
        ctx.say(ctx.t(Text(f"Du er nå med i {org.name}. /ny starter et krav.",
                           f"You have joined {org.name}. /new starts a claim.")))
        return
    ctx.data["invite"] = code
    ctx.say(ctx.t(Text(f"Velkommen! Du er invitert av {org.name}.",
                       f"Welcome! You are invited by {org.name}.")))
    await show(ctx, "join.name")


async def _new(ctx: Ctx, _: str) -> None:
    ctx.turn.session()  # refuses someone who has not joined
    # a second claim by mistake loses the first's lines; the same question as the
    # prompt's below (newest=3), so the answer is read once (store.claims: kept)
    if await _editable(ctx, Status.DRAFT, newest=3):
        await show(ctx, "claim.continue")
        return
    await show(ctx, _start_new(ctx))


def _start_new(ctx: Ctx) -> str:
    """Forget the open claim and name the first question of a new one."""
    ctx.data.pop("claim_id", None)
    ctx.data["draft"] = {}
    ctx.data["new_payers"] = []
    claimant = ctx.turn.claimant
    if claimant is not None and len(claimant.memberships) == 1:
        ctx.data["new_payers"] = sorted(claimant.memberships)
        return "claim.title"
    return "claim.payers"


async def _continue_prompt(ctx: Ctx) -> Prompt:
    drafts = await _editable(ctx, Status.DRAFT, newest=3)
    refs = ", ".join(c.reference for c in drafts)
    buttons = [(Button(ctx.t(Text(f"Fortsett {c.reference} «{c.title}»",
                                  f"Continue {c.reference} “{c.title}”")), c.id),) for c in drafts]
    return Prompt(ctx.t(Text(f"Fortsette kladden {refs} eller starte et nytt?",
                             f"Continue the draft {refs} or start a new one?")),
                  (*buttons,
                   (Button(ctx.t(Text("➕ Start et nytt", "➕ Start a new one")), "new"),)))


async def _continue_chosen(ctx: Ctx, value: str) -> str:
    if value == "new":
        return _start_new(ctx)
    await ctx.turn.session().head(value)  # theirs, or refused
    ctx.data["claim_id"] = value
    return END


async def _current(ctx: Ctx) -> str | None:
    """The claim commands act on: the open one, else the only draft or returned claim.

    /linjer, /oppsummering and /send agree: if /send would submit a claim, /linjer
    shows that claim, never "no open claim".
    """
    claim_id = ctx.data.get("claim_id")
    if claim_id:
        return str(claim_id)
    candidates = await _editable(ctx, Status.DRAFT, Status.RETURNED, newest=2)
    if len(candidates) == 1:
        ctx.data["claim_id"] = candidates[0].id
        return candidates[0].id
    if candidates:
        ctx.say(ctx.t(Text("Du har flere kladder: velg ett med /mine, eller send med /send.",
                           "You have several drafts: pick one with /mine, or send with /send.")))
        return None
    ctx.say(ctx.t(Text("Du har ikke et krav åpent. /ny starter et, /mine viser dine krav.",
                       "You have no claim open. /new starts one, /mine lists yours.")))
    return None


async def _editable(ctx: Ctx, *statuses: Status, newest: int | None = None
                    ) -> list[ClaimHead]:
    """The claimant's claims in ``statuses``, newest first; only ``newest`` of them.

    A question needs one or a few (is there a draft? one or several?), not every draft
    a claimant ever left, each read with its lines, approvals and log: their heads only.
    """
    return list(await ctx.turn.session().my_heads(*statuses, newest=newest))


async def _send(ctx: Ctx, _: str) -> None:
    if ctx.draft.get("line"):
        ctx.say(ctx.t(Text("Du holder på med en linje som ikke er lagret. Fullfør den, eller "
                           "skriv /avbryt for å forkaste den, før du sender.",
                           "You are in the middle of a line that is not saved. Finish it, or "
                           "write /cancel to drop it, before you send.")))
        return
    candidates = await _editable(ctx, Status.DRAFT, Status.RETURNED, newest=2)
    if len(candidates) > 1:  # which one? never the wrong claim by accident
        ctx.data["choose_for"] = "send"
        await show(ctx, "claims.choose")
        return
    if candidates:
        ctx.data["claim_id"] = candidates[0].id
    if await _current(ctx):
        await show(ctx, await submit(ctx))


async def _summary(ctx: Ctx, _: str) -> None:
    claim_id = await _current(ctx)
    if claim_id:
        ctx.say(summary_text(await ctx.turn.session().summary(claim_id), ctx.lang))


async def _mine(ctx: Ctx, _: str) -> None:
    await show(ctx, "claims.list")


async def _withdraw(ctx: Ctx, _: str) -> None:
    awaiting = await _editable(ctx, Status.AWAITING)
    if not awaiting:
        ctx.say(ctx.t(Text("Du har ingen krav til godkjenning.",
                           "You have no claims in approval.")))
        return
    if len(awaiting) > 1:
        ctx.data["choose_for"] = "withdraw"
        await show(ctx, "claims.choose")
        return
    await _withdraw_one(ctx, awaiting[0].id)
    await show(ctx, END)


async def _withdraw_one(ctx: Ctx, claim_id: str) -> None:
    claim = await ctx.turn.session().withdraw(claim_id)
    ctx.data["claim_id"] = claim.id
    ctx.say(ctx.t(Text(f"{claim.reference} er trukket tilbake og er kladd igjen.",
                       f"{claim.reference} is withdrawn and a draft again.")))


async def _comment(ctx: Ctx, text: str) -> None:
    awaiting = await _editable(ctx, Status.AWAITING)
    if not awaiting:
        ctx.say(ctx.t(Text("Du har ingen krav til godkjenning å kommentere.",
                           "You have no claim in approval to comment on.")))
        return
    if len(awaiting) > 1:
        ctx.data["choose_for"] = "comment"
        ctx.data["comment_text"] = text
        await show(ctx, "claims.choose")
        return
    ctx.data["comment_on"] = awaiting[0].id
    if text:
        await _commented(ctx, text)
        return
    await show(ctx, "comment.text")


async def _commented(ctx: Ctx, text: str) -> str:
    claim = await ctx.turn.session().comment(ctx.data["comment_on"], text)
    ctx.data.pop("comment_on", None)
    ctx.say(ctx.t(Text(f"Kommentaren er sendt til godkjennerne av {claim.reference}.",
                       f"The comment is sent to the approvers of {claim.reference}.")))
    return END


async def _cancel(ctx: Ctx, _: str) -> None:
    unfinished = bool(ctx.draft.get("line"))
    ctx.data["draft"] = {}
    ctx.say(ctx.t(Text("Avbrutt. " + ("Linjen du holdt på med ble ikke lagret; kravet"
                                      if unfinished else "Kravet")
                       + " og lagrede linjer er som før.",
                       "Cancelled. " + ("The line you were entering was not saved; the claim"
                                        if unfinished else "The claim")
                       + " and its saved lines are as before.")))
    await show(ctx, END)


async def _help(ctx: Ctx, _: str) -> None:
    ctx.say(HELP.in_(ctx.lang))


async def _lines(ctx: Ctx, _: str) -> None:
    if await _current(ctx):
        await show(ctx, "lines.manage")


async def _open(ctx: Ctx, claim_id: str) -> None:
    """Show one of the claimant's claims (from a notice's button); editable ones become current."""
    await show(ctx, await _claim_opened(ctx, claim_id))


async def _my_data(ctx: Ctx, _: str) -> None:
    """GDPR: everything Kvitt holds about the claimant, as a JSON file."""
    data = await ctx.turn.export_data()
    body = json.dumps(data, ensure_ascii=False, indent=2).encode()
    ctx.replies.append(Reply(ctx.t(Text("Her er alt Kvitt har lagret om deg.",
                                        "Here is everything Kvitt holds about you.")),
                             document=("kvitt-mine-data.json", body)))


async def _erase_me(ctx: Ctx, _: str) -> None:
    ctx.turn.session()  # refuses someone who has not joined
    await show(ctx, "erase.confirm")


async def _erase_prompt(ctx: Ctx) -> Prompt:
    return Prompt(ctx.t(Text("Slette navn, e-post, kontonummer og koblingen til Telegram? Kravene "
                             "beholdes anonymt i regnskapet (bokføringsloven).",
                             "Erase your name, email, bank account and Telegram link? Claims are "
                             "kept anonymously in the accounts (Norwegian bookkeeping law).")),
                  ((Button(ctx.t(Text("Ja, slett meg", "Yes, erase me")), "yes"),
                    Button(ctx.t(Text("Avbryt", "Cancel")), "no")),))


async def _erase_answer(ctx: Ctx, value: str) -> str:
    if value != "yes":
        return END
    lang = ctx.lang
    await ctx.turn.erase()
    ctx.lang = lang
    ctx.say(ctx.t(Text("Dataene dine er slettet. Takk for nå.", "Your data is erased. Goodbye.")))
    return END


COMMANDS: dict[str, Command] = {
    "start": _start, "ny": _new, "send": _send, "oppsummering": _summary, "mine": _mine,
    "angre": _withdraw, "kommentar": _comment, "avbryt": _cancel, "hjelp": _help,
    "linjer": _lines, "open": _open, "mine_data": _my_data, "slettmeg": _erase_me}


async def run_command(ctx: Ctx, incoming: Incoming) -> None:
    """Run a command; a refusal is answered and the conversation stays where it was.

    A command that only shows something (``/hjelp``, ``/oppsummering``, a refusal) leaves
    the open question open, so it is asked again below: the next text answers the
    question the person can see, never one hidden above the help text.
    """
    step, seq = ctx.turn.state.step, ctx.data.get("seq")
    name = ALIASES.get(incoming.command, incoming.command)
    command = COMMANDS.get(name)
    if command is None:
        ctx.say(ctx.t(Text(f"Kjenner ikke /{incoming.command}.", f"Unknown /{incoming.command}."))
                + "\n" + HELP.in_(ctx.lang))
    else:
        try:
            await command(ctx, incoming.text.strip())
        except UserError as exc:
            ctx.say(exc.text.in_(ctx.lang))
    if step and ctx.turn.state.step == step and ctx.data.get("seq") == seq:
        await show(ctx, step)


async def idle(ctx: Ctx, incoming: Incoming) -> None:
    """Input when no question is open."""
    if ctx.turn.claimant is None:
        ctx.say(NEEDS_INVITE.in_(ctx.lang))
    elif incoming.kind == "button":
        ctx.say(ctx.t(Text("Den knappen er gammel.", "That button is old.")) + " "
                + HELP.in_(ctx.lang))
    else:
        ctx.say(HELP.in_(ctx.lang))


# -- joining ----------------------------------------------------------------------------------

async def _name(ctx: Ctx, text: str) -> str:
    ctx.data["join_name"] = text
    return "join.email"


async def _email(ctx: Ctx, text: str | None) -> str:
    ctx.data["join_email"] = check_email(text) if text else ""
    return "join.bank"


async def _bank(ctx: Ctx, text: str) -> str:
    account = normalise_bank_account(text)  # checked before the invite is spent
    if "invite" not in ctx.data:  # a turn that already joined, repeated: nothing to redo
        return END
    try:
        org = await ctx.turn.join(ctx.data["invite"], ctx.data["join_name"], ctx.lang)
    except InviteInvalid:
        for key in ("invite", "join_name", "join_email"):  # start over with a new link
            ctx.data.pop(key, None)
        raise
    for key in ("invite", "join_name"):
        ctx.data.pop(key, None)
    email = ctx.data.pop("join_email", "")
    await ctx.turn.update_profile(bank_account=account, **({"email": email} if email else {}))
    orgs = await ctx.turn.organisations((org,))
    ctx.say(ctx.t(Text(f"Takk! Kontonummer {mask_bank_account(account)} er lagret, og du er med i "
                       f"{orgs[org].name}. /ny starter et krav.",
                       f"Thanks! Account {mask_bank_account(account)} is saved and you have "
                       f"joined {orgs[org].name}. /new starts a claim.")))
    return END


# -- claims, lines, fixes ---------------------------------------------------------------------

async def _claims_prompt(ctx: Ctx) -> Prompt:
    claims = list(await ctx.turn.session().my_claims(newest=10))
    if not claims:
        return Prompt(ctx.t(Text("Du har ingen krav ennå. /ny starter et.",
                                 "You have no claims yet. /new starts one.")))
    lines, buttons = [], []
    for claim in claims:
        names = {s: o.name for s, o in (await ctx.turn.organisations(claim.payers)).items()}
        status = status_text(claim, names).in_(ctx.lang)
        lines.append(f"{claim.reference} «{claim.title}» – {status}")
        buttons.append((Button(claim.reference, claim.id),))
    return Prompt("\n".join(lines), tuple(buttons))


async def _claim_opened(ctx: Ctx, claim_id: str) -> str:
    session = ctx.turn.session()
    view = await session.summary(claim_id)
    ctx.say(summary_text(view, ctx.lang) + "\n\n" + log_text(view.claim, ctx.lang))
    if view.claim.status in (Status.DRAFT, Status.RETURNED):
        ctx.data["claim_id"] = claim_id
    return END


async def _lines_prompt(ctx: Ctx) -> Prompt:
    view = await ctx.turn.session().summary(ctx.data["claim_id"])
    buttons: list[tuple[Button, ...]] = []
    for n, line in enumerate(view.lines, start=1):
        buttons.append((Button(f"✏️ {n}", f"e:{line.line.id}"),
                        Button(f"🗑 {n}", f"d:{line.line.id}")))
    buttons.append((Button(ctx.t(Text("Tilbake", "Back")), "menu"),))
    return Prompt(summary_text(view, ctx.lang), tuple(buttons))


async def _line_chosen(ctx: Ctx, value: str) -> str:
    if value == "menu":
        return END
    action, line_id = value.split(":", 1)
    session = ctx.turn.session()
    claim_id = ctx.data["claim_id"]
    if action == "d":
        await session.remove_line(claim_id, line_id)
        ctx.say(ctx.t(Text("Linjen er slettet.", "The line is deleted.")))
        return "lines.manage"
    (await session.claim(claim_id)).line(line_id)  # there, or refused
    ctx.data["edit_line"] = line_id
    return "line.edit"


async def _fix_required_receipt(ctx: Ctx, data: bytes | None) -> str:
    """The receipt the payer will not do without: attached, or the line deleted."""
    if data is None:
        await ctx.turn.session().remove_line(ctx.data["claim_id"], ctx.data.pop("fix_line"))
        ctx.say(ctx.t(Text("Linjen er slettet.", "The line is deleted.")))
        return await _fixed(ctx)
    return await _fix_receipt(ctx, data)


async def _fix_receipt(ctx: Ctx, data: bytes | None) -> str:
    if data is None:
        return "fix.no_receipt"
    session = ctx.turn.session()
    content_hash = await session.store_file(data)
    await session.attach(ctx.data["claim_id"], ctx.data["fix_line"], content_hash)
    ctx.say(ctx.t(Text("📎 Kvitteringen er lagt ved.", "📎 The receipt is attached.")))
    return await _fixed(ctx)


async def _fixed(ctx: Ctx) -> str:
    ctx.data.pop("fix_line", None)
    ctx.say(ctx.t(Text("Prøver å sende igjen …", "Trying to send again …")))
    return await submit(ctx)


async def _set_line_field(ctx: Ctx, field: str, text: str) -> str:
    session = ctx.turn.session()
    claim = await session.claim(ctx.data["claim_id"])
    line = claim.line(ctx.data["fix_line"])
    if field == "justification":
        line = replace(line, justification=text)
    else:
        line = replace(line, no_receipt_reason=text)
    await session.change_line(claim.id, line)
    return await _fixed(ctx)


async def _remove_prompt(ctx: Ctx) -> Prompt:
    return Prompt(ctx.t(Text("Denne linjen kan ikke sendes slik den er. Slette den?",
                             "This line cannot be sent as it is. Delete it?")),
                  ((Button(ctx.t(Text("🗑 Slett linjen", "🗑 Delete the line")), "delete"),
                    Button(ctx.t(Text("Tilbake", "Back")), "menu")),))


async def _remove(ctx: Ctx, value: str) -> str:
    if value == "delete":
        await ctx.turn.session().remove_line(ctx.data["claim_id"], ctx.data.pop("fix_line"))
        return await _fixed(ctx)
    return END


async def _choose_prompt(ctx: Ctx) -> Prompt:
    purpose = ctx.data.get("choose_for", "send")
    statuses = (Status.AWAITING,) if purpose in ("withdraw", "comment") else (
        Status.DRAFT, Status.RETURNED)
    claims = await _editable(ctx, *statuses)
    question = {"send": Text("Hvilket krav vil du sende?", "Which claim do you want to send?"),
                "withdraw": Text("Hvilket krav vil du trekke tilbake?",
                                 "Which claim do you want to withdraw?"),
                "comment": Text("Hvilket krav gjelder kommentaren?",
                                "Which claim is the comment about?")}[purpose]
    return Prompt(question.in_(ctx.lang), tuple((Button(f"{c.reference} «{c.title}»", c.id),)
                                          for c in claims))


async def _chosen(ctx: Ctx, claim_id: str) -> str:
    purpose = ctx.data.pop("choose_for", "send")
    if purpose == "withdraw":
        await _withdraw_one(ctx, claim_id)
        return END
    if purpose == "comment":
        ctx.data["comment_on"] = claim_id
        text = ctx.data.pop("comment_text", "")
        return await _commented(ctx, text) if text else "comment.text"
    ctx.data["claim_id"] = claim_id
    return await submit(ctx)


register(
    ask_buttons("claims.choose", _choose_prompt, _chosen),
    ask_buttons("claim.continue", _continue_prompt, _continue_chosen),
    ask_text("join.name", Text("Hva heter du (fullt navn)?", "What is your full name?"), _name),
    ask_text("join.email", Text("E-postadresse (for kopi av svar fra godkjennerne)?",
                            "Email address (for copies of the approvers' answers)?"),
             _email, skip=Text("Hopp over", "Skip")),
    ask_text("join.bank", Text("Kontonummer for utbetaling (11 siffer)?",
                           "Bank account for payment (11 digits)?"), _bank),
    ask_buttons("claims.list", _claims_prompt, _claim_opened),
    ask_buttons("lines.manage", _lines_prompt, _line_chosen),
    ask_text("comment.text", Text("Skriv kommentaren til godkjennerne:",
                              "Write the comment to the approvers:"), _commented),
    ask_file("fix.receipt", Text("Send bilde eller PDF av kvitteringen.",
                             "Send a photo or PDF of the receipt."), _fix_receipt,
             without=Text("Har ikke kvittering", "I have no receipt")),
    ask_file("fix.required_receipt", Text("Send bilde eller PDF av kvitteringen.",
                                          "Send a photo or PDF of the receipt."),
             _fix_required_receipt, without=Text("🗑 Slett linjen", "🗑 Delete the line")),
    ask_text("fix.no_receipt", Text("Hvorfor mangler kvitteringen?", "Why is there no receipt?"),
             lambda ctx, text: _set_line_field(ctx, "no_receipt_reason", text)),
    ask_text("fix.justification", Text("Skriv begrunnelsen:", "Write the justification:"),
             lambda ctx, text: _set_line_field(ctx, "justification", text)),
    ask_buttons("fix.remove", _remove_prompt, _remove),
    ask_buttons("erase.confirm", _erase_prompt, _erase_answer),
)
