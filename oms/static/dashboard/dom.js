// DOM building from elements and text nodes only: every piece of data becomes a text node or an attribute.

const SVG_NS = "http://www.w3.org/2000/svg";

function append(parent, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

function apply(node, props) {
  for (const [key, value] of Object.entries(props || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.setAttribute("class", value);
    else if (key === "text") node.textContent = String(value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  return node;
}

/** `el("a", {href: "#/x", class: "k"}, "text", child)` */
export function el(tag, props, ...children) {
  return append(apply(document.createElement(tag), props), children);
}

/** The same for SVG elements. */
export function svg(tag, props, ...children) {
  return append(apply(document.createElementNS(SVG_NS, tag), props), children);
}

export function replace(node, ...children) {
  node.replaceChildren();
  return append(node, children);
}

/** A loading, empty or error state box, announced to screen readers. */
export function state(kind, message) {
  return el("p", {class: `state state-${kind}`, role: kind === "error" ? "alert" : "status"}, message);
}

/** A labelled control: `<label>Text <select>...</select></label>`. */
export function field(label, control) {
  return el("label", {class: "field"}, el("span", {}, label), control);
}

export function select(name, options, value) {
  const control = el("select", {name});
  for (const [optionValue, text] of options) {
    control.append(el("option", {value: optionValue, selected: optionValue === value}, text));
  }
  return control;
}

const integer = new Intl.NumberFormat("en", {maximumFractionDigits: 0});
const decimal = new Intl.NumberFormat("en", {maximumFractionDigits: 1});

export const format = {
  int: (n) => (n === null || n === undefined ? "–" : integer.format(n)),
  num: (n, unit = "") => (n === null || n === undefined ? "–" : `${decimal.format(n)}${unit}`),
  pct: (share) => (share === null || share === undefined ? "–" : `${decimal.format(share * 100)} %`),
  money: (m) => `${Number(m.amount).toLocaleString("en", {minimumFractionDigits: 2, maximumFractionDigits: 2})} ${m.currency}`,
  time: (iso) => new Date(iso).toLocaleTimeString("en-GB"),
  when: (iso) => new Date(iso).toLocaleString("en-GB"),
};

/** Calls within `ms` of the first become one call of `fn`, `ms` after it: at most one
 * call per `ms` however often it is asked, and a call always follows the last ask. */
export function coalesce(fn, ms) {
  let timer = null;
  const wrapped = () => {
    if (timer === null) timer = setTimeout(() => { timer = null; fn(); }, ms);
  };
  wrapped.cancel = () => { clearTimeout(timer); timer = null; };
  return wrapped;
}
