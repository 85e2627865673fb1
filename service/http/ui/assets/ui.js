"use strict";
// The model browser's script: the page follows the server (it polls the JSON status behind it
// and, when that changes, swaps in the freshly rendered parts marked data-live), and the
// try-it form sends one instance to /predict and shows the answer or the refusal.
(() => {
  const POLL_MS = 2000;
  const status = () => document.getElementById("live-status");
  let seen = null;

  async function swap() {
    const response = await fetch(location.href, {cache: "no-store"});
    const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
    const parts = [...document.querySelectorAll("[data-live]")];
    if (!response.ok || parts.some((part) => !fresh.getElementById(part.id))) {
      document.querySelector("main").replaceWith(document.adoptNode(fresh.querySelector("main")));
    } else {
      for (const part of parts) {
        const next = fresh.getElementById(part.id);
        if (part.dataset.key === undefined || part.dataset.key !== next.dataset.key) {
          part.replaceWith(document.adoptNode(next));  // the try-it form only when its inputs change
        }
      }
    }
    bindForms();
  }

  async function poll() {
    try {
      const response = await fetch(document.body.dataset.poll, {cache: "no-store"});
      const text = await response.text();
      if (seen !== null && text !== seen) {
        await swap();
        status().textContent = `Updated at ${new Date().toLocaleTimeString()}: the server's models changed.`;
      } else if (seen === null) {
        status().textContent = "Follows the server: changes show here within seconds.";
      }
      seen = text;
    } catch (error) {
      status().textContent = `The server did not answer (${error.message}); trying again.`;
    }
    setTimeout(poll, POLL_MS);
  }

  // A field's text as JSON: itself when it is a JSON value, else as a string (which the server
  // refuses, naming what it accepts).
  function jsonOf(text) {
    try {
      JSON.parse(text);
      return text;
    } catch {
      return JSON.stringify(text);
    }
  }

  async function predict(event) {
    event.preventDefault();
    const form = event.currentTarget;
    const answer = form.querySelector("output");
    const fields = [...form.querySelectorAll("[data-input]")].map(
      (input) => `${JSON.stringify(input.dataset.input)}: ${jsonOf(input.value.trim())}`);
    answer.className = "answer";
    answer.textContent = "asking…";
    try {
      const response = await fetch(form.dataset.url, {
        method: "POST", headers: {"Content-Type": "application/json"},
        body: `{"instances": [{${fields.join(", ")}}]}`});
      const body = await response.json().catch(() => ({error: `HTTP ${response.status}`}));
      if (response.ok) {
        answer.textContent = `${JSON.stringify(body.predictions[0])} (version ${body.version})`;
      } else {
        answer.classList.add("refused");
        answer.textContent = `Refused (${response.status}): ${body.error}`;
      }
    } catch (error) {
      answer.classList.add("refused");
      answer.textContent = `No answer: ${error.message}`;
    }
  }

  function bindForms() {
    for (const form of document.querySelectorAll("form.try")) form.onsubmit = predict;
  }

  bindForms();
  poll();
})();
