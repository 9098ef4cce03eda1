// TFTSR span review widget (anywidget ES module, no build step).
// Every piece of log text reaches the DOM through textContent, never as HTML.
// Grouping and paging happen in Python; this module only renders the visible page.

function badge(status) {
  return h("span", { class: "tf-badge tf-status-" + status, text: status });
}

function render({ model, el }) {
  const root = h("div", { class: "tftsr tftsr-review", tabindex: "0", "data-lm-suppress-shortcuts": "true" });
  el.append(root);
  let cursor = 0;      // row index on the page that keyboard actions act on
  let occurrence = 0;  // selected occurrence inside the detail panel

  const send = (msg) => model.send(msg);
  const decide = (decision, scope, extra) => send({ action: "decide", decision, scope, ...extra });

  const title = h("h3", { text: "Sensitive values" });
  const progress = h("span", { class: "tf-progress" });
  const message = h("span", { class: "tf-muted" });
  const error = h("span", { class: "tf-error" });
  const typeSel = h("select", { "aria-label": "type filter" });
  const statusSel = h("select", { "aria-label": "status filter" });
  for (const s of ["", "pending", "approved", "rejected", "mixed"]) {
    statusSel.append(h("option", { value: s, text: s || "any status" }));
  }
  const text = h("input", { type: "search", placeholder: "filter (type or masked value)  /", "aria-label": "text filter" });
  const chips = h("div", { class: "tf-bar tf-types" });
  const tbody = h("tbody");
  const widths = ["140px", "220px", "60px", "90px", "auto", "150px"];
  const table = h("table", { class: "tf-groups" },
    h("colgroup", {}, ...widths.map((w) => h("col", { style: `width: ${w}` }))),
    h("thead", {}, h("tr", {}, ...["type", "value", "count", "status", "context", ""].map((t) => h("th", { text: t })))),
    tbody);
  const pager = h("div", { class: "tf-bar" });
  const detail = h("div", { class: "tf-panel tf-detail" });
  const help = h("div", { class: "tf-muted", text: "keys: ↑/↓ or j/k move · a approve · r reject · ←/→ page · / filter · Enter details" });

  root.append(
    h("div", { class: "tf-bar" }, title, h("span", { class: "tf-spacer" }), progress),
    h("div", { class: "tf-bar" }, typeSel, statusSel, text, message, error),
    chips, h("div", { class: "tf-scroll" }, table), pager, detail, help);

  typeSel.addEventListener("change", () => { model.set("filter_type", typeSel.value); model.set("page", 0); model.save_changes(); });
  statusSel.addEventListener("change", () => { model.set("filter_status", statusSel.value); model.set("page", 0); model.save_changes(); });
  let timer = null;
  text.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => { model.set("filter_text", text.value); model.set("page", 0); model.save_changes(); }, 250);
  });

  function select(i) {
    const rows = model.get("rows");
    if (!rows.length) return;
    cursor = Math.max(0, Math.min(rows.length - 1, i));
    occurrence = 0;
    model.set("selected", rows[cursor].key);
    model.save_changes();
    drawRows();
  }

  function setPage(p) {
    const pages = Math.max(1, Math.ceil(model.get("total_rows") / model.get("page_size")));
    const next = Math.max(0, Math.min(pages - 1, p));
    if (next !== model.get("page")) { cursor = 0; model.set("page", next); model.save_changes(); }
  }

  function drawTypes() {
    const types = model.get("types");
    const current = model.get("filter_type");
    typeSel.replaceChildren(h("option", { value: "", text: "all types" }));
    chips.replaceChildren();
    for (const t of types) {
      const opt = h("option", { value: t.type, text: `${t.type} (${t.values})` });
      if (t.type === current) opt.selected = true;
      typeSel.append(opt);
      chips.append(h("span", { class: "tf-chip" + (t.type === current ? " tf-active" : "") },
        h("span", { class: "tf-mono", text: t.type }),
        h("span", { class: "tf-muted", text: `${t.decided}/${t.values} values · ${t.occurrences} hits` }),
        h("button", { class: "tf-approve", title: `approve every ${t.type} value`, text: "✓ all",
                      onclick: (e) => { e.stopPropagation(); decide("approve", "type", { type: t.type }); } }),
        h("button", { class: "tf-reject", title: `reject every ${t.type} value`, text: "✗ all",
                      onclick: (e) => { e.stopPropagation(); decide("reject", "type", { type: t.type }); } })));
    }
    statusSel.value = model.get("filter_status");
  }

  function drawRows() {
    const rows = model.get("rows");
    const selected = model.get("selected");
    tbody.replaceChildren();
    rows.forEach((r, i) => {
      if (r.key === selected) cursor = i;
      const ctx = h("td");
      for (const sn of r.snippets || []) {
        const line = h("span", { class: "tf-snippet" });
        line.append(h("span", { class: "tf-muted", text: `${sn.file}:${sn.line}  ` }), segments(sn.segments, ""));
        ctx.append(line);
      }
      const tr = h("tr", { class: "tf-row" + (r.key === selected ? " tf-selected" : ""), "data-key": r.key,
                           "data-type": r.type, onclick: () => select(i) },
        h("td", { class: "tf-mono tf-type", text: r.type }),
        h("td", { class: "tf-mono tf-value", text: r.preview }),
        h("td", { text: String(r.count) }),
        h("td", {}, badge(r.status)),
        ctx,
        h("td", {},
          h("button", { class: "tf-approve", title: "approve (redact) this value everywhere", text: "Approve",
                        onclick: (e) => { e.stopPropagation(); decide("approve", "value", { type: r.type, value_hash: r.value_hash }); } }),
          " ",
          h("button", { class: "tf-reject", title: "reject (keep) this value everywhere", text: "Reject",
                        onclick: (e) => { e.stopPropagation(); decide("reject", "value", { type: r.type, value_hash: r.value_hash }); } })));
      tbody.append(tr);
    });
    if (!rows.length) tbody.append(h("tr", {}, h("td", { colspan: "6", class: "tf-muted", text: "no values match" })));
  }

  function drawPager() {
    const total = model.get("total_rows");
    const size = model.get("page_size");
    const page = model.get("page");
    const pages = Math.max(1, Math.ceil(total / size));
    pager.replaceChildren(
      h("button", { text: "◀ prev", onclick: () => setPage(page - 1), ...(page <= 0 ? { disabled: "" } : {}) }),
      h("span", { class: "tf-muted", text: `page ${page + 1} of ${pages} · ${total} values` }),
      h("button", { text: "next ▶", onclick: () => setPage(page + 1), ...(page >= pages - 1 ? { disabled: "" } : {}) }));
  }

  function drawDetail() {
    const d = model.get("detail");
    detail.replaceChildren();
    if (!d || !d.key) { detail.append(h("span", { class: "tf-muted", text: "select a value to see its occurrences" })); return; }
    const occ = d.occurrences || [];
    occurrence = Math.min(occurrence, Math.max(0, occ.length - 1));
    detail.append(h("div", { class: "tf-bar" },
      h("strong", { class: "tf-mono", text: `${d.type} ${d.preview}` }), badge(d.status),
      h("span", { class: "tf-muted", text: `${d.count} occurrences (${occ.length} shown)` })));
    const list = h("table", {}, h("thead", {}, h("tr", {}, ...["file", "line", "status", ""].map((t) => h("th", { text: t })))));
    const body = h("tbody");
    occ.forEach((o, i) => {
      body.append(h("tr", { class: "tf-row tf-occurrence" + (i === occurrence ? " tf-selected" : ""),
                            onclick: () => { occurrence = i; drawDetail(); } },
        h("td", { class: "tf-mono", text: o.file }), h("td", { text: String(o.line) }), h("td", {}, badge(o.status)),
        h("td", {},
          h("button", { class: "tf-approve", text: "✓", title: "approve this occurrence only",
                        onclick: (e) => { e.stopPropagation(); decide("approve", "span", { span_id: o.span_id }); } }),
          " ",
          h("button", { class: "tf-reject", text: "✗", title: "reject this occurrence only",
                        onclick: (e) => { e.stopPropagation(); decide("reject", "span", { span_id: o.span_id }); } }))));
    });
    list.append(body);
    detail.append(list);
    const o = occ[occurrence];
    if (o) {
      detail.append(h("div", { class: "tf-muted", text: `before (${o.file}:${o.line})` }), segments(o.before, "tf-line tf-before"),
                    h("div", { class: "tf-muted", text: "after redaction (approved spans replaced)" }), segments(o.after, "tf-line tf-after"),
                    h("div", { class: "tf-muted", text: "masked values: approved → [TYPE] placeholder; rejected values are kept as they are (shown masked here)" }));
    }
  }

  function drawStatus() {
    const p = model.get("progress");
    progress.textContent = `${p.decided} of ${p.total} values decided`;
    message.textContent = model.get("message");
    error.textContent = model.get("error");
  }

  root.addEventListener("keydown", (e) => {
    if (e.target === text || e.target.tagName === "SELECT") {
      if (e.key === "Escape") root.focus();
      return;
    }
    const rows = model.get("rows");
    const r = rows[cursor];
    const keys = {
      ArrowDown: () => select(cursor + 1), j: () => select(cursor + 1),
      ArrowUp: () => select(cursor - 1), k: () => select(cursor - 1),
      ArrowRight: () => setPage(model.get("page") + 1), ArrowLeft: () => setPage(model.get("page") - 1),
      Enter: () => select(cursor),
      a: () => r && decide("approve", "value", { type: r.type, value_hash: r.value_hash }),
      r: () => r && decide("reject", "value", { type: r.type, value_hash: r.value_hash }),
      "/": () => text.focus(),
    };
    if (keys[e.key]) { e.preventDefault(); e.stopPropagation(); keys[e.key](); }
  });

  const all = () => { drawTypes(); drawRows(); drawPager(); drawDetail(); drawStatus(); };
  model.on("change:types", drawTypes);
  model.on("change:filter_type", drawTypes);
  model.on("change:filter_status", drawTypes);
  model.on("change:rows", () => { drawRows(); drawPager(); });
  model.on("change:total_rows", drawPager);
  model.on("change:page", drawPager);
  model.on("change:selected", drawRows);
  model.on("change:detail", drawDetail);
  model.on("change:progress", drawStatus);
  model.on("change:message", drawStatus);
  model.on("change:error", drawStatus);
  all();
  root.setAttribute("data-rendered", "1");
  return () => clearTimeout(timer);
}

export default { render };
