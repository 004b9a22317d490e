// Publishing is deliberate: "Publish…" shows what will become public and asks to confirm.
//
// Progressive enhancement of the meeting form. Without this file, "Publish…" sends
// action=preview and the server answers with the form and the confirmation filled in.
// With it, the same confirmation is fetched from the server (so it shows exactly what the
// server would publish, typed organisation names matched as on saving) and shown in place;
// only its "Yes, publish" button sends action=publish. Errors, and a colleague's record of
// the same meeting, fall back to the ordinary submission, which shows them.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("meeting-form");
  const section = document.getElementById("publish-confirmation");
  if (!form || !section) return;

  let opener = null;
  let busy = false;
  let submitting = false;

  function revealCancel() {
    for (const button of section.querySelectorAll("[data-publish-cancel]")) button.hidden = false;
  }

  function open(from) {
    opener = from;
    section.hidden = false;
    revealCancel();
    section.focus();
  }

  function close() {
    section.hidden = true;
    const target = opener && !opener.classList.contains("implicit-submit")
      ? opener
      : document.getElementById("publish-button");
    opener = null;
    if (target) target.focus();
  }

  function submitAsPreview(button) {
    submitting = true;
    form.requestSubmit(button);
  }

  async function preview(button) {
    if (busy) return;
    busy = true;
    button.setAttribute("aria-busy", "true");
    const data = new FormData(form);
    data.set("action", "preview");
    try {
      // Not form.action: the form's own field named "action" shadows that property.
      const target = new URL(form.getAttribute("action") || window.location.href, window.location.href);
      const response = await fetch(target, {
        method: "POST",
        body: data,
        credentials: "same-origin",
      });
      const html = await response.text();
      const page = new DOMParser().parseFromString(html, "text/html");
      const filled = page.getElementById("publish-confirmation");
      const warned = page.getElementById("duplicates");
      if (!response.ok || warned || !filled || !filled.querySelector(".preview-facts")) {
        submitAsPreview(button);
        return;
      }
      section.replaceChildren(...Array.from(filled.childNodes, (node) => document.importNode(node, true)));
      open(button);
    } catch (error) {
      submitAsPreview(button);
    } finally {
      busy = false;
      button.removeAttribute("aria-busy");
    }
  }

  for (const button of document.querySelectorAll("button[data-publish-preview]")) {
    if (button.form !== form) continue;
    button.addEventListener("click", (event) => {
      if (submitting) return; // the fallback: let the browser send it
      event.preventDefault();
      preview(button);
    });
  }

  section.addEventListener("click", (event) => {
    if (event.target.closest("[data-publish-cancel]")) close();
  });
  section.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !section.hidden) {
      event.preventDefault();
      close();
    }
  });

  // A change after the confirmation was shown makes it out of date: hide it.
  const outdated = (event) => {
    if (!section.hidden && !section.contains(event.target)) section.hidden = true;
  };
  form.addEventListener("input", outdated);
  form.addEventListener("change", outdated);

  // A colleague's record of the same meeting was found: let it be heard first.
  const duplicates = document.getElementById("duplicates");
  if (duplicates) duplicates.focus();

  // The server's own confirmation (the page came back from "Publish…"): bring it into focus.
  if (!section.hidden && section.querySelector(".preview-facts")) open(document.getElementById("publish-button"));
});
