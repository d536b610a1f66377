// The schedule form: show only the fields the chosen preset needs, and spell out a custom cron
// line as it is typed (the server describes it: one source of truth for the words).
(() => {
  const NEEDS = {
    daily: ["time_of_day"],
    weekly: ["weekday", "time_of_day"],
    monthly: ["day_of_month", "time_of_day"],
    cron: ["cron"],
  };
  const OPTIONAL = ["time_of_day", "weekday", "day_of_month", "cron"];

  function wrapperOf(name) {
    const input = document.getElementById(`id_${name}`);
    // Wagtail wraps each field with its label and help in .w-field__wrapper.
    return input && (input.closest(".w-field__wrapper") || input.parentElement);
  }

  function showFor(preset) {
    const needed = NEEDS[preset] || OPTIONAL;
    for (const name of OPTIONAL) {
      const wrapper = wrapperOf(name);
      if (wrapper) wrapper.hidden = !needed.includes(name);
    }
  }

  function describeAsTyped(cron) {
    const out = document.createElement("p");
    out.className = "help";
    out.id = "id_cron_words";
    out.setAttribute("aria-live", "polite");
    cron.setAttribute("aria-describedby", out.id);
    cron.insertAdjacentElement("afterend", out);
    let timer = null;
    const update = async () => {
      const url = `${cron.dataset.describeUrl}?cron=${encodeURIComponent(cron.value)}`;
      try {
        const response = await fetch(url, { credentials: "same-origin" });
        const data = await response.json();
        out.textContent = data.words || data.error || "";
      } catch (error) {
        out.textContent = "";
      }
    };
    cron.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(update, 250);
    });
    update();
  }

  function init() {
    const preset = document.getElementById("id_preset");
    if (!preset) return;
    showFor(preset.value);
    preset.addEventListener("change", () => showFor(preset.value));
    const cron = document.getElementById("id_cron");
    if (cron && cron.dataset.describeUrl) describeAsTyped(cron);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
