"""Long answers are split at line ends into messages Telegram accepts."""

from bot.telegram_app import chunks


def test_a_long_summary_is_split_at_line_ends_under_the_limit_and_nothing_is_lost():
    text = "\n".join(f"{n}. Avlaster lav sats: 8 × 95,00 = 760,00 kr" for n in range(400))
    parts = chunks(text)
    assert len(parts) > 1 and all(len(p) <= 4000 for p in parts)
    assert "\n".join(parts) == text


def test_a_short_text_is_one_message_and_an_endless_line_is_cut_hard():
    assert chunks("kort") == ["kort"]
    assert [len(p) for p in chunks("x" * 9000)] == [4000, 4000, 1000]
