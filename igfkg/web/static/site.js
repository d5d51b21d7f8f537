// igfkg site: autocomplete for the search box and for the entity fields of query forms.
// Calls /api/search (the same name resolution as `igfkg search`); no other host is contacted.
"use strict";
(function () {
  function debounce(fn, ms) {
    var timer = null;
    return function () {
      var args = arguments;
      clearTimeout(timer);
      timer = setTimeout(function () { fn.apply(null, args); }, ms);
    };
  }
  function lookup(text, limit) {
    return fetch("/api/search?limit=" + limit + "&q=" + encodeURIComponent(text), {
      headers: { Accept: "application/json" }, credentials: "same-origin"
    }).then(function (r) { return r.ok ? r.json() : { hits: [] }; });
  }

  // The search box: a listbox of links under the field; arrows move, Enter follows.
  var box = document.getElementById("q");
  var list = document.getElementById("suggestions");
  if (box && list) {
    var selected = -1;
    var mark = function (i) {
      var items = list.querySelectorAll("li");
      selected = Math.max(-1, Math.min(i, items.length - 1));
      items.forEach(function (li, n) { li.setAttribute("aria-selected", n === selected ? "true" : "false"); });
      if (selected >= 0) { box.setAttribute("aria-activedescendant", items[selected].id); }
    };
    var show = function (hits) {
      list.textContent = "";
      selected = -1;
      hits.filter(function (h) { return h.url; }).forEach(function (h, n) {
        var li = document.createElement("li");
        li.id = "suggestion-" + n;
        li.setAttribute("role", "option");
        var a = document.createElement("a");
        a.href = h.url;
        a.textContent = h.label;
        li.appendChild(a);
        var small = document.createElement("small");
        small.textContent = " " + h.types.join(", ") + (h.matched !== h.label ? " · “" + h.matched + "”" : "");
        li.appendChild(small);
        list.appendChild(li);
      });
      box.setAttribute("aria-expanded", list.children.length ? "true" : "false");
    };
    box.addEventListener("input", debounce(function () {
      var text = box.value.trim();
      if (!text) { show([]); return; }
      lookup(text, 8).then(function (data) { if (box.value.trim() === text) { show(data.hits); } });
    }, 120));
    box.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown") { mark(selected + 1); e.preventDefault(); }
      else if (e.key === "ArrowUp") { mark(selected - 1); e.preventDefault(); }
      else if (e.key === "Escape") { show([]); }
      else if (e.key === "Enter" && selected >= 0) {
        var link = list.querySelectorAll("li a")[selected];
        if (link) { e.preventDefault(); window.location.href = link.href; }
      }
    });
  }

  // Entity fields of query forms: suggestions in their datalist (values are labels, which
  // the query resolves as the command line does).
  document.querySelectorAll("input[data-autocomplete]").forEach(function (input) {
    var options = document.getElementById(input.getAttribute("list"));
    if (!options) { return; }
    input.addEventListener("input", debounce(function () {
      var text = input.value.trim();
      if (text.length < 2) { return; }
      lookup(text, 10).then(function (data) {
        options.textContent = "";
        data.hits.forEach(function (h) {
          var o = document.createElement("option");
          o.value = h.label;
          o.label = h.curie;
          options.appendChild(o);
        });
      });
    }, 150));
  });
})();
