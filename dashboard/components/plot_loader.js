// Loads the dashboard's partial Plotly bundle once per page. Run by the preload the page
// sends first (preload.py) and by every chart (plot.js): whichever runs first starts the
// load, the others wait for it. A failed load is forgotten so the next chart tries again.
//
// The world map's shapes (topojson) are fetched at the same time and handed to Plotly
// through its PlotlyGeoAssets registry: Plotly would otherwise fetch them only once it
// draws the map, after the other charts, and draw the map last. If that fetch fails,
// Plotly fetches the file itself as before.
const BUNDLE = "app/static/plotly/plotly-hrd.min.js";
const WORLD = "app/static/topojson/world_110m.json";

function hrdPlotly() {
  if (!window.hrdPlotly) {
    const main = performance.getEntriesByType("resource").map((e) => e.name)
      .find((u) => /\/static\/js\/index\.[\w-]+\.js$/.test(u));
    const base = main ? new URL("../../", main) : new URL("./", document.baseURI);
    const src = new URL(BUNDLE, base).href;
    const world = fetch(new URL(WORLD, base).href)
      .then((r) => (r.ok ? r.json() : null))
      .catch(() => null);
    const loaded = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = src;
      script.async = true;
      script.onload = () => (window.HrdPlotly ? resolve(window.HrdPlotly) : reject(new Error("no Plotly in " + src)));
      script.onerror = () => reject(new Error("could not load " + src));
      document.head.appendChild(script);
    });
    window.hrdPlotly = Promise.all([loaded, world]).then(([Plotly, shapes]) => {
      if (shapes && shapes.type === "Topology") {
        window.PlotlyGeoAssets = window.PlotlyGeoAssets || { topojson: {} };
        window.PlotlyGeoAssets.topojson = window.PlotlyGeoAssets.topojson || {};
        window.PlotlyGeoAssets.topojson.world_110m = shapes;
      }
      return Plotly;
    }).catch((err) => {
      window.hrdPlotly = null;
      throw err;
    });
  }
  return window.hrdPlotly;
}
