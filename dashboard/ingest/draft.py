"""Propose incidents from the text of an urgent appeal or a news report.

Why rules and not a language model: the output is a *draft* that a
documentalist checks before anything enters the case store, so what matters is
that every proposed value can be traced to the sentence it came from
(``evidence``) and that the same text always gives the same draft. Keyword
tables can be read, argued about and extended by the people who code cases;
they also run offline, which matters for groups that cannot send confidential
appeals to a third-party service.

How a text becomes incidents:

1. Lines become paragraphs and headings; paragraphs become sentences.
   Repeated sentences are dropped (appeal pages repeat their summary), a
   sentence that opens with the publisher's name ("Front Line Defenders
   condemns ...") is commentary and ends the current event, and the
   recommendations ("... urges the authorities ...") end the text.
2. Date phrases are found with regular expressions and parsed with
   :func:`parse_date`. ``dateparser.search.search_dates`` was tried on the
   Feminita appeal and read "1500 messages" as the year 1500, "at 11 am" as a
   date and "9 October" as 9 October of the current year. A missing year is
   taken from the last date seen in the text. A dated
   sentence opens (or continues) the event of its year and month; undated
   sentences belong to the event before them; a heading ends it. A bare year
   ("founded in 2015") only opens an event in a sentence that also reports a
   violation, since background years are common in profiles.
3. Each event with at least one violation and a country becomes one
   :class:`DraftIncident`: its violations, perpetrators, place and country
   come from its own sentences (the country falls back to the one the whole
   text names most); defenders and organisations are found in the whole text
   and listed for the events whose sentences mention them (a defender also by
   surname).

Perpetrators are only read from sentences that report a violation or an
attack ("two gunmen fired at him"), and an actor that something is reported
*to* ("reported the attack to the police") is not a perpetrator. The extractor will miss things and sometimes add one;
that is the price of a transparent draft, and the reviewer sees the evidence.
"""
from __future__ import annotations

import datetime as dt
import functools
import json
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from dashboard.ingest.countries import country_table, to_iso3
from dashboard.ingest.dates import DateParseError, ParsedDate, parse_date

__all__ = ["CITY_COUNTRIES", "PUBLISHERS", "DraftIncident", "draft_incidents", "draft_to_dict"]

# --- vocabularies -------------------------------------------------------------

PUBLISHERS: Final[tuple[str, ...]] = (
    "Front Line Defenders", "Frontline Defenders", "Amnesty International",
    "Human Rights Watch", "Committee to Protect Journalists", "Reporters Without Borders",
    "FIDH", "OMCT", "Business & Human Rights Resource Centre", "Global Witness",
)

# Well-known cities, for the place of an event and (through it) its country.
CITY_COUNTRIES: Final[dict[str, str]] = {
    "Almaty": "KAZ", "Shymkent": "KAZ", "Astana": "KAZ", "Karaganda": "KAZ",
    "Bishkek": "KGZ", "Osh": "KGZ", "Tashkent": "UZB", "Samarkand": "UZB",
    "Dushanbe": "TJK", "Khujand": "TJK", "Ashgabat": "TKM",
    "Moscow": "RUS", "Saint Petersburg": "RUS", "Kyiv": "UKR", "Kharkiv": "UKR",
    "Minsk": "BLR", "Tbilisi": "GEO", "Baku": "AZE", "Yerevan": "ARM",
    "Istanbul": "TUR", "Ankara": "TUR", "Diyarbakır": "TUR",
    "Cairo": "EGY", "Tunis": "TUN", "Algiers": "DZA", "Rabat": "MAR",
    "Baghdad": "IRQ", "Damascus": "SYR", "Beirut": "LBN", "Gaza": "PSE",
    "Ramallah": "PSE", "Tehran": "IRN", "Kabul": "AFG",
    "Bogotá": "COL", "Medellín": "COL", "Cali": "COL", "Cúcuta": "COL", "Barranquilla": "COL",
    "Mexico City": "MEX", "Tijuana": "MEX", "Ciudad Juárez": "MEX", "Acapulco": "MEX",
    "Guatemala City": "GTM", "Tegucigalpa": "HND", "San Pedro Sula": "HND",
    "San Salvador": "SLV", "Managua": "NIC", "Port-au-Prince": "HTI",
    "Caracas": "VEN", "Quito": "ECU", "Lima": "PER", "La Paz": "BOL",
    "São Paulo": "BRA", "Rio de Janeiro": "BRA", "Belém": "BRA", "Brasília": "BRA",
    "Buenos Aires": "ARG",
    "Manila": "PHL", "Quezon City": "PHL", "Cebu": "PHL", "Davao": "PHL",
    "Jakarta": "IDN", "Bangkok": "THA", "Hanoi": "VNM", "Phnom Penh": "KHM",
    "Yangon": "MMR", "Dhaka": "BGD", "Kathmandu": "NPL", "New Delhi": "IND",
    "Mumbai": "IND", "Karachi": "PAK", "Lahore": "PAK", "Islamabad": "PAK",
    "Beijing": "CHN", "Hong Kong": "HKG",
    "Nairobi": "KEN", "Mombasa": "KEN", "Kampala": "UGA", "Harare": "ZWE",
    "Bulawayo": "ZWE", "Kinshasa": "COD", "Goma": "COD", "Kigali": "RWA",
    "Bujumbura": "BDI", "Dar es Salaam": "TZA", "Addis Ababa": "ETH",
    "Khartoum": "SDN", "Juba": "SSD", "Mogadishu": "SOM", "Lagos": "NGA",
    "Abuja": "NGA", "Johannesburg": "ZAF", "Cape Town": "ZAF",
}
# Other spellings of the cities above (old names, no accents) -> the name we show.
_CITY_SPELLINGS: Final[dict[str, str]] = {
    "Kiev": "Kyiv", "Nur-Sultan": "Astana", "St Petersburg": "Saint Petersburg",
    "St. Petersburg": "Saint Petersburg", "Rangoon": "Yangon", "Delhi": "New Delhi",
}

# Country names as news texts write them, beyond coco's short names; their
# codes come from to_iso3 so LEGACY_ALIASES stays the one place for rulings.
_COUNTRY_SPELLINGS: Final[tuple[str, ...]] = (
    "United States", "USA", "UK", "Britain", "Great Britain", "Russia", "Ivory Coast",
    "Côte d’Ivoire", "Democratic Republic of the Congo", "DRC", "Republic of Congo",
    "Republic of the Congo", "East Timor", "Turkey", "Czech Republic", "Macedonia",
    "Swaziland", "Burma", "Bosnia", "Bosnia and Herzegovina", "Palestine", "West Bank",
    "Gaza Strip", "Cape Verde", "Yugoslavia", "Serbia and Montenegro", "Soviet Union",
    "USSR", "Zaire", "Czechoslovakia", "Kyrgyz Republic", "South Korea", "North Korea",
)

_VIOLATIONS: Final[tuple[tuple[str, str], ...]] = (
    ("killing_targeted", r"\b(?:killed|murdered|shot dead|assassinated|asesinad[oa]s?|убит\w*)\b"),
    ("physical_attack", r"\bphysically attacked\b|\bbeaten\b|\bbeat (?:him|her|them|up)\b"
                        r"|\bassaulted\b|\bpunched\b|\bkicked\b|\bgolpead[oa]s?\b"),
    ("arbitrary_detention", r"\b(?:detained|arrested|detention|detenid[oa]s?)\b"),
    ("taken_to_police_station", r"\b(?:brought|bring|taken|take|took|escorted|driven)\b[^.]{0,150}?"
                                r"\bto\b[^.]{0,60}?\bpolice (?:precinct|station|department|headquarters)s?\b"),
    ("held_in_place", r"\brefused to let\b[^.]{0,80}?\bout\b|\bnot (?:allowed|permitted) to leave\b"
                      r"|\bprevented [^.]{0,40}?from leaving\b"),
    ("threats", r"\bthreat(?:s|ened|ening)?\b|\bamenaza(?:s|d[oa]s?)?\b|\bугроз\w*"),
    ("doxxing", r"\bdoxx?(?:ing|ed)\b|\bpublication of [^.]{0,80}?\b(?:phone number|home address)\b"
                r"|\bpublished [^.]{0,60}?\b(?:phone number|home address)\b"),
    ("filming_without_consent", r"\b(?:filmed|filming|photographed|recorded)\b[^.]{0,150}?"
                                r"\bwithout (?:their|his|her) (?:consent|permission)\b"),
    ("recording_of_id_documents", r"\bphotographed (?:their|his|her) (?:ID|identity)\b"
                                  r"|\b(?:photographed|copied|recorded) [^.]{0,40}?"
                                  r"\b(?:ID|identity) (?:documents|cards|papers)\b"),
    ("event_disruption", r"\bdisrupt(?:s|ed|ing|ion)?\b|\bbroke up\b"),
    ("denial_of_venue", r"\bvenue\b[^.]{0,120}?\brefus(?:ed|e|al)\b"
                        r"|\bcancell?ed (?:the|their|its) (?:booking|reservation)\b"),
    ("ban_request", r"\bban\b[^.]{0,150}?\bextremis[tm]\b|\bextremis[tm]\b[^.]{0,150}?\bban\b"),
    ("defamation", r"\bdefamat(?:ory|ion)\b|\bsmear(?:ed| campaign)\b"),
    ("verbal_abuse", r"\bverbally (?:and physically )?(?:attacked|abused|insulted|harassed)\b"
                     r"|\bshouted (?:offensive|insults|abuse|slurs)\b|\binsulted\b"),
    ("criminal_charges", r"\bcharged (?:\w+ )?with\b|\bindicted\b|\bcriminal (?:charges?|case)\b|\bprosecuted for\b"),
    ("kidnapping", r"\b(?:abducted|kidnapped|abduction|kidnapping|secuestrad[oa]s?|похищен\w*)\b"),
    ("enforced_disappearance", r"\b(?:disappeared|enforced disappearance|desaparecid[oa]s?)\b"),
    ("torture", r"\btortur(?:ed|e|ing)\b"),
)

# Order matters only for naming: the first pattern of a type names the actor.
_ACTORS: Final[tuple[tuple[str, str], ...]] = (
    ("anti_rights_group", r"\bparents[’']? union\b|\banti-gender\b|\banti-rights\b|\bpro-family\b|\banti-LGBT\w*"),
    ("police", r"\bpolice(?!\s+(?:precincts?|stations?))(?:\s+officers?|\s+officials?)?\b"
               r"|\bpolice(?:wo)?m[ae]n\b|\bpolicías?\b"),
    ("military", r"\bsoldiers?\b|\barmy\b|\bmilitary\b|\btroops\b|\bsoldados\b|\bejército\b"),
    ("legislature", r"\brepresentatives?\b[^.]{0,80}?\bto the\b[^.]{0,40}?\bparliament\b"
                    r"|\brepresentatives? of the parliament\b|\bmembers? of (?:the )?parliament\b"
                    r"|\bdeput(?:y|ies)\b|\bparliamentarians?\b|\bsenators?\b"),
    ("local_government", r"\bakimat\b|\bmayor[’']?s office\b|\bmunicipality\b|\blocal (?:government|authorities)\b"
                         r"|\bcity hall\b|\balcald[ií]a\b"),
    ("judiciary", r"\bprosecutors?\b|\bcourts?\b|\bjudges?\b|\bmagistrates?\b|\bfiscal[ií]a\b"),
    ("private_individuals", r"\b(?:unknown|unidentified) (?:male |female )?(?:individuals|persons|people|men|women"
                            r"|assailants|attackers)\b|\bdesconocidos\b"),
    ("armed_group", r"\barmed (?:men|group|groups|individuals)\b|\bgunm[ae]n\b|\bhombres armados\b"),
    ("paramilitary", r"\bparamilitar(?:y|ies|es)\b"),
    ("organised_crime", r"\bcartels?\b|\bgangs?\b|\bcriminal (?:groups?|gangs?|organi[sz]ations?)\b"
                        r"|\bdrug traffickers?\b"),
    ("company", r"\bcompan(?:y|ies)\b|\bcorporations?\b|\bempresas?\b"
                r"|\b(?P<actor>venue)\b[^.]{0,120}?\brefus(?:ed|e)\b"),
)
# Only these types can be read from an organisation's own name ("Kazakhstan
# Parents Union"); a "Police Reform Network" is not the police.
_NAMED_ACTOR_TYPES: Final = frozenset(
    {"anti_rights_group", "organised_crime", "armed_group", "paramilitary", "company"}
)

_LABELS: Final[dict[str, str]] = {code: code.replace("_", " ") for code, _ in _VIOLATIONS} | {
    "killing_targeted": "killing",
    "taken_to_police_station": "taken to a police station",
}

_DEFENDER_TRIGGER: Final = (
    r"(?:women |woman )?human rights defenders?|defenders?|activists?|journalists?|reporters?"
    r"|co-?founders?|founders?|leaders?|trade unionists?|unionists?|lawyers?"
    r"|líder(?:es)? social(?:es)?|lideresas? social(?:es)?|periodistas?|activistas?|sindicalistas?"
    r"|defensor(?:a|es|as)? de (?:los )?derechos humanos"
)

# --- regular expressions ------------------------------------------------------

def _letters(predicate: Callable[[str], bool]) -> str:
    """Latin (with accents) and Cyrillic letters passing ``predicate``, for a regex class."""
    ranges = list(range(0x41, 0x250)) + list(range(0x400, 0x500))
    return "".join(re.escape(chr(c)) for c in ranges if chr(c).isalpha() and predicate(chr(c)))


_UPPER: Final = _letters(str.isupper)
_LOWER: Final = _letters(str.islower)
_NAME_WORD: Final = rf"[{_UPPER}][{_LOWER}]*(?:['’\-][{_UPPER}]?[{_LOWER}]+)*"
_NAME_RUN = re.compile(rf"{_NAME_WORD}(?:\s+{_NAME_WORD})*")
_LIST_GLUE = re.compile(r"\s*(?:,\s*and|,|and|y)\s*")
_TRIGGER_BEFORE = re.compile(rf"(?:{_DEFENDER_TRIGGER})\s*,?\s*$", re.IGNORECASE)
_TRIGGER_AFTER = re.compile(
    rf"^\s*(?:,\s*(?:who (?:is|was|are|were)\s+)?|\s+(?:is|was|are|were)\s+)(?:a|an|the|one of the)?\s*"
    rf"(?:[\w\-]+\s+){{0,4}}?(?:{_DEFENDER_TRIGGER})\b",
    re.IGNORECASE,
)
_QUOTED = re.compile(r"[“\"]([^“”\"]{2,80})[”\"]")
_ORG_KEYWORD = re.compile(
    rf"\b(?:organi[sz]ation|initiative|group|collective|network|association|coalition|foundation|movement)"
    rf"\s+[“\"]?({_NAME_WORD}(?:\s+{_NAME_WORD}){{0,3}})"
)
_ORG_CONNECTORS: Final = frozenset({"of", "for", "and", "the", "de", "del", "la", "los", "las", "y", "in", "on", "&"})
# Words that show a capitalised run is an institution or a place, not a person.
_NOT_PERSON: Final = frozenset(
    "district police precinct station union initiative party office parliament ministry court front line "
    "defenders human rights council committee association network coalition foundation movement federation "
    "alliance centre center institute university government general prosecutor republic province region city "
    "street avenue news radio television newspaper agency army forces department company corporation group "
    "club church school hospital day appeal urgent article code constitution international national united "
    "nations amnesty watch kurultai lesbian feminist women woman".split()
)
_ABBREVIATIONS: Final = frozenset(
    "mr mrs ms dr st no vs etc e.g i.e gen col lt sgt jr sr prof rev gov sen rep mt inc ltd co corp "
    "u.s u.k a.m p.m approx art".split()
)
_SENTENCE_END = re.compile(r"[.!?…][\"”’)]*\s+(?=[\"“‘(]?[0-9" + _UPPER + r"])")
_RECIPIENT = re.compile(
    r"\b(?:to|with|called|contacted|alerted|notified|asked|asking|petitioned|before)\s+(?:the\s+)?"
    r"(?:local\s+|nearest\s+)?$",
    re.IGNORECASE,
)
_STOP = re.compile(r"\b(?:urges?|urged|calls? (?:on|upon)|called (?:on|upon))\b[^.]*\b(?:authorities|government)\b",
                   re.IGNORECASE)
# Attack verbs that are not violations by themselves but name the attacker
# ("Witnesses said that two gunmen fired at him").
_ATTACK = re.compile(r"\b(?:fired (?:at|on)|shot at|opened fire|attacked|stabbed|raided|ambushed)\b", re.IGNORECASE)
_POSSESSIVE = re.compile(r"['’]s$")
_TRIGGER_WORD = re.compile(_DEFENDER_TRIGGER, re.IGNORECASE)
_LEADING_WORDS: Final = frozenset(
    "the a an on in at after before when while during since following according by for from of with as "
    "and but if this that these those el la los las en".split()
)

# English month names, fixed (calendar.month_name follows the process locale).
_MONTH_NAMES: Final = ("", "January", "February", "March", "April", "May", "June", "July", "August",
                       "September", "October", "November", "December")
_MONTHS_EN: Final = "|".join(_MONTH_NAMES[1:]) + "|Sept"
_MONTHS_ES: Final = "enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre|noviembre|diciembre"
_YEAR: Final = r"(?:19|20)[0-9]{2}"
# Most specific first; a later pattern never takes text an earlier one matched.
_DATE_PATTERNS: Final[tuple[re.Pattern[str], ...]] = (
    re.compile(rf"\b{_YEAR}-[0-9]{{2}}-[0-9]{{2}}\b"),
    re.compile(rf"\b[0-9]{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTHS_EN})\b,?\s+{_YEAR}\b"),
    re.compile(rf"\b(?:{_MONTHS_EN})\s+[0-9]{{1,2}}(?:st|nd|rd|th)?,?\s+{_YEAR}\b"),
    re.compile(rf"\b[0-9]{{1,2}}\s+de\s+(?:{_MONTHS_ES})(?:\s+(?:de|del)\s+{_YEAR})?\b", re.IGNORECASE),
    re.compile(rf"\b(?:{_MONTHS_EN})\s+(?:of\s+)?{_YEAR}\b|\b(?:{_MONTHS_ES})\s+de\s+{_YEAR}\b"),
    re.compile(rf"\b[0-9]{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTHS_EN})\b"),
    re.compile(rf"\b(?:{_MONTHS_EN})\s+[0-9]{{1,2}}(?:st|nd|rd|th)?\b(?![0-9])"),
    re.compile(rf"(?i:\b(?:in|during|early|mid|late|throughout|en)\b)[\s-]+(?:the\s+)?{_YEAR}\b"),
)
_HAS_YEAR = re.compile(rf"\b{_YEAR}\b")
_QUALIFIER = re.compile(r"^(?i:in|during|early|mid|late|throughout|en)[\s-]+(?:the\s+)?")

# --- small data types ---------------------------------------------------------


@dataclass
class DraftIncident:
    """One proposed incident, with the sentence behind each value in ``evidence``.

    ``evidence`` maps a field name ("place", "start_date") or a field and item
    ("violations:doxxing", "defenders:Zhanar Sekerbayeva") to the sentence that
    gave it, so a reviewer can accept or reject each value on sight.
    """

    start_date: dt.date | None
    end_date: dt.date | None
    date_precision: str
    country_code: str | None
    place: str | None
    organisations: list[str] = field(default_factory=list)
    defenders: list[str] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    perpetrators: list[tuple[str, str]] = field(default_factory=list)
    title: str = ""
    evidence: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class _Sentence:
    """A unit of text: a sentence, a heading, or a reset (publisher commentary)."""

    text: str
    kind: str  # "text", "heading" or "reset"


@dataclass(frozen=True)
class _Mention:
    """A date found in a sentence, already parsed."""

    date: ParsedDate
    sentence: str

    @property
    def key(self) -> tuple[int, int | None]:
        """The event a mention belongs to: its year and, unless year-precise, month."""
        assert self.date.start is not None
        month = None if self.date.precision == "year" else self.date.start.month
        return self.date.start.year, month


@dataclass
class _Event:
    """Sentences grouped under one (year, month) while reading the text."""

    key: tuple[int, int | None]
    sentences: list[str] = field(default_factory=list)
    mentions: list[_Mention] = field(default_factory=list)


@dataclass(frozen=True)
class _Document:
    """What is known from the whole text, used by every event."""

    organisations: tuple[str, ...]
    named_actors: dict[str, str]
    defenders: tuple[str, ...]
    country: tuple[str, str] | None  # (code, sentence)


# --- reading the text ---------------------------------------------------------

def _is_heading(line: str) -> bool:
    """Short lines without closing punctuation are titles, datelines and section names."""
    return len(line.split()) <= 10 and not re.search(r"[.!?:;\"”’)]$", line)


def _paragraphs(text: str) -> list[tuple[str, bool]]:
    """(paragraph, is_heading) pairs; wrapped lines of one paragraph are joined."""
    result: list[tuple[str, bool]] = []
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n")):
        current: list[str] = []
        for line in (ln.strip() for ln in block.split("\n")):
            if not line:
                continue
            if _is_heading(line) and not current:
                result.append((line, True))
            else:
                current.append(line)
        if current:
            result.append((" ".join(current), False))
    return result


def _split_sentences(paragraph: str) -> list[str]:
    """Split at ., ! or ? before a capital, except after common abbreviations and initials."""
    sentences, start = [], 0
    for match in _SENTENCE_END.finditer(paragraph):
        before = paragraph[start:match.start() + 1].split()[-1].rstrip(".!?…").lower()
        if before in _ABBREVIATIONS or (len(before) == 1 and before.isalpha()):
            continue
        sentences.append(paragraph[start:match.end()].strip())
        start = match.end()
    sentences.append(paragraph[start:].strip())
    return [s for s in sentences if s]


def _segments(text: str, publishers: Sequence[str]) -> list[_Sentence]:
    """The text as a stream of sentences, headings and resets, up to the recommendations."""
    stream: list[_Sentence] = []
    seen: set[str] = set()
    for paragraph, heading in _paragraphs(text):
        if heading:
            stream.append(_Sentence(paragraph, "heading"))
            continue
        for sentence in _split_sentences(paragraph):
            if any(sentence.startswith(name) for name in publishers):
                if _STOP.search(sentence):
                    return stream
                stream.append(_Sentence(sentence, "reset"))
            elif sentence not in seen:
                seen.add(sentence)
                stream.append(_Sentence(sentence, "text"))
    return stream


# --- dates --------------------------------------------------------------------

def _date_spans(sentence: str) -> list[tuple[int, str]]:
    """Date-like phrases in a sentence with their positions, without overlaps."""
    taken: list[tuple[int, int]] = []
    found: list[tuple[int, str]] = []
    for pattern in _DATE_PATTERNS:
        for match in pattern.finditer(sentence):
            if any(match.start() < end and start < match.end() for start, end in taken):
                continue
            taken.append(match.span())
            found.append((match.start(), match.group(0)))
    return sorted(found)


def _parse_mention(phrase: str, year: int | None) -> ParsedDate | None:
    """Parse one phrase, borrowing the text's current year when the phrase has none."""
    phrase = _QUALIFIER.sub("", phrase)
    if not _HAS_YEAR.search(phrase):
        if year is None:
            return None
        phrase = f"{phrase} {year}"
    try:
        parsed = parse_date(phrase)
    except DateParseError:
        return None
    if parsed.start is None or not 1990 <= parsed.start.year <= 2030:
        return None
    return parsed


def _mentions(sentence: str, year: int | None) -> list[_Mention]:
    """All dates in a sentence (years 1990-2030 only)."""
    result = []
    for _, phrase in _date_spans(sentence):
        parsed = _parse_mention(phrase, year)
        if parsed is not None:
            result.append(_Mention(parsed, sentence))
            year = parsed.start.year if parsed.start else year
    return result


def _opens_event(mentions: list[_Mention], sentence: str) -> bool:
    """A day or month opens an event; a bare year only next to a violation."""
    first = mentions[0].date
    return first.precision != "year" or bool(_violations([sentence]))


def _events(stream: list[_Sentence]) -> list[_Event]:
    """Group sentences into events by the (year, month) of the last date seen."""
    events: dict[tuple[int, int | None], _Event] = {}
    current: _Event | None = None
    year: int | None = None
    for item in stream:
        found = _mentions(item.text, year)
        if found and found[-1].date.start:
            year = found[-1].date.start.year
        if item.kind != "text":
            current = None
            continue
        if found and _opens_event(found, item.text):
            current = events.setdefault(found[0].key, _Event(found[0].key))
        if current is not None:
            current.sentences.append(item.text)
            current.mentions.extend(m for m in found if m.key == current.key)
    return list(events.values())


def _event_dates(event: _Event) -> tuple[dt.date | None, dt.date | None, str, dict[str, str]]:
    """Start, end and precision from the event's most precise mentions."""
    order = ("day", "month", "year")
    best = min((m.date.precision for m in event.mentions), key=order.index)
    chosen = [m for m in event.mentions if m.date.precision == best]
    first = min(chosen, key=lambda m: m.date.start or dt.date.max)
    last = max(chosen, key=lambda m: m.date.end or dt.date.min)
    evidence = {"start_date": first.sentence, "end_date": last.sentence, "date_precision": first.sentence}
    return first.date.start, last.date.end, best, evidence


# --- places -------------------------------------------------------------------

def _fold(text: str) -> str:
    """Drop accents so "Bogota" finds "Bogotá"."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


@functools.lru_cache(maxsize=1)
def _city_lookup() -> tuple[re.Pattern[str], dict[str, str]]:
    """One regex over every city spelling, and spelling -> city shown."""
    spellings = {name: name for name in CITY_COUNTRIES}
    spellings.update({_fold(name): name for name in CITY_COUNTRIES})
    spellings.update(_CITY_SPELLINGS)
    alternatives = "|".join(re.escape(s) for s in sorted(spellings, key=len, reverse=True))
    return re.compile(rf"\b(?:{alternatives})\b"), spellings


@functools.lru_cache(maxsize=1)
def _country_lookup() -> tuple[re.Pattern[str], dict[str, str]]:
    """One regex over country names (coco's short names plus common spellings)."""
    table = country_table()
    names = dict(zip(table["name"], table["country_code"], strict=True))
    names.update({name: to_iso3(name) for name in _COUNTRY_SPELLINGS})
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    # A name followed by another capitalised word is part of a longer name
    # ("Kazakhstan Parents Union", "Chad Smith"), not a statement of place.
    return re.compile(rf"\b(?:{alternatives})\b(?!\s+[{_UPPER}])"), names


def _cities(sentence: str) -> list[str]:
    """Cities named in a sentence, as shown names."""
    pattern, spellings = _city_lookup()
    return [spellings[m.group(0)] for m in pattern.finditer(sentence)]


def _countries(sentence: str) -> list[str]:
    """ISO3 codes of the countries named in a sentence."""
    pattern, names = _country_lookup()
    return [names[m.group(0)] for m in pattern.finditer(sentence)]


def _most_common(found: Iterable[tuple[str, str]]) -> tuple[str, str] | None:
    """The most frequent value (ties: first seen) with the first sentence naming it."""
    pairs = list(found)
    if not pairs:
        return None
    counts = Counter(value for value, _ in pairs)
    best = max(counts, key=lambda v: (counts[v], -[p[0] for p in pairs].index(v)))
    return best, next(s for v, s in pairs if v == best)


def _place_and_country(
    sentences: list[str], fallback: tuple[str, str] | None
) -> tuple[str | None, tuple[str, str] | None, dict[str, str]]:
    """The event's city and country; a city settles the country, else the text does."""
    city = _most_common((c, s) for s in sentences for c in _cities(s))
    evidence = {}
    if city is not None:
        evidence["place"] = evidence["country_code"] = city[1]
        return city[0], (CITY_COUNTRIES[city[0]], city[1]), evidence
    country = _most_common((c, s) for s in sentences for c in _countries(s)) or fallback
    if country is not None:
        evidence["country_code"] = country[1]
    return None, country, evidence


# --- violations and perpetrators ----------------------------------------------

@functools.lru_cache(maxsize=4)
def _compiled(table: tuple[tuple[str, str], ...]) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """Compile a keyword table once (case-insensitive)."""
    return tuple((code, re.compile(pattern, re.IGNORECASE)) for code, pattern in table)


def _violations(sentences: list[str]) -> dict[str, str]:
    """Violation code -> first sentence reporting it, in order of appearance."""
    found: dict[str, str] = {}
    for sentence in sentences:
        for code, pattern in _compiled(_VIOLATIONS):
            if code not in found and pattern.search(sentence):
                found[code] = sentence
    return found


def _is_recipient(sentence: str, start: int) -> bool:
    """True for "reported it to the police", "asked the prosecutor": not a perpetrator."""
    return bool(_RECIPIENT.search(sentence[max(0, start - 40):start]))


def _named_in(sentence: str, named: dict[str, str]) -> list[tuple[str, str, tuple[int, int]]]:
    """Named actors (from the whole text) that this sentence mentions, with spans."""
    hits = []
    for name, code in named.items():
        for match in re.finditer(rf"\b{re.escape(name)}\b", sentence):
            hits.append((name, code, match.span()))
    return hits


def _actors_in(sentence: str, named: dict[str, str]) -> list[tuple[str, str]]:
    """(name, actor type) pairs in one sentence: named groups first, then keywords."""
    hits = _named_in(sentence, named)
    found = [(name, code) for name, code, _ in hits]
    for code, pattern in _compiled(_ACTORS):
        for match in pattern.finditer(sentence):
            inside = any(s <= match.start() < e for _, _, (s, e) in hits)
            if inside or _is_recipient(sentence, match.start()):
                continue
            actor = match.groupdict().get("actor") or match.group(0)
            found.append((" ".join(actor.split()), code))
    return found


def _reports_an_act(sentence: str) -> bool:
    """A sentence that reports a violation or an attack, where perpetrators are named."""
    return bool(_ATTACK.search(sentence) or _violations([sentence]))


def _perpetrators(sentences: list[str], named: dict[str, str]) -> dict[str, tuple[str, str]]:
    """Actor type -> (name, sentence), from sentences that report an act only."""
    found: dict[str, tuple[str, str]] = {}
    for sentence in sentences:
        if not _reports_an_act(sentence):
            continue
        for name, code in _actors_in(sentence, named):
            found.setdefault(code, (name, sentence))
    return found


# --- organisations and defenders ----------------------------------------------

def _looks_like_name(text: str) -> bool:
    """A quoted string is a name if it is short and its words are capitalised."""
    words = text.split()
    return (0 < len(words) <= 8 and words[0][0].isupper()
            and all(w[0].isupper() or w.lower() in _ORG_CONNECTORS for w in words))


def _org_candidates(sentence: str) -> list[str]:
    """Quoted names and "initiative X"/"organisation X" names in a sentence."""
    quoted = [m.group(1).strip(" .,;:") for m in _QUOTED.finditer(sentence)]
    keyword = [m.group(1) for m in _ORG_KEYWORD.finditer(sentence)]
    return [c for c in quoted + keyword if c and _looks_like_name(c)]


def _named_actor_type(name: str) -> str | None:
    """Actor type readable from an organisation's own name, if any."""
    for code, pattern in _compiled(_ACTORS):
        if code in _NAMED_ACTOR_TYPES and pattern.search(name):
            return code
    return None


def _is_place(name: str) -> bool:
    """True for exactly a country or city name, which is not an organisation or a person."""
    return bool(_city_lookup()[0].fullmatch(name) or _country_lookup()[0].fullmatch(name))


def _harvest_organisations(
    sentences: list[str], publishers: Sequence[str]
) -> tuple[tuple[str, ...], dict[str, str]]:
    """Defender organisations, and named perpetrator groups with their actor type."""
    organisations: dict[str, None] = {}
    named: dict[str, str] = {}
    for candidate in (c for s in sentences for c in _org_candidates(s)):
        if candidate in publishers or _is_place(candidate):
            continue
        actor_type = _named_actor_type(candidate)
        if actor_type:
            named.setdefault(candidate, actor_type)
        else:
            organisations.setdefault(candidate, None)
    return tuple(organisations), named


def _name_runs(sentence: str) -> Iterable[tuple[int, int, str]]:
    """Runs of capitalised words, without a leading "The", "On" or "Journalist".

    Sentence-initial capitals would otherwise glue the first word of a
    sentence to the name after it ("Journalist Andrés Felipe Quintero").
    """
    for match in _NAME_RUN.finditer(sentence):
        start, words = match.start(), match.group(0).split()
        while words and (words[0].lower() in _LEADING_WORDS or _TRIGGER_WORD.fullmatch(words[0])):
            start = sentence.index(words[1], start + len(words[0])) if len(words) > 1 else match.end()
            words = words[1:]
        if words:
            yield start, match.end(), _POSSESSIVE.sub("", " ".join(words))


def _name_groups(sentence: str) -> list[tuple[int, int, list[str]]]:
    """Runs of capitalised words joined by commas or "and": (start, end, names)."""
    groups: list[tuple[int, int, list[str]]] = []
    for start, end, name in _name_runs(sentence):
        if groups and _LIST_GLUE.fullmatch(sentence[groups[-1][1]:start]):
            groups[-1] = (groups[-1][0], end, groups[-1][2] + [name])
        else:
            groups.append((start, end, [name]))
    return groups


def _is_person(name: str, excluded: set[str]) -> bool:
    """Two or three capitalised words, none of them an institution or place word."""
    words = name.split()
    return (2 <= len(words) <= 3 and name not in excluded
            and not any(w.lower() in _NOT_PERSON or w in _MONTH_NAMES for w in words)
            and not _is_place(name))


def _defenders_in(sentence: str, excluded: set[str]) -> list[str]:
    """Names right after or right before a defender word in one sentence."""
    found: list[str] = []
    for start, end, names in _name_groups(sentence):
        before = _TRIGGER_BEFORE.search(sentence[max(0, start - 60):start])
        after = _TRIGGER_AFTER.match(sentence[end:])
        if before or after:
            found.extend(n for n in names if _is_person(n, excluded))
    return found


def _harvest_defenders(sentences: list[str], excluded: set[str]) -> tuple[str, ...]:
    """Every person the text calls a defender, activist, journalist and so on."""
    names: dict[str, None] = {}
    for sentence in sentences:
        for name in _defenders_in(sentence, excluded):
            names.setdefault(name, None)
    return tuple(names)


def _mentioned(names: Sequence[str], sentences: list[str], by_surname: bool) -> dict[str, str]:
    """name -> first sentence of the event naming it (by full name or surname)."""
    found: dict[str, str] = {}
    for name in names:
        forms = [name] + ([name.split()[-1]] if by_surname and len(name.split()[-1]) >= 4 else [])
        pattern = re.compile(r"\b(?:" + "|".join(map(re.escape, forms)) + r")\b")
        sentence = next((s for s in sentences if pattern.search(s)), None)
        if sentence is not None:
            found[name] = sentence
    return found


# --- assembling incidents -----------------------------------------------------

def _document(stream: list[_Sentence], publishers: Sequence[str]) -> _Document:
    """Organisations, named perpetrators, defenders and main country of the whole text."""
    sentences = [s.text for s in stream if s.kind == "text"]
    organisations, named = _harvest_organisations(sentences, publishers)
    excluded = set(publishers) | set(organisations) | set(named)
    defenders = _harvest_defenders(sentences, excluded)
    country = _most_common(
        [(CITY_COUNTRIES[c], s) for s in sentences for c in _cities(s)]
        + [(c, s) for s in sentences for c in _countries(s)]
    )
    return _Document(organisations, named, defenders, country)


def _date_label(start: dt.date | None, end: dt.date | None, precision: str) -> str:
    """"9 October 2024", "7-9 October 2024", "May 2021" or "2020" for titles."""
    if start is None or end is None:
        return "date unknown"
    if precision == "year":
        return str(start.year) if start.year == end.year else f"{start.year}-{end.year}"
    if precision == "month":
        return f"{_MONTH_NAMES[start.month]} {start.year}"
    day = f"{start.day} {_MONTH_NAMES[start.month]} {start.year}"
    if start == end:
        return day
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}-{end.day} {_MONTH_NAMES[end.month]} {end.year}"
    return f"{day} - {end.day} {_MONTH_NAMES[end.month]} {end.year}"


def _title(violations: list[str], place: str | None, country: str | None, when: str) -> str:
    """A readable working title; the reviewer is expected to rewrite it."""
    labels = [_LABELS[v] for v in violations[:2]] + (["other violations"] if len(violations) > 2 else [])
    what = " and ".join(labels) if len(labels) < 3 else f"{labels[0]}, {labels[1]} and {labels[2]}"
    table = country_table()
    names = dict(zip(table["country_code"], table["name"], strict=True))
    where = ", ".join(x for x in (place, names.get(country or "")) if x)
    what = what[0].upper() + what[1:]
    return f"{what} in {where} ({when})" if where else f"{what} ({when})"


def _items_evidence(prefix: str, found: dict[str, str]) -> dict[str, str]:
    """Evidence entries "field:item" -> sentence, plus "field" -> first sentence."""
    evidence = {f"{prefix}:{item}": sentence for item, sentence in found.items()}
    if found:
        evidence[prefix] = next(iter(found.values()))
    return evidence


def _incident(event: _Event, doc: _Document) -> DraftIncident | None:
    """Turn one event into a proposed incident, or None without violation or country."""
    violations = _violations(event.sentences)
    place, country, evidence = _place_and_country(event.sentences, doc.country)
    if not violations or country is None:
        return None
    start, end, precision, date_evidence = _event_dates(event)
    actors = _perpetrators(event.sentences, doc.named_actors)
    defenders = _mentioned(doc.defenders, event.sentences, by_surname=True)
    organisations = _mentioned(doc.organisations, event.sentences, by_surname=False)
    evidence.update(date_evidence)
    evidence.update(_items_evidence("violations", violations))
    evidence.update(_items_evidence("perpetrators", {code: s for code, (_, s) in actors.items()}))
    evidence.update(_items_evidence("defenders", defenders))
    evidence.update(_items_evidence("organisations", organisations))
    evidence["title"] = next(iter(violations.values()))
    title = _title(list(violations), place, country[0], _date_label(start, end, precision))
    return DraftIncident(
        start, end, precision, country[0], place, list(organisations), list(defenders),
        list(violations), [(name, code) for code, (name, _) in actors.items()], title, evidence,
    )


def draft_incidents(text: str, *, publishers: Sequence[str] = PUBLISHERS) -> list[DraftIncident]:
    """Propose incidents found in an appeal or news text, oldest first.

    ``publishers`` are the organisations whose own statements are commentary
    rather than facts, and who are never listed as defenders or organisations.
    """
    stream = _segments(text, publishers)
    doc = _document(stream, publishers)
    incidents = [i for i in (_incident(e, doc) for e in _events(stream)) if i is not None]
    return sorted(incidents, key=lambda i: (i.start_date or dt.date.max, i.title))


def _as_dict(incident: DraftIncident) -> dict[str, Any]:
    """JSON-ready form of one incident."""
    return {
        "title": incident.title,
        "start_date": incident.start_date.isoformat() if incident.start_date else None,
        "end_date": incident.end_date.isoformat() if incident.end_date else None,
        "date_precision": incident.date_precision,
        "country_code": incident.country_code,
        "place": incident.place,
        "organisations": list(incident.organisations),
        "defenders": list(incident.defenders),
        "violations": list(incident.violations),
        "perpetrators": [{"name": n, "actor_type": t} for n, t in incident.perpetrators],
        "evidence": dict(incident.evidence),
    }


def _flatten(row: dict[str, Any]) -> dict[str, Any]:
    """One CSV cell per field: lists joined with "; ", evidence as JSON text."""
    flat = dict(row)
    for key in ("organisations", "defenders", "violations"):
        flat[key] = "; ".join(row[key])
    flat["perpetrators"] = "; ".join(f"{p['name']} ({p['actor_type']})" for p in row["perpetrators"])
    flat["evidence"] = json.dumps(row["evidence"], ensure_ascii=False)
    return flat


def draft_to_dict(incidents: Sequence[DraftIncident], *, flat: bool = False) -> list[dict[str, Any]]:
    """Plain dicts for JSON (``flat=False``) or for a CSV writer (``flat=True``)."""
    rows = [_as_dict(incident) for incident in incidents]
    return [_flatten(row) for row in rows] if flat else rows
