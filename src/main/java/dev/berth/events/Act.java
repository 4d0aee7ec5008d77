package dev.berth.events;

import java.util.Locale;

/** What was done: the registry's acts, which notifications carry, and the others the audit trail records. */
public enum Act {
    /** A manifest put. */
    PUSH(true),
    /** A manifest get, of a private or a mirrored repository. */
    PULL(true),
    /** A manifest or tag removed, through the registry API or the admin API. */
    DELETE(true),
    /** A blob linked from another repository instead of uploaded. */
    MOUNT(true),
    /** A blob get; the audit trail sums them per manifest pull rather than writing one line each. */
    BLOB_PULL(false),
    /** Credentials accepted where a client logs in (the token endpoint, {@code GET /v2/}, the page). */
    LOGIN(false),
    /** Credentials refused. */
    LOGIN_FAILED(false),
    /** A tag pinned against eviction. */
    PIN(false),
    /** A tag's pin removed. */
    UNPIN(false),
    /** An image put in a warm job, to be cached ahead of demand. */
    WARM(false),
    /** An access token created; the target's tag is the token's name. */
    TOKEN_CREATED(false),
    /** An access token revoked; the target's tag is the token's name. */
    TOKEN_REVOKED(false);

    private final boolean notified;

    Act(boolean notified) {
        this.notified = notified;
    }

    /** Whether notification endpoints hear of it: the acts of distribution's envelope (push, pull, delete, mount). */
    public boolean notified() {
        return notified;
    }

    /** Its name in notifications, the audit trail and the configuration: {@code push}, {@code login-failed}. */
    public String text() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The act named {@code text}, as {@link #text()} writes it. */
    public static Act parse(String text) {
        for (Act act : values()) {
            if (act.text().equals(text)) {
                return act;
            }
        }
        throw new IllegalArgumentException("unknown action " + text);
    }
}
