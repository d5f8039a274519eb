// onsite: countdowns that tick every second, the live board over SSE, and
// small form helpers. No inline scripts (the CSP forbids them).
"use strict";
(() => {
  const body = document.body;
  const words = body.dataset;
  // The server's clock, not the browser's, decides how long is left.
  let skew = Number(words.now || Date.now()) - Date.now();

  // Seconds as people read them: 1小时35分 / 1h35m; seconds only in the last minute.
  const span = (total) => {
    const s = Math.max(0, Math.floor(total));
    const d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
    const parts = d > 0 ? [[d, words.uD], [h, words.uH], [m, words.uM]]
      : h > 0 ? [[h, words.uH], [m, words.uM]]
      : m > 0 ? [[m, words.uM]] : [[sec, words.uS]];
    return parts.filter((p, i) => i === 0 || p[0] > 0).map((p) => p[0] + p[1]).join("");
  };

  const tick = () => {
    const now = Date.now() + skew;
    document.querySelectorAll("[data-deadline]").forEach((el) => {
      if (el.dataset.pending !== "1") return;
      const left = (Number(el.dataset.deadline) - now) / 1000;
      const state = left <= 0 ? "breached" : left <= Number(el.dataset.atRisk || 0) ? "at_risk" : "on_track";
      el.textContent = left > 0 ? `${words.tLeft} ${span(left)}` : `${words.tOverdue} ${span(-left)}`;
      const holder = el.closest("[data-sla]");
      if (holder && holder.dataset.sla !== state) holder.dataset.sla = state;
    });
  };

  const rows = document.getElementById("board-rows");
  const live = document.getElementById("live");
  if (rows && window.EventSource) {
    const events = new EventSource("/board/events");
    events.addEventListener("board", (ev) => {
      const update = JSON.parse(ev.data);
      rows.innerHTML = update.html;
      skew = update.now - Date.now();
      const count = document.getElementById("open-count");
      if (count) count.textContent = String(update.count);
      if (live) live.dataset.state = "live";
      tick();
    });
    events.addEventListener("open", () => { if (live) live.dataset.state = "live"; });
    events.addEventListener("error", () => { if (live) live.dataset.state = "offline"; });
  }

  // A unit's branch can be chosen only while the unit is ticked.
  document.querySelectorAll("[data-unit-choice]").forEach((choice) => {
    const box = choice.querySelector("input[type=checkbox]");
    const select = choice.querySelector("select");
    if (!box || !select) return;
    const sync = () => { select.disabled = !box.checked; };
    box.addEventListener("change", sync);
    sync();
  });

  // A file over the largest the server takes is refused here, before it is sent.
  document.querySelectorAll("input[type=file][data-max]").forEach((input) => {
    input.form.addEventListener("submit", (e) => {
      const file = input.files[0];
      if (file && file.size > Number(input.dataset.max)) {
        e.preventDefault();
        alert(input.dataset.tooLarge);
      }
    });
  });

  document.querySelectorAll("[data-print]").forEach((b) => b.addEventListener("click", () => window.print()));

  tick();
  setInterval(tick, 1000);
})();
