// The page's words in the person's language, from the same catalogue as the templates: the
// page embeds the scripts' share of it (warmline/web/i18n.py). A missing word shows in English.
"use strict";

window.words = (() => {
  const table = JSON.parse(document.querySelector('meta[name="script-words"]').content);
  const language = document.documentElement.lang || "en";

  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
  }

  // "Save {what}", { what: "…" } → the translation, with {names} filled in.
  function _(message, values = {}) {
    const found = table[message];
    return fill(typeof found === "string" ? found : message, values);
  }

  // One form for 1, the other for everything else: the plural rule of English and Spanish.
  function ngettext(one, other, count, values = {}) {
    const forms = Array.isArray(table[one]) ? table[one] : [one, other];
    return fill(count === 1 ? forms[0] : forms[1], { count, ...values });
  }

  return Object.freeze({ _, ngettext, language });
})();
