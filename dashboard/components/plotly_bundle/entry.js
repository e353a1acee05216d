// The dashboard's Plotly: the library's core and the three trace types its charts use
// (bar, heatmap, choropleth). About a third of the full bundle's size, and evaluated in
// a fifth of its time: the browser's main thread is the cold start's bottleneck.
var Plotly = require('plotly.js/lib/core');
Plotly.register([require('plotly.js/lib/bar'), require('plotly.js/lib/heatmap'), require('plotly.js/lib/choropleth')]);
module.exports = Plotly;
