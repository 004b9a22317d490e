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
