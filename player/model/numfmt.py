"""Cell values as Excel displays them, from the cell's number format.

Covers what 财务公开 and 收费标准 workbooks use: General, fixed decimals (``0.00``),
thousands separators (``#,##0``), percentages (``0.0%``), literal text around numbers
(``"¥"#,##0.00``, ``0.00"元"``), a negative section (``#,##0.00;[Red]-#,##0.00``),
scientific notation, text (``@``) and every date/time format — dates always in Chinese
form (2022年12月30日, 2022年12月, 12月30日, 14:30), which is how a notice writes them
whatever the author's Excel locale. Pure.
"""

from __future__ import annotations

import datetime as dt
import re

_QUOTED = re.compile(r'"([^"]*)"')
_BRACKET = re.compile(r"\[[^\]]*\]")
_DATE_CODES = re.compile(r"[ymdhsYMDHS]|上午|下午|AM/PM|aaa")


def _clean(section: str) -> str:
    """A format section without colours/locales, with escapes and fill/space codes made literal."""
    section = re.sub(r"\[\$([^\]-]*)(?:-[^\]]*)?\]", lambda m: f'"{m.group(1)}"' if m.group(1) else "", section)
    section = _BRACKET.sub("", section)
    section = re.sub(r"_.", " ", section)      # _) leaves the width of ')': a space is enough
    section = re.sub(r"\*.", "", section)      # *x repeats x to fill the cell: nothing
    return re.sub(r"\\(.)", r'"\1"', section)


def is_date_format(fmt: str) -> bool:
    """Whether a number format shows a date or time."""
    bare = _QUOTED.sub("", _clean(fmt.split(";")[0]))
    return bool(_DATE_CODES.search(bare)) and "General" not in bare and "0" not in bare.replace("00", "")


def format_value(value, fmt: str | None) -> str:
    """The text Excel shows for ``value`` under number format ``fmt``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return format_date(value, fmt)
    if isinstance(value, str):
        return value.strip()
    if not isinstance(value, (int, float)):
        return str(value)
    fmt = (fmt or "General").strip()
    sections = fmt.split(";")
    section = sections[0]
    negative = value < 0
    if negative and len(sections) > 1 and sections[1].strip():
        section, value = sections[1], -value
        negative = False
    elif value == 0 and len(sections) > 2 and sections[2].strip():
        section = sections[2]
    section = _clean(section)
    if section.strip() in ("", "General", "general", "@", "G/通用格式", "通用格式"):
        return _general(value)
    return ("-" if negative else "") + _number(abs(value) if negative else value, section)


def _general(value: float) -> str:
    if isinstance(value, int) or float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    text = f"{value:.10g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        return f"{mantissa}E{'+' if int(exponent) >= 0 else '-'}{abs(int(exponent)):02d}"
    return text


def _number(value: float, section: str) -> str:
    literals: list[str] = []

    def keep(match: re.Match) -> str:
        literals.append(match.group(1))
        return chr(0xE000 + len(literals) - 1)

    body = _QUOTED.sub(keep, section)
    code = re.search(r"[#0?][#0?,.\s]*(?:[eE][+-][0#]+)?%?|[.][0#?]+%?", body)
    if code is None:
        return _restore(body, literals)
    spec = code.group(0).rstrip()
    percent = body.count("%")
    scaled = value * (100 ** percent)
    digits = spec.split("%")[0]
    if "e" in digits.lower():
        mantissa = digits.lower().split("e")[0]
        decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
        text = f"{scaled:.{decimals}E}"
        text = re.sub(r"E([+-])0*(\d\d)", r"E\1\2", text)
    else:
        trailing_commas = len(digits) - len(digits.rstrip(","))
        scaled /= 1000 ** trailing_commas
        digits = digits.rstrip(",")
        decimals_part = digits.split(".")[1] if "." in digits else ""
        decimals = len(decimals_part.replace(",", ""))
        optional = decimals_part.count("#")
        grouped = "," in digits.split(".")[0]
        text = f"{scaled:,.{decimals}f}" if grouped else f"{scaled:.{decimals}f}"
        if optional and "." in text:
            text = text.rstrip("0")[: len(text)] if text.rstrip("0") else text
            mandatory = decimals - optional
            whole, frac = text.split(".") if "." in text else (text, "")
            frac = frac.ljust(mandatory, "0")
            text = f"{whole}.{frac}" if frac else whole
        integer_zeros = digits.split(".")[0].replace(",", "").count("0")
        if integer_zeros == 0 and text.startswith("0.") and "." in digits:
            text = text[1:]
    out = body[: code.start()] + text + "%" * spec.count("%") + body[code.end():]
    return _restore(out, literals).strip()


def _restore(text: str, literals: list[str]) -> str:
    return "".join(literals[ord(ch) - 0xE000] if 0xE000 <= ord(ch) < 0xE000 + len(literals) else ch
                   for ch in text)


def format_date(value, fmt: str | None = None) -> str:
    """A date or time in Chinese form, with the parts the format shows."""
    bare = _QUOTED.sub("", _clean((fmt or "").split(";")[0])).lower()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M:%S" if "s" in bare else "%H:%M")
    has_time = isinstance(value, dt.datetime) and ("h" in bare or (not bare.strip() and (
        value.hour or value.minute or value.second)))
    day = value.date() if isinstance(value, dt.datetime) else value
    date_codes = re.sub(r"h+|s+|\[.*?\]", "", bare)
    show_year = "y" in date_codes or not date_codes.strip()
    show_day = "d" in date_codes or not date_codes.strip()
    show_month = "m" in date_codes or not date_codes.strip()
    if not (show_year or show_month or show_day):  # a time-only format
        return value.strftime("%H:%M:%S" if "s" in bare else "%H:%M")
    text = ""
    if show_year:
        text += f"{day.year}年"
    if show_month:
        text += f"{day.month}月"
    if show_day and show_month:
        text += f"{day.day}日"
    if has_time:
        text += " " + value.strftime("%H:%M:%S" if "s" in bare else "%H:%M")
    return text
