"""Normalisation: what a cheap phone's keyboard does to a message, undone."""

from warmline.crisis.normalise import DOSE, MANY, fold, spellings, tokenise


def test_fold_turns_curly_apostrophes_into_one_word():
    assert fold("I can\u2019t") == "i cant"


def test_fold_drops_spanish_accents():
    assert fold("Ya no quiero vivir más, mañana") == "ya no quiero vivir mas, manana"


def test_fold_reads_fullwidth_and_styled_letters():
    fullwidth = "".join(chr(ord(ch) + 0xFEE0) for ch in "kill")
    script_letters = "\U0001d4c2\U0001d4ce\U0001d4c8\U0001d452\U0001d4c1\U0001d4bb"
    assert fold(f"{fullwidth} {script_letters}") == "kill myself"


def test_emoji_are_tokens_without_skin_tone_or_variation_selector():
    texts = [t.text for t in tokenise("ok 💊💊\ufe0f 👍🏽")]
    assert texts == ["ok", "💊", "💊", "👍"]


def test_stretched_letters_offer_both_spellings():
    assert {"kill", "kil"} <= spellings("killllll")


def test_leetspeak_is_undone_only_in_words():
    assert "suicide" in spellings("su1c1de")
    assert spellings("988") == {"988", "<num>"}


def test_numbers_and_doses_are_tagged():
    assert MANY in spellings("30")
    assert MANY not in spellings("3")
    assert DOSE in spellings("800mg")


def test_sentences_and_clauses_are_numbered():
    tokens = tokenise("no, i am. fine")
    assert [(t.sentence, t.clause) for t in tokens] == [(0, 0), (0, 1), (0, 1), (1, 2)]


def test_each_chinese_character_is_a_token_and_chinese_punctuation_ends_a_sentence():
    tokens = tokenise("我想死。好累abc")
    assert [t.text for t in tokens] == ["我", "想", "死", "好", "累", "abc"]
    assert [t.sentence for t in tokens] == [0, 0, 0, 1, 1, 1]
