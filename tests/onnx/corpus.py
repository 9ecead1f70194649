"""Texts for tokenizer and text-tower equivalence tests: accents, punctuation, emoji, CJK, long descriptions."""

from __future__ import annotations

import random

_WORDS = ("the a harbour at night engraving of ship in storm woodcut portrait lady blue silk dress with gilt frame "
          "landscape mountains river bridge church tower figures foreground etching plate state impression signed "
          "lower left dated verso inscribed pencil provenance collection acquired museum").split()


def long_description(seed: int, words: int = 300) -> str:
    rng = random.Random(seed)
    out = []
    for i in range(words):
        w = rng.choice(_WORDS)
        out.append(w.capitalize() + "," if i % 17 == 0 else w)
    return " ".join(out) + "."


CORPUS: list[str] = [
    "a red star",
    "A RED STAR!!!",
    "an engraving of a ship in a storm",
    "Café crème, naïve façade — Ærøskøbing, Ålesund, Łódź, İstanbul, Žižkov",
    "Gravure sur cuivre : vue du port de Marseille (épreuve rehaussée à l'aquarelle), vers 1750.",
    "¿Qué pintó Goya en «Los fusilamientos»? ¡Sí!",
    "“Curly quotes” and ‘single’ ones… ellipsis — em dash – en dash",
    "It's they're we'll I'd you've she's don't",
    "emoji 🎨🖼️👩‍🎨🏛️ and flags 🇫🇷🇯🇵 and skin tones 👍🏽",
    "葛飾北斎《神奈川沖浪裏》 富嶽三十六景",
    "清明上河图 张择端 北宋",
    "한국 민화 까치호랑이",
    "Ελληνικά: αμφορέας με μελανόμορφες μορφές",
    "Русская икона, XV век",
    "العربية: مخطوطة مزخرفة",
    "&amp;lt;b&amp;gt;bold&amp;lt;/b&amp;gt; &eacute;t&eacute; &#233;",
    "mojibake CafÃ© and â€œquotesâ€\x9d",
    "ﬁne ligatures ½ ² Ⅻ ① ｆｕｌｌｗｉｄｔｈ",
    "  lots   of\n\twhitespace\r\n  ",
    "",
    "numbers 1889 72.4 × 91 cm, 3/4 length, No. 12a",
    "symbols @#$%^&*()_+-=[]{}|;:,.<>/?~` \\ end",
    "ÀÉÎÕÜ ßẞ ǅ ǈ",
    "zero\u200bwidth\u200djoiner and soft\u00adhyphen",
    long_description(1),
    long_description(2, words=500),
    "浮世絵 " * 120,
]
