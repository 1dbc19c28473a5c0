"""Front-matter facts from a summary's opening paragraph: date, meeting, chair, attendees; tags.

'6月15日上午，市委教育工委书记、市教育局党组书记、局长张荷红主持召开局党组扩大会。局领导
赵小丁、齐晓兵…出席。' Clauses are found with str.find and the punctuation before them, never
with a lazy regex that retries from every position (quadratic on text without stops).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence

from .draft import Fields

TITLE_WORDS = re.compile(
    r"(?:书记|局长|厅长|主任|市长|县长|区长|部长|校长|院长|处长|科长|主席|组长|秘书长|"
    r"理事长|董事长|总经理|负责人|委员)"
)
NAME = re.compile(r"[\u4e00-\u9fff]{2,4}")
DATE = re.compile(r"(?:(\d{4})年)?(\d{1,2})月(\d{1,2})日")
# A position written before a name: '副局长林静'.
_POSITION = re.compile(r"^(?:党组成员、?|党委委员、?)?副?(?:局长|主任|书记|区长|县长|市长|部长|处长|科长|院长|"
                       r"校长|主席|调研员|巡视员|总工程师|总经济师)(?=[\u4e00-\u9fff]{2,4}$)")
MAX_MEETING = 40  # characters: a longer 'meeting' is a sentence the stops were left out of
MAX_CLAUSE = 120


def clause_before(text: str, at: int, stops: str) -> str:
    """The text between the last of ``stops`` before ``at`` and ``at``."""
    start = max(text.rfind(stop, 0, at) for stop in stops) + 1
    return text[start:at]


def opening_fields(text: str, title: str | None, notes: list[str]) -> Fields:
    """Meeting, chair, attendees and (when ``title`` is None) a title made from the opening."""
    fields = Fields(title=title or "")
    at = text.find("主持召开")
    meeting = re.match(r"[^，。；]+", text[at + 4:]) if at >= 0 else None
    if meeting is None or len(meeting[0]) > MAX_MEETING:
        # '…区卫健委召开安全生产专题会议…。委党委副书记张丽主持会议。': the chair, in a sentence of its own
        chaired = re.search("主持(?:会议|。|，|$)", text)
        chair = chair_of(clause_before(text, chaired.start(), "，。；")[-MAX_CLAUSE:])[1] if chaired else None
        if chair:
            fields.chair = chair
            notes.append(f"chair {chair} from '…{chair}主持…'; no '…主持召开…' in the opening: add meeting by hand")
        else:
            notes.append("no '…主持召开…' in the opening: add meeting and chair by hand")
    else:
        before = clause_before(text, at, "，。；")
        titles, chair = chair_of(before[-MAX_CLAUSE:])
        fields.meeting = meeting[0]
        if chair:
            fields.chair = chair
        else:
            notes.append(f"no chair's name found in '{_short(before)}': add chair by hand")
        if not title:
            org = organisation(titles)
            fields.title = f"{org}召开{meeting[0]}" if org else f"召开{meeting[0]}"
            notes.append(f"title '{fields.title}' was made from the opening: check it")
    fields.attendees = attendees(text, notes)
    return fields


def find_date(text: str, year: int | None, notes: list[str]) -> dt.date | None:
    found = DATE.search(text)
    if not found:
        notes.append("no date like '6月15日' in the opening: add date by hand")
        return None
    written = int(found[1]) if found[1] else None
    if written and year and written != year:
        notes.append(f"the text says {written}年 but year {year} was given: using {written}")
    if not (written or year):
        notes.append(f"'{found[0]}' has no year: pass the year to fill in date")
        return None
    try:
        return dt.date(written or year or 0, int(found[2]), int(found[3]))
    except ValueError:
        notes.append(f"'{found[0]}' is not a date: add date by hand")
        return None


def chair_of(before: str) -> tuple[str, str | None]:
    """The chair's titles and name from '市委教育工委书记、市教育局党组书记、局长张荷红'."""
    place = before.find("在", before.rfind("、") + 1)  # '局长张荷红在市教育局主持召开'
    if place >= 0:
        before = before[:place]
    ends = [m.end() for m in TITLE_WORDS.finditer(before)]
    titles, name = (before[: ends[-1]], before[ends[-1]:]) if ends else ("", before)
    name = name.removesuffix("同志")
    return titles, name if NAME.fullmatch(name) else None


def organisation(titles: str) -> str | None:
    """The body that holds the meeting: '…、市教育局党组书记、局长' → 市教育局.

    The last title is usually bare ('局长'): its first character names the kind of body,
    and an earlier title spells that body out in full.
    """
    parts = [p for p in titles.split("、") if p]
    if not parts:
        return None
    kind = parts[-1][0]
    for part in parts[:-1]:
        if (at := part.find(kind, 1)) > 0:
            return part[: at + 1]
    found = re.match(r"(.+?(?:局|厅|委员会|政府|办公室))", parts[0])
    return found[1] if found else None


def attendees(text: str, notes: list[str]) -> list[str]:
    """Names from '局领导赵小丁、齐晓兵…李鑫出席'."""
    at = text.find("出席")
    if at < 0:
        notes.append("no '…出席' sentence in the opening: add attendees by hand if any")
        return []
    clause = clause_before(text, at, "。；").split("，")[-1][-MAX_CLAUSE * 4:]
    # '委领导班子成员出席' names no one: the longest of these words goes, not just '领导'.
    who = re.sub(r"^.*?(?:领导班子成员|领导班子|班子成员|领导)(?:同志)?", "", clause)
    names = [_POSITION.sub("", n.removesuffix("同志")) for n in re.split(r"[、，]|和|及", who) if n]
    if not names:
        notes.append(f"'{_short(clause)}出席' names no one: add attendees by hand if any")
    odd = [n for n in names if not NAME.fullmatch(n)]
    if odd:
        notes.append(f"check attendees: {_short('、'.join(odd), 60)} may not be names")
    return names


def tags(text: str, vocabulary: Sequence[str] | Mapping[str, str]) -> list[str]:
    """Vocabulary terms found in the text, most frequent first, ties in order of appearance."""
    tag_of = vocabulary if isinstance(vocabulary, Mapping) else {t: t for t in vocabulary}
    found = sorted((t for t in tag_of if t and t in text), key=lambda t: (-text.count(t), text.index(t)))
    return list(dict.fromkeys(tag_of[t] for t in found))


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
