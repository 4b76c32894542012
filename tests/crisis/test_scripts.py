"""Every shipped script and word keeps the safe-messaging rules and fits its channel."""

import copy

import pytest

from tests.conftest import unreadable_scripts
from tests.factories import make_line
from warmline import line_scripts, wording
from warmline.crisis.language import INTERPRETED
from warmline.crisis.scripts import (
    CHANNELS,
    KINDS,
    TEXT_ONLY_KINDS,
    WordingRefused,
    check_first_words,
    check_interpreter_scripts,
    check_script,
    check_wording,
    checked_wording,
    interpreter_document,
    interpreter_script,
    language_name,
    referral_script,
    shipped_scripts,
    sms_segments,
)
from warmline.wording import Wording

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
@pytest.mark.parametrize("kind", [k for k in KINDS if k not in TEXT_ONLY_KINDS])
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


def edited(section: str, language: str, kind: str, words: str) -> Wording:
    """Return the shipped words with one sentence or text changed."""
    documents = copy.deepcopy(dict(wording.shipped().documents))
    documents[language][section][kind] = words
    return Wording(documents)


def test_every_shipped_word_keeps_every_rule():
    assert check_wording(wording.shipped()) == []


def test_words_that_cannot_be_read_are_refused_before_anyone_hears_them(edited_scripts):
    edited_scripts(unreadable_scripts)
    with pytest.raises(WordingRefused, match="config/scripts cannot be read"):
        checked_wording()


def test_an_edit_that_drops_988_from_the_greeting_is_refused(edited_scripts):
    documents = edited(
        "calls", "en", "welcome", "Thank you for calling {name}. Press 9 for help."
    ).documents
    edited_scripts(lambda: documents)
    with pytest.raises(WordingRefused, match="en calls, first words when welcome"):
        checked_wording()


def test_the_shipped_words_pass_the_check_every_process_makes_at_start():
    assert checked_wording() is wording.shipped()


def test_a_language_missing_a_key_is_refused():
    documents = copy.deepcopy(dict(wording.shipped().documents))
    del documents["es"]["texts"]["still_waiting"]
    assert check_wording(Wording(documents)) == ["es texts: missing still_waiting"]


def test_a_banned_word_in_a_hold_sentence_is_refused():
    words = edited("calls", "en", "hold", "Please hold. Nobody here calls it a successful wait.")
    assert check_wording(words) == ["en calls.hold: it says 'successful'"]


def test_a_method_word_in_a_text_is_refused():
    words = edited("texts", "es", "no_pictures", "No podemos ver fotos. Guarda las pastillas.")
    [problem] = check_wording(words)
    assert problem.startswith("es texts.no_pictures: it names a method or means")


def test_a_welcome_text_over_two_segments_with_a_long_line_name_is_refused():
    welcome = (
        wording.text("welcome", "en", name="{name}") + " We read every message with great care."
    )
    assert check_wording(edited("texts", "en", "welcome", welcome)) == [
        "en texts.welcome: it needs 3 SMS segments; at most 2 fit"
    ]


def test_a_closed_reply_whose_hours_push_it_over_two_segments_is_refused():
    reopens = "We open again {when}. A peer specialist will be glad to read your messages then."
    words = edited("texts", "en", "reopens", reopens + " Thank you for your patience with us.")
    assert check_wording(words) == ["en texts.closed: it needs 3 SMS segments; at most 2 fit"]


def test_a_greeting_without_988_is_refused():
    words = edited("calls", "es", "welcome", "Gracias por llamar a {name}. Marque 9 para crisis.")
    # A monitored line's greeting starts with the same welcome, so it is refused too.
    assert check_wording(words) == [
        f"es calls, first words when {kind}: {problem}"
        for kind in ("welcome", "welcome_monitored")
        for problem in ("it does not name 988", "it does not say 988 takes calls and texts (es)")
    ]


def test_a_greeting_without_press_9_is_refused():
    words = edited(
        "calls", "en", "welcome", "Thank you for calling {name}. You can call or text 9 8 8."
    )
    assert check_wording(words) == [
        f"en calls, first words when {kind}: it does not say to press 9 for the crisis line (en)"
        for kind in ("welcome", "welcome_monitored")
    ]


def test_a_first_text_without_988_is_refused():
    words = edited("texts", "en", "help", "{name} is a free, peer-run warm line. Text us.")
    assert check_wording(words) == [
        "en texts, first words when help: it does not name 988",
        "en texts, first words when help: it does not say 988 takes calls and texts (en)",
    ]


def test_blocked_callers_hear_the_crisis_numbers_without_a_menu():
    spoken = " ".join(s.text for s in wording.opening("blocked", "en"))
    assert check_first_words(spoken, "en", menu=False) == []
    assert check_first_words(spoken, "en", menu=True) == [
        "it does not say to press 9 for the crisis line (en)"
    ]


def test_a_lines_after_hours_voice_script_without_press_9_is_refused(session):
    line = make_line(session)
    closed = referral_script("after_hours", "voice", "en").replace(
        " Press 9 now to be connected to the crisis line.", ""
    )
    assert check_script(closed, "voice", "en") == []
    with pytest.raises(line_scripts.ScriptRefused, match="press 9"):
        line_scripts.save(
            session,
            line,
            kind="after_hours",
            channel="voice",
            language="en",
            text=closed,
            actor_id=None,
        )


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_monitored_line_tells_every_caller_after_the_welcome_that_a_supervisor_may_listen(
    language,
):
    plain = wording.opening("welcome", language, name="Riverside")
    monitored = wording.opening("welcome_monitored", language, name="Riverside")
    assert monitored[: len(plain)] == plain
    (notice,) = monitored[len(plain) :]
    assert "supervisor" in notice.text and notice.language == language


def test_every_language_the_line_does_not_speak_has_a_checked_interpreter_reply():
    assert check_interpreter_scripts(interpreter_document()) == []
    for language in INTERPRETED:
        assert "988" in interpreter_script(language) and language_name(language)


def test_an_interpreter_reply_that_breaks_the_rules_is_refused():
    shipped = interpreter_document()
    broken = {
        "language_names": {**shipped["language_names"], "ko": ""},
        "sms": {
            **{k: v for k, v in shipped["sms"].items() if k != "ru"},
            "fr": "Appelez le 911 si vous êtes en danger.",
            "pt": shipped["sms"]["pt"] + " " + shipped["sms"]["pt"],
            "tl": shipped["sms"]["tl"] + " Huwag uminom ng 30 pills.",
        },
    }
    problems = check_interpreter_scripts(broken)
    assert "interpreter ru: there is no reply" in problems
    assert "interpreter ko: it has no language name" in problems
    assert "interpreter fr: it does not name 988" in problems
    assert any(p.startswith("interpreter pt: it needs") for p in problems)
    assert any(p.startswith("interpreter tl: it names a method or means") for p in problems)
