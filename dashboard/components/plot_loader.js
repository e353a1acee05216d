// Loads the dashboard's partial Plotly bundle once per page. Run by the preload the page
// sends first (preload.py) and by every chart (plot.js): whichever runs first starts the
// load, the others wait for it. A failed load is forgotten so the next chart tries again.
const BUNDLE = "app/static/plotly/plotly-hrd.min.js";

function hrdPlotly() {
  if (!window.hrdPlotly) {
    const main = performance.getEntriesByType("resource").map((e) => e.name)
      .find((u) => /\/static\/js\/index\.[\w-]+\.js$/.test(u));
    const base = main ? new URL("../../", main) : new URL("./", document.baseURI);
    const src = new URL(BUNDLE, base).href;
    window.hrdPlotly = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = src;
      script.async = true;
      script.onload = () => (window.HrdPlotly ? resolve(window.HrdPlotly) : reject(new Error("no Plotly in " + src)));
      script.onerror = () => reject(new Error("could not load " + src));
      document.head.appendChild(script);
    }).catch((err) => {
      window.hrdPlotly = null;
      throw err;
    });
  }
  return window.hrdPlotly;
}
