// The SPARQL workbench: YASGUI on this endpoint, with factgraph's prefixes declared.
// (A static file: the site's Content-Security-Policy allows no inline script.)
(function () {
  const root = document.getElementById("yasgui");
  const prefixes = JSON.parse(document.getElementById("fg-prefixes").textContent);
  const header = Object.entries(prefixes).map(([p, iri]) => `PREFIX ${p}: <${iri}>`).join("\n");
  const example = header + "\n\nSELECT ?claim ?label WHERE {\n  ?claim a fg:FigureClaim ; rdfs:label ?label .\n}\nLIMIT 20\n";
  Yasgui.Yasqe.defaults.value = example;
  window.yasgui = new Yasgui(root, {
    // an absolute URL: YASR builds URLs from it (a relative one breaks its error view)
    requestConfig: { endpoint: new URL(root.dataset.endpoint, window.location.href).href, method: "POST" },
    copyEndpointOnNewTab: false,
    persistenceId: null,
    yasqe: { value: example },
  });
  // a result cut at the row limit says so above the results (X-SPARQL-MaxRows)
  const notice = document.getElementById("fg-truncated");
  const watched = new WeakSet();
  function watch(tab) {
    if (!tab || watched.has(tab)) return;
    watched.add(tab);
    tab.getYasqe().on("queryResponse", function (_yasqe, response) {
      const cut = response && response.headers && response.headers.get ? response.headers.get("X-SPARQL-MaxRows") : null;
      notice.hidden = !cut;
      notice.textContent = cut ? "The result was cut at " + cut + " rows, the endpoint's row limit: " +
        "narrow the query or page through it with LIMIT and OFFSET." : "";
    });
  }
  watch(window.yasgui.getTab());
  window.yasgui.on("tabSelect", function () { watch(window.yasgui.getTab()); });
  window.yasgui.on("tabAdd", function () { watch(window.yasgui.getTab()); });

  // examples and stored queries: loaded into the editor, prefixes declared, ready to run
  const examples = JSON.parse(document.getElementById("fg-example-texts").textContent);
  const picker = document.getElementById("fg-examples");
  picker.addEventListener("change", function () {
    const chosen = examples[Number(picker.value)];
    if (!picker.value || !chosen) return;
    const text = chosen.text.includes("PREFIX fg:") ? chosen.text : header + "\n\n" + chosen.text;
    window.yasgui.getTab().getYasqe().setValue(text);
  });
})();
