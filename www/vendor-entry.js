// The parts of Observable Plot the page uses; scripts/build-www bundles this file (with the d3
// modules it needs) into vendor/plot.js, an ES module served from the page's own origin.
export { plot, barX, barY, lineY, ruleX, ruleY, cell, text, tip, pointerX, dot, axisX, axisY, gridY, stackY } from '@observablehq/plot';
