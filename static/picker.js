// Pickers for the meeting form: type a few letters, choose from the suggestions.
//
// Each `.picker` wraps a list of checkboxes (official_ids, organisation_ids, issue_ids).
// This script hides the list and shows, in its place, a combobox after the WAI-ARIA 1.2
// pattern (an input with role=combobox and a listbox of suggestions from the signed-in
// look-up, data-lookup) and the chosen records as a list with a "Remove" button each. The
// checkboxes stay in the form, ticked for the chosen ones, so the form sends exactly what
// it sends without this script. The organisation picker also adds new organisations with
// their kind: their names and kinds go, one per line, into new_organisations and
// new_organisation_kinds.
"use strict";

(() => {
  const textsElement = document.getElementById("picker-texts");
  if (!textsElement || !window.fetch) return;
  const texts = textsElement.dataset;
  const fill = (template, values) => template.replace(/\{(\w+)\}/g, (_, key) => values[key]);
  const DELAY_MS = 120;
  const MAX_QUERY = 100;

  function element(tag, attributes = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) {
      if (name === "class") node.className = value;
      else if (name === "text") node.textContent = value;
      else node.setAttribute(name, value);
    }
    node.append(...children);
    return node;
  }

  function lines(text) {
    return text.split("\n").map((line) => line.trim()).filter((line) => line !== "");
  }

  function setUp(wrapper) {
    const name = wrapper.dataset.field;
    const list = document.getElementById(name);
    if (!list) return;
    const group = list.closest("fieldset.choices");
    const hint = document.getElementById(`${name}-hint`);
    const errors = document.getElementById(`${name}-errors`);
    const newNames = wrapper.dataset.newNames && document.getElementById(wrapper.dataset.newNames);
    const newKinds = wrapper.dataset.newKinds && document.getElementById(wrapper.dataset.newKinds);
    const kindOptions = document.getElementById("organisation-kinds");

    // What works without the script is hidden, not removed: the checkboxes are the values.
    list.closest(".choice-list").hidden = true;
    group.querySelector(".choice-filter")?.remove();
    for (const part of wrapper.querySelectorAll("[data-no-script]")) part.hidden = true;
    if (newNames) {
      const field = newNames.closest(".field");
      const newErrors = document.getElementById(`${newNames.id}-errors`);
      if (newErrors) group.append(newErrors);
      field.hidden = true;
    }

    const inputId = `${name}-search`;
    const listboxId = `${name}-suggestions`;
    const input = element("input", {
      id: inputId,
      type: "text",
      role: "combobox",
      "aria-autocomplete": "list",
      "aria-expanded": "false",
      "aria-controls": listboxId,
      autocomplete: "off",
      spellcheck: "false",
      maxlength: String(MAX_QUERY),
      class: "picker-input",
    });
    const describedBy = [hint?.id, errors?.id].filter(Boolean).join(" ");
    if (describedBy) input.setAttribute("aria-describedby", describedBy);
    if (errors) input.setAttribute("aria-invalid", "true");
    const listbox = element("ul", {
      id: listboxId,
      role: "listbox",
      "aria-label": wrapper.dataset.searchLabel,
      class: "picker-suggestions",
    });
    listbox.hidden = true;
    const status = element("p", { role: "status", class: "visually-hidden" });
    const chosen = element("ul", {
      class: "picker-chosen",
      "aria-label": `${group.querySelector("legend").textContent.trim()}: ${texts.chosen}`,
    });
    const empty = element("p", { class: "picker-empty", text: texts.noneChosen });
    const ui = element(
      "div",
      { class: "picker-ui" },
      element("label", { for: inputId, class: "picker-label", text: wrapper.dataset.searchLabel }),
      element("div", { class: "picker-box" }, input, listbox),
      status,
      chosen,
      empty,
    );
    group.append(ui);

    let results = [];
    let active = -1;
    let timer = null;
    let request = null;
    let wantsFirst = false; // ArrowDown pressed before the suggestions came

    function say(message) {
      // A fresh text node, so that the same message said twice is announced twice.
      status.textContent = "";
      window.setTimeout(() => { status.textContent = message; }, 30);
    }

    function checkbox(id) {
      return list.querySelector(`input[value="${CSS.escape(String(id))}"]`);
    }

    function syncEmpty() {
      empty.hidden = chosen.children.length > 0;
    }

    function removeButton(label, onRemove) {
      const button = element(
        "button",
        { type: "button", class: "picker-remove link-button" },
        texts.remove,
        element("span", { class: "visually-hidden", text: ` ${label}` }),
      );
      button.addEventListener("click", () => {
        onRemove();
        button.closest("li").remove();
        syncEmpty();
        input.focus();
        say(fill(texts.removed, { name: label }));
      });
      return button;
    }

    function showChosen(id, label, detail) {
      const item = element("li", { "data-id": String(id) }, element("span", { class: "picker-name", text: label }));
      if (detail) item.append(" ", element("span", { class: "picker-detail", text: detail }));
      item.append(" ", removeButton(label, () => { checkbox(id).checked = false; }));
      chosen.append(item);
      syncEmpty();
    }

    // -- new organisations: a name and a kind each, kept in the two text areas ----------
    const fresh = [];

    function syncNew() {
      newNames.value = fresh.map((entry) => entry.name).join("\n");
      newKinds.value = fresh.map((entry) => entry.select.value).join("\n");
    }

    function showNew(newName, kind) {
      const select = element("select", { id: `${name}-kind-${fresh.length}-${Date.now()}` });
      select.append(kindOptions.content.cloneNode(true));
      if (kind) select.value = kind;
      const entry = { name: newName, select };
      fresh.push(entry);
      select.addEventListener("change", syncNew);
      const label = element(
        "label",
        { for: select.id, class: "picker-kind" },
        texts.kind,
        element("span", { class: "visually-hidden", text: `: ${newName}` }),
      );
      const item = element(
        "li",
        { class: "picker-new" },
        element("span", { class: "picker-name", text: newName }),
        " ",
        element("span", { class: "picker-detail", text: `(${texts.new})` }),
        " ",
        label,
        select,
        " ",
        removeButton(newName, () => {
          fresh.splice(fresh.indexOf(entry), 1);
          syncNew();
        }),
      );
      chosen.append(item);
      syncEmpty();
      syncNew();
      return select;
    }

    // -- the listbox --------------------------------------------------------------------
    function close() {
      listbox.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function open() {
      if (!listbox.children.length) return;
      listbox.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function activate(index) {
      const options = listbox.children;
      if (!options.length) return;
      active = Math.max(0, Math.min(index, options.length - 1));
      for (const [position, option] of Array.from(options).entries()) {
        const on = position === active;
        option.setAttribute("aria-selected", on ? "true" : "false");
        option.classList.toggle("active", on);
      }
      input.setAttribute("aria-activedescendant", options[active].id);
      options[active].scrollIntoView({ block: "nearest" });
    }

    function render(query) {
      listbox.replaceChildren();
      results.forEach((result, position) => {
        const option = element("li", {
          role: "option",
          id: `${listboxId}-${position}`,
          "aria-selected": "false",
          class: result.isNew ? "picker-option picker-add" : "picker-option",
        });
        if (result.isNew) {
          option.textContent = fill(texts.addNew, { name: result.label });
        } else {
          option.append(element("span", { class: "picker-name", text: result.label }));
          const details = [result.detail, result.former && fill(texts.formerly, { name: result.former })];
          const detail = details.filter(Boolean).join(" · ");
          if (detail) option.append(" ", element("span", { class: "picker-detail", text: detail }));
        }
        option.addEventListener("mousedown", (event) => event.preventDefault());
        option.addEventListener("click", () => choose(position));
        listbox.append(option);
      });
      active = -1;
      input.removeAttribute("aria-activedescendant");
      if (results.length) open(); else close();
      if (wantsFirst && results.length) activate(0);
      wantsFirst = false;
      const found = results.filter((result) => !result.isNew).length;
      if (query) {
        say(found === 0 ? texts.noMatches : found === 1 ? texts.oneMatch : fill(texts.matches, { n: found }));
      }
    }

    function choose(position) {
      const result = results[position];
      if (!result) return;
      input.value = "";
      results = [];
      close();
      if (result.isNew) {
        const select = showNew(result.label, "other");
        say(fill(texts.added, { name: result.label }));
        select.focus();
        return;
      }
      let box = checkbox(result.id);
      if (!box) {
        // Not in the page's list (it may show only some): add it, ticked, for the form.
        box = element("input", { type: "checkbox", name, value: String(result.id), id: `${name}-${result.id}` });
        list.append(element("li", {}, box, element("label", { for: box.id, text: result.label })));
      }
      if (!box.checked) {
        box.checked = true;
        showChosen(result.id, result.label, result.detail);
      }
      say(fill(texts.added, { name: result.label }));
      input.focus();
    }

    async function search(query) {
      request?.abort();
      const words = query.trim();
      if (!words) {
        results = [];
        render("");
        return;
      }
      request = new AbortController();
      let found;
      try {
        const url = `${wrapper.dataset.lookup}?q=${encodeURIComponent(words)}`;
        const response = await fetch(url, {
          headers: { Accept: "application/json" },
          credentials: "same-origin",
          signal: request.signal,
        });
        if (!response.ok) throw new Error(String(response.status));
        found = (await response.json()).results;
      } catch (error) {
        if (error.name === "AbortError") return;
        results = [];
        render("");
        say(texts.failed);
        return;
      }
      const chosenIds = new Set(
        Array.from(list.querySelectorAll("input:checked"), (box) => box.value),
      );
      results = found.filter((result) => !chosenIds.has(String(result.id)));
      if (newNames) {
        const typed = words.replace(/\s+/g, " ");
        const same = (text) => text.toLocaleLowerCase() === typed.toLocaleLowerCase();
        const known = found.some((result) => same(result.label)) || fresh.some((entry) => same(entry.name));
        if (!known) results.push({ isNew: true, label: typed });
      }
      render(words);
    }

    input.addEventListener("input", () => {
      wantsFirst = false;
      window.clearTimeout(timer);
      timer = window.setTimeout(() => search(input.value), DELAY_MS);
    });

    input.addEventListener("keydown", (event) => {
      const isOpen = !listbox.hidden;
      const count = listbox.children.length;
      switch (event.key) {
        case "ArrowDown":
          event.preventDefault();
          if (!isOpen) { open(); if (count) activate(0); else wantsFirst = Boolean(input.value.trim()); }
          else activate(active + 1);
          break;
        case "ArrowUp":
          event.preventDefault();
          if (!isOpen) { open(); if (count) activate(count - 1); }
          else activate(active <= 0 ? 0 : active - 1);
          break;
        case "Home":
        case "End":
          if (isOpen && active >= 0) {
            event.preventDefault();
            activate(event.key === "Home" ? 0 : count - 1);
          }
          break;
        case "Enter":
          // Never sends the form from here: Enter chooses the suggestion in focus.
          event.preventDefault();
          if (isOpen && active >= 0) choose(active);
          break;
        case "Escape":
          if (isOpen) { event.preventDefault(); close(); }
          else if (input.value) { event.preventDefault(); input.value = ""; }
          break;
        case "Tab":
          close();
          break;
        default:
          break;
      }
    });

    input.addEventListener("blur", () => window.setTimeout(close, 150));

    // What the form holds already: the ticked records and the new organisations typed.
    for (const box of list.querySelectorAll("input:checked")) {
      const label = list.querySelector(`label[for="${CSS.escape(box.id)}"]`);
      showChosen(box.value, label ? label.textContent.trim() : box.value, "");
    }
    if (newNames && newKinds && kindOptions) {
      const kinds = lines(newKinds.value);
      lines(newNames.value).forEach((newName, position) => showNew(newName, kinds[position]));
    }
    syncEmpty();

    // The error summary's link to the hidden list leads to the search box instead.
    for (const link of document.querySelectorAll(`a[href="#${CSS.escape(name)}"]`)) {
      link.addEventListener("click", (event) => {
        event.preventDefault();
        input.focus();
      });
    }
  }

  for (const wrapper of document.querySelectorAll(".picker[data-field][data-lookup]")) {
    setUp(wrapper);
  }
})();
