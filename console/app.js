// The console's shell: the header with the theme switch, and the hash router between the
// executions list (#/) and one execution (#/executions/<ARN>).

import { h, render } from "preact";
import { useEffect, useState } from "preact/hooks";
import htm from "htm";

import { ExecutionsPage } from "./list.js";
import { ExecutionPage } from "./detail.js";

export const html = htm.bind(h);

function route() {
  const m = /^#\/executions\/(.+)$/.exec(location.hash);
  return m ? { page: "execution", arn: decodeURIComponent(m[1]) } : { page: "list", query: new URLSearchParams(location.hash.split("?")[1] ?? "") };
}

function ThemeSwitch() {
  const [theme, setTheme] = useState(() => localStorage.getItem("durable-theme") ?? "auto");
  useEffect(() => {
    if (theme === "auto") delete document.documentElement.dataset.theme;
    else document.documentElement.dataset.theme = theme;
    localStorage.setItem("durable-theme", theme);
  }, [theme]);
  return html`<label class="theme">Theme
    <select value=${theme} onChange=${(e) => setTheme(e.currentTarget.value)}>
      <option value="auto">System</option><option value="light">Light</option><option value="dark">Dark</option>
    </select></label>`;
}

function App() {
  const [r, setRoute] = useState(route);
  useEffect(() => {
    const onHash = () => setRoute(route());
    addEventListener("hashchange", onHash);
    return () => removeEventListener("hashchange", onHash);
  }, []);
  useEffect(() => document.getElementById("main")?.focus(), [r.page, r.arn]);
  return html`
    <header class="top">
      <a class="brand" href="#/">durable-node</a>
      <nav aria-label="Main"><a href="#/" aria-current=${r.page === "list" ? "page" : undefined}>Executions</a></nav>
      <${ThemeSwitch} />
    </header>
    <main id="main" tabindex="-1">
      ${r.page === "execution" ? html`<${ExecutionPage} key=${r.arn} arn=${r.arn} />` : html`<${ExecutionsPage} initial=${r.query} />`}
    </main>`;
}

const root = document.getElementById("app");
root.textContent = "";
render(html`<${App} />`, root);
