package dev.berth.sso;

import java.util.Optional;

/**
 * A sign-in that came back wrong: the browser's callback, the provider's answer or its ID token; {@code status} is
 * the HTTP status the page answers with (400 for a callback that is none of ours, 401 for an identity not proven,
 * 403 for one refused).
 */
public final class SignInRefused extends RuntimeException {
    private final int status;
    private final String user;

    SignInRefused(int status, String message) {
        this(status, null, message);
    }

    /** Refused for {@code user}, whom the provider's answer named. */
    SignInRefused(int status, String user, String message) {
        super(message);
        this.status = status;
        this.user = user;
    }

    /** The user the provider's answer named, when it got that far. */
    public Optional<String> user() {
        return Optional.ofNullable(user);
    }

    /** The HTTP status of the refusal. */
    public int status() {
        return status;
    }
}
