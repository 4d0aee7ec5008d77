package dev.berth.sso;

/**
 * A sign-in that came back wrong: the browser's callback, the provider's answer or its ID token; {@code status} is
 * the HTTP status the page answers with (400 for a callback that is none of ours, 401 for an identity not proven,
 * 403 for one refused).
 */
public final class SignInRefused extends RuntimeException {
    private final int status;

    SignInRefused(int status, String message) {
        super(message);
        this.status = status;
    }

    /** The HTTP status of the refusal. */
    public int status() {
        return status;
    }
}
