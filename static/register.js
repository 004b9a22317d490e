// Progressive enhancement only: every page works without this file.
"use strict";

// A filter box above a long list of checkboxes (the organisations in the meeting form).
document.addEventListener("DOMContentLoaded", () => {
  for (const input of document.querySelectorAll("input[data-filter-for]")) {
    const list = document.getElementById(input.dataset.filterFor);
    if (!list) continue;
    input.closest("label").hidden = false;
    input.addEventListener("input", () => {
      const needle = input.value.trim().toLocaleLowerCase();
      for (const item of list.querySelectorAll("li")) {
        const checked = item.querySelector("input").checked;
        item.hidden = needle !== "" && !checked && !item.textContent.toLocaleLowerCase().includes(needle);
      }
    });
  }

  // Move focus to the error summary so keyboard and screen-reader users hear it first.
  const summary = document.getElementById("error-summary");
  if (summary) summary.focus();
});

// The register's filters: open on wide screens, folded behind their summary on narrow
// ones; the organisation and official fields suggest names as they are typed.
document.addEventListener("DOMContentLoaded", () => {
  for (const panel of document.querySelectorAll("details[data-open-wide]")) {
    if (window.matchMedia("(min-width: 48em)").matches) panel.open = true;
  }
  for (const input of document.querySelectorAll("input[data-suggest]")) {
    const list = document.getElementById(input.getAttribute("list"));
    let timer = null;
    let asked = "";
    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        const query = input.value.trim();
        if (query.length < 2 || query === asked) return;
        asked = query;
        const url = new URL(input.dataset.suggest, window.location.href);
        url.searchParams.set("q", query);
        const response = await fetch(url, { headers: { Accept: "application/json" } });
        if (!response.ok || query !== input.value.trim()) return;
        const { results } = await response.json();
        list.replaceChildren(...results.map((match) => new Option(match.label)));
      }, 150);
    });
  }
});

// Typing in a form is activity: tell the server, at most once a minute, so that a signed-in
// session does not end at its idle limit while someone writes a long text without saving.
document.addEventListener("DOMContentLoaded", () => {
  const url = document.body.dataset.keepSession;
  if (!url) return;
  let lastContact = Date.now();
  document.addEventListener("input", () => {
    if (Date.now() - lastContact < 60 * 1000) return;
    lastContact = Date.now();
    fetch(url, { credentials: "same-origin", cache: "no-store" }).catch(() => {});
  });
});
