package dev.berth.http.api;

import dev.berth.auth.Principal;

/** Who called the admin API, and whether the call came from berth's own host (loopback, not forwarded). */
record ApiCaller(Principal principal, boolean local) {
}
