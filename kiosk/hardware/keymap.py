"""Key events to characters, as a USB barcode scanner in keyboard mode types them.

A HID scanner sends key positions, not characters: it is set to "type" for one keyboard layout,
and the same barcode arrives as different keys under "us", "de" or "fr". `KeyDecoder` turns the
key events of one device back into characters for the layout the scanner is set to.
"""

from __future__ import annotations

from evdev import ecodes as e

GS = "\x1d"  # GS1's group separator, between the variable-length fields of a GS1-128/DataMatrix
MAX_CODE = 64  # longer than any code the till reads: past it is noise, not a code
UNDECODABLE = "\ufffd"  # a key with no character in this layout (F1, an arrow, a dead key)

# Key positions row by row, as on a 105-key keyboard; each layout below gives one character per
# position, "\0" for none (dead keys are none: a scanner never relies on them).
_ROWS = (
    (e.KEY_GRAVE, e.KEY_1, e.KEY_2, e.KEY_3, e.KEY_4, e.KEY_5, e.KEY_6, e.KEY_7, e.KEY_8, e.KEY_9,
     e.KEY_0, e.KEY_MINUS, e.KEY_EQUAL),
    (e.KEY_Q, e.KEY_W, e.KEY_E, e.KEY_R, e.KEY_T, e.KEY_Y, e.KEY_U, e.KEY_I, e.KEY_O, e.KEY_P,
     e.KEY_LEFTBRACE, e.KEY_RIGHTBRACE),
    (e.KEY_A, e.KEY_S, e.KEY_D, e.KEY_F, e.KEY_G, e.KEY_H, e.KEY_J, e.KEY_K, e.KEY_L,
     e.KEY_SEMICOLON, e.KEY_APOSTROPHE, e.KEY_BACKSLASH),
    (e.KEY_102ND, e.KEY_Z, e.KEY_X, e.KEY_C, e.KEY_V, e.KEY_B, e.KEY_N, e.KEY_M, e.KEY_COMMA,
     e.KEY_DOT, e.KEY_SLASH),
)  # fmt: skip

# layout -> (plain rows, shifted rows, AltGr characters by key)
_LAYOUTS: dict[str, tuple[tuple[str, ...], tuple[str, ...], dict[int, str]]] = {
    "us": (
        ("`1234567890-=", "qwertyuiop[]", "asdfghjkl;'\\", "\0zxcvbnm,./"),
        ("~!@#$%^&*()_+", "QWERTYUIOP{}", 'ASDFGHJKL:"|', "\0ZXCVBNM<>?"),
        {},
    ),
    "uk": (
        ("`1234567890-=", "qwertyuiop[]", "asdfghjkl;'#", "\\zxcvbnm,./"),
        ("¬!\"£$%^&*()_+", "QWERTYUIOP{}", "ASDFGHJKL:@~", "|ZXCVBNM<>?"),
        {e.KEY_4: "€"},
    ),
    "de": (
        ("\0001234567890ß\0", "qwertzuiopü+", "asdfghjklöä#", "<yxcvbnm,.-"),
        ("°!\"§$%&/()=?\0", "QWERTZUIOPÜ*", "ASDFGHJKLÖÄ'", ">YXCVBNM;:_"),
        {e.KEY_Q: "@", e.KEY_E: "€", e.KEY_7: "{", e.KEY_8: "[", e.KEY_9: "]", e.KEY_0: "}",
         e.KEY_MINUS: "\\", e.KEY_RIGHTBRACE: "~", e.KEY_102ND: "|"},
    ),
    "fr": (
        ("²&é\"'(-è_çà)=", "azertyuiop\0$", "qsdfghjklmù*", "<wxcvbn,;:!"),
        ("\0001234567890°+", "AZERTYUIOP\0£", "QSDFGHJKLM%µ", ">WXCVBN?./§"),
        {e.KEY_E: "€", e.KEY_3: "#", e.KEY_4: "{", e.KEY_5: "[", e.KEY_6: "|", e.KEY_8: "\\",
         e.KEY_9: "^", e.KEY_0: "@", e.KEY_MINUS: "]", e.KEY_EQUAL: "}"},
    ),
}  # fmt: skip
LAYOUTS = tuple(_LAYOUTS)

# Keys that type the same in every layout (the keypad as with Num Lock on, as scanners send it).
_COMMON = {
    e.KEY_SPACE: " ", e.KEY_TAB: "\t", e.KEY_ENTER: "\n", e.KEY_KPENTER: "\n",
    e.KEY_KP0: "0", e.KEY_KP1: "1", e.KEY_KP2: "2", e.KEY_KP3: "3", e.KEY_KP4: "4",
    e.KEY_KP5: "5", e.KEY_KP6: "6", e.KEY_KP7: "7", e.KEY_KP8: "8", e.KEY_KP9: "9",
    e.KEY_KPDOT: ".", e.KEY_KPMINUS: "-", e.KEY_KPPLUS: "+", e.KEY_KPSLASH: "/",
    e.KEY_KPASTERISK: "*",
}  # fmt: skip
_KEYPAD_DIGITS = {code: char for code, char in _COMMON.items() if char.isdigit()}

_SHIFT = frozenset({e.KEY_LEFTSHIFT, e.KEY_RIGHTSHIFT})
_CTRL = frozenset({e.KEY_LEFTCTRL, e.KEY_RIGHTCTRL})
MODIFIERS = _SHIFT | _CTRL | {e.KEY_LEFTALT, e.KEY_RIGHTALT, e.KEY_CAPSLOCK, e.KEY_NUMLOCK}

DOWN, UP, REPEAT = 1, 0, 2  # an EV_KEY event's value


def code_char(char: str) -> bool:
    """Whether a character can be part of a scanned code (printable, or GS1's separator)."""
    return char == GS or (char.isprintable() and char != UNDECODABLE)


def _table(layout: str) -> dict[int, tuple[str, str, str]]:
    """Each key's (plain, shifted, AltGr) characters in a layout ("" where it types none)."""
    plain_rows, shifted_rows, altgr = _LAYOUTS[layout]
    table = {code: (char, char, "") for code, char in _COMMON.items()}
    for codes, plain, shifted in zip(_ROWS, plain_rows, shifted_rows, strict=True):
        for code, p, s in zip(codes, plain, shifted, strict=True):
            table[code] = (p.strip("\0"), s.strip("\0"), altgr.get(code, ""))
    if layout == "de":  # the German keypad has a decimal comma
        table[e.KEY_KPDOT] = (",", ",", "")
    return table


class KeyDecoder:
    """Characters from one device's EV_KEY events, for the layout its scanner is set to.

    `feed` returns the character a key down types (with Shift, Caps Lock, AltGr and Ctrl as
    held on this device), `UNDECODABLE` for a key down that types nothing in the layout, and None
    for modifiers, key ups and auto-repeats (a scanner never holds a key: a repeat is noise).
    Ctrl with a key types its control character (Ctrl+] is GS, as US-layout scanners send it).
    Alt held while keypad digits are typed gives the character with that decimal number when Alt
    is released ("Alt mode" scanners send GS as Alt+0,2,9): that one character comes on a key up.
    """

    def __init__(self, layout: str = "us") -> None:
        if layout not in _LAYOUTS:
            raise ValueError(
                f"Unknown keyboard layout {layout!r} for the scanner: "
                f"known layouts are {', '.join(LAYOUTS)}"
            )
        self.layout = layout
        self._table = _table(layout)
        self._held: set[int] = set()
        self._caps = False
        self._alt_digits = ""  # keypad digits typed with Alt held

    def feed(self, code: int, value: int) -> str | None:
        """The character this key event types, if any (see the class docstring)."""
        if value == UP:
            self._held.discard(code)
            if code == e.KEY_LEFTALT and self._alt_digits:
                number, self._alt_digits = int(self._alt_digits), ""
                return chr(number) if 0 < number < 0x110000 else UNDECODABLE
            return None
        if value != DOWN:
            return None
        self._held.add(code)
        if code == e.KEY_CAPSLOCK:
            self._caps = not self._caps
        if code in MODIFIERS:
            return None
        if e.KEY_LEFTALT in self._held and code in _KEYPAD_DIGITS:
            self._alt_digits += _KEYPAD_DIGITS[code]
            return None
        return self._char(code)

    def _char(self, code: int) -> str:
        plain, shifted, altgr = self._table.get(code, ("", "", ""))
        if e.KEY_RIGHTALT in self._held and altgr:
            char = altgr
        else:
            shift = not self._held.isdisjoint(_SHIFT)
            # Caps Lock only changes letters, and Shift undoes it (as on Linux and Windows)
            if self._caps and plain.isalpha() and shifted == plain.upper():
                shift = not shift
            char = shifted if shift else plain
        if not char:
            return UNDECODABLE
        if not self._held.isdisjoint(_CTRL):
            upper = char.upper()
            if "@" <= upper <= "_":
                return chr(ord(upper) & 0x1F)
            return UNDECODABLE
        return char
