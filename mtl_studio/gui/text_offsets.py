"""Code point <-> UTF-16 offset conversion for the editor.

The project stores offsets as Python string indices (Unicode code points). Qt's text positions
(QTextCursor.position(), QTextDocument characters) count UTF-16 code units, so a character outside the
Basic Multilingual Plane (most emoji, CJK extension B characters like 𠀋) is one code point but two Qt
positions. Every place the editor maps between Qt and the store goes through an `OffsetMap`.

Pure Python, no Qt: the conversion is tested without a QApplication.
"""
from __future__ import annotations

from bisect import bisect_right


def utf16_length(text: str) -> int:
    """Length of `text` in UTF-16 code units (what Qt counts)."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


class OffsetMap:
    """Fast conversion for one text; O(1) when the text has no astral characters, else O(log n)."""

    def __init__(self, text: str) -> None:
        self.text = text
        # Code point indices of astral characters (each takes two UTF-16 units), ascending.
        self._astral: list[int] = [i for i, ch in enumerate(text) if ord(ch) > 0xFFFF]
        # UTF-16 position at which each astral character starts, ascending.
        self._astral_u16: list[int] = [cp + k for k, cp in enumerate(self._astral)]
        self.utf16_len = len(text) + len(self._astral)

    def to_utf16(self, cp: int) -> int:
        """UTF-16 position of code point index `cp` (0 <= cp <= len(text))."""
        if not 0 <= cp <= len(self.text):
            raise IndexError(f"code point offset {cp} outside a text of {len(self.text)} characters")
        # Each astral character strictly before cp adds one unit.
        return cp + bisect_right(self._astral, cp - 1) if self._astral else cp

    def to_code_point(self, u16: int, *, round_up: bool = False) -> int:
        """Code point index at UTF-16 position `u16`.

        A position in the middle of a surrogate pair (Qt never places a cursor there, but mouse
        arithmetic could) rounds down to the start of that character, or up past it with round_up.
        """
        if not 0 <= u16 <= self.utf16_len:
            raise IndexError(f"UTF-16 offset {u16} outside a text of {self.utf16_len} code units")
        if not self._astral:
            return u16
        # Astral characters that start strictly before u16.
        k = bisect_right(self._astral_u16, u16 - 1)
        if k and self._astral_u16[k - 1] == u16 - 1:
            # u16 points at the low surrogate of astral character k-1.
            cp = self._astral[k - 1]
            return cp + 1 if round_up else cp
        return u16 - k

    def span_to_utf16(self, start: int, end: int) -> tuple[int, int]:
        return self.to_utf16(start), self.to_utf16(end)

    def span_to_code_points(self, start: int, end: int) -> tuple[int, int]:
        """A UTF-16 selection as code points, never cutting a character in half."""
        return self.to_code_point(start), self.to_code_point(end, round_up=True)


def cp_to_utf16(text: str, cp: int) -> int:
    return OffsetMap(text).to_utf16(cp)


def utf16_to_cp(text: str, u16: int) -> int:
    return OffsetMap(text).to_code_point(u16)
