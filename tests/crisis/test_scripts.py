"""Referral scripts: every shipped script keeps the safe-messaging rules and fits its channel."""

import pytest

from warmline.crisis.scripts import (
    CHANNELS,
    KINDS,
    check_script,
    referral_script,
    shipped_scripts,
    sms_segments,
)

SHIPPED = list(shipped_scripts())


@pytest.mark.parametrize(
    ("kind", "channel", "language", "text"),
    SHIPPED,
    ids=[f"{k}-{c}-{lang}" for k, c, lang, _ in SHIPPED],
)
def test_shipped_script_keeps_every_rule(kind, channel, language, text):
    assert check_script(text, channel, language) == []


@pytest.mark.parametrize("language", ["en", "es", "und"])
@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_has_an_sms_script_in_every_language(kind, language):
    assert "988" in referral_script(kind, "sms", language)


@pytest.mark.parametrize("language", ["en", "es", "und"])
@pytest.mark.parametrize("kind", [k for k in KINDS if k != "stop_flagged"])
def test_every_spoken_kind_has_a_voice_script(kind, language):
    assert "9 8 8" in referral_script(kind, "voice", language)


def test_unknown_language_gets_the_bilingual_script():
    text = referral_script("caller", "sms", "fr")
    assert "741741" in text and "AYUDA" in text
    assert referral_script("caller", "sms", None) == text


def test_regional_language_tag_picks_its_language():
    assert referral_script("caller", "sms", "es-MX") == referral_script("caller", "sms", "es")


def test_unknown_kind_or_channel_is_refused():
    with pytest.raises(LookupError):
        referral_script("cheerful", "sms", "en")
    with pytest.raises(LookupError):
        referral_script("stop_flagged", "voice", "en")
    assert "sms" in CHANNELS


def test_script_without_crisis_numbers_is_refused():
    problems = check_script("We are here for you. Things can get better.", "sms", "en")
    assert "it does not name 988" in problems
    assert "it does not name 911 for immediate danger" in problems
    assert any("741741" in p for p in problems)


def test_script_without_hope_is_refused():
    text = "Call or text 988, or text HOME to 741741. In danger, call 911."
    assert check_script(text, "sms", "en") == ["it has no sentence of hope (en)"]


def test_script_saying_committed_suicide_is_refused():
    text = (
        "Help is real. Call or text 988, or text HOME to 741741. In danger, call 911. "
        "Nobody who committed suicide was alone."
    )
    assert "it says 'committed suicide'" in check_script(text, "sms", "en")


def test_script_naming_a_method_is_refused():
    text = "Help is real. Call or text 988 or text HOME to 741741, call 911. Put away the pills."
    assert any(p.startswith("it names a method or means") for p in check_script(text, "sms", "en"))


def test_spanish_script_needs_ayuda():
    text = "La ayuda es real. Llama o escribe al 988. En peligro, llama al 911."
    assert check_script(text, "sms", "es") == ["it does not name the text line AYUDA (es)"]


def test_long_sms_script_is_refused():
    text = "Help is real. Call or text 988, text HOME to 741741, call 911. " + "Hi. " * 80
    assert "it needs 3 SMS segments; at most 2 fit" in check_script(text, "sms", "en")


def test_gsm7_single_segment_holds_160_characters():
    assert sms_segments("a" * 160) == 1
    assert sms_segments("a" * 161) == 2


def test_gsm7_concatenated_segments_hold_153_septets():
    assert sms_segments("a" * 306) == 2
    assert sms_segments("a" * 307) == 3


def test_gsm7_extension_characters_count_twice():
    assert sms_segments("€" * 80) == 1
    assert sms_segments("€" * 81) == 2
    assert sms_segments("a" * 159 + "[") == 2


def test_gsm7_escape_pair_never_straddles_two_segments():
    assert sms_segments("a" * 152 + "€" + "a" * 151) == 2
    assert sms_segments("a" * 152 + "€" + "a" * 152) == 3


def test_spanish_n_tilde_and_e_acute_stay_gsm7():
    assert sms_segments("ñé¿¡" + "a" * 156) == 1


def test_one_accented_a_turns_the_message_ucs2():
    assert sms_segments("á" + "a" * 69) == 1
    assert sms_segments("á" + "a" * 70) == 2
    assert sms_segments("á" + "a" * 133) == 2
    assert sms_segments("á" + "a" * 134) == 3


def test_emoji_counts_as_a_surrogate_pair():
    assert sms_segments("💊" * 35) == 1
    assert sms_segments("💊" * 36) == 2
    assert sms_segments("a" * 69 + "💊") == 2


def test_surrogate_pair_never_straddles_two_segments():
    assert sms_segments("a" * 66 + "💊" + "a" * 65) == 2
    assert sms_segments("a" * 66 + "💊" + "a" * 66) == 3


def test_empty_text_needs_no_segment():
    assert sms_segments("") == 0
