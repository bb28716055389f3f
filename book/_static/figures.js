/* Draws the book's figures: each `div.rv-figure` holds its plotly figure as JSON
 * (rope_viz/_book.py). This script
 *  - loads plotly.js without blocking the page's first paint, and draws a figure when it comes
 *    near the screen;
 *  - applies the page's light or dark template (window.ROPE_VIZ_THEMES, from figure_themes.js)
 *    and follows the theme switch;
 *  - applies a figure's narrow-screen changes (layout.meta.narrow, rope_viz.figures._style.
 *    set_narrow) while its box is narrower than ROPE_VIZ_THEMES.narrowWidth, and undoes them
 *    when it is wider again;
 *  - never plays an animation unasked; with prefers-reduced-motion the Play button is removed
 *    (the frame slider still steps by hand).
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var PLOTLY_URL = new URL("vendor/plotly.min.js", script ? script.src : location.href).href;
  var plotlyPromise = null;
  var drawn = [];

  function settings() {
    return window.ROPE_VIZ_THEMES || { narrowWidth: 560, light: {}, dark: {} };
  }

  function loadPlotly() {
    if (window.Plotly) return Promise.resolve(window.Plotly);
    if (!plotlyPromise) {
      plotlyPromise = new Promise(function (resolve, reject) {
        var tag = document.createElement("script");
        tag.src = PLOTLY_URL;
        tag.async = true;
        tag.onload = function () { resolve(window.Plotly); };
        tag.onerror = reject;
        document.head.appendChild(tag);
      });
    }
    return plotlyPromise;
  }

  function theme() {
    return document.documentElement.dataset.theme === "dark" ? "dark" : "light";
  }

  function reducedMotion() {
    return !!(window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches);
  }

  // "a.b[2].c" -> ["a", "b", 2, "c"]; plotly's "title_text" shorthand -> ["title", "text"].
  function splitPath(path) {
    var parts = [];
    path.split(".").forEach(function (piece) {
      var re = /([^\[\]]+)|\[(\d+)\]/g, m;
      while ((m = re.exec(piece))) parts.push(m[2] !== undefined ? Number(m[2]) : m[1]);
    });
    return parts;
  }

  function getPath(obj, path) {
    var parts = splitPath(path);
    for (var i = 0; i < parts.length; i++) {
      if (obj === undefined || obj === null) return undefined;
      obj = obj[parts[i]];
    }
    return obj;
  }

  function clone(value) {
    return value === undefined ? null : JSON.parse(JSON.stringify(value));
  }

  // Apply {traces: {index: {prop: value}}, layout: {path: value}} to a drawn figure.
  function applyChanges(gd, changes) {
    var Plotly = window.Plotly;
    var traces = changes.traces || {};
    Object.keys(traces).forEach(function (index) {
      var update = {};
      Object.keys(traces[index]).forEach(function (prop) { update[prop] = [traces[index][prop]]; });
      Plotly.restyle(gd, update, [Number(index)]);
    });
    if (changes.layout && Object.keys(changes.layout).length) Plotly.relayout(gd, changes.layout);
  }

  // The figure's own values on the paths a narrow change touches, to restore them later.
  function savedValues(spec, narrow) {
    var saved = { traces: {}, layout: {} };
    Object.keys(narrow.traces || {}).forEach(function (index) {
      saved.traces[index] = {};
      Object.keys(narrow.traces[index]).forEach(function (prop) {
        saved.traces[index][prop] = clone(getPath(spec.data[Number(index)], prop));
      });
    });
    Object.keys(narrow.layout || {}).forEach(function (path) {
      saved.layout[path] = clone(getPath(spec.layout, path));
    });
    return saved;
  }

  // Changes every figure gets on a narrow screen, before its own: smaller margins and text.
  function defaultNarrow(layout) {
    var margin = layout.margin || {};
    var font = (layout.font && layout.font.size) || 13;
    return {
      traces: {},
      layout: {
        "margin.l": Math.min(margin.l === undefined ? 80 : margin.l, 52),
        "margin.r": Math.min(margin.r === undefined ? 80 : margin.r, 14),
        "font.size": Math.min(font, 12),
      },
    };
  }

  function narrowChanges(spec) {
    var own = (spec.layout.meta && spec.layout.meta.narrow) || { traces: {}, layout: {} };
    var all = defaultNarrow(spec.layout);
    Object.keys(own.layout || {}).forEach(function (k) { all.layout[k] = own.layout[k]; });
    all.traces = own.traces || {};
    return all;
  }

  function isNarrow(box) {
    return box.clientWidth > 0 && box.clientWidth < settings().narrowWidth;
  }

  function withoutPlay(layout) {
    // Under prefers-reduced-motion an animation is stepped by its slider only.
    if (!layout.updatemenus) return;
    layout.updatemenus = layout.updatemenus.filter(function (menu) {
      return !(menu.buttons || []).every(function (b) { return b.method === "animate"; });
    });
  }

  function draw(box) {
    if (box.dataset.rvState) return;
    box.dataset.rvState = "loading";
    var source = box.querySelector("script[type='application/json']");
    var spec = JSON.parse(source.textContent);
    loadPlotly().then(function (Plotly) {
      var layout = spec.layout;
      layout.template = settings()[theme()];
      if (reducedMotion()) withoutPlay(layout);
      var gd = document.createElement("div");
      gd.className = "rv-plot";
      box.appendChild(gd);
      var narrow = narrowChanges(spec);
      var state = { box: box, gd: gd, spec: spec, narrow: narrow,
                    saved: savedValues(spec, narrow), isNarrow: false, theme: theme() };
      var config = Object.assign({}, spec.config || {});
      if (isNarrow(box)) config.displayModeBar = false;  // on a phone it covers the title
      return Plotly.newPlot(gd, spec.data, layout, config).then(function () {
        if (spec.frames && spec.frames.length) return Plotly.addFrames(gd, spec.frames);
      }).then(function () {
        drawn.push(state);
        fit(state);
        box.style.minHeight = "";
        box.dataset.rvState = "drawn";
      });
    }).catch(function (error) {
      box.dataset.rvState = "failed";
      console.error("rope_viz figure failed to draw", error);
    });
  }

  function fit(state) {
    var narrow = isNarrow(state.box);
    if (narrow === state.isNarrow) return;
    state.isNarrow = narrow;
    applyChanges(state.gd, narrow ? state.narrow : state.saved);
  }

  function followTheme() {
    var now = theme();
    drawn.forEach(function (state) {
      if (state.theme === now) return;
      state.theme = now;
      window.Plotly.relayout(state.gd, { template: settings()[now] });
    });
  }

  function start() {
    var boxes = [].slice.call(document.querySelectorAll("div.rv-figure"));
    if (!boxes.length) return;
    if ("IntersectionObserver" in window) {
      var observer = new IntersectionObserver(function (entries) {
        entries.forEach(function (entry) {
          if (entry.isIntersecting) {
            observer.unobserve(entry.target);
            draw(entry.target);
          }
        });
      }, { rootMargin: "800px 0px" });
      boxes.forEach(function (box) { observer.observe(box); });
      // Once the page has loaded, fetch plotly.js so that scrolling never waits for it.
      window.addEventListener("load", function () { setTimeout(loadPlotly, 0); });
    } else {
      boxes.forEach(draw);
    }
    new MutationObserver(followTheme).observe(document.documentElement,
      { attributes: true, attributeFilter: ["data-theme"] });
    window.addEventListener("resize", function () { drawn.forEach(fit); });
  }

  window.ropeViz = { draw: draw, drawn: drawn, loadPlotly: loadPlotly };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
