/* Runs before require.js and the Jupyter widget manager (embed-amd.js) on pages that hold
 * widgets (it is the first entry of nb_ipywidgets_js in _config.yml). Our own code (MIT).
 *
 * 1. The widget manager loads its icon fonts from paths worked out from the module's
 *    require.js address (".../@jupyter-widgets/html-manager/dist/") or from
 *    window.__jupyter_widgets_assets_path__. Neither exists here by default, so the fonts gave
 *    404 errors. Point both at this site's _static folder, where `make vendor` put the fonts.
 * 2. The widget manager typesets maths in widget labels with the MathJax 2 call
 *    MathJax.Hub.Queue(["Typeset", MathJax.Hub, element]). The book uses MathJax 3 (served
 *    locally), which has no Hub, so widgets threw "Cannot read properties of undefined
 *    (reading 'Queue')". Provide that one call on top of MathJax 3.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (script && script.src) {
    var assets = new URL(".", script.src).href;
    window.__jupyter_widgets_assets_path__ = assets;
    // A global `require` object set before require.js loads is its configuration.
    if (typeof window.require === "undefined") {
      // Modules the widget manager defines itself, such as "@jupyter-widgets/controls" and
      // "@jupyter-widgets/html-manager/dist/libembed-amd", then resolve into _static.
      var base = assets.replace(/\/$/, "");
      window.require = {
        paths: {"@jupyter-widgets/html-manager/dist": base, "@jupyter-widgets": base}
      };
    }
  }

  function shimMathJaxHub() {
    var mj = window.MathJax;
    if (!mj || typeof mj !== "object" || mj.Hub) return;
    mj.Hub = {
      Queue: function () {
        var elements = [];
        Array.prototype.forEach.call(arguments, function (command) {
          if (Array.isArray(command) && command[0] === "Typeset" && command[2]) {
            elements.push(command[2]);
          }
        });
        var ready = mj.startup && mj.startup.promise ? mj.startup.promise : Promise.resolve();
        return ready.then(function () {
          if (elements.length && typeof mj.typesetPromise === "function") {
            return mj.typesetPromise(elements);
          }
        });
      }
    };
  }

  shimMathJaxHub();
  document.addEventListener("DOMContentLoaded", shimMathJaxHub);
})();
