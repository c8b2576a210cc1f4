// A small DOM builder: every text goes in as textContent (never HTML), so nothing the API returns can inject markup.

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | ((event: Event) => void) | undefined>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') element.addEventListener(name.replace(/^on/, ''), value);
    else if (name === 'class') element.className = String(value);
    else if (value === true) element.setAttribute(name, '');
    else element.setAttribute(name, String(value));
  }
  append(element, children);
  return element;
}

export function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
}

/** A term and its value in a `dl.fields` (an invoice's details, the settings). */
export function field(label: string, ...value: Array<Node | string>): HTMLDivElement {
  return h('div', { class: 'field' }, h('dt', {}, label), h('dd', {}, ...value));
}

const cleanups: Array<{ element: Element; cleanup: () => void }> = [];

/** `cleanup` runs when `element` goes with its view: when replace() empties one of its ancestors. */
export function onReplaced(element: Element, cleanup: () => void): void {
  cleanups.push({ element, cleanup });
}

export function replace(parent: Element, ...children: Child[]): void {
  for (let i = cleanups.length - 1; i >= 0; i--) {
    const entry = cleanups[i];
    if (!entry || entry.element === parent || !parent.contains(entry.element)) continue;
    cleanups.splice(i, 1);
    entry.cleanup();
  }
  parent.replaceChildren();
  append(parent, children);
}
