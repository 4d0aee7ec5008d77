// berth's web page: a small app over the admin API (/api/v1). No framework, no asset from elsewhere.
"use strict";

const state = { me: null, repoPages: [""], tagPages: [""], jobTimer: null };
const $ = (id) => document.getElementById(id);

/** Calls the admin API; resolves with the JSON answer, rejects with its error message. */
async function api(method, path, body) {
  const headers = { "Accept": "application/json", "X-Berth-Request": "page" };
  const init = { method, headers, credentials: "same-origin" };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const res = await fetch("/api/v1" + path, init);
  const text = await res.text();
  const json = text ? JSON.parse(text) : {};
  if (!res.ok) {
    const message = json.error ? json.error.message : res.status + " " + res.statusText;
    throw new Error(message);
  }
  return json;
}

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (value !== null && value !== undefined && value !== false) node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

function say(message, isError) {
  const status = $("status");
  status.textContent = message || "";
  status.classList.toggle("error", !!isError);
}

function bytes(n) {
  if (n === null || n === undefined) return "–";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return (i === 0 ? n : n.toFixed(1)) + " " + units[i];
}

function when(iso) {
  if (!iso) return "–";
  const d = new Date(iso);
  return el("time", { datetime: iso, title: d.toISOString() }, d.toLocaleString());
}

function shortDigest(digest) {
  return el("code", { title: digest }, digest.replace(/^sha256:/, "").slice(0, 12));
}

function cell(label, ...content) {
  return el("td", { "data-label": label }, ...content);
}

function enc(name) {
  return name.split("/").map(encodeURIComponent).join("/");
}

// ---- sections -------------------------------------------------------------------------------------------------

/** Shows one section; on coming to another one, focus goes to its heading, so keyboards and screen readers follow. */
function show(section) {
  const current = document.querySelector("main > section:not([hidden])");
  for (const s of document.querySelectorAll("main > section")) s.hidden = s.id !== section;
  if (current && current.id !== section) {
    const heading = document.querySelector("#" + section + " h2");
    heading.setAttribute("tabindex", "-1");
    heading.focus();
  }
  for (const a of document.querySelectorAll("nav a")) {
    if (a.dataset.section === section || (section === "repository" && a.dataset.section === "repositories")) {
      a.setAttribute("aria-current", "page");
    } else {
      a.removeAttribute("aria-current");
    }
  }
  if (section !== "tokens") { $("token-created").hidden = true; $("token-secret").textContent = ""; }
  if (section !== "warm" && state.jobTimer) { clearTimeout(state.jobTimer); state.jobTimer = null; }
}

async function route() {
  say("");
  const hash = location.hash || "#/repositories";
  const [path, query] = hash.slice(1).split("?");
  const params = new URLSearchParams(query || "");
  try {
    if (path.startsWith("/repo/")) {
      show("repository");
      await repository(decodeURIComponent(path.slice(6)), params.get("last") || "");
    } else if (path === "/cache") {
      show("cache");
      await cache();
    } else if (path === "/warm") {
      show("warm");
      await jobs();
    } else if (path === "/retention") {
      show("retention");
      await retention();
    } else if (path === "/tokens") {
      show("tokens");
      await tokens();
    } else if (path === "/login") {
      show("login");
      $("login-failed").hidden = !new URLSearchParams(location.search).has("failed");
      $("login-throttled").hidden = !new URLSearchParams(location.search).has("throttled");
      const signIn = (state.me && state.me.signIn) || { password: true, singleSignOn: false };
      $("login-form").hidden = !signIn.password;
      $("sso").hidden = !signIn.singleSignOn;
      $("cli-note").hidden = !signIn.singleSignOn;
      if (signIn.password) {
        $("username").focus();
      }
    } else {
      show("repositories");
      await repositories(params.get("q") || "", params.get("last") || "");
    }
  } catch (e) {
    say(e.message, true);
  }
}

/**
 * Loads one page of a list: until it has come, `note` says so, the rows are gone and Previous and Next are off, so an
 * empty table never looks like an empty list. A failure leaves the note empty (the status line says why).
 */
async function loadList(kind, note, request) {
  $(note).textContent = "Loading…";
  $(kind + "-rows").replaceChildren();
  $(kind + "-prev").disabled = true;
  $(kind + "-next").disabled = true;
  try {
    return await request;
  } catch (e) {
    $(note).textContent = "";
    throw e;
  }
}

async function repositories(q, last) {
  $("q").value = q;
  const page = await loadList("repo", "repo-count",
    api("GET", "/repositories?n=50&q=" + encodeURIComponent(q) + "&last=" + encodeURIComponent(last)));
  $("repo-count").textContent = page.total + (page.total === 1 ? " repository" : " repositories")
    + (q ? " matching “" + q + "”" : "");
  $("repo-rows").replaceChildren(...page.repositories.map((r) => el("tr", {},
    cell("Repository", el("a", { href: "#/repo/" + encodeURIComponent(r.name) }, r.name)),
    cell("Kind", r.private ? el("span", { class: "badge" }, "private")
      : el("span", { class: "badge" }, "mirrored from " + r.upstream)))));
  pager("repo", last, page.next, (to) => "#/repositories?q=" + encodeURIComponent(q) + "&last=" + encodeURIComponent(to));
}

/** Previous and Next move through pages by the last name of each; the pages seen are remembered for Previous. */
function pager(kind, last, next, link) {
  const pages = state[kind + "Pages"];
  const at = pages.indexOf(last);
  if (at < 0) pages.push(last); else pages.length = at + 1;
  const prev = $(kind + "-prev");
  const nextButton = $(kind + "-next");
  prev.disabled = pages.length < 2;
  nextButton.disabled = !next;
  prev.onclick = () => { location.hash = link(pages[pages.length - 2]); };
  nextButton.onclick = () => { location.hash = link(next); };
}

async function repository(name, last) {
  $("repository-title").textContent = name;
  const page = await loadList("tag", "repository-kind",
    api("GET", "/repositories/" + enc(name) + "/tags?n=50&last=" + encodeURIComponent(last)));
  $("repository-kind").textContent = (page.private ? "private" : "mirrored from " + page.upstream)
    + " · " + page.total + (page.total === 1 ? " tag" : " tags");
  const admin = state.me && state.me.admin;
  $("tag-rows").replaceChildren(...page.tags.map((t) => el("tr", {},
    cell("Tag", el("strong", {}, t.tag)),
    cell("Digest", shortDigest(t.digest)),
    cell("Size", bytes(t.size)),
    cell("Platforms", t.platforms.length ? el("ul", { class: "plain" }, t.platforms.map((p) =>
      el("li", {}, p.platform, p.cached ? "" : el("span", { class: "muted" }, " (not cached)")))) : "–"),
    cell("Last pulled", when(t.lastPulled)),
    cell("Pinned", t.pinned ? "yes" : "no"),
    cell("Actions", el("div", { class: "actions" },
      el("button", { type: "button", class: "secondary", disabled: !admin,
        "aria-label": (t.pinned ? "Unpin " : "Pin ") + t.tag,
        onclick: () => act(t.pinned ? "DELETE" : "PUT", "/repositories/" + enc(name) + "/pins/" + encodeURIComponent(t.tag),
          (t.pinned ? "Unpinned " : "Pinned ") + name + ":" + t.tag) }, t.pinned ? "Unpin" : "Pin"),
      el("button", { type: "button", class: "danger", disabled: !admin, "aria-label": "Delete tag " + t.tag,
        onclick: () => confirm("Delete the tag " + name + ":" + t.tag + "?")
          && act("DELETE", "/repositories/" + enc(name) + "/tags/" + encodeURIComponent(t.tag), "Deleted " + name + ":" + t.tag) },
        "Delete tag"),
      el("button", { type: "button", class: "danger", disabled: !admin, "aria-label": "Delete image " + t.digest,
        onclick: () => confirm("Delete the image " + t.digest + " and every tag on it?")
          && act("DELETE", "/repositories/" + enc(name) + "/manifests/" + t.digest, "Deleted " + t.digest) },
        "Delete image"))))));
  pager("tag", last, page.next, (to) => "#/repo/" + encodeURIComponent(name) + "?last=" + encodeURIComponent(to));
}

async function act(method, path, done) {
  try {
    await api(method, path);
    await route();
    say(done);
  } catch (e) {
    say(e.message, true);
  }
}

function card(title, ...body) {
  return el("div", { class: "card" }, el("h3", {}, title), ...body);
}

async function cache() {
  const s = await api("GET", "/cache");
  const t = s.traffic;
  const requests = t.hits + t.misses;
  const cards = [
    card("Mirrored content on disk",
      el("p", { class: "big" }, s.usedBytes === null ? "counted within a minute" : bytes(s.usedBytes) + " used"),
      s.budgetBytes === null ? el("p", { class: "muted" }, "no budget set (cache.max-bytes)")
        : [el("meter", { min: 0, max: s.budgetBytes, value: s.usedBytes || 0, "aria-label": "share of the budget used" }),
          el("p", { class: "muted" }, "of the " + bytes(s.budgetBytes) + " budget (cache.max-bytes)")]),
    card("Hit ratio", el("p", { class: "big" }, requests ? Math.round(100 * t.hits / requests) + " %" : "–"),
      el("p", { class: "muted" }, t.hits + " hits, " + t.misses + " misses since start")),
    card("Bytes", el("p", {}, "served from the cache: ", el("strong", {}, bytes(t.hitBytes))),
      el("p", {}, "fetched from upstreams: ", el("strong", {}, bytes(t.fetchedBytes)))),
  ];
  const upstreams = el("table", { class: "list" },
    el("thead", {}, el("tr", {}, ["Upstream", "State", "Rate limit left", "Hits", "Misses", "Fetched"]
      .map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", {}, s.upstreams.map((u) => el("tr", {},
      cell("Upstream", u.registry),
      cell("State", u.answering ? el("span", { class: "up" }, "answering")
        : el("span", { class: "down" }, "failing: " + u.problem)),
      cell("Rate limit left", u.rateLimitRemaining === null ? "–" : String(u.rateLimitRemaining)),
      cell("Hits", String(u.traffic.hits)), cell("Misses", String(u.traffic.misses)),
      cell("Fetched", bytes(u.traffic.fetchedBytes))))));
  const rounds = (title, items, render) => [el("h3", {}, title),
    items.length ? el("ul", {}, items.map((r) => el("li", {}, when(r.at), " — ", render(r)))) : el("p", { class: "muted" }, "none yet")];
  $("cache-body").replaceChildren(el("div", { class: "cards" }, cards), el("h3", {}, "Upstreams"), upstreams,
    ...rounds("Recent evictions", s.evictions, (r) => r.evicted + " blobs and manifests, " + bytes(r.bytes)),
    ...rounds("Recent garbage collections", s.collections,
      (r) => r.blobs + " blobs (" + bytes(r.bytes) + "), " + r.links + " links"));
}

// ---- warm jobs ------------------------------------------------------------------------------------------------

async function jobs() {
  if (state.me && !state.me.admin) {
    $("jobs").replaceChildren(el("li", { class: "muted" }, "Warming needs the admin permission: sign in as an administrator."));
    return;
  }
  const list = await api("GET", "/warm-jobs");
  $("jobs").replaceChildren(...(list.jobs.length ? list.jobs.map(job) : [el("li", { class: "muted" }, "No warm jobs yet.")]));
  if (list.jobs.some((j) => j.state === "running")) {
    state.jobTimer = setTimeout(() => jobs().catch((e) => say(e.message, true)), 1000);
  }
}

function job(j) {
  const running = j.state === "running";
  return el("li", { "data-job": j.id, "data-state": j.state },
    el("div", { class: "row" }, el("strong", {}, j.images.map((i) => i.image).join(", ")),
      el("span", { class: "badge job-state" }, j.state),
      j.platform ? el("span", { class: "badge" }, j.platform) : null,
      running ? el("button", { type: "button", class: "danger",
        onclick: () => act("DELETE", "/warm-jobs/" + encodeURIComponent(j.id), "Cancelled") }, "Cancel") : null),
    el("progress", { max: j.bytes.total || 1, value: j.state === "succeeded" ? (j.bytes.total || 1) : j.bytes.done,
      "aria-label": "bytes cached" }),
    el("p", { class: "muted" }, j.layers.done + " of " + j.layers.total + " blobs, "
      + bytes(j.bytes.done) + " of " + bytes(j.bytes.total) + " · started by " + j.startedBy + " " ,
      when(j.created)),
    j.images.filter((i) => i.error).map((i) => el("p", { class: "error" }, i.image + ": " + i.error)));
}

async function startWarm(event) {
  event.preventDefault();
  const images = $("warm-images").value.split(/\s+/).filter((s) => s);
  const platform = $("warm-platform").value.trim();
  try {
    await api("POST", "/warm-jobs", platform ? { images, platform } : { images });
    $("warm-images").value = "";
    say("Warm job started");
    await jobs();
  } catch (e) {
    say(e.message, true);
  }
}

// ---- retention ------------------------------------------------------------------------------------------------

async function retention() {
  const admin = state.me && state.me.admin;
  $("retention-round").disabled = true;
  if (!admin) {
    $("retention-body").replaceChildren(el("p", { class: "muted" },
      "Retention needs the admin permission: sign in as an administrator."));
    return;
  }
  const r = await api("GET", "/retention");
  if (!r.configured) {
    $("retention-body").replaceChildren(el("p", { class: "muted" }, "No retention.rules are configured: nothing is removed."));
    return;
  }
  $("retention-round").disabled = false;
  $("retention-body").replaceChildren(...report("Next round (dry run)", r.dryRun, "would remove"),
    ...(r.lastRound ? report("Last round", r.lastRound, "removed") : [el("h3", {}, "Last round"),
      el("p", { class: "muted" }, "none yet on this instance")]));
}

/** A dry run or a round: its warnings, then per repository the tags kept and removed and the manifests removed. */
function report(title, r, verb) {
  const tags = (list) => list.length ? list.map((t) => t.tag).join(", ") : "none";
  return [el("h3", {}, title, " ", when(r.at)),
    r.warnings.map((w) => el("p", { class: "error" }, w)),
    r.repositories.length ? el("table", { class: "list" },
      el("thead", {}, el("tr", {}, ["Repository", "Rule", "Tags kept", "Tags " + verb, "Manifests " + verb]
        .map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, r.repositories.map((p) => el("tr", { "data-repository": p.name },
        cell("Repository", el("a", { href: "#/repo/" + encodeURIComponent(p.name) }, p.name),
          p.warnings.map((w) => el("p", { class: "error" }, w))),
        cell("Rule", "retention.rules." + p.rule),
        cell("Tags kept", tags(p.keptTags)),
        cell("Tags " + verb, tags(p.removedTags)),
        cell("Manifests " + verb, p.removedManifests.length + " of " + p.manifests)))))
      : el("p", { class: "muted" }, "No private repository matches a rule.")];
}

async function retentionRound() {
  try {
    await api("POST", "/retention/rounds");
    say("A retention round starts now; reload this section to see it as the last round");
  } catch (e) {
    say(e.message, true);
  }
}

// ---- access tokens --------------------------------------------------------------------------------------------

async function tokens() {
  $("token-rows").replaceChildren();
  if (!state.me || !state.me.user) {
    $("token-count").textContent = state.me && !state.me.authentication
      ? "berth has no accounts (auth.htpasswd), so no access tokens." : "Sign in to see and create access tokens.";
    return;
  }
  $("token-count").textContent = "Loading…";
  const list = await api("GET", "/tokens");
  const now = Date.now();
  $("token-count").textContent = list.tokens.length ? list.tokens.length + (list.tokens.length === 1 ? " token" : " tokens")
    : "No access tokens yet.";
  $("token-rows").replaceChildren(...list.tokens.map((t) => el("tr", { "data-token": t.name },
    cell("Name", el("code", {}, t.name)),
    cell("Repositories", t.repositories.join(", ")),
    cell("Actions", t.actions.join(", ")),
    cell("Created by", t.creator),
    cell("Expires", Date.parse(t.expires) <= now ? el("span", { class: "down" }, "expired ", when(t.expires)) : when(t.expires)),
    cell("Last used", t.lastUsed ? when(t.lastUsed) : "never"),
    cell("", el("button", { type: "button", class: "danger",
      onclick: () => act("DELETE", "/tokens/" + encodeURIComponent(t.name), "Revoked " + t.name) }, "Revoke")))));
}

async function createToken(event) {
  event.preventDefault();
  const form = $("token-form");
  const body = {
    name: $("token-name").value.trim(),
    repositories: $("token-repositories").value.split(/[\s,]+/).filter((s) => s),
    actions: [...form.querySelectorAll("input[name=actions]:checked")].map((box) => box.value),
    expires: $("token-expires").value.trim(),
  };
  try {
    const created = await api("POST", "/tokens", body);
    $("token-created-name").textContent = created.name;
    $("token-secret").textContent = created.secret;
    $("token-login").textContent = "docker login " + location.host + " -u " + created.name + " --password-stdin";
    $("token-created").hidden = false;
    $("token-name").value = "";
    say("Created token " + created.name);
    await tokens();
  } catch (e) {
    say(e.message, true);
  }
}

// ---- session --------------------------------------------------------------------------------------------------

async function session() {
  try {
    state.me = await api("GET", "/me");
  } catch (e) {
    // A session that has ended (signed out elsewhere, the account changed): its 401 took the cookie away.
    state.me = await api("GET", "/me");
  }
  const box = $("session");
  if (!state.me.authentication) {
    box.replaceChildren();
  } else if (state.me.user) {
    const groups = state.me.groups && state.me.groups.length
      ? el("span", { id: "groups", class: "muted" }, " (" + state.me.groups.join(", ") + ")") : "";
    box.replaceChildren(el("span", {}, "Signed in as ", el("strong", { id: "user" }, state.me.user), groups),
      el("form", { method: "post", action: "/ui/logout" }, el("button", { type: "submit", class: "secondary" }, "Sign out")));
  } else {
    box.replaceChildren(el("a", { href: "#/login", id: "sign-in" }, "Sign in"));
  }
}

document.addEventListener("DOMContentLoaded", async () => {
  $("search").addEventListener("submit", (event) => {
    event.preventDefault();
    const hash = "#/repositories?q=" + encodeURIComponent($("q").value.trim());
    // The same search again sets no new hash, so no hashchange: ask again, for what was cached since.
    if (location.hash === hash) {
      route();
    } else {
      location.hash = hash;
    }
  });
  $("warm-form").addEventListener("submit", startWarm);
  $("retention-round").addEventListener("click", retentionRound);
  $("token-form").addEventListener("submit", createToken);
  window.addEventListener("hashchange", route);
  try {
    await session();
  } catch (e) {
    say(e.message, true);
  }
  await route();
});
