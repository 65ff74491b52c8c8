"""A log's bytes as the lines a terminal showed, or refused when they are no text.

UTF-8, or UTF-16 (said when guessed without a byte-order mark); a lone CR overwrites
its line; colour codes are removed; binary data is refused with a sentence.
"""

from __future__ import annotations

import re

from .log_record import MAX_BYTES, LogError, counted

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
"""A terminal's colour or cursor code: Keras prints its bar in bold and colour."""


def decode_log(data: bytes | str) -> tuple[str, str]:
    """The text, and a note when it had to be guessed (UTF-16 without a byte-order mark)."""
    size = len(data.encode("utf-8", "replace")) if isinstance(data, str) else len(data)
    if size > MAX_BYTES:
        raise LogError(f"the log is {size:,} bytes; at most {MAX_BYTES:,} are read.")
    if isinstance(data, str):
        if "\x00" in data:
            _nul(data.encode("utf-8", "replace"))
        return data.removeprefix("\ufeff"), ""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):  # Excel's "Unicode text"
        text = _utf16(data, "utf-16")
        if text:
            return text.removeprefix("\ufeff"), ""
    if b"\x00" in data:
        # UTF-16 without a byte-order mark (PowerShell's Out-File, some editors): every
        # other byte of ASCII text is NUL. Read so, and said; any other NUL is refused.
        for name, zeros in (("utf-16-le", data[1::2]), ("utf-16-be", data[0::2])):
            if len(data) % 2 == 0 and zeros.count(0) >= 0.9 * len(zeros):
                text = _utf16(data, name)
                if text:
                    return text, " (read as UTF-16 text without a byte-order mark)"
        _nul(data)
    try:
        return data.decode("utf-8-sig"), ""
    except UnicodeDecodeError as exc:
        raise LogError(f"the log is not UTF-8 text (byte {exc.start + 1} is not).") from None


def _utf16(data: bytes, codec: str) -> str:
    """UTF-16 text if it decodes to mostly ASCII and holds no NUL, else ``""``."""
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        return ""
    ok = "\x00" not in text and sum(c.isascii() for c in text) >= 0.9 * len(text)
    return text if ok else ""


def _nul(data: bytes) -> None:
    k = data.index(0)
    line = data[:k].count(b"\n") + 1
    raise LogError(
        f"the log holds {counted(data.count(0), 'NUL byte')} (the first is byte {k + 1:,}, on "
        f"line {line:,}), which no text log has: it is binary, or was "
        "cut off while it was written; save it as UTF-8 text."
    )


def text_lines(text: str) -> list[str]:
    """The lines as a terminal showed them: CRLF is one break, a lone CR overwrote the line.

    A text with CRs and no LF at all is old Mac line ends: each CR is a break.
    """
    text = text.replace("\r\n", "\n")
    if "\r" not in text:
        return [line.strip() for line in text.split("\n")]
    if "\n" not in text:
        return [line.strip() for line in text.split("\r")]
    return [line.split("\r")[-1].strip() for line in text.split("\n")]


__all__ = ["ANSI", "decode_log", "text_lines"]
