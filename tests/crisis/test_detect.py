"""How the detector grades the messages a person in distress actually types."""

import threading

import pytest

from warmline.crisis import Detection, detect
from warmline.crisis.detector import detect_by_rules


def tier(text: str) -> int:
    """Grade a message and return only its tier."""
    return detect(text).tier


def test_detection_is_a_frozen_dataclass_that_never_echoes_the_message():
    found = detect("i want to die, my name is Ana and I live on Elm Street")
    assert isinstance(found, Detection)
    assert found.crisis
    assert all("Elm" not in match and "Ana" not in match for match in found.matches)
    with pytest.raises(AttributeError):
        found.tier = 0  # type: ignore[misc]


def test_everyday_message_has_no_matches():
    assert detect("had a rough day at work") == Detection(0, (), "en", False)


def test_curly_apostrophe_does_not_hide_i_cant_go_on():
    assert tier("I can\u2019t go on") == 1
    assert tier("I don\u2019t want to be here anymore") == 1


def test_skilled_is_not_kill():
    assert tier("i'm a skilled welder looking for work") == 0


def test_bills_is_not_pills():
    # A spelling property of the rules; the learned model reads "i'm so done" as risk.
    assert detect_by_rules("i can't pay my bills and i'm so done").tier == 0


def test_not_suicidal_but_counting_pills_is_tier_2():
    assert tier("not suicidal but ive been counting my pills") == 2


def test_denial_lowers_a_generic_word():
    assert tier("i'm not suicidal, just tired") == 0
    assert tier("i don't want to die, i want things to change") == 0


def test_denial_never_lowers_a_first_person_method():
    assert tier("i'm not suicidal lol but i'm going to hang myself") == 2


def test_denial_in_another_clause_does_not_lower():
    assert tier("i'm not okay, i want to die") == 1


def test_this_traffic_is_killing_me_is_not_crisis():
    assert tier("this traffic is killing me") == 0


def test_me_mata_el_calor_is_not_crisis():
    assert tier("me mata el calor") == 0


def test_me_muero_de_hambre_is_not_crisis():
    assert tier("me muero de hambre") == 0


def test_kms_is_tier_1():
    assert tier("kms") == 1


def test_unalive_and_sewer_slide_are_tier_1():
    assert tier("i want to unalive myself") == 1
    assert tier("thinking about sewer slide again") == 1


def test_pill_emoji_with_tonight_is_tier_2():
    assert tier("💊💊 tonight") == 2


def test_crying_face_alone_is_not_crisis():
    assert tier("i failed my driving test 😭") == 0


def test_crying_face_with_distress_is_tier_1():
    assert tier("i cant do this anymore 😭😭") == 1


def test_misspelt_kill_myself_is_found():
    assert tier("i want to kil myslef") == 1
    assert tier("i feel sucidal") == 1


def test_leetspeak_is_read_as_letters():
    assert tier("su1c1de t0night") == 2
    assert tier("$uicidal again") == 1


def test_stretched_letters_are_read_as_the_word():
    assert tier("i want to dieeeeee") == 1
    assert tier("killlll myselffff") == 1


def test_fullwidth_letters_are_read_as_ascii():
    fullwidth = "".join(chr(ord(ch) + 0xFEE0) if ch != " " else ch for ch in "i want to die")
    assert tier(fullwidth) == 1


def test_medicine_question_is_not_crisis():
    assert tier("is it safe to take tylenol and advil together for a headache") == 0


def test_many_tablets_taken_is_tier_2():
    assert tier("i took 30 tylenol") == 2


def test_dose_is_not_a_count_of_pills():
    assert tier("how often can i take 800 mg ibuprofen for cramps") == 0


def test_lethal_dose_question_is_tier_2():
    assert tier("how much benadryl does it take to die") == 2


def test_ideation_with_a_timeframe_is_tier_2():
    assert tier("i want to die tonight") == 2


def test_attempt_in_progress_is_tier_2():
    assert tier("i already took them") == 2
    assert tier("im bleeding a lot and i dont want help") == 2


def test_recovered_past_ideation_is_not_crisis():
    assert tier("i used to want to die but therapy really helped") == 0


def test_past_attempt_is_kept_as_history_not_dropped():
    found = detect("two years ago i tried to kill myself")
    assert found.tier == 1
    assert found.matches == ("history:tried to kill myself",)


def test_past_that_comes_back_counts_again():
    assert tier("i used to cut myself and the urges are back") == 1


def test_essay_about_suicide_is_not_crisis():
    assert tier("i'm writing an essay on suicide prevention") == 0


def test_essay_does_not_lower_a_first_person_statement():
    assert tier("forget my essay, i want to kill myself") == 1


def test_joke_lowers_a_generic_word_only():
    assert tier("this homework makes me want to die lol") == 0
    assert detect_by_rules("kms lol").tier == 1


def test_grief_for_someone_lost_to_suicide_is_not_crisis():
    assert tier("my brother died by suicide last year and i miss him") == 0


def test_friend_who_wants_to_die_is_third_party():
    found = detect("my friend says she wants to die")
    assert (found.tier, found.third_party) == (1, True)


def test_friend_who_took_pills_is_third_party_tier_2():
    found = detect("my friend just texted me that she took a bunch of pills")
    assert (found.tier, found.third_party) == (2, True)


def test_worry_without_risk_is_not_crisis():
    assert detect("i'm worried about my brother, he's been down") == Detection(0, (), "en")


def test_my_own_risk_is_not_third_party():
    assert detect("my friend told me to text you because i want to die").third_party is False


def test_violence_now_is_tier_2():
    assert tier("my husband is hitting me right now") == 2


def test_spanish_typed_without_accents_is_found():
    assert tier("ya no quiero vivir mas") == 1
    assert tier("Ya no quiero vivir más") == 1
    assert tier("me voy a quitar la vida hoy") == 2


def test_spanish_denial_lowers_quiero_morir():
    assert tier("no quiero morir, solo estoy triste") == 0


def test_language_is_guessed_or_taken_from_the_hint():
    assert detect("quiero morir").language == "es"
    assert detect("i want to die").language == "en"
    assert detect("988").language == "und"
    assert detect("kms", language="es-MX").language == "es"


def test_line_terms_extend_a_category():
    # The rules alone do not know the place; the learned model may (test_combined.py).
    assert detect_by_rules("going to the old quarry tonight").tier == 0
    extra = {"means": ["old quarry"]}
    found = detect("going to the old quarry tonight, i want to die", extra_terms=extra)
    assert found.tier == 2
    assert "means:old quarry" in found.matches


def test_line_terms_in_an_unknown_category_are_refused():
    with pytest.raises(ValueError, match="unknown crisis category"):
        detect("hello", extra_terms={"vibes": ["bad"]})


def test_detect_is_safe_from_many_threads():
    results: list[int] = []

    def grade() -> None:
        results.extend(tier("i took 30 tylenol") for _ in range(50))

    threads = [threading.Thread(target=grade) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [2] * 400


@pytest.mark.parametrize(
    ("text", "tier"),
    [
        ("我真的不想活了", 1),
        ("我想结束自己的生命", 1),
        ("我现在在楼顶 准备跳楼", 2),
        ("je veux mourir", 1),
        ("je vais me suicider ce soir", 1),
        ("хочу умереть", 1),
        ("не хочу жить", 1),
        ("بدي موت", 1),
        ("muốn chết", 1),
        ("죽고 싶어요", 1),
        ("gusto ko nang mamatay", 1),
        ("m vle mouri", 1),
        ("quero morrer", 1),
    ],
)
def test_a_plain_statement_in_each_interpreted_language_is_read_by_the_rules(text, tier):
    assert detect_by_rules(text).tier >= tier


@pytest.mark.parametrize(
    "text",
    [
        "我不想死",
        "想死你了",
        "加班加到想死哈哈哈",
        "je veux pas mourir",
        "mon boss va me tuer si je rends pas le dossier",
        "не хочу умереть",
        "죽고 싶지 않아",
        "trời nóng muốn chết luôn",
        "meu chefe vai me matar",
        "vou morrer de rir",
        "nakakamatay yung init dito",
        "هي الخدمة دي ببلاش ولا لازم تأمين؟ ف انتظار الرد",
    ],
)
def test_a_denial_or_an_idiom_in_an_interpreted_language_is_not_read_as_one(text):
    assert detect_by_rules(text).tier == 0


def test_a_chinese_statement_tells_whom_it_is_about():
    assert detect_by_rules("他说他想跳楼").third_party
    assert not detect_by_rules("我想跳楼").third_party


def test_a_crisis_line_is_named_by_its_name_not_by_the_word_crisis():
    assert detect_by_rules("whats the crisis line number").tier == 1
    assert detect_by_rules("is this the suicide one").tier == 1
    assert detect_by_rules("the housing crisis people face here is awful").tier == 0


def test_a_loss_lowers_only_what_is_said_of_someone_else():
    assert detect_by_rules("my mom passed and i want to die").tier == 1
    assert detect_by_rules("i lost my best friend to suicide").tier == 0


@pytest.mark.parametrize(
    ("text", "tier"),
    [
        ("took the pills n want to die", 2),
        ("i have a plan n wanna kill myself tonight", 2),
        ("k want to die", 1),
        ("tengo las pastillas pa matarme", 2),
        ("whats the hotline hours", 0),
        ("i took 233 pills and i want to die", 2),
        ("my address is 3114 oak street, room 188, call 1393 for the office", 0),
    ],
)
def test_the_other_languages_words_neither_deny_nor_raise_english_and_spanish(text, tier):
    """French "n", Vietnamese "k", Haitian "pa" or a Tagalog "hotline" are English and Spanish
    texting too ("n" for and, "k" for ok, "pa" for para), and a country's crisis number (3114,
    188, 1393) is a house number: the lexicons of the languages the line does not speak share
    one phrase set with the line's, so they hold no such word."""
    assert detect_by_rules(text).tier == tier


@pytest.mark.parametrize(
    "text", ["there is no reason to live", "no quiero vivir", "yo quiero morir"]
)
def test_the_other_languages_pronouns_never_make_the_texter_someone_else(text):
    """Vietnamese "nó" folds to "no" and Haitian "yo" is Spanish "yo": whom a statement is about
    is read in one set of words for all the languages, so it holds neither."""
    found = detect_by_rules(text)
    assert found.tier == 1
    assert not found.third_party
