"""Reports as a word processor makes them, and papers as LaTeX does: ``python -m bench.wordproc OUTDIR``.

Writes flat-ODT documents and their ground truth (the body text in reading
order, without running headers, footers or footnotes), which LibreOffice turns
into the kind of PDF public bodies publish: embedded subset fonts, a running
header, "Page N" footers, footnotes at the foot of the page (of each column on
a two-column page), numbered headings, a table. ``bench/pdf-made/`` holds the
PDFs made so (LibreOffice 7.4: ``soffice --headless --convert-to pdf *.fodt``);
``python -m bench.pdf_dev`` scores the reader on them beside pdf-dev, and
tests/ingest/loaders/test_made_pdfs.py checks them. Deterministic: a seeded
generator, nothing fitted to any real document.

- ``report-1col``: one column, 45 footnotes, a table;
- ``report-2col``: the same kind of report in two columns, notes under each column;
- ``report-endnotes``: endnotes as a word processor numbers them by default (i, ii, iii; their own page
  at the end), a bulleted list, "Page N of M" footers;
- ``arabic``: two right-to-left paragraphs with Arabic-Indic years;
- ``paper-type1`` and ``paper-type3``: a two-column LaTeX paper (title and abstract over both columns,
  a table, footnotes, hyphenated lines), ``pdflatex paper-*.tex``; the second in T1 encoding, which a
  TeX without cm-super sets in bitmap (Type3) fonts whose ligatures pypdf cannot name.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path
from xml.sax.saxutils import escape

TOPICS = ["water", "energy", "housing", "transport", "schools", "hospitals", "broadband", "rail", "ports", "farming"]
PLACES = ["Albania", "Serbia", "Kosovo", "Montenegro", "North Macedonia", "Bosnia and Herzegovina", "Croatia"]
VERBS = ["rose", "fell", "doubled", "stalled", "recovered", "improved", "declined"]
REASONS = ["because funding arrived late", "after the council changed its plans", "as prices climbed",
           "while staff shortages persisted", "once the new law took effect", "despite a mild winter"]
TITLE = "Public Services in the Western Balkans: A Review of Spending and Delivery"
HEADER = "Public Services in the Western Balkans"
CHAPTERS = ["Summary", "Introduction", "Spending on public services", "Delivery on the ground",
            "Regional differences", "Conclusions and recommendations"]

_STYLES = """<office:styles>
 <style:default-style style:family="paragraph"><style:paragraph-properties {direction}/>
  <style:text-properties fo:font-size="11pt" style:font-name-complex="DejaVu Sans" style:font-size-complex="12pt"/>
 </style:default-style>
 <style:style style:name="Body" style:family="paragraph">
  <style:paragraph-properties fo:margin-bottom="0.25cm" fo:text-align="justify"/></style:style>
 <style:style style:name="Title" style:family="paragraph"><style:paragraph-properties fo:margin-top="6cm"
  fo:text-align="center"/><style:text-properties fo:font-size="26pt" fo:font-weight="bold"/></style:style>
 <style:style style:name="Subtitle" style:family="paragraph"><style:paragraph-properties fo:text-align="center"
  fo:margin-top="1cm"/><style:text-properties fo:font-size="14pt"/></style:style>
 <style:style style:name="Break" style:family="paragraph"><style:paragraph-properties fo:break-after="page"/>
 </style:style>
 <style:style style:name="H1" style:family="paragraph"><style:paragraph-properties fo:margin-top="0.6cm"
  fo:margin-bottom="0.3cm" fo:keep-with-next="always"/><style:text-properties fo:font-size="16pt"
  fo:font-weight="bold" style:font-size-complex="18pt" style:font-weight-complex="bold"/></style:style>
 <style:style style:name="H2" style:family="paragraph"><style:paragraph-properties fo:margin-top="0.4cm"
  fo:margin-bottom="0.2cm" fo:keep-with-next="always"/><style:text-properties fo:font-size="13pt"
  fo:font-weight="bold"/></style:style>
 <style:style style:name="Footnote" style:family="paragraph"><style:text-properties fo:font-size="8.5pt"/>
 </style:style>
 <style:style style:name="Caption" style:family="paragraph"><style:paragraph-properties fo:margin-top="0.3cm"/>
  <style:text-properties fo:font-size="10pt" fo:font-style="italic"/></style:style>
 <style:style style:name="TH" style:family="paragraph"><style:text-properties fo:font-size="10pt"
  fo:font-weight="bold"/></style:style>
 <style:style style:name="TD" style:family="paragraph"><style:text-properties fo:font-size="10pt"/></style:style>
 <style:style style:name="HF" style:family="paragraph"><style:paragraph-properties fo:text-align="center"/>
  <style:text-properties fo:font-size="9pt"/></style:style>
</office:styles>"""

_DOCUMENT = """<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
 xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
 office:version="1.2" office:mimetype="application/vnd.oasis.opendocument.text">
{styles}
<office:automatic-styles>
 <style:page-layout style:name="PL"><style:page-layout-properties fo:page-width="21cm" fo:page-height="29.7cm"
  fo:margin-top="1.5cm" fo:margin-bottom="1.5cm" fo:margin-left="2.5cm" fo:margin-right="2.5cm">{columns}
  </style:page-layout-properties>
  <style:header-style><style:header-footer-properties fo:min-height="0.8cm" fo:margin-bottom="0.5cm"/>
  </style:header-style>
  <style:footer-style><style:header-footer-properties fo:min-height="0.8cm" fo:margin-top="0.5cm"/>
  </style:footer-style></style:page-layout>
 <style:style style:name="Tab" style:family="table"><style:table-properties style:width="16cm"
  table:align="margins"/></style:style>
</office:automatic-styles>
<office:master-styles><style:master-page style:name="Standard" style:page-layout-name="PL">{furniture}
</style:master-page></office:master-styles>
<office:body><office:text>
{body}
</office:text></office:body></office:document>
"""

_FURNITURE = f"""
 <style:header><text:p text:style-name="HF">{escape(HEADER)}</text:p></style:header>
 <style:footer><text:p text:style-name="HF">Page <text:page-number text:select-page="current">1</text:page-number>
 </text:p></style:footer>"""


class Report:
    """One synthetic report: its ODT body and, in step, its ground truth."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.body: list[str] = []
        self.truth: list[str] = []
        self.notes = 0

    def sentence(self) -> str:
        r = self.rng
        t, p, v, why = r.choice(TOPICS), r.choice(PLACES), r.choice(VERBS), r.choice(REASONS)
        year, pct = r.randint(2010, 2024), r.randint(2, 60)
        return r.choice([
            f"Spending on {t} in {p} {v} by {pct} per cent between {year} and {year + 1}, {why}.",
            f"The ministry reported that {t} projects in {p} {v} {why}, according to officials we interviewed.",
            f"In {year}, the regional office counted {pct * 37} complaints about {t}, most of them from rural "
            "districts.",
            f"Local authorities in {p} told the committee that {t} budgets {v} {why}.",
            f"Our survey of {pct * 11} households found that access to {t} {v} in {year}.",
        ])

    def note(self) -> str:
        r = self.rng
        self.notes += 1
        k = self.notes
        source = r.choice([f"Ministry of Finance, Annual budget statement {r.randint(2015, 2024)}, table {k}.",
                           f"https://www.example.gov/statistics/release-{k}",
                           f"Interview with a regional official, {r.choice(PLACES)}, March {r.randint(2019, 2024)}."])
        return (f'<text:note text:id="ftn{k}" text:note-class="footnote"><text:note-citation>{k}'
                f'</text:note-citation><text:note-body><text:p text:style-name="Footnote">{escape(source)}</text:p>'
                "</text:note-body></text:note>")

    def paragraph(self, sentences: int) -> None:
        plain = [self.sentence() for _ in range(sentences)]
        marked = [escape(s) + (self.note() if self.rng.random() < 0.25 else "") for s in plain]
        self.truth.append(" ".join(plain))
        self.body.append(f'<text:p text:style-name="Body">{" ".join(marked)}</text:p>')

    def line(self, style: str, text: str, level: int = 0) -> None:
        self.truth.append(text)
        if level:
            self.body.append(f'<text:h text:style-name="{style}" text:outline-level="{level}">{escape(text)}</text:h>')
        else:
            self.body.append(f'<text:p text:style-name="{style}">{escape(text)}</text:p>')

    def table(self, rows: list[list[str]]) -> None:
        self.truth.extend(" | ".join(row) for row in rows)
        xml = []
        for r, row in enumerate(rows):
            cells = "".join(f'<table:table-cell office:value-type="string"><text:p text:style-name='
                            f'"{"TH" if r == 0 else "TD"}">{escape(c)}</text:p></table:table-cell>' for c in row)
            xml.append(f"<table:table-row>{cells}</table:table-row>")
        self.body.append(f'<table:table table:name="T{len(self.body)}" table:style-name="Tab"><table:table-column '
                         f'table:number-columns-repeated="{len(rows[0])}"/>{"".join(xml)}</table:table>')


def report(seed: int) -> Report:
    doc = Report(seed)
    r = doc.rng
    doc.line("Title", TITLE)
    doc.line("Subtitle", "Report of the Select Committee, Session 2024-25")
    doc.body.append('<text:p text:style-name="Break"/>')
    for c, name in enumerate(CHAPTERS, start=1):
        doc.line("H1", f"{c}. {name}", 1)
        for s in range(r.randint(2, 3)):
            if c > 1:
                doc.line("H2", f"{c}.{s + 1} {r.choice(TOPICS).capitalize()} and {r.choice(TOPICS)}", 2)
            for _ in range(r.randint(2, 4)):
                doc.paragraph(r.randint(3, 6))
            if c == 3 and s == 0:
                doc.line("Caption", "Table 1: Spending by country")
                rows = [["Country", "2022", "2023", "Change"]]
                for place in PLACES:
                    a, b = r.randint(100, 900), r.randint(100, 900)
                    rows.append([place, str(a), str(b), f"{(b - a) * 100 // a}%"])
                doc.table(rows)
    return doc


ARABIC = [
    ("H1", "تقرير عن الخدمات العامة", 1),
    ("Body", "ارتفع الإنفاق على المياه في ألبانيا بنسبة عشرين في المائة بين عامي ٢٠٢٠ و٢٠٢١، وذلك بسبب تأخر وصول "
             "التمويل. وقالت السلطات المحلية إن ميزانيات المدارس تراجعت بعد أن غير المجلس خططه. وأظهر مسحنا للأسر أن "
             "الوصول إلى النقل تحسن في عام ٢٠١٩.", 0),
    ("Body", "وقالت الوزارة إن مشاريع الطاقة في صربيا تعافت بعد دخول القانون الجديد حيز التنفيذ، وفقا للمسؤولين الذين "
             "قابلناهم. وأحصى المكتب الإقليمي مئات الشكاوى حول الإسكان، معظمها من المناطق الريفية.", 0),
]


PAPER_NOUNS = ["model", "encoder", "table parser", "tokenizer", "benchmark", "dataset", "decoder", "baseline"]
PAPER_ADJECTIVES = ["larger", "smaller", "deeper", "faster", "sparser", "denser"]
_PAPER = r"""\documentclass[10pt,twocolumn]{article}
%(fontenc)s
\usepackage{booktabs}
\usepackage[margin=2cm]{geometry}
\title{%(title)s}
\author{Ana Author \and Ben Writer}
\date{}
\begin{document}
\twocolumn[\maketitle\begin{center}\begin{minipage}{0.85\textwidth}\section*{Abstract}%(abstract)s
\end{minipage}\end{center}\vspace{1em}]
%(body)s
\end{document}
"""


def paper(seed: int, t1: bool) -> tuple[str, list[str]]:
    """A two-column LaTeX paper and its ground truth."""
    r = random.Random(seed)
    truth: list[str] = []

    def sentence() -> str:
        n, a, k = r.choice(PAPER_NOUNS), r.choice(PAPER_ADJECTIVES), r.randint(2, 95)
        return r.choice([f"The {a} {n} improves accuracy by {k} points on the held-out split.",
                         f"We observe that a {a} {n} converges in about {k} epochs without tuning.",
                         f"Table 1 shows that the {n} recovers {k} percent of the cells.",
                         f"In contrast, the {n} fails on {k} documents whose layout is irregular.",
                         f"Our analysis suggests that the {a} {n} benefits most from structure tokens."])

    def paragraph(n: int, note: bool = False) -> str:
        text = " ".join(sentence() for _ in range(n))
        truth.append(text)
        if note:
            text += f"\\footnote{{Code and data are available from the authors on request, version {r.randint(1, 9)}.}}"
        return text + "\n\n"

    title = "Structure Tokens for Robust Table Recognition in Scanned Reports"
    abstract = " ".join(sentence() for _ in range(4))
    truth += [title, "Abstract", abstract]
    body = []
    for number, name in enumerate(["Introduction", "Related Work", "Method", "Experiments", "Conclusion"], start=1):
        truth.append(f"{number} {name}")
        body.append(f"\\section{{{name}}}\n")
        for j in range(r.randint(2, 4)):
            body.append(paragraph(r.randint(4, 7), note=(number, j) in ((1, 0), (4, 1))))
        if name == "Experiments":
            sizes = zip(PAPER_ADJECTIVES[:3], ["base", "large", "small"], strict=True)
            rows = [("Model", "TEDS", "mAP")] + [(f"{a}-{size}", f"{r.uniform(60, 99):.1f}", f"{r.uniform(40, 90):.1f}")
                                                 for a, size in sizes]
            truth += ["Table 1: Accuracy by model size.", *(" | ".join(row) for row in rows)]
            lines = [" & ".join(row) + r" \\" for row in rows]
            body.append("\\begin{table}[t]\\centering\\caption{Accuracy by model size.}\\begin{tabular}{lrr}"
                        f"\\toprule\n{lines[0]}\\midrule\n" + "\n".join(lines[1:])
                        + "\\bottomrule\\end{tabular}\\end{table}\n\n")
            body.append(paragraph(3))
    tex = _PAPER % {"fontenc": r"\usepackage[T1]{fontenc}" if t1 else "", "title": title, "abstract": abstract,
                    "body": "".join(body)}
    return tex, truth


def write(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    made = []
    for name, seed, columns in (("report-1col", 1, 1), ("report-2col", 2, 2)):
        doc = report(seed)
        cols = f'<style:columns fo:column-count="{columns}" fo:column-gap="0.8cm"/>' if columns > 1 else ""
        xml = _DOCUMENT.format(styles=_STYLES.format(direction=""), columns=cols, furniture=_FURNITURE,
                               body="\n".join(doc.body))
        made.append(_save(out, name, xml, doc.truth))
    doc = report(11)  # endnotes, a list, "Page N of M"
    body = "\n".join(doc.body).replace('text:note-class="footnote"', 'text:note-class="endnote"')
    items = ["Councils should publish repair plans by 2026.", "The ministry should fund tanker deliveries in full.",
             "Regulators should report on water quality every year."]
    listed = "<text:list>" + "".join(f'<text:list-item><text:p text:style-name="Body">{escape(item)}</text:p>'
                                     "</text:list-item>" for item in items) + "</text:list>"
    last = f'outline-level="1">{len(CHAPTERS)}. {CHAPTERS[-1]}</text:h>'
    body = body.replace(last, last + listed, 1)
    doc.truth.extend(items)
    footer = _FURNITURE.replace("</text:page-number>", "</text:page-number> of <text:page-count>9</text:page-count>")
    xml = _DOCUMENT.format(styles=_STYLES.format(direction=""), columns="", furniture=footer, body=body)
    made.append(_save(out, "report-endnotes", xml, doc.truth))
    arabic = Report(0)
    for style, text, level in ARABIC:
        arabic.line(style, text, level)
    xml = _DOCUMENT.format(styles=_STYLES.format(direction='style:writing-mode="rl-tb" fo:text-align="end"'),
                           columns="", furniture="", body="\n".join(arabic.body))
    made.append(_save(out, "arabic", xml, arabic.truth))
    for name, seed, t1 in (("paper-type1", 5, False), ("paper-type3", 7, True)):
        tex, truth = paper(seed, t1)
        made.append(_save(out, name, tex, truth, suffix=".tex"))
    return made


def _save(out: Path, name: str, source: str, truth: list[str], suffix: str = ".fodt") -> Path:
    path = out / f"{name}{suffix}"
    path.write_text(source, encoding="utf-8")
    (out / f"{name}.groundtruth.md").write_text("\n\n".join(truth) + "\n", encoding="utf-8")
    return path


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m bench.wordproc OUTDIR   (then: soffice --headless --convert-to pdf OUTDIR/*.fodt;"
                 " pdflatex OUTDIR/paper-*.tex)")
    for path in write(Path(sys.argv[1])):
        print(path)
