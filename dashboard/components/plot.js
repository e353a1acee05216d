// The dashboard's chart element: draws a Plotly figure once, at the column's width, with
// the dashboard's own partial Plotly bundle (core, bar, heatmap, choropleth), and reports
// a click on a bar or a country to Python as the trigger value "click".
//
// Why not st.plotly_chart: Streamlit's chart module carries the full plotly.js (4.7 MB,
// 0.75-1.3 s of the browser's main thread to evaluate in traces of a cold start here)
// and draws every chart twice on its first appearance (hidden, then at the measured
// width). The browser's main thread is the cold start's bottleneck.
//
// plot.py puts plot_loader.js (hrdPlotly) before this file.

// What Python gets for a click: the fields the pages filter by, nothing of Plotly's internals.
function clicked(point) {
  const plain = (v) => (v === undefined ? null : v);
  return {
    location: plain(point.location),
    customdata: plain(point.customdata),
    x: plain(point.x),
    y: plain(point.y),
    curve_number: plain(point.curveNumber),
    point_index: plain(point.pointIndex ?? point.pointNumber),
  };
}

// --- a figure fitted to a narrow column (a phone, a split window) -------------------------
// The figures are built on the server, which does not know the column's width. At a phone's
// width a one-line title runs out of the chart and Plotly cuts it, and a colour bar on the
// right takes a third of the width from the map. fit() rewraps such a title into lines
// (more room at the top) and lays a colour bar horizontally under its chart. A figure that
// fits is drawn exactly as built (every chart on a desktop screen).
const TITLE_CHAR_EM = 0.62; // average width of a bold title character, in its font size
const TITLE_LINE_PX = 22; // charts.TITLE_LINE_PX: the room one more title line takes
const NARROW_PX = 560; // below this width a colour bar lies under its chart
const BAR_BELOW_PX = 64; // the room a horizontal colour bar and its title take under the chart
const WORLD_ASPECT = 0.52; // height / width of the world in the map's "natural earth" projection
const UPRIGHT_YEARS_PX = 26; // a heat map's year labels turned upright take this much more height
const MIN_VALUE_LABEL_PX = 9; // a bar's value label is drawn at this size or not at all

function titleLines(text, fontSize, width) {
  const words = text.split(/<br>|\s+/).filter(Boolean);
  const perLine = Math.max(8, Math.floor((width - 20) / (fontSize * TITLE_CHAR_EM)));
  if (text.split("<br>").every((line) => line.length <= perLine)) return null; // it fits as built
  const lines = [];
  for (const word of words) {
    const last = lines.length - 1;
    if (last >= 0 && (lines[last] + " " + word).length <= perLine) lines[last] += " " + word;
    else lines.push(word);
  }
  return lines;
}

// --- horizontal bars in a narrow column (two charts side by side in a split window) ------------
// Beside their bars, the category labels of a breakdown take about 125 px: in a column of
// about 210 px (the Overview's two breakdowns, the Compare page's two sides, in a 900 px
// window) the bars got 50-60 px and the longest bar's value label ran out of the chart
// ("1,08"). There each label is written above its bar instead, wrapped to the column, and the
// count axis is lengthened so every value label fits. The rows are laid out in pixels (a
// linear axis one unit a pixel): a label of one line takes one line, one of two lines two.
const LABEL_PAD_PX = 24; // charts.LABEL_PAD_PX and the axis' pad
const BARS_MIN_PX = 120; // below this room for the bars beside their labels, the labels go above them
const ABOVE_LINE_PX = 15; // one line of a label written above its bar
const ABOVE_BAR_PX = 18; // the bar under it
const ABOVE_GAP_PX = 10; // between a bar and the next row's label
const RANGE_HEADROOM = 1.2; // charts.breakdown: the count axis ends at the largest count × 1.2

let measuring = null;
// The width of a text in the figure's font, as the browser will draw it.
function textWidth(text, layout, size) {
  measuring = measuring || document.createElement("canvas").getContext("2d");
  const family = (layout.font && layout.font.family) || "sans-serif";
  measuring.font = size + "px " + family;
  return measuring.measureText(String(text)).width;
}

function labelsAbove(data, layout, width, margin) {
  const yaxis = layout.yaxis || {};
  const categories = yaxis.categoryarray;
  const bars = data.length > 0 && data.every((t) => t.type === "bar" && t.orientation === "h");
  if (!bars || yaxis.type !== "category" || !Array.isArray(categories) || !categories.length) return false;
  const longest = Math.max(...categories.flatMap((c) => String(c).split("<br>").map((l) => textWidth(l, layout, 12))));
  return width - margin.r - (longest + LABEL_PAD_PX) < BARS_MIN_PX;
}

function wrapLine(text, room, layout) {
  const lines = [];
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const last = lines.length - 1;
    if (last >= 0 && textWidth(lines[last] + " " + word, layout, 12) <= room) lines[last] += " " + word;
    else lines.push(word);
  }
  return lines;
}

// The same bars with each category's label above its bar; returns the figure's new traces and
// the height its rows add. Rows are counted from the bottom, as Plotly draws the categories.
function withLabelsAbove(data, layout, width, margin) {
  const categories = layout.yaxis.categoryarray.map(String);
  const labels = categories.map((c) => wrapLine(c.split("<br>").join(" "), width - 12, layout));
  const oldPlot = (layout.height || 450) - margin.t - margin.b;
  const centre = {};
  const annotations = [];
  let base = 0;
  labels.forEach((lines, i) => {
    centre[categories[i]] = base + ABOVE_GAP_PX + ABOVE_BAR_PX / 2;
    annotations.push({
      text: lines.join("<br>"), x: 0, xref: "paper", xanchor: "left", y: base + ABOVE_GAP_PX + ABOVE_BAR_PX,
      yref: "y", yanchor: "bottom", showarrow: false, align: "left",
      font: { size: 12, color: ((layout.template || {}).layout || {}).font?.color },
    });
    base += ABOVE_GAP_PX + ABOVE_BAR_PX + lines.length * ABOVE_LINE_PX;
  });
  margin.l = 4;
  // the count axis: room after the longest bar for the longest value label (two sides drawn on
  // one scale share the axis' end, so they keep sharing it)
  const plot = width - margin.l - margin.r;
  const xaxis = Object.assign({}, layout.xaxis || {});
  if (Array.isArray(xaxis.range) && xaxis.range.length === 2) {
    const top = xaxis.range[1] / RANGE_HEADROOM;
    const valueLabel = textWidth(Math.round(top).toLocaleString("en"), layout, 12) + 10;
    if (plot > valueLabel * 2) xaxis.range = [xaxis.range[0], Math.max(xaxis.range[1], top * plot / (plot - valueLabel))];
  }
  layout.xaxis = xaxis;
  // one unit of the axis a pixel of the plot: each row as tall as its label needs
  layout.yaxis = { type: "linear", range: [0, base], showticklabels: false, showgrid: false, zeroline: false,
    automargin: false, fixedrange: true, title: { text: "" } };
  layout.annotations = (layout.annotations || []).concat(annotations);
  const traces = data.map((t) => {
    const names = Array.from(t.y || [], String);
    return Object.assign({}, t, {
      y: names.map((n) => centre[n]), width: ABOVE_BAR_PX, hovertext: names.map((n) => n.split("<br>").join(" ")),
      hovertemplate: String(t.hovertemplate || "%{y}: %{text}").split("%{y}").join("%{hovertext}"),
    });
  });
  return { traces, extra: base - oldPlot };
}

function fit(figure, width) {
  const data = figure.data || [];
  const layout = Object.assign({}, figure.layout || {}, { width });
  const title = layout.title && layout.title.text;
  const lines = title ? titleLines(title, (layout.title.font && layout.title.font.size) || 15, width) : null;
  const narrow = width < NARROW_PX && data.some((t) => t.type === "choropleth" || t.type === "heatmap");
  // Plotly's default margins where the figure names none
  const margin = Object.assign({ t: 100, b: 80, l: 80, r: 80 }, layout.margin || {});
  const above = labelsAbove(data, layout, width, margin);
  // value labels over upright bars: Plotly shrinks one that is wider than its bar, down to 3 px at
  // a phone's width (twelve years of three bars each); below 9 px it is left out (hover still tells)
  const tiny = width < NARROW_PX && data.some((t) => t.type === "bar" && t.orientation !== "h" && t.text);
  if (!lines && !narrow && !above && !tiny) return { data, layout, shape: "as built" };
  if (tiny) layout.uniformtext = { minsize: MIN_VALUE_LABEL_PX, mode: "hide" };
  let height = layout.height || 450;
  let traces = data;
  if (above) {
    const rows = withLabelsAbove(data, layout, width, margin);
    traces = rows.traces;
    height += rows.extra;
  }
  if (lines) {
    const extra = (lines.length - title.split("<br>").length) * TITLE_LINE_PX;
    layout.title = Object.assign({}, layout.title, { text: lines.join("<br>") });
    margin.t += extra;
    height += extra;
  }
  if (narrow) {
    traces = traces.map((t) => {
      if (t.type !== "choropleth" && t.type !== "heatmap") return t;
      const bar = Object.assign({}, t.colorbar || {}, {
        orientation: "h", x: 0.5, xanchor: "center", y: 0, yref: "container", yanchor: "bottom",
        thickness: 12, len: 0.9,
      });
      bar.title = Object.assign({}, bar.title || {}, { side: "bottom" }); // "top" overlaps the bar in this Plotly
      return Object.assign({}, t, { colorbar: bar });
    });
    margin.r = 10;
    margin.b += BAR_BELOW_PX;
    height += BAR_BELOW_PX;
    if (data.some((t) => t.type === "heatmap")) {
      // a year a column leaves no room for "2024" written across: upright, with its room
      layout.xaxis = Object.assign({}, layout.xaxis || {}, { tickangle: -90 });
      margin.b += UPRIGHT_YEARS_PX;
      height += UPRIGHT_YEARS_PX;
    }
    if (layout.geo) {
      // the map keeps its shape: at a phone's width a fixed height leaves bands of white
      height = margin.t + margin.b + Math.ceil((width - margin.l - margin.r) * WORLD_ASPECT);
    }
  }
  layout.margin = margin;
  layout.height = height;
  return { data: traces, layout,
    shape: (lines ? lines.join("|") : "") + (narrow ? "|bar below" : "") + (above ? "|labels above at " + width : "") + (tiny ? "|uniform labels" : "") };
}

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  let div = parentElement.querySelector(":scope > .hrd-chart");
  if (!div) {
    div = document.createElement("div");
    div.className = "hrd-chart";
    div.setAttribute("data-testid", "hrdChart");
    div.setAttribute("role", "figure");
    parentElement.appendChild(div);
  }
  div.hrdTrigger = setTriggerValue; // the newest one, for the click handler bound once
  div.setAttribute("aria-label", data.label || "");
  div.classList.toggle("hrd-clickable", Boolean(data.clickable));
  const figure = JSON.parse(data.spec);
  const config = Object.assign({ displaylogo: false, responsive: false,
    modeBarButtonsToRemove: ["select2d", "lasso2d"] }, data.config || {});
  const width = () => Math.max(150, Math.floor(parentElement.getBoundingClientRect().width));
  // keep the chart's place while the library loads: no jump when it is drawn
  div.style.minHeight = (fit(figure, width()).layout.height || 450) + "px";
  if (div.hrdObserver) div.hrdObserver.disconnect();
  let stopped = false;
  // until this figure is drawn: a page with this attribute is not finished (bench.py waits on it)
  const drawing = String((Number(div.dataset.drawing) || 0) + 1);
  div.dataset.drawing = drawing;

  const bindClick = () => {
    if (data.clickable && !div.hrdBound) {
      div.hrdBound = true;
      div.on("plotly_click", (event) => {
        if (event && event.points && event.points.length) div.hrdTrigger("click", clicked(event.points[0]));
      });
    }
  };
  // A figure fitted otherwise than the one on the element (narrowed, widened) is drawn anew:
  // Plotly.react keeps attributes the new figure leaves out, such as a colour bar's
  // orientation and place, so a map widened again kept its bar where the narrow one had it.
  const draw = (Plotly, fitted) => {
    const fresh = div.hrdShape !== undefined && div.hrdShape !== fitted.shape;
    div.hrdShape = fitted.shape;
    if (fresh) div.hrdBound = false; // newPlot drops the element's event handlers
    return (fresh ? Plotly.newPlot : Plotly.react)(div, fitted.data, fitted.layout, config).then(bindClick);
  };

  hrdPlotly().then((Plotly) => {
    if (stopped) return undefined;
    let fitted = fit(figure, width());
    return draw(Plotly, fitted).then(() => {
      if (div.dataset.drawing === drawing) delete div.dataset.drawing;
      const observer = new ResizeObserver(() => {
        const now = width();
        if (now === fitted.layout.width || !div.isConnected) return;
        const next = fit(figure, now);
        const same = next.shape === fitted.shape; // only the width changes: no new layout to draw
        fitted = next;
        div.style.minHeight = (next.layout.height || 450) + "px";
        if (same) Plotly.relayout(div, { width: now });
        else draw(Plotly, next);
      });
      observer.observe(parentElement);
      div.hrdObserver = observer;
    });
  }).catch((err) => {
    delete div.dataset.drawing;
    div.textContent = "This chart could not be drawn (" + err.message + "). Reload the page to try again.";
  });

  return () => {
    stopped = true;
    if (div.hrdObserver) div.hrdObserver.disconnect();
  };
}
