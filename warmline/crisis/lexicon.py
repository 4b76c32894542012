"""Load the crisis lexicons (data in config/crisis) and match their phrases against tokens."""

from __future__ import annotations

import re
import threading
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import yaml

from warmline.crisis.normalise import EMOJI, HAN, Token, fold, spellings, squeeze
from warmline.sentences import N_, Refused

# The line's languages, and the languages most spoken in the US after them (issue 15), whose
# texters are told how to reach 988 with an interpreter (language.py); each has a lexicon.
LANGUAGES = ("en", "es")
INTERPRETED = ("zh", "tl", "vi", "ar", "fr", "ko", "ru", "ht", "pt")
_PIECE = re.compile(rf"[{EMOJI}]|[{HAN}]|(?:(?![{HAN}])[\w$@*<>])+")
_HAN = re.compile(f"[{HAN}]")
_MACRO = re.compile(r"\{(\w+)\}")
_GROUP = re.compile(r"\(([^()]*)\)")
# Misspellings are only guessed for words long enough that one slip cannot make another word.
_FUZZY_MIN = 6
_FUZZY_TWO = 9


@dataclass(frozen=True, slots=True)
class Category:
    """How much one kind of signal weighs, and which rules may lower it."""

    name: str
    tier: int
    lowered_by: frozenset[str]
    # A first-person method or means statement is never lowered by any rule.
    protects_first_person: bool
    # Whether a misspelling may be read as one of this category's words.
    fuzzy: bool


@dataclass(frozen=True, slots=True)
class Slot:
    """One position of a phrase: a set of words, word prefixes, or a gap of up to `gap` tokens."""

    words: frozenset[str] = frozenset()
    prefixes: tuple[str, ...] = ()
    gap: int = 0

    def accepts(self, forms: frozenset[str]) -> bool:
        """Tell whether a token with these spellings fills this slot."""
        if not forms.isdisjoint(self.words):
            return True
        return any(form.startswith(prefix) for prefix in self.prefixes for form in forms)


@dataclass(frozen=True, slots=True)
class Phrase:
    """A lexicon entry: its kind (a category or a rule), the term as written, and its slots."""

    kind: str
    term: str
    slots: tuple[Slot, ...]


@dataclass(frozen=True, slots=True)
class Hit:
    """A phrase found in a message, from token `start` up to (not including) `end`."""

    kind: str
    label: str
    start: int
    end: int


def expand_term(term: str, macros: Mapping[str, str]) -> list[str]:
    """Expand multi-word (a b|c) choices, then {macros}, into terms of one-word choices."""
    for group in _GROUP.finditer(term):
        options = group.group(1).split("|")
        if any(not o.strip() or " " in o.strip() or _several_han(o.strip()) for o in options):
            head, tail = term[: group.start()], term[group.end() :]
            return [t for o in options for t in expand_term(f"{head} {o} {tail}", macros)]
    return [" ".join(_MACRO.sub(lambda m: _expand(m, macros), term).split())]


def _several_han(option: str) -> bool:
    """Tell whether a choice is Chinese of more than one character: several tokens, not one."""
    return len(option) > 1 and _HAN.search(option) is not None


def parse_term(term: str) -> tuple[Slot, ...]:
    """Compile an expanded term: words, (a|b) choices, prefix*, ~N gaps."""
    slots: list[Slot] = []
    for piece in fold(term).split():
        if piece.startswith("~"):
            slots.append(Slot(gap=int(piece[1:] or 2)))
        elif piece.startswith("(") and piece.endswith(")") and piece.count("(") == 1:
            slots.append(_choice(piece[1:-1].split("|")))
        elif "(" in piece or ")" in piece:
            raise Refused(N_("a choice must be a whole word group: %(term)r"), term=term)
        else:
            slots.extend(_choice([word]) for word in _PIECE.findall(piece))
    if not slots or slots[0].gap or slots[-1].gap:
        raise Refused(N_("a term must start and end with a word: %(term)r"), term=term)
    return tuple(slots)


def _expand(macro: re.Match, macros: Mapping[str, str]) -> str:
    """Return a macro's choices, bare when it already sits inside a choice: "({self}|it)"."""
    name, text = macro.group(1), macro.string
    if name not in macros:
        raise Refused(N_("unknown macro {%(name)s}"), name=name)
    body = macros[name]
    before, after = text[macro.start() - 1 : macro.start()], text[macro.end() : macro.end() + 1]
    inside = before in ("(", "|") or after in ("|", ")")
    return body[1:-1] if inside and body.startswith("(") and body.endswith(")") else body


def _choice(options: Iterable[str]) -> Slot:
    """Build a slot accepting any of these words; a trailing * makes a prefix."""
    words = {o for o in options if o and not o.endswith("*")}
    prefixes = tuple(o[:-1] for o in options if len(o) > 3 and o.endswith("*"))
    return Slot(words=frozenset(words), prefixes=prefixes)


@dataclass
class PhraseSet:
    """Phrases indexed by their first slot, so a message is matched in one pass."""

    by_word: dict[str, list[Phrase]] = field(default_factory=lambda: defaultdict(list))
    by_prefix: dict[str, list[Phrase]] = field(default_factory=lambda: defaultdict(list))

    def add(self, phrase: Phrase) -> None:
        """Index a phrase under every word or prefix its first slot accepts."""
        first = phrase.slots[0]
        for word in first.words:
            self.by_word[word].append(phrase)
        for prefix in first.prefixes:
            self.by_prefix[prefix].append(phrase)

    def vocabulary(self) -> set[str]:
        """Return every literal word any phrase uses."""
        phrases = {id(p): p for group in self.by_word.values() for p in group}
        phrases.update({id(p): p for group in self.by_prefix.values() for p in group})
        return {word for p in phrases.values() for slot in p.slots for word in slot.words}

    def match(self, tokens: Sequence[Token]) -> list[Hit]:
        """Find every phrase in the tokens; each hit stays inside one sentence."""
        hits: list[Hit] = []
        for start, token in enumerate(tokens):
            for phrase in self._starting_with(token.forms):
                rest = _match_slots(phrase.slots, 1, tokens, start + 1, token.sentence)
                if rest is not None:
                    path = (start, *rest)
                    label = _label(phrase.slots, path, tokens)
                    hits.append(Hit(phrase.kind, label, start, path[-1] + 1))
        return hits

    def _starting_with(self, forms: frozenset[str]) -> list[Phrase]:
        """Return the phrases whose first slot a token with these spellings fills."""
        found: dict[int, Phrase] = {}
        for form in forms:
            for phrase in self.by_word.get(form, ()):
                found[id(phrase)] = phrase
            if self.by_prefix:
                for size in range(3, len(form) + 1):
                    for phrase in self.by_prefix.get(form[:size], ()):
                        found[id(phrase)] = phrase
        return list(found.values())


def _match_slots(
    slots: tuple[Slot, ...], index: int, tokens: Sequence[Token], at: int, sentence: int
) -> tuple[int, ...] | None:
    """Match slots[index:] from token `at`; return the token filling each word slot, or None."""
    if index == len(slots):
        return ()
    slot = slots[index]
    if slot.gap:
        for skip in range(slot.gap + 1):
            path = _match_slots(slots, index + 1, tokens, at + skip, sentence)
            if path is not None:
                return path
        return None
    if at < len(tokens) and tokens[at].sentence == sentence and slot.accepts(tokens[at].forms):
        rest = _match_slots(slots, index + 1, tokens, at + 1, sentence)
        return None if rest is None else (at, *rest)
    return None


def _label(slots: tuple[Slot, ...], path: tuple[int, ...], tokens: Sequence[Token]) -> str:
    """Name a hit by the lexicon's own words, never by what the texter typed."""
    words = [slot for slot in slots if not slot.gap]
    names = []
    for slot, at in zip(words, path, strict=True):
        exact = sorted(slot.words & tokens[at].forms)
        names.append(exact[0] if exact else f"{slot.prefixes[0]}*")
    return " ".join(names)


def deletions(word: str, depth: int) -> set[str]:
    """Return the word with up to `depth` letters deleted, itself included."""
    found = {word}
    frontier = {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))}
        found |= frontier
    return found


def distance(a: str, b: str) -> int:
    """Count edits (insert, delete, substitute, swap neighbours) between two words."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            cost = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cost = min(cost, previous2[j - 2] + 1)
            current.append(cost)
        previous2, previous = previous, current
    return previous[-1]


class Fuzzy:
    """Guess which long lexicon word a misspelt whole token stands for (never a substring)."""

    def __init__(self, vocabulary: Iterable[str], known: Iterable[str]) -> None:
        self.known = frozenset(known)
        self.index: dict[str, set[str]] = defaultdict(set)
        for word in vocabulary:
            if len(word) >= _FUZZY_MIN and word.isalpha():
                for variant in deletions(word, _allowed(len(word))):
                    self.index[variant].add(word)

    def __call__(self, word: str) -> set[str]:
        """Return the lexicon words within the allowed edit distance of this token."""
        if len(word) < _FUZZY_MIN - 1 or not word.isalpha() or word in self.known:
            return set()
        candidates: set[str] = set()
        for variant in deletions(word, _allowed(len(word) + 1)):
            candidates |= self.index.get(variant, set())
        # A slip rarely hits the first letter, and requiring it keeps "banging" from "hanging".
        return {
            w
            for w in candidates
            if w[0] == word[0] and distance(word, w) <= min(_allowed(len(w)), _allowed(len(word)))
        }


def _allowed(length: int) -> int:
    """Return how many edits a word of this length may carry and still be recognised."""
    if length >= _FUZZY_TWO:
        return 2
    return 1 if length >= _FUZZY_MIN - 1 else 0


@dataclass(frozen=True)
class Lexicon:
    """Everything the detector knows, for all languages, built once."""

    categories: Mapping[str, Category]
    phrases: PhraseSet
    rules: frozenset[str]
    stopwords: Mapping[str, frozenset[str]]
    first_person: frozenset[str]
    possessive: frozenset[str]
    third_person: frozenset[str]
    scope_breaks: frozenset[str]
    macros: Mapping[str, str]
    resolve: object = field(repr=False, compare=False)


def build(documents: Mapping[str, Mapping], shared: Mapping) -> Lexicon:
    """Build a lexicon from the parsed yml of each language and the shared category file."""
    categories = {
        name: Category(
            name,
            spec["tier"],
            frozenset(spec.get("lowered_by", ())),
            spec.get("protects_first_person", False),
            spec.get("fuzzy", True),
        )
        for name, spec in shared["categories"].items()
    }
    rules = frozenset(shared["rules"])
    phrases = PhraseSet()
    rule_phrases = PhraseSet()
    macros: dict[str, str] = {}
    stopwords, corrections, known, guessable = {}, {}, set(), set()
    first, third, breaks, possessive = set(), set(), set(), set()
    for language, doc in documents.items():
        macros.update(doc.get("macros", {}))
        for kind, terms in doc["terms"].items():
            if kind not in categories:
                raise ValueError(f"{language}: unknown category {kind!r}")
            words = _add_terms(phrases, kind, terms, macros)
            # Misspellings are guessed in the line's languages alone: in another, one slip makes
            # another word too often ("انتظار", waiting, is one letter from "انتحار"); the
            # model's character n-grams read its typos.
            if categories[kind].fuzzy and language in LANGUAGES:
                guessable |= words
        for kind, terms in doc.get("rules", {}).items():
            if kind not in rules:
                raise ValueError(f"{language}: unknown rule {kind!r}")
            _add_terms(rule_phrases, kind, terms, macros)
        stopwords[language] = frozenset(fold(w) for w in doc.get("stopwords", ()))
        corrections.update({fold(k): fold(v) for k, v in doc.get("spellings", {}).items()})
        known |= {fold(w) for w in doc.get("ordinary", ())}
        subjects = doc.get("subjects", {})
        first |= {fold(w) for w in subjects.get("first", ())}
        third |= {fold(w) for w in subjects.get("third", ())}
        breaks |= {fold(w) for w in subjects.get("breaks", ())}
        possessive |= {fold(w) for w in subjects.get("possessive", ())}
    vocabulary = phrases.vocabulary()
    everyday = known | set().union(*stopwords.values()) | first | third
    fuzzy = Fuzzy(guessable, vocabulary | everyday | rule_phrases.vocabulary())
    for phrase in _all(rule_phrases):
        phrases.add(phrase)
    return Lexicon(
        categories=categories,
        phrases=phrases,
        rules=rules,
        stopwords=stopwords,
        first_person=frozenset(first),
        possessive=frozenset(possessive),
        third_person=frozenset(third),
        scope_breaks=frozenset(breaks),
        macros=macros,
        resolve=_resolver(vocabulary, everyday, corrections, fuzzy),
    )


def _add_terms(
    phrases: PhraseSet, kind: str, terms: Iterable, macros: Mapping[str, str]
) -> set[str]:
    """Compile terms of one kind into a phrase set; return the words they use."""
    words: set[str] = set()
    for term in terms:
        for variant in expand_term(str(term), macros):
            slots = parse_term(variant)
            phrases.add(Phrase(kind, str(term), slots))
            words |= {word for slot in slots for word in slot.words}
    return words


def _all(phrases: PhraseSet) -> list[Phrase]:
    """List each phrase of a set once."""
    seen = {id(p): p for group in phrases.by_word.values() for p in group}
    seen.update({id(p): p for group in phrases.by_prefix.values() for p in group})
    return list(seen.values())


def _resolver(vocabulary: set[str], everyday: set[str], corrections: dict, fuzzy: Fuzzy):
    """Make the cached function that lists every word a typed token may stand for."""
    settled = frozenset(vocabulary | everyday)

    @lru_cache(maxsize=65536)
    def resolve(word: str) -> frozenset[str]:
        forms = spellings(word)
        for form in list(forms):
            if form in settled:
                continue
            if form in corrections:
                forms.add(corrections[form])
            elif squeeze(form) in vocabulary:
                # "diee", "pillss": a doubled letter is emphasis, not a new word.
                forms.add(squeeze(form))
            else:
                forms |= fuzzy(form)
        return frozenset(forms)

    return resolve


_lock = threading.Lock()
_loaded: list[Lexicon] = []


def _read(name: str) -> dict:
    """Parse one yml file of config/crisis."""
    path = resources.files("config").joinpath("crisis", name)
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def lexicon() -> Lexicon:
    """Return the lexicon, loading config/crisis on first use (once, even across threads)."""
    if not _loaded:
        with _lock:
            if not _loaded:
                languages = (*LANGUAGES, *INTERPRETED)
                documents = {language: _read(f"{language}.yml") for language in languages}
                _loaded.append(build(documents, _read("categories.yml")))
    return _loaded[0]


@lru_cache(maxsize=256)
def line_phrases(extra: tuple[tuple[str, tuple[str, ...]], ...]) -> PhraseSet:
    """Compile a line's own terms (category -> terms) once per distinct set."""
    known = lexicon()
    phrases = PhraseSet()
    for kind, terms in extra:
        if kind not in known.categories:
            raise Refused(
                N_("unknown crisis category %(kind)r; use %(kinds)s"),
                kind=kind,
                kinds=", ".join(sorted(known.categories)),
            )
        _add_terms(phrases, kind, terms, known.macros)
    return phrases
