// The SPARQL workbench: YASGUI on this endpoint, with factgraph's prefixes declared.
// (A static file: the site's Content-Security-Policy allows no inline script.)
(function () {
  const root = document.getElementById("yasgui");
  const prefixes = JSON.parse(document.getElementById("fg-prefixes").textContent);
  const header = Object.entries(prefixes).map(([p, iri]) => `PREFIX ${p}: <${iri}>`).join("\n");
  const example = header + "\n\nSELECT ?claim ?label WHERE {\n  ?claim a fg:FigureClaim ; rdfs:label ?label .\n}\nLIMIT 20\n";
  Yasgui.Yasqe.defaults.value = example;
  window.yasgui = new Yasgui(root, {
    requestConfig: { endpoint: root.dataset.endpoint, method: "POST" },
    copyEndpointOnNewTab: false,
    persistenceId: null,
    yasqe: { value: example },
  });
})();
