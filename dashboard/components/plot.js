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
  const layout = figure.layout || {};
  // keep the chart's place while the library loads: no jump when it is drawn
  div.style.minHeight = (layout.height || 450) + "px";
  const config = Object.assign({ displaylogo: false, responsive: false,
    modeBarButtonsToRemove: ["select2d", "lasso2d"] }, data.config || {});
  const width = () => Math.max(150, Math.floor(parentElement.getBoundingClientRect().width));
  if (div.hrdObserver) div.hrdObserver.disconnect();
  let stopped = false;
  // until this figure is drawn: a page with this attribute is not finished (bench.py waits on it)
  const drawing = String((Number(div.dataset.drawing) || 0) + 1);
  div.dataset.drawing = drawing;

  hrdPlotly().then((Plotly) => {
    if (stopped) return undefined;
    layout.width = width();
    return Plotly.react(div, figure.data || [], layout, config).then(() => {
      if (div.dataset.drawing === drawing) delete div.dataset.drawing;
      if (data.clickable && !div.hrdBound) {
        div.hrdBound = true;
        div.on("plotly_click", (event) => {
          if (event && event.points && event.points.length) div.hrdTrigger("click", clicked(event.points[0]));
        });
      }
      let drawn = layout.width;
      const observer = new ResizeObserver(() => {
        const now = width();
        if (now !== drawn && div.isConnected) {
          drawn = now;
          Plotly.relayout(div, { width: now });
        }
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
