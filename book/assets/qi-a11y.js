/* Accessibility fixes for notebook output and the theme, run on every page.
 * Added by book/_ext/qi_branding.py. Our own code (MIT licence); no third-party code.
 *
 * 1. pandas tables: the top-left header cell (above the row labels) is empty, so screen readers
 *    announce an unnamed column. Give it a hidden name ("Row").
 * 2. ipywidgets sliders: the slider handle (role="slider") has no accessible name. Name it from
 *    the widget's visible description, and keep doing so as widgets render (they render after
 *    the page loads, from the embedded widget state).
 * 3. The theme's sidebar: make sure the primary sidebar is a labelled navigation landmark so all
 *    its content is inside a landmark.
 * 4. The menu (☰) and the "toggle sidebar" buttons. pydata-sphinx-theme 0.17 adds its own
 *    .primary-toggle button to the (hidden) top bar, before the one sphinx-book-theme 1.3.0 shows
 *    in the article header; both themes wire up only the first .primary-toggle on the page, so
 *    the visible button did nothing (pydata-sphinx-theme issue #2451; on desktop
 *    sphinx-book-theme issue #917). A click on any later toggle is passed to the first one,
 *    which opens the menu on a narrow screen and hides or shows the sidebar on a wide one.
 */
(function () {
  "use strict";

  function nameEmptyTableHeaders(root) {
    root.querySelectorAll("table th").forEach(function (th) {
      if (th.textContent.trim() === "" && !th.getAttribute("aria-label")) {
        var span = document.createElement("span");
        span.className = "qi-visually-hidden";
        span.textContent = th.closest("thead") ? "Row" : "Item";
        th.appendChild(span);
      }
    });
  }

  function widgetDescription(el) {
    var widget = el.closest(".widget-slider, .widget-hslider, .widget-vslider, .jupyter-widgets");
    if (!widget) return "";
    var label = widget.querySelector(".widget-label, label");
    var text = label ? label.textContent.trim() : "";
    return text || widget.getAttribute("title") || "";
  }

  function nameSliderHandles(root) {
    root.querySelectorAll('[role="slider"]').forEach(function (handle) {
      if (handle.getAttribute("aria-label") || handle.getAttribute("aria-labelledby")) return;
      var name = widgetDescription(handle);
      var pos = handle.classList.contains("noUi-handle-upper") ? " (upper value)"
        : handle.classList.contains("noUi-handle-lower") &&
          handle.parentElement && handle.parentElement.parentElement &&
          handle.parentElement.parentElement.querySelectorAll('[role="slider"]').length > 1
          ? " (lower value)" : "";
      handle.setAttribute("aria-label", (name || "Slider") + pos);
    });
    // Widget text boxes that show the slider's value.
    root.querySelectorAll(".widget-readout[contenteditable]").forEach(function (box) {
      if (!box.getAttribute("aria-label")) {
        box.setAttribute("aria-label", (widgetDescription(box) || "Slider") + " value");
      }
    });
  }

  function labelSidebar() {
    var sidebar = document.querySelector(".bd-sidebar-primary");
    if (sidebar && !sidebar.getAttribute("aria-label")) {
      sidebar.setAttribute("aria-label", "Site navigation and search");
    }
  }

  function forwardSidebarToggles() {
    [".primary-toggle", ".secondary-toggle"].forEach(function (selector) {
      var all = document.querySelectorAll(selector);
      var wired = all[0];
      Array.prototype.slice.call(all, 1).forEach(function (button) {
        button.addEventListener("click", function (event) {
          event.preventDefault();
          event.stopPropagation();
          wired.click();
        });
      });
    });
  }

  // 5. Tables of the book's pages (list tables, not data) get each cell's column heading as
  //    data-label, so qi-pages.css can reflow them on a phone instead of cutting off columns.
  function labelTableCells() {
    document.querySelectorAll(".bd-article table.table").forEach(function (table) {
      var heads = table.querySelectorAll("thead th");
      if (heads.length < 3 || table.closest(".cell_output, .output")) return;
      table.classList.add("qi-reflow");
      table.querySelectorAll("tbody tr").forEach(function (row) {
        Array.prototype.forEach.call(row.children, function (cell, i) {
          if (heads[i]) cell.setAttribute("data-label", heads[i].textContent.trim());
        });
      });
    });
  }

  function fixAll(root) {
    nameEmptyTableHeaders(root);
    nameSliderHandles(root);
  }

  function start() {
    labelSidebar();
    forwardSidebarToggles();
    labelTableCells();
    fixAll(document);
    var pending = false;
    new MutationObserver(function () {
      if (pending) return;
      pending = true;
      window.requestAnimationFrame(function () {
        pending = false;
        fixAll(document);
      });
    }).observe(document.body, { childList: true, subtree: true });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
