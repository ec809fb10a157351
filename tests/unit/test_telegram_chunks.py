"""Answers as Telegram messages: long ones split, a turn's sayings joined to its question."""

from bot.telegram_app import chunks


def test_a_long_summary_is_split_at_line_ends_under_the_limit_and_nothing_is_lost():
    text = "\n".join(f"{n}. Avlaster lav sats: 8 × 95,00 = 760,00 kr" for n in range(400))
    parts = chunks(text)
    assert len(parts) > 1 and all(len(p) <= 4000 for p in parts)
    assert "\n".join(parts) == text


def test_a_short_text_is_one_message_and_an_endless_line_is_cut_hard():
    assert chunks("kort") == ["kort"]
    assert [len(p) for p in chunks("x" * 9000)] == [4000, 4000, 1000]


def test_what_a_turn_says_is_joined_to_the_question_after_it_in_one_message():
    from bot.dialog.core import Button, Reply
    from bot.telegram_app import joined

    menu = ((Button("📤 Send inn", "1:send"),),)
    turn = [Reply("→ 🚗 Bil", edit=41), Reply("✅ Lagret"), Reply("= 990,00 kr"),
            Reply("Hva vil du legge til?", menu), Reply("PDF", document=("k.pdf", b"%PDF")),
            Reply("Husk kvitteringen.")]
    assert joined(turn) == [Reply("→ 🚗 Bil", edit=41),
                            Reply("✅ Lagret\n\n= 990,00 kr\n\nHva vil du legge til?", menu),
                            Reply("PDF", document=("k.pdf", b"%PDF")),
                            Reply("Husk kvitteringen.")]


def test_a_say_before_an_edit_or_a_document_is_sent_before_it():
    from bot.dialog.core import Reply
    from bot.telegram_app import joined

    turn = [Reply("Lagret."), Reply("PDF", document=("k.pdf", b"%PDF")), Reply("Ferdig.")]
    assert joined(turn) == [Reply("Lagret."), Reply("PDF", document=("k.pdf", b"%PDF")),
                            Reply("Ferdig.")]
