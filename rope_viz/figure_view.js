// The front end of rope_viz.widgets.FigureView (an anywidget): draws a plotly figure and
// redraws it with Plotly.react when the kernel sends the traces and layout a move changed.
//
// Messages from the kernel (model "msg:custom"):
//   {type: "changes", json: '{"traces": {index: trace}, "layout": layout or null}'}
//   {type: "figure", json: '{"data": [...], "layout": {...}}'}  (the whole figure)
//   {type: "plotly.js", source: "..."}                            (plotly.js, when asked for)
// Messages to the kernel: {type: "ready"} once per model (the kernel answers with the whole
// figure if it changed since the view was made: a page reloaded mid-session), and
// {type: "plotly.js?"} when no plotly.js is at hand.
//
// plotly.js comes from the first of: a Plotly already on the page (classic Notebook and Colab
// pages often have one), one this page already loaded for another view, the `_plotly_js`
// trait (filled for the first view a kernel makes), or a message asking the kernel for it.
// Nothing is fetched from the network.

function evaluate(source) {
  // plotly.min.js is a UMD bundle: give it a CommonJS `module` so it neither looks for an AMD
  // `define` (classic Notebook has require.js) nor needs a global.
  const module = { exports: {} };
  new Function("module", "exports", "define", source)(module, module.exports, undefined);
  return module.exports;
}

function plotly(model) {
  const page = globalThis;
  if (page.__ropeVizPlotly) return page.__ropeVizPlotly;
  if (page.Plotly && typeof page.Plotly.react === "function") {
    page.__ropeVizPlotly = Promise.resolve(page.Plotly);
    return page.__ropeVizPlotly;
  }
  const source = model.get("_plotly_js");
  if (source) {
    page.__ropeVizPlotly = Promise.resolve(evaluate(source));
    return page.__ropeVizPlotly;
  }
  page.__ropeVizPlotly = new Promise((resolve) => {
    const onSource = (msg) => {
      if (msg && msg.type === "plotly.js") {
        model.off("msg:custom", onSource);
        resolve(evaluate(msg.source));
      }
    };
    model.on("msg:custom", onSource);
    model.send({ type: "plotly.js?" });
  });
  return page.__ropeVizPlotly;
}

function theme(model) {
  // JupyterLab and Notebook 7 mark their theme on <body>; elsewhere follow the browser.
  const light = document.body && document.body.dataset.jpThemeLight;
  const dark = light === undefined
    ? globalThis.matchMedia && globalThis.matchMedia("(prefers-color-scheme: dark)").matches
    : light === "false";
  return model.get("_themes")[dark ? "dark" : "light"];
}

export default {
  initialize({ model }) {
    // The figure as it is now on this page, shared by every view of the model: a front-end-only
    // attribute "_rv" (never saved to the kernel), replaced on each change.
    const show = (figure) => model.set("_rv", { figure });
    show(JSON.parse(model.get("_figure")));
    model.on("change:_figure", () => show(JSON.parse(model.get("_figure"))));
    model.on("msg:custom", (msg) => {
      if (!msg || (msg.type !== "changes" && msg.type !== "figure")) return;
      const parsed = JSON.parse(msg.json);
      if (msg.type === "figure") return show(parsed);
      const now = model.get("_rv").figure;
      const data = now.data.slice();
      for (const [index, trace] of Object.entries(parsed.traces)) data[Number(index)] = trace;
      show({ data, layout: parsed.layout || now.layout });
    });
    model.send({ type: "ready" });
  },

  render({ model, el }) {
    // render returns at once and draws when plotly.js is at hand: ipywidgets 7 shows no part of
    // a widget (its sliders included) until every view's render has finished.
    const box = document.createElement("div");
    box.className = "rope-viz-figure";
    box.style.minHeight = `${(model.get("_rv").figure.layout || {}).height || 450}px`;
    el.appendChild(box);
    const config = model.get("_config");
    let Plotly = null;
    let pending = null;
    let closed = false;
    const draw = () => {
      const figure = model.get("_rv").figure;
      const layout = Object.assign({}, figure.layout, { template: theme(model) });
      return Plotly.react(box, figure.data, layout, config);
    };
    const redraw = () => {
      if (!Plotly || closed) return;
      // Coalesce moves that arrive while a drawing is under way: draw the latest once.
      if (pending) { pending.again = true; return; }
      pending = { again: false };
      const finish = () => {
        const again = pending.again;
        pending = null;
        if (again) redraw();
      };
      Promise.resolve(draw()).then(finish, finish);
    };
    model.on("change:_rv", redraw);
    // Follow a theme switch (JupyterLab's Settings > Theme).
    const themes = new MutationObserver(redraw);
    if (document.body) {
      themes.observe(document.body, { attributes: true, attributeFilter: ["data-jp-theme-light"] });
    }
    plotly(model).then((loaded) => {
      Plotly = loaded;
      redraw();
    });
    return () => {
      closed = true;
      themes.disconnect();
      model.off("change:_rv", redraw);
      if (Plotly) Plotly.purge(box);
    };
  },
};
