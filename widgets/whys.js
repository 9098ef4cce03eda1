// TFTSR 5-Whys widget: chains of why -> answer -> evidence (log rows). Text only, never HTML.

function render({ model, el }) {
  const root = h("div", { class: "tftsr tftsr-whys", "data-lm-suppress-shortcuts": "true" });
  el.append(root);
  const chainsBox = h("div", { class: "tf-chains" });
  const evidenceBox = h("div", { class: "tf-panel tf-evidence-view" });
  const error = h("div", { class: "tf-error" });
  const message = h("div", { class: "tf-muted" });
  const chainIn = h("input", { type: "number", min: "1", value: "1", "aria-label": "chain" });
  const whyIn = h("input", { type: "text", placeholder: "Why did …?", "aria-label": "why" });
  const answerIn = h("input", { type: "text", placeholder: "Because …", "aria-label": "answer" });
  const evidenceIn = h("input", { type: "text", placeholder: "file:line, file:line", "aria-label": "evidence" });
  const add = h("button", { class: "tf-approve", text: "Add step", onclick: () => {
    model.send({ action: "add", chain: Number(chainIn.value) || 1, why: whyIn.value, answer: answerIn.value,
                 evidence: evidenceIn.value });
  } });
  root.append(h("h3", { text: "5 Whys" }), chainsBox, evidenceBox,
    h("div", { class: "tf-form" },
      h("label", { text: "chain" }), chainIn, h("label", { text: "why" }), whyIn,
      h("label", { text: "answer" }), answerIn, h("label", { text: "evidence" }), evidenceIn,
      h("span"), h("div", { class: "tf-bar" }, add, message)),
    error);

  function drawChains() {
    chainsBox.replaceChildren();
    const chains = model.get("chains");
    if (!chains.length) chainsBox.append(h("div", { class: "tf-muted", text: "no steps yet" }));
    for (const c of chains) {
      const box = h("div", { class: "tf-chain", "data-chain": String(c.chain) },
        h("div", { class: "tf-muted", text: `chain ${c.chain}${c.title ? " · " + c.title : ""}` }));
      c.steps.forEach((s) => {
        const ev = h("div", { class: "tf-muted" }, h("span", { text: "evidence: " }));
        (s.evidence || []).forEach((e, i) => {
          ev.append(h("a", { class: "tf-evidence", href: "#", text: e.label, title: "show this log line",
            onclick: (evt) => { evt.preventDefault(); model.send({ action: "show_evidence", step_id: s.id, index: i }); } }));
        });
        if (!(s.evidence || []).length) ev.append(h("span", { text: "none" }));
        box.append(h("div", { class: "tf-step", "data-step": s.id },
          h("div", {}, h("strong", { text: `Why ${s.order}? ` }), h("span", { class: "tf-why", text: s.why })),
          h("div", {}, h("span", { class: "tf-muted", text: "→ " }), h("span", { class: "tf-answer", text: s.answer })),
          ev));
      });
      chainsBox.append(box);
    }
    const last = chains[chains.length - 1];
    if (last && document.activeElement !== chainIn) chainIn.value = String(last.chain);
  }

  function drawEvidence() {
    const v = model.get("evidence_view");
    evidenceBox.replaceChildren();
    if (!v || !v.label) { evidenceBox.append(h("span", { class: "tf-muted", text: "click an evidence link to see the log line" })); return; }
    evidenceBox.append(h("div", { class: "tf-bar" }, h("strong", { class: "tf-mono", text: v.file }),
                         h("span", { class: "tf-muted", text: `line ${v.line}` })),
                       segments(v.segments, "tf-line", "div"));
  }

  const drawStatus = () => {
    error.textContent = model.get("error");
    message.textContent = model.get("message");
    if (!model.get("error") && model.get("message")) { whyIn.value = ""; answerIn.value = ""; evidenceIn.value = ""; }
  };
  model.on("change:chains", drawChains);
  model.on("change:evidence_view", drawEvidence);
  model.on("change:error", drawStatus);
  model.on("change:message", drawStatus);
  drawChains(); drawEvidence(); drawStatus();
  root.setAttribute("data-rendered", "1");
}

export default { render };
