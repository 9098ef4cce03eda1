// TFTSR audit widget: the current issue's audit entries and the chain verification status. Text only.

function render({ model, el }) {
  const root = h("div", { class: "tftsr tftsr-audit" });
  el.append(root);
  const status = h("span", { class: "tf-verify" });
  const head = h("div", { class: "tf-muted tf-mono" });
  const tbody = h("tbody");
  const refresh = h("button", { text: "Verify again", onclick: () => model.send({ action: "refresh" }) });
  root.append(
    h("div", { class: "tf-bar" }, h("h3", { text: "Audit trail" }), h("span", { class: "tf-spacer" }), status, refresh),
    head,
    h("div", { class: "tf-scroll" }, h("table", { class: "tf-audit-table" },
      h("colgroup", {}, ...["40px", "150px", "140px", "230px", "80px", "auto"].map((w) => h("col", { style: `width: ${w}` }))),
      h("thead", {}, h("tr", {}, ...["#", "time (UTC)", "action", "entity", "user", "details"].map((t) => h("th", { text: t })))),
      tbody)));

  function draw() {
    const v = model.get("verification");
    status.className = "tf-verify " + (v.ok ? "tf-ok" : "tf-bad");
    status.textContent = v.ok ? `✓ chain intact (${v.count} entries)` : `✗ ${v.message || "not verified"}`;
    head.textContent = v.head ? `head ${v.head}` : "";
    tbody.replaceChildren();
    for (const e of model.get("entries")) {
      tbody.append(h("tr", { "data-seq": String(e.seq) },
        h("td", { text: String(e.seq) }), h("td", { class: "tf-mono", text: e.timestamp }),
        h("td", { class: "tf-mono", text: e.action }), h("td", { class: "tf-mono", text: `${e.entity_type}:${e.entity_id}` }),
        h("td", { text: e.user_id }), h("td", { class: "tf-mono tf-details", text: e.details })));
    }
    if (!model.get("entries").length) tbody.append(h("tr", {}, h("td", { colspan: "6", class: "tf-muted", text: "no entries" })));
  }
  model.on("change:entries", draw);
  model.on("change:verification", draw);
  draw();
  root.setAttribute("data-rendered", "1");
}

export default { render };
