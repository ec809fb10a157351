"""The engine: run one input against the chat's current step and answer.

Order of a turn: commands first (they work at any step); a button is checked
against the prompt that is showing (stale or forged → "that button is old" and
the prompt again); the step reads the answer; a refusal or a misunderstanding
is answered and the step stays where it was, so nothing the person entered is
lost; otherwise the next step is shown.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace

from bot.dialog.core import END, Button, Ctx, Incoming, InputError, Prompt, Reply, Step
from bot.dialog.steps import typed_label
from domain.errors import UserError
from domain.text import Text

BACK = "back"
BACK_LABEL = Text("✏️ Endre forrige svar", "✏️ Change previous answer")
STALE = Text("Den knappen er gammel. Her er spørsmålet du står på:",
             "That button is old. Here is the question you are at:")
CANNOT_USE = Text("Det kan jeg ikke bruke ({what}). Jeg forstår tekst, knapper, og bilder "
                  "eller PDF av kvitteringer.",
                  "I cannot use that ({what}). I understand text, buttons, and photos or PDFs "
                  "of receipts.")
STEPS: dict[str, Step] = {}


def register(*steps: Step) -> None:
    """Add steps to the wizard (names are unique: ``flow.step``)."""
    for step in steps:
        if step.name in STEPS:
            raise ValueError(f"step {step.name} registered twice")
        STEPS[step.name] = step


def _message_of(exc: Exception) -> Text | None:
    text = getattr(exc, "text", None)
    return text if isinstance(text, Text) else None


async def show(ctx: Ctx, name: str, *, edit: int | None = None) -> None:
    """Make ``name`` the current step and show its prompt (a new seq: old buttons die)."""
    state = ctx.turn.state
    if name == END:
        name = "claim.menu" if ctx.data.get("claim_id") else ""
    state.step = name
    if not name:
        return
    try:
        prompt = await prompt_of(ctx, STEPS[name])
    except (InputError, UserError) as exc:  # nothing to ask here (e.g. an empty catalogue)
        ctx.say(exc.text.in_(ctx.lang))
        if name == "claim.menu" or not ctx.data.get("claim_id"):
            state.step = ""
            return
        await show(ctx, "claim.menu")
        return
    seq = int(ctx.data.get("seq", 0)) + 1
    ctx.data["seq"] = seq
    buttons = tuple(tuple(Button(b.label, f"{seq}:{b.value}") for b in row)
                    for row in prompt.buttons)
    ctx.replies.append(Reply(prompt.text, buttons, edit))


async def prompt_of(ctx: Ctx, step: Step) -> Prompt:
    """The step's prompt, with the way back when it has one."""
    prompt = await step.prompt(ctx)
    if step.back:
        back = (Button(BACK_LABEL.in_(ctx.lang), BACK),)
        return Prompt(prompt.text, (*prompt.buttons, back))
    return prompt


Handler = Callable[[Ctx, Incoming], Awaitable[None]]


async def handle(ctx: Ctx, incoming: Incoming, commands: Handler, idle: Handler) -> list[Reply]:
    """Answer one input; ``ctx.turn.state`` holds the result."""
    if incoming.kind == "button" and incoming.text.startswith("o:"):
        # a notice's "open the claim" works at any step (the claim is checked to be theirs)
        await commands(ctx, Incoming("command", incoming.text[2:], command="open"))
        return ctx.replies
    if incoming.kind == "command":
        await commands(ctx, incoming)
        return ctx.replies
    step = STEPS.get(ctx.turn.state.step)
    if incoming.kind == "other":  # a sticker, voice note, location …: said, question again
        ctx.say(CANNOT_USE.in_(ctx.lang).format(what=incoming.text or "?"))
        if step is None:
            await idle(ctx, incoming)
        else:
            await show(ctx, step.name)
        return ctx.replies
    if step is None:
        await idle(ctx, incoming)
        return ctx.replies
    prompt = await prompt_of(ctx, step)
    if incoming.kind == "button":
        seq, _, value = incoming.text.partition(":")
        if seq != str(ctx.data.get("seq")) or value not in prompt.values():
            ctx.say(STALE.in_(ctx.lang))
            await show(ctx, step.name)
            return ctx.replies
        incoming = replace(incoming, text=value)
        if value == BACK:
            await _after(ctx, step, incoming, prompt, step.back)
            return ctx.replies
    elif incoming.kind == "text" and (typed := typed_label(ctx, prompt, incoming.text)):
        incoming = replace(incoming, kind="button", text=typed)
        if typed == BACK:  # the "change previous answer" label, typed instead of pressed
            await _after(ctx, step, incoming, prompt, step.back)
            return ctx.replies
    try:
        answer = step.parse(ctx, incoming)
        following = await step.then(ctx, answer)
    except (InputError, UserError, ValueError) as exc:
        message = _message_of(exc)
        if message is None:
            raise
        ctx.say(message.in_(ctx.lang))
        await show(ctx, step.name)
        return ctx.replies
    await _after(ctx, step, incoming, prompt, following)
    return ctx.replies


async def _after(ctx: Ctx, step: Step, incoming: Incoming, prompt: Prompt,
                 following: str) -> None:
    """Close the answered prompt (buttons removed, the choice shown) and show the next."""
    pressed = incoming.message_id if incoming.kind == "button" else None
    if following == step.name and pressed is not None:
        await show(ctx, following, edit=pressed)  # a toggle: redraw the same message
        return
    if pressed is not None:
        label = next((b.label for row in prompt.buttons for b in row
                      if b.value == incoming.text), incoming.text)
        ctx.replies.insert(0, Reply(f"{prompt.text}\n→ {label}", (), pressed))
    await show(ctx, following)
