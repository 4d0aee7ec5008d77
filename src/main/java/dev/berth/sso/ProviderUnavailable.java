package dev.berth.sso;

/** The provider could not be asked, or answered with an error of its own: a sign-in cannot finish now (503). */
public final class ProviderUnavailable extends RuntimeException {
    ProviderUnavailable(String message) {
        super(message);
    }
}
