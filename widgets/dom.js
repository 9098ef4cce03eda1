// Shared DOM helpers, prepended to each TFTSR widget module by tftsr_kernel.ui._text.widget_module.
// Text only ever reaches the page through textContent, never as HTML.

function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const c of children) if (c) node.append(c);
  return node;
}

// segments: [[text, kind], ...] with kind "" | "self" | "other" | "redacted" | "kept"
function segments(parts, cls = "tf-line", tag = "span") {
  const box = h(tag, { class: cls });
  for (const [text, kind] of parts || []) {
    const s = document.createElement("span");
    if (kind) s.className = "tf-seg-" + kind;
    s.textContent = text;
    box.append(s);
  }
  return box;
}
