"""Which language a message is in: the line's own, or one it does not speak (issue 15)."""

from __future__ import annotations

from pathlib import Path

import pytest

from warmline.crisis import detect
from warmline.crisis.language import INTERPRETED, identify, letters
from warmline.crisis.report import read_examples

DATA = Path(__file__).parent / "data"

WRITTEN = {
    "zh": "我最近压力很大，晚上总是睡不着，想找个人聊聊",  # noqa: RUF001 (Chinese commas)
    "tl": "Pagod na pagod na ako sa trabaho at wala akong makausap dito",
    "vi": "Dạo này tôi rất buồn và không biết nói chuyện với ai",
    "ar": "أشعر بالوحدة منذ أن انتقلت إلى هنا ولا أعرف أحدا",
    "fr": "Je me sens seul depuis des semaines et personne ne m'écoute",
    "ko": "요즘 너무 외롭고 아무하고도 이야기를 못 하고 있어요",
    "ru": "Мне очень одиноко в последнее время, не с кем поговорить",  # noqa: RUF001 (Cyrillic)
    "ht": "Mwen santi m poukont mwen depi m rive isit la, mwen pa gen pèsonn pou m pale",
    "pt": "Tenho me sentido muito sozinha desde que cheguei aqui",
}


@pytest.mark.parametrize("language", INTERPRETED)
def test_each_language_the_line_does_not_speak_is_identified(language):
    assert identify(WRITTEN[language]) == language
    assert detect(WRITTEN[language]).language == language


def test_english_and_spanish_stay_the_lines_in_the_whole_development_set():
    examples = [e for name in ("messages.tsv", "holdout.tsv") for e in read_examples(DATA / name)]
    assert {detect(e.text).language for e in examples} <= {"en", "es", "und"}


@pytest.mark.parametrize(
    "text", ["ok", "hi", "merci", "obrigado", "спасибо", "谢谢你", "ok lol", "988", "Marie-Claire"]
)
def test_a_text_too_short_to_tell_is_never_guessed(text):
    assert identify(text) is None


def test_a_hint_of_the_lines_language_wins():
    assert detect(WRITTEN["pt"], "es-MX").language == "es"


def test_text_cld2_cannot_read_is_left_to_the_lines_languages():
    assert identify("je me sens seule \ud800 depuis des semaines") is None


def test_a_chinese_character_counts_as_several_letters():
    assert letters("想找人聊聊") == 15 and letters("ok, 12!") == 2
