"""Reading calt's HTML pages back in tests: a strict parse with Python's ``html.parser`` (every element
closed, in order), the sections, tables and images, every inlined image decoded with PIL, and, when a
Chromium is installed, the page opened in headless Chromium with each image checked as the browser decoded it."""

from __future__ import annotations

import base64
import io
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from PIL import Image

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
OPTIONAL_END = {"p", "li", "tr", "td", "th"}  # HTML lets these close implicitly; calt's pages close them anyway


@dataclass
class Page:
    sections: list[str] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    tables: list[dict] = field(default_factory=list)  # {"class", "property", "rows": [[cell text, ...], ...]}
    images: list[str] = field(default_factory=list)  # src attributes
    text: str = ""

    def table(self, css_class: str, prop: str | None = None) -> list[list[str]]:
        found = [t for t in self.tables if css_class in t["class"].split() and (prop is None or t["property"] == prop)]
        assert len(found) == 1, f"{len(found)} tables of class {css_class!r} property {prop!r}"
        return found[0]["rows"]


class StrictParser(HTMLParser):
    """Collects a :class:`Page` and fails on an unclosed, stray or misnested element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page, self.stack, self.chunks = Page(), [], []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag not in VOID:
            self.stack.append(tag)
        if "id" in attributes:
            self.page.ids.append(attributes["id"])
        if tag == "section":
            self.page.sections.append(attributes.get("id", ""))
        elif tag == "table":
            self.page.tables.append({"class": attributes.get("class", ""), "property": attributes.get("data-property"),
                                     "rows": []})
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "img":
            self.page.images.append(attributes.get("src", ""))

    def handle_endtag(self, tag):
        assert tag not in VOID, f"end tag of void element <{tag}>"
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes <{self.stack[-1] if self.stack else None}>"
        self.stack.pop()
        if tag in ("td", "th") and self._row is not None:
            self._row.append(" ".join("".join(self._cell or []).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.page.tables[-1]["rows"].append(self._row)
            self._row = None

    def handle_data(self, data):
        self.chunks.append(data)
        if self._cell is not None:
            self._cell.append(data)


def parse_page(path: Path) -> Page:
    """The page, strictly parsed; every inlined image must be a PNG that PIL decodes."""
    parser = StrictParser()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    assert parser.stack == ["html"] or parser.stack == [], f"unclosed elements: {parser.stack}"
    parser.page.text = " ".join("".join(parser.chunks).split())
    for src in parser.page.images:
        assert src.startswith("data:image/png;base64,"), f"image not inlined: {src[:60]}"
        image = Image.open(io.BytesIO(base64.b64decode(src.split(",", 1)[1], validate=True)))
        image.load()
        assert image.size[0] > 100 and image.size[1] > 100, image.size
    return parser.page


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def open_in_browser(path: Path, scratch: Path) -> dict[str, str]:
    """Load ``path`` in headless Chromium; return what the browser saw: the sections and, per image, whether it
    decoded (``naturalWidth > 0``). A copy gets a script that writes these into the DOM, which is then dumped."""
    probe = ("<script>window.addEventListener('load',()=>{document.body.setAttribute('data-images',"
             "[...document.images].map(i=>i.complete&&i.naturalWidth>0?'1':'0').join(''));"
             "document.body.setAttribute('data-sections',[...document.querySelectorAll('section')]"
             ".map(s=>s.id).join(','))})</script>")
    copy = scratch / f"browser_{path.name}"
    copy.write_text(path.read_text(encoding="utf-8").replace("</body>", probe + "</body>"), encoding="utf-8")
    result = subprocess.run(
        [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=5000", "--dump-dom",
         copy.as_uri()], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    body = re.search(r"<body([^>]*)>", result.stdout)
    assert body, result.stdout[:500]
    return dict(re.findall(r'(data-[a-z]+)="([^"]*)"', body.group(1)))
