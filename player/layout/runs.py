"""Unbreakable runs: what the line breaker treats as one token.

A *run* is never split across lines unless it alone is wider than the line:

- a Latin word or a number with its separators (1,234.56, 12:30, 2026-11-27, A4,
  0571-88888888, e-mail), an optional currency prefix (￥120) and postfix (98.5%, 36.5℃);
- a number with its unit or measure word (3288.60元, 30平方米, 5千克, 1.2万元, 120人);
- a number range (2021—2025年, 3～5个) and a time range (8:30-12:00, 8:30—17:30,
  8：30至12：00);
- a Chinese date or clock time (2026年11月27日, 11月27日, 8时30分);
- a telephone number written with spaces (138 0000 0000, 0571 8888 8888);
- a URL, a doubled dash ——, an ellipsis …….

Between two runs, UAX #14 keeps numeric prefixes and postfixes with what they belong to
(rules LB24 and LB25): no break between a postfix (% ‰ ℃ …) or a prefix (￥ $ + …) and a
following digit, Latin letter or opening bracket, nor between a digit or Latin letter and
a following prefix or postfix. :func:`glued` answers that question for a pair of
characters; the line breaker applies it at every break opportunity.

Invariant: the pattern matches at least one character at every position, so cutting a
text into tokens never loses a character.
"""

from __future__ import annotations

import re

#: UAX #14 class PO (postfix numeric) as Chinese notices use it.
POSTFIX = frozenset("%％‰‱℃℉°′″¢￠")
#: UAX #14 class PR (prefix numeric).
PREFIX = frozenset("$＄￥¥£￡€₩+＋±−№")
#: UAX #14 class OP (opening punctuation) that a prefix or postfix keeps.
OPENING = frozenset("(（[［{｛《〈【〔〖「『“‘")

_DIGIT = "[0-9\uff10-\uff19]"
_ALNUM = "[A-Za-z0-9\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]"
#: Units and measure words a number keeps (longest first); a magnitude 万/亿/千/百 may
#: come before them (1.2万平方米, 3亿元) or stand alone (1.2万).
UNITS_LONG = (
    "平方公里", "平方千米", "平方米", "立方米", "千瓦时", "公里", "千米", "厘米", "毫米",
    "千克", "公斤", "公顷", "小时", "分钟", "个月", "周岁", "工作日", "人次", "户次", "余人",
    "余户", "余元", "余次", "余项", "多人", "多户", "多元", "多项",
)
UNITS_SHORT = "元角分个人户位名项件次天日月年周岁号条款页份台辆家所座栋幢间套张本册只吨米克斤升度层楼期批届轮场起例秒时点倍成折室处宗笔亩株棵盏组支类级种块段遍"
_UNIT = (
    "(?:[万亿千百]?(?:" + "|".join(UNITS_LONG) + f"|[{UNITS_SHORT}])|[万亿千百])"
)
_NUMBER = rf"{_DIGIT}+(?:[.,]{_DIGIT}+)*"
_PHONE = (
    rf"(?:1[3-9]{_DIGIT}(?: {_DIGIT}{{4}}){{2}}"           # 138 0000 0000
    rf"|0{_DIGIT}{{2,3}} {_DIGIT}{{4}} ?{_DIGIT}{{4}}"    # 0571 8888 8888
    rf"|0{_DIGIT}{{2,3}} {_DIGIT}{{7,8}}"                 # 0571 88888888
    rf"|400[ -]{_DIGIT}{{3}}[ -]{_DIGIT}{{4}})(?!{_DIGIT})"
)
_DATE = (
    rf"(?:{_DIGIT}{{2,4}}年{_DIGIT}{{1,2}}月(?:{_DIGIT}{{1,2}}[日号])?"
    rf"|{_DIGIT}{{1,2}}月{_DIGIT}{{1,2}}[日号]"
    rf"|{_DIGIT}{{1,2}}[时点]{_DIGIT}{{1,2}}分)"
)
_TIME = rf"{_DIGIT}{{1,2}}[:：]{_DIGIT}{{2}}"
_TIME_RANGE = rf"{_TIME}[-—–~～至]{_TIME}"
#: A word or number: prefix, letters and digits joined by separators (a dash, tilde or
#: full-width colon only between digits), postfix, and a number's unit.
WORD = (
    rf"[￥¥$＄€£+＋]?{_ALNUM}+"
    rf"(?:[.,:/\-'’_@&+]{_ALNUM}+|(?<={_DIGIT})[—–~～：](?={_DIGIT}){_NUMBER})*"
    rf"[%％‰℃]?"
    rf"(?:(?<={_DIGIT}){_UNIT})?"
)
URL = r"(?:https?://|www\.)[!-~]+"
#: One token: its content (group 1) and the spaces after it (group 2).
TOKEN_RE = re.compile(
    rf"({URL}|{_PHONE}|{_TIME_RANGE}|{_DATE}|—{{2,}}|…{{2,}}|⋯{{2,}}|{WORD}|.)([ \t]*)", re.S)


def _letter_or_digit(ch: str) -> bool:
    """ASCII or full-width letter or digit (UAX #14 classes AL and NU as notices use them)."""
    return (ch.isascii() and ch.isalnum()) or ("\uff10" <= ch <= "\uff5a" and ch.isalnum())


def glued(last: str, first: str) -> bool:
    """Whether UAX #14 LB24/LB25 forbid a break between characters ``last`` and ``first``.

    Args:
        last: the last character before the break opportunity.
        first: the first character after it.
    """
    if last in POSTFIX or last in PREFIX:
        return _letter_or_digit(first) or first in OPENING
    if first in POSTFIX or first in PREFIX:
        return _letter_or_digit(last)
    return False
