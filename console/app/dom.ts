/// <reference lib="dom" />
/**
 * The one way the console puts anything on the page: elements made with `el`, text always as text nodes
 * (`textContent`), never parsed as HTML. A value from the CMDB, a commit message or the config cannot
 * become markup, whatever it holds.
 */

export type Child = Node | string | number | null | undefined | false | readonly Child[];
type Listener = (event: Event) => void;
export type Attributes = Record<string, string | number | boolean | undefined | Listener>;

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Attributes = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') element.addEventListener(name.replace(/^on/, ''), value);
    else if (name === 'href') element.setAttribute('href', safeHref(String(value)));
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

export function append(parent: Node, children: readonly Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else parent.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces what `parent` holds. */
export function replace(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}

/** Links go to http(s) addresses or within the page; anything else (a `javascript:` URL) goes nowhere. */
export function safeHref(href: string): string {
  if (href.startsWith('#') || href.startsWith('/') || /^https?:\/\//i.test(href)) return href;
  return '#';
}
